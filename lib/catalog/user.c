/* Users: validation, the user record and the e-mail index.
 *
 * Record (TIX_REC_USER, version 1):
 *   u64 id | u64 home_city_id | str name | str email | str phone |
 *   strlist languages | genres
 * The e-mail is stored as given; TIX_T_USERS_BY_EMAIL is keyed by its ASCII
 * lower-case form, which is what makes addresses unique regardless of
 * case. */
#include "user.h"

#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "place.h"
#include "table.h"
#include "validate.h"

#define USER_VERSION 1
#define EMAIL_MIN 3
#define EMAIL_MAX 254 /* RFC 5321 path limit */
#define PHONE_DIGITS_MIN 7
#define PHONE_DIGITS_MAX 15 /* E.164 */

/* ---- e-mail ---------------------------------------------------------- */

/* Writes the index key of an e-mail (ASCII lower-case; other bytes kept so
 * UTF-8 stays intact). @p key holds EMAIL_MAX bytes; returns the length. */
static size_t email_key(const char *email, size_t n, char *key)
{
    for (size_t i = 0; i < n; i++) {
        char c = email[i];
        key[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
    }
    return n;
}

/* The shape rules of an address once it is known to be 3..254 bytes of
 * UTF-8 without control characters. Deliberately simple: one '@', both
 * sides non-empty, a dot inside the domain, no spaces. */
static int email_shape(const char *s)
{
    const char *at = strchr(s, '@');
    if (!at || strchr(at + 1, '@'))
        return tix__err(TIX_EINVAL, "email must contain exactly one '@'");
    if (at == s) return tix__err(TIX_EINVAL, "email has an empty local part");
    const char *dom = at + 1;
    size_t dn = strlen(dom);
    if (dn == 0) return tix__err(TIX_EINVAL, "email has an empty domain");
    const char *dot = strchr(dom, '.');
    if (!dot || dom[0] == '.' || dom[dn - 1] == '.')
        return tix__err(TIX_EINVAL, "email domain '%s' needs an inner dot", dom);
    if (strchr(s, ' '))
        return tix__err(TIX_EINVAL, "email contains a space");
    return TIX_OK;
}

static int email_check(const char *email)
{
    int rc = tix__check_text("email", email, EMAIL_MIN, EMAIL_MAX, 0);
    return rc ? rc : email_shape(email);
}

static int phone_check(const char *p)
{
    if (!p || !*p) return TIX_OK;
    size_t n = strlen(p);
    if (p[0] != '+' || n - 1 < PHONE_DIGITS_MIN || n - 1 > PHONE_DIGITS_MAX)
        return tix__err(TIX_EINVAL, "phone must be '+' and %d..%d digits",
                        PHONE_DIGITS_MIN, PHONE_DIGITS_MAX);
    for (size_t i = 1; i < n; i++)
        if (p[i] < '0' || p[i] > '9')
            return tix__err(TIX_EINVAL, "phone has a non-digit at byte %zu", i);
    return TIX_OK;
}

static int user_check(const tix_user *u)
{
    int rc;
    if ((rc = tix__check_name("name", u->name))) return rc;
    if ((rc = email_check(u->email))) return rc;
    if ((rc = phone_check(u->phone))) return rc;
    if ((rc = tix__check_list("languages", u->languages, u->n_languages,
                              TIX_NAME_MAX)))
        return rc;
    return tix__check_list("genres", u->genres, u->n_genres, TIX_NAME_MAX);
}

/* home_city_id is 0 or a place of kind city; needs the txn. */
static int home_city_check(tix_db *db, MDB_txn *txn, tix_id city)
{
    if (city == 0) return TIX_OK;
    tix_place_kind kind;
    int rc = tix__place_read(db, txn, city, &kind, NULL);
    if (rc) return tix__ref_err(rc, "home_city_id", city);
    if (kind != TIX_PLACE_CITY)
        return tix__err(TIX_EINVAL, "home_city_id %llu is not a city",
                        (unsigned long long)city);
    return TIX_OK;
}

/* ---- record ---------------------------------------------------------- */

static int user_encode(const tix_user *u, tix_id id, tix_enc *e)
{
    tix__enc_init(e, TIX_REC_USER, USER_VERSION);
    tix__enc_u64(e, id);
    tix__enc_u64(e, u->home_city_id);
    tix__enc_str(e, u->name);
    tix__enc_str(e, u->email);
    tix__enc_str(e, u->phone);
    tix__enc_strlist(e, u->languages, u->n_languages);
    tix__enc_strlist(e, u->genres, u->n_genres);
    int rc = tix__enc_finish(e);
    if (rc) tix__enc_free(e);
    return rc;
}

static int user_decode(const MDB_val *val, void *item, tix_bump *b)
{
    tix_user *u = item;
    tix_dec d;
    int rc = tix__dec_init(&d, val->mv_data, val->mv_size, TIX_REC_USER,
                           USER_VERSION);
    if (rc) return rc;
    u->id = tix__dec_u64(&d);
    u->home_city_id = tix__dec_u64(&d);
    u->name = tix__bump_str(b, tix__dec_str(&d));
    u->email = tix__bump_str(b, tix__dec_str(&d));
    u->phone = tix__bump_str(b, tix__dec_str(&d));
    u->languages = tix__bump_strlist(b, &d, &u->n_languages);
    u->genres = tix__bump_strlist(b, &d, &u->n_genres);
    if ((rc = tix__dec_finish(&d))) return rc;
    if (!u->name || !u->email || !u->phone)
        return tix__err(TIX_ECORRUPT, "user %llu does not fit its block",
                        (unsigned long long)u->id);
    return TIX_OK;
}

int tix__user_decode(const MDB_val *val, void *item, tix_bump *b)
{
    return user_decode(val, item, b);
}

/* Reads the stored e-mail of a user record (pointing into @p val). */
static int stored_email(const MDB_val *val, tix_str *email)
{
    tix_dec d;
    int rc = tix__dec_init(&d, val->mv_data, val->mv_size, TIX_REC_USER,
                           USER_VERSION);
    if (rc) return rc;
    tix__dec_u64(&d);
    tix__dec_u64(&d);
    tix__dec_str(&d);
    *email = tix__dec_str(&d);
    tix__dec_str(&d);
    tix__dec_skip_strlist(&d);
    tix__dec_skip_strlist(&d);
    return tix__dec_finish(&d);
}

int tix__user_exists(tix_db *db, MDB_txn *txn, tix_id id)
{
    MDB_val v;
    return tix__get_id(db, txn, TIX_T_USERS, id, &v, "user");
}

/* ---- writes ---------------------------------------------------------- */

/* Claims @p key for user @p id; TIX_EEXISTS names the owner. */
static int email_claim(tix_db *db, MDB_txn *txn, const char *key, size_t klen,
                       tix_id id, const char *email)
{
    MDB_val k = {klen, (void *)key}, v;
    int rc = mdb_get(txn, db->dbi[TIX_T_USERS_BY_EMAIL], &k, &v);
    if (rc == 0) {
        unsigned long long owner = v.mv_size == 8 ? tix__be64_get(v.mv_data) : 0;
        return tix__err(TIX_EEXISTS, "email %s is already used by user %llu",
                        email, owner);
    }
    if (rc != MDB_NOTFOUND) return tix__mdb_err(rc, "email index");
    uint8_t idv[8];
    tix__be64_put(idv, id);
    return tix__put(db, txn, TIX_T_USERS_BY_EMAIL, key, klen, idv, 8, 0,
                    "email index");
}

struct user_write {
    const tix_user *in;
    int create;
    tix_id id; /* out for create, in for update */
};

/* On update: frees the old address's index entry when the lower-cased
 * address changes, and reports whether the new one must be claimed. */
static int email_release_old(tix_db *db, MDB_txn *txn, tix_id id,
                             const char *nkey, size_t nlen, int *claim)
{
    MDB_val old;
    int rc = tix__get_id(db, txn, TIX_T_USERS, id, &old, "user");
    if (rc) return rc;
    tix_str oe;
    if ((rc = stored_email(&old, &oe))) return rc;
    char okey[EMAIL_MAX];
    if (oe.len > EMAIL_MAX)
        return tix__err(TIX_ECORRUPT, "user %llu has an oversized email",
                        (unsigned long long)id);
    size_t olen = email_key(oe.p, oe.len, okey);
    *claim = olen != nlen || memcmp(okey, nkey, nlen) != 0;
    if (!*claim) return TIX_OK; /* same address, maybe other case */
    return tix__del(db, txn, TIX_T_USERS_BY_EMAIL, okey, olen, "email index");
}

static int user_write_txn(tix_db *db, MDB_txn *txn, void *arg)
{
    struct user_write *w = arg;
    const tix_user *u = w->in;
    char key[EMAIL_MAX];
    size_t klen = email_key(u->email, strlen(u->email), key);
    int claim = 1, rc;
    if (w->create) rc = tix__next_id(db, txn, TIX_T_USERS, &w->id);
    else rc = email_release_old(db, txn, w->id, key, klen, &claim);
    if (rc) return rc;
    if ((rc = home_city_check(db, txn, u->home_city_id))) return rc;
    if (claim && (rc = email_claim(db, txn, key, klen, w->id, u->email)))
        return rc;
    tix_enc e;
    if ((rc = user_encode(u, w->id, &e))) return rc;
    rc = tix__put_id(db, txn, TIX_T_USERS, w->id, &e, "user");
    tix__enc_free(&e);
    return rc;
}

int tix_user_create(tix_db *db, const tix_user *in, tix_id *id_out)
{
    if (!db) return tix__err(TIX_EINVAL, "db is NULL");
    if (!in) return tix__err(TIX_EINVAL, "user is NULL");
    int rc = user_check(in);
    if (rc) return rc;
    struct user_write w = {in, 1, 0};
    if ((rc = tix__write_join(db, user_write_txn, &w))) return rc;
    if (id_out) *id_out = w.id;
    return TIX_OK;
}

int tix_user_update(tix_db *db, const tix_user *in)
{
    if (!db) return tix__err(TIX_EINVAL, "db is NULL");
    if (!in) return tix__err(TIX_EINVAL, "user is NULL");
    int rc = user_check(in);
    if (rc) return rc;
    struct user_write w = {in, 0, in->id};
    return tix__write_join(db, user_write_txn, &w);
}

/* ---- reads ----------------------------------------------------------- */

int tix_user_get(tix_db *db, tix_id id, tix_user **out)
{
    return tix__load_one(db, TIX_T_USERS, id, sizeof(tix_user), user_decode,
                         (void **)out, "user");
}

int tix_user_find_email(tix_db *db, const char *email, tix_user **out)
{
    if (!out) return tix__err(TIX_EINVAL, "out is NULL");
    *out = NULL;
    if (!db) return tix__err(TIX_EINVAL, "db is NULL");
    if (!email) return tix__err(TIX_EINVAL, "email is NULL");
    size_t n = strlen(email);
    /* Nothing longer can have been stored, and LMDB keys are bounded. */
    if (n == 0 || n > EMAIL_MAX)
        return tix__err(TIX_ENOTFOUND, "no user with that email");
    char key[EMAIL_MAX];
    size_t klen = email_key(email, n, key);
    MDB_txn *txn;
    int rc = tix__read_begin(db, &txn);
    if (rc) return rc;
    MDB_val v;
    rc = tix__get(db, txn, TIX_T_USERS_BY_EMAIL, key, klen, &v, "email");
    if (rc == TIX_OK && v.mv_size != 8)
        rc = tix__err(TIX_ECORRUPT, "email index entry is malformed");
    if (rc == TIX_OK)
        rc = tix__load_txn(db, txn, TIX_T_USERS, tix__be64_get(v.mv_data),
                           sizeof(tix_user), user_decode, (void **)out, "user");
    tix__read_end(db, txn);
    if (rc == TIX_ENOTFOUND)
        rc = tix__err(TIX_ENOTFOUND, "no user with email %s", email);
    return rc;
}

int tix_user_list_all(tix_db *db, tix_id after_id, size_t limit,
                      tix_user_list **out)
{
    return tix__list_page(db, TIX_T_USERS, after_id, limit, sizeof(tix_user),
                          user_decode, (void **)out);
}

void tix_user_free(tix_user *u) { free(u); }

void tix_user_list_free(tix_user_list *l) { free(l); }
