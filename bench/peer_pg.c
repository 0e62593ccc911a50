/* tix-bench compare: PostgreSQL seat table, started by the bench itself:
 * initdb in a temporary directory (as the postgres user when the bench
 * runs as root: initdb refuses root), pg_ctl start with a unix socket in
 * that directory and no TCP listener, pg_ctl stop -m fast at the end.
 *
 * The seat table the way a competent engineer builds it on PostgreSQL:
 *   - seats(show_id, seat, row_no, tier, state, hold_token, hold_expires,
 *     booking_id), primary key (show_id, seat), index (show_id, state,
 *     tier, seat) for best-available; bookings(id, show_id, user_id,
 *     payment_ref UNIQUE, seats int[], created_at);
 *   - every operation is one call of a PL/pgSQL function (one round trip,
 *     one transaction, plans cached) through prepared statements:
 *       tix_hold: UPDATE seats SET state='held' ... WHERE show_id=$1 AND
 *         seat = ANY($2) AND (state='free' OR hold_expires < now());
 *         all seats or none (the rows it did take are put back);
 *       tix_confirm: payment-ref check, INSERT booking, UPDATE the seats
 *         held by the token to 'booked' (all or an exception), COMMIT with
 *         the server's default synchronous_commit=on (WAL fsync);
 *       tix_best: expired holds reclaimed (SKIP LOCKED), then the lowest
 *         numbered free seats FOR UPDATE SKIP LOCKED, first run of n in one
 *         row taken;
 *   - holds, releases and best-available set synchronous_commit=off for
 *     their own transaction (set_config(..., true)): holds need not be
 *     durable, confirms always are.
 */
#include <errno.h>
#include <libpq-fe.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "peer.h"

#define PG_MAX_SHOWS 64

static const char *const pg_bins[] = {"/usr/lib/postgresql/15/bin/pg_ctl",
                                      "/usr/lib/postgresql/16/bin/pg_ctl",
                                      "/usr/lib/postgresql/17/bin/pg_ctl",
                                      "/usr/bin/pg_ctl", NULL};

struct peer {
    char bindir[512], base[1100], data[1200], log[1200], conninfo[1400];
    const char *user; /* run the server as; NULL = as ourselves */
    int durable;
    int started;
    PGconn *admin;
    struct {
        uint64_t id;
        peer_layout l;
    } shows[PG_MAX_SHOWS];
    size_t n_shows;
};

struct peer_conn {
    peer *p;
    PGconn *c;
    char err[256];
};

static const char schema[] =
    "CREATE TABLE shows(id int PRIMARY KEY, rows int NOT NULL, cols int NOT NULL,"
    "  n_tiers int NOT NULL);"
    "CREATE TABLE seats(show_id int NOT NULL, seat int NOT NULL,"
    "  row_no int NOT NULL, tier int NOT NULL, state text NOT NULL DEFAULT 'free',"
    "  hold_token bigint, hold_expires timestamptz, booking_id bigint,"
    "  PRIMARY KEY(show_id, seat));"
    "CREATE INDEX seats_by_state ON seats(show_id, state, tier, seat);"
    "CREATE TABLE bookings(id bigserial PRIMARY KEY, show_id int NOT NULL,"
    "  user_id int NOT NULL, payment_ref text NOT NULL UNIQUE,"
    "  seats int[] NOT NULL, created_at timestamptz NOT NULL DEFAULT now());"
    "CREATE INDEX bookings_by_show ON bookings(show_id);"
    "CREATE TABLE users(id int PRIMARY KEY, name text NOT NULL,"
    "  email text NOT NULL UNIQUE);"
    "CREATE TABLE reviews(id int PRIMARY KEY, movie_id int NOT NULL,"
    "  user_id int NOT NULL, rating int NOT NULL, text text NOT NULL,"
    "  created_at timestamptz NOT NULL DEFAULT now());"
    "CREATE INDEX reviews_by_movie ON reviews(movie_id, id DESC);"
    "INSERT INTO users SELECT g, 'Bench User ' || g, 'bench' || g || '@example.com'"
    "  FROM generate_series(1, 64) g;"
    "INSERT INTO reviews SELECT g, 1, g, 1 + (g * 7) % 10, 'Review ' || g ||"
    "  ': tight pacing, a loud finale and a seat map that never lied to me.'"
    "  || ' Would book again.' FROM generate_series(1, 64) g;"
    /* hold: all or nothing, not durable */
    "CREATE FUNCTION tix_hold(p_show int, p_seats int[], p_token bigint,"
    "  p_ttl_ms int) RETURNS boolean LANGUAGE plpgsql AS $$\n"
    "DECLARE n int;\n"
    "BEGIN\n"
    "  PERFORM set_config('synchronous_commit', 'off', true);\n"
    "  UPDATE seats SET state = 'held', hold_token = p_token,\n"
    "         hold_expires = now() + p_ttl_ms * interval '1 millisecond'\n"
    "   WHERE show_id = p_show AND seat = ANY(p_seats)\n"
    "     AND (state = 'free' OR (state = 'held' AND hold_expires < now()));\n"
    "  GET DIAGNOSTICS n = ROW_COUNT;\n"
    "  IF n <> cardinality(p_seats) THEN\n"
    "    UPDATE seats SET state = 'free', hold_token = NULL, hold_expires = NULL\n"
    "     WHERE show_id = p_show AND seat = ANY(p_seats) AND state = 'held'\n"
    "       AND hold_token = p_token;\n"
    "    RETURN false;\n"
    "  END IF;\n"
    "  RETURN true;\n"
    "END $$;"
    "CREATE FUNCTION tix_release(p_show int, p_seats int[], p_token bigint)"
    "  RETURNS void LANGUAGE plpgsql AS $$\n"
    "BEGIN\n"
    "  PERFORM set_config('synchronous_commit', 'off', true);\n"
    "  UPDATE seats SET state = 'free', hold_token = NULL, hold_expires = NULL\n"
    "   WHERE show_id = p_show AND seat = ANY(p_seats) AND state = 'held'\n"
    "     AND hold_token = p_token;\n"
    "END $$;"
    /* confirm: durable (server default synchronous_commit=on) */
    "CREATE FUNCTION tix_confirm(p_show int, p_seats int[], p_token bigint,"
    "  p_user int, p_ref text) RETURNS bigint LANGUAGE plpgsql AS $$\n"
    "DECLARE b bigint; n int;\n"
    "BEGIN\n"
    "  SELECT id INTO b FROM bookings WHERE payment_ref = p_ref;\n"
    "  IF FOUND THEN RETURN b; END IF;\n"
    "  INSERT INTO bookings(show_id, user_id, payment_ref, seats)\n"
    "    VALUES (p_show, p_user, p_ref, p_seats) RETURNING id INTO b;\n"
    "  UPDATE seats SET state = 'booked', booking_id = b, hold_token = NULL,\n"
    "         hold_expires = NULL\n"
    "   WHERE show_id = p_show AND seat = ANY(p_seats) AND state = 'held'\n"
    "     AND hold_token = p_token;\n"
    "  GET DIAGNOSTICS n = ROW_COUNT;\n"
    "  IF n <> cardinality(p_seats) THEN\n"
    "    RAISE EXCEPTION 'tix: seats no longer held' USING ERRCODE = 'TX001';\n"
    "  END IF;\n"
    "  RETURN b;\n"
    "END $$;"
    /* best-available lite: lowest-numbered free run of n in one row */
    "CREATE FUNCTION tix_best(p_show int, p_tier int, p_n int, p_token bigint,"
    "  p_ttl_ms int) RETURNS int[] LANGUAGE plpgsql AS $$\n"
    "DECLARE r record; run int[] := '{}'; prev int := -2; c int;\n"
    "BEGIN\n"
    "  PERFORM set_config('synchronous_commit', 'off', true);\n"
    "  SELECT cols INTO c FROM shows WHERE id = p_show;\n"
    "  UPDATE seats SET state = 'free', hold_token = NULL, hold_expires = NULL\n"
    "   WHERE show_id = p_show AND seat IN (\n"
    "     SELECT seat FROM seats WHERE show_id = p_show AND state = 'held'\n"
    "        AND hold_expires < now() FOR UPDATE SKIP LOCKED);\n"
    "  IF p_tier > 0 THEN\n"
    "    FOR r IN SELECT seat FROM seats WHERE show_id = p_show\n"
    "               AND state = 'free' AND tier = p_tier ORDER BY seat\n"
    "               LIMIT 512 FOR UPDATE SKIP LOCKED LOOP\n"
    "      IF r.seat = prev + 1 AND r.seat / c = prev / c THEN\n"
    "        run := run || r.seat; ELSE run := ARRAY[r.seat]; END IF;\n"
    "      prev := r.seat;\n"
    "      EXIT WHEN cardinality(run) = p_n;\n"
    "    END LOOP;\n"
    "  ELSE\n"
    "    FOR r IN SELECT seat FROM seats WHERE show_id = p_show\n"
    "               AND state = 'free' ORDER BY tier, seat\n"
    "               LIMIT 512 FOR UPDATE SKIP LOCKED LOOP\n"
    "      IF r.seat = prev + 1 AND r.seat / c = prev / c THEN\n"
    "        run := run || r.seat; ELSE run := ARRAY[r.seat]; END IF;\n"
    "      prev := r.seat;\n"
    "      EXIT WHEN cardinality(run) = p_n;\n"
    "    END LOOP;\n"
    "  END IF;\n"
    "  IF cardinality(run) <> p_n THEN RETURN NULL; END IF;\n"
    "  UPDATE seats SET state = 'held', hold_token = p_token,\n"
    "         hold_expires = now() + p_ttl_ms * interval '1 millisecond'\n"
    "   WHERE show_id = p_show AND seat = ANY(run);\n"
    "  RETURN run;\n"
    "END $$;";

static int pg_exec(PGconn *c, const char *sql, char *err, size_t cap)
{
    PGresult *r = PQexec(c, sql);
    ExecStatusType st = PQresultStatus(r);
    int ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
    if (!ok) snprintf(err, cap, "postgres: %s", PQresultErrorMessage(r));
    PQclear(r);
    return ok ? PEER_OK : PEER_ERR;
}

static void g_stop(peer *p);

static int g_start(const peer_cfg *cfg, peer **out, char *err, size_t cap)
{
    const char *pg_ctl = peer_which(pg_bins);
    if (!pg_ctl) {
        snprintf(err, cap, "no pg_ctl found (install postgresql)");
        return PEER_ERR;
    }
    peer *p = calloc(1, sizeof *p);
    if (!p) return PEER_ERR;
    snprintf(p->bindir, sizeof p->bindir, "%s", pg_ctl);
    *strrchr(p->bindir, '/') = '\0';
    p->durable = cfg->durable;
    snprintf(p->base, sizeof p->base, "%s", cfg->dir);
    snprintf(p->data, sizeof p->data, "%s/data", cfg->dir);
    snprintf(p->log, sizeof p->log, "%s/server.log", cfg->dir);
    if (geteuid() == 0) {
        /* initdb refuses root: the server runs as postgres, in a directory
         * it owns */
        struct passwd *pw = getpwnam("postgres");
        if (!pw) {
            snprintf(err, cap, "running as root and there is no postgres user");
            free(p);
            return PEER_ERR;
        }
        p->user = "postgres";
        if (chown(cfg->dir, pw->pw_uid, pw->pw_gid) != 0) {
            snprintf(err, cap, "chown %s: %s", cfg->dir, strerror(errno));
            free(p);
            return PEER_ERR;
        }
    }
    char initdb[600], ctl[600], opts[1600];
    snprintf(initdb, sizeof initdb, "%s/initdb", p->bindir);
    snprintf(ctl, sizeof ctl, "%s/pg_ctl", p->bindir);
    /* --no-sync only skips syncing the fresh cluster files at init time; the
     * running server fsyncs as configured below. */
    const char *a1[] = {initdb, "-D", p->data, "-A", "trust", "-U", "postgres",
                        "-E", "UTF8", "--locale=C", "--no-sync", NULL};
    if (peer_run(p->user, a1, p->log) != 0) {
        char tail[400];
        peer_log_tail(p->log, tail, sizeof tail);
        snprintf(err, cap, "initdb failed: %s", tail);
        free(p);
        return PEER_ERR;
    }
    snprintf(opts, sizeof opts,
             "-c listen_addresses='' -c unix_socket_directories='%s' "
             "-c max_connections=300 -c shared_buffers=256MB "
             "-c max_wal_size=4GB -c fsync=on -c synchronous_commit=%s "
             "-c full_page_writes=on -c log_min_messages=warning "
             "-c log_min_error_statement=panic",
             p->base, cfg->durable ? "on" : "off");
    const char *a2[] = {ctl, "-D", p->data, "-l", p->log, "-w", "-t", "60",
                        "-o", opts, "start", NULL};
    if (peer_run(p->user, a2, NULL) != 0) {
        char tail[400];
        peer_log_tail(p->log, tail, sizeof tail);
        snprintf(err, cap, "pg_ctl start failed: %s", tail);
        free(p);
        return PEER_ERR;
    }
    p->started = 1;
    snprintf(p->conninfo, sizeof p->conninfo,
             "host=%s dbname=postgres user=postgres", p->base);
    p->admin = PQconnectdb(p->conninfo);
    if (PQstatus(p->admin) != CONNECTION_OK) {
        snprintf(err, cap, "connect: %s", PQerrorMessage(p->admin));
        g_stop(p);
        return PEER_ERR;
    }
    if (pg_exec(p->admin, schema, err, cap)) {
        g_stop(p);
        return PEER_ERR;
    }
    *out = p;
    return PEER_OK;
}

static void g_stop(peer *p)
{
    if (!p) return;
    if (p->admin) PQfinish(p->admin);
    if (p->started) {
        char ctl[600];
        snprintf(ctl, sizeof ctl, "%s/pg_ctl", p->bindir);
        const char *a[] = {ctl, "-D", p->data, "-m", "fast", "-w", "-t", "60",
                           "stop", NULL};
        if (peer_run(p->user, a, NULL) != 0) {
            const char *b[] = {ctl, "-D", p->data, "-m", "immediate", "-w",
                               "stop", NULL};
            peer_run(p->user, b, NULL);
        }
    }
    free(p);
}

static void g_describe(peer *p, char *buf, size_t cap)
{
    static const char *const keys[] = {
        "server_version", "fsync", "synchronous_commit", "wal_sync_method",
        "full_page_writes", "wal_level", "commit_delay", "shared_buffers",
        "max_wal_size", "checkpoint_timeout", "autovacuum", NULL};
    size_t o = (size_t)snprintf(buf, cap,
                                "server: postgres started by the bench, data %s, "
                                "unix socket in %s (listen_addresses='', no TCP), "
                                "run as %s\nsettings:",
                                p->data, p->base, p->user ? p->user : "the bench's user");
    for (int i = 0; keys[i] && o < cap; i++) {
        char sql[64];
        snprintf(sql, sizeof sql, "SHOW %s", keys[i]);
        PGresult *r = PQexec(p->admin, sql);
        if (PQresultStatus(r) == PGRES_TUPLES_OK && o < cap)
            o += (size_t)snprintf(buf + o, cap - o, " %s=%s", keys[i],
                                  PQgetvalue(r, 0, 0));
        PQclear(r);
    }
    if (o < cap)
        snprintf(buf + o, cap - o,
                 "\nconfirms: one PL/pgSQL call per confirm, commit with "
                 "synchronous_commit=%s%s\n"
                 "holds/releases/best: set_config('synchronous_commit','off',"
                 "true) in their own transaction (not durable, as allowed)\n"
                 "hold: UPDATE seats SET state='held' WHERE show_id=$1 AND "
                 "seat=ANY($2) AND (state='free' OR hold_expires < now()), all "
                 "or none, in one transaction\n"
                 "best-available: expired holds reclaimed (SKIP LOCKED), lowest "
                 "numbered free seats FOR UPDATE SKIP LOCKED, first run of n in "
                 "a row\n"
                 "clients: libpq, one connection per client thread over the "
                 "unix socket, prepared statements",
                 p->durable ? "on (WAL fsync before the commit returns)"
                            : "off (NOT durable)",
                 p->durable ? "; concurrent commits share WAL flushes" : "");
}

static int g_show_create(peer *p, const peer_layout *l, uint64_t *show)
{
    if (p->n_shows == PG_MAX_SHOWS) return PEER_ERR;
    char err[512], sql[1024], bounds[256];
    uint64_t id = p->n_shows + 1;
    size_t o = 0;
    for (uint32_t t = 0; t + 1 < l->n_tiers; t++)
        o += (size_t)snprintf(bounds + o, sizeof bounds - o, "%s%u", t ? "," : "",
                              l->tier_row_end[t]);
    bounds[o] = '\0';
    snprintf(sql, sizeof sql,
             "BEGIN; INSERT INTO shows VALUES(%llu, %u, %u, %u);"
             "INSERT INTO seats(show_id, seat, row_no, tier) SELECT %llu, g, g / %u,"
             " 1 + (SELECT count(*) FROM unnest('{%s}'::int[]) b WHERE g / %u >= b)"
             " FROM generate_series(0, %u) g; COMMIT;",
             (unsigned long long)id, l->rows, l->cols, l->n_tiers,
             (unsigned long long)id, l->cols, bounds, l->cols,
             peer_layout_seats(l) - 1);
    if (pg_exec(p->admin, sql, err, sizeof err)) {
        fprintf(stderr, "tix-bench: postgres show_create: %s\n", err);
        return PEER_ERR;
    }
    if (pg_exec(p->admin, "VACUUM ANALYZE seats", err, sizeof err) ||
        pg_exec(p->admin, "CHECKPOINT", err, sizeof err)) {
        fprintf(stderr, "tix-bench: postgres vacuum: %s\n", err);
        return PEER_ERR;
    }
    p->shows[p->n_shows].id = id;
    p->shows[p->n_shows].l = *l;
    p->n_shows++;
    *show = id;
    return PEER_OK;
}

static peer_conn *g_connect(peer *p, char *err, size_t cap)
{
    peer_conn *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    c->p = p;
    c->c = PQconnectdb(p->conninfo);
    if (PQstatus(c->c) != CONNECTION_OK) {
        snprintf(err, cap, "connect: %s", PQerrorMessage(c->c));
        PQfinish(c->c);
        free(c);
        return NULL;
    }
    static const char *const stmts[][2] = {
        {"hold", "SELECT tix_hold($1, $2, $3, $4)"},
        {"release", "SELECT tix_release($1, $2, $3)"},
        {"confirm", "SELECT tix_confirm($1, $2, $3, $4, $5)"},
        {"best", "SELECT tix_best($1, $2, $3, $4, $5)"},
        {"avail",
         "SELECT tier, count(*), count(*) FILTER (WHERE state = 'booked'),"
         " count(*) FILTER (WHERE state = 'held' AND hold_expires >= now())"
         " FROM seats WHERE show_id = $1 GROUP BY tier ORDER BY tier"},
        {"seatmap",
         "SELECT seat, CASE WHEN state = 'booked' THEN 2 WHEN state = 'held' AND"
         " hold_expires >= now() THEN 1 ELSE 0 END FROM seats WHERE show_id = $1"
         " ORDER BY seat"},
        {"reviews",
         "SELECT id, user_id, rating, text, created_at FROM reviews"
         " WHERE movie_id = 1 ORDER BY id DESC LIMIT $1"},
        {"verify",
         "SELECT (SELECT count(*) FROM seats WHERE show_id = $1 AND"
         " state = 'booked'), count(*), coalesce(sum(cardinality(seats)), 0)"
         " FROM bookings WHERE show_id = $1"}};
    for (size_t i = 0; i < sizeof stmts / sizeof stmts[0]; i++) {
        PGresult *r = PQprepare(c->c, stmts[i][0], stmts[i][1], 0, NULL);
        int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
        if (!ok) snprintf(err, cap, "prepare %s: %s", stmts[i][0], PQresultErrorMessage(r));
        PQclear(r);
        if (!ok) {
            PQfinish(c->c);
            free(c);
            return NULL;
        }
    }
    return c;
}

static void g_disconnect(peer_conn *c)
{
    if (!c) return;
    PQfinish(c->c);
    free(c);
}

static const char *g_error(peer_conn *c) { return c->err; }

/* Runs prepared statement @p name; returns the result when it has rows or
 * succeeded, else NULL with c->err set (*conflict = 1 for a seat conflict
 * raised by tix_confirm, a deadlock or a serialization failure). */
static PGresult *run(peer_conn *c, const char *name, int n, const char *const *v,
                     int *conflict)
{
    PGresult *r = PQexecPrepared(c->c, name, n, v, NULL, NULL, 0);
    ExecStatusType st = PQresultStatus(r);
    if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK) return r;
    const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
    if (conflict)
        *conflict = state && (strcmp(state, "TX001") == 0 ||
                              strcmp(state, "40P01") == 0 ||
                              strcmp(state, "40001") == 0);
    snprintf(c->err, sizeof c->err, "postgres %s: %s", name, PQresultErrorMessage(r));
    PQclear(r);
    return NULL;
}

static void arr(char *buf, size_t cap, const uint32_t *seats, uint32_t n)
{
    size_t o = (size_t)snprintf(buf, cap, "{");
    for (uint32_t i = 0; i < n && o < cap; i++)
        o += (size_t)snprintf(buf + o, cap - o, "%s%u", i ? "," : "", seats[i]);
    if (o < cap) snprintf(buf + o, cap - o, "}");
}

static int g_hold(peer_conn *c, uint64_t show, const uint32_t *seats,
                  uint32_t n, uint32_t ttl, peer_hold *h)
{
    char s_show[24], s_seats[128], s_tok[24], s_ttl[24];
    uint64_t token = peer_token();
    snprintf(s_show, sizeof s_show, "%llu", (unsigned long long)show);
    arr(s_seats, sizeof s_seats, seats, n);
    snprintf(s_tok, sizeof s_tok, "%llu", (unsigned long long)token);
    snprintf(s_ttl, sizeof s_ttl, "%u", ttl * 1000);
    const char *v[] = {s_show, s_seats, s_tok, s_ttl};
    int conflict = 0;
    PGresult *r = run(c, "hold", 4, v, &conflict);
    if (!r) return conflict ? PEER_CONFLICT : PEER_ERR;
    int ok = PQntuples(r) == 1 && PQgetvalue(r, 0, 0)[0] == 't';
    PQclear(r);
    if (!ok) return PEER_CONFLICT;
    h->show = show;
    h->n = n;
    memcpy(h->seats, seats, n * sizeof *seats);
    h->token = token;
    h->native = NULL;
    return PEER_OK;
}

static int g_best(peer_conn *c, uint64_t show, uint32_t tier, uint32_t n,
                  uint32_t ttl, peer_hold *h)
{
    char s_show[24], s_tier[16], s_n[16], s_tok[24], s_ttl[24];
    uint64_t token = peer_token();
    snprintf(s_show, sizeof s_show, "%llu", (unsigned long long)show);
    snprintf(s_tier, sizeof s_tier, "%u", tier);
    snprintf(s_n, sizeof s_n, "%u", n);
    snprintf(s_tok, sizeof s_tok, "%llu", (unsigned long long)token);
    snprintf(s_ttl, sizeof s_ttl, "%u", ttl * 1000);
    const char *v[] = {s_show, s_tier, s_n, s_tok, s_ttl};
    int conflict = 0;
    PGresult *r = run(c, "best", 5, v, &conflict);
    if (!r) return conflict ? PEER_CONFLICT : PEER_ERR;
    int rc = PEER_CONFLICT;
    if (PQntuples(r) == 1 && !PQgetisnull(r, 0, 0)) {
        const char *s = PQgetvalue(r, 0, 0); /* "{12,13}" */
        uint32_t k = 0;
        for (const char *q = s; *q && k < PEER_MAX_HOLD;) {
            if (*q >= '0' && *q <= '9') {
                char *end;
                h->seats[k++] = (uint32_t)strtoul(q, &end, 10);
                q = end;
            } else {
                q++;
            }
        }
        if (k == n) {
            h->show = show;
            h->n = n;
            h->token = token;
            h->native = NULL;
            rc = PEER_OK;
        } else {
            snprintf(c->err, sizeof c->err, "postgres best: bad result %s", s);
            rc = PEER_ERR;
        }
    }
    PQclear(r);
    return rc;
}

static int g_release(peer_conn *c, peer_hold *h)
{
    char s_show[24], s_seats[128], s_tok[24];
    snprintf(s_show, sizeof s_show, "%llu", (unsigned long long)h->show);
    arr(s_seats, sizeof s_seats, h->seats, h->n);
    snprintf(s_tok, sizeof s_tok, "%llu", (unsigned long long)h->token);
    const char *v[] = {s_show, s_seats, s_tok};
    PGresult *r = run(c, "release", 3, v, NULL);
    if (!r) return PEER_ERR;
    PQclear(r);
    return PEER_OK;
}

static int g_confirm(peer_conn *c, peer_hold *h, uint32_t user, const char *ref,
                     uint64_t *booking)
{
    char s_show[24], s_seats[128], s_tok[24], s_user[16];
    snprintf(s_show, sizeof s_show, "%llu", (unsigned long long)h->show);
    arr(s_seats, sizeof s_seats, h->seats, h->n);
    snprintf(s_tok, sizeof s_tok, "%llu", (unsigned long long)h->token);
    snprintf(s_user, sizeof s_user, "%u", user + 1);
    const char *v[] = {s_show, s_seats, s_tok, s_user, ref};
    int conflict = 0;
    PGresult *r = run(c, "confirm", 5, v, &conflict);
    if (!r) return conflict ? PEER_CONFLICT : PEER_ERR;
    if (booking) *booking = strtoull(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    return PEER_OK;
}

static int g_avail(peer_conn *c, uint64_t show, peer_avail *out)
{
    memset(out, 0, sizeof *out);
    char s_show[24];
    snprintf(s_show, sizeof s_show, "%llu", (unsigned long long)show);
    const char *v[] = {s_show};
    PGresult *r = run(c, "avail", 1, v, NULL);
    if (!r) return PEER_ERR;
    for (int i = 0; i < PQntuples(r) && out->n_tiers < PEER_MAX_TIERS; i++) {
        peer_counts *t = &out->tiers[out->n_tiers++];
        t->total = (uint32_t)strtoul(PQgetvalue(r, i, 1), NULL, 10);
        t->booked = (uint32_t)strtoul(PQgetvalue(r, i, 2), NULL, 10);
        t->held = (uint32_t)strtoul(PQgetvalue(r, i, 3), NULL, 10);
        t->free = t->total - t->booked - t->held;
        out->all.total += t->total;
        out->all.booked += t->booked;
        out->all.held += t->held;
        out->all.free += t->free;
    }
    PQclear(r);
    return PEER_OK;
}

static int g_seat_map(peer_conn *c, uint64_t show, uint8_t *states, uint32_t cap)
{
    char s_show[24];
    snprintf(s_show, sizeof s_show, "%llu", (unsigned long long)show);
    const char *v[] = {s_show};
    PGresult *r = run(c, "seatmap", 1, v, NULL);
    if (!r) return PEER_ERR;
    for (int i = 0; i < PQntuples(r); i++) {
        uint32_t seat = (uint32_t)strtoul(PQgetvalue(r, i, 0), NULL, 10);
        if (seat < cap) states[seat] = (uint8_t)(PQgetvalue(r, i, 1)[0] - '0');
    }
    PQclear(r);
    return PEER_OK;
}

static int g_reviews(peer_conn *c, uint32_t limit, uint64_t *sink)
{
    char s_lim[16];
    snprintf(s_lim, sizeof s_lim, "%u", limit);
    const char *v[] = {s_lim};
    PGresult *r = run(c, "reviews", 1, v, NULL);
    if (!r) return PEER_ERR;
    for (int i = 0; i < PQntuples(r); i++)
        *sink += strtoull(PQgetvalue(r, i, 0), NULL, 10) +
                 strtoull(PQgetvalue(r, i, 2), NULL, 10) +
                 (uint64_t)PQgetlength(r, i, 3);
    PQclear(r);
    return PEER_OK;
}

static int g_verify(peer_conn *c, uint64_t show, peer_verify *out)
{
    memset(out, 0, sizeof *out);
    char s_show[24];
    snprintf(s_show, sizeof s_show, "%llu", (unsigned long long)show);
    const char *v[] = {s_show};
    PGresult *r = run(c, "verify", 1, v, NULL);
    if (!r) return PEER_ERR;
    out->booked_seats = strtoull(PQgetvalue(r, 0, 0), NULL, 10);
    out->bookings = strtoull(PQgetvalue(r, 0, 1), NULL, 10);
    out->booking_seats = strtoull(PQgetvalue(r, 0, 2), NULL, 10);
    PQclear(r);
    return PEER_OK;
}

const peer_ops peer_pg_ops = {
    .name = "postgres", .start = g_start, .stop = g_stop, .describe = g_describe,
    .show_create = g_show_create, .connect = g_connect,
    .disconnect = g_disconnect, .error = g_error, .hold = g_hold,
    .best = g_best, .release = g_release, .confirm = g_confirm,
    .hold_done = NULL, .avail = g_avail, .seat_map = g_seat_map,
    .reviews = g_reviews, .verify = g_verify};
