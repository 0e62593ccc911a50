/* Consistency check and store statistics, for the `tix check` and `tix
 * stats` commands. Private: the CLI links the static library and includes
 * this header; nothing here is exported from libtix.so.
 *
 * tix__check compares seats.map with LMDB seat by seat and verifies every
 * index against its primary table (see lib/check.c for the list). It runs
 * while other threads and processes write: a difference seen once may be
 * a change caught half way (a confirm between its LMDB commit and its
 * seat-word update), so a pass that finds problems is repeated, and only
 * problems found by every pass (up to three) are reported. */
#ifndef TIX_LIB_CHECK_H
#define TIX_LIB_CHECK_H

#include <stddef.h>
#include <stdint.h>

#include "tix.h"

/* What a check looked at. */
typedef struct tix__check_counts {
    uint64_t records;        /* primary records read */
    uint64_t index_entries;  /* index entries verified */
    uint64_t shows;          /* shows whose seats.map region was compared */
    uint64_t shows_retired;  /* shows past reclaim_after: region not used */
    uint64_t seats;          /* seat words compared with LMDB */
    uint64_t held;           /* seats under a live hold */
    uint64_t confirming;     /* seats in a confirm/cancel/block in flight */
    uint64_t stale;          /* CONFIRMING words whose lease ran out (the
                                next process to touch them repairs them) */
    uint64_t passes;         /* passes run (1 when nothing was found) */
    uint64_t problems;       /* problems reported */
} tix__check_counts;

/* Called once per problem with a one-line description. */
typedef void (*tix__check_fn)(void *ctx, const char *problem);

/* Checks the store. @p fn (may be NULL) receives each problem. The seat
 * map part needs a read-write handle (a read-only one has no seat engine:
 * its shows count as retired). Returns TIX_OK when the check ran, whatever
 * it found (see out->problems), or an error that stopped it. */
int tix__check(tix_db *db, tix__check_fn fn, void *ctx,
               tix__check_counts *out);

/* One LMDB table. */
typedef struct tix__table_info {
    char name[64];
    uint64_t entries;
    uint64_t pages;   /* branch + leaf + overflow pages */
    unsigned depth;
} tix__table_info;

/* Sizes and usage of a store. */
typedef struct tix__store_info {
    uint64_t data_file_bytes;    /* data.mdb on disk */
    uint64_t map_size;           /* LMDB map size now */
    uint64_t map_size_max;       /* configured growth limit, 0 = none */
    uint64_t page_size;
    uint64_t pages_used;         /* last page number + 1 */
    uint64_t last_txn;           /* id of the last committed transaction */
    unsigned readers_max, readers_used;
    uint64_t seatmap_file_bytes; /* seats.map on disk */
    uint64_t seatmap_reserve;    /* address space reserved for it */
    uint64_t seatmap_words;      /* words allocated to regions so far */
    uint64_t regions_live, regions_live_words; /* regions of shows */
    uint64_t regions_free, regions_free_words; /* reclaimed, reusable */
    size_t n_tables;
    tix__table_info tables[64];
} tix__store_info;

/* Fills @p out. TIX_OK or an LMDB error. */
int tix__store_info_get(tix_db *db, tix__store_info *out);

#endif
