// The generated libraries' thread pool (task_pool.c) for code in this process: the tuner's
// timing child runs candidates on it, so they are timed as the libraries will run them.
#pragma once

#include <cstdint>

extern "C" {
// Starts the workers once: HL_NUM_THREADS threads in all, else one per online CPU.
void effnetc_task_pool_start(void);
// Runs task(user_context, i, closure) for i in [min, min + extent); see task_pool.c.
int effnetc_task_pool_par_for(void* user_context, int (*task)(void*, int, uint8_t*), int min, int extent,
                              uint8_t* closure);
}
