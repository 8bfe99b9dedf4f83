// analogies.hpp: what word vectors can answer: analogies (3CosAdd, 3CosMul), the
// questions-words evaluation, and "which word does not belong". Introduced in ch03.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include "chapters/ch03_word2vec/search.hpp"
#include "chapters/ch03_word2vec/vectors.hpp"

namespace ladder::ch03 {

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
