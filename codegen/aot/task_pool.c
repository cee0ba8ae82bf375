/* task_pool.c: the thread pool behind a generated x86 library's parallel loops. effnetc pastes
 * this file into every generated glue (all names static); tests/codegen/test_task_pool.c
 * includes it directly.
 *
 * Contract: pool_par_for(uc, f, min, extent, closure) runs f(uc, i, closure) exactly once for
 * every i in [min, min + extent) and returns 0 when all have finished. When a task returns a
 * nonzero code, pool_par_for returns such a code; tasks not yet started may then be skipped.
 * It has Halide's halide_do_par_for_t signature and is installed with
 * halide_set_custom_do_par_for. pool_start() starts the workers once per process: HL_NUM_THREADS
 * threads in all (the caller counts as one), else one per online CPU.
 *
 * Why not Halide's own pool: consecutive kernels split the same rows the same way, and Halide
 * hands tasks to whichever thread asks first, so half the rows a kernel reads were written by
 * the other core. Here a loop of n tasks is cut into one contiguous block per thread; thread t
 * starts on block t and then takes what is left of the others, so the split stays the same
 * from kernel to kernel unless a thread falls behind. Workers spin for SPIN_NS after their
 * last task before they sleep, which saves the wake-up between the ~100 loops of one run.
 * (b0 batch 1, 2 threads: 0.91x the time with Halide's pool; docs/MEASURED.md says how measured.)
 *
 * A loop started inside a task (nested) or while another thread's loop holds the pool runs
 * its tasks serially on the calling thread. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#define POOL_MAX_THREADS 64
#define POOL_SPIN_NS 2000000L

typedef int (*pool_task_fn)(void *user_context, int index, uint8_t *closure);

struct pool_block {
  _Alignas(64) atomic_int next;
  int end;
};

struct pool_loop {
  pool_task_fn f;
  void *user_context;
  uint8_t *closure;
  int min, extent, blocks;
  atomic_int finished, error;
  struct pool_block block[POOL_MAX_THREADS];
};

static struct {
  int threads;                    /* workers + the calling thread */
  struct pool_loop *_Atomic loop; /* the loop being run, NULL between loops */
  atomic_ulong generation;        /* bumped when a loop starts */
  atomic_int busy_workers;        /* workers that may still touch `loop` */
  atomic_int sleepers;
  pthread_mutex_t submit;         /* held by the thread whose loop runs on the pool */
  pthread_mutex_t sleep_lock;
  pthread_cond_t wake;
} pool = {1, NULL, 0, 0, 0, PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER};

static pthread_once_t pool_once = PTHREAD_ONCE_INIT;
static _Thread_local int pool_in_task;

static int pool_serial(void *uc, pool_task_fn f, int min, int extent, uint8_t *closure) {
  for (int i = min; i < min + extent; i++) {
    int rc = f(uc, i, closure);
    if (rc) return rc;
  }
  return 0;
}

/* Thread `self` runs its own block, then whatever is left of the others. It counts its tasks
 * into `finished` once, when no task is left to take: a shared counter bumped per task moved its
 * cache line (and the loop's fields beside it) between the cores on every task. */
static void pool_work(struct pool_loop *l, int self) {
  pool_in_task = 1;
  int done = 0;
  for (int k = 0; k < l->blocks; k++) {
    struct pool_block *b = &l->block[(self + k) % l->blocks];
    int i;
    while ((i = atomic_fetch_add(&b->next, 1)) < b->end) {
      int rc = l->f(l->user_context, l->min + i, l->closure);
      if (rc) atomic_store(&l->error, rc);
      done++;
    }
  }
  if (done) atomic_fetch_add(&l->finished, done);
  pool_in_task = 0;
}

static long pool_now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1000000000L + t.tv_nsec;
}

static void pool_pause(void) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

/* Waits for a generation after `seen`: spins for POOL_SPIN_NS, then sleeps. */
static unsigned long pool_wait(unsigned long seen) {
  long deadline = pool_now_ns() + POOL_SPIN_NS;
  for (int i = 1; atomic_load_explicit(&pool.generation, memory_order_relaxed) == seen; i++) {
    pool_pause();
    if (i % 256 == 0 && pool_now_ns() > deadline) {
      pthread_mutex_lock(&pool.sleep_lock);
      atomic_fetch_add(&pool.sleepers, 1);
      while (atomic_load(&pool.generation) == seen) pthread_cond_wait(&pool.wake, &pool.sleep_lock);
      atomic_fetch_sub(&pool.sleepers, 1);
      pthread_mutex_unlock(&pool.sleep_lock);
    }
  }
  return atomic_load(&pool.generation);
}

static void *pool_worker(void *arg) {
  int self = (int)(intptr_t)arg;
  unsigned long seen = atomic_load(&pool.generation);
  for (;;) {
    seen = pool_wait(seen);
    /* busy_workers before loop: pool_par_for clears loop, then waits for busy_workers == 0,
     * so a worker that still sees a loop is waited for. */
    atomic_fetch_add(&pool.busy_workers, 1);
    struct pool_loop *l = atomic_load(&pool.loop);
    if (l) pool_work(l, self);
    atomic_fetch_sub(&pool.busy_workers, 1);
  }
  return NULL;
}

static void pool_start_once(void) {
  const char *env = getenv("HL_NUM_THREADS");
  long n = env && atol(env) > 0 ? atol(env) : sysconf(_SC_NPROCESSORS_ONLN);
  if (n < 1) n = 1;
  if (n > POOL_MAX_THREADS) n = POOL_MAX_THREADS;
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  int threads = 1;
  for (; threads < n; threads++) {
    pthread_t t;
    if (pthread_create(&t, &attr, pool_worker, (void *)(intptr_t)threads)) break; /* run with fewer */
  }
  pthread_attr_destroy(&attr);
  pool.threads = threads;
}

static void pool_start(void) { pthread_once(&pool_once, pool_start_once); }

static int pool_par_for(void *uc, pool_task_fn f, int min, int extent, uint8_t *closure) {
  if (pool_in_task || extent <= 1 || pool.threads <= 1 || pthread_mutex_trylock(&pool.submit))
    return pool_serial(uc, f, min, extent, closure);
  struct pool_loop l;
  l.f = f;
  l.user_context = uc;
  l.closure = closure;
  l.min = min;
  l.extent = extent;
  l.blocks = extent < pool.threads ? extent : pool.threads;
  atomic_init(&l.finished, 0);
  atomic_init(&l.error, 0);
  for (int t = 0; t < l.blocks; t++) {
    atomic_init(&l.block[t].next, (int)((long long)extent * t / l.blocks));
    l.block[t].end = (int)((long long)extent * (t + 1) / l.blocks);
  }
  atomic_store(&pool.loop, &l);
  atomic_fetch_add(&pool.generation, 1);
  if (atomic_load(&pool.sleepers)) {
    pthread_mutex_lock(&pool.sleep_lock);
    pthread_cond_broadcast(&pool.wake);
    pthread_mutex_unlock(&pool.sleep_lock);
  }
  pool_work(&l, 0);
  while (atomic_load(&l.finished) < extent) pool_pause();
  atomic_store(&pool.loop, NULL);
  while (atomic_load(&pool.busy_workers)) pool_pause(); /* then `l` may go */
  pthread_mutex_unlock(&pool.submit);
  return atomic_load(&l.error);
}
