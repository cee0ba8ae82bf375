# ctest fixture step: `effnetc compile VARIANT --weights WEIGHTS --target TARGET [--db DB] [--caches CACHES]
# -o OUT` (TARGET: x86-64-linux unless given; skipped when OUT's archive is newer than effnetc, the weights and DB),
# then links the classify app with plain cc:
#   cc -std=c99 -O2 -DEFFNET_LIB=... SOURCE -I OUT -L OUT -lefficientnet_<v> -lpthread -ldl -lm -o OUT/classify
# Usage: cmake -DEFFNETC=... -DCC=... -DSOURCE=... -DVARIANT=b0 -DWEIGHTS=... -DOUT=dir [-DDB=tuned.json|dir]
#              [-DTARGET=x86-64-linux-avx2] [-DCACHES=512K,8M] -P this
foreach(var EFFNETC CC SOURCE VARIANT WEIGHTS OUT)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "compile_reference_library.cmake: -D${var}=... is required")
  endif()
endforeach()

if(NOT DEFINED TARGET)
  set(TARGET x86-64-linux)
endif()
set(lib efficientnet_${VARIANT})
set(archive "${OUT}/lib${lib}.a")
set(compile_args "")
if(DEFINED CACHES)
  set(compile_args --caches ${CACHES})
endif()
set(db_newer FALSE)
if(DEFINED DB)
  list(APPEND compile_args --db "${DB}")
  set(db_files "${DB}")
  if(IS_DIRECTORY "${DB}")  # a database rewritten in place need not touch its directory
    file(GLOB db_files "${DB}/*.json")
  endif()
  foreach(f IN LISTS db_files)
    if("${f}" IS_NEWER_THAN "${archive}")
      set(db_newer TRUE)
    endif()
  endforeach()
endif()
if(EXISTS "${archive}" AND NOT "${EFFNETC}" IS_NEWER_THAN "${archive}" AND NOT "${WEIGHTS}" IS_NEWER_THAN "${archive}"
   AND NOT db_newer)
  message(STATUS "${archive} is up to date")
else()
  file(REMOVE_RECURSE "${OUT}")
  execute_process(COMMAND "${EFFNETC}" compile ${VARIANT} --weights "${WEIGHTS}" --target ${TARGET} ${compile_args}
                          -o "${OUT}"
                  RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    file(REMOVE_RECURSE "${OUT}")
    message(FATAL_ERROR "effnetc compile failed (${rc})")
  endif()
endif()

# A database tuned on another CPU or effnetc version (or a directory without one for this CPU) is
# ignored by compile (defaults, with a warning).
if(DEFINED DB)
  file(READ "${OUT}/manifest.json" manifest)
  string(JSON used ERROR_VARIABLE no_db GET "${manifest}" tuned_db used)
  if(NOT used STREQUAL "ON" AND NOT used STREQUAL "true")
    message(STATUS "[SKIP] ${DB} has no database for this machine: the library has the default schedules")
  endif()
endif()

string(TOUPPER "${lib}" upper)
set(link "${CC}" -std=c99 -O2 -Wall -DEFFNET_LIB=${lib} -DEFFNET_LIB_UPPER=${upper} "${SOURCE}" -I "${OUT}" -L "${OUT}"
    -l${lib} -lpthread -ldl -lm -o "${OUT}/classify")
list(JOIN link " " shown)
message(STATUS "${shown}")
execute_process(COMMAND ${link} RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "linking the classify app failed (${rc})")
endif()
