/* tix-bench: shared declarations of the benchmark program. */
#ifndef TIX_BENCH_H
#define TIX_BENCH_H

#include <stddef.h>
#include <stdint.h>

#include "tix.h"

/* ---- sys.c: clocks, machine facts, files ------------------------------ */

uint64_t bench_ns(void);              /* CLOCK_MONOTONIC, nanoseconds */
double bench_secs(void);              /* CLOCK_MONOTONIC, seconds */
void bench_sleep(double seconds);
int bench_nproc(void);
void bench_cpu_model(char *buf, size_t cap);
void bench_kernel(char *buf, size_t cap);
double bench_loadavg(void); /* 1-minute load average, -1 if unknown */
/* File-system type of the mount holding @p path ("ext4", "tmpfs", ...). */
void bench_fs_type(const char *path, char *buf, size_t cap);
/* Removes a directory tree (files of a store). Returns 0 or -1. */
int bench_rmtree(const char *path);
/* Copies file @p from to @p to and fsyncs it. Returns 0 or -1. */
int bench_copy_file(const char *from, const char *to);

void bench_fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2),
                                                     noreturn));
/* Dies with the call text, the error name and the detail message. */
#define CHECK(call)                                                        \
    do {                                                                   \
        int rc_ = (call);                                                  \
        if (rc_ != TIX_OK)                                                 \
            bench_fatal("%s failed: %s: %s", #call, tix_strerror(rc_),     \
                        tix_errmsg());                                     \
    } while (0)

/* ---- catalog.c: stores and the catalog they need ----------------------- */

#define BENCH_USERS 64
#define BENCH_TIERS 3

typedef struct bench_catalog {
    tix_id country, state, city, venue, movie;
    tix_id users[BENCH_USERS];
    int64_t first_start; /* start of the first show slot */
    unsigned n_screens;
} bench_catalog;

typedef struct bench_screen {
    tix_id id;
    tix_id tiers[BENCH_TIERS]; /* cheapest first */
    uint32_t rows, cols;       /* seat (r, c) has index r * cols + c */
    unsigned next_slot;        /* show slots used on this screen */
} bench_screen;

/* Opens (creating) a store with the bench's config. */
void bench_store_open(const char *dir, tix_durability d, tix_db **out);
/* Places, a venue, a movie and BENCH_USERS users. */
void bench_catalog_create(tix_db *db, bench_catalog *cat);
/* A screen of @p rows x @p cols seats, three tiers by row (front 40%
 * cheapest, middle 40%, back 20% dearest), ideal point at the centre of
 * the back third. */
void bench_screen_create(tix_db *db, bench_catalog *cat, uint32_t rows,
                         uint32_t cols, bench_screen *out);
/* A show on @p s in its next free time slot. */
tix_id bench_show_create(tix_db *db, const bench_catalog *cat,
                         bench_screen *s);

/* ---- report.c: results, table and JSON -------------------------------- */

enum bench_kind {
    K_HOLD, K_AVAIL, K_BEST, K_CONFIRM, K_ASYNC, K_SOLDOUT, K_GA, K_QUEUE
};

typedef struct bench_result {
    enum bench_kind kind;
    const char *name;    /* JSON scenario name */
    const char *label;   /* table label */
    int threads;         /* client threads */
    int inflight;        /* async window (K_ASYNC) */
    uint64_t ops;        /* successful operations */
    uint64_t seats;      /* seats booked (confirms) */
    uint64_t conflicts;  /* TIX_ECONFLICT (not counted in ops) */
    uint64_t errors;     /* any other failure */
    char first_error[160];
    double secs;         /* wall time of the run */
    double rate;         /* ops / secs (the median run's) */
    double rate_min, rate_max; /* over the repeats */
    int repeats;
    /* confirms */
    double p50_ms, p99_ms, max_ms;
    uint64_t batches, batch_confirms, max_batch;
    int exhausted;       /* ran out of pre-made seats before the end */
    int verified;        /* booked seats in the shows == seats confirmed */
    /* target, when the issue gives one for this row */
    double target;       /* 0 = none */
    const char *target_text;
} bench_result;

/* The waiting-room scenario (bench/queue.c): @p joins tickets join show
 * @p show's queue, then the show is sold out in admission order. */
void bench_queue(tix_db *db, tix_id show, uint32_t joins,
                 bench_result *join_res, bench_result *sell_res);

typedef struct bench_info {
    const char *version;
    int nproc;
    double load_start, load_end; /* 1-minute load averages */
    char cpu[128], kernel[128], fs[32];
    char dir[1024];
    double seconds;
    const char *threads_text, *confirm_threads_text;
    uint32_t hold_seats, avail_seats, avail_taken, confirm_pool;
    int quick, repeat;
    const char *sync; /* durability of the confirm runs */
} bench_info;

void bench_print_header(const bench_info *info);
void bench_print_row(const bench_result *r);
void bench_print_summary(const bench_result *r, size_t n);
void bench_print_json(const bench_info *info, const bench_result *r, size_t n);

#endif
