/* The generated libraries' thread pool (codegen/aot/task_pool.c), on its own: every task runs
 * exactly once, errors come back, nested and concurrent loops work, sleeping workers wake.
 * Run with HL_NUM_THREADS set (ctest runs it with 1, 2 and 5). */
#include "codegen/aot/task_pool.c"

#include <stdio.h>
#include <string.h>

static int failures;
#define CHECK(cond, ...)                                   \
  do {                                                     \
    if (!(cond)) {                                         \
      failures++;                                          \
      fprintf(stderr, "FAILED %s:%d: ", __FILE__, __LINE__); \
      fprintf(stderr, __VA_ARGS__);                        \
      fputc('\n', stderr);                                 \
    }                                                      \
  } while (0)

#define MAX_TASKS 512
struct counts {
  atomic_int ran[MAX_TASKS];
  pthread_t who[MAX_TASKS];
  int fail_at, work_ns;
};

static void busy(long ns) {
  long until = pool_now_ns() + ns;
  while (pool_now_ns() < until) pool_pause();
}

static int count_task(void *uc, int i, uint8_t *closure) {
  (void)closure;
  struct counts *c = uc;
  atomic_fetch_add(&c->ran[i], 1);
  c->who[i] = pthread_self();
  if (c->work_ns) busy(c->work_ns);
  return i == c->fail_at ? 7 : 0;
}

static void reset(struct counts *c) {
  memset(c, 0, sizeof *c);
  c->fail_at = -1;
}

/* Each index in [min, min + extent) ran once and nothing else ran. */
static int each_once(struct counts *c, int min, int extent) {
  for (int i = 0; i < MAX_TASKS; i++)
    if (atomic_load(&c->ran[i]) != (i >= min && i < min + extent)) return 0;
  return 1;
}

static void test_each_task_once(void) {
  static struct counts c;
  for (int round = 0; round < 3000; round++) {
    int min = round % 7, extent = 1 + (round * 37) % 300;
    reset(&c);
    int rc = pool_par_for(&c, count_task, min, extent, NULL);
    CHECK(rc == 0, "round %d returned %d", round, rc);
    CHECK(each_once(&c, min, extent), "round %d: min %d extent %d not run exactly once each", round, min, extent);
    if (failures) return;
  }
}

static void test_error_code(void) {
  static struct counts c;
  reset(&c);
  c.fail_at = 13;
  CHECK(pool_par_for(&c, count_task, 0, 40, NULL) == 7, "a failing task's code is returned");
  CHECK(atomic_load(&c.ran[13]) == 1, "the failing task ran once");
  for (int i = 0; i < MAX_TASKS; i++) CHECK(atomic_load(&c.ran[i]) <= (i < 40), "task %d ran at most once", i);
}

static int nested_task(void *uc, int i, uint8_t *closure) {
  (void)closure;
  struct counts *c = uc;
  return pool_par_for(&c[i], count_task, 0, 20, NULL);
}

static void test_nested(void) {
  static struct counts c[4];
  for (int i = 0; i < 4; i++) reset(&c[i]);
  CHECK(pool_par_for(c, nested_task, 0, 4, NULL) == 0, "nested loops succeed");
  for (int i = 0; i < 4; i++) CHECK(each_once(&c[i], 0, 20), "inner loop %d ran each task once", i);
}

static void *submitter(void *arg) {
  struct counts *c = arg;
  for (int round = 0; round < 500; round++) {
    reset(c);
    if (pool_par_for(c, count_task, 0, 64, NULL) || !each_once(c, 0, 64)) return (void *)1;
  }
  return NULL;
}

static void test_concurrent_callers(void) {
  static struct counts c[3];
  pthread_t t[3];
  for (int i = 0; i < 3; i++) pthread_create(&t[i], NULL, submitter, &c[i]);
  for (int i = 0; i < 3; i++) {
    void *bad;
    pthread_join(t[i], &bad);
    CHECK(!bad, "caller %d: loops from three threads at once ran each task once", i);
  }
}

/* After POOL_SPIN_NS idle the workers sleep; the next loop must wake them. */
static void test_wake_after_sleep(void) {
  static struct counts c;
  busy(3 * POOL_SPIN_NS);
  reset(&c);
  c.work_ns = 1000000; /* 64 tasks of 1 ms: plenty of time for a woken worker to join */
  CHECK(pool_par_for(&c, count_task, 0, 64, NULL) == 0, "loop after sleep succeeds");
  CHECK(each_once(&c, 0, 64), "loop after sleep ran each task once");
  int others = 0;
  for (int i = 0; i < 64; i++) others += !pthread_equal(c.who[i], pthread_self());
  if (pool.threads > 1)
    CHECK(others > 0, "a woken worker ran some of the tasks (%d threads)", pool.threads);
  else
    CHECK(others == 0, "with one thread the caller runs everything");
}

int main(void) {
  const char *env = getenv("HL_NUM_THREADS");
  pool_start();
  CHECK(env && pool.threads == atoi(env), "HL_NUM_THREADS=%s gives %d threads", env ? env : "(unset)", pool.threads);
  test_each_task_once();
  test_error_code();
  test_nested();
  test_concurrent_callers();
  test_wake_after_sleep();
  if (failures) fprintf(stderr, "%d check(s) failed\n", failures);
  else printf("task pool: all checks passed with %d thread(s)\n", pool.threads);
  return failures ? 1 : 0;
}
