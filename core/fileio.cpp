// fileio.cpp: read_file and write_file_atomic.
#include "core/fileio.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <unistd.h>

#include "core/error.hpp"

namespace ladder {

std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    LADDER_CHECK(in, "cannot open {}: {}", path.string(), std::strerror(errno));
    std::ostringstream s;
    s << in.rdbuf();
    LADDER_CHECK(in || in.eof(), "reading {} failed", path.string());
    return std::move(s).str();
}

void write_file_atomic(const std::filesystem::path& path, const std::function<void(std::ostream&)>& write) {
    const std::filesystem::path tmp = path.string() + ".tmp" + std::to_string(::getpid());
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        LADDER_CHECK(out, "cannot write {}: {}", tmp.string(), std::strerror(errno));
        write(out);
        out.flush();
        if (!out) {
            out.close();
            std::error_code ec;
            std::filesystem::remove(tmp, ec);
            LADDER_THROW("writing {} failed (disk full?)", path.string());
        }
    }
    std::error_code ec;
    std::filesystem::rename(tmp, path, ec);
    LADDER_CHECK(!ec, "cannot rename {} to {}: {}", tmp.string(), path.string(), ec.message());
}

void write_file_atomic(const std::filesystem::path& path, const std::string& text) {
    write_file_atomic(path, [&](std::ostream& out) { out.write(text.data(), static_cast<std::streamsize>(text.size())); });
}

}  // namespace ladder
