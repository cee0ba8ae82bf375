# cmake -P script for the negative end-to-end test: scales one weight tensor (KEY by FACTOR)
# and requires `effnetc verify` to exit 1 and name BLOCK as the first failing block.
# Variables: PERTURB, EFFNETC, VARIANT, WEIGHTS, REFERENCE, PERTURBED, KEY, FACTOR, BLOCK.
execute_process(COMMAND ${PERTURB} ${WEIGHTS} ${PERTURBED} ${KEY} ${FACTOR} RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "perturb_weight failed (${rc})")
endif()
execute_process(COMMAND ${EFFNETC} verify ${VARIANT} --reference ${REFERENCE} --weights ${PERTURBED}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
message("${out}${err}")
if(NOT rc EQUAL 1)
  message(FATAL_ERROR "expected effnetc verify to exit 1 on perturbed weights, got ${rc}")
endif()
if(NOT out MATCHES "first failing block: ${BLOCK}\n")
  message(FATAL_ERROR "expected 'first failing block: ${BLOCK}'")
endif()
