# Runs the cc-linked classify app on a reference export's input with EFFNETC_ISA=ISA, writes --output, and
# requires `effnetc verify VARIANT --reference REFERENCE --outputs ...` to pass. Prints [SKIP] (mapped by
# SKIP_REGULAR_EXPRESSION) when the CPU lacks ISA.
# Usage: cmake -DEFFNETC=... -DCLASSIFY=... -DVARIANT=b0 -DREFERENCE=... -DISA=avx512 -DOUT=file -P this
foreach(var EFFNETC CLASSIFY VARIANT REFERENCE ISA OUT)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "classify_reference.cmake: -D${var}=... is required")
  endif()
endforeach()

set(flag ${ISA})
if(ISA STREQUAL "avx512")
  set(flag avx512f)
endif()
file(READ /proc/cpuinfo cpuinfo)
if(NOT cpuinfo MATCHES "[ \t]${flag}[ \n]")
  message("[SKIP] this CPU lacks ${flag}")
  return()
endif()

file(REMOVE "${OUT}")
execute_process(COMMAND ${CMAKE_COMMAND} -E env EFFNETC_ISA=${ISA}
                        "${CLASSIFY}" --input "${REFERENCE}" --output "${OUT}" RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "classify failed (${rc})")
endif()
execute_process(COMMAND "${EFFNETC}" verify ${VARIANT} --reference "${REFERENCE}" --outputs "${OUT}" RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "effnetc verify failed (${rc}): the app's logits on ${ISA} do not match torchvision")
endif()
