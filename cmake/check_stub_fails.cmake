# check_stub_fails.cmake: an exercise test must be able to fail. Runs the exercise
# executable built from the untouched stubs on one tag and requires a failure that names
# the exercise. Skipped once the learner has edited the stub (git says it differs).
# cmake -DEXE=... -DTAG=ex1.1 -DSTUB=<file> -DSOURCE_DIR=<repo> -P check_stub_fails.cmake
find_program(GIT git)
if(GIT AND EXISTS ${SOURCE_DIR}/.git)
  execute_process(COMMAND ${GIT} -C ${SOURCE_DIR} diff --quiet HEAD -- ${STUB}
                  RESULT_VARIABLE edited OUTPUT_QUIET ERROR_QUIET)
  if(NOT edited EQUAL 0)
    message("SKIPPED: ${STUB} differs from the committed stub (you are working on it)")
    return()
  endif()
endif()
execute_process(COMMAND ${EXE} "[${TAG}]" RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(rc EQUAL 0)
  message(FATAL_ERROR "the untouched stub for ${TAG} passes its test: that test cannot fail\n${out}")
endif()
string(REPLACE "." "\\." tag_re "${TAG}")
if(NOT "${out}${err}" MATCHES "${tag_re}|exercise ${TAG}")
  message(FATAL_ERROR "the stub for ${TAG} failed, but without naming the exercise (a crash?):\n${out}${err}")
endif()
message("ok: the untouched stub for ${TAG} fails its test, as it must")
