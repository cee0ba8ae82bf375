# The reference path of the gpu tests, checked on the CPU: gpu_prepare's random weights (torchvision
# names) and input through torchvision (tools/gpu/torch_reference.py logits, float64) must give the
# oracle's logits within the project tolerance (torch_reference.py compare).
# Usage: cmake -DPREPARE=gpu_prepare -DPYTHON=python3 -DSCRIPT=torch_reference.py -DVARIANT=b0 -DOUT=dir -P ...
foreach(var PREPARE PYTHON SCRIPT VARIANT OUT)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "reference_chain.cmake: -D${var}=... is required")
  endif()
endforeach()
function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    list(JOIN ARGN " " cmd)
    message(FATAL_ERROR "failed (${rc}): ${cmd}")
  endif()
endfunction()
run("${PREPARE}" ${VARIANT} --seed 1 --batch 2 --oracle --out "${OUT}")
run("${PYTHON}" "${SCRIPT}" logits --variant ${VARIANT} --weights "${OUT}/weights.safetensors"
    --input "${OUT}/input.bin" --batch 2 --out "${OUT}/torch_logits.bin")
run("${PYTHON}" "${SCRIPT}" compare "${OUT}/torch_logits.bin" "${OUT}/oracle_logits.bin" --classes 1000)
