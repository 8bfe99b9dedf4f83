# One helper per kind of folder: ladder_add_op (kernels/<op>), ladder_add_chapter
# (chapters/chNN_x), ladder_add_exercises (exercises/chNN_x), ladder_add_test (tests).
# Every target links PRIVATE ladder_options and ladder_warnings; sources are listed.

set(CMAKE_RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/bin)

# ladder_simt_sources(<target> <file.cu>...)
# Compiles CUDA sources a second time as C++ against the SIMT emulator's shim: a
# one-line wrapper in the build tree #includes the .cu, so the same file can also be
# built by nvcc in the same directory without clashing source properties.
function(ladder_simt_sources target)
  foreach(cu IN LISTS ARGN)
    get_filename_component(abs ${cu} ABSOLUTE)
    get_filename_component(stem ${cu} NAME_WE)
    file(RELATIVE_PATH rel ${PROJECT_SOURCE_DIR} ${abs})
    string(MAKE_C_IDENTIFIER "${rel}" ident)
    set(wrapper ${PROJECT_BINARY_DIR}/simt_sources/${ident}.simt.cpp)
    file(CONFIGURE OUTPUT ${wrapper} CONTENT
      "// Generated: ${rel} compiled for the SIMT emulator (see core/simt).\n#include \"${abs}\"\n" @ONLY)
    target_sources(${target} PRIVATE ${wrapper})
    set_source_files_properties(${wrapper} TARGET_DIRECTORY ${target}
      PROPERTIES OBJECT_DEPENDS ${abs})
  endforeach()
endfunction()

# ladder_cuda_sources(<target> <file.cu>...): the real CUDA build, only with nvcc.
function(ladder_cuda_sources target)
  if(LADDER_WITH_CUDA)
    target_sources(${target} PRIVATE ${ARGN})
  endif()
endfunction()

# ladder_add_op(<name> CPU <cpu.cpp>... [CUDA <file.cu>...] [OTHER <file.cpp>...] CHAPTER chNN)
# An op folder: the CPU reference (xtensor), the CUDA versions (built for the
# emulator always and for the GPU when nvcc is found), and the registry entry
# <name>_op.cpp, which must define `void ladder::register_<name>(Registry&)`.
function(ladder_add_op name)
  cmake_parse_arguments(OP "" "CHAPTER" "CPU;CUDA;OTHER" ${ARGN})
  if(NOT OP_CHAPTER)
    message(FATAL_ERROR "ladder_add_op(${name}): CHAPTER is required")
  endif()
  set(lib ladder_op_${name})
  add_library(${lib} STATIC ${OP_CPU} ${OP_OTHER} ${name}_op.cpp)
  ladder_simt_sources(${lib} ${OP_CUDA})
  ladder_cuda_sources(${lib} ${OP_CUDA})
  target_link_libraries(${lib} PUBLIC ladder_registry ladder_core PRIVATE ladder_options ladder_warnings xtensor xtensor-blas)
  set_property(GLOBAL APPEND PROPERTY LADDER_OPS ${name})
  set_property(GLOBAL APPEND PROPERTY LADDER_OP_CHAPTERS "${name}:${OP_CHAPTER}")
endfunction()

# ladder_add_chapter(<chNN> SOURCES <file>... [LIBS <target>...])
# The chapter's program, built as bin/<chNN>; `./ladder run chNN` runs it.
function(ladder_add_chapter ch)
  cmake_parse_arguments(CH "" "" "SOURCES;LIBS" ${ARGN})
  add_executable(${ch} ${CH_SOURCES})
  target_link_libraries(${ch} PRIVATE ladder_kernels ladder_core ${CH_LIBS} ladder_options ladder_warnings)
endfunction()

# ladder_add_test(<name> SOURCES <file>... [LIBS <target>...] [LABELS <label>...])
# A Catch2 test executable; each TEST_CASE becomes a ctest test. A test that
# prints "SKIPPED:" (e.g. no CUDA device) is reported as skipped, never passed.
function(ladder_add_test name)
  cmake_parse_arguments(T "" "" "SOURCES;LIBS;LABELS" ${ARGN})
  add_executable(${name} ${T_SOURCES})
  target_link_libraries(${name} PRIVATE ladder_catch_main ${T_LIBS} ladder_core ladder_options ladder_warnings)
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/tests)
  set_property(GLOBAL APPEND PROPERTY LADDER_TEST_TARGETS ${name})
  foreach(label IN LISTS T_LABELS)
    set_property(GLOBAL APPEND PROPERTY LADDER_TEST_TARGETS_${label} ${name})
  endforeach()
  catch_discover_tests(${name}
    TEST_PREFIX "${name}: "
    PROPERTIES SKIP_REGULAR_EXPRESSION "SKIPPED:" LABELS "${T_LABELS}")
endfunction()

# ladder_add_exercises(<chNN> TEST <test.cpp>)
# Reads exercises.txt (lines "exN.M  <file>  <title>") and builds two executables from
# the same tests: <chNN>_exercises from your files (what `./ladder exercise` runs) and
# <chNN>_exercises_solutions from solutions/. ctest checks both directions: every test
# passes on the solutions, and every untouched stub fails its own exercise's test
# (skipped once you have edited the stub).
function(ladder_add_exercises ch)
  cmake_parse_arguments(EX "" "TEST" "" ${ARGN})
  file(STRINGS ${CMAKE_CURRENT_SOURCE_DIR}/exercises.txt lines REGEX "^ex")
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS exercises.txt)
  set(ids "")
  set(files "")
  foreach(line IN LISTS lines)
    string(REGEX MATCH "^(ex[0-9]+\\.[0-9]+)[ \t]+([^ \t]+)" _ "${line}")
    list(APPEND ids ${CMAKE_MATCH_1})
    list(APPEND files ${CMAKE_MATCH_2})
  endforeach()

  add_library(${ch}_exercise_tests OBJECT ${EX_TEST})
  target_link_libraries(${ch}_exercise_tests PUBLIC Catch2::Catch2 ladder_kernels PRIVATE ladder_options ladder_warnings)

  foreach(kind IN ITEMS exercises exercises_solutions)
    set(exe ${ch}_${kind})
    add_executable(${exe} $<TARGET_OBJECTS:${ch}_exercise_tests>)
    set_target_properties(${exe} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/exercises)
    target_link_libraries(${exe} PRIVATE ladder_catch_main ladder_kernels ladder_options ladder_warnings)
    # An untouched stub declares a kernel it does not launch yet.
    target_compile_options(${exe} PRIVATE $<$<COMPILE_LANGUAGE:CXX>:-Wno-unused-function>
                                          $<$<COMPILE_LANGUAGE:CUDA>:-diag-suppress=177>)
    foreach(f IN LISTS files)
      if(kind STREQUAL "exercises_solutions")
        set(src ${CMAKE_CURRENT_SOURCE_DIR}/solutions/${f})
      else()
        set(src ${CMAKE_CURRENT_SOURCE_DIR}/${f})
      endif()
      if(f MATCHES "\\.cu$")
        ladder_simt_sources(${exe} ${src})
        ladder_cuda_sources(${exe} ${src})
      else()
        target_sources(${exe} PRIVATE ${src})
      endif()
    endforeach()
  endforeach()

  if(LADDER_TESTS)
    catch_discover_tests(${ch}_exercises_solutions TEST_PREFIX "${ch} solutions: "
      PROPERTIES SKIP_REGULAR_EXPRESSION "SKIPPED:" LABELS "exercises")
    if(LADDER_EXERCISE_CHECK)
      foreach(id file IN ZIP_LISTS ids files)
        add_test(NAME "${ch} stub fails: ${id}"
          COMMAND ${CMAKE_COMMAND} -DEXE=$<TARGET_FILE:${ch}_exercises> -DTAG=${id}
                  -DSTUB=${CMAKE_CURRENT_SOURCE_DIR}/${file} -DSOURCE_DIR=${PROJECT_SOURCE_DIR}
                  -P ${PROJECT_SOURCE_DIR}/cmake/check_stub_fails.cmake)
        set_tests_properties("${ch} stub fails: ${id}" PROPERTIES
          SKIP_REGULAR_EXPRESSION "SKIPPED:" LABELS "exercises")
      endforeach()
    endif()
  endif()
endfunction()
