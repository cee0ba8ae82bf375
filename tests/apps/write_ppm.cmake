# Writes test images for the classify app into DIR: tiny.ppm (37x23, a colour gradient, with a header
# comment), tall.ppm (19x41) and truncated.ppm (its header promises more pixels than it holds). Sample
# values are kept in printable ASCII so plain file(WRITE) writes the bytes as they are.
# Usage: cmake -DDIR=dir -P write_ppm.cmake
if(NOT DEFINED DIR)
  message(FATAL_ERROR "write_ppm.cmake: -DDIR=... is required")
endif()

function(ppm_pixels width height out)
  set(data "")
  math(EXPR last_y "${height} - 1")
  math(EXPR last_x "${width} - 1")
  foreach(y RANGE ${last_y})
    foreach(x RANGE ${last_x})
      math(EXPR r "40 + (${x} * 80) / ${width}")
      math(EXPR g "40 + (${y} * 80) / ${height}")
      math(EXPR b "40 + ((${x} + ${y}) * 7) % 80")
      string(ASCII ${r} ${g} ${b} pixel)
      string(APPEND data "${pixel}")
    endforeach()
  endforeach()
  set(${out} "${data}" PARENT_SCOPE)
endfunction()

file(MAKE_DIRECTORY "${DIR}")
ppm_pixels(37 23 pixels)
file(WRITE "${DIR}/tiny.ppm" "P6\n# tiny test image\n37 23\n255\n${pixels}")
ppm_pixels(19 41 pixels)
file(WRITE "${DIR}/tall.ppm" "P6 19 41 255\n${pixels}")
string(SUBSTRING "${pixels}" 0 100 part)
file(WRITE "${DIR}/truncated.ppm" "P6\n19 41\n255\n${part}")
