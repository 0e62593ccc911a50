/* Movies and events.
 *
 * Record (TIX_REC_MOVIE, version 1):
 *   u64 id | u32 duration_min | str title | str certificate | str synopsis |
 *   strlist languages | genres | cast | crew | media */
#include "movie.h"
#include "tables.h"

#include <stddef.h>
#include <stdlib.h>

#define CERTIFICATE_MAX 16

/* The derived index of titles (lib/front/search.c), handed in at open: the
 * catalog sits below search and never calls it by name. */
static tix__movie_title_hook title_hook;

void tix__movie_on_title(tix__movie_title_hook fn) { title_hook = fn; }

static int movie_on_put(tix_db *db, MDB_txn *txn, const void *old, void *rec)
{
    (void)old;
    const tix_movie *m = rec;
    return title_hook ? title_hook(db, txn, m->id, m->title) : TIX_OK;
}

static int movie_on_delete(tix_db *db, MDB_txn *txn, const void *old)
{
    const tix_movie *m = old;
    return title_hook ? title_hook(db, txn, m->id, NULL) : TIX_OK;
}

#define F(m) .off = offsetof(tix_movie, m), .member = #m
#define LIST(name, member, max)                                            \
    {name, TIX__F_STRLIST, TIX__C_LIST, F(member),                  \
     .n_off = offsetof(tix_movie, n_##member), .hi = (max)}
static const tix__field movie_fields[] = {
    {"id", TIX__F_ID, 0, F(id)},
    {"duration_min", TIX__F_U32, TIX__C_RANGE, F(duration_min),
     .lo = 1, .hi = TIX__MOVIE_DURATION_MAX},
    {"title", TIX__F_STR, TIX__C_NAME, F(title)},
    {"certificate", TIX__F_STR, TIX__C_TEXT, F(certificate), .lo = 0,
     .hi = CERTIFICATE_MAX},
    {"synopsis", TIX__F_STR, TIX__C_LINES, F(synopsis), .lo = 0,
     .hi = TIX_TEXT_MAX},
    LIST("languages", languages, TIX_NAME_MAX),
    LIST("genres", genres, TIX_NAME_MAX),
    LIST("cast", cast, TIX_NAME_MAX),
    LIST("crew", crew, TIX_NAME_MAX),
    LIST("media", media, TIX_ADDRESS_MAX),
};
#undef LIST
#undef F
_Static_assert(sizeof(tix_movie) <= TIX__REC_SIZE_MAX, "record.c copies it");

const tix__rectype tix__movie_type = {
    "movie", TIX_T_MOVIES, TIX_REC_MOVIE, 1, sizeof(tix_movie), movie_fields,
    10, NULL, 0, tix__movie_decode, .on_put = movie_on_put,
    .on_delete = movie_on_delete};

int tix__movie_decode(const MDB_val *val, void *item, tix_bump *b)
{
    return tix__rec_decode(&tix__movie_type, val, item, b);
}

int tix__movie_duration(tix_db *db, MDB_txn *txn, tix_id id,
                        uint32_t *duration_min)
{
    tix_movie m;
    int rc = tix__rec_peek(db, txn, &tix__movie_type, id, &m);
    if (rc == TIX_OK) *duration_min = m.duration_min;
    return rc;
}

int tix_movie_delete(tix_db *db, tix_id id)
{
    return tix__rec_delete(db, &tix__movie_type, id);
}

int tix_movie_create(tix_db *db, const tix_movie *in, tix_id *id_out)
{
    return tix__rec_create(db, &tix__movie_type, in, id_out);
}

int tix_movie_update(tix_db *db, const tix_movie *in)
{
    return tix__rec_update(db, &tix__movie_type, in);
}

int tix_movie_get(tix_db *db, tix_id id, tix_movie **out)
{
    return tix__rec_get(db, &tix__movie_type, id, (void **)out);
}

int tix_movie_list_all(tix_db *db, tix_id after_id, size_t limit,
                       tix_movie_list **out)
{
    return tix__rec_list_page(db, &tix__movie_type, after_id, limit,
                              (void **)out);
}

void tix_movie_free(tix_movie *m) { free(m); }

void tix_movie_list_free(tix_movie_list *l) { free(l); }
