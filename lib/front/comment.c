/* Comments on reviews, threaded one level deep (see comment.h). */
#include "comment.h"
#include "tables.h"

#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "table.h"
#include "user.h"
#include "validate.h"

#define COMMENT_VERSION 1
#define INDEX_KEY_LEN 24 /* review, root, id */

typedef struct comment_rec {
    tix_id id, review, parent, user;
    int64_t created;
    tix_str text;
} comment_rec;

static int comment_unpack(const MDB_val *v, comment_rec *c)
{
    tix_dec d;
    int rc = tix__dec_init(&d, v->mv_data, v->mv_size, TIX_REC_COMMENT,
                           COMMENT_VERSION);
    if (rc) return rc;
    c->id = tix__dec_u64(&d);
    c->review = tix__dec_u64(&d);
    c->parent = tix__dec_u64(&d);
    c->user = tix__dec_u64(&d);
    c->created = tix__dec_i64(&d);
    c->text = tix__dec_str(&d);
    return tix__dec_finish(&d);
}

int tix__comment_by_user(tix_db *db, MDB_txn *txn, tix_id user, tix_id *id)
{
    MDB_cursor *cur;
    int mrc = mdb_cursor_open(txn, db->dbi[TIX_T_COMMENTS], &cur);
    if (mrc) return tix__mdb_err(mrc, "comments");
    MDB_val k, v;
    int rc = TIX_OK, found = 0;
    mrc = mdb_cursor_get(cur, &k, &v, MDB_FIRST);
    while (mrc == 0 && rc == TIX_OK && !found) {
        comment_rec c;
        rc = comment_unpack(&v, &c);
        found = rc == TIX_OK && c.user == user;
        if (found) *id = c.id;
        else if (rc == TIX_OK) mrc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
    }
    mdb_cursor_close(cur);
    if (rc) return rc;
    if (found) return 1;
    return mrc && mrc != MDB_NOTFOUND ? tix__mdb_err(mrc, "comments") : 0;
}

static int comment_decode(const MDB_val *val, void *item, tix_bump *b)
{
    comment_rec c;
    int rc = comment_unpack(val, &c);
    if (rc) return rc;
    tix_comment *out = item;
    *out = (tix_comment){.id = c.id, .review_id = c.review,
                         .parent_id = c.parent, .user_id = c.user,
                         .created_at = c.created};
    out->text = tix__bump_str(b, c.text);
    if (!out->text)
        return tix__err(TIX_ECORRUPT, "comment %llu does not fit its block",
                        (unsigned long long)c.id);
    return TIX_OK;
}

static int comment_load(tix_db *db, MDB_txn *txn, tix_id id, comment_rec *c)
{
    MDB_val v;
    int rc = tix__db_get_id(db, txn, TIX_T_COMMENTS, id, &v, "comment");
    return rc ? rc : comment_unpack(&v, c);
}

static void index_key(uint8_t k[INDEX_KEY_LEN], tix_id review, tix_id root,
                      tix_id id)
{
    tix__be64_put(k, review);
    tix__be64_put(k + 8, root);
    tix__be64_put(k + 16, id);
}

/* ---- create ------------------------------------------------------------ */

struct comment_write {
    const tix_comment *in;
    tix_id id; /* out */
};

/* A reply's parent: a top-level comment of the same review. */
static int parent_check(tix_db *db, MDB_txn *txn, const tix_comment *in)
{
    comment_rec p;
    int rc = comment_load(db, txn, in->parent_id, &p);
    if (rc) return tix__table_ref_err(rc, "parent_id", in->parent_id);
    if (p.review != in->review_id)
        return tix__err(TIX_EINVAL, "parent_id %llu is a comment on review "
                        "%llu, not on review %llu",
                        (unsigned long long)in->parent_id,
                        (unsigned long long)p.review,
                        (unsigned long long)in->review_id);
    if (p.parent != 0)
        return tix__err(TIX_EINVAL, "parent_id %llu is itself a reply: "
                        "threads are one level deep",
                        (unsigned long long)in->parent_id);
    return TIX_OK;
}

static int create_txn(tix_db *db, MDB_txn *txn, void *arg)
{
    struct comment_write *w = arg;
    const tix_comment *in = w->in;
    MDB_val rv; /* present is enough: reviews sit above comments */
    int rc = tix__db_get_id(db, txn, TIX_T_REVIEWS, in->review_id, &rv, "review");
    if (rc) return tix__table_ref_err(rc, "review_id", in->review_id);
    if ((rc = tix__user_exists(db, txn, in->user_id)))
        return tix__table_ref_err(rc, "user_id", in->user_id);
    if (in->parent_id && (rc = parent_check(db, txn, in))) return rc;
    tix_id id;
    if ((rc = tix__db_next_id(db, txn, TIX_T_COMMENTS, &id))) return rc;
    tix_enc e;
    tix__enc_init(&e, TIX_REC_COMMENT, COMMENT_VERSION);
    tix__enc_u64(&e, id);
    tix__enc_u64(&e, in->review_id);
    tix__enc_u64(&e, in->parent_id);
    tix__enc_u64(&e, in->user_id);
    tix__enc_i64(&e, tix_db_now(db));
    tix__enc_str(&e, in->text);
    rc = tix__enc_finish(&e);
    if (rc == TIX_OK) rc = tix__db_put_id(db, txn, TIX_T_COMMENTS, id, &e, "comment");
    tix__enc_free(&e);
    uint8_t k[INDEX_KEY_LEN];
    index_key(k, in->review_id, in->parent_id ? in->parent_id : id, id);
    if (rc == TIX_OK)
        rc = tix__db_put(db, txn, TIX_T_COMMENTS_BY_REVIEW, k, sizeof k, "", 0, 0,
                      "comment index");
    if (rc == TIX_OK) w->id = id;
    return rc;
}

int tix_comment_create(tix_db *db, const tix_comment *in, tix_id *id_out)
{
    TIX__ARG(db);
    if (!in) return tix__err(TIX_EINVAL, "comment is NULL");
    int rc = tix__validate_text("comment text", in->text, 1,
                             db->cfg.review_text_max, 1);
    if (rc) return rc;
    struct comment_write w = {in, 0};
    if ((rc = tix__db_write(db, create_txn, &w))) return rc;
    if (id_out) *id_out = w.id;
    return TIX_OK;
}

/* ---- delete ------------------------------------------------------------ */

/* Deletes the record an index entry (review, root, id) names. */
static int drop_record(tix_db *db, MDB_txn *txn, const MDB_val *key,
                       const MDB_val *val, void *arg)
{
    (void)val;
    (void)arg;
    if (key->mv_size != INDEX_KEY_LEN)
        return tix__err(TIX_ECORRUPT, "comment index entry is malformed");
    uint8_t id[8];
    memcpy(id, (const uint8_t *)key->mv_data + 16, 8);
    int rc = tix__db_del(db, txn, TIX_T_COMMENTS, id, 8, "comment");
    return rc == TIX_ENOTFOUND
               ? tix__err(TIX_ECORRUPT, "comment index names missing comment "
                          "%llu", (unsigned long long)tix__be64_get(id))
               : rc;
}

static int delete_txn(tix_db *db, MDB_txn *txn, void *arg)
{
    tix_id id = *(tix_id *)arg;
    comment_rec c;
    int rc = comment_load(db, txn, id, &c);
    if (rc) return rc;
    uint8_t k[INDEX_KEY_LEN];
    index_key(k, c.review, c.parent ? c.parent : id, id);
    if (c.parent == 0) /* the whole thread: (review, id) prefixes it */
        return tix__table_del_prefix(db, txn, TIX_T_COMMENTS_BY_REVIEW, k, 16,
                               drop_record, NULL, NULL);
    rc = tix__db_del(db, txn, TIX_T_COMMENTS_BY_REVIEW, k, sizeof k,
                  "comment index");
    return rc ? rc : tix__db_del(db, txn, TIX_T_COMMENTS, k + 16, 8, "comment");
}

int tix_comment_delete(tix_db *db, tix_id id)
{
    TIX__ARG(db);
    return tix__db_write(db, delete_txn, &id);
}

int tix__comment_drop_all(tix_db *db, MDB_txn *txn, tix_id review)
{
    uint8_t prefix[8];
    tix__be64_put(prefix, review);
    return tix__table_del_prefix(db, txn, TIX_T_COMMENTS_BY_REVIEW, prefix, 8,
                           drop_record, NULL, NULL);
}

/* ---- list -------------------------------------------------------------- */

int tix_comment_list_by_review(tix_db *db, tix_id review_id,
                               tix_comment_list **out)
{
    uint8_t prefix[8];
    tix__be64_put(prefix, review_id);
    return tix__db_list_by_index(db, TIX_T_COMMENTS_BY_REVIEW, prefix, 8,
                              TIX_T_COMMENTS, sizeof(tix_comment),
                              comment_decode, (void **)out);
}

void tix_comment_list_free(tix_comment_list *l) { free(l); }
