# Third-party libraries, all from Debian packages (`./ladder setup` installs them).
find_package(Threads REQUIRED)
find_package(xtensor REQUIRED)
find_package(xtensor-blas REQUIRED)
find_package(fmt REQUIRED)
find_package(nlohmann_json 3.10 REQUIRED)
find_package(CLI11 REQUIRED)
find_package(Boost 1.74 REQUIRED COMPONENTS context)
find_package(PkgConfig REQUIRED)
pkg_check_modules(UTF8PROC REQUIRED IMPORTED_TARGET libutf8proc)
find_package(BLAS REQUIRED)
if(LADDER_TESTS)
  find_package(Catch2 2.13 REQUIRED)
endif()

# Options and warnings as INTERFACE targets, linked PRIVATE by every target we build.
add_library(ladder_options INTERFACE)
target_compile_features(ladder_options INTERFACE cxx_std_20)
target_include_directories(ladder_options INTERFACE ${PROJECT_SOURCE_DIR})
# Let the CPU references' loops become vector instructions, without changing a single result:
# sqrt need not set errno and floating-point operations need not trap (nothing here reads
# errno or FP exception flags), so a loop with a square root (AdamW) or a select (tanh_fast)
# vectorises; and -O2's "very cheap" cost model, which refuses any loop that needs a scalar
# remainder, becomes "cheap". No reassociation (-ffast-math) is allowed: sums keep their order.
target_compile_options(ladder_options INTERFACE
  $<$<COMPILE_LANGUAGE:CXX>:-fno-math-errno -fno-trapping-math -fvect-cost-model=cheap>)

add_library(ladder_warnings INTERFACE)
target_compile_options(ladder_warnings INTERFACE
  $<$<COMPILE_LANGUAGE:CXX>:-Wall -Wextra -Wpedantic -Wshadow -Wno-unused-parameter>
  $<$<COMPILE_LANGUAGE:CUDA>:-Xcompiler=-Wall>)
