/* Issue 15, item 4: an open that fails, or any read-only open, leaves the
 * directory exactly as it was. `tix -s /etc stats` used to leave an empty
 * /etc/journal behind, and a read-only open of a backup a lock.mdb. */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* "name size\n" for every entry of @p dir, sorted; "(absent)" when @p dir
 * does not exist. */
static char *listing(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) return strdup("(absent)");
    char *names[64];
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < 64) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        char path[PATH_MAX], line[PATH_MAX + 32];
        struct stat st;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        assert_int_equal(lstat(path, &st), 0);
        snprintf(line, sizeof line, "%s %lld; ", e->d_name,
                 (long long)st.st_size);
        names[n++] = strdup(line);
    }
    closedir(d);
    qsort(names, n, sizeof names[0], by_name);
    size_t len = 1;
    for (size_t i = 0; i < n; i++) len += strlen(names[i]);
    char *out = calloc(1, len);
    for (size_t i = 0; i < n; i++) {
        strcat(out, names[i]);
        free(names[i]);
    }
    return out;
}

static int try_open(const char *dir, unsigned flags, tix_db **db)
{
    tix_config cfg;
    tt_config(&cfg);
    cfg.flags = flags;
    *db = NULL;
    return tix_db_open(dir, &cfg, db);
}

/* Opens @p dir with @p flags expecting @p code; neither @p dir nor its
 * parent may change. */
static void open_changes_nothing(const char *dir, unsigned flags, int code)
{
    char parent[PATH_MAX];
    snprintf(parent, sizeof parent, "%s", dir);
    *strrchr(parent, '/') = '\0';
    char *before = listing(dir), *up_before = listing(parent);
    tix_db *db;
    int rc = try_open(dir, flags, &db);
    if (rc != code)
        fail_msg("open %s flags 0x%x -> %s (%s), want %s", dir, flags,
                 tix_strerror(rc), tix_errmsg(), tix_strerror(code));
    if (db) tix_db_close(db);
    char *after = listing(dir), *up_after = listing(parent);
    if (strcmp(before, after))
        fail_msg("open %s flags 0x%x changed it: [%s] -> [%s]", dir, flags,
                 before, after);
    assert_string_equal(up_before, up_after);
    free(before);
    free(after);
    free(up_before);
    free(up_after);
}

static void touch(const char *dir, const char *name)
{
    char path[PATH_MAX];
    int n = snprintf(path, sizeof path, "%s/%s", dir, name);
    assert_true(n > 0 && (size_t)n < sizeof path);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("not a store\n", f);
    fclose(f);
}

static const unsigned all_flags[] = {
    0, TIX_OPEN_NOCREATE, TIX_OPEN_READONLY,
    TIX_OPEN_READONLY | TIX_OPEN_NOCREATE,
};

/* A directory of something else (like /etc) is refused whatever the
 * flags: creating a store is for new or empty directories. */
static void foreign_dir_is_left_alone(void **state)
{
    (void)state;
    char *base = tt_tmpdir();
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s/etc", base);
    assert_int_equal(mkdir(dir, 0700), 0);
    touch(dir, "passwd");
    for (size_t i = 0; i < 4; i++)
        open_changes_nothing(dir, all_flags[i],
                             all_flags[i] ? TIX_ENOTFOUND : TIX_EINVAL);
    tt_rmrf(base);
    free(base);
}

static void missing_or_empty_dir_with_nocreate(void **state)
{
    (void)state;
    char *base = tt_tmpdir();
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s/none", base);
    for (size_t i = 1; i < 4; i++)
        open_changes_nothing(dir, all_flags[i], TIX_ENOTFOUND);
    assert_int_equal(mkdir(dir, 0700), 0);
    for (size_t i = 1; i < 4; i++)
        open_changes_nothing(dir, all_flags[i], TIX_ENOTFOUND);
    /* The empty journal an earlier version left is no store either. */
    touch(dir, "journal");
    for (size_t i = 1; i < 4; i++)
        open_changes_nothing(dir, all_flags[i], TIX_ENOTFOUND);
    tt_rmrf(base);
    free(base);
}

/* A backup directory holds data.mdb alone: reading it read-only must not
 * add lock.mdb (nor anything else). */
static void readonly_open_of_a_backup(void **state)
{
    (void)state;
    tt_store s;
    tt_open(&s);
    tt_catalog c;
    tt_make_catalog(s.db, 2, 5, &c);
    uint64_t digest = tt_digest(s.db);
    char backup[PATH_MAX];
    snprintf(backup, sizeof backup, "%s.bak", s.dir);
    assert_ok(tix_db_backup(s.db, backup));
    for (size_t i = 2; i < 4; i++)
        open_changes_nothing(backup, all_flags[i], TIX_OK);
    tix_db *db;
    assert_ok(try_open(backup, TIX_OPEN_READONLY, &db));
    assert_true(tt_digest(db) == digest);
    tix_venue *v;
    assert_ok(tix_venue_get(db, c.venue, &v));
    tix_venue_free(v);
    tix_db_close(db);
    open_changes_nothing(backup, TIX_OPEN_READONLY, TIX_OK);
    tt_rmrf(backup);
    tt_close(&s);
}

/* A closed store opened read-only keeps every file as it is. */
static void readonly_open_of_a_closed_store(void **state)
{
    (void)state;
    tt_store s;
    tt_open(&s);
    tt_catalog c;
    tt_make_catalog(s.db, 2, 5, &c);
    tix_db_close(s.db);
    s.db = NULL;
    open_changes_nothing(s.dir, TIX_OPEN_READONLY, TIX_OK);
    open_changes_nothing(s.dir, TIX_OPEN_READONLY | TIX_OPEN_NOCREATE, TIX_OK);
    tt_close(&s);
}

/* `test_open_nocreate --reader DIR`: opens DIR read-only, says 'y' (or
 * 'n') on stdout, and closes it when stdin becomes readable or 60 s have
 * passed. A separate program rather than a forked child, so that under
 * valgrind the child is not checked for the parent's memory it inherited. */
static int reader_main(const char *dir)
{
    tix_db *db;
    char c = try_open(dir, TIX_OPEN_READONLY, &db) == TIX_OK ? 'y' : 'n';
    struct pollfd p = {.fd = 0, .events = POLLIN};
    int waited = write(1, &c, 1) == 1 && poll(&p, 1, 60000) == 1;
    tix_db_close(db);
    return c == 'y' && waited ? 0 : 1;
}

/* This program's path (argv[0]): /proc/self/exe would name valgrind's
 * tool under valgrind. */
static const char *self_path = "/proc/self/exe";

/* A read-only reader that LMDB does not know of (no lock.mdb) keeps
 * writers out, so they cannot reuse the pages it reads. */
static void lockless_reader_keeps_writers_out(void **state)
{
    (void)state;
    tt_store s;
    tt_open(&s);
    char backup[PATH_MAX];
    snprintf(backup, sizeof backup, "%s.bak", s.dir);
    assert_ok(tix_db_backup(s.db, backup));
    int ready[2], release[2];
    assert_int_equal(pipe(ready), 0);
    assert_int_equal(pipe(release), 0);
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        if (dup2(release[0], 0) < 0 || dup2(ready[1], 1) < 0) _exit(126);
        execl(self_path, "test_open_nocreate", "--reader", backup,
              (char *)NULL);
        _exit(127);
    }
    close(ready[1]);
    close(release[0]);
    char ok = 0;
    assert_int_equal(read(ready[0], &ok, 1), 1);
    assert_int_equal(ok, 'y');
    tix_db *db;
    assert_code(try_open(backup, 0, &db), TIX_EBUSY);
    assert_null(db);
    assert_int_equal(write(release[1], &ok, 1), 1);
    int st;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    assert_ok(try_open(backup, 0, &db)); /* the reader is gone */
    tix_db_close(db);
    close(ready[0]);
    close(release[1]);
    tt_rmrf(backup);
    tt_close(&s);
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--reader") == 0)
        return reader_main(argv[2]);
    if (argc > 0 && strchr(argv[0], '/')) self_path = argv[0];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(foreign_dir_is_left_alone),
        cmocka_unit_test(missing_or_empty_dir_with_nocreate),
        cmocka_unit_test(readonly_open_of_a_backup),
        cmocka_unit_test(readonly_open_of_a_closed_store),
        cmocka_unit_test(lockless_reader_keeps_writers_out),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
