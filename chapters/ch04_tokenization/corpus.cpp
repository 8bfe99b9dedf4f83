// corpus.cpp: finds and reads the chapter's texts. Introduced in ch04.
#include "chapters/ch04_tokenization/corpus.hpp"

#include "core/error.hpp"
#include "core/fileio.hpp"

namespace ladder::tok {

std::vector<CorpusFile> load_corpus(const std::filesystem::path& data, bool quick) {
    std::vector<CorpusFile> out;
    auto add = [&](const std::string& name, const std::filesystem::path& rel, const std::string& how) {
        const auto path = data / rel;
        LADDER_CHECK(std::filesystem::exists(path), "{} is missing: {}", path.string(), how);
        out.push_back({name, path, read_file(path)});
    };
    if (quick) {
        for (const char* s : {"english", "korean", "code", "mixed"})
            add(s, std::filesystem::path("samples") / (std::string("ch04_") + s + ".txt"), "it ships with the sources");
    } else {
        add("kjv", "cache/kjv/kjv.txt", "run `./ladder data kjv` (or --quick for the small samples)");
        add("korean", "cache/debian_faq_ko/debian_faq_ko.txt",
            "run `./ladder data debian_faq_ko` (or --quick for the small samples)");
    }
    return out;
}

std::vector<CorpusFile> load_samples(const std::filesystem::path& data) {
    std::vector<CorpusFile> all = load_corpus(data, true);
    all.pop_back();   // the mixed sample is for the GPT-2 check
    return all;
}

std::string join(const std::vector<CorpusFile>& files) {
    std::string all;
    for (const auto& f : files) all += f.text;
    return all;
}

}  // namespace ladder::tok
