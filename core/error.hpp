// error.hpp: the project's one error type, with the file:line that raised it.
// LADDER_CHECK(cond, "fmt {}", args...) throws ladder::Error when cond is false.
// Introduced in ch01; every later chapter reports bad input through it.
#pragma once

#include <stdexcept>
#include <string>

namespace ladder {

// Every failure the project reports: bad input, a failed CUDA call, a kernel the
// emulator caught misbehaving. what() reads "file:line: message".
class Error : public std::runtime_error {
public:
    Error(const char* file, int line, const std::string& message);
    const std::string& message() const { return message_; }
    const char* file() const { return file_; }
    int line() const { return line_; }

private:
    std::string message_;
    const char* file_;
    int line_;
};

// Thrown by an exercise stub until the learner writes it: "exercise 1.2: matmul_naive".
class NotImplemented : public std::logic_error {
public:
    explicit NotImplemented(const std::string& what)
        : std::logic_error("not implemented yet: " + what) {}
};

[[noreturn]] void throw_error(const char* file, int line, const std::string& message);

}  // namespace ladder

// Throws ladder::Error at this file:line with a message built by fmt::format.
#define LADDER_THROW(...) ::ladder::throw_error(__FILE__, __LINE__, ::fmt::format(__VA_ARGS__))

// LADDER_CHECK(a.size() == b.size(), "shapes differ: {} vs {}", a.size(), b.size());
#define LADDER_CHECK(cond, ...)                                                        \
    do {                                                                               \
        if (!(cond)) [[unlikely]]                                                      \
            ::ladder::throw_error(__FILE__, __LINE__, ::fmt::format(__VA_ARGS__));     \
    } while (0)

#if !defined(__CUDACC__)
#include <fmt/format.h>
#include <fmt/ranges.h>
#endif
