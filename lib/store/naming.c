/* Unique sibling names: see naming.h. */
#include "journal.h"
#include "naming.h"

#include <string.h>

#include "error.h"

/* Longest index key: owner id + a name of TIX_NAME_MAX bytes. */
#define NAME_KEY_MAX (8 + TIX_NAME_MAX)

/* Builds the index key of @p name under @p owner; returns its length.
 * Names longer than TIX_NAME_MAX never get here (validated earlier), but
 * the copy is clamped anyway so a bug cannot overrun the buffer. */
static size_t name_key(uint8_t key[NAME_KEY_MAX], tix_id owner,
                       const char *name)
{
    size_t n = strnlen(name, TIX_NAME_MAX);
    tix__be64_put(key, owner);
    memcpy(key + 8, name, n);
    return 8 + n;
}

static int put_key(tix_db *db, MDB_txn *txn, const tix__names *f,
                   const uint8_t *key, size_t klen, tix_id owner,
                   const char *name, tix_id id)
{
    uint8_t val[8];
    tix__be64_put(val, id);
    MDB_val k = {klen, (void *)key}, v = {sizeof val, val};
    int rc = tix__db_raw_put(db, txn, f->index, &k, &v, MDB_NOOVERWRITE);
    if (rc == MDB_KEYEXIST) {
        if (owner == 0)
            tix__err(TIX_EEXISTS, "a %s named \"%s\" already exists",
                     f->what, name);
        else
            tix__err(TIX_EEXISTS, "%s %llu already has a %s named \"%s\"",
                     f->owner, (unsigned long long)owner, f->what, name);
        return tix__err_at(TIX_EEXISTS, "name");
    }
    return rc ? tix__mdb_err(rc, "name index") : TIX_OK;
}

int tix__name_claim(tix_db *db, MDB_txn *txn, const tix__names *f,
                    tix_id owner, const char *name, tix_id id)
{
    uint8_t key[NAME_KEY_MAX];
    size_t klen = name_key(key, owner, name);
    return put_key(db, txn, f, key, klen, owner, name, id);
}

int tix__name_rename(tix_db *db, MDB_txn *txn, const tix__names *f,
                     tix_id owner, const char *old_name, const char *new_name,
                     tix_id id)
{
    /* Both keys are built before the first write: a write may move the
     * LMDB page @p old_name points into. */
    uint8_t old_key[NAME_KEY_MAX], new_key[NAME_KEY_MAX];
    size_t old_len = name_key(old_key, owner, old_name);
    size_t new_len = name_key(new_key, owner, new_name);
    if (old_len == new_len && memcmp(old_key, new_key, old_len) == 0)
        return TIX_OK;
    int rc = put_key(db, txn, f, new_key, new_len, owner, new_name, id);
    if (rc) return rc;
    MDB_val k = {old_len, old_key};
    rc = tix__db_raw_del(db, txn, f->index, &k);
    if (rc == MDB_NOTFOUND)
        return tix__err(TIX_ECORRUPT, "%s %llu is missing from its name index",
                        f->what, (unsigned long long)id);
    return rc ? tix__mdb_err(rc, "name index") : TIX_OK;
}

int tix__name_list(tix_db *db, const tix__names *f, tix_id owner,
                   size_t item_size, tix_decode_fn decode, void **out)
{
    uint8_t prefix[8];
    tix__be64_put(prefix, owner);
    return tix__db_list_by_index(db, f->index, prefix, sizeof prefix, f->table,
                              item_size, decode, out);
}
