// symbols.cpp: the name of the function at an address, read from the program's ELF symbol
// table (kernels are `static`, so dladdr, which sees only exported symbols, cannot name them).
// Used for error reports only. Introduced in ch01 (the SIMT emulator).
#include <cxxabi.h>
#include <elf.h>
#include <fcntl.h>
#include <link.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

#include "core/simt/internal.hpp"

namespace ladder::simt::detail {

namespace {

struct ObjectHit {
    std::uintptr_t address = 0;
    std::uintptr_t bias = 0;
    const char* path = nullptr;
};

// dl_iterate_phdr visits every loaded object; we want the one whose segments hold `address`.
int find_object(dl_phdr_info* info, std::size_t, void* data) {
    auto* hit = static_cast<ObjectHit*>(data);
    for (int i = 0; i < info->dlpi_phnum; ++i) {
        const auto& ph = info->dlpi_phdr[i];
        if (ph.p_type != PT_LOAD) continue;
        const std::uintptr_t begin = info->dlpi_addr + ph.p_vaddr;
        if (hit->address >= begin && hit->address < begin + ph.p_memsz) {
            hit->bias = info->dlpi_addr;
            hit->path = info->dlpi_name && info->dlpi_name[0] ? info->dlpi_name : "/proc/self/exe";
            return 1;
        }
    }
    return 0;
}

// Copies the mangled name of the function symbol covering `address` into out.
bool lookup(const char* path, std::uintptr_t bias, std::uintptr_t address, char* out, std::size_t capacity) {
    const int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    struct stat st {};
    bool found = false;
    if (fstat(fd, &st) == 0 && st.st_size > static_cast<off_t>(sizeof(Elf64_Ehdr))) {
        const auto size = static_cast<std::size_t>(st.st_size);
        void* m = mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (m != MAP_FAILED) {
            const auto* base = static_cast<const unsigned char*>(m);
            const auto* eh = reinterpret_cast<const Elf64_Ehdr*>(base);
            if (std::memcmp(eh->e_ident, ELFMAG, SELFMAG) == 0 && eh->e_ident[EI_CLASS] == ELFCLASS64 &&
                eh->e_shoff + static_cast<std::size_t>(eh->e_shnum) * sizeof(Elf64_Shdr) <= size) {
                const auto* sh = reinterpret_cast<const Elf64_Shdr*>(base + eh->e_shoff);
                // Prefer the full table (.symtab, has static functions); .dynsym if stripped.
                for (unsigned want : {static_cast<unsigned>(SHT_SYMTAB), static_cast<unsigned>(SHT_DYNSYM)}) {
                    for (unsigned s = 0; s < eh->e_shnum && !found; ++s) {
                        if (sh[s].sh_type != want || sh[s].sh_link >= eh->e_shnum) continue;
                        const Elf64_Shdr& strtab = sh[sh[s].sh_link];
                        if (sh[s].sh_offset + sh[s].sh_size > size || strtab.sh_offset + strtab.sh_size > size) continue;
                        const auto* syms = reinterpret_cast<const Elf64_Sym*>(base + sh[s].sh_offset);
                        const std::size_t count = sh[s].sh_size / sizeof(Elf64_Sym);
                        for (std::size_t k = 0; k < count; ++k) {
                            const Elf64_Sym& y = syms[k];
                            if (ELF64_ST_TYPE(y.st_info) != STT_FUNC || y.st_value == 0) continue;
                            const std::uintptr_t begin = bias + y.st_value;
                            if (address < begin || address >= begin + std::max<std::uint64_t>(y.st_size, 1)) continue;
                            if (y.st_name >= strtab.sh_size) continue;
                            const char* name = reinterpret_cast<const char*>(base + strtab.sh_offset + y.st_name);
                            std::snprintf(out, capacity, "%s", name);
                            found = true;
                            break;
                        }
                    }
                    if (found) break;
                }
            }
            munmap(m, size);
        }
    }
    close(fd);
    return found;
}

// "(anonymous namespace)::tiled(float const*, float*, int)" -> "(anonymous namespace)::tiled".
void drop_parameters(char* name) {
    std::size_t n = std::strlen(name);
    if (n == 0 || name[n - 1] != ')') return;
    int depth = 0;
    for (std::size_t i = n; i-- > 0;) {
        if (name[i] == ')') ++depth;
        if (name[i] == '(' && --depth == 0) {
            name[i] = '\0';
            return;
        }
    }
}

}  // namespace

bool symbol_name(const void* address, char* out, std::size_t capacity, bool short_name) {
    if (capacity == 0) return false;
    ObjectHit hit;
    hit.address = reinterpret_cast<std::uintptr_t>(address);
    if (!dl_iterate_phdr(find_object, &hit)) return false;
    char mangled[1024];
    if (!lookup(hit.path, hit.bias, hit.address, mangled, sizeof mangled)) return false;
    int status = 0;
    char* demangled = abi::__cxa_demangle(mangled, nullptr, nullptr, &status);
    std::snprintf(out, capacity, "%s", status == 0 && demangled ? demangled : mangled);
    std::free(demangled);
    if (short_name) {
        drop_parameters(out);
        // Kernels of the emulator build live in ladder::simt (ladder::cuda under nvcc): the
        // namespace says nothing the reader needs.
        constexpr const char* prefix = "ladder::simt::";
        if (std::strncmp(out, prefix, std::strlen(prefix)) == 0)
            std::memmove(out, out + std::strlen(prefix), std::strlen(out) - std::strlen(prefix) + 1);
    }
    return true;
}

}  // namespace ladder::simt::detail
