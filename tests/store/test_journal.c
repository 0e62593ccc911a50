/* TIX_SYNC_JOURNAL (lib/store/journal.c): a store written in journal mode keeps
 * everything a writer was told was committed, whether the writer process
 * dies (page cache intact: replay over LMDB) or the machine does (LMDB
 * may hold junk where it was written after the last checkpoint: the
 * checkpoint's meta pages are put back, then the journal replayed). The
 * crashes are real: a forked writer _exits without closing. A machine
 * crash is modelled by overwriting with junk every page of data.mdb
 * written since the writer's checkpoint, and making the journal look
 * written in another boot (tix__journal_test_forget_boot). The power-cut
 * test (tests/powerloss) models it write by write.
 *
 * "Same store" is checked with tt_digest, a hash of every key and value
 * of every table, taken by the writer just before it dies. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "journal.h"
#include "testutil.h"

#define ROWS 10
#define PER_ROW 20

typedef struct jfix {
    char *dir;
    char data[1024], ckpt_copy[1024]; /* data.mdb, and its copy */
    tt_catalog c;
    tix_id show, user;
} jfix;

static void jconfig(tix_config *cfg, tix_durability d)
{
    tt_config(cfg);
    cfg->durability = d;
}

static tix_db *jopen(const char *dir, tix_durability d)
{
    tix_config cfg;
    jconfig(&cfg, d);
    tix_db *db = NULL;
    int rc = tix_db_open(dir, &cfg, &db);
    if (rc) fail_msg("open %s -> %s: %s", dir, tix_strerror(rc), tix_errmsg());
    return db;
}

/* A store with a catalog, one show and a user, made in journal mode and
 * closed. */
static int setup(void **state)
{
    jfix *f = calloc(1, sizeof *f);
    tt_now = 1767225600;
    char *base = tt_tmpdir();
    f->dir = malloc(strlen(base) + 8);
    sprintf(f->dir, "%s/store", base);
    snprintf(f->data, sizeof f->data, "%s/data.mdb", f->dir);
    snprintf(f->ckpt_copy, sizeof f->ckpt_copy, "%s/data.at-checkpoint", base);
    free(base);
    tix_db *db = jopen(f->dir, TIX_SYNC_JOURNAL);
    tt_make_catalog(db, ROWS, PER_ROW, &f->c);
    tix_show sh = {.movie_id = f->c.movie, .screen_id = f->c.screen,
                   .start = tt_now + 86400};
    assert_ok(tix_show_create(db, &sh, &f->show));
    tix_user u = {.name = "Ravi", .email = "ravi@example.com",
                  .phone = "+919800000002", .home_city_id = f->c.city};
    assert_ok(tix_user_create(db, &u, &f->user));
    tix_db_close(db);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    jfix *f = *state;
    char *slash = strrchr(f->dir, '/');
    *slash = '\0';
    tt_rmrf(f->dir);
    free(f->dir);
    free(f);
    tix__journal_tune(0, 0);
    return 0;
}

static int copy_file(const char *from, const char *to)
{
    int in = open(from, O_RDONLY), out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    char buf[65536];
    ssize_t n = 0;
    while (in >= 0 && out >= 0 && (n = read(in, buf, sizeof buf)) > 0)
        if (write(out, buf, (size_t)n) != n) n = -1;
    int ok = in >= 0 && out >= 0 && n == 0;
    if (in >= 0) close(in);
    if (out >= 0) close(out);
    return ok ? 0 : -1;
}

/* Books seats first..first+n-1 one confirm each; returns how many. */
static int book_range(tix_db *db, jfix *f, uint32_t first, uint32_t n)
{
    int done = 0;
    for (uint32_t s = first; s < first + n; s++) {
        tix_hold *h;
        if (tix_hold_create(db, f->show, &s, 1, NULL, &h)) return -1;
        char ref[32];
        snprintf(ref, sizeof ref, "pay-%u", s);
        tix_confirm_opts o = {.user_id = f->user, .payment_ref = ref};
        tix_id b;
        int rc = tix_hold_confirm(db, h, &o, &b);
        tix_hold_free(h);
        if (rc) return -1;
        done++;
    }
    return done;
}

/* Forks a writer: it opens the store in journal mode, books @p n seats
 * (calling tix_db_sync, which snapshots, after the first half), sends its
 * digest and dies without closing. Returns the digest. */
static uint64_t crash_writer(jfix *f, uint32_t n)
{
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(fds[0]);
        tix_config cfg;
        jconfig(&cfg, TIX_SYNC_JOURNAL);
        tix_db *db;
        if (tix_db_open(f->dir, &cfg, &db)) _exit(2);
        if (book_range(db, f, 0, n / 2) != (int)(n / 2)) _exit(3);
        if (tix_db_sync(db)) _exit(4);
        /* data.mdb as the checkpoint left it: the pages a power cut may
         * lose from here on are the ones that will differ from it. */
        if (copy_file(f->data, f->ckpt_copy)) _exit(7);
        if (book_range(db, f, n / 2, n - n / 2) != (int)(n - n / 2)) _exit(5);
        uint64_t d = tt_digest(db);
        if (write(fds[1], &d, sizeof d) != (ssize_t)sizeof d) _exit(6);
        _exit(0); /* no close: the journal stays ACTIVE */
    }
    close(fds[1]);
    uint64_t d = 0;
    assert_int_equal(read(fds[0], &d, sizeof d), (ssize_t)sizeof d);
    close(fds[0]);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    return d;
}

/* What a power cut after the writer's checkpoint (tix_db_sync) can do at
 * worst: every page written since (they all differ from the copy taken
 * then, and so do LMDB's meta pages) reaches the disk as junk. The
 * checkpoint's own pages must have been left as they were. */
static void trash_since_checkpoint(jfix *f)
{
    int fd = open(f->data, O_RDWR), old = open(f->ckpt_copy, O_RDONLY);
    assert_true(fd >= 0 && old >= 0);
    struct stat st;
    assert_int_equal(fstat(fd, &st), 0);
    char page[4096], then[4096], junk[4096];
    memset(junk, 0x5a, sizeof junk);
    size_t junked = 0;
    for (off_t at = 0; at < st.st_size; at += (off_t)sizeof page) {
        ssize_t n = pread(fd, page, sizeof page, at);
        ssize_t m = pread(old, then, sizeof then, at);
        assert_true(n > 0);
        if (m == n && memcmp(page, then, (size_t)n) == 0) continue;
        assert_int_equal(pwrite(fd, junk, (size_t)n, at), n);
        junked++;
    }
    close(fd);
    close(old);
    assert_true(junked >= 2); /* at least the meta pages */
    char p[1024];
    snprintf(p, sizeof p, "%s/seats.map", f->dir); /* a reboot rebuilds it */
    unlink(p);
}

static void trash_lmdb(const char *dir)
{
    char p[1024];
    snprintf(p, sizeof p, "%s/data.mdb", dir);
    int fd = open(p, O_WRONLY);
    assert_true(fd >= 0);
    struct stat st;
    assert_int_equal(fstat(fd, &st), 0);
    char junk[4096];
    memset(junk, 0x5a, sizeof junk);
    for (off_t at = 0; at < st.st_size; at += (off_t)sizeof junk)
        assert_int_equal(pwrite(fd, junk, sizeof junk, at), (ssize_t)sizeof junk);
    close(fd);
    snprintf(p, sizeof p, "%s/seats.map", dir); /* a reboot rebuilds it */
    unlink(p);
}

static size_t bookings_of(tix_db *db, jfix *f)
{
    size_t n = 0;
    for (uint32_t s = 0; s < ROWS * PER_ROW; s++) {
        char ref[32];
        snprintf(ref, sizeof ref, "pay-%u", s);
        tix_booking *b;
        if (tix_booking_find_payment(db, ref, &b) != TIX_OK) continue;
        n += b->show_id == f->show;
        tix_booking_free(b);
    }
    return n;
}

static void report_problem(void *ctx, const char *problem)
{
    (void)ctx;
    print_message("check: %s\n", problem);
}

static void expect_consistent(tix_db *db)
{
    tix_check_counts n;
    assert_ok(tix_db_check(db, report_problem, NULL, &n));
    assert_int_equal(n.problems, 0);
    assert_true(n.records > 0);
}

static void journal_state(jfix *f, int want_active)
{
    int active = -1;
    uint64_t txnid, off;
    assert_ok(tix__journal_test_state(f->dir, &active, &txnid, &off));
    assert_int_equal(active, want_active);
}

static void clean_close_leaves_a_clean_journal(void **state)
{
    jfix *f = *state;
    tix_db *db = jopen(f->dir, TIX_SYNC_JOURNAL);
    assert_int_equal(book_range(db, f, 0, 30), 30);
    uint64_t d = tt_digest(db);
    journal_state(f, 1);
    tix_db_close(db);
    journal_state(f, 0);
    /* a clean store needs no journal: trash nothing, reopen both ways */
    db = jopen(f->dir, TIX_SYNC_FULL);
    assert_true(tt_digest(db) == d);
    tix_db_close(db);
    db = jopen(f->dir, TIX_SYNC_JOURNAL);
    assert_true(tt_digest(db) == d);
    assert_int_equal(bookings_of(db, f), 30);
    tix_db_close(db);
}

static void process_crash_keeps_every_confirm(void **state)
{
    jfix *f = *state;
    uint64_t d = crash_writer(f, 40);
    journal_state(f, 1);
    tix_db *db = jopen(f->dir, TIX_SYNC_JOURNAL);
    assert_true(tt_digest(db) == d);
    assert_int_equal(bookings_of(db, f), 40);
    tix_db_close(db);
}

static void process_crash_recovered_by_a_full_sync_open(void **state)
{
    jfix *f = *state;
    uint64_t d = crash_writer(f, 40);
    tix_db *db = jopen(f->dir, TIX_SYNC_FULL);
    assert_true(tt_digest(db) == d);
    tix_db_close(db);
    journal_state(f, 0); /* recovered and marked clean */
}

static void machine_crash_restores_the_checkpoint(void **state)
{
    jfix *f = *state;
    uint64_t d = crash_writer(f, 60);
    trash_since_checkpoint(f);
    assert_ok(tix__journal_test_forget_boot(f->dir));
    tix_db *db = jopen(f->dir, TIX_SYNC_JOURNAL);
    assert_true(tt_digest(db) == d);
    assert_int_equal(bookings_of(db, f), 60);
    expect_consistent(db);
    tix_db_close(db);
}

/* The control: without the boot change the torn LMDB is trusted, which
 * shows the checkpoint path is what saved the previous test. */
static void torn_lmdb_without_a_reboot_is_not_repaired(void **state)
{
    jfix *f = *state;
    (void)crash_writer(f, 10);
    trash_lmdb(f->dir);
    tix_config cfg;
    jconfig(&cfg, TIX_SYNC_JOURNAL);
    tix_db *db = NULL;
    int rc = tix_db_open(f->dir, &cfg, &db);
    assert_true(rc != TIX_OK && db == NULL);
}

/* A second screen of 40 rows x 50 seats, added in one transaction. */
static void add_big_screen(tix_db *db, jfix *f)
{
    tix_screen sc = {.venue_id = f->c.venue, .name = "Audi 2", .ideal_x = 25,
                     .ideal_y = 26};
    tix_id screen, tier;
    assert_ok(tix_screen_create(db, &sc, &screen));
    tix_tier t = {.screen_id = screen, .name = "Club", .price_minor = 30000,
                  .currency = "INR"};
    assert_ok(tix_tier_create(db, &t, &tier));
    enum { BIG_ROWS = 40, BIG_PER_ROW = 50 };
    static tix_seat_spec seats[BIG_ROWS][BIG_PER_ROW];
    static tix_row_spec rows[BIG_ROWS];
    static char labels[BIG_ROWS][8];
    for (int r = 0; r < BIG_ROWS; r++) {
        for (int n = 0; n < BIG_PER_ROW; n++)
            seats[r][n] = (tix_seat_spec){.number = (uint32_t)n + 1, .x = n + 1,
                                          .y = r, .tier_id = tier};
        snprintf(labels[r], sizeof labels[r], "R%d", r + 1);
        rows[r] = (tix_row_spec){labels[r], seats[r], BIG_PER_ROW};
    }
    assert_ok(tix_seats_add_rows(db, screen, rows, BIG_ROWS, NULL));
}

/* A tiny ring (64 KiB, checkpoint when 16 KiB is live): records wrap
 * around it, fill it (writers checkpoint inline) and outgrow it (a
 * 2,000-seat screen import is one big record). After the crash, the
 * machine's restart puts the last checkpoint's meta pages back and replays
 * the wrapped ring after it. */
static void small_ring_wraps_fills_and_grows(void **state)
{
    jfix *f = *state;
    tix__journal_tune(64 << 10, 16 << 10);
    tix_db *db = jopen(f->dir, TIX_SYNC_JOURNAL);
    add_big_screen(db, f);
    tix_db_close(db);
    uint64_t d = crash_writer(f, ROWS * PER_ROW);
    assert_ok(tix__journal_test_forget_boot(f->dir));
    db = jopen(f->dir, TIX_SYNC_JOURNAL);
    assert_true(tt_digest(db) == d);
    assert_int_equal(bookings_of(db, f), ROWS * PER_ROW);
    tix_db_close(db);
}

/* A record whose bytes were damaged ends replay there: the store opens
 * with what came before it, consistent and usable. The writer checkpoints
 * after its first 5 bookings; the first record after that is damaged. */
static void damaged_record_ends_replay(void **state)
{
    jfix *f = *state;
    (void)crash_writer(f, 10);
    int active;
    uint64_t txnid, off;
    assert_ok(tix__journal_test_state(f->dir, &active, &txnid, &off));
    char p[1024];
    snprintf(p, sizeof p, "%s/journal", f->dir);
    int fd = open(p, O_WRONLY);
    assert_true(fd >= 0);
    assert_int_equal(pwrite(fd, "X", 1, (off_t)off + 60), 1);
    close(fd);
    trash_since_checkpoint(f);
    assert_ok(tix__journal_test_forget_boot(f->dir));
    tix_db *db = jopen(f->dir, TIX_SYNC_JOURNAL);
    assert_int_equal(bookings_of(db, f), 5);
    expect_consistent(db);
    assert_int_equal(book_range(db, f, 5, 10), 10); /* and usable */
    tix_db_close(db);
}

/* ---- several journal-mode processes ------------------------------------ */

/* A writer process in journal mode, driven over pipes: each byte it reads
 * is a command ('b': book the next @p step seats of its range, 's':
 * tix_db_sync then copy data.mdb as the checkpoint left it, 'x': copy
 * data.mdb as it is, 'c': close, 'k': die without closing) and it answers
 * each with one byte (0: done). */
typedef struct jproc {
    pid_t pid;
    int cmd, ack;
    uint32_t next, step;
} jproc;

static void jproc_main(jfix *f, int cmd, int ack, uint32_t first, uint32_t step)
{
    tix_config cfg;
    jconfig(&cfg, TIX_SYNC_JOURNAL);
    tix_db *db = NULL;
    char c, ok = 0;
    if (tix_db_open(f->dir, &cfg, &db)) ok = 1;
    if (write(ack, &ok, 1) != 1 || ok) _exit(2);
    while (read(cmd, &c, 1) == 1) {
        ok = 0;
        if (c == 'b') {
            ok = book_range(db, f, first, step) == (int)step ? 0 : 3;
            first += step;
        } else if (c == 's') {
            ok = tix_db_sync(db) || copy_file(f->data, f->ckpt_copy) ? 4 : 0;
        } else if (c == 'x') {
            ok = copy_file(f->data, f->ckpt_copy) ? 4 : 0;
        } else if (c == 'c') {
            tix_db_close(db);
            (void)write(ack, &ok, 1);
            _exit(0);
        } else {
            _exit(0); /* 'k': the journal stays as this process left it */
        }
        if (write(ack, &ok, 1) != 1) _exit(5);
    }
    _exit(6);
}

static void jproc_start(jfix *f, jproc *p, uint32_t first, uint32_t step)
{
    int cmd[2], ack[2];
    assert_int_equal(pipe(cmd), 0);
    assert_int_equal(pipe(ack), 0);
    p->pid = fork();
    assert_true(p->pid >= 0);
    if (p->pid == 0) {
        close(cmd[1]);
        close(ack[0]);
        jproc_main(f, cmd[0], ack[1], first, step);
    }
    close(cmd[0]);
    close(ack[1]);
    p->cmd = cmd[1];
    p->ack = ack[0];
    char ok = 9;
    assert_int_equal(read(p->ack, &ok, 1), 1);
    assert_int_equal(ok, 0);
}

static void jproc_send(jproc *p, char c)
{
    assert_int_equal(write(p->cmd, &c, 1), 1);
}

static void jproc_wait(jproc *p)
{
    char ok = 9;
    assert_int_equal(read(p->ack, &ok, 1), 1);
    assert_int_equal(ok, 0);
}

static void jproc_do(jproc *p, char c)
{
    jproc_send(p, c);
    jproc_wait(p);
}

static void jproc_end(jproc *p, char c)
{
    jproc_send(p, c);
    if (c == 'c') jproc_wait(p);
    int status;
    assert_int_equal(waitpid(p->pid, &status, 0), p->pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    close(p->cmd);
    close(p->ack);
}

/* Two processes confirm into one store at once, both in journal mode,
 * then both die: every confirm either acknowledged is there. */
static void two_processes_write_one_journal(void **state)
{
    jfix *f = *state;
    jproc a, b;
    jproc_start(f, &a, 0, 10);
    jproc_start(f, &b, 100, 10);
    for (int round = 0; round < 5; round++) { /* at once: both in flight */
        jproc_send(&a, 'b');
        jproc_send(&b, 'b');
        jproc_wait(&a);
        jproc_wait(&b);
    }
    jproc_end(&a, 'k');
    jproc_end(&b, 'k');
    journal_state(f, 1);
    tix_db *db = jopen(f->dir, TIX_SYNC_JOURNAL);
    assert_int_equal(bookings_of(db, f), 100);
    expect_consistent(db);
    tix_db_close(db);
}

/* The checkpoint's pin changes hands: A makes a checkpoint (it pins it)
 * and closes while B goes on; B's next commit must checkpoint and pin
 * before it reuses a page, or B's later commits overwrite the pages of
 * the checkpoint the header still names. The copy of data.mdb is taken
 * after that commit of B, and a power cut junks what B wrote after it: a
 * checkpoint whose pages B was free to reuse is junk then. */
static void checkpoint_pin_moves_to_the_process_left(void **state)
{
    jfix *f = *state;
    jproc a, b;
    jproc_start(f, &a, 0, 10);
    jproc_start(f, &b, 100, 10);
    jproc_do(&a, 'b');
    jproc_do(&b, 'b');
    jproc_do(&a, 's');
    jproc_end(&a, 'c'); /* not the last: the journal stays active */
    journal_state(f, 1);
    jproc_do(&b, 'b');
    jproc_do(&b, 'x');
    for (int i = 0; i < 3; i++) jproc_do(&b, 'b');
    jproc_end(&b, 'k');
    trash_since_checkpoint(f);
    assert_ok(tix__journal_test_forget_boot(f->dir));
    tix_db *db = jopen(f->dir, TIX_SYNC_JOURNAL);
    assert_int_equal(bookings_of(db, f), 60);
    expect_consistent(db);
    tix_db_close(db);
}

/* A writer in another mode is kept out while a journal-mode process has
 * the store, and the last journal-mode close leaves the journal clean. */
static void last_close_of_several_marks_clean(void **state)
{
    jfix *f = *state;
    jproc a, b;
    jproc_start(f, &a, 0, 5);
    jproc_start(f, &b, 100, 5);
    jproc_do(&a, 'b');
    jproc_do(&b, 'b');
    jproc_end(&a, 'c');
    journal_state(f, 1);
    jproc_end(&b, 'c');
    journal_state(f, 0);
    tix_db *db = jopen(f->dir, TIX_SYNC_FULL);
    assert_int_equal(bookings_of(db, f), 10);
    tix_db_close(db);
}

/* A journal an earlier libtix left active (its format "TIXJRNL3") is
 * refused with TIX_EVERSION, not silently dropped: its records would be
 * lost. */
static void earlier_format_left_active_is_refused(void **state)
{
    jfix *f = *state;
    char p[1024];
    snprintf(p, sizeof p, "%s/journal", f->dir);
    int fd = open(p, O_RDWR);
    assert_true(fd >= 0);
    uint8_t slot[4096] = {0};
    uint32_t version = 3, active = 1;
    memcpy(slot, "TIXJRNL3", 8);
    memcpy(slot + 8, &version, 4);
    memcpy(slot + 12, &active, 4);
    assert_int_equal(pwrite(fd, slot, sizeof slot, 0), (ssize_t)sizeof slot);
    memset(slot, 0, sizeof slot); /* and no valid header of this version */
    assert_int_equal(pwrite(fd, slot, sizeof slot, 4096), (ssize_t)sizeof slot);
    close(fd);
    tix_config cfg;
    jconfig(&cfg, TIX_SYNC_JOURNAL);
    tix_db *db = NULL;
    assert_int_equal(tix_db_open(f->dir, &cfg, &db), TIX_EVERSION);
    assert_null(db);
    assert_non_null(strstr(tix_errmsg(), "earlier libtix"));
}

static const char *self_path;

/* In a fresh process (exec: a forked child would inherit this process's
 * open stores), opens the store in @p d; returns its exit status: 0 opened,
 * 10 TIX_EBUSY, 11 another error. */
static int child_open(const char *dir, tix_durability d, int readonly)
{
    pid_t pid = fork();
    if (pid == 0) {
        char mode[8], ro[8];
        snprintf(mode, sizeof mode, "%d", (int)d);
        snprintf(ro, sizeof ro, "%d", readonly);
        execl(self_path, self_path, "--open", mode, ro, dir, (char *)NULL);
        _exit(12);
    }
    int status;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static int open_main(int argc, char **argv)
{
    if (argc != 5) return 12;
    tix_config cfg;
    jconfig(&cfg, (tix_durability)atoi(argv[2]));
    if (atoi(argv[3])) cfg.flags |= TIX_OPEN_READONLY;
    tix_db *db;
    int rc = tix_db_open(argv[4], &cfg, &db);
    if (rc == TIX_OK) tix_db_close(db);
    else fprintf(stderr, "child open: %s: %s\n", tix_strerror(rc), tix_errmsg());
    return rc == TIX_OK ? 0 : rc == TIX_EBUSY ? 10 : 11;
}

/* Journal mode shares the store with other journal-mode processes (and
 * readers), never with a writer in another mode, which would commit
 * around the journal. */
static void journal_mode_shares_with_journal_mode_only(void **state)
{
    jfix *f = *state;
    tix_db *db = jopen(f->dir, TIX_SYNC_JOURNAL);
    assert_int_equal(child_open(f->dir, TIX_SYNC_FULL, 0), 10);
    assert_int_equal(child_open(f->dir, TIX_SYNC_NONE, 0), 10);
    assert_int_equal(child_open(f->dir, TIX_SYNC_JOURNAL, 0), 0);
    assert_int_equal(child_open(f->dir, TIX_SYNC_FULL, 1), 0); /* readers ok */
    tix_db_close(db);
    db = jopen(f->dir, TIX_SYNC_FULL);
    assert_int_equal(child_open(f->dir, TIX_SYNC_JOURNAL, 0), 10);
    assert_int_equal(child_open(f->dir, TIX_SYNC_FULL, 0), 0);
    tix_db_close(db);
}

/* After a process crash, data.mdb (in the page cache) holds every
 * acknowledged commit: a reader may read it. After a reboot it may be
 * torn until a read-write open recovers it. */
static void readonly_open_waits_for_recovery_after_a_reboot(void **state)
{
    jfix *f = *state;
    (void)crash_writer(f, 5);
    assert_int_equal(child_open(f->dir, TIX_SYNC_FULL, 1), 0);
    assert_ok(tix__journal_test_forget_boot(f->dir));
    assert_int_equal(child_open(f->dir, TIX_SYNC_FULL, 1), 10);
    tix_db *db = jopen(f->dir, TIX_SYNC_NONE); /* recovers */
    assert_int_equal(bookings_of(db, f), 5);
    tix_db_close(db);
    assert_int_equal(child_open(f->dir, TIX_SYNC_FULL, 1), 0);
}

int main(int argc, char **argv)
{
    self_path = argv[0];
    if (argc > 1 && strcmp(argv[1], "--open") == 0) return open_main(argc, argv);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(clean_close_leaves_a_clean_journal, setup, teardown),
        cmocka_unit_test_setup_teardown(process_crash_keeps_every_confirm, setup, teardown),
        cmocka_unit_test_setup_teardown(process_crash_recovered_by_a_full_sync_open, setup, teardown),
        cmocka_unit_test_setup_teardown(machine_crash_restores_the_checkpoint, setup, teardown),
        cmocka_unit_test_setup_teardown(torn_lmdb_without_a_reboot_is_not_repaired, setup, teardown),
        cmocka_unit_test_setup_teardown(small_ring_wraps_fills_and_grows, setup, teardown),
        cmocka_unit_test_setup_teardown(damaged_record_ends_replay, setup, teardown),
        cmocka_unit_test_setup_teardown(journal_mode_shares_with_journal_mode_only, setup, teardown),
        cmocka_unit_test_setup_teardown(two_processes_write_one_journal, setup, teardown),
        cmocka_unit_test_setup_teardown(checkpoint_pin_moves_to_the_process_left, setup, teardown),
        cmocka_unit_test_setup_teardown(last_close_of_several_marks_clean, setup, teardown),
        cmocka_unit_test_setup_teardown(earlier_format_left_active_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(readonly_open_waits_for_recovery_after_a_reboot, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
