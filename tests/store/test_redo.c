/* The redo record's operations (lib/store/redo.c), which the journal
 * replays and a replication follower applies: what is encoded reads back
 * the same, applying is idempotent, and a malformed record is refused with
 * TIX_ECORRUPT and changes nothing. */
#include <stdlib.h>
#include <string.h>

#include "redo.h"
#include "testutil.h"

typedef struct rec {
    uint8_t buf[512];
    size_t len;
} rec;

static void add(rec *r, int op, const char *key, const char *val)
{
    MDB_val k = {strlen(key), (void *)key}, v = {val ? strlen(val) : 0, (void *)val};
    tix__redo_put(r->buf + r->len, op, TIX_T_META, MDB_NOOVERWRITE, &k, val ? &v : NULL);
    r->len += tix__redo_size(&k, val ? &v : NULL);
}

struct apply_arg {
    const rec *r;
    int observed;
};

static int apply_fn(tix_db *db, MDB_txn *txn, void *arg)
{
    struct apply_arg *a = arg;
    return tix__redo_apply(db, txn, a->r->buf, a->r->len, a->observed, "test");
}

static int apply(tix_db *db, const rec *r, int observed)
{
    struct apply_arg a = {r, observed};
    return tix__db_write(db, apply_fn, &a);
}

static int meta_get(tix_db *db, const char *key, char *out, size_t cap)
{
    MDB_txn *txn;
    assert_int_equal(tix__db_read_begin(db, &txn), TIX_OK);
    MDB_val k = {strlen(key), (void *)key}, v;
    int rc = mdb_get(txn, db->dbi[TIX_T_META], &k, &v);
    if (rc == 0) {
        size_t n = v.mv_size < cap - 1 ? v.mv_size : cap - 1;
        memcpy(out, v.mv_data, n);
        out[n] = 0;
    }
    tix__db_read_end(db, txn);
    return rc;
}

static void encoded_reads_back(void **state)
{
    (void)state;
    rec r = {.len = 0};
    add(&r, TIX__OP_PUT, "test.a", "one");
    add(&r, TIX__OP_DEL, "test.b", NULL);
    size_t at = 0;
    tix__redo_op o;
    assert_int_equal(tix__redo_next(r.buf, r.len, &at, &o, "t"), 1);
    assert_int_equal(o.op, TIX__OP_PUT);
    assert_int_equal(o.table, TIX_T_META);
    assert_int_equal(o.flags, MDB_NOOVERWRITE);
    assert_memory_equal(o.k.mv_data, "test.a", 6);
    assert_memory_equal(o.v.mv_data, "one", 3);
    assert_int_equal(tix__redo_next(r.buf, r.len, &at, &o, "t"), 1);
    assert_int_equal(o.op, TIX__OP_DEL);
    assert_int_equal(o.v.mv_size, 0);
    assert_int_equal(tix__redo_next(r.buf, r.len, &at, &o, "t"), 0);
}

static void applying_twice_is_applying_once(void **state)
{
    (void)state;
    tt_store s;
    tt_open(&s);
    rec r = {.len = 0};
    add(&r, TIX__OP_PUT, "test.a", "one");
    add(&r, TIX__OP_DEL, "test.missing", NULL); /* not an error */
    add(&r, TIX__OP_PUT, "test.b", "two");
    for (int observed = 0; observed < 2; observed++) {
        assert_int_equal(apply(s.db, &r, observed), TIX_OK);
        uint64_t once = tt_digest(s.db);
        /* NOOVERWRITE is dropped: the keys already hold these values. */
        assert_int_equal(apply(s.db, &r, observed), TIX_OK);
        assert_true(tt_digest(s.db) == once);
    }
    char v[16];
    assert_int_equal(meta_get(s.db, "test.b", v, sizeof v), 0);
    assert_string_equal(v, "two");
    tt_close(&s);
}

static void malformed_records_change_nothing(void **state)
{
    (void)state;
    tt_store s;
    tt_open(&s);
    rec good = {.len = 0};
    add(&good, TIX__OP_PUT, "test.a", "one");
    add(&good, TIX__OP_PUT, "test.b", "two");
    uint64_t before = tt_digest(s.db);
    rec r = good;
    r.len -= 2; /* the last value is cut short */
    assert_int_equal(apply(s.db, &r, 1), TIX_ECORRUPT);
    assert_non_null(strstr(tix_errmsg(), "test: malformed"));
    r = good;
    r.len = good.len - 3 - 6 - 1; /* mid-header */
    assert_int_equal(apply(s.db, &r, 0), TIX_ECORRUPT);
    r = good;
    r.buf[0] = 9; /* no such operation */
    assert_int_equal(apply(s.db, &r, 1), TIX_ECORRUPT);
    r = good;
    r.buf[1] = (uint8_t)tix__db_table_count(); /* no such table */
    assert_int_equal(apply(s.db, &r, 1), TIX_ECORRUPT);
    /* The first operation was fine: the transaction still took nothing. */
    assert_true(tt_digest(s.db) == before);
    tt_close(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(encoded_reads_back),
        cmocka_unit_test(applying_twice_is_applying_once),
        cmocka_unit_test(malformed_records_change_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
