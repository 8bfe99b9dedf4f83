#!/usr/bin/env bash
# debian_faq_ko.sh: Korean prose: the Debian FAQ in Korean (debian-faq-ko, plain text),
# indentation and the "----" rules removed, blank lines kept. Lines broken
# inside a word by the original line wrapping stay broken (we cannot tell them apart).
# Output: <cache>/debian_faq_ko/debian_faq_ko.txt (~190 KB), manifest.json. Used by ch04.
source "$(dirname "$0")/lib.sh"
cache="${1:-data/cache}"
out="$cache/debian_faq_ko"
[ -f "$out/manifest.json" ] && { echo "debian_faq_ko: already in $out"; exit 0; }
work="$out/work"
fetch_debs "$work" debian-faq-ko
src="$work/root/usr/share/doc/debian/FAQ/debian-faq.ko.txt.gz"
[ -f "$src" ] || { echo "debian_faq_ko: $src is missing from the package" >&2; exit 1; }
# The indentation is partly U+00A0 (no-break space): strip Unicode white space (perl -C).
zcat "$src" | perl -CSD -pe 's/^[^\S\n]+//; s/[^\S\n]+$//; $_ = "" if /^-{5,}$/' | cat -s > "$out/debian_faq_ko.txt.tmp"
bytes=$(wc -c < "$out/debian_faq_ko.txt.tmp")
# Most of it must be Hangul: at least 30,000 syllables (U+AC00..U+D7A3, 3 bytes each).
hangul=$(grep -o -P '[\x{AC00}-\x{D7A3}]' "$out/debian_faq_ko.txt.tmp" | wc -l)
[ "$hangul" -ge 30000 ] || { echo "debian_faq_ko: expected Korean text, found $hangul Hangul syllables" >&2; exit 1; }
mv "$out/debian_faq_ko.txt.tmp" "$out/debian_faq_ko.txt"
write_manifest "$out" "  \"name\": \"debian_faq_ko\",
  \"what\": \"the Debian FAQ in Korean, plain text, indentation removed\",
  \"licence\": \"verbatim and modified copies permitted with the notice (debian-faq's copyright file)\",
  \"packages\": {\"debian-faq-ko\": \"$(deb_version "$work" debian-faq-ko)\"},
  \"files\": {\"debian_faq_ko.txt\": {\"sha256\": \"$(sha256 "$out/debian_faq_ko.txt")\", \"bytes\": $bytes, \"hangul_syllables\": $hangul, \"lines\": $(wc -l < "$out/debian_faq_ko.txt")}}"
rm -rf "$work"
echo "debian_faq_ko: $bytes bytes ($hangul Hangul syllables) in $out/debian_faq_ko.txt"
