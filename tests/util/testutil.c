#include "testutil.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include "db.h"

int64_t tt_now = 1767225600; /* 2026-01-01T00:00:00Z */

int64_t tt_clock(void *ctx)
{
    (void)ctx;
    return __atomic_load_n(&tt_now, __ATOMIC_RELAXED);
}

char *tt_tmpdir(void)
{
    const char *base = getenv("TIX_TEST_TMP");
    if (!base || !*base) base = "/tmp";
    mkdir(base, 0700);
    char *p = malloc(strlen(base) + 32);
    sprintf(p, "%s/tixtest.XXXXXX", base);
    if (!mkdtemp(p)) fail_msg("mkdtemp failed");
    return p;
}

static int rm_one(const char *path, const struct stat *st, int flag,
                  struct FTW *ftw)
{
    (void)st; (void)flag; (void)ftw;
    return remove(path);
}

void tt_rmrf(const char *path)
{
    nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

void tt_config(tix_config *cfg)
{
    tix_config_init(cfg);
    cfg->durability = TIX_SYNC_NONE;
    cfg->clock = tt_clock;
    cfg->map_size = (size_t)8 << 20;
    cfg->seatmap_reserve = (size_t)64 << 20;
}

void tt_open(tt_store *s)
{
    tix_config cfg;
    tt_config(&cfg);
    char *base = tt_tmpdir();
    s->dir = malloc(strlen(base) + 8);
    sprintf(s->dir, "%s/store", base);
    free(base);
    assert_ok(tix_db_open(s->dir, &cfg, &s->db));
}

void tt_close(tt_store *s)
{
    tix_db_close(s->db);
    s->db = NULL;
    char *parent = strdup(s->dir);
    *strrchr(parent, '/') = '\0';
    tt_rmrf(parent);
    free(parent);
    free(s->dir);
    s->dir = NULL;
}

uint64_t tt_digest(tix_db *db)
{
    XXH3_state_t *st = XXH3_createState();
    XXH3_64bits_reset(st);
    MDB_txn *txn;
    assert_ok(tix__read_begin(db, &txn));
    for (int t = 0; t < TIX_T__COUNT; t++) {
        MDB_cursor *cur;
        assert_int_equal(mdb_cursor_open(txn, db->dbi[t], &cur), 0);
        MDB_val k, v;
        int rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST);
        while (rc == 0) {
            XXH3_64bits_update(st, &t, sizeof t);
            XXH3_64bits_update(st, k.mv_data, k.mv_size);
            XXH3_64bits_update(st, v.mv_data, v.mv_size);
            rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
        }
        mdb_cursor_close(cur);
    }
    tix__read_end(db, txn);
    uint64_t h = XXH3_64bits_digest(st);
    XXH3_freeState(st);
    return h;
}
