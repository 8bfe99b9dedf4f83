// corpus.cpp: reading and checking the labelled splits of chapter 2.
#include "chapters/ch02_bag_of_words/corpus.hpp"

#include <algorithm>
#include <map>

#include "core/error.hpp"
#include "core/fileio.hpp"
#include "core/text.hpp"

namespace ladder::ch02 {

std::vector<std::int32_t> Split::labels() const {
    std::vector<std::int32_t> out;
    for (const Document& d : docs) out.push_back(d.label);
    return out;
}

std::vector<std::string_view> Split::texts() const {
    std::vector<std::string_view> out;
    for (const Document& d : docs) out.emplace_back(d.text);
    return out;
}

std::vector<Document> parse_split(std::string_view text, const std::string& where, std::vector<std::string>& categories,
                                  bool add_categories) {
    std::vector<Document> docs;
    LineReader lines(text);
    for (std::string_view line; lines.next(line);) {
        const std::size_t line_no = lines.number();
        if (line.empty() || line[0] == '#') continue;
        const std::size_t tab = line.find('\t');
        LADDER_CHECK(tab != std::string_view::npos && tab > 0, "{}:{}: expected 'category<TAB>text', got '{}'", where,
                     line_no, line.substr(0, 60));
        const std::string category(line.substr(0, tab));
        auto it = std::find(categories.begin(), categories.end(), category);
        if (it == categories.end()) {
            LADDER_CHECK(add_categories, "{}:{}: category '{}' does not occur in the training split", where, line_no,
                         category);
            categories.push_back(category);
            it = categories.end() - 1;
        }
        docs.push_back({static_cast<std::int32_t>(it - categories.begin()), std::string(line.substr(tab + 1))});
    }
    return docs;
}

Corpus load_corpus(const std::filesystem::path& dir, const LoadOptions& opts) {
    if (opts.is_default_dir && !std::filesystem::exists(dir / "manifest.json"))
        LADDER_THROW("no fortunes corpus in {} (manifest.json is missing): run `./ladder data fortunes` to fetch it "
                     "(`./ladder run ch02` does this for you), or point --data at a folder with train.tsv, "
                     "validation.tsv and test.tsv",
                     dir.string());
    Corpus c;
    auto read = [&](Split& s, const char* name) {
        s.name = name;
        s.path = dir / (std::string(name) + ".tsv");
        LADDER_CHECK(std::filesystem::exists(s.path), "{}: not found (a corpus folder holds train.tsv, validation.tsv "
                     "and test.tsv; `./ladder data fortunes` writes one in data/cache/fortunes)", s.path.string());
        std::string text = read_file(s.path);
        if (opts.replace_invalid) {
            text = replace_invalid_utf8(text);
        } else if (auto bad = find_invalid_utf8(text)) {
            LADDER_THROW("{}: {} (run with --replace-invalid to replace invalid bytes with U+FFFD)", s.path.string(),
                         bad->what);
        }
        return text;
    };
    // Categories are numbered in order of first appearance in train, then sorted by name.
    std::vector<std::string> cats;
    const std::string train_text = read(c.train, "train");
    std::vector<Document> train = parse_split(train_text, c.train.path.string(), cats, true);
    LADDER_CHECK(!train.empty(), "{}: no documents (the corpus is empty); each line is 'category<TAB>text'",
                 c.train.path.string());
    std::vector<std::string> sorted = cats;
    std::sort(sorted.begin(), sorted.end());
    std::vector<std::int32_t> remap(cats.size());
    for (std::size_t i = 0; i < cats.size(); ++i)
        remap[i] = static_cast<std::int32_t>(std::find(sorted.begin(), sorted.end(), cats[i]) - sorted.begin());
    for (Document& d : train) d.label = remap[d.label];
    c.categories = sorted;
    c.train.docs = std::move(train);
    for (Split* s : {&c.validation, &c.test}) {
        const std::string text = read(*s, s == &c.validation ? "validation" : "test");
        s->docs = parse_split(text, s->path.string(), c.categories, false);
    }
    for (Split* s : {&c.train, &c.validation, &c.test}) {
        LADDER_CHECK(!s->docs.empty(), "{}: no documents (the corpus is empty); each line is 'category<TAB>text'",
                     s->path.string());
        for (const Document& d : s->docs) s->bytes += d.text.size();
    }
    // A classifier learns a category from its training documents, and a test needs
    // documents it has not seen: one document is not enough to do either.
    std::vector<std::size_t> per(c.categories.size(), 0);
    for (const Document& d : c.train.docs) ++per[d.label];
    for (std::size_t k = 0; k < per.size(); ++k)
        LADDER_CHECK(per[k] >= 2, "{}: category '{}' has only {} document; each category needs at least 2 to learn "
                     "from (add documents or remove the category)", c.train.path.string(), c.categories[k], per[k]);
    return c;
}

}  // namespace ladder::ch02
