/* The catalog's record mechanism: see record.h. */
#include "record.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "journal.h"
#include "table.h"
#include "validate.h"

#define ull(x) ((unsigned long long)(x))

/* Members of a struct seen through a descriptor's offsets. */
#define MEMBER(rec, off, type) (*(type *)((char *)(rec) + (off)))
#define CMEMBER(rec, off, type) (*(const type *)((const char *)(rec) + (off)))

static int64_t int_of(const tix__field *f, const void *rec)
{
    switch (f->kind) {
    case TIX__F_ENUM8: return CMEMBER(rec, f->off, int);
    case TIX__F_U32: return CMEMBER(rec, f->off, uint32_t);
    case TIX__F_I64_32: return CMEMBER(rec, f->off, int32_t);
    case TIX__F_I64: return CMEMBER(rec, f->off, int64_t);
    default: return (int64_t)CMEMBER(rec, f->off, tix_id);
    }
}

static tix_id id_of(const tix__rectype *t, const void *rec)
{
    return CMEMBER(rec, t->fields[0].off, tix_id);
}

/* ---- validation ------------------------------------------------------ */

static int range_err(const tix__field *f, int64_t v)
{
    int code = f->code ? f->code : TIX_ERANGE;
    if (f->hi >= 9e18 && f->lo == 0)
        return tix__err(code, "%s %lld is negative", f->name, (long long)v);
    if (f->hi >= 9e18)
        return tix__err(code, "%s %lld is below %.0f", f->name, (long long)v,
                        f->lo);
    return tix__err(code, "%s %lld is not in %.0f..%.0f", f->name,
                    (long long)v, f->lo, f->hi);
}

static int field_check(const tix__field *f, const void *in)
{
    const char *s = f->kind == TIX__F_CSTR || f->kind == TIX__F_STR
                        ? CMEMBER(in, f->off, const char *) : NULL;
    switch (f->check) {
    case TIX__C_NAME: return tix__validate_name(f->name, s);
    case TIX__C_TEXT: return tix__validate_text(f->name, s, (size_t)f->lo,
                                             (size_t)f->hi, 0);
    case TIX__C_LINES: return tix__validate_text(f->name, s, (size_t)f->lo,
                                              (size_t)f->hi, 1);
    case TIX__C_LIST:
        return tix__validate_list(f->name,
                               CMEMBER(in, f->off, const char *const *),
                               CMEMBER(in, f->n_off, size_t), (size_t)f->hi);
    case TIX__C_REAL:
        return tix__validate_real(f->name, CMEMBER(in, f->off, double), f->lo,
                               f->hi);
    case TIX__C_FINITE:
        return tix__validate_finite(f->name, CMEMBER(in, f->off, double));
    case TIX__C_RANGE: {
        int64_t v = int_of(f, in);
        return v < f->lo || (double)v > f->hi ? range_err(f, v) : TIX_OK;
    }
    default: return TIX_OK;
    }
}

int tix__rec_check(const tix__rectype *t, const void *in)
{
    for (unsigned i = 1; i < t->n_fields; i++) {
        int rc = field_check(&t->fields[i], in);
        if (rc) return tix__err_at(rc, "%s", t->fields[i].member);
    }
    return t->check ? t->check(in) : TIX_OK;
}

int tix__rec_validate(const tix__rectype *t, const void *in)
{
    if (!in) return tix__err(TIX_EINVAL, "%s is NULL", t->what);
    return tix__rec_check(t, in);
}

/* ---- the codec ------------------------------------------------------- */

static void field_encode(const tix__field *f, const void *rec, tix_enc *e)
{
    switch (f->kind) {
    case TIX__F_ID: tix__enc_u64(e, CMEMBER(rec, f->off, tix_id)); break;
    case TIX__F_ENUM8:
        tix__enc_u8(e, (uint8_t)CMEMBER(rec, f->off, int));
        break;
    case TIX__F_U32: tix__enc_u32(e, CMEMBER(rec, f->off, uint32_t)); break;
    case TIX__F_I64_32: tix__enc_i64(e, CMEMBER(rec, f->off, int32_t)); break;
    case TIX__F_I64: tix__enc_i64(e, CMEMBER(rec, f->off, int64_t)); break;
    case TIX__F_F64: tix__enc_f64(e, CMEMBER(rec, f->off, double)); break;
    case TIX__F_CSTR:
        tix__enc_cstr(e, CMEMBER(rec, f->off, const char *));
        break;
    case TIX__F_STR: tix__enc_str(e, CMEMBER(rec, f->off, const char *)); break;
    case TIX__F_STRLIST:
        tix__enc_strlist(e, CMEMBER(rec, f->off, const char *const *),
                         CMEMBER(rec, f->n_off, size_t));
        break;
    case TIX__F_CODE3: tix__enc_bytes(e, (const char *)rec + f->off, 3); break;
    }
}

static int rec_encode(const tix__rectype *t, const void *rec, tix_enc *e)
{
    tix__enc_init(e, t->tag, t->version);
    for (unsigned i = 0; i < t->n_fields; i++)
        field_encode(&t->fields[i], rec, e);
    int rc = tix__enc_finish(e);
    if (rc) tix__enc_free(e);
    return rc;
}

/* A string into the block, or (peek, @p b NULL) into LMDB memory when it
 * was stored with its NUL. */
static const char *str_out(tix_bump *b, tix_str s, int cstr, int *full)
{
    if (!b) return cstr ? s.p : NULL;
    const char *p = tix__bump_str(b, s);
    if (!p) *full = 1;
    return p;
}

static void field_decode(const tix__field *f, tix_dec *d, void *rec,
                         tix_bump *b, int *full)
{
    switch (f->kind) {
    case TIX__F_ID: MEMBER(rec, f->off, tix_id) = tix__dec_u64(d); break;
    case TIX__F_ENUM8: MEMBER(rec, f->off, int) = tix__dec_u8(d); break;
    case TIX__F_U32: MEMBER(rec, f->off, uint32_t) = tix__dec_u32(d); break;
    case TIX__F_I64_32: {
        int64_t v = tix__dec_i64(d);
        if (v < INT32_MIN || v > INT32_MAX) d->err = TIX_ECORRUPT;
        MEMBER(rec, f->off, int32_t) = (int32_t)v;
        break;
    }
    case TIX__F_I64: MEMBER(rec, f->off, int64_t) = tix__dec_i64(d); break;
    case TIX__F_F64: MEMBER(rec, f->off, double) = tix__dec_f64(d); break;
    case TIX__F_CSTR:
    case TIX__F_STR: {
        int c = f->kind == TIX__F_CSTR;
        tix_str s = c ? tix__dec_cstr(d) : tix__dec_str(d);
        if (!d->err) MEMBER(rec, f->off, const char *) = str_out(b, s, c, full);
        break;
    }
    case TIX__F_STRLIST:
        if (!b) {
            tix__dec_skip_strlist(d);
            break;
        }
        MEMBER(rec, f->off, const char *const *) =
            tix__bump_strlist(b, d, &MEMBER(rec, f->n_off, size_t));
        break;
    case TIX__F_CODE3: {
        const uint8_t *p = tix__dec_bytes(d, 3);
        char *out = (char *)rec + f->off;
        if (p) memcpy(out, p, 3);
        out[3] = '\0';
        break;
    }
    }
}

/* A stored integer outside its field's range is damage, not input. */
static int decoded_ranges(const tix__rectype *t, const void *rec)
{
    for (unsigned i = 1; i < t->n_fields; i++) {
        const tix__field *f = &t->fields[i];
        if (f->check != TIX__C_RANGE) continue;
        int64_t v = int_of(f, rec);
        if (v < f->lo || (double)v > f->hi)
            return tix__err(TIX_ECORRUPT, "%s %llu has %s %lld", t->what,
                            ull(id_of(t, rec)), f->name, (long long)v);
    }
    return TIX_OK;
}

static int rec_unpack(const tix__rectype *t, const MDB_val *val, void *rec,
                      tix_bump *b)
{
    tix_dec d;
    int rc = tix__dec_init(&d, val->mv_data, val->mv_size, t->tag, t->version);
    if (rc) return rc;
    memset(rec, 0, t->size);
    int full = 0;
    for (unsigned i = 0; i < t->n_fields; i++)
        if (t->fields[i].since <= d.version)
            field_decode(&t->fields[i], &d, rec, b, &full);
    if ((rc = tix__dec_finish(&d))) return rc;
    if (full)
        return tix__err(TIX_ECORRUPT, "%s %llu does not fit its block",
                        t->what, ull(id_of(t, rec)));
    return decoded_ranges(t, rec);
}

int tix__rec_decode(const tix__rectype *t, const MDB_val *val, void *item,
                    tix_bump *b)
{
    return rec_unpack(t, val, item, b);
}

int tix__rec_peek(tix_db *db, MDB_txn *txn, const tix__rectype *t, tix_id id,
                  void *rec)
{
    MDB_val v;
    int rc = tix__db_get_id(db, txn, t->table, id, &v, t->what);
    return rc ? rc : rec_unpack(t, &v, rec, NULL);
}

/* ---- unique indexes -------------------------------------------------- */

size_t tix__rec_key(const tix__rectype *t, int ix, const void *rec,
                    uint8_t key[TIX__REC_KEY_MAX])
{
    const tix__rindex *x = &t->indexes[ix];
    size_t n = 0;
    if (x->owner >= 0) {
        tix__be64_put(key, CMEMBER(rec, t->fields[x->owner].off, tix_id));
        n = 8;
    }
    const char *s = CMEMBER(rec, t->fields[x->str].off, const char *);
    size_t len = s ? strnlen(s, TIX__REC_KEY_MAX - n) : 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        key[n + i] = (uint8_t)(x->fold && c >= 'A' && c <= 'Z' ? c - 'A' + 'a'
                                                               : c);
    }
    return n + len;
}

size_t tix__rec_entries(const tix__rectype *t, const void *rec,
                        tix__ixentry *out)
{
    for (unsigned i = 0; i < t->n_indexes; i++) {
        out[i] = (tix__ixentry){.index = t->indexes[i].table, .val_is_id = 1};
        out[i].klen = tix__rec_key(t, (int)i, rec, out[i].key);
    }
    return t->n_indexes;
}

static int key_taken(tix_db *db, MDB_txn *txn, const tix__rectype *t,
                     const tix__rindex *x, const void *rec, MDB_val *k)
{
    const char *s = CMEMBER(rec, t->fields[x->str].off, const char *);
    if (x->owner < 0) {
        MDB_val v;
        tix_id owner = 0;
        if (mdb_get(txn, db->dbi[x->table], k, &v) == 0 && v.mv_size == 8)
            owner = tix__be64_get(v.mv_data);
        return tix__err(TIX_EEXISTS, "%s %s is already used by %s %llu",
                        t->fields[x->str].name, s, t->what, ull(owner));
    }
    tix_id owner = CMEMBER(rec, t->fields[x->owner].off, tix_id);
    if (owner == 0)
        return tix__err(TIX_EEXISTS, "a %s named \"%s\" already exists",
                        t->what, s);
    return tix__err(TIX_EEXISTS, "%s %llu already has a %s named \"%s\"",
                    x->owner_noun, ull(owner), t->what, s);
}

/* Points index @p ix at @p rec: claims its key (TIX_EEXISTS when taken)
 * and drops the key @p old had, when it differs. */
static int index_put(tix_db *db, MDB_txn *txn, const tix__rectype *t, int ix,
                     const void *old, const void *rec)
{
    const tix__rindex *x = &t->indexes[ix];
    /* Both keys are built before the first write, which may move the LMDB
     * page @p old's strings point into. */
    uint8_t nk[TIX__REC_KEY_MAX], ok[TIX__REC_KEY_MAX];
    size_t nlen = tix__rec_key(t, ix, rec, nk);
    size_t olen = old ? tix__rec_key(t, ix, old, ok) : 0;
    if (old && olen == nlen && memcmp(ok, nk, nlen) == 0) return TIX_OK;
    const char *member = t->fields[x->str].member;
    uint8_t idv[8];
    tix__be64_put(idv, id_of(t, rec));
    MDB_val k = {nlen, nk}, v = {sizeof idv, idv};
    int rc = tix__db_raw_put(db, txn, x->table, &k, &v, MDB_NOOVERWRITE);
    if (rc == MDB_KEYEXIST)
        return tix__err_at(key_taken(db, txn, t, x, rec, &k), "%s", member);
    if (rc) return tix__mdb_err(rc, "index");
    if (!old) return TIX_OK;
    k = (MDB_val){olen, ok};
    rc = tix__db_raw_del(db, txn, x->table, &k);
    if (rc == MDB_NOTFOUND)
        return tix__err(TIX_ECORRUPT, "%s %llu is missing from its index",
                        t->what, ull(id_of(t, rec)));
    return rc ? tix__mdb_err(rc, "index") : TIX_OK;
}

/* ---- writes ---------------------------------------------------------- */

int tix__rec_rules(tix_db *db, MDB_txn *txn, const tix__rectype *t,
                   const void *rec)
{
    for (unsigned i = 1; i < t->n_fields; i++) {
        const tix__field *f = &t->fields[i];
        if (f->kind != TIX__F_ID || !f->ref) continue;
        tix_id id = CMEMBER(rec, f->off, tix_id);
        MDB_val v;
        int rc = tix__db_get_id(db, txn, f->ref, id, &v, f->name);
        if (rc) return tix__err_at(tix__table_ref_err(rc, f->name, id), "%s", f->member);
    }
    return t->rules ? t->rules(db, txn, rec) : TIX_OK;
}

static int fixed_check(const tix__rectype *t, const void *old, const void *in)
{
    for (unsigned i = 1; i < t->n_fields; i++) {
        const tix__field *f = &t->fields[i];
        if (f->fixed && int_of(f, old) != int_of(f, in))
            return tix__err_at(tix__err(TIX_EINVAL, "%s %llu has %s %lld: it "
                                    "cannot change", t->what,
                                    ull(id_of(t, in)), f->name,
                                    (long long)int_of(f, old)),
                           "%s", f->member);
    }
    return TIX_OK;
}

struct rec_write {
    const tix__rectype *t;
    const void *in;
    tix_id id;
};

int tix__rec_put(tix_db *db, MDB_txn *txn, const tix__rectype *t,
                 const void *rec)
{
    tix_enc e;
    int rc = rec_encode(t, rec, &e);
    if (rc) return rc;
    rc = tix__db_put_id(db, txn, t->table, id_of(t, rec), &e, t->what);
    tix__enc_free(&e);
    return rc;
}

static int store(tix_db *db, MDB_txn *txn, const tix__rectype *t,
                 const void *old, void *rec)
{
    int rc = TIX_OK;
    for (unsigned i = 0; i < t->n_indexes && rc == TIX_OK; i++)
        rc = index_put(db, txn, t, (int)i, old, rec);
    if (rc == TIX_OK && t->on_put) rc = t->on_put(db, txn, old, rec);
    return rc ? rc : tix__rec_put(db, txn, t, rec);
}

static int create_txn(tix_db *db, MDB_txn *txn, void *arg)
{
    struct rec_write *w = arg;
    _Alignas(max_align_t) char rec[TIX__REC_SIZE_MAX];
    memcpy(rec, w->in, w->t->size);
    MEMBER(rec, w->t->fields[0].off, tix_id) = 0; /* not yet: rules see 0 */
    int rc = tix__rec_rules(db, txn, w->t, rec);
    if (rc == TIX_OK) rc = tix__db_next_id(db, txn, w->t->table, &w->id);
    if (rc) return rc;
    MEMBER(rec, w->t->fields[0].off, tix_id) = w->id;
    return store(db, txn, w->t, NULL, rec);
}

static int update_txn(tix_db *db, MDB_txn *txn, void *arg)
{
    struct rec_write *w = arg;
    const tix__rectype *t = w->t;
    MDB_val v;
    int rc = tix__db_get_id(db, txn, t->table, w->id, &v, t->what);
    tix_bump b = {0};
    if (rc == TIX_OK)
        rc = tix__bump_init(&b, tix__bump_bound(t->size, v.mv_size));
    void *old = rc == TIX_OK ? tix__bump_alloc(&b, t->size) : NULL;
    if (rc == TIX_OK) rc = rec_unpack(t, &v, old, &b);
    _Alignas(max_align_t) char rec[TIX__REC_SIZE_MAX];
    memcpy(rec, w->in, t->size);
    if (rc == TIX_OK) rc = fixed_check(t, old, rec);
    if (rc == TIX_OK) rc = tix__rec_rules(db, txn, t, rec);
    if (rc == TIX_OK) rc = store(db, txn, t, old, rec);
    free(b.base);
    return rc;
}

static int write_args(tix_db *db, const tix__rectype *t, const void *in)
{
    TIX__ARG(db);
    if (!in) return tix__err(TIX_EINVAL, "%s is NULL", t->what);
    return tix__rec_check(t, in);
}

int tix__rec_create(tix_db *db, const tix__rectype *t, const void *in,
                    tix_id *id_out)
{
    int rc = write_args(db, t, in);
    if (rc) return rc;
    struct rec_write w = {t, in, 0};
    if ((rc = tix__db_write_join(db, create_txn, &w))) return rc;
    if (id_out) *id_out = w.id;
    return TIX_OK;
}

int tix__rec_update(tix_db *db, const tix__rectype *t, const void *in)
{
    int rc = write_args(db, t, in);
    if (rc) return rc;
    struct rec_write w = {t, in, id_of(t, in)};
    return tix__db_write_join(db, update_txn, &w);
}

/* ---- reads ----------------------------------------------------------- */

int tix__rec_get(tix_db *db, const tix__rectype *t, tix_id id, void **out)
{
    return tix__db_load_one(db, t->table, id, t->size, t->decode, out, t->what);
}

int tix__rec_list_owned(tix_db *db, const tix__rectype *t, int ix,
                        tix_id owner, void **out)
{
    uint8_t prefix[8];
    tix__be64_put(prefix, owner);
    return tix__db_list_by_index(db, t->indexes[ix].table, prefix, sizeof prefix,
                              t->table, t->size, t->decode, out);
}

int tix__rec_list_page(tix_db *db, const tix__rectype *t, tix_id after_id,
                       size_t limit, void **out)
{
    return tix__table_list_page(db, t->table, after_id, limit, t->size, t->decode,
                          out);
}

int tix__rec_find(tix_db *db, const tix__rectype *t, int ix, const char *s,
                  void **out)
{
    TIX__ARG(out);
    *out = NULL;
    TIX__ARG(db);
    const tix__field *f = &t->fields[t->indexes[ix].str];
    if (!s) return tix__err(TIX_EINVAL, "%s is NULL", f->name);
    size_t n = strlen(s);
    /* Nothing longer can have been stored, and LMDB keys are bounded. */
    if (n == 0 || n >= TIX__REC_KEY_MAX)
        return tix__err(TIX_ENOTFOUND, "no %s with %s %s", t->what, f->name, s);
    _Alignas(max_align_t) char probe[TIX__REC_SIZE_MAX] = {0};
    MEMBER(probe, f->off, const char *) = s;
    uint8_t key[TIX__REC_KEY_MAX];
    size_t klen = tix__rec_key(t, ix, probe, key);
    MDB_txn *txn;
    int rc = tix__db_read_begin(db, &txn);
    if (rc) return rc;
    MDB_val v;
    rc = tix__db_get(db, txn, t->indexes[ix].table, key, klen, &v, f->name);
    if (rc == TIX_OK && v.mv_size != 8)
        rc = tix__err(TIX_ECORRUPT, "%s index entry is malformed", f->name);
    if (rc == TIX_OK)
        rc = tix__table_load(db, txn, t->table, tix__be64_get(v.mv_data), t->size,
                           t->decode, out, t->what);
    tix__db_read_end(db, txn);
    if (rc == TIX_ENOTFOUND)
        rc = tix__err(TIX_ENOTFOUND, "no %s with %s %s", t->what, f->name, s);
    return rc;
}

/* ---- deletes ----------------------------------------------------------- */

#define REFS_FNS_MAX 16
static tix__rec_refs_fn refs_fns[REFS_FNS_MAX];
static size_t n_refs_fns;

void tix__rec_on_delete(tix__rec_refs_fn fn)
{
    for (size_t i = 0; i < n_refs_fns; i++)
        if (refs_fns[i] == fn) return;
    if (n_refs_fns < REFS_FNS_MAX) refs_fns[n_refs_fns++] = fn;
}

int tix__rec_refs_busy(const tix__rectype *t, tix_id id, const char *children,
                       const char *noun, tix_id ref)
{
    if (!noun)
        return tix__err(TIX_EBUSY, "%s %llu has %s", t->what, ull(id),
                        children);
    return tix__err(TIX_EBUSY, "%s %llu has %s (%s %llu)", t->what, ull(id),
                    children, noun, ull(ref));
}

int tix__rec_refs_key(tix_db *db, MDB_txn *txn, const tix__rectype *t,
                      tix_id id, int table, size_t at, int id_at,
                      const char *children, const char *noun)
{
    MDB_cursor *cur;
    int mrc = mdb_cursor_open(txn, db->dbi[table], &cur);
    if (mrc) return tix__mdb_err(mrc, children);
    uint8_t want[8];
    tix__be64_put(want, id);
    MDB_val k = {sizeof want, want}, v;
    mrc = mdb_cursor_get(cur, &k, &v, at == 0 ? MDB_SET_RANGE : MDB_FIRST);
    int found = 0;
    while (mrc == 0) {
        found = k.mv_size >= at + 8 && memcmp((uint8_t *)k.mv_data + at,
                                              want, 8) == 0;
        if (found || at == 0) break;
        mrc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
    }
    tix_id ref = 0;
    if (found && id_at >= 0 && k.mv_size >= (size_t)id_at + 8)
        ref = tix__be64_get((uint8_t *)k.mv_data + id_at);
    else if (found && id_at < 0 && v.mv_size == 8)
        ref = tix__be64_get(v.mv_data);
    mdb_cursor_close(cur);
    if (found) return tix__rec_refs_busy(t, id, children, noun, ref);
    return mrc && mrc != MDB_NOTFOUND ? tix__mdb_err(mrc, children) : TIX_OK;
}

int tix__rec_refs_field(tix_db *db, MDB_txn *txn, const tix__rectype *t,
                        tix_id id, const tix__rectype *rt, int field,
                        const char *children)
{
    MDB_cursor *cur;
    int mrc = mdb_cursor_open(txn, db->dbi[rt->table], &cur);
    if (mrc) return tix__mdb_err(mrc, children);
    _Alignas(max_align_t) char rec[TIX__REC_SIZE_MAX];
    MDB_val k, v;
    int rc = TIX_OK;
    tix_id ref = 0;
    mrc = mdb_cursor_get(cur, &k, &v, MDB_FIRST);
    while (mrc == 0 && rc == TIX_OK && !ref) {
        rc = rec_unpack(rt, &v, rec, NULL);
        if (rc == TIX_OK && CMEMBER(rec, rt->fields[field].off, tix_id) == id)
            ref = id_of(rt, rec);
        if (rc == TIX_OK && !ref) mrc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
    }
    mdb_cursor_close(cur);
    if (rc) return rc;
    if (ref) return tix__rec_refs_busy(t, id, children, rt->what, ref);
    return mrc && mrc != MDB_NOTFOUND ? tix__mdb_err(mrc, children) : TIX_OK;
}

static int index_drop(tix_db *db, MDB_txn *txn, const tix__rectype *t,
                      const void *old)
{
    tix__ixentry e[t->n_indexes + 1];
    size_t n = tix__rec_entries(t, old, e);
    for (size_t i = 0; i < n; i++) {
        MDB_val k = {e[i].klen, e[i].key};
        int rc = tix__db_raw_del(db, txn, e[i].index, &k);
        if (rc == MDB_NOTFOUND)
            return tix__err(TIX_ECORRUPT, "%s %llu is missing from its index",
                            t->what, ull(id_of(t, old)));
        if (rc) return tix__mdb_err(rc, "index");
    }
    return TIX_OK;
}

struct rec_delete {
    const tix__rectype *t;
    tix_id id;
};

static int delete_txn(tix_db *db, MDB_txn *txn, void *arg)
{
    struct rec_delete *d = arg;
    const tix__rectype *t = d->t;
    MDB_val v;
    int rc = tix__db_get_id(db, txn, t->table, d->id, &v, t->what);
    tix_bump b = {0};
    if (rc == TIX_OK)
        rc = tix__bump_init(&b, tix__bump_bound(t->size, v.mv_size));
    void *old = rc == TIX_OK ? tix__bump_alloc(&b, t->size) : NULL;
    if (rc == TIX_OK) rc = rec_unpack(t, &v, old, &b);
    for (size_t i = 0; rc == TIX_OK && i < n_refs_fns; i++)
        rc = refs_fns[i](db, txn, t, d->id);
    if (rc == TIX_OK) rc = index_drop(db, txn, t, old);
    if (rc == TIX_OK && t->on_delete) rc = t->on_delete(db, txn, old);
    uint8_t key[8];
    tix__be64_put(key, d->id);
    if (rc == TIX_OK) rc = tix__db_del(db, txn, t->table, key, 8, t->what);
    free(b.base);
    return rc;
}

int tix__rec_delete(tix_db *db, const tix__rectype *t, tix_id id)
{
    TIX__ARG(db);
    struct rec_delete d = {t, id};
    return tix__db_write_join(db, delete_txn, &d);
}
