# `effnetc compile VARIANT --random-weights 1 --target cuda EXTRA -o OUT`, then tests/gpu/cuda_check.c linked
# against it with plain cc into OUT/cuda_check (and copied to COPY_TO if given). DROP_WEIGHTS removes the
# --external-weights file afterwards (gpu_prepare writes the same blob where the check runs).
# Usage: cmake -DEFFNETC=... -DCC=cc -DVARIANT=b0 -DSOURCE=cuda_check.c -DOUT=dir [-DEXTRA=--external-weights]
#              [-DCOPY_TO=file] [-DDROP_WEIGHTS=1] -P build_cuda_check.cmake
foreach(var EFFNETC CC VARIANT SOURCE OUT)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "build_cuda_check.cmake: -D${var}=... is required")
  endif()
endforeach()
set(lib efficientnet_${VARIANT})
string(TOUPPER ${lib} upper)
file(REMOVE_RECURSE "${OUT}")
execute_process(COMMAND "${EFFNETC}" compile ${VARIANT} --random-weights 1 --target cuda ${EXTRA} -o "${OUT}"
                RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "effnetc compile ${VARIANT} --target cuda failed (${rc})")
endif()
execute_process(COMMAND "${CC}" -O2 -Wall -std=gnu11 -DEFFNET_LIB=${lib} -DEFFNET_LIB_UPPER=${upper} "${SOURCE}"
                        -I "${OUT}" -L "${OUT}" -l${lib} -lpthread -ldl -lm -o "${OUT}/cuda_check"
                RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "cc ${SOURCE} against ${OUT}/lib${lib}.a failed (${rc})")
endif()
if(DROP_WEIGHTS)
  file(REMOVE "${OUT}/${lib}.weights")
endif()
if(DEFINED COPY_TO)
  get_filename_component(dir "${COPY_TO}" DIRECTORY)
  file(MAKE_DIRECTORY "${dir}")
  file(COPY_FILE "${OUT}/cuda_check" "${COPY_TO}")
endif()
message(STATUS "${OUT}/cuda_check: linked against lib${lib}.a (cuda)")
