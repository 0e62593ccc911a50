/* tix-bench compare: SQLite (WAL) seat table, the way a careful engineer
 * would build it in one process:
 *   - one row per seat: seats(show_id, seat, row_no, tier, state,
 *     hold_token, hold_expires, booking_id), WITHOUT ROWID, primary key
 *     (show_id, seat), index (show_id, state, tier, seat) for best-available;
 *   - hold = BEGIN IMMEDIATE; UPDATE ... SET state='held' WHERE seat IN (..)
 *     AND (state='free' OR hold_expires < now); COMMIT if every seat
 *     changed, else ROLLBACK;
 *   - confirm = BEGIN IMMEDIATE; payment-ref check; INSERT booking; UPDATE
 *     seats held by the token to 'booked'; COMMIT on a connection with
 *     synchronous=FULL (fsync of the WAL on commit);
 *   - holds and releases on a second connection with synchronous=NORMAL
 *     (WAL: no fsync at commit; holds need not be durable);
 *   - SQLite has one writer at a time: writers of this process take an
 *     in-process mutex instead of spinning in SQLite's busy handler (which
 *     sleeps for milliseconds); readers run concurrently on WAL snapshots.
 */
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "peer.h"

#define SQ_MAX_SHOWS 64
#define SQ_PAGE 256
#define SQ_PAGES 16

struct peer {
    char path[1100];
    int durable;
    pthread_mutex_t wlock; /* one writer at a time */
    sqlite3 *admin;        /* setup and verify */
    struct {
        uint64_t id;
        peer_layout l;
    } shows[SQ_MAX_SHOWS];
    size_t n_shows;
};

struct peer_conn {
    peer *p;
    sqlite3 *db;  /* holds, releases, best, reads: synchronous=NORMAL */
    sqlite3 *cdb; /* confirms: synchronous=FULL (or NORMAL if not durable) */
    sqlite3_stmt *hold[PEER_MAX_HOLD + 1], *release[PEER_MAX_HOLD + 1],
        *book[PEER_MAX_HOLD + 1];
    sqlite3_stmt *begin, *commit, *rollback, *cbegin, *ccommit, *crollback;
    sqlite3_stmt *reclaim, *cand_tier, *cand_any, *payref, *ins_booking;
    sqlite3_stmt *avail, *seatmap, *reviews;
    char err[256];
};

static int sq_err(peer_conn *c, sqlite3 *db, const char *what)
{
    snprintf(c->err, sizeof c->err, "sqlite %.60s: %.180s", what, sqlite3_errmsg(db));
    return PEER_ERR;
}

static int exec(sqlite3 *db, const char *sql, char *err, size_t cap)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        snprintf(err, cap, "sqlite: %.80s: %.150s", sql, msg ? msg : "?");
        sqlite3_free(msg);
        return PEER_ERR;
    }
    return PEER_OK;
}

static int open_db(const char *path, int sync_full, sqlite3 **out, char *err,
                   size_t cap)
{
    sqlite3 *db;
    int rc = sqlite3_open_v2(path, &db,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                                 SQLITE_OPEN_NOMUTEX,
                             NULL);
    if (rc != SQLITE_OK) {
        snprintf(err, cap, "sqlite3_open %s: %s", path, sqlite3_errstr(rc));
        sqlite3_close(db);
        return PEER_ERR;
    }
    sqlite3_busy_timeout(db, 10000);
    char sql[256];
    snprintf(sql, sizeof sql,
             "PRAGMA journal_mode=WAL; PRAGMA synchronous=%s; "
             "PRAGMA cache_size=-65536; PRAGMA temp_store=MEMORY;",
             sync_full ? "FULL" : "NORMAL");
    if (exec(db, sql, err, cap)) {
        sqlite3_close(db);
        return PEER_ERR;
    }
    *out = db;
    return PEER_OK;
}

static const char schema[] =
    "CREATE TABLE shows(id INTEGER PRIMARY KEY, rows INT NOT NULL,"
    "  cols INT NOT NULL, n_tiers INT NOT NULL);"
    "CREATE TABLE seats(show_id INT NOT NULL, seat INT NOT NULL,"
    "  row_no INT NOT NULL, tier INT NOT NULL,"
    "  state TEXT NOT NULL DEFAULT 'free',"
    "  hold_token INT, hold_expires INT, booking_id INT,"
    "  PRIMARY KEY(show_id, seat)) WITHOUT ROWID;"
    "CREATE INDEX seats_by_state ON seats(show_id, state, tier, seat);"
    "CREATE TABLE bookings(id INTEGER PRIMARY KEY, show_id INT NOT NULL,"
    "  user_id INT NOT NULL, payment_ref TEXT NOT NULL UNIQUE,"
    "  seats TEXT NOT NULL, n_seats INT NOT NULL, created_at INT NOT NULL);"
    "CREATE INDEX bookings_by_show ON bookings(show_id);"
    "CREATE TABLE users(id INTEGER PRIMARY KEY, name TEXT NOT NULL,"
    "  email TEXT NOT NULL UNIQUE);"
    "CREATE TABLE reviews(id INTEGER PRIMARY KEY, movie_id INT NOT NULL,"
    "  user_id INT NOT NULL, rating INT NOT NULL, text TEXT NOT NULL,"
    "  created_at INT NOT NULL);"
    "CREATE INDEX reviews_by_movie ON reviews(movie_id, id);";

static int s_start(const peer_cfg *cfg, peer **out, char *err, size_t cap)
{
    peer *p = calloc(1, sizeof *p);
    if (!p) return PEER_ERR;
    snprintf(p->path, sizeof p->path, "%s/seats.db", cfg->dir);
    p->durable = cfg->durable;
    pthread_mutex_init(&p->wlock, NULL);
    if (open_db(p->path, 1, &p->admin, err, cap) || exec(p->admin, schema, err, cap)) {
        if (p->admin) sqlite3_close(p->admin);
        free(p);
        return PEER_ERR;
    }
    char sql[512];
    exec(p->admin, "BEGIN", err, cap);
    for (int i = 1; i <= PEER_USERS; i++) {
        snprintf(sql, sizeof sql,
                 "INSERT INTO users VALUES(%d, 'Bench User %d', 'bench%d@example.com')",
                 i, i, i);
        if (exec(p->admin, sql, err, cap)) goto fail;
    }
    for (int i = 1; i <= PEER_REVIEWS; i++) {
        snprintf(sql, sizeof sql,
                 "INSERT INTO reviews VALUES(%d, 1, %d, %d, 'Review %d: tight "
                 "pacing, a loud finale and a seat map that never lied to me. "
                 "Would book again.', %lld)",
                 i, i, 1 + (i * 7) % 10, i, (long long)peer_now_ms());
        if (exec(p->admin, sql, err, cap)) goto fail;
    }
    if (exec(p->admin, "COMMIT", err, cap)) goto fail;
    *out = p;
    return PEER_OK;
fail:
    sqlite3_close(p->admin);
    free(p);
    return PEER_ERR;
}

static void s_stop(peer *p)
{
    if (!p) return;
    sqlite3_close(p->admin);
    pthread_mutex_destroy(&p->wlock);
    free(p);
}

static void s_describe(peer *p, char *buf, size_t cap)
{
    sqlite3_stmt *st;
    int page = 0;
    if (sqlite3_prepare_v2(p->admin, "PRAGMA page_size", -1, &st, NULL) == SQLITE_OK) {
        if (sqlite3_step(st) == SQLITE_ROW) page = sqlite3_column_int(st, 0);
        sqlite3_finalize(st);
    }
    snprintf(buf, cap,
             "version: SQLite %s (embedded, libsqlite3), file %s\n"
             "journal_mode: WAL; page_size %d; cache_size 64 MiB per "
             "connection; wal_autocheckpoint 1000 pages (default)\n"
             "confirms: %s\n"
             "holds/releases/best: own connection with synchronous=NORMAL (WAL: "
             "no fsync at commit; holds need not be durable)\n"
             "hold: BEGIN IMMEDIATE; UPDATE seats SET state='held' WHERE "
             "show_id=? AND seat IN (..) AND (state='free' OR hold_expires < "
             "now); COMMIT if every seat changed else ROLLBACK\n"
             "best-available: lowest-numbered run of n free seats in one row "
             "(index show_id,state,tier,seat), expired holds reclaimed first\n"
             "concurrency: one connection pair per client thread; writers "
             "serialised by an in-process mutex (SQLite has one writer), "
             "busy_timeout 10 s; readers concurrent (WAL snapshots)",
             sqlite3_libversion(), p->path, page,
             p->durable ? "synchronous=FULL connection (WAL fsync on every "
                          "commit)"
                        : "synchronous=NORMAL (no fsync at commit: NOT durable)");
}

static int s_show_create(peer *p, const peer_layout *l, uint64_t *show)
{
    if (p->n_shows == SQ_MAX_SHOWS) return PEER_ERR;
    char err[256];
    pthread_mutex_lock(&p->wlock);
    uint64_t id = p->n_shows + 1;
    char sql[256];
    snprintf(sql, sizeof sql, "BEGIN; INSERT INTO shows VALUES(%llu, %u, %u, %u)",
             (unsigned long long)id, l->rows, l->cols, l->n_tiers);
    int rc = exec(p->admin, sql, err, sizeof err);
    sqlite3_stmt *st = NULL;
    if (!rc && sqlite3_prepare_v2(p->admin,
                                  "INSERT INTO seats(show_id, seat, row_no, tier) "
                                  "VALUES(?,?,?,?)",
                                  -1, &st, NULL) != SQLITE_OK)
        rc = PEER_ERR;
    uint32_t n = peer_layout_seats(l);
    for (uint32_t i = 0; !rc && i < n; i++) {
        sqlite3_bind_int64(st, 1, (sqlite3_int64)id);
        sqlite3_bind_int(st, 2, (int)i);
        sqlite3_bind_int(st, 3, (int)(i / l->cols));
        sqlite3_bind_int(st, 4, (int)peer_seat_tier(l, i));
        if (sqlite3_step(st) != SQLITE_DONE) rc = PEER_ERR;
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    if (!rc) rc = exec(p->admin, "COMMIT; PRAGMA wal_checkpoint(TRUNCATE); ANALYZE",
                       err, sizeof err);
    else exec(p->admin, "ROLLBACK", err, sizeof err);
    if (!rc) {
        p->shows[p->n_shows].id = id;
        p->shows[p->n_shows].l = *l;
        p->n_shows++;
        *show = id;
    }
    pthread_mutex_unlock(&p->wlock);
    return rc;
}

static const peer_layout *layout_of(peer *p, uint64_t show)
{
    for (size_t i = 0; i < p->n_shows; i++)
        if (p->shows[i].id == show) return &p->shows[i].l;
    return NULL;
}

static int prep(peer_conn *c, sqlite3 *db, const char *sql, sqlite3_stmt **st)
{
    if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, st, NULL) !=
        SQLITE_OK)
        return sq_err(c, db, sql);
    return PEER_OK;
}

/* "?5,?6,?7" for n seats starting at parameter @p first. */
static void in_list(char *buf, size_t cap, uint32_t n, int first)
{
    size_t o = 0;
    for (uint32_t i = 0; i < n && o + 8 < cap; i++)
        o += (size_t)snprintf(buf + o, cap - o, "%s?%d", i ? "," : "", first + (int)i);
}

static void s_disconnect(peer_conn *c);

static peer_conn *s_connect(peer *p, char *err, size_t cap)
{
    peer_conn *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    c->p = p;
    if (open_db(p->path, 0, &c->db, err, cap) ||
        open_db(p->path, p->durable, &c->cdb, err, cap)) {
        s_disconnect(c);
        return NULL;
    }
    int rc = 0;
    char sql[512], in[128];
    for (uint32_t n = 1; !rc && n <= PEER_MAX_HOLD; n++) {
        in_list(in, sizeof in, n, 5);
        snprintf(sql, sizeof sql,
                 "UPDATE seats SET state='held', hold_token=?1, hold_expires=?2 "
                 "WHERE show_id=?3 AND seat IN (%s) AND (state='free' OR "
                 "(state='held' AND hold_expires < ?4))", in);
        rc = prep(c, c->db, sql, &c->hold[n]);
        in_list(in, sizeof in, n, 3);
        snprintf(sql, sizeof sql,
                 "UPDATE seats SET state='free', hold_token=NULL, hold_expires=NULL "
                 "WHERE show_id=?1 AND seat IN (%s) AND state='held' AND "
                 "hold_token=?2", in);
        if (!rc) rc = prep(c, c->db, sql, &c->release[n]);
        in_list(in, sizeof in, n, 4);
        snprintf(sql, sizeof sql,
                 "UPDATE seats SET state='booked', booking_id=?1, hold_token=NULL, "
                 "hold_expires=NULL WHERE show_id=?2 AND seat IN (%s) AND "
                 "state='held' AND hold_token=?3", in);
        if (!rc) rc = prep(c, c->cdb, sql, &c->book[n]);
    }
    if (!rc) rc = prep(c, c->db, "BEGIN IMMEDIATE", &c->begin);
    if (!rc) rc = prep(c, c->db, "COMMIT", &c->commit);
    if (!rc) rc = prep(c, c->db, "ROLLBACK", &c->rollback);
    if (!rc) rc = prep(c, c->cdb, "BEGIN IMMEDIATE", &c->cbegin);
    if (!rc) rc = prep(c, c->cdb, "COMMIT", &c->ccommit);
    if (!rc) rc = prep(c, c->cdb, "ROLLBACK", &c->crollback);
    if (!rc)
        rc = prep(c, c->db,
                  "UPDATE seats INDEXED BY seats_by_state SET state='free', "
                  "hold_token=NULL, hold_expires=NULL "
                  "WHERE show_id=?1 AND state='held' AND hold_expires < ?2",
                  &c->reclaim);
    if (!rc)
        rc = prep(c, c->db,
                  "SELECT seat FROM seats WHERE show_id=?1 AND state='free' AND "
                  "tier=?2 AND seat > ?3 ORDER BY seat LIMIT 256",
                  &c->cand_tier);
    if (!rc)
        rc = prep(c, c->db,
                  "SELECT seat FROM seats WHERE show_id=?1 AND state='free' AND "
                  "(tier > ?2 OR (tier = ?2 AND seat > ?3)) ORDER BY tier, seat "
                  "LIMIT 256",
                  &c->cand_any);
    if (!rc)
        rc = prep(c, c->cdb, "SELECT id FROM bookings WHERE payment_ref=?1",
                  &c->payref);
    if (!rc)
        rc = prep(c, c->cdb,
                  "INSERT INTO bookings(show_id, user_id, payment_ref, seats, "
                  "n_seats, created_at) VALUES(?1,?2,?3,?4,?5,?6)",
                  &c->ins_booking);
    if (!rc)
        rc = prep(c, c->db,
                  "SELECT tier, count(*), sum(state='booked'), "
                  "sum(state='held' AND hold_expires >= ?2) FROM seats "
                  "WHERE show_id=?1 GROUP BY tier ORDER BY tier",
                  &c->avail);
    if (!rc)
        rc = prep(c, c->db,
                  "SELECT seat, state, hold_expires FROM seats WHERE show_id=?1 "
                  "ORDER BY seat",
                  &c->seatmap);
    if (!rc)
        rc = prep(c, c->db,
                  "SELECT id, user_id, rating, text, created_at FROM reviews "
                  "WHERE movie_id=1 ORDER BY id DESC LIMIT ?1",
                  &c->reviews);
    if (rc) {
        snprintf(err, cap, "%s", c->err);
        s_disconnect(c);
        return NULL;
    }
    return c;
}

static void s_disconnect(peer_conn *c)
{
    if (!c) return;
    sqlite3_stmt **all[] = {&c->begin, &c->commit, &c->rollback, &c->cbegin,
                            &c->ccommit, &c->crollback, &c->reclaim,
                            &c->cand_tier, &c->cand_any, &c->payref,
                            &c->ins_booking, &c->avail, &c->seatmap, &c->reviews};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) sqlite3_finalize(*all[i]);
    for (int n = 0; n <= PEER_MAX_HOLD; n++) {
        sqlite3_finalize(c->hold[n]);
        sqlite3_finalize(c->release[n]);
        sqlite3_finalize(c->book[n]);
    }
    sqlite3_close(c->db);
    sqlite3_close(c->cdb);
    free(c);
}

static const char *s_error(peer_conn *c) { return c->err; }

/* Runs a statement that returns no rows. */
static int step_done(peer_conn *c, sqlite3 *db, sqlite3_stmt *st, const char *what)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) return sq_err(c, db, what);
    return PEER_OK;
}

/* Holds @p seats inside an open write transaction on c->db; returns
 * PEER_OK when every seat changed. */
static int take(peer_conn *c, uint64_t show, const uint32_t *seats, uint32_t n,
                uint64_t token, int64_t now, uint32_t ttl)
{
    sqlite3_stmt *st = c->hold[n];
    sqlite3_bind_int64(st, 1, (sqlite3_int64)token);
    sqlite3_bind_int64(st, 2, now + (int64_t)ttl * 1000);
    sqlite3_bind_int64(st, 3, (sqlite3_int64)show);
    sqlite3_bind_int64(st, 4, now);
    for (uint32_t i = 0; i < n; i++) sqlite3_bind_int(st, 5 + (int)i, (int)seats[i]);
    if (step_done(c, c->db, st, "hold update")) return PEER_ERR;
    return sqlite3_changes(c->db) == (int)n ? PEER_OK : PEER_CONFLICT;
}

static int finish(peer_conn *c, int rc)
{
    if (rc == PEER_OK) {
        if (step_done(c, c->db, c->commit, "commit")) rc = PEER_ERR;
    } else {
        sqlite3_step(c->rollback);
        sqlite3_reset(c->rollback);
    }
    pthread_mutex_unlock(&c->p->wlock);
    return rc;
}

static int s_hold(peer_conn *c, uint64_t show, const uint32_t *seats,
                  uint32_t n, uint32_t ttl, peer_hold *h)
{
    if (n == 0 || n > PEER_MAX_HOLD) return PEER_ERR;
    uint64_t token = peer_token();
    pthread_mutex_lock(&c->p->wlock);
    if (step_done(c, c->db, c->begin, "begin")) {
        pthread_mutex_unlock(&c->p->wlock);
        return PEER_ERR;
    }
    int rc = finish(c, take(c, show, seats, n, token, peer_now_ms(), ttl));
    if (rc == PEER_OK) {
        h->show = show;
        h->n = n;
        memcpy(h->seats, seats, n * sizeof *seats);
        h->token = token;
        h->native = NULL;
    }
    return rc;
}

/* First run of @p n consecutive seats of one row among ascending @p cand. */
static int find_run(const uint32_t *cand, int nc, uint32_t n, uint32_t cols)
{
    int start = 0;
    for (int i = 0; i < nc; i++) {
        if (i > start && (cand[i] != cand[i - 1] + 1 || cand[i] / cols != cand[start] / cols))
            start = i;
        if ((uint32_t)(i - start + 1) == n) return start;
    }
    return -1;
}

static int s_best(peer_conn *c, uint64_t show, uint32_t tier, uint32_t n,
                  uint32_t ttl, peer_hold *h)
{
    const peer_layout *l = layout_of(c->p, show);
    if (!l || n == 0 || n > PEER_MAX_HOLD) return PEER_ERR;
    uint64_t token = peer_token();
    int64_t now = peer_now_ms();
    pthread_mutex_lock(&c->p->wlock);
    if (step_done(c, c->db, c->begin, "begin")) {
        pthread_mutex_unlock(&c->p->wlock);
        return PEER_ERR;
    }
    sqlite3_bind_int64(c->reclaim, 1, (sqlite3_int64)show);
    sqlite3_bind_int64(c->reclaim, 2, now);
    if (step_done(c, c->db, c->reclaim, "reclaim")) return finish(c, PEER_ERR);
    uint32_t cand[SQ_PAGE], ctier[SQ_PAGE];
    int64_t after_seat = -1, after_tier = 0;
    int rc = PEER_CONFLICT;
    for (int page = 0; page < SQ_PAGES && rc == PEER_CONFLICT; page++) {
        sqlite3_stmt *st = tier ? c->cand_tier : c->cand_any;
        sqlite3_bind_int64(st, 1, (sqlite3_int64)show);
        sqlite3_bind_int64(st, 2, tier ? (int64_t)tier : after_tier);
        sqlite3_bind_int64(st, 3, after_seat);
        int nc = 0, s;
        while ((s = sqlite3_step(st)) == SQLITE_ROW && nc < SQ_PAGE) {
            cand[nc] = (uint32_t)sqlite3_column_int(st, 0);
            ctier[nc] = peer_seat_tier(l, cand[nc]);
            nc++;
        }
        sqlite3_reset(st);
        if (s != SQLITE_DONE && s != SQLITE_ROW) return finish(c, sq_err(c, c->db, "best select"));
        if (nc == 0) break;
        /* runs never cross tiers: tiers are bands of whole rows */
        int at = find_run(cand, nc, n, l->cols);
        if (at >= 0) {
            rc = take(c, show, &cand[at], n, token, now, ttl);
            if (rc == PEER_OK) {
                h->show = show;
                h->n = n;
                memcpy(h->seats, &cand[at], n * sizeof *cand);
                h->token = token;
                h->native = NULL;
            } else if (rc == PEER_CONFLICT) {
                return finish(c, PEER_ERR); /* cannot happen under wlock */
            }
        }
        if (nc < SQ_PAGE) break;
        /* next page: back up a little so a run across pages is found */
        int back = nc - (int)n;
        after_seat = (int64_t)cand[back > 0 ? back : 0];
        after_tier = ctier[back > 0 ? back : 0];
    }
    /* commit even when nothing was found: keeps the reclaimed holds */
    int fin = finish(c, rc == PEER_CONFLICT ? PEER_OK : rc);
    return fin == PEER_OK ? rc : fin;
}

static int s_release(peer_conn *c, peer_hold *h)
{
    sqlite3_stmt *st = c->release[h->n];
    sqlite3_bind_int64(st, 1, (sqlite3_int64)h->show);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)h->token);
    for (uint32_t i = 0; i < h->n; i++) sqlite3_bind_int(st, 3 + (int)i, (int)h->seats[i]);
    pthread_mutex_lock(&c->p->wlock);
    int rc = step_done(c, c->db, st, "release");
    pthread_mutex_unlock(&c->p->wlock);
    return rc;
}

static int s_confirm(peer_conn *c, peer_hold *h, uint32_t user,
                     const char *ref, uint64_t *booking)
{
    sqlite3 *db = c->cdb;
    char seats_txt[128];
    size_t o = 0;
    for (uint32_t i = 0; i < h->n; i++)
        o += (size_t)snprintf(seats_txt + o, sizeof seats_txt - o, "%s%u",
                              i ? "," : "", h->seats[i]);
    pthread_mutex_lock(&c->p->wlock);
    int rc = step_done(c, db, c->cbegin, "begin");
    if (rc) {
        pthread_mutex_unlock(&c->p->wlock);
        return rc;
    }
    sqlite3_bind_text(c->payref, 1, ref, -1, SQLITE_STATIC);
    int s = sqlite3_step(c->payref);
    sqlite3_int64 id = 0;
    if (s == SQLITE_ROW) id = sqlite3_column_int64(c->payref, 0);
    sqlite3_reset(c->payref);
    if (s != SQLITE_ROW && s != SQLITE_DONE) rc = sq_err(c, db, "payref");
    if (!rc && !id) {
        sqlite3_stmt *st = c->ins_booking;
        sqlite3_bind_int64(st, 1, (sqlite3_int64)h->show);
        sqlite3_bind_int(st, 2, (int)user + 1);
        sqlite3_bind_text(st, 3, ref, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, seats_txt, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 5, (int)h->n);
        sqlite3_bind_int64(st, 6, peer_now_ms());
        rc = step_done(c, db, st, "insert booking");
        id = sqlite3_last_insert_rowid(db);
        if (!rc) {
            st = c->book[h->n];
            sqlite3_bind_int64(st, 1, id);
            sqlite3_bind_int64(st, 2, (sqlite3_int64)h->show);
            sqlite3_bind_int64(st, 3, (sqlite3_int64)h->token);
            for (uint32_t i = 0; i < h->n; i++)
                sqlite3_bind_int(st, 4 + (int)i, (int)h->seats[i]);
            rc = step_done(c, db, st, "book seats");
            if (!rc && sqlite3_changes(db) != (int)h->n) rc = PEER_CONFLICT;
        }
    }
    if (rc == PEER_OK) {
        if (step_done(c, db, c->ccommit, "commit")) rc = PEER_ERR;
    } else {
        sqlite3_step(c->crollback);
        sqlite3_reset(c->crollback);
    }
    pthread_mutex_unlock(&c->p->wlock);
    if (rc == PEER_OK && booking) *booking = (uint64_t)id;
    return rc;
}

static int s_avail(peer_conn *c, uint64_t show, peer_avail *out)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *st = c->avail;
    sqlite3_bind_int64(st, 1, (sqlite3_int64)show);
    sqlite3_bind_int64(st, 2, peer_now_ms());
    int s;
    while ((s = sqlite3_step(st)) == SQLITE_ROW) {
        if (out->n_tiers == PEER_MAX_TIERS) continue;
        peer_counts *t = &out->tiers[out->n_tiers++];
        t->total = (uint32_t)sqlite3_column_int(st, 1);
        t->booked = (uint32_t)sqlite3_column_int(st, 2);
        t->held = (uint32_t)sqlite3_column_int(st, 3);
        t->free = t->total - t->booked - t->held;
        out->all.total += t->total;
        out->all.booked += t->booked;
        out->all.held += t->held;
        out->all.free += t->free;
    }
    sqlite3_reset(st);
    return s == SQLITE_DONE ? PEER_OK : sq_err(c, c->db, "availability");
}

static int s_seat_map(peer_conn *c, uint64_t show, uint8_t *states, uint32_t cap)
{
    sqlite3_stmt *st = c->seatmap;
    sqlite3_bind_int64(st, 1, (sqlite3_int64)show);
    int64_t now = peer_now_ms();
    int s;
    while ((s = sqlite3_step(st)) == SQLITE_ROW) {
        uint32_t seat = (uint32_t)sqlite3_column_int(st, 0);
        const unsigned char *state = sqlite3_column_text(st, 1);
        if (seat >= cap || !state) continue;
        uint8_t v = PEER_SEAT_FREE;
        if (state[0] == 'b') v = PEER_SEAT_BOOKED;
        else if (state[0] == 'h' && sqlite3_column_int64(st, 2) >= now) v = PEER_SEAT_HELD;
        states[seat] = v;
    }
    sqlite3_reset(st);
    return s == SQLITE_DONE ? PEER_OK : sq_err(c, c->db, "seat map");
}

static int s_reviews(peer_conn *c, uint32_t limit, uint64_t *sink)
{
    sqlite3_stmt *st = c->reviews;
    sqlite3_bind_int(st, 1, (int)limit);
    int s;
    while ((s = sqlite3_step(st)) == SQLITE_ROW)
        *sink += (uint64_t)sqlite3_column_int64(st, 0) +
                 (uint64_t)sqlite3_column_int(st, 2) +
                 (uint64_t)sqlite3_column_bytes(st, 3);
    sqlite3_reset(st);
    return s == SQLITE_DONE ? PEER_OK : sq_err(c, c->db, "reviews");
}

static int s_verify(peer_conn *c, uint64_t show, peer_verify *out)
{
    memset(out, 0, sizeof *out);
    char sql[256];
    snprintf(sql, sizeof sql,
             "SELECT (SELECT count(*) FROM seats WHERE show_id=%llu AND "
             "state='booked'), count(*), coalesce(sum(n_seats),0) FROM bookings "
             "WHERE show_id=%llu",
             (unsigned long long)show, (unsigned long long)show);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(c->db, sql, -1, &st, NULL) != SQLITE_OK)
        return sq_err(c, c->db, "verify");
    int rc = PEER_ERR;
    if (sqlite3_step(st) == SQLITE_ROW) {
        out->booked_seats = (uint64_t)sqlite3_column_int64(st, 0);
        out->bookings = (uint64_t)sqlite3_column_int64(st, 1);
        out->booking_seats = (uint64_t)sqlite3_column_int64(st, 2);
        rc = PEER_OK;
    } else {
        sq_err(c, c->db, "verify");
    }
    sqlite3_finalize(st);
    return rc;
}

const peer_ops peer_sqlite_ops = {
    .name = "sqlite", .start = s_start, .stop = s_stop, .describe = s_describe,
    .show_create = s_show_create, .connect = s_connect,
    .disconnect = s_disconnect, .error = s_error, .hold = s_hold,
    .best = s_best, .release = s_release, .confirm = s_confirm,
    .hold_done = NULL, .avail = s_avail, .seat_map = s_seat_map,
    .reviews = s_reviews, .verify = s_verify};
