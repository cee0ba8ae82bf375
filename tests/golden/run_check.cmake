# Runs every `; RUN: effnetc ARGS | FileCheck %s [FILECHECK ARGS]` line of CHECK_FILE, with
# `effnetc` and `FileCheck` replaced by the EFFNETC and FILECHECK paths; fails on the first
# failing line, printing it.
cmake_minimum_required(VERSION 3.22)  # list() keeps the empty FileCheck-arguments element
file(STRINGS ${CHECK_FILE} run_lines REGEX "^; RUN: ")
if(NOT run_lines)
  message(FATAL_ERROR "${CHECK_FILE}: no '; RUN:' lines")
endif()
foreach(line IN LISTS run_lines)
  string(REGEX REPLACE "^; RUN: effnetc (.*) \\| FileCheck %s(.*)$" "\\1;\\2" parts "${line}")
  list(LENGTH parts n)
  if(NOT n EQUAL 2)
    message(FATAL_ERROR "${CHECK_FILE}: cannot read '${line}' (expected '; RUN: effnetc ARGS | FileCheck %s ...')")
  endif()
  list(GET parts 0 effnetc_args)
  list(GET parts 1 filecheck_args)
  separate_arguments(effnetc_args UNIX_COMMAND "${effnetc_args}")
  separate_arguments(filecheck_args UNIX_COMMAND "${filecheck_args}")
  execute_process(COMMAND ${EFFNETC} ${effnetc_args}
                  COMMAND ${FILECHECK} ${CHECK_FILE} ${filecheck_args}
                  RESULTS_VARIABLE results)
  foreach(r IN LISTS results)
    if(NOT r EQUAL 0)
      message(FATAL_ERROR "failed (exit codes ${results}): ${line}")
    endif()
  endforeach()
endforeach()
