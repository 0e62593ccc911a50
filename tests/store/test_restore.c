/* Issue 15, item 1: tix_backup_restore makes the store exactly the backup,
 * whatever durability mode and crash left it (the journal and snapshots of
 * a journal-mode crash used to be replayed over the restored data.mdb),
 * and a crash during the restore leaves the old store or the new one. */
#include <dirent.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "restore.h"
#include "journal.h"
#include "testutil.h"

typedef struct world {
    char *base;
    char store[PATH_MAX], backup[PATH_MAX], sibling[PATH_MAX];
    tix_id show, user;
} world;

static tix_db *open_in(const char *dir, tix_durability mode, unsigned flags)
{
    tix_config cfg;
    tt_config(&cfg);
    cfg.durability = mode;
    cfg.flags = flags;
    tix_db *db;
    assert_ok(tix_db_open(dir, &cfg, &db));
    return db;
}

/* A store with a 4 x 10 screen, a show and a user; @p rows varies the
 * catalog so that two stores differ. */
static void world_make(world *w, const char *name, tix_durability mode,
                       unsigned rows)
{
    w->base = tt_tmpdir();
    snprintf(w->store, sizeof w->store, "%s/%s", w->base, name);
    snprintf(w->backup, sizeof w->backup, "%s/%s.bak", w->base, name);
    snprintf(w->sibling, sizeof w->sibling, "%s/.%s.restore", w->base, name);
    tix_db *db = open_in(w->store, mode, 0);
    tt_catalog c;
    tt_make_catalog(db, rows, 10, &c);
    tix_show sh = {.movie_id = c.movie, .screen_id = c.screen,
                   .start = tt_now + 86400};
    assert_ok(tix_show_create(db, &sh, &w->show));
    tix_user u = {.name = "Asha", .email = "asha@example.com",
                  .home_city_id = c.city};
    assert_ok(tix_user_create(db, &u, &w->user));
    tix_db_close(db);
}

static void world_free(world *w)
{
    tt_rmrf(w->base);
    free(w->base);
}

static void book(tix_db *db, const world *w, unsigned n, const char *tag)
{
    for (unsigned i = 0; i < n; i++) {
        tix_hold *h;
        char ref[64];
        snprintf(ref, sizeof ref, "%s-%u", tag, i);
        assert_ok(tix_hold_best(db, w->show, 1, NULL, &h));
        tix_confirm_opts pay = {.user_id = w->user, .payment_ref = ref};
        tix_id b;
        assert_ok(tix_hold_confirm(db, h, &pay, &b));
        tix_hold_free(h);
    }
}

/* A child opens the store in @p mode, books @p n seats and is killed with
 * SIGKILL, closing nothing. */
static void book_then_crash(const world *w, tix_durability mode, unsigned n)
{
    int p[2];
    assert_int_equal(pipe(p), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        alarm(60); /* never outlive a parent that failed */
        tix_config cfg;
        tt_config(&cfg);
        cfg.durability = mode;
        tix_db *db;
        if (tix_db_open(w->store, &cfg, &db)) _exit(2);
        for (unsigned i = 0; i < n; i++) {
            tix_hold *h;
            char ref[64];
            snprintf(ref, sizeof ref, "crash-%u", i);
            tix_confirm_opts pay = {.user_id = w->user, .payment_ref = ref};
            tix_id b;
            if (tix_hold_best(db, w->show, 1, NULL, &h) ||
                tix_hold_confirm(db, h, &pay, &b))
                _exit(3);
        }
        char done = 'y';
        if (write(p[1], &done, 1) != 1) _exit(4);
        for (;;) pause();
    }
    close(p[1]);
    char done = 0;
    assert_int_equal(read(p[0], &done, 1), 1);
    close(p[0]);
    kill(pid, SIGKILL);
    int st;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    assert_true(WIFSIGNALED(st));
}

static size_t bookings(tix_db *db, tix_id show)
{
    tix_booking_list *l;
    assert_ok(tix_booking_list_by_show(db, show, &l));
    size_t n = l->count;
    tix_booking_list_free(l);
    return n;
}

static uint64_t last_txn(tix_db *db)
{
    tix_db_stats st;
    assert_ok(tix_db_stat(db, &st));
    return st.last_txn;
}

static void on_problem(void *ctx, const char *msg)
{
    (void)ctx;
    print_message("problem: %s\n", msg);
}

static void assert_consistent(tix_db *db)
{
    tix_check_counts n;
    assert_ok(tix_db_check(db, on_problem, NULL, &n));
    assert_int_equal(n.problems, 0);
}

/* What a store is, for "equals the backup": every table, the last txn. */
typedef struct image {
    uint64_t digest, txn;
} image;

static image image_of(const char *dir)
{
    tix_db *db = open_in(dir, TIX_SYNC_FULL, TIX_OPEN_READONLY);
    image im = {tt_digest(db), last_txn(db)};
    tix_db_close(db);
    return im;
}

static void take_backup(const world *w, tix_durability mode)
{
    tix_db *db = open_in(w->store, mode, 0);
    assert_ok(tix_db_backup(db, w->backup));
    tix_db_close(db);
}

static int exists(const char *dir, const char *name)
{
    char path[PATH_MAX];
    struct stat st;
    int n = snprintf(path, sizeof path, "%s/%s", dir, name);
    assert_true(n > 0 && (size_t)n < sizeof path);
    return lstat(path, &st) == 0;
}

/* The restored directory holds the backup's data.mdb and nothing else. */
static void assert_only_data(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct dirent *e;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") &&
            strcmp(e->d_name, "data.mdb"))
            fail_msg("%s holds %s after the restore", dir, e->d_name);
    closedir(d);
}

/* ---- crash, then restore, in every mode -------------------------------- */

static void crash_then_restore(tix_durability mode)
{
    world w;
    world_make(&w, "store", mode, 4);
    take_backup(&w, mode);
    image backup = image_of(w.backup);
    book_then_crash(&w, mode, 5);
    if (mode == TIX_SYNC_JOURNAL) /* records a reopen would replay */
        assert_true(tix__journal_pending(w.store));

    assert_ok(tix_backup_restore(w.backup, w.store, TIX_RESTORE_REPLACE));
    assert_only_data(w.store);
    assert_false(exists(w.base, ".store.restore"));
    image got = image_of(w.store);
    assert_true(got.digest == backup.digest);
    assert_int_equal(got.txn, backup.txn);

    tix_db *db = open_in(w.store, mode, 0);
    assert_int_equal(bookings(db, w.show), 0);
    assert_true(tt_digest(db) == backup.digest);
    assert_consistent(db);
    book(db, &w, 2, "after"); /* it sells again */
    assert_consistent(db);
    tix_db_close(db);
    world_free(&w);
}

static void crash_full(void **s) { (void)s; crash_then_restore(TIX_SYNC_FULL); }
static void crash_nometa(void **s) { (void)s; crash_then_restore(TIX_SYNC_NOMETA); }
static void crash_none(void **s) { (void)s; crash_then_restore(TIX_SYNC_NONE); }
static void crash_journal(void **s) { (void)s; crash_then_restore(TIX_SYNC_JOURNAL); }

/* Another store's backup over a store a journal-mode crash left: exactly
 * that other store. */
static void foreign_backup_over_crashed_store(void **state)
{
    (void)state;
    world a, b;
    world_make(&a, "a", TIX_SYNC_JOURNAL, 4);
    world_make(&b, "b", TIX_SYNC_FULL, 6);
    tix_db *db = open_in(b.store, TIX_SYNC_FULL, 0);
    book(db, &b, 3, "b");
    tix_db_close(db);
    take_backup(&b, TIX_SYNC_FULL);
    image want = image_of(b.backup);
    book_then_crash(&a, TIX_SYNC_JOURNAL, 5);

    assert_ok(tix_backup_restore(b.backup, a.store, TIX_RESTORE_REPLACE));
    image got = image_of(a.store);
    assert_true(got.digest == want.digest);
    db = open_in(a.store, TIX_SYNC_JOURNAL, 0);
    assert_int_equal(bookings(db, b.show), 3);
    assert_consistent(db);
    tix_db_close(db);
    world_free(&a);
    world_free(&b);
}

/* ---- a crash during the restore ---------------------------------------- */

static int crash_at;

static int die_at(int step)
{
    if (step == crash_at) _exit(0);
    return 0;
}

static void crash_during_restore_at(int step_no, int want_new)
{
    world a, b;
    world_make(&a, "a", TIX_SYNC_JOURNAL, 4);
    world_make(&b, "b", TIX_SYNC_FULL, 6);
    take_backup(&b, TIX_SYNC_FULL);
    image old = image_of(a.store), fresh = image_of(b.backup);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        crash_at = step_no;
        tix__restore_test_hook(die_at);
        tix_backup_restore(b.backup, a.store, TIX_RESTORE_REPLACE);
        _exit(1); /* the hook should have ended us */
    }
    int st;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);

    tix_db *db = open_in(a.store, TIX_SYNC_JOURNAL, 0);
    assert_true(tt_digest(db) == (want_new ? fresh.digest : old.digest));
    assert_consistent(db);
    tix_db_close(db);
    /* The next restore clears what the crash left and completes. */
    assert_ok(tix_backup_restore(b.backup, a.store, TIX_RESTORE_REPLACE));
    assert_false(exists(a.base, ".a.restore"));
    assert_true(image_of(a.store).digest == fresh.digest);
    world_free(&a);
    world_free(&b);
}

static void crash_after_copy(void **s) { (void)s; crash_during_restore_at(TIX__RESTORE_COPIED, 0); }
static void crash_before_swap(void **s) { (void)s; crash_during_restore_at(TIX__RESTORE_BUILT, 0); }
static void crash_after_swap(void **s) { (void)s; crash_during_restore_at(TIX__RESTORE_SWAPPED, 1); }
static void crash_at_the_end(void **s) { (void)s; crash_during_restore_at(TIX__RESTORE_DONE, 1); }

static int fail_when_built(int step) { return step == TIX__RESTORE_BUILT; }

/* A failure before the swap leaves the store as it was and no sibling. */
static void failure_before_swap_changes_nothing(void **state)
{
    (void)state;
    world w;
    world_make(&w, "store", TIX_SYNC_FULL, 4);
    take_backup(&w, TIX_SYNC_FULL);
    tix_db *db = open_in(w.store, TIX_SYNC_FULL, 0);
    book(db, &w, 2, "kept");
    tix_db_close(db);
    image before = image_of(w.store);
    tix__restore_test_hook(fail_when_built);
    assert_code(tix_backup_restore(w.backup, w.store, TIX_RESTORE_REPLACE),
                TIX_EIO);
    tix__restore_test_hook(NULL);
    assert_false(exists(w.base, ".store.restore"));
    assert_true(image_of(w.store).digest == before.digest);
    world_free(&w);
}

/* ---- refusals ---------------------------------------------------------- */

static void refuses_what_it_must(void **state)
{
    (void)state;
    world w;
    world_make(&w, "store", TIX_SYNC_FULL, 4);
    take_backup(&w, TIX_SYNC_FULL);
    image before = image_of(w.store);
    assert_code(tix_backup_restore(w.backup, w.store, 0), TIX_EEXISTS);
    assert_code(tix_backup_restore(w.backup, w.store, 0x80), TIX_EINVAL);
    assert_code(tix_backup_restore("", w.store, 0), TIX_EINVAL);
    assert_code(tix_backup_restore(w.backup, NULL, 0), TIX_EINVAL);
    assert_code(tix_backup_restore(w.store, w.store, TIX_RESTORE_REPLACE),
                TIX_EINVAL);
    char nothing[PATH_MAX];
    snprintf(nothing, sizeof nothing, "%s/nothing", w.base);
    assert_code(tix_backup_restore(nothing, w.store, TIX_RESTORE_REPLACE),
                TIX_ENOTFOUND);
    /* open in this process */
    tix_db *db = open_in(w.store, TIX_SYNC_FULL, TIX_OPEN_READONLY);
    assert_code(tix_backup_restore(w.backup, w.store, TIX_RESTORE_REPLACE),
                TIX_EBUSY);
    tix_db_close(db);
    /* a data.mdb that is no store */
    char junk[PATH_MAX], path[PATH_MAX + 16];
    snprintf(junk, sizeof junk, "%s/junk", w.base);
    assert_int_equal(mkdir(junk, 0700), 0);
    snprintf(path, sizeof path, "%s/data.mdb", junk);
    FILE *f = fopen(path, "w");
    for (int i = 0; i < 3000; i++) fputs("not lmdb ", f);
    fclose(f);
    assert_code(tix_backup_restore(junk, w.store, TIX_RESTORE_REPLACE),
                TIX_ECORRUPT);
    assert_false(exists(w.base, ".store.restore"));
    /* a directory of something else is not replaced */
    char other[PATH_MAX];
    snprintf(other, sizeof other, "%s/other", w.base);
    assert_int_equal(mkdir(other, 0700), 0);
    snprintf(path, sizeof path, "%s/notes.txt", other);
    fclose(fopen(path, "w"));
    assert_code(tix_backup_restore(w.backup, other, TIX_RESTORE_REPLACE),
                TIX_EINVAL);
    assert_true(exists(other, "notes.txt"));
    assert_false(exists(other, "data.mdb"));
    assert_true(image_of(w.store).digest == before.digest);
    world_free(&w);
}

/* What a reader's open finds: a store as it was closed, one without its
 * journal (so only LMDB's lock.mdb tells the reader is there), one never
 * opened for writing (no lock.mdb either: the OFD lock on data.mdb). */
enum { AS_CLOSED, NO_JOURNAL, DATA_ONLY };

/* A child keeps the store open: the restore refuses, changes nothing. */
static void refused_while_open_elsewhere_case(unsigned flags, int files)
{
    world w;
    world_make(&w, "store", TIX_SYNC_FULL, 4);
    take_backup(&w, TIX_SYNC_FULL);
    if (files == DATA_ONLY) {
        assert_ok(tix_backup_restore(w.backup, w.store, TIX_RESTORE_REPLACE));
        assert_false(exists(w.store, "lock.mdb"));
    }
    if (files == NO_JOURNAL) {
        char path[PATH_MAX + 16];
        snprintf(path, sizeof path, "%s/journal", w.store);
        assert_int_equal(unlink(path), 0);
    }
    image before = image_of(w.store);
    int up[2], down[2];
    assert_int_equal(pipe(up), 0);
    assert_int_equal(pipe(down), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        alarm(60); /* never outlive a parent that failed */
        tix_config cfg;
        tt_config(&cfg);
        cfg.flags = flags;
        tix_db *db;
        char c = tix_db_open(w.store, &cfg, &db) == TIX_OK ? 'y' : 'n';
        if (write(up[1], &c, 1) != 1 || read(down[0], &c, 1) != 1) _exit(2);
        tix_db_close(db);
        _exit(0);
    }
    char c = 0;
    assert_int_equal(read(up[0], &c, 1), 1);
    assert_int_equal(c, 'y');
    assert_code(tix_backup_restore(w.backup, w.store, TIX_RESTORE_REPLACE),
                TIX_EBUSY);
    assert_false(exists(w.base, ".store.restore"));
    assert_int_equal(write(down[1], &c, 1), 1);
    int st;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    assert_true(image_of(w.store).digest == before.digest);
    assert_ok(tix_backup_restore(w.backup, w.store, TIX_RESTORE_REPLACE));
    for (int i = 0; i < 2; i++) {
        close(up[i]);
        close(down[i]);
    }
    world_free(&w);
}

static void refused_while_open_elsewhere(void **state)
{
    (void)state;
    refused_while_open_elsewhere_case(0, AS_CLOSED);
    refused_while_open_elsewhere_case(TIX_OPEN_READONLY, AS_CLOSED);
    refused_while_open_elsewhere_case(TIX_OPEN_READONLY, NO_JOURNAL);
    refused_while_open_elsewhere_case(TIX_OPEN_READONLY, DATA_ONLY);
}

/* A new directory, or an empty one, becomes the store; the backup
 * directory is only read. */
static void restore_into_new_or_empty_dir(void **state)
{
    (void)state;
    world w;
    world_make(&w, "store", TIX_SYNC_FULL, 4);
    take_backup(&w, TIX_SYNC_FULL);
    image want = image_of(w.backup);
    char fresh[PATH_MAX], empty[PATH_MAX];
    snprintf(fresh, sizeof fresh, "%s/fresh/", w.base); /* trailing slash */
    snprintf(empty, sizeof empty, "%s/empty", w.base);
    assert_int_equal(mkdir(empty, 0750), 0);
    assert_ok(tix_backup_restore(w.backup, fresh, 0));
    assert_ok(tix_backup_restore(w.backup, empty, 0));
    assert_true(image_of(fresh).digest == want.digest);
    assert_true(image_of(empty).digest == want.digest);
    struct stat st;
    assert_int_equal(stat(empty, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0750); /* the old mode is kept */
    assert_only_data(w.backup);
    world_free(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(crash_full),
        cmocka_unit_test(crash_nometa),
        cmocka_unit_test(crash_none),
        cmocka_unit_test(crash_journal),
        cmocka_unit_test(foreign_backup_over_crashed_store),
        cmocka_unit_test(crash_after_copy),
        cmocka_unit_test(crash_before_swap),
        cmocka_unit_test(crash_after_swap),
        cmocka_unit_test(crash_at_the_end),
        cmocka_unit_test(failure_before_swap_changes_nothing),
        cmocka_unit_test(refuses_what_it_must),
        cmocka_unit_test(refused_while_open_elsewhere),
        cmocka_unit_test(restore_into_new_or_empty_dir),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
