/* lib/store/db.c: store lifecycle, modes, config checks, map growth. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "db.h"
#include "tables.h"
#include "testutil.h"

static void creates_dir_and_files_private(void **state)
{
    (void)state;
    tt_store s;
    tt_open(&s);
    struct stat st;
    assert_int_equal(stat(s.dir, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0700);
    char f[4096];
    snprintf(f, sizeof f, "%s/data.mdb", s.dir);
    assert_int_equal(stat(f, &st), 0);
    assert_int_equal(st.st_mode & 0077, 0);
    assert_string_equal(tix_db_path(s.db), s.dir);
    tt_close(&s);
}

static void bad_arguments(void **state)
{
    (void)state;
    tix_db *db = (tix_db *)1;
    assert_code(tix_db_open("", NULL, &db), TIX_EINVAL);
    assert_null(db);
    assert_code(tix_db_open(NULL, NULL, &db), TIX_EINVAL);
    assert_code(tix_db_open("/tmp/x", NULL, NULL), TIX_EINVAL);
    tix_config c;
    tix_config_init(&c);
    c.hold_ttl_default = c.hold_ttl_max + 1;
    assert_code(tix_db_open("/tmp/x", &c, &db), TIX_EINVAL);
    tix_config_init(&c);
    c.durability = (tix_durability)9;
    assert_code(tix_db_open("/tmp/x", &c, &db), TIX_EINVAL);
    tix_config_init(&c);
    c.map_size = 1000;
    assert_code(tix_db_open("/tmp/x", &c, &db), TIX_EINVAL);
    tix_config_init(&c);
    c.flags = 0x80;
    assert_code(tix_db_open("/tmp/x", &c, &db), TIX_EINVAL);
    tix_db_close(NULL); /* allowed */
}

static void path_is_a_file(void **state)
{
    (void)state;
    char *dir = tt_tmpdir();
    char f[4096];
    snprintf(f, sizeof f, "%s/file", dir);
    FILE *fp = fopen(f, "w");
    fclose(fp);
    tix_db *db;
    assert_code(tix_db_open(f, NULL, &db), TIX_EINVAL);
    tt_rmrf(dir);
    free(dir);
}

static void second_open_in_process_is_busy(void **state)
{
    (void)state;
    tt_store s;
    tt_open(&s);
    tix_config c;
    tt_config(&c);
    tix_db *db2;
    assert_code(tix_db_open(s.dir, &c, &db2), TIX_EBUSY);
    tt_close(&s);
}

static void reopen_keeps_identity(void **state)
{
    (void)state;
    tt_store s;
    tt_open(&s);
    uint8_t id[16], secret[32];
    memcpy(id, s.db->identity, 16);
    memcpy(secret, s.db->secret, 32);
    tix_db_close(s.db);
    tix_config c;
    tt_config(&c);
    assert_ok(tix_db_open(s.dir, &c, &s.db));
    assert_memory_equal(id, s.db->identity, 16);
    assert_memory_equal(secret, s.db->secret, 32);
    tt_close(&s);
}

struct fill_arg { int start, n; };

static int fill(tix_db *db, MDB_txn *txn, void *arg)
{
    struct fill_arg *a = arg;
    char val[4000];
    memset(val, 'v', sizeof val);
    for (int i = a->start; i < a->start + a->n; i++) {
        uint8_t key[8];
        tix__be64_put(key, (uint64_t)i);
        int rc = tix__db_put(db, txn, TIX_T_OUTBOX, key, 8, val, sizeof val, 0,
                          "filler");
        if (rc) return rc;
    }
    return TIX_OK;
}

static void nocreate_and_readonly(void **state)
{
    (void)state;
    char *dir = tt_tmpdir();
    char p[4096];
    snprintf(p, sizeof p, "%s/none", dir);
    tix_config c;
    tt_config(&c);
    tix_db *db;
    c.flags = TIX_OPEN_NOCREATE;
    assert_code(tix_db_open(p, &c, &db), TIX_ENOTFOUND);
    c.flags = TIX_OPEN_READONLY;
    assert_code(tix_db_open(p, &c, &db), TIX_ENOTFOUND);
    /* empty directory exists but holds no store */
    c.flags = TIX_OPEN_NOCREATE;
    assert_code(tix_db_open(dir, &c, &db), TIX_ENOTFOUND);
    c.flags = 0;
    assert_ok(tix_db_open(p, &c, &db));
    tix_db_close(db);
    c.flags = TIX_OPEN_READONLY;
    assert_ok(tix_db_open(p, &c, &db));
    struct fill_arg a = {0, 1};
    assert_code(tix__db_write(db, fill, &a), TIX_EPERM);
    tix_db_close(db);
    tt_rmrf(dir);
    free(dir);
}

static void not_an_lmdb_file(void **state)
{
    (void)state;
    char *dir = tt_tmpdir();
    char f[4096];
    snprintf(f, sizeof f, "%s/data.mdb", dir);
    FILE *fp = fopen(f, "w");
    for (int i = 0; i < 8192; i++) fputc('z', fp);
    fclose(fp);
    tix_config c;
    tt_config(&c);
    tix_db *db = NULL;
    int rc = tix_db_open(dir, &c, &db);
    assert_true(rc == TIX_ECORRUPT || rc == TIX_EVERSION);
    assert_null(db);
    tt_rmrf(dir);
    free(dir);
}

static void map_grows_on_demand_and_stops_at_limit(void **state)
{
    (void)state;
    char *base = tt_tmpdir();
    tix_config c;
    tt_config(&c);
    c.map_size = (size_t)1 << 20;
    c.map_size_max = (size_t)8 << 20;
    tix_db *db;
    assert_ok(tix_db_open(base, &c, &db));
    struct fill_arg a = {0, 1000}; /* ~4 MB: needs growth past 1 MiB */
    assert_ok(tix__db_write(db, fill, &a));
    MDB_envinfo info;
    mdb_env_info(db->env, &info);
    assert_true(info.me_mapsize > ((size_t)1 << 20));
    uint64_t before = tt_digest(db);
    struct fill_arg b = {1000, 2000}; /* another 8 MB: over the limit */
    assert_code(tix__db_write(db, fill, &b), TIX_EFULL);
    assert_true(tt_digest(db) == before); /* nothing half-written */
    tix_db_close(db);
    tt_rmrf(base);
    free(base);
}

static int64_t fixed_clock(void *ctx) { return *(int64_t *)ctx; }

static void injected_clock(void **state)
{
    (void)state;
    char *base = tt_tmpdir();
    tix_config c;
    tt_config(&c);
    int64_t t = 1234567890;
    c.clock = fixed_clock;
    c.clock_ctx = &t;
    tix_db *db;
    assert_ok(tix_db_open(base, &c, &db));
    assert_true(tix_db_now(db) == 1234567890);
    t += 5;
    assert_true(tix_db_now(db) == 1234567895);
    assert_true(tix_db_now(NULL) > 1700000000);
    tix_db_close(db);
    tt_rmrf(base);
    free(base);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(creates_dir_and_files_private),
        cmocka_unit_test(bad_arguments),
        cmocka_unit_test(path_is_a_file),
        cmocka_unit_test(second_open_in_process_is_busy),
        cmocka_unit_test(reopen_keeps_identity),
        cmocka_unit_test(nocreate_and_readonly),
        cmocka_unit_test(not_an_lmdb_file),
        cmocka_unit_test(map_grows_on_demand_and_stops_at_limit),
        cmocka_unit_test(injected_clock),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
