/* The random writer and its report pipe: see writer.h. */
#include "writer.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"

#define HOLD_TTL 120 /* s: no hold may expire under its writer */
#define MAX_OWNED 32 /* bookings a thread remembers; later ones it forgets */

int64_t tt_mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

uint64_t tt_xorshift(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 0x2545F4914F6CDD1Dull;
}

void tt_writer_config(tix_config *cfg, tix_durability d)
{
    tix_config_init(cfg); /* real clock */
    cfg->durability = d;
    cfg->map_size = (size_t)4 << 20;
    cfg->seatmap_reserve = (size_t)64 << 20;
}

int tt_writer_catalog(tix_db *db, tix_id shows[TT_WRITER_SHOWS], tix_id *user)
{
    tt_catalog cat;
    tt_make_catalog(db, TT_WRITER_ROWS, TT_WRITER_PER_ROW, &cat);
    int rc = 0;
    for (int i = 0; i < TT_WRITER_SHOWS && !rc; i++) {
        tix_show sh = {.movie_id = cat.movie, .screen_id = cat.screen,
                       .start = tix_db_now(db) + (30 + i) * 86400};
        rc = tix_show_create(db, &sh, &shows[i]);
    }
    tix_user u = {.name = "Meera", .email = "meera@example.com",
                  .phone = "+919800000002"};
    if (!rc) rc = tix_user_create(db, &u, user);
    if (!rc) rc = tix_outbox_register(db, TT_WRITER_CONSUMER, 0);
    return rc;
}

/* ---- reporting ---------------------------------------------------------- */

/* One write() per line: a pipe write of at most PIPE_BUF bytes is atomic,
 * so the threads' lines never interleave. */
static void emit(const tt_writer *w, const char *line, int len)
{
    ssize_t n;
    do n = write(w->fd, line, (size_t)len);
    while (n < 0 && errno == EINTR);
}

void tt_writer_fail(const tt_writer *w, const char *fmt, ...)
{
    char line[TT_LINE_MAX];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line + 1, sizeof line - 3, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    if (n > (int)sizeof line - 4) n = (int)sizeof line - 4;
    line[0] = 'F';
    line[n + 1] = '\n';
    emit(w, line, n + 2);
}

/* ---- one writer thread -------------------------------------------------- */

/* A booking the thread confirmed, remembered for cancels and check-ins:
 * its id and its first tickets' codes. */
typedef struct own {
    tix_id id;
    uint32_t n_codes;
    char codes[TT_WRITER_MAX_HOLD][TIX_TICKET_CODE_LEN + 1];
    uint8_t checked[TT_WRITER_MAX_HOLD];
} own;

/* Fills @p m from booking @p id, none of its tickets checked in. Returns
 * tix_booking_get()'s code. */
static int own_load(tix_db *db, tix_id id, own *m)
{
    tix_booking *b;
    int rc = tix_booking_get(db, id, &b);
    if (rc) return rc;
    memset(m, 0, sizeof *m);
    m->id = id;
    m->n_codes = (uint32_t)(b->n_tickets < TT_WRITER_MAX_HOLD ? b->n_tickets
                                                              : TT_WRITER_MAX_HOLD);
    for (uint32_t i = 0; i < m->n_codes; i++)
        memcpy(m->codes[i], b->tickets[i].code, sizeof m->codes[i]);
    tix_booking_free(b);
    return 0;
}

typedef struct wthread {
    tt_writer *w;
    int idx;
    uint64_t rng;
    int64_t deadline; /* tt_mono_ms() */
    own mine[MAX_OWNED];
    int n_mine;
    unsigned seq; /* numbers this thread's payment references */
} wthread;

static uint32_t rnd(wthread *t, uint32_t n)
{
    return (uint32_t)(tt_xorshift(&t->rng) >> 32) % n;
}

/* Keeps a booking just confirmed for later cancels and check-ins; one
 * past MAX_OWNED is left alone (the ledger still holds the store to it). */
static void remember(wthread *t, tix_id id)
{
    if (t->n_mine == MAX_OWNED) return;
    int rc = own_load(t->w->db, id, &t->mine[t->n_mine]);
    if (rc) {
        tt_writer_fail(t->w, "booking %llu just confirmed -> %d", (unsigned long long)id,
                       rc);
        return;
    }
    t->n_mine++;
}

static void w_confirm(wthread *t, tix_hold *h)
{
    tt_writer *w = t->w;
    char ref[64];
    snprintf(ref, sizeof ref, "%s%u-t%d-%u", w->ref_prefix, w->iter, t->idx, t->seq++);
    tix_confirm_opts o = {.user_id = w->user, .payment_ref = ref,
                          .seats_per_ticket = rnd(t, 3)};
    tix_id id = 0;
    int rc;
    if (rnd(t, 3) == 0) { /* async: submit, then wait for the group commit */
        tix_confirm *c;
        rc = tix_confirm_submit(w->db, h, &o, &c);
        if (rc == TIX_OK) {
            rc = tix_confirm_wait(c, -1, &id);
            tix_confirm_free(c);
        }
    } else {
        rc = tix_hold_confirm(w->db, h, &o, &id);
    }
    if (rc) {
        /* our own live hold (HOLD_TTL): its confirm must work */
        tt_writer_fail(w, "confirm -> %d %s", rc, tix_errmsg());
        return;
    }
    char line[TT_LINE_MAX];
    emit(w, line, tt_line_confirmed(line, id, h, ref));
    remember(t, id);
}

/* A "started" line goes out before a cancel or check-in: the end may
 * leave its outcome either way, and the ledger must know it was tried. */
static void w_cancel(wthread *t)
{
    int k = (int)rnd(t, (uint32_t)t->n_mine);
    tix_id id = t->mine[k].id;
    t->mine[k] = t->mine[--t->n_mine];
    char line[TT_LINE_MAX];
    emit(t->w, line, tt_line_id(line, 'c', id));
    int rc = tix_booking_cancel_ex(t->w->db, id, TIX_CANCEL_AFTER_CHECKIN);
    if (rc) tt_writer_fail(t->w, "cancel %llu -> %d %s", (unsigned long long)id, rc,
                           tix_errmsg());
    else emit(t->w, line, tt_line_id(line, 'X', id));
}

static void w_checkin(wthread *t)
{
    own *m = &t->mine[rnd(t, (uint32_t)t->n_mine)];
    uint32_t k = rnd(t, m->n_codes);
    if (m->checked[k]) return;
    char line[TT_LINE_MAX];
    emit(t->w, line, tt_line_code(line, 'k', m->codes[k]));
    tix_checkin ci;
    int rc = tix_ticket_checkin(t->w->db, m->codes[k], rnd(t, 2) ? "Gate 1" : "Gate 2",
                                &ci);
    if (rc) {
        tt_writer_fail(t->w, "check-in %s -> %d %s", m->codes[k], rc, tix_errmsg());
        return;
    }
    m->checked[k] = 1;
    emit(t->w, line, tt_line_code(line, 'K', m->codes[k]));
}

static void w_outbox(wthread *t)
{
    tix_event_list *l;
    int rc = tix_outbox_read(t->w->db, TT_WRITER_CONSUMER, 1 + rnd(t, 64), &l);
    if (rc) {
        tt_writer_fail(t->w, "outbox read -> %d %s", rc, tix_errmsg());
        return;
    }
    uint64_t last = l->count ? l->items[l->count - 1].seq : 0;
    tix_event_list_free(l);
    if (!last) return;
    if ((rc = tix_outbox_ack(t->w->db, TT_WRITER_CONSUMER, last))) {
        tt_writer_fail(t->w, "outbox ack %llu -> %d %s", (unsigned long long)last, rc,
                       tix_errmsg());
        return;
    }
    char line[TT_LINE_MAX];
    emit(t->w, line, tt_line_ack(line, TT_WRITER_CONSUMER, last));
}

/* Holds 1..TT_WRITER_MAX_HOLD seats, best-available or picked at random. */
static int w_hold(wthread *t, tix_hold **h)
{
    tix_id show = t->w->shows[rnd(t, TT_WRITER_SHOWS)];
    uint32_t n = 1 + rnd(t, TT_WRITER_MAX_HOLD);
    if (rnd(t, 2)) {
        tix_best_opts bo = {.ttl = HOLD_TTL,
                            .flags = rnd(t, 2) ? TIX_BEST_ANY_TIER : 0};
        return tix_hold_best(t->w->db, show, n, &bo, h);
    }
    uint32_t seats[TT_WRITER_MAX_HOLD];
    for (uint32_t i = 0; i < n; i++) {
        int dup;
        do {
            seats[i] = rnd(t, TT_WRITER_SEATS);
            dup = 0;
            for (uint32_t j = 0; j < i; j++) dup |= seats[j] == seats[i];
        } while (dup);
    }
    tix_hold_opts ho = {.ttl = HOLD_TTL};
    return tix_hold_create(t->w->db, show, seats, n, &ho, h);
}

/* Holds and mostly confirms; a conflict (another thread was first) is
 * no failure. An abandoned hold is still held when the writer ends. */
static void w_book(wthread *t)
{
    tix_hold *h = NULL;
    int rc = w_hold(t, &h);
    if (rc == TIX_ECONFLICT) return;
    if (rc) {
        tt_writer_fail(t->w, "hold -> %d %s", rc, tix_errmsg());
        return;
    }
    uint32_t what = rnd(t, 10);
    if (what < 8) w_confirm(t, h);
    else if (what == 8) tix_hold_release(t->w->db, h);
    tix_hold_free(h);
}

static void *writer_thread(void *arg)
{
    wthread *t = arg;
    while (tt_mono_ms() < t->deadline) {
        uint32_t r = rnd(t, 100);
        if (r < 14 && t->n_mine) w_cancel(t);
        else if (r < 28 && t->n_mine) w_checkin(t);
        else if (r < 33 && t->idx == 0) w_outbox(t);
        else w_book(t);
    }
    return NULL;
}

void tt_writer_run(tt_writer *w, uint64_t seed, uint64_t salt, int seconds)
{
    emit(w, "R\n", 2);
    int64_t deadline = tt_mono_ms() + (int64_t)seconds * 1000;
    wthread t[TT_WRITER_THREADS];
    pthread_t th[TT_WRITER_THREADS];
    for (int i = 0; i < TT_WRITER_THREADS; i++) {
        t[i] = (wthread){.w = w, .idx = i, .deadline = deadline};
        t[i].rng = seed * 0x9E3779B97F4A7C15ull + (uint64_t)i * 7919 + salt + 1;
        pthread_create(&th[i], NULL, writer_thread, &t[i]);
    }
    for (int i = 0; i < TT_WRITER_THREADS; i++) pthread_join(th[i], NULL);
}

/* ---- the driver's end --------------------------------------------------- */

/* Notes an "R" at the start of a line among the @p n new bytes. */
static void note_ready(tt_reports *r, size_t n)
{
    for (size_t i = r->have; i < r->have + n; i++)
        if (r->buf[i] == 'R' && (i == 0 || r->buf[i - 1] == '\n')) r->ready = 1;
}

int tt_reports_read(tt_reports *r, int fd, tt_ledger *l)
{
    ssize_t n = read(fd, r->buf + r->have, sizeof r->buf - 1 - r->have);
    if (n < 0 && errno == EINTR) return 1;
    if (n <= 0) return 0;
    note_ready(r, (size_t)n);
    r->have += (size_t)n;
    r->bad += tt_ledger_feed(l, r->buf, &r->have);
    return 1;
}
