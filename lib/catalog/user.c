/* Users and their e-mail index.
 *
 * Record (TIX_REC_USER, version 1):
 *   u64 id | u64 home_city_id | str name | str email | str phone |
 *   strlist languages | genres
 * The e-mail is stored as given; TIX_T_USERS_BY_EMAIL is keyed by its ASCII
 * lower-case form, which is what makes addresses unique regardless of
 * case. */
#include "user.h"
#include "tables.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "place.h"

#define EMAIL_MIN 3
#define EMAIL_MAX 254 /* RFC 5321 path limit */
#define PHONE_DIGITS_MIN 7
#define PHONE_DIGITS_MAX 15 /* E.164 */

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
        return tix__err(TIX_EINVAL, "email domain '%s' needs an inner dot",
                        dom);
    if (strchr(s, ' '))
        return tix__err(TIX_EINVAL, "email contains a space");
    return TIX_OK;
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

/* Runs after the field table's checks, so the e-mail is a string. */
static int user_check(const void *rec)
{
    const tix_user *u = rec;
    int rc = email_shape(u->email);
    if (rc) return tix__err_at(rc, "email");
    rc = phone_check(u->phone);
    return rc ? tix__err_at(rc, "phone") : TIX_OK;
}

/* home_city_id is 0 or a city. */
static int user_rules(tix_db *db, MDB_txn *txn, const void *rec)
{
    tix_id city = ((const tix_user *)rec)->home_city_id;
    return city ? tix__place_is_city(db, txn, city, "home_city_id") : TIX_OK;
}

#define F(m) .off = offsetof(tix_user, m), .member = #m
static const tix__field user_fields[] = {
    {"id", TIX__F_ID, 0, F(id)},
    {"home_city_id", TIX__F_ID, 0, F(home_city_id)},
    {"name", TIX__F_STR, TIX__C_NAME, F(name)},
    {"email", TIX__F_STR, TIX__C_TEXT, F(email), .lo = EMAIL_MIN,
     .hi = EMAIL_MAX},
    {"phone", TIX__F_STR, 0, F(phone)},
    {"languages", TIX__F_STRLIST, TIX__C_LIST, F(languages),
     .n_off = offsetof(tix_user, n_languages), .hi = TIX_NAME_MAX},
    {"genres", TIX__F_STRLIST, TIX__C_LIST, F(genres),
     .n_off = offsetof(tix_user, n_genres), .hi = TIX_NAME_MAX},
};
#undef F
_Static_assert(sizeof(tix_user) <= TIX__REC_SIZE_MAX, "record.c copies it");
static const tix__rindex user_index[] = {
    {TIX_T_USERS_BY_EMAIL, -1, 3, 1, NULL}};

const tix__rectype tix__user_type = {
    "user", TIX_T_USERS, TIX_REC_USER, 1, sizeof(tix_user), user_fields, 7,
    user_index, 1, tix__user_decode, .check = user_check,
    .rules = user_rules};

int tix__user_decode(const MDB_val *val, void *item, tix_bump *b)
{
    return tix__rec_decode(&tix__user_type, val, item, b);
}

int tix__user_exists(tix_db *db, MDB_txn *txn, tix_id id)
{
    MDB_val v;
    return tix__db_get_id(db, txn, TIX_T_USERS, id, &v, "user");
}

int tix_user_delete(tix_db *db, tix_id id)
{
    return tix__rec_delete(db, &tix__user_type, id);
}

int tix_user_create(tix_db *db, const tix_user *in, tix_id *id_out)
{
    return tix__rec_create(db, &tix__user_type, in, id_out);
}

int tix_user_update(tix_db *db, const tix_user *in)
{
    return tix__rec_update(db, &tix__user_type, in);
}

int tix_user_get(tix_db *db, tix_id id, tix_user **out)
{
    return tix__rec_get(db, &tix__user_type, id, (void **)out);
}

int tix_user_find_email(tix_db *db, const char *email, tix_user **out)
{
    return tix__rec_find(db, &tix__user_type, 0, email, (void **)out);
}

int tix_user_list_all(tix_db *db, tix_id after_id, size_t limit,
                      tix_user_list **out)
{
    return tix__rec_list_page(db, &tix__user_type, after_id, limit,
                              (void **)out);
}

void tix_user_free(tix_user *u) { free(u); }

void tix_user_list_free(tix_user_list *l) { free(l); }
