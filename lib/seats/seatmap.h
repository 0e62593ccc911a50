/* seats.map: the shared, memory-mapped, rebuildable file of seat words.
 *
 * Layout: a 4 KiB header, then seat words. Each show owns a region of
 * seat_count + 2 words starting at its seat_base (allocated in LMDB when
 * the show is created): word 0 is the region marker (READY|show id, or
 * INIT|pid while a process fills it), word 1 the show id, then one word
 * per seat.
 *
 * The file is only a cache of LMDB plus the live holds: when it is missing,
 * damaged, belongs to another LMDB store or predates the last reboot, it
 * is recreated empty and every region re-initialises itself from LMDB on
 * first use (BOOKED and BLOCKED from LMDB, the rest FREE). */
#ifndef TIX_LIB_SEATMAP_H
#define TIX_LIB_SEATMAP_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "region.h"
#include "seatword.h"
#include "tix.h"

#define TIX_MAP_HEADER_SIZE 4096

typedef struct tix_seatmap {
    int fd;
    char *base;                 /* reserved mapping, never moves */
    size_t reserve;             /* bytes reserved */
    _Atomic size_t file_bytes;  /* bytes known to be backed by the file */
    pthread_mutex_t grow_lock;
    int64_t epoch;              /* map time 0 in Unix seconds */
    uint64_t tag_seed;          /* keys hold tags */
    int rebuilt;                /* 1 when this open recreated the file */
    int exclusive;              /* 1 when no other process had it open */
} tix_seatmap;

/* Opens or rebuilds <dir>/seats.map. @p identity names the LMDB store;
 * @p secret seeds hold tags; @p now is the store clock. */
int tix__seatmap_open(tix_seatmap *m, const char *dir,
                      const uint8_t identity[16], const uint8_t secret[32],
                      int64_t now, size_t reserve);
void tix__seatmap_close(tix_seatmap *m);

/* Downgrades the open lock to shared. An exclusive open (m->exclusive, not
 * rebuilt) keeps seats.map locked exclusively until this call, so that the
 * engine can repair words left by dead processes before any other process
 * starts using the map. */
void tix__seatmap_share(tix_seatmap *m);

/* A word of the header page past the header proper, shared by every
 * process and zero in a new file: the waiting rooms' configuration
 * generation (lib/seats/queue.c). Never covered by the header checksum. */
#define TIX_MAP_QUEUE_GEN_OFFSET 2048
static inline _Atomic uint64_t *tix__seatmap_queue_gen(const tix_seatmap *m)
{
    return (_Atomic uint64_t *)(m->base + TIX_MAP_QUEUE_GEN_OFFSET);
}

/* The word after it: the show times generation, bumped after a show's
 * start and end change in LMDB (tix_show_reschedule), so that every
 * process rereads the shows it cached (lib/seats/engine.c). */
#define TIX_MAP_SHOW_GEN_OFFSET (TIX_MAP_QUEUE_GEN_OFFSET + 8)
static inline _Atomic uint64_t *tix__seatmap_show_gen(const tix_seatmap *m)
{
    return (_Atomic uint64_t *)(m->base + TIX_MAP_SHOW_GEN_OFFSET);
}

/* Map time of a Unix time, clamped to the word's expiry range. */
uint32_t tix__seatmap_time(const tix_seatmap *m, int64_t unix_time);

/* Fills the seat words of a region that is being initialised. */
typedef int (*tix_region_fill_fn)(void *arg, tix_word *seats, uint32_t n);

/* Returns the seat words of show @p show_id's region, initialising the
 * region (zero + @p fill) the first time any process touches it, and
 * growing the file to cover it and the @p tail_words after its seats
 * (which @p fill initialises). */
int tix__seatmap_region(tix_seatmap *m, tix_id show_id, uint64_t seat_base,
                        uint32_t seat_count, uint64_t tail_words,
                        tix_region_fill_fn fill, void *arg, tix_word **seats);

#endif
