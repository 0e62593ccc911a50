/* The random writer of the crash loop (tests/crash/crash_loop.c) and the
 * power-loss test (tests/powerloss/powerloss.c), and the driver's end of
 * its report pipe.
 *
 * The writer is a process that works a small store from
 * TT_WRITER_THREADS threads until something ends it from outside (a
 * SIGKILL, a power cut). Each thread loops over random steps:
 *  - cancel one of its bookings;
 *  - check in one of its tickets at a gate;
 *  - (thread 0 only) read the outbox as TT_WRITER_CONSUMER and ack the
 *    newest event;
 *  - otherwise hold 1..TT_WRITER_MAX_HOLD seats (best-available or picked
 *    at random) and mostly confirm the hold (sync or async), else release
 *    or abandon it.
 * It reports every step over a pipe in the line format of invariants.h,
 * only after the call returned TIX_OK, and a "started" line before
 * cancels and check-ins, whose outcome the end may leave open; so the
 * driver can feed the lines to a tt_ledger and hold the store to them.
 * Two more lines: "R" once the store is open (the driver may strike from
 * then on) and "F<message>" for a call that failed where it must not
 * (tt_ledger_feed() prints and counts those).
 *
 * Holds live 120 s of the real clock, far longer than a writer: a
 * confirm of one's own hold must never find it expired. */
#ifndef TIX_TEST_WRITER_H
#define TIX_TEST_WRITER_H

#include <stddef.h>
#include <stdint.h>

#include "invariants.h"
#include "tix.h"

/* The store tt_writer_catalog() makes. */
#define TT_WRITER_ROWS 12
#define TT_WRITER_PER_ROW 25
#define TT_WRITER_SEATS (TT_WRITER_ROWS * TT_WRITER_PER_ROW) /* per show */
#define TT_WRITER_SHOWS 2
#define TT_WRITER_CONSUMER "mail"

#define TT_WRITER_THREADS 3
#define TT_WRITER_MAX_HOLD 4

/* The monotonic clock in ms, and the xorshift64* generator the writer
 * draws from (drivers use them for their own timing and plans). */
int64_t tt_mono_ms(void);
uint64_t tt_xorshift(uint64_t *s);

/* Real clock, durability @p d, and room for the writer's bookings (4 MiB
 * LMDB map, 64 MiB seats.map reserve). */
void tt_writer_config(tix_config *cfg, tix_durability d);

/* Makes the writer's store on a fresh @p db: the tt_make_catalog() screen
 * of TT_WRITER_ROWS x TT_WRITER_PER_ROW seats, TT_WRITER_SHOWS shows of
 * it 30 days on, a user and the consumer TT_WRITER_CONSUMER. Returns the
 * first failing call's code (tt_make_catalog() fails on its own). */
int tt_writer_catalog(tix_db *db, tix_id shows[TT_WRITER_SHOWS], tix_id *user);

/* What the writer threads share. */
typedef struct tt_writer {
    tix_db *db; /* open read-write, in the mode under test */
    tix_id shows[TT_WRITER_SHOWS], user;
    int fd;                 /* the write end of the report pipe */
    const char *ref_prefix; /* payment refs: <prefix><iter>-t<thread>-<n> */
    unsigned iter;
} tt_writer;

/* Reports a failure: one "F" line (the caller's own, e.g. of the open). */
void tt_writer_fail(const tt_writer *w, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Reports "R", then runs the threads for @p seconds and returns (a writer
 * still running then was never ended: the caller reports that). Thread
 * i's generator starts at seed * 0x9E3779B97F4A7C15 + 7919 * i + salt + 1. */
void tt_writer_run(tt_writer *w, uint64_t seed, uint64_t salt, int seconds);

/* ---- the driver's end of the pipe --------------------------------------- */

typedef struct tt_reports {
    char buf[1 << 16];
    size_t have; /* bytes of a line not complete yet */
    int ready;   /* the writer reported "R" */
    size_t bad;  /* "F" lines and malformed reports */
} tt_reports;

/* Reads what is there on @p fd (call it when poll() says so) and feeds
 * every complete line to @p l. Returns 0 once the pipe is closed (or
 * fails), else 1. A torn last line (have > 0 at the end) is simply not a
 * report. */
int tt_reports_read(tt_reports *r, int fd, tt_ledger *l);

#endif
