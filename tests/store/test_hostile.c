/* The store in a hostile environment: a full map, a full filesystem, a
 * read-only store, files from a newer format version, a seats.map that is
 * not a file, and a second open of one store in one process.
 * (Foreign, truncated, corrupt and pre-reboot seats.map files are covered
 * by test_seatmap.c; faults of single calls by tests/fault.)
 *
 * Some cases need a private mount namespace (a small tmpfs that fills up;
 * a read-only bind mount, which even root cannot write through). They run
 * in a forked child that unshares its mount namespace -- as root, or as
 * an ordinary user through a user namespace -- and are reported skipped
 * when the system allows neither. Permission bits (chmod 0500) are not a
 * test of anything as root, who bypasses them; that case runs only as an
 * ordinary user. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <xxhash.h>

#include "codec.h"
#include "tables.h"
#include "db.h"
#include "engine.h"
#include "invariants.h"
#include "testutil.h"

/* ---- helpers ------------------------------------------------------------- */

static void path_in(char *out, size_t cap, const char *dir, const char *name)
{
    snprintf(out, cap, "%s/%s", dir, name);
}

/* XXH3 of a whole file (0 when missing). */
static uint64_t file_hash(const char *path)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0) return 0;
    XXH3_state_t *st = XXH3_createState();
    XXH3_64bits_reset(st);
    char buf[65536];
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0) XXH3_64bits_update(st, buf, (size_t)n);
    close(fd);
    uint64_t h = XXH3_64bits_digest(st);
    XXH3_freeState(st);
    return h;
}

/* A store with a catalog, a show, a user and one booking (seat 0), closed.
 * Returns the booking's show. */
typedef struct populated {
    char *base;
    char dir[600];
    tt_catalog c;
    tix_id show, user, booking;
    char code[TIX_TICKET_CODE_LEN + 1];
} populated;

static void populate(populated *p, const tix_config *cfg)
{
    memset(p, 0, sizeof *p);
    p->base = tt_tmpdir();
    path_in(p->dir, sizeof p->dir, p->base, "store");
    tix_db *db;
    assert_ok(tix_db_open(p->dir, cfg, &db));
    tt_make_catalog(db, 4, 10, &p->c);
    tix_show sh = {.movie_id = p->c.movie, .screen_id = p->c.screen,
                   .start = tix_db_now(db) + 86400};
    assert_ok(tix_show_create(db, &sh, &p->show));
    tix_user u = {.name = "Ravi", .email = "ravi@example.com"};
    assert_ok(tix_user_create(db, &u, &p->user));
    assert_ok(tix_outbox_register(db, "mail", 0));
    uint32_t s = 0;
    tix_hold *h;
    assert_ok(tix_hold_create(db, p->show, &s, 1, NULL, &h));
    tix_confirm_opts o = {.user_id = p->user, .payment_ref = "populated"};
    assert_ok(tix_hold_confirm(db, h, &o, &p->booking));
    tix_hold_free(h);
    tix_booking *b;
    assert_ok(tix_booking_get(db, p->booking, &b));
    memcpy(p->code, b->tickets[0].code, sizeof p->code);
    tix_booking_free(b);
    tix_db_close(db);
}

static void depopulate(populated *p)
{
    tt_rmrf(p->base);
    free(p->base);
}

/* ---- a full map ------------------------------------------------------------ */

/* map_size_max == map_size: the map cannot grow. Every write that does not
 * fit gives TIX_EFULL and leaves every table as it was; a confirm that does
 * not fit books nothing and keeps its hold; the store stays consistent,
 * reopens, and works again once it may grow. */
static void full_map_writes_fail_whole(void **state)
{
    (void)state;
    tix_config cfg;
    tt_config(&cfg);
    cfg.map_size = cfg.map_size_max = (size_t)256 << 10; /* the minimum */
    populated p;
    populate(&p, &cfg);
    tix_db *db;
    assert_ok(tix_db_open(p.dir, &cfg, &db));
    /* Hold seats first: seats.map is not in the LMDB map. */
    uint32_t seats[] = {5, 6};
    tix_hold *h;
    assert_ok(tix_hold_create(db, p.show, seats, 2, NULL, &h));

    char synopsis[TIX_TEXT_MAX + 1];
    memset(synopsis, 's', TIX_TEXT_MAX);
    synopsis[TIX_TEXT_MAX] = '\0';
    unsigned movies = 0, users = 0, full = 0;
    int rc;
    for (;;) { /* big records until one does not fit */
        tix_movie m = {.title = "Filler", .duration_min = 90, .synopsis = synopsis};
        uint64_t before = tt_digest(db);
        if ((rc = tix_movie_create(db, &m, NULL)) == TIX_OK) {
            movies++;
            continue;
        }
        assert_int_equal(rc, TIX_EFULL);
        assert_true(tt_digest(db) == before);
        full++;
        break;
    }
    for (;;) { /* then small ones */
        char email[64];
        snprintf(email, sizeof email, "filler%u@example.com", users);
        tix_user u = {.name = "Filler", .email = email};
        uint64_t before = tt_digest(db);
        if ((rc = tix_user_create(db, &u, NULL)) == TIX_OK) {
            users++;
            continue;
        }
        assert_int_equal(rc, TIX_EFULL);
        assert_true(tt_digest(db) == before);
        full++;
        break;
    }
    /* A confirm now: it needs a booking, tickets, seat rows, indexes and an
     * outbox event -- all of it or nothing. */
    uint64_t before = tt_digest(db);
    tix_confirm_opts o = {.user_id = p.user, .payment_ref = "when-full"};
    tix_id id = 0;
    rc = tix_hold_confirm(db, h, &o, &id);
    int confirmed = rc == TIX_OK;
    if (!confirmed) {
        assert_int_equal(rc, TIX_EFULL);
        assert_true(tt_digest(db) == before);
        uint8_t st[40];
        assert_ok(tix_show_seat_states(db, p.show, st, sizeof st));
        assert_int_equal(st[5], TIX_SEAT_HELD); /* the hold is kept */
        assert_int_equal(st[6], TIX_SEAT_HELD);
        tix_booking *b;
        assert_int_equal(tix_booking_find_payment(db, "when-full", &b),
                         TIX_ENOTFOUND);
        full++;
    }
    /* Check-in and cancel of the earlier booking: done or not at all. */
    before = tt_digest(db);
    rc = tix_ticket_checkin(db, p.code, "Gate", NULL);
    if (rc) {
        assert_int_equal(rc, TIX_EFULL);
        assert_true(tt_digest(db) == before);
        full++;
    }
    before = tt_digest(db);
    rc = tix_booking_cancel_ex(db, p.booking, TIX_CANCEL_AFTER_CHECKIN);
    if (rc) {
        assert_int_equal(rc, TIX_EFULL);
        assert_true(tt_digest(db) == before);
        full++;
    }
    print_message("full map: %u movies and %u users fitted, %u writes refused "
                  "with TIX_EFULL; the confirm %s\n", movies, users, full,
                  confirmed ? "still fitted" : "was refused and kept its hold");
    tt_inv_opts io = {.run_check = 1};
    tt_inv_assert(db, &io, NULL);
    tix_db_close(db);

    /* Reopens full; with room to grow, the kept hold confirms. */
    assert_ok(tix_db_open(p.dir, &cfg, &db));
    tt_inv_assert(db, &io, NULL);
    tix_db_close(db);
    cfg.map_size_max = (size_t)4 << 20;
    assert_ok(tix_db_open(p.dir, &cfg, &db));
    if (!confirmed) assert_ok(tix_hold_confirm(db, h, &o, &id));
    tix_movie m = {.title = "After", .duration_min = 90, .synopsis = synopsis};
    assert_ok(tix_movie_create(db, &m, NULL));
    tt_inv_assert(db, &io, NULL);
    tix_db_close(db);
    tix_hold_free(h);
    depopulate(&p);
}

/* ---- private mount namespaces ------------------------------------------- */

#define SKIP_STATUS 77

static int write_file(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY);
    if (fd < 0) return -1;
    ssize_t n = write(fd, text, strlen(text));
    close(fd);
    return n == (ssize_t)strlen(text) ? 0 : -1;
}

/* In a forked child: a mount namespace of its own, as root or through a
 * user namespace. 0, or -1 when the system allows neither. */
static int private_mounts(void)
{
    if (unshare(CLONE_NEWNS) != 0) {
        uid_t uid = geteuid();
        gid_t gid = getegid();
        if (unshare(CLONE_NEWUSER | CLONE_NEWNS) != 0) return -1;
        char map[64];
        snprintf(map, sizeof map, "0 %u 1", (unsigned)uid);
        if (write_file("/proc/self/setgroups", "deny") ||
            write_file("/proc/self/uid_map", map))
            return -1;
        snprintf(map, sizeof map, "0 %u 1", (unsigned)gid);
        if (write_file("/proc/self/gid_map", map)) return -1;
    }
    return mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL) == 0 ? 0 : -1;
}

#define CHECK(cond, ...)                                                      \
    do {                                                                      \
        if (!(cond)) {                                                        \
            fprintf(stderr, "%s:%d: ", __FILE__, __LINE__);                   \
            fprintf(stderr, __VA_ARGS__);                                     \
            fprintf(stderr, " [%s]\n", tix_errmsg());                         \
            _exit(1);                                                         \
        }                                                                     \
    } while (0)

/* Runs @p fn(arg) in a child with private mounts; 0 = passed, fails the
 * test otherwise, prints "skipped" when namespaces are unavailable. */
static int in_namespace(const char *what, int (*fn)(void *), void *arg)
{
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        /* cmocka's handlers would turn a crash into a "failed test" and go
         * on running the other tests in this child: die of it instead. */
        int sigs[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT};
        for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++)
            signal(sigs[i], SIG_DFL);
        if (private_mounts()) _exit(SKIP_STATUS);
        _exit(fn(arg));
    }
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == SKIP_STATUS) {
        print_message("%s: skipped (no mount namespace here)\n", what);
        return SKIP_STATUS;
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        fail_msg("%s: child %s %d", what,
                 WIFEXITED(status) ? "exited with" : "killed by signal",
                 WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
    return 0;
}

/* ---- a map that cannot be mapped any bigger ---------------------------- */

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define UNDER_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define UNDER_SANITIZER 1
#endif
#endif

#ifndef UNDER_SANITIZER
static int as_limit_child(void)
{
    /* A store whose map may grow without limit, in a process whose address
     * space runs out first: growing fails in mmap. */
    char *base = tt_tmpdir();
    char dir[700];
    path_in(dir, sizeof dir, base, "store");
    tix_config cfg;
    tt_config(&cfg);
    cfg.map_size = (size_t)1 << 20;
    cfg.map_size_max = 0;
    cfg.seatmap_reserve = (size_t)2 << 20;
    tix_db *db;
    CHECK(tix_db_open(dir, &cfg, &db) == TIX_OK, "open");
    tix_id movie;
    tix_movie m = {.title = "Kept", .duration_min = 90};
    CHECK(tix_movie_create(db, &m, &movie) == TIX_OK, "movie");
    /* what the process maps now, plus 48 MiB for the map to grow into */
    size_t vm_kb = 0;
    FILE *st = fopen("/proc/self/status", "r");
    char line[256];
    while (st && fgets(line, sizeof line, st))
        if (sscanf(line, "VmSize: %zu kB", &vm_kb) == 1) break;
    if (st) fclose(st);
    CHECK(vm_kb > 0, "VmSize");
    rlim_t lim = ((rlim_t)vm_kb << 10) + ((rlim_t)48 << 20);
    struct rlimit rl = {lim, lim};
    CHECK(setrlimit(RLIMIT_AS, &rl) == 0, "setrlimit");
    static char synopsis[TIX_TEXT_MAX + 1];
    memset(synopsis, 's', TIX_TEXT_MAX);
    m.synopsis = synopsis;
    int rc = TIX_OK, n = 0;
    while (rc == TIX_OK && n < 200000) {
        rc = tix_movie_create(db, &m, NULL);
        n++;
    }
    CHECK(rc == TIX_EFULL || rc == TIX_ENOMEM, "filling -> %d", rc);
    /* the store still works: reads, and writes that fit */
    tix_movie *got;
    CHECK(tix_movie_get(db, movie, &got) == TIX_OK, "read after a failed growth");
    tix_movie_free(got);
    m.synopsis = "";
    rc = tix_movie_create(db, &m, NULL);
    CHECK(rc == TIX_OK || rc == TIX_EFULL, "small write -> %d", rc);
    tix_db_close(db);
    rl.rlim_cur = rl.rlim_max = RLIM_INFINITY;
    setrlimit(RLIMIT_AS, &rl); /* may fail (lowering is one way): harmless */
    CHECK(tix_db_open(dir, &cfg, &db) == TIX_OK, "reopen");
    CHECK(tt_inv_check(db, NULL, NULL) == 0, "invariants");
    tix_db_close(db);
    tt_rmrf(base);
    free(base);
    return 0;
}
#endif

/* When the map cannot be mapped bigger (address space exhausted), the
 * write fails with TIX_EFULL and the store keeps working: LMDB unmaps the
 * old map before mapping the new size, so a failed growth used to leave
 * no map at all and the next transaction crashed. */
static void map_growth_failure_keeps_the_store(void **state)
{
    (void)state;
#ifdef UNDER_SANITIZER
    print_message("skipped under a sanitizer (it needs the address space)\n");
#else
    if (getenv("TIX_UNDER_VALGRIND")) { /* tests/valgrind.sh */
        print_message("skipped under valgrind (it needs the address space)\n");
        return;
    }
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        signal(SIGSEGV, SIG_DFL);
        signal(SIGBUS, SIG_DFL);
        signal(SIGABRT, SIG_DFL);
        _exit(as_limit_child());
    }
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        fail_msg("child %s %d", WIFEXITED(status) ? "exited with" : "killed by",
                 WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
#endif
}

/* ---- a full filesystem ---------------------------------------------------- */

static int put_raw(tix_db *db, MDB_txn *txn, void *arg);

/* A small catalog without cmocka (runs in a child). */
static int child_catalog(tix_db *db, tix_id *screen, tix_id *movie,
                         tix_id *user)
{
    tix_place pc = {.kind = TIX_PLACE_COUNTRY, .name = "India"};
    tix_id country, st, city, venue, tier;
    int rc = tix_place_create(db, &pc, &country);
    tix_place ps = {.kind = TIX_PLACE_STATE, .parent_id = country, .name = "Goa"};
    if (!rc) rc = tix_place_create(db, &ps, &st);
    tix_place pt = {.kind = TIX_PLACE_CITY, .parent_id = st, .name = "Panaji"};
    if (!rc) rc = tix_place_create(db, &pt, &city);
    tix_venue v = {.city_id = city, .name = "INOX"};
    if (!rc) rc = tix_venue_create(db, &v, &venue);
    tix_screen s = {.venue_id = venue, .name = "1", .ideal_x = 5, .ideal_y = 3};
    if (!rc) rc = tix_screen_create(db, &s, screen);
    tix_tier t = {.screen_id = *screen, .name = "All", .price_minor = 100,
                  .currency = "INR"};
    if (!rc) rc = tix_tier_create(db, &t, &tier);
    tix_seat_spec seats[10];
    for (uint32_t i = 0; i < 10; i++)
        seats[i] = (tix_seat_spec){.number = i + 1, .x = i, .y = 0, .tier_id = tier};
    tix_row_spec row = {"A", seats, 10};
    if (!rc) rc = tix_seats_add_rows(db, *screen, &row, 1, NULL);
    tix_movie m = {.title = "Full", .duration_min = 100};
    if (!rc) rc = tix_movie_create(db, &m, movie);
    tix_user u = {.name = "Sam", .email = "sam@example.com"};
    if (!rc) rc = tix_user_create(db, &u, user);
    return rc;
}

/* Fills the filesystem of @p dir; returns the filler's path in @p out. */
static void fill_fs(const char *dir, char *out, size_t cap)
{
    path_in(out, cap, dir, "filler");
    int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    CHECK(fd >= 0, "filler");
    static char block[65536];
    memset(block, 'f', sizeof block);
    size_t chunk = sizeof block;
    while (chunk >= 512) { /* big writes, then ever smaller ones */
        ssize_t n = write(fd, block, chunk);
        if (n < 0 && errno == ENOSPC) chunk /= 2;
        else CHECK(n > 0, "filler write");
    }
    fsync(fd);
    close(fd);
}

static int full_fs_child(void *arg)
{
    const char *mnt = arg;
    CHECK(mount("tixfull", mnt, "tmpfs", 0, "size=8m,mode=0700") == 0,
          "mount tmpfs: %s", strerror(errno));
    char dir[700];
    path_in(dir, sizeof dir, mnt, "store");
    tix_config cfg;
    tt_config(&cfg);
    cfg.durability = TIX_SYNC_FULL;
    cfg.map_size = (size_t)64 << 20; /* sparse: the filesystem fills first */
    tix_db *db;
    CHECK(tix_db_open(dir, &cfg, &db) == TIX_OK, "open");
    tix_id screen, movie, user, show, later;
    CHECK(child_catalog(db, &screen, &movie, &user) == TIX_OK, "catalog");
    tix_show sh = {.movie_id = movie, .screen_id = screen, .start = tt_now + 86400};
    CHECK(tix_show_create(db, &sh, &show) == TIX_OK, "show");
    /* A second show whose seats.map region lies beyond the file (as after
     * some 30000 shows: the test moves the region counter on), so its
     * first use must grow seats.map on the full filesystem. */
    uint8_t next[8];
    tix__be64_put(next, 400000); /* words: 3.2 MB into the file */
    MDB_val kv[3] = {{(size_t)TIX_T_META, NULL}, {12, "seatmap_next"},
                     {8, next}};
    CHECK(tix__db_write(db, put_raw, kv) == TIX_OK, "region counter");
    sh.start = tt_now + 2 * 86400;
    CHECK(tix_show_create(db, &sh, &later) == TIX_OK, "later show");
    uint32_t s = 1;
    tix_hold *h;
    CHECK(tix_hold_create(db, show, &s, 1, NULL, &h) == TIX_OK, "hold");
    MDB_envinfo before_info;
    mdb_env_info(db->env, &before_info);

    char filler[800];
    fill_fs(mnt, filler, sizeof filler);

    /* LMDB writes fail with ENOSPC once its file must grow (pages freed
     * earlier are reused first): TIX_EFULL, nothing changed, and the map
     * is not "grown" for a disk that is full. */
    static char synopsis[TIX_TEXT_MAX + 1];
    memset(synopsis, 's', TIX_TEXT_MAX);
    tix_movie m = {.title = "No room", .duration_min = 90, .synopsis = synopsis};
    int rc = TIX_OK, fitted = 0;
    uint64_t digest = 0;
    while (rc == TIX_OK && fitted < 5000) {
        digest = tt_digest(db);
        if ((rc = tix_movie_create(db, &m, NULL)) == TIX_OK) fitted++;
    }
    CHECK(rc == TIX_EFULL, "movie on a full filesystem -> %d after %d", rc,
          fitted);
    CHECK(tt_digest(db) == digest, "a refused write changed the store");
    MDB_envinfo info;
    mdb_env_info(db->env, &info);
    CHECK(info.me_mapsize == before_info.me_mapsize,
          "the map grew from %zu to %zu bytes on a full disk",
          before_info.me_mapsize, info.me_mapsize);
    tix_confirm_opts o = {.user_id = user, .payment_ref = "no-room"};
    tix_id id;
    rc = tix_hold_confirm(db, h, &o, &id);
    CHECK(rc == TIX_EFULL, "confirm on a full filesystem -> %d", rc);
    CHECK(tt_digest(db) == digest, "a refused confirm changed the store");
    /* seats.map must grow for the later show: TIX_EFULL, not SIGBUS. */
    tix_hold *h2 = NULL;
    rc = tix_hold_create(db, later, &s, 1, NULL, &h2);
    CHECK(rc == TIX_EFULL && !h2, "hold needing seats.map growth -> %d", rc);

    /* Room again: the kept hold confirms, everything agrees. */
    CHECK(unlink(filler) == 0, "unlink filler");
    CHECK(tix_hold_confirm(db, h, &o, &id) == TIX_OK, "confirm after");
    CHECK(tix_hold_create(db, later, &s, 1, NULL, &h2) == TIX_OK, "hold after");
    tix_hold_free(h2);
    tix_hold_free(h);
    tt_inv_opts io = {.run_check = 1};
    CHECK(tt_inv_check(db, &io, NULL) == 0, "invariants");
    tix_db_close(db);
    CHECK(tix_db_open(dir, &cfg, &db) == TIX_OK, "reopen");
    CHECK(tt_inv_check(db, &io, NULL) == 0, "invariants after reopen");
    tix_db_close(db);
    umount(mnt);
    return 0;
}

static void full_filesystem(void **state)
{
    (void)state;
    char *base = tt_tmpdir();
    in_namespace("full filesystem (tmpfs)", full_fs_child, base);
    tt_rmrf(base);
    free(base);
}

/* ---- a read-only store ------------------------------------------------- */

/* Every write through a read-only handle is TIX_EPERM and no file of the
 * store changes; reads work. */
static int readonly_writes_refused(const char *dir, int *writes)
{
    tix_config cfg;
    tt_config(&cfg);
    cfg.flags = TIX_OPEN_READONLY;
    tix_db *db;
    int rc = tix_db_open(dir, &cfg, &db);
    if (rc) return rc;
    int bad = 0;
    *writes = 0;
#define MUST_EPERM(expr)                                                       \
    do {                                                                       \
        int r_ = (expr);                                                       \
        (*writes)++;                                                           \
        if (r_ != TIX_EPERM) {                                                 \
            fprintf(stderr, "%s -> %d, want TIX_EPERM\n", #expr, r_);          \
            bad++;                                                             \
        }                                                                      \
    } while (0)
    tix_place pl = {.kind = TIX_PLACE_COUNTRY, .name = "Nepal"};
    MUST_EPERM(tix_place_create(db, &pl, NULL));
    tix_movie m = {.title = "RO", .duration_min = 90};
    MUST_EPERM(tix_movie_create(db, &m, NULL));
    tix_user u = {.name = "RO", .email = "ro@example.com"};
    MUST_EPERM(tix_user_create(db, &u, NULL));
    MUST_EPERM(tix_outbox_register(db, "sms", 0));
    MUST_EPERM(tix_outbox_ack(db, "mail", 1));
    MUST_EPERM(tix_outbox_trim(db, NULL));
    uint32_t s = 3;
    tix_hold *h = NULL;
    MUST_EPERM(tix_hold_create(db, 1, &s, 1, NULL, &h));
    MUST_EPERM(tix_booking_cancel(db, 1));
    MUST_EPERM(tix_seats_block(db, 1, &s, 1));
    tix_review r = {.movie_id = 1, .user_id = 1, .rating = 5};
    MUST_EPERM(tix_review_create(db, &r, NULL));
#undef MUST_EPERM
    /* a ticket check-in is a write too */
    tix_booking *b;
    if ((rc = tix_booking_get(db, 1, &b))) {
        fprintf(stderr, "read through a read-only handle -> %d\n", rc);
        bad++;
    } else {
        rc = tix_ticket_checkin(db, b->tickets[0].code, "Gate", NULL);
        (*writes)++;
        if (rc != TIX_EPERM) {
            fprintf(stderr, "check-in read-only -> %d\n", rc);
            bad++;
        }
        tix_booking_free(b);
    }
    tix_event_list *l;
    if (tix_outbox_read(db, "mail", 10, &l) != TIX_OK) bad++;
    else tix_event_list_free(l);
    tix_db_close(db);
    return bad ? TIX_EINVAL : TIX_OK;
}

static void readonly_handle(void **state)
{
    (void)state;
    tix_config cfg;
    tt_config(&cfg);
    populated p;
    populate(&p, &cfg);
    char data[700], map[700];
    path_in(data, sizeof data, p.dir, "data.mdb");
    path_in(map, sizeof map, p.dir, "seats.map");
    uint64_t hd = file_hash(data), hm = file_hash(map);
    int writes;
    assert_ok(readonly_writes_refused(p.dir, &writes));
    assert_true(file_hash(data) == hd);
    assert_true(file_hash(map) == hm);
    print_message("read-only handle: %d writes refused with TIX_EPERM, files "
                  "unchanged\n", writes);
    depopulate(&p);
}

static int ro_mount_child(void *arg)
{
    const char *dir = arg;
    CHECK(mount(dir, dir, "none", MS_BIND, NULL) == 0, "bind: %s", strerror(errno));
    CHECK(mount("none", dir, "none", MS_REMOUNT | MS_BIND | MS_RDONLY, NULL) == 0,
          "remount ro: %s", strerror(errno));
    /* root included: a read-only mount is enforced for everyone */
    char probe[700];
    path_in(probe, sizeof probe, dir, "probe");
    CHECK(open(probe, O_WRONLY | O_CREAT, 0600) < 0 && errno == EROFS,
          "the mount is writable");
    tix_config cfg;
    tt_config(&cfg);
    tix_db *db = NULL;
    int rc = tix_db_open(dir, &cfg, &db);
    CHECK(rc == TIX_EPERM && !db, "read-write open of a read-only store -> %d",
          rc);
    int writes;
    rc = readonly_writes_refused(dir, &writes);
    CHECK(rc == TIX_OK, "read-only open on a read-only mount -> %d", rc);
    return 0;
}

/* A read-only bind mount of the store directory: a read-write open fails
 * with TIX_EPERM (not a crash, not a half-open store); TIX_OPEN_READONLY
 * works (LMDB runs without its lock file there) and refuses writes. */
static void readonly_mount(void **state)
{
    (void)state;
    tix_config cfg;
    tt_config(&cfg);
    populated p;
    populate(&p, &cfg);
    char data[700];
    path_in(data, sizeof data, p.dir, "data.mdb");
    uint64_t hd = file_hash(data);
    in_namespace("read-only bind mount", ro_mount_child, p.dir);
    assert_true(file_hash(data) == hd);
    depopulate(&p);
}

/* chmod 0500 on the directory and 0400 on its files: only meaningful for
 * an ordinary user (root ignores permission bits). */
static void readonly_permissions(void **state)
{
    (void)state;
    if (geteuid() == 0) {
        print_message("permission bits: skipped as root (root bypasses them; "
                      "readonly_mount covers a store root cannot write)\n");
        return;
    }
    tix_config cfg;
    tt_config(&cfg);
    populated p;
    populate(&p, &cfg);
    const char *files[] = {"data.mdb", "lock.mdb", "seats.map"};
    char f[700];
    for (int i = 0; i < 3; i++) {
        path_in(f, sizeof f, p.dir, files[i]);
        assert_int_equal(chmod(f, 0400), 0);
    }
    assert_int_equal(chmod(p.dir, 0500), 0);
    tix_db *db = NULL;
    assert_code(tix_db_open(p.dir, &cfg, &db), TIX_EPERM);
    assert_null(db);
    /* LMDB needs its lock file writable even to read: a read-only open of
     * a store whose lock file is read-only fails with TIX_EPERM too. */
    cfg.flags = TIX_OPEN_READONLY;
    int rc = tix_db_open(p.dir, &cfg, &db);
    assert_true(rc == TIX_EPERM || rc == TIX_OK);
    if (rc == TIX_OK) tix_db_close(db);
    assert_int_equal(chmod(p.dir, 0700), 0);
    depopulate(&p);
}

/* ---- files of a newer format ---------------------------------------------- */

/* LMDB's meta pages (pages 0 and 1) carry the data format version right
 * after the magic: page header (16 bytes), mm_magic (4), mm_version (4). */
static void patch_meta_version(const char *data, uint32_t version)
{
    int fd = open(data, O_RDWR);
    assert_true(fd >= 0);
    long page = sysconf(_SC_PAGESIZE);
    for (int m = 0; m < 2; m++) {
        uint32_t magic;
        assert_int_equal(pread(fd, &magic, 4, m * page + 16), 4);
        assert_int_equal(magic, 0xBEEFC0DE);
        assert_int_equal(pwrite(fd, &version, 4, m * page + 20), 4);
    }
    close(fd);
}

static void newer_lmdb_format(void **state)
{
    (void)state;
    tix_config cfg;
    tt_config(&cfg);
    populated p;
    populate(&p, &cfg);
    char data[700];
    path_in(data, sizeof data, p.dir, "data.mdb");
    patch_meta_version(data, 2);
    uint64_t hd = file_hash(data);
    tix_db *db = NULL;
    int rc = tix_db_open(p.dir, &cfg, &db);
    assert_true(rc == TIX_EVERSION || rc == TIX_ECORRUPT);
    assert_null(db);
    assert_true(tix_errmsg()[0] != '\0');
    cfg.flags = TIX_OPEN_READONLY;
    rc = tix_db_open(p.dir, &cfg, &db);
    assert_true(rc == TIX_EVERSION || rc == TIX_ECORRUPT);
    assert_true(file_hash(data) == hd); /* refused without writing */
    /* the same file with its real version opens and is intact */
    patch_meta_version(data, 1);
    cfg.flags = 0;
    assert_ok(tix_db_open(p.dir, &cfg, &db));
    tt_inv_assert(db, NULL, NULL);
    tix_db_close(db);
    print_message("LMDB data version 2: open refused with %s\n", tix_strerror(rc));
    depopulate(&p);
}

static int put_raw(tix_db *db, MDB_txn *txn, void *arg)
{
    const MDB_val *kv = arg; /* {table as size, key, value} */
    MDB_val k = kv[1], v = kv[2];
    return mdb_put(txn, db->dbi[kv[0].mv_size], &k, &v, 0) ? TIX_EIO : TIX_OK;
}

static void put_record(tix_db *db, int table, const void *key, size_t klen,
                       const void *val, size_t vlen)
{
    MDB_val kv[3] = {{(size_t)table, NULL}, {klen, (void *)key},
                     {vlen, (void *)val}};
    assert_ok(tix__db_write(db, put_raw, kv));
}

/* The libtix store record says format 2: refused with TIX_EVERSION. A
 * booking record of a newer record version: that booking reads as
 * TIX_EVERSION (never as garbage), the rest of the store still works. */
static void newer_store_and_record_versions(void **state)
{
    (void)state;
    tix_config cfg;
    tt_config(&cfg);
    populated p;
    populate(&p, &cfg);
    tix_db *db;
    assert_ok(tix_db_open(p.dir, &cfg, &db));
    /* a booking record from the future: type, version 200, then anything */
    MDB_txn *txn;
    assert_ok(tix__db_read_begin(db, &txn));
    uint8_t key[8];
    tix__be64_put(key, p.booking);
    MDB_val k = {8, key}, v;
    assert_int_equal(mdb_get(txn, db->dbi[TIX_T_BOOKINGS], &k, &v), 0);
    uint8_t *copy = malloc(v.mv_size);
    memcpy(copy, v.mv_data, v.mv_size);
    size_t vlen = v.mv_size;
    tix__db_read_end(db, txn);
    uint8_t version = copy[1];
    copy[1] = 200;
    put_record(db, TIX_T_BOOKINGS, key, 8, copy, vlen);
    tix_booking *b = NULL;
    assert_code(tix_booking_get(db, p.booking, &b), TIX_EVERSION);
    assert_null(b);
    assert_code(tix_booking_cancel(db, p.booking), TIX_EVERSION);
    tix_movie *m;
    assert_ok(tix_movie_get(db, p.c.movie, &m)); /* the rest reads */
    tix_movie_free(m);
    copy[1] = version;
    put_record(db, TIX_T_BOOKINGS, key, 8, copy, vlen);
    free(copy);
    assert_ok(tix_booking_get(db, p.booking, &b));
    tix_booking_free(b);

    /* the store record: u8 type, u8 version 1, u32 format, identity, secret */
    assert_ok(tix__db_read_begin(db, &txn));
    MDB_val sk = {5, "store"}, sv;
    assert_int_equal(mdb_get(txn, db->dbi[TIX_T_META], &sk, &sv), 0);
    uint8_t rec[64];
    assert_true(sv.mv_size <= sizeof rec);
    memcpy(rec, sv.mv_data, sv.mv_size);
    size_t rlen = sv.mv_size;
    tix__db_read_end(db, txn);
    rec[2] = 2; /* format 2, little-endian u32 */
    put_record(db, TIX_T_META, "store", 5, rec, rlen);
    tix_db_close(db);
    db = NULL;
    assert_code(tix_db_open(p.dir, &cfg, &db), TIX_EVERSION);
    assert_null(db);
    cfg.flags = TIX_OPEN_READONLY;
    assert_code(tix_db_open(p.dir, &cfg, &db), TIX_EVERSION);
    depopulate(&p);
}

/* ---- seats.map that is not a regular file -------------------------------- */

/* seats.map replaced by a directory: the open fails cleanly; LMDB is not
 * touched. */
static void seatmap_is_a_directory(void **state)
{
    (void)state;
    tix_config cfg;
    tt_config(&cfg);
    populated p;
    populate(&p, &cfg);
    char map[700], data[700];
    path_in(map, sizeof map, p.dir, "seats.map");
    path_in(data, sizeof data, p.dir, "data.mdb");
    assert_int_equal(unlink(map), 0);
    assert_int_equal(mkdir(map, 0700), 0);
    uint64_t hd = file_hash(data);
    tix_db *db = NULL;
    int rc = tix_db_open(p.dir, &cfg, &db);
    assert_true(rc < 0);
    assert_null(db);
    assert_true(file_hash(data) == hd);
    print_message("seats.map is a directory: open -> %s (%s)\n",
                  tix_strerror(rc), tix_errmsg());
    assert_int_equal(rmdir(map), 0);
    assert_ok(tix_db_open(p.dir, &cfg, &db)); /* rebuilt */
    tt_inv_assert(db, NULL, NULL);
    tix_db_close(db);
    depopulate(&p);
}

/* seats.map a symbolic link to a file outside the store (someone who can
 * write the store directory planted it): the library must not truncate
 * or overwrite that file while it rebuilds its seat map. */
static void seatmap_symlink_is_not_followed(void **state)
{
    (void)state;
    tix_config cfg;
    tt_config(&cfg);
    populated p;
    populate(&p, &cfg);
    char map[700], victim[700];
    path_in(map, sizeof map, p.dir, "seats.map");
    path_in(victim, sizeof victim, p.base, "victim.txt");
    FILE *fp = fopen(victim, "w");
    fputs("precious data\n", fp);
    fclose(fp);
    uint64_t hv = file_hash(victim);
    assert_int_equal(unlink(map), 0);
    assert_int_equal(symlink(victim, map), 0);
    tix_db *db = NULL;
    int rc = tix_db_open(p.dir, &cfg, &db);
    if (rc == TIX_OK) {
        tt_inv_assert(db, NULL, NULL);
        tix_db_close(db);
    }
    assert_true(file_hash(victim) == hv);
    print_message("seats.map is a symlink: open -> %s, its target untouched\n",
                  tix_strerror(rc));
    depopulate(&p);
}

/* ---- one store, one open per process -------------------------------------- */

static void second_open_by_other_spellings(void **state)
{
    (void)state;
    tix_config cfg;
    tt_config(&cfg);
    populated p;
    populate(&p, &cfg);
    tix_db *db, *db2 = (tix_db *)1;
    assert_ok(tix_db_open(p.dir, &cfg, &db));
    char alias[800], link[700];
    snprintf(alias, sizeof alias, "%s/", p.dir);
    assert_code(tix_db_open(alias, &cfg, &db2), TIX_EBUSY);
    assert_null(db2);
    snprintf(alias, sizeof alias, "%s/./", p.dir);
    assert_code(tix_db_open(alias, &cfg, &db2), TIX_EBUSY);
    snprintf(alias, sizeof alias, "%s/../store", p.dir);
    assert_code(tix_db_open(alias, &cfg, &db2), TIX_EBUSY);
    path_in(link, sizeof link, p.base, "link");
    assert_int_equal(symlink(p.dir, link), 0);
    assert_code(tix_db_open(link, &cfg, &db2), TIX_EBUSY);
    char cwd[4096];
    assert_non_null(getcwd(cwd, sizeof cwd));
    assert_int_equal(chdir(p.base), 0);
    assert_code(tix_db_open("store", &cfg, &db2), TIX_EBUSY);
    assert_int_equal(chdir(cwd), 0);
    tix_config ro = cfg;
    ro.flags = TIX_OPEN_READONLY;
    assert_code(tix_db_open(p.dir, &ro, &db2), TIX_EBUSY);
    /* the first handle is unharmed by the refused opens */
    tt_inv_assert(db, NULL, NULL);
    tix_db_close(db);
    assert_ok(tix_db_open(link, &cfg, &db)); /* free again after close */
    tix_db_close(db);
    depopulate(&p);
}

#define RACERS 8

typedef struct racer {
    const char *dir;
    pthread_barrier_t *go;
    tix_db *db;
    int rc;
} racer;

static void *race_open(void *arg)
{
    racer *r = arg;
    tix_config cfg;
    tt_config(&cfg);
    pthread_barrier_wait(r->go);
    r->rc = tix_db_open(r->dir, &cfg, &r->db);
    return NULL;
}

/* Eight threads open one store at once: exactly one gets it. */
static void concurrent_opens_one_wins(void **state)
{
    (void)state;
    tix_config cfg;
    tt_config(&cfg);
    populated p;
    populate(&p, &cfg);
    for (int round = 0; round < 20; round++) {
        pthread_barrier_t go;
        pthread_barrier_init(&go, NULL, RACERS);
        racer r[RACERS];
        pthread_t t[RACERS];
        for (int i = 0; i < RACERS; i++) {
            r[i] = (racer){.dir = p.dir, .go = &go};
            assert_int_equal(pthread_create(&t[i], NULL, race_open, &r[i]), 0);
        }
        int ok = 0, busy = 0;
        for (int i = 0; i < RACERS; i++) {
            pthread_join(t[i], NULL);
            if (r[i].rc == TIX_OK) ok++;
            else if (r[i].rc == TIX_EBUSY && !r[i].db) busy++;
        }
        pthread_barrier_destroy(&go);
        assert_int_equal(ok, 1);
        assert_int_equal(busy, RACERS - 1);
        for (int i = 0; i < RACERS; i++) tix_db_close(r[i].db);
    }
    depopulate(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(full_map_writes_fail_whole),
        cmocka_unit_test(full_filesystem),
        cmocka_unit_test(map_growth_failure_keeps_the_store),
        cmocka_unit_test(readonly_handle),
        cmocka_unit_test(readonly_mount),
        cmocka_unit_test(readonly_permissions),
        cmocka_unit_test(newer_lmdb_format),
        cmocka_unit_test(newer_store_and_record_versions),
        cmocka_unit_test(seatmap_is_a_directory),
        cmocka_unit_test(seatmap_symlink_is_not_followed),
        cmocka_unit_test(second_open_by_other_spellings),
        cmocka_unit_test(concurrent_opens_one_wins),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
