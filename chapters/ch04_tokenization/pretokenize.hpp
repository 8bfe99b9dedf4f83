// pretokenize.hpp: GPT-2's pre-tokeniser as a hand-written scanner (no regex library),
// and GPT-2's byte <-> printable-character table. Text (bytes) -> pieces (byte ranges);
// BPE then works inside each piece. Introduced in ch04.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ladder::tok {

// GPT-2 cuts text with the regular expression
//   's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
// which only ever asks four questions of a character: letter, number, space or other.
enum class CharClass : unsigned char { letter, number, space, other };

// The class of a code point as GPT-2's reference encoder (tiktoken) sees it.
CharClass gpt2_char_class(char32_t cp);

// The end (byte offset) of the pre-token that starts at `begin` (< text.size()). Bytes
// that are not valid UTF-8 count as "other" characters, one byte each, so any byte
// string is cut into pieces that concatenate back to it.
std::size_t pretoken_end(std::string_view text, std::size_t begin);

// pretokenize("Hello world's  \n") -> {"Hello", " world", "'s", "  \n"}
std::vector<std::string_view> pretokenize(std::string_view text);

// ---- GPT-2's byte-level alphabet ----
// GPT-2 stores tokens as text: each byte is shown as a printable character (bytes that
// are printable Latin-1 as themselves, the others shifted to U+0100 and up: the space
// 0x20 is shown as 'Ġ' U+0120, the newline as 'Ċ' U+010A).
const std::array<char32_t, 256>& byte_to_unicode();
// The bytes in GPT-2's id order: byte_order()[i] is the byte of token i (i < 256).
const std::array<unsigned char, 256>& gpt2_byte_order();
// "Ġthe" <-> " the". The reverse returns nullopt for a character outside the table.
std::string bytes_to_gpt2_text(std::string_view bytes);
std::optional<std::string> gpt2_text_to_bytes(std::string_view text);

// For printing: bytes with each invalid UTF-8 sequence shown as U+FFFD and control
// characters escaped ("\n"), so a token boundary inside a character stays visible.
std::string printable(std::string_view bytes);

}  // namespace ladder::tok
