/* Binds the generic names used by the apps (en_model, EN_FN(run), EN_MACRO(RESOLUTION), ...) to one
 * generated library's C API, chosen when the app is compiled, so one source serves every variant:
 *   cc -DEFFNET_LIB=efficientnet_b3 -DEFFNET_LIB_UPPER=EFFICIENTNET_B3 ... -lefficientnet_b3
 * Without them: efficientnet_b0. The library's header is found on the include path (-I DIR). */
#ifndef EFFNETC_APPS_MODEL_API_H
#define EFFNETC_APPS_MODEL_API_H

#ifndef EFFNET_LIB
#define EFFNET_LIB efficientnet_b0
#define EFFNET_LIB_UPPER EFFICIENTNET_B0
#endif
#ifndef EFFNET_LIB_UPPER
#error "define EFFNET_LIB_UPPER as EFFNET_LIB in upper case, e.g. -DEFFNET_LIB_UPPER=EFFICIENTNET_B3"
#endif

#define EN_PASTE2(a, b) a##b
#define EN_PASTE(a, b) EN_PASTE2(a, b)
#define EN_STR2(x) #x
#define EN_STR(x) EN_STR2(x)

#include EN_STR(EFFNET_LIB.h)

typedef EFFNET_LIB en_model;
#define EN_FN(name) EN_PASTE(EFFNET_LIB, _##name)          /* EN_FN(run) -> efficientnet_b0_run */
#define EN_MACRO(name) EN_PASTE(EFFNET_LIB_UPPER, _##name) /* EN_MACRO(CLASSES) -> EFFICIENTNET_B0_CLASSES */
#define EN_NAME EN_STR(EFFNET_LIB)

#endif
