# ctest fixture step: runs tools/reference/export_reference.py into OUT unless OUT already holds an
# export made by the same exporter script (OUT/exporter.sha256). Exports into a fresh temporary
# sibling directory and renames it into place, so an interrupted export is never taken as done.
# Usage: cmake -DPYTHON=... -DSCRIPT=... -DVARIANT=b0 -DSEED=1 -DBATCH=2 -DOUT=dir -P export_cached.cmake
foreach(var PYTHON SCRIPT VARIANT SEED BATCH OUT)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "export_cached.cmake: -D${var}=... is required")
  endif()
endforeach()

file(SHA256 "${SCRIPT}" script_hash)
set(stamp "${script_hash} ${VARIANT} seed ${SEED} batch ${BATCH}")
if(EXISTS "${OUT}/exporter.sha256")
  file(READ "${OUT}/exporter.sha256" cached_stamp)
  if(cached_stamp STREQUAL stamp AND EXISTS "${OUT}/weights.safetensors" AND EXISTS "${OUT}/reference.safetensors")
    message(STATUS "reference ${VARIANT} seed ${SEED}: cached in ${OUT}")
    return()
  endif()
  message(STATUS "reference ${VARIANT} seed ${SEED}: exporter or arguments changed, exporting again")
endif()

string(RANDOM LENGTH 8 suffix)
set(tmp "${OUT}.tmp-${suffix}")
file(REMOVE_RECURSE "${tmp}")
execute_process(
  COMMAND "${PYTHON}" "${SCRIPT}" --variant ${VARIANT} --seed ${SEED} --batch ${BATCH} --out "${tmp}"
  RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  file(REMOVE_RECURSE "${tmp}")
  message(FATAL_ERROR "reference ${VARIANT} seed ${SEED}: exporter failed (${rc})")
endif()
file(WRITE "${tmp}/exporter.sha256" "${stamp}")
file(REMOVE_RECURSE "${OUT}")
file(RENAME "${tmp}" "${OUT}")
message(STATUS "reference ${VARIANT} seed ${SEED}: exported to ${OUT}")
