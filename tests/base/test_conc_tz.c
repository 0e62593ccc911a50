/* lib/base/tz.c: a store's zone cache shared by threads. More zones than
 * it has slots, so lookups race with evictions; every answer must equal
 * the uncached one (TSan runs this file: it is a test_conc_*). */
#include <pthread.h>
#include <stdlib.h>

#include "testutil.h"
#include "tz.h"

static const char *const zones[] = {
    "Europe/London", "Europe/Paris", "Europe/Moscow", "Asia/Kolkata",
    "Asia/Tokyo", "Asia/Kathmandu", "Australia/Sydney", "Australia/Adelaide",
    "Pacific/Auckland", "Pacific/Chatham", "America/New_York",
    "America/Chicago", "America/Denver", "America/Los_Angeles",
    "America/St_Johns", "America/Sao_Paulo", "America/Nuuk",
    "Africa/Casablanca", "Africa/Cairo", "Asia/Tehran",
};
#define N_ZONES (sizeof zones / sizeof zones[0])
#define N_TIMES 8
#define THREADS 4
#define ROUNDS 400

static int32_t want[N_ZONES][N_TIMES];

static int64_t when(int k) { return 946684800 + (int64_t)k * 503100000; }

typedef struct worker {
    tix__tz_cache *cache;
    unsigned seed;
    int bad;
} worker;

static void *run(void *arg)
{
    worker *w = arg;
    for (int r = 0; r < ROUNDS; r++) {
        w->seed = w->seed * 1103515245u + 12345u;
        size_t z = (w->seed >> 8) % N_ZONES;
        int k = (int)((w->seed >> 20) % N_TIMES);
        int32_t off = 0;
        if (tix__tz_cache_offset(w->cache, zones[z], when(k), &off) ||
            off != want[z][k])
            w->bad++;
    }
    return NULL;
}

static void cached_lookups_agree_under_eviction(void **state)
{
    (void)state;
    for (size_t z = 0; z < N_ZONES; z++)
        for (int k = 0; k < N_TIMES; k++)
            assert_ok(tix_tz_offset(zones[z], when(k), &want[z][k]));
    tix__tz_cache *c;
    assert_ok(tix__tz_cache_open(&c));
    pthread_t th[THREADS];
    worker w[THREADS];
    for (int i = 0; i < THREADS; i++) {
        w[i] = (worker){c, 7u + (unsigned)i * 7919u, 0};
        assert_int_equal(pthread_create(&th[i], NULL, run, &w[i]), 0);
    }
    int bad = 0;
    for (int i = 0; i < THREADS; i++) {
        pthread_join(th[i], NULL);
        bad += w[i].bad;
    }
    assert_int_equal(bad, 0);
    int32_t off;
    assert_code(tix__tz_cache_offset(c, "Mars/Olympus", 0, &off), TIX_EINVAL);
    assert_code(tix__tz_cache_offset(c, "../etc/passwd", 0, &off), TIX_EINVAL);
    tix__tz_cache_close(c);
    tix__tz_cache_close(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cached_lookups_agree_under_eviction),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
