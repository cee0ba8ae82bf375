/* task_pool.c with external names, for the C++ side (task_pool.h). */
#include "codegen/aot/task_pool.c"

void effnetc_task_pool_start(void) { pool_start(); }

int effnetc_task_pool_par_for(void *user_context, pool_task_fn task, int min, int extent, uint8_t *closure) {
  return pool_par_for(user_context, task, min, extent, closure);
}
