/* tix-bench compare: the common interface of the systems compared side by
 * side (libtix and its peers: SQLite, PostgreSQL, Redis).
 *
 * A "peer" is one running system (a server the harness started in a
 * temporary directory, or an embedded store); a "conn" is one client
 * thread's connection to it. Every call returns PEER_OK, PEER_CONFLICT
 * (a seat is taken, or for best-available no seats are left) or PEER_ERR
 * (then peer_conn_error() says why).
 *
 * Seats of a show are numbered 0..rows*cols-1; seat i is in row i / cols
 * with number i % cols + 1. Tiers are bands of whole rows: tier t (1-based,
 * 1 = cheapest) holds rows [tier_row_end[t-2], tier_row_end[t-1]).
 */
#ifndef TIX_BENCH_PEER_H
#define TIX_BENCH_PEER_H

#include <stddef.h>
#include <stdint.h>

#define PEER_OK 0
#define PEER_CONFLICT 1
#define PEER_ERR -1

#define PEER_MAX_TIERS 16
#define PEER_MAX_HOLD 8
#define PEER_USERS 64
#define PEER_REVIEWS 64

typedef struct peer_layout {
    uint32_t rows, cols;
    uint32_t n_tiers;
    uint32_t tier_row_end[PEER_MAX_TIERS]; /* cumulative, exclusive */
} peer_layout;

static inline uint32_t peer_layout_seats(const peer_layout *l)
{
    return l->rows * l->cols;
}

/* Tier (1-based) of seat @p seat. */
static inline uint32_t peer_seat_tier(const peer_layout *l, uint32_t seat)
{
    uint32_t row = seat / l->cols, t = 0;
    while (t + 1 < l->n_tiers && row >= l->tier_row_end[t]) t++;
    return t + 1;
}

/* A hold: plain data, owned by the caller; release with ops->hold_done. */
typedef struct peer_hold {
    uint64_t show;
    uint32_t n;
    uint32_t seats[PEER_MAX_HOLD]; /* ascending */
    uint64_t token;                /* peers: random owner token */
    void *native;                  /* libtix: the tix_hold */
} peer_hold;

typedef struct peer_counts {
    uint32_t total, free, held, booked;
} peer_counts;

typedef struct peer_avail {
    peer_counts all;
    uint32_t n_tiers;
    peer_counts tiers[PEER_MAX_TIERS];
} peer_avail;

/* What the store says about a show after a flash sale. */
typedef struct peer_verify {
    uint64_t booked_seats;   /* seats in state booked */
    uint64_t booking_seats;  /* seats summed over the show's bookings */
    uint64_t bookings;       /* bookings of the show */
} peer_verify;

/* Seat states of a seat map (listing). */
enum { PEER_SEAT_FREE = 0, PEER_SEAT_HELD = 1, PEER_SEAT_BOOKED = 2 };

typedef struct peer_cfg {
    const char *dir;     /* temporary directory of this peer (exists) */
    int durable;         /* 1: confirms fsync on commit; 0: they do not */
    int tix_journal;     /* libtix only, when durable: TIX_SYNC_JOURNAL
                            rather than TIX_SYNC_FULL */
    int max_conns;       /* most client connections at once */
} peer_cfg;

typedef struct peer peer;           /* a running system */
typedef struct peer_conn peer_conn; /* one client thread's connection */

typedef struct peer_ops {
    const char *name; /* "libtix", "sqlite", "postgres", "redis" */
    /* Starts the system (server on a unix socket in cfg->dir, or embedded
     * store) and creates its schema, users, a movie with PEER_REVIEWS
     * reviews. On failure writes a reason into err and returns PEER_ERR. */
    int (*start)(const peer_cfg *cfg, peer **out, char *err, size_t cap);
    void (*stop)(peer *p); /* stops the server, removes nothing */
    /* Exact settings, one line each ("key: value"), for the report. */
    void (*describe)(peer *p, char *buf, size_t cap);
    /* Creates a show with the layout; every seat free. */
    int (*show_create)(peer *p, const peer_layout *l, uint64_t *show);
    peer_conn *(*connect)(peer *p, char *err, size_t cap);
    void (*disconnect)(peer_conn *c);
    const char *(*error)(peer_conn *c);
    /* Holds exactly these seats (ascending), all or nothing, for ttl s. */
    int (*hold)(peer_conn *c, uint64_t show, const uint32_t *seats, uint32_t n,
                uint32_t ttl, peer_hold *h);
    /* Best-available: n adjacent seats in one row of tier @p tier (0 =
     * any tier, cheapest first). PEER_CONFLICT when none are left. */
    int (*best)(peer_conn *c, uint64_t show, uint32_t tier, uint32_t n,
                uint32_t ttl, peer_hold *h);
    int (*release)(peer_conn *c, peer_hold *h);
    /* Books the hold's seats; durable when cfg->durable. */
    int (*confirm)(peer_conn *c, peer_hold *h, uint32_t user,
                   const char *payment_ref, uint64_t *booking);
    void (*hold_done)(peer_hold *h); /* frees native parts; NULL ok */
    int (*avail)(peer_conn *c, uint64_t show, peer_avail *out);
    /* Seat map: states[i] = PEER_SEAT_* of seat i, cap >= seats. */
    int (*seat_map)(peer_conn *c, uint64_t show, uint8_t *states, uint32_t cap);
    /* Newest @p limit reviews of the movie; adds a checksum to *sink. */
    int (*reviews)(peer_conn *c, uint32_t limit, uint64_t *sink);
    int (*verify)(peer_conn *c, uint64_t show, peer_verify *out);
} peer_ops;

extern const peer_ops peer_libtix_ops;
extern const peer_ops peer_sqlite_ops;
extern const peer_ops peer_pg_ops;
extern const peer_ops peer_redis_ops;

/* peer_util.c: helpers the peers share. */
uint64_t peer_token(void);           /* random, non-zero */
int64_t peer_now_ms(void);           /* CLOCK_REALTIME, ms */
/* Runs argv (argv[0] a path) as user @p user (NULL = this user), with
 * stdout+stderr to @p log (NULL = /dev/null); waits; returns the exit code
 * or -1. */
int peer_run(const char *user, const char *const argv[], const char *log);
/* Spawns argv in the background as @p user; returns the pid or -1. */
int peer_spawn(const char *user, const char *const argv[], const char *log);
/* Finds an executable: the first of @p cands that exists. NULL if none. */
const char *peer_which(const char *const cands[]);
/* Last lines of a log file into buf (for error messages). */
void peer_log_tail(const char *log, char *buf, size_t cap);

#endif
