# cmake -DIN=file -DOUT=file.cpp -DSYMBOL=name -P embed_bytes.cmake: writes OUT defining
# `extern const unsigned char SYMBOL[]` and `extern const unsigned long SYMBOL_size` (namespace
# codegen) with the bytes of IN.
file(READ ${IN} hex HEX)
string(LENGTH "${hex}" digits)
math(EXPR size "${digits} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
string(REGEX REPLACE "((0x..,){16})" "\\1\n  " bytes "${bytes}")
file(WRITE ${OUT} "// Generated from ${IN} by cmake/embed_bytes.cmake.\nnamespace codegen {\n"
     "extern const unsigned char ${SYMBOL}[] = {\n  ${bytes}\n};\n"
     "extern const unsigned long ${SYMBOL}_size = ${size};\n}  // namespace codegen\n")
