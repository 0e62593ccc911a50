/*
 * sharded: a multi-process deployment on one machine: 2 shards, each a
 * primary and a follower (4 processes), a router in front, NATS JetStream
 * underneath (docs/scaling.md, docs/replication.md).
 *
 *   sharded [base-dir]        (default ./sharded-stores)
 *
 * Needs nats-server on PATH (Debian nats-server); it starts one node with
 * JetStream for the run (R=1: a production cluster has three) and exits
 * 77 (skipped) without it.
 *
 *  - Placement: the shard map lives in a JetStream KV bucket
 *    (tix_placement_*): a venue's shard is jump_consistent_hash(XXH3(code),
 *    2), unless an override pins it. Everything about a show lives on its
 *    venue's shard, so a sale touches one shard.
 *  - Each shard's primary (a process) sells: it answers "sell" requests on
 *    tix.shard.<n>.sell. Its store is replicated through the stream
 *    SHARD<n>; its follower (another process, its own store seeded from a
 *    backup) applies that stream and answers reads on tix.shard.<n>.read.
 *  - The router sends each sale to its shard's primary and fans a city's
 *    listing out to every shard's follower, merging by start time. Global
 *    ids carry the shard in the top 8 bits: gid = shard << 56 | id.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <nats/nats.h>

#include "tix.h"

static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "sharded[%d]: ", (int)getpid());
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}

#define CHECK(call)                                                          \
    do {                                                                     \
        int rc_ = (call);                                                    \
        if (rc_ != TIX_OK)                                                   \
            die("%s: %s: %s", #call, tix_strerror(rc_), tix_errmsg());       \
    } while (0)

#define N_SHARDS 2
#define GID_SHARD(g) ((int)((g) >> 56))
#define GID_LOCAL(g) ((g) & ((1ULL << 56) - 1))
#define GID(shard, id) ((uint64_t)(shard) << 56 | (id))

static const char *const cities[2] = {"Bengaluru", "Mumbai"};
static const struct {
    const char *code, *name;
    int city;
} venues[] = {
    {"blr-cubbon-cineplex", "Cubbon Cineplex", 0},
    {"blr-whitefield-talkies", "Whitefield Talkies", 0},
    {"blr-jayanagar-screens", "Jayanagar Screens", 0},
    {"bom-andheri-lotus", "Lotus Multiplex Andheri", 1},
    {"bom-colaba-regal", "Colaba Regal", 1},
    {"bom-powai-lakeside", "Powai Lakeside", 1},
};
#define N_VENUES (sizeof venues / sizeof *venues)

static volatile sig_atomic_t stopping;
static void on_term(int sig) { (void)sig; stopping = 1; }

static void store_config(tix_config *cfg, const char *urls, int shard, unsigned role)
{
    static char stream[16];
    snprintf(stream, sizeof stream, "SHARD%d", shard);
    tix_config_init(cfg);
    cfg->durability = TIX_SYNC_NOMETA;
    cfg->repl_urls = urls;
    cfg->repl_stream = stream;
    cfg->repl_role = role;
    cfg->repl_replicas = 1; /* one nats-server in this example */
}

/* ---- the shard processes -------------------------------------------------- */

/* "sell SHOW N USER PAYREF" -> "OK BOOKING" or "ERR TIX_E...: detail". */
static void sell(tix_db *db, const char *req, char *out, size_t cap)
{
    unsigned long long show, user;
    unsigned n;
    char ref[64];
    if (sscanf(req, "sell %llu %u %llu %63s", &show, &n, &user, ref) != 4) {
        snprintf(out, cap, "ERR bad request");
        return;
    }
    tix_hold *h;
    tix_id booking = 0;
    int rc = tix_hold_best(db, show, n, NULL, &h);
    if (rc == TIX_OK) {
        tix_confirm_opts o = {.user_id = user, .payment_ref = ref};
        rc = tix_hold_confirm(db, h, &o, &booking);
        if (rc) tix_hold_release(db, h);
        tix_hold_free(h);
    }
    if (rc) snprintf(out, cap, "ERR %s: %s", tix_strerror(rc), tix_errmsg());
    else snprintf(out, cap, "OK %llu", (unsigned long long)booking);
}

/* "lag" -> "LAG n"; "city CITY DATE" -> lines "SHOW START FREE VENUE".
 * Places are created in the same order on every shard: a city has the
 * same id everywhere. */
static void read_req(tix_db *db, const char *req, char *out, size_t cap)
{
    if (!strcmp(req, "lag")) {
        tix_replica_info info;
        if (tix_replica_status(db, &info) != TIX_OK) snprintf(out, cap, "ERR %s", tix_errmsg());
        else snprintf(out, cap, "LAG %llu", (unsigned long long)info.lag);
        return;
    }
    unsigned long long city;
    unsigned date;
    if (sscanf(req, "city %llu %u", &city, &date) != 2) {
        snprintf(out, cap, "ERR bad request");
        return;
    }
    tix_show_list *l = NULL;
    size_t used = 0;
    out[0] = 0;
    CHECK(tix_show_list_by_city(db, city, date, 0, &l));
    for (size_t i = 0; i < l->count && used < cap; i++) {
        tix_venue *v;
        tix_avail *a;
        CHECK(tix_venue_get(db, l->items[i].venue_id, &v));
        CHECK(tix_show_availability(db, l->items[i].id, &a));
        used += (size_t)snprintf(out + used, cap - used, "%llu %lld %u %s\n",
                                 (unsigned long long)l->items[i].id,
                                 (long long)l->items[i].start, a->all.free, v->name);
        tix_venue_free(v);
        tix_avail_free(a);
    }
    tix_show_list_free(l);
}

static int serve(const char *role, int shard, const char *dir, const char *urls)
{
    signal(SIGTERM, on_term);
    int primary = !strcmp(role, "primary");
    tix_config cfg;
    store_config(&cfg, urls, shard, primary ? TIX_REPL_PRIMARY : TIX_REPL_FOLLOWER);
    tix_db *db;
    CHECK(tix_db_open(dir, &cfg, &db));
    natsConnection *nc;
    natsSubscription *sub;
    char subject[64];
    snprintf(subject, sizeof subject, "tix.shard.%d.%s", shard, primary ? "sell" : "read");
    if (natsConnection_ConnectTo(&nc, urls) != NATS_OK ||
        natsConnection_SubscribeSync(&sub, nc, subject) != NATS_OK)
        die("%s %d: cannot subscribe to %s", role, shard, subject);
    natsConnection_Flush(nc);
    static char reply[16384];
    while (!stopping) {
        if (!primary) {
            int rc = tix_replica_follow(db, 20, NULL);
            if (rc) die("follower %d: %s: %s", shard, tix_strerror(rc), tix_errmsg());
        }
        natsMsg *m = NULL;
        if (natsSubscription_NextMsg(&m, sub, 20) != NATS_OK) continue;
        char req[256];
        snprintf(req, sizeof req, "%.*s", natsMsg_GetDataLength(m), natsMsg_GetData(m));
        if (primary) sell(db, req, reply, sizeof reply);
        else read_req(db, req, reply, sizeof reply);
        if (natsMsg_GetReply(m))
            natsConnection_PublishString(nc, natsMsg_GetReply(m), reply);
        natsMsg_Destroy(m);
    }
    natsSubscription_Destroy(sub);
    natsConnection_Destroy(nc);
    tix_db_close(db);
    return 0;
}

/* ---- setting up: nats-server, the shard map, the shards' catalogs -------- */

static int free_port(void)
{
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof a) != 0 ||
        getsockname(s, (struct sockaddr *)&a, &len) != 0)
        die("no free port: %s", strerror(errno));
    close(s);
    return ntohs(a.sin_port);
}

/* Runs @p argv; its output goes to @p log when given. */
static pid_t spawn(char *const argv[], const char *log)
{
    pid_t pid = fork();
    if (pid < 0) die("fork: %s", strerror(errno));
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGTERM); /* no orphan when the router dies */
        int fd = log ? open(log, O_WRONLY | O_CREAT | O_APPEND, 0600) : -1;
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
        }
        execvp(argv[0], argv);
        _exit(127);
    }
    return pid;
}

static void sleep_ms(long ms)
{
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&t, NULL);
}

/* The shard map, once nats-server takes JetStream requests (bounded). */
static tix_placement *placement_open(const char *urls)
{
    tix_placement *p = NULL;
    for (int i = 0; i < 100 && tix_placement_open(urls, "sharded_example", &p) != TIX_OK; i++)
        sleep_ms(100);
    if (!p) die("nats-server at %s did not come up: %s", urls, tix_errmsg());
    return p;
}

typedef struct shard_refs {
    tix_id city[2], movie, user;
} shard_refs;

static void shard_catalog(tix_db *db, shard_refs *s)
{
    tix_id in, st[2];
    static const char *const states[2] = {"Karnataka", "Maharashtra"};
    CHECK(tix_place_create(db, &(tix_place){.kind = TIX_PLACE_COUNTRY, .name = "India"}, &in));
    for (int i = 0; i < 2; i++) {
        CHECK(tix_place_create(db, &(tix_place){.kind = TIX_PLACE_STATE, .parent_id = in,
                                                .name = states[i]}, &st[i]));
        CHECK(tix_place_create(db, &(tix_place){.kind = TIX_PLACE_CITY, .parent_id = st[i],
                                                .name = cities[i], .utc_offset_min = 330},
                               &s->city[i]));
    }
    /* Movies and users exist on every shard (same order, so same ids); a
     * real deployment keeps accounts in their own service. */
    CHECK(tix_movie_create(db, &(tix_movie){.title = "Orbit 9", .duration_min = 165}, &s->movie));
    CHECK(tix_user_create(db, &(tix_user){.name = "Asha Rao", .email = "asha@example.com"},
                          &s->user));
}

static tix_id add_venue(tix_db *db, const shard_refs *refs, size_t v, int64_t start)
{
    tix_id venue, screen, tier, show;
    CHECK(tix_venue_create(db, &(tix_venue){.city_id = refs->city[venues[v].city],
                                            .name = venues[v].name}, &venue));
    CHECK(tix_screen_create(db, &(tix_screen){.venue_id = venue, .name = "Screen 1"}, &screen));
    CHECK(tix_tier_create(db, &(tix_tier){.screen_id = screen, .name = "Standard",
                                          .price_minor = 25000, .currency = "INR"}, &tier));
    tix_seat_spec seats[2][20];
    for (int row = 0; row < 2; row++)
        for (int i = 0; i < 20; i++)
            seats[row][i] = (tix_seat_spec){.number = (uint32_t)i + 1, .x = i, .y = row,
                                            .tier_id = tier};
    tix_row_spec rows[2] = {{"A", seats[0], 20}, {"B", seats[1], 20}};
    CHECK(tix_seats_add_rows(db, screen, rows, 2, NULL));
    CHECK(tix_show_create(db, &(tix_show){.movie_id = refs->movie, .screen_id = screen,
                                          .start = start + (int64_t)v * 900}, &show));
    return show;
}

/* Builds shard @p s's primary store with the venues the map gives it and
 * seeds its follower from a backup. Returns the local date of the shows. */
static uint32_t shard_build(const char *base, const char *urls, tix_placement *p, int s,
                            uint64_t show_gid[N_VENUES], shard_refs *refs)
{
    char dir[4200], copy[4300];
    snprintf(dir, sizeof dir, "%s/shard-%d", base, s);
    snprintf(copy, sizeof copy, "%s/shard-%d-follower", base, s);
    tix_config cfg;
    store_config(&cfg, urls, s, TIX_REPL_PRIMARY);
    tix_db *db;
    CHECK(tix_db_open(dir, &cfg, &db));
    shard_catalog(db, refs);
    int64_t start = (tix_db_now(db) / 86400 + 2) * 86400 + 12 * 3600;
    uint32_t date = 0;
    for (size_t v = 0; v < N_VENUES; v++) {
        uint32_t shard;
        int pinned;
        CHECK(tix_placement_shard_of(p, venues[v].code, &shard, &pinned));
        if ((int)shard != s) continue;
        tix_id show = add_venue(db, refs, v, start);
        show_gid[v] = GID(s, show);
        tix_show *sh;
        CHECK(tix_show_get(db, show, &sh));
        date = sh->local_date;
        tix_show_free(sh);
        printf("  %-24s -> shard %d%s (show gid %#llx)\n", venues[v].code, s,
               pinned ? " (override)" : "", (unsigned long long)show_gid[v]);
    }
    CHECK(tix_db_backup(db, copy));
    tix_db_close(db);
    return date;
}

/* ---- the router ----------------------------------------------------------- */

static int request(natsConnection *nc, const char *subject, const char *req, char *out,
                   size_t cap)
{
    for (int attempt = 0; attempt < 100; attempt++) { /* the process may be starting */
        natsMsg *m = NULL;
        if (natsConnection_RequestString(&m, nc, subject, req, 2000) == NATS_OK) {
            snprintf(out, cap, "%.*s", natsMsg_GetDataLength(m), natsMsg_GetData(m));
            natsMsg_Destroy(m);
            return 0;
        }
        sleep_ms(100);
    }
    return -1;
}

typedef struct gshow {
    uint64_t gid;
    long long start;
    unsigned free;
    char venue[128];
} gshow;

static int gshow_cmp(const void *a, const void *b)
{
    const gshow *x = a, *y = b;
    if (x->start != y->start) return x->start < y->start ? -1 : 1;
    return x->gid < y->gid ? -1 : x->gid > y->gid;
}

/* Scatter to every shard's follower, gather, merge by start time. */
static size_t city_shows(natsConnection *nc, tix_id city, uint32_t date, gshow *out,
                         size_t max)
{
    size_t n = 0;
    for (int s = 0; s < N_SHARDS; s++) {
        char subject[64], req[96], rep[16384];
        snprintf(subject, sizeof subject, "tix.shard.%d.read", s);
        snprintf(req, sizeof req, "city %llu %u", (unsigned long long)city, date);
        if (request(nc, subject, req, rep, sizeof rep)) die("shard %d: no answer", s);
        for (char *save = NULL, *line = strtok_r(rep, "\n", &save); line && n < max;
             line = strtok_r(NULL, "\n", &save)) {
            unsigned long long id;
            int used = 0;
            if (sscanf(line, "%llu %lld %u %n", &id, &out[n].start, &out[n].free, &used) < 3)
                die("shard %d answered '%s'", s, line);
            out[n].gid = GID(s, id);
            snprintf(out[n].venue, sizeof out[n].venue, "%s", line + used);
            n++;
        }
    }
    qsort(out, n, sizeof *out, gshow_cmp);
    return n;
}

static void followers_current(natsConnection *nc)
{
    for (int s = 0; s < N_SHARDS; s++) {
        char subject[64], rep[64] = "";
        snprintf(subject, sizeof subject, "tix.shard.%d.read", s);
        for (int i = 0; i < 100; i++) {
            if (request(nc, subject, "lag", rep, sizeof rep)) die("shard %d: no answer", s);
            if (!strcmp(rep, "LAG 0")) break;
            sleep_ms(50);
        }
        if (strcmp(rep, "LAG 0")) die("follower %d did not catch up: %s", s, rep);
    }
}

static void placement_demo(tix_placement *p)
{
    int moved = 0, total = 1000;
    uint32_t a[1000];
    CHECK(tix_placement_set_shards(p, 2));
    for (int i = 0; i < total; i++) {
        char code[32];
        snprintf(code, sizeof code, "venue-%05d", i);
        CHECK(tix_placement_shard_of(p, code, &a[i], NULL));
    }
    CHECK(tix_placement_set_shards(p, 3));
    for (int i = 0; i < total; i++) {
        char code[32];
        uint32_t b;
        snprintf(code, sizeof code, "venue-%05d", i);
        CHECK(tix_placement_shard_of(p, code, &b, NULL));
        if (a[i] != b && b != 2) die("jump hash moved %s between old shards", code);
        moved += a[i] != b;
    }
    printf("growing 2 -> 3 shards moves %.1f%% of %d venues (ideal 33.3%%), all "
           "to the new shard\n", 100.0 * moved / total, total);
    if (moved < total * 28 / 100 || moved > total * 39 / 100) die("unexpected spread");
    CHECK(tix_placement_set_shards(p, N_SHARDS));
    /* A venue pinned by hand: the map's override beats the hash. */
    uint32_t hashed;
    CHECK(tix_placement_override(p, "bom-colaba-regal", -1));
    CHECK(tix_placement_shard_of(p, "bom-colaba-regal", &hashed, NULL));
    CHECK(tix_placement_override(p, "bom-colaba-regal", 1 - (int64_t)hashed));
}

int main(int argc, char **argv)
{
    if (argc == 6 && !strcmp(argv[1], "serve")) return serve(argv[2], atoi(argv[3]), argv[4], argv[5]);
    const char *base = argc > 1 ? argv[1] : "sharded-stores";
    if (system("command -v nats-server >/dev/null 2>&1") != 0) {
        printf("sharded: SKIPPED: nats-server is not installed (Debian nats-server)\n");
        return 77;
    }
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", base);
    if (system(cmd) != 0 || mkdir(base, 0700) != 0) die("cannot prepare %s", base);

    /* One nats-server with JetStream for the run. */
    char port[16], jsdir[4200], urls[64];
    snprintf(port, sizeof port, "%d", free_port());
    snprintf(jsdir, sizeof jsdir, "%s/nats", base);
    snprintf(urls, sizeof urls, "nats://127.0.0.1:%s", port);
    char *nats_argv[] = {"nats-server", "-a", "127.0.0.1", "-p", port, "-js", "-sd", jsdir,
                         NULL};
    char log[4300];
    snprintf(log, sizeof log, "%s/nats.log", base);
    pid_t nats = spawn(nats_argv, log);
    tix_placement *p = placement_open(urls);
    placement_demo(p);

    printf("\nvenues by the shard map (jump_consistent_hash(XXH3(code), %d) + "
           "overrides):\n", N_SHARDS);
    uint64_t show_gid[N_VENUES] = {0};
    shard_refs refs[N_SHARDS];
    uint32_t date = 0;
    for (int s = 0; s < N_SHARDS; s++) {
        uint32_t d = shard_build(base, urls, p, s, show_gid, &refs[s]);
        if (!d) die("shard %d got no venue", s);
        date = d;
    }
    tix_placement_close(p);

    /* The four processes: a primary and a follower per shard. */
    pid_t kids[2 * N_SHARDS];
    for (int s = 0; s < N_SHARDS; s++)
        for (int f = 0; f < 2; f++) {
            char dir[4300], shard[8];
            snprintf(dir, sizeof dir, "%s/shard-%d%s", base, s, f ? "-follower" : "");
            snprintf(shard, sizeof shard, "%d", s);
            char *a[] = {argv[0], "serve", f ? "follower" : "primary", shard, dir, urls, NULL};
            kids[2 * s + f] = spawn(a, NULL);
        }

    natsConnection *nc;
    if (natsConnection_ConnectTo(&nc, urls) != NATS_OK) die("router: cannot connect");
    printf("\nsales through the router, each to its shard's primary:\n");
    for (size_t v = 0; v < N_VENUES; v++) {
        int s = GID_SHARD(show_gid[v]);
        char subject[64], req[128], rep[512];
        snprintf(subject, sizeof subject, "tix.shard.%d.sell", s);
        snprintf(req, sizeof req, "sell %llu 2 %llu pay-%zu",
                 (unsigned long long)GID_LOCAL(show_gid[v]),
                 (unsigned long long)refs[s].user, v);
        if (request(nc, subject, req, rep, sizeof rep)) die("shard %d: no answer", s);
        if (strncmp(rep, "OK ", 3)) die("sale at %s: %s", venues[v].code, rep);
        printf("  %-24s -> booking %#llx on shard %d\n", venues[v].code,
               (unsigned long long)GID(s, strtoull(rep + 3, NULL, 10)), s);
    }

    followers_current(nc);
    for (int c = 0; c < 2; c++) {
        gshow list[16];
        size_t n = city_shows(nc, refs[0].city[c], date, list, 16);
        printf("\nshows in %s on %u, read from the followers of %d shards:\n", cities[c],
               date, N_SHARDS);
        for (size_t i = 0; i < n; i++) {
            printf("  %#018llx  shard %d  %-24s %u free\n", (unsigned long long)list[i].gid,
                   GID_SHARD(list[i].gid), list[i].venue, list[i].free);
            if (list[i].free != 38) die("a follower missed a booking");
        }
        if (n != 3) die("expected 3 shows in %s, got %zu", cities[c], n);
    }
    natsConnection_Destroy(nc);

    int failed = 0;
    for (size_t k = 0; k < 2 * N_SHARDS; k++) {
        int st;
        kill(kids[k], SIGTERM);
        if (waitpid(kids[k], &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st)) failed++;
    }
    kill(nats, SIGTERM);
    waitpid(nats, NULL, 0);
    if (failed) die("%d shard process(es) failed", failed);
    printf("sharded: ok\n");
    return 0;
}
