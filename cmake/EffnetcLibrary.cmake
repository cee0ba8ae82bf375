# effnetc_add_library(NAME <target> VARIANT <b0..b7|spec.json> [TARGET x86-64-linux[-avx2|-avx512]]
#                     (WEIGHTS file.safetensors | RANDOM_WEIGHTS seed) [OUTPUT_DIR dir] [EXTRA_ARGS ...])
# Adds a build rule running `effnetc compile` (re-run when effnetc, the weights or the spec change) and an
# IMPORTED STATIC library <target> (include dir = OUTPUT_DIR, links pthread dl m) that depends on it, so an
# app links a generated library with target_link_libraries(app PRIVATE <target>); that also defines
# EFFNET_LIB / EFFNET_LIB_UPPER (apps/common/model_api.h). effnetc: the `effnetc` target, else EFFNETC_EXECUTABLE.
set(EFFNETC_EXECUTABLE "" CACHE FILEPATH "effnetc used by effnetc_add_library when this build has no effnetc target")

# The generated library's name, as effnetc derives it (frontend/spec.cpp, frontend/spec_json.cpp).
function(_effnetc_library_name variant spec_file out)
  if(variant MATCHES "^(efficientnet_)?(b[0-7])$")
    set(${out} "efficientnet_${CMAKE_MATCH_2}" PARENT_SCOPE)
    return()
  endif()
  if(NOT EXISTS "${spec_file}")
    message(FATAL_ERROR "effnetc_add_library: VARIANT '${variant}' is neither b0..b7 nor an existing spec file")
  endif()
  file(READ "${spec_file}" json)
  string(JSON name ERROR_VARIABLE no_name GET "${json}" name)
  if(no_name)
    get_filename_component(stem "${spec_file}" NAME_WLE)
    string(TOLOWER "${stem}" stem)
    string(SUBSTRING "${stem}" 0 48 stem)
    string(REGEX REPLACE "[^a-z0-9]" "_" stem "${stem}")
    set(name "efficientnet_${stem}")
  endif()
  set(${out} "${name}" PARENT_SCOPE)
endfunction()

function(effnetc_add_library)
  cmake_parse_arguments(E "" "NAME;VARIANT;TARGET;WEIGHTS;RANDOM_WEIGHTS;OUTPUT_DIR" "EXTRA_ARGS" ${ARGN})
  if(E_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "effnetc_add_library: unexpected arguments: ${E_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT E_NAME OR NOT E_VARIANT)
    message(FATAL_ERROR "effnetc_add_library: NAME and VARIANT are required")
  endif()
  if(DEFINED E_WEIGHTS AND DEFINED E_RANDOM_WEIGHTS OR NOT DEFINED E_WEIGHTS AND NOT DEFINED E_RANDOM_WEIGHTS)
    message(FATAL_ERROR "effnetc_add_library(${E_NAME}): give exactly one of WEIGHTS and RANDOM_WEIGHTS")
  endif()
  if(NOT E_TARGET)
    set(E_TARGET x86-64-linux)
  endif()
  if(NOT E_OUTPUT_DIR)
    set(E_OUTPUT_DIR "${CMAKE_CURRENT_BINARY_DIR}/${E_NAME}")
  endif()
  get_filename_component(out_dir "${E_OUTPUT_DIR}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_BINARY_DIR}")

  if(TARGET effnetc)
    set(effnetc_bin "$<TARGET_FILE:effnetc>")
    set(effnetc_dep effnetc)
  elseif(EFFNETC_EXECUTABLE)
    set(effnetc_bin "${EFFNETC_EXECUTABLE}")
    set(effnetc_dep "${EFFNETC_EXECUTABLE}")
  else()
    message(FATAL_ERROR "effnetc_add_library: no effnetc target in this build; set EFFNETC_EXECUTABLE")
  endif()

  set(variant_arg "${E_VARIANT}")
  set(depends ${effnetc_dep})
  if(NOT E_VARIANT MATCHES "^(efficientnet_)?b[0-7]$")
    get_filename_component(variant_arg "${E_VARIANT}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
    list(APPEND depends "${variant_arg}")
  endif()
  _effnetc_library_name("${E_VARIANT}" "${variant_arg}" lib)

  if(DEFINED E_WEIGHTS)
    get_filename_component(weights "${E_WEIGHTS}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
    set(weights_args --weights "${weights}")
    list(APPEND depends "${weights}")
  else()
    set(weights_args --random-weights ${E_RANDOM_WEIGHTS})
  endif()

  set(archive "${out_dir}/lib${lib}.a")
  add_custom_command(
    OUTPUT "${archive}" "${out_dir}/${lib}.h" "${out_dir}/manifest.json"
    COMMAND ${effnetc_bin} compile "${variant_arg}" ${weights_args} --target ${E_TARGET} -o "${out_dir}" ${E_EXTRA_ARGS}
    DEPENDS ${depends}
    COMMENT "effnetc compile ${E_VARIANT} (${E_TARGET}) -> ${out_dir}"
    VERBATIM)
  add_custom_target(${E_NAME}_compile DEPENDS "${archive}")

  # An imported target's include directory must exist when the build system is generated.
  file(MAKE_DIRECTORY "${out_dir}")
  add_library(${E_NAME} STATIC IMPORTED GLOBAL)
  string(TOUPPER "${lib}" lib_upper)
  set_target_properties(${E_NAME} PROPERTIES
    IMPORTED_LOCATION "${archive}"
    INTERFACE_INCLUDE_DIRECTORIES "${out_dir}"
    INTERFACE_LINK_LIBRARIES "pthread;dl;m"
    INTERFACE_COMPILE_DEFINITIONS "EFFNET_LIB=${lib};EFFNET_LIB_UPPER=${lib_upper}")
  add_dependencies(${E_NAME} ${E_NAME}_compile)
endfunction()
