// vectors.hpp: what you do with word vectors. The table (V,D) with its words; saving and
// loading in word2vec's text and binary formats (they open in gensim and the original
// tools); nearest neighbours by cosine, analogies (3CosAdd, 3CosMul), the questions-words
// evaluation, and "which word does not belong". Introduced in ch03.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/device.hpp"

namespace ladder::ch03 {

struct Embeddings {
    std::vector<std::string> words;                      // by id
    std::unordered_map<std::string, std::int32_t> index;
    std::size_t D = 0;
    std::vector<float> vecs;                             // (V,D) as trained or loaded
    std::vector<float> unit;                             // (V,D) each row scaled to length 1 (zero rows stay 0)

    Embeddings() = default;
    Embeddings(std::vector<std::string> words, std::vector<float> vecs, std::size_t D);
    std::size_t size() const { return words.size(); }
    std::int32_t id(const std::string& w) const;         // -1 when unknown
    // The id of `w`, or a ladder::Error: "unknown word 'xyzzy' (in <where>): not among the
    // V words of the vocabulary".
    std::int32_t require(const std::string& w, const std::string& where) const;
    const float* unit_row(std::int32_t id) const { return unit.data() + static_cast<std::size_t>(id) * D; }
};

// ---- word2vec formats ----
// text:   "V D\n" then V lines "word x1 x2 ... xD\n"
// binary: "V D\n" then V records "word " + D little-endian float32 + "\n"
void save_text(const Embeddings& e, const std::filesystem::path& path);
void save_binary(const Embeddings& e, const std::filesystem::path& path);
// Loads either format (binary when the name ends in .bin). Errors name the file and the
// line (text) or byte offset (binary): a bad header, a row with the wrong number of values,
// a file that ends early, a value that is not a number. `expected_dim`: also an error when
// the file's dimension differs.
Embeddings load_vectors(const std::filesystem::path& path, std::optional<std::size_t> expected_dim = {});

// ---- search: cosine top-k on a backend ----
struct Neighbour {
    std::string word;
    float sim = 0;
};

// Holds the unit table where the searches run: on the CPU, similarities come from one
// OpenBLAS product per batch of queries; on simt/cuda, from the cosine_topk kernel (the
// query rows are gathered on the device with embedding_gather).
class Searcher {
public:
    Searcher(const Embeddings& e, Device device);
    ~Searcher();
    // For each query vector (M,D) the k most similar words, skipping exclude[m] (ids).
    std::vector<std::vector<Neighbour>> topk(const std::vector<float>& queries, std::size_t M,
                                             const std::vector<std::vector<std::int32_t>>& exclude, std::size_t k) const;
    // Nearest neighbours of words (each excluding itself). Unknown words throw.
    std::vector<std::vector<Neighbour>> neighbours(const std::vector<std::string>& words, std::size_t k) const;
    const Embeddings& embeddings() const { return e_; }

private:
    struct DeviceTable;
    const Embeddings& e_;
    Device device_;
    std::unique_ptr<DeviceTable> dev_;
};

// ---- analogies: a is to b as c is to d ----
struct Question {
    std::string a, b, c, d;
};
struct QuestionSection {
    std::string name;
    std::vector<Question> questions;
};
// Reads the questions-words format: ": section" lines, then "a b c d" lines (words are
// case-folded). Errors name the file and line.
std::vector<QuestionSection> read_questions(const std::filesystem::path& path);

enum class AnalogyMethod { add, mul };   // 3CosAdd, 3CosMul (Levy & Goldberg 2014)
const char* method_name(AnalogyMethod m);

// The best d for each (a, b, c), excluding a, b and c; unknown words throw. 3CosAdd:
// argmax cos(d, b - a + c); 3CosMul: argmax cos'(d,b) cos'(d,c) / (cos'(d,a) + 0.001) with
// cos' = (cos + 1) / 2. 3CosMul runs on the CPU whatever the backend.
std::vector<Neighbour> analogies(const Searcher& s, const std::vector<Question>& qs, AnalogyMethod m, std::size_t k = 1);

struct SectionScore {
    std::string name;
    std::size_t correct = 0, answered = 0, total = 0;   // answered: all four words known
};
struct Evaluation {
    std::vector<SectionScore> sections;
    std::size_t correct = 0, answered = 0, total = 0;
    double accuracy() const { return answered ? static_cast<double>(correct) / static_cast<double>(answered) : 0.0; }
};
// Accuracy over the questions whose four words are all known (gensim's rule too).
Evaluation evaluate(const Searcher& s, const std::vector<QuestionSection>& sections, AnalogyMethod m);

// The word least similar to the mean of the (unit) vectors of the others and itself, as
// gensim's doesnt_match. Unknown words throw.
std::string odd_one_out(const Embeddings& e, const std::vector<std::string>& words);

}  // namespace ladder::ch03
