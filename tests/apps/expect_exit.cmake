# Runs CMD ('|'-separated) and requires exit code RC and stdout+stderr matching REGEX (where the two
# characters \n stand for a newline, so the test's command line stays on one line).
# Usage: cmake "-DCMD=prog|arg|..." -DRC=2 "-DREGEX=..." -P expect_exit.cmake
foreach(var CMD RC REGEX)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "expect_exit.cmake: -D${var}=... is required")
  endif()
endforeach()
string(REPLACE "|" ";" cmd "${CMD}")
string(REPLACE "\\n" "\n" regex "${REGEX}")
execute_process(COMMAND ${cmd} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
message("${out}${err}")
if(NOT rc STREQUAL "${RC}")
  message(FATAL_ERROR "expected exit code ${RC}, got ${rc}")
endif()
if(NOT "${out}${err}" MATCHES "${regex}")
  message(FATAL_ERROR "output does not match: ${REGEX}")
endif()
