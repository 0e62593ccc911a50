/* Movies and events: validation, the movie record and its lookups.
 *
 * Record (TIX_REC_MOVIE, version 1):
 *   u64 id | u32 duration_min | str title | str certificate | str synopsis |
 *   strlist languages | genres | cast | crew | media
 * The id is kept in the value too because list decoding sees values only;
 * the duration comes first so tix__movie_duration stops reading early. */
#include "movie.h"

#include <stdlib.h>

#include "error.h"
#include "table.h"
#include "validate.h"

#define MOVIE_VERSION 1
#define CERTIFICATE_MAX 16

/* The derived index of titles (lib/search.c), handed in at open: the
 * catalog sits below search and never calls it by name. */
static tix__movie_title_hook title_hook;

void tix__movie_on_title(tix__movie_title_hook fn) { title_hook = fn; }

static int check_lists(const tix_movie *m)
{
    int rc;
    if ((rc = tix__check_list("languages", m->languages, m->n_languages,
                              TIX_NAME_MAX)))
        return rc;
    if ((rc = tix__check_list("genres", m->genres, m->n_genres, TIX_NAME_MAX)))
        return rc;
    if ((rc = tix__check_list("cast", m->cast, m->n_cast, TIX_NAME_MAX)))
        return rc;
    if ((rc = tix__check_list("crew", m->crew, m->n_crew, TIX_NAME_MAX)))
        return rc;
    return tix__check_list("media", m->media, m->n_media, TIX_ADDRESS_MAX);
}

static int movie_check(const tix_movie *m)
{
    int rc;
    if ((rc = tix__check_name("title", m->title))) return rc;
    if (m->duration_min < 1 || m->duration_min > TIX__MOVIE_DURATION_MAX)
        return tix__err(TIX_ERANGE, "duration_min %u not in 1..%d",
                        m->duration_min, TIX__MOVIE_DURATION_MAX);
    if ((rc = tix__check_text("certificate", m->certificate, 0,
                              CERTIFICATE_MAX, 0)))
        return rc;
    if ((rc = tix__check_text("synopsis", m->synopsis, 0, TIX_TEXT_MAX, 1)))
        return rc;
    return check_lists(m);
}

static int movie_encode(const tix_movie *m, tix_id id, tix_enc *e)
{
    tix__enc_init(e, TIX_REC_MOVIE, MOVIE_VERSION);
    tix__enc_u64(e, id);
    tix__enc_u32(e, m->duration_min);
    tix__enc_str(e, m->title);
    tix__enc_str(e, m->certificate);
    tix__enc_str(e, m->synopsis);
    tix__enc_strlist(e, m->languages, m->n_languages);
    tix__enc_strlist(e, m->genres, m->n_genres);
    tix__enc_strlist(e, m->cast, m->n_cast);
    tix__enc_strlist(e, m->crew, m->n_crew);
    tix__enc_strlist(e, m->media, m->n_media);
    int rc = tix__enc_finish(e);
    if (rc) tix__enc_free(e);
    return rc;
}

static int movie_decode(const MDB_val *val, void *item, tix_bump *b)
{
    tix_movie *m = item;
    tix_dec d;
    int rc = tix__dec_init(&d, val->mv_data, val->mv_size, TIX_REC_MOVIE,
                           MOVIE_VERSION);
    if (rc) return rc;
    m->id = tix__dec_u64(&d);
    m->duration_min = tix__dec_u32(&d);
    m->title = tix__bump_str(b, tix__dec_str(&d));
    m->certificate = tix__bump_str(b, tix__dec_str(&d));
    m->synopsis = tix__bump_str(b, tix__dec_str(&d));
    m->languages = tix__bump_strlist(b, &d, &m->n_languages);
    m->genres = tix__bump_strlist(b, &d, &m->n_genres);
    m->cast = tix__bump_strlist(b, &d, &m->n_cast);
    m->crew = tix__bump_strlist(b, &d, &m->n_crew);
    m->media = tix__bump_strlist(b, &d, &m->n_media);
    if ((rc = tix__dec_finish(&d))) return rc;
    if (!m->title || !m->certificate || !m->synopsis)
        return tix__err(TIX_ECORRUPT, "movie %llu does not fit its block",
                        (unsigned long long)m->id);
    return TIX_OK;
}

int tix__movie_decode(const MDB_val *val, void *item, tix_bump *b)
{
    return movie_decode(val, item, b);
}

int tix__movie_duration(tix_db *db, MDB_txn *txn, tix_id id,
                        uint32_t *duration_min)
{
    MDB_val v;
    int rc = tix__get_id(db, txn, TIX_T_MOVIES, id, &v, "movie");
    if (rc) return rc;
    tix_dec d;
    if ((rc = tix__dec_init(&d, v.mv_data, v.mv_size, TIX_REC_MOVIE,
                            MOVIE_VERSION)))
        return rc;
    tix__dec_u64(&d);
    uint32_t dur = tix__dec_u32(&d);
    /* Walk the rest so a damaged record is reported, not half-trusted. */
    for (int i = 0; i < 3; i++) tix__dec_str(&d);
    for (int i = 0; i < 5; i++) tix__dec_skip_strlist(&d);
    if ((rc = tix__dec_finish(&d))) return rc;
    *duration_min = dur;
    return TIX_OK;
}

/* ---- writes ---------------------------------------------------------- */

struct movie_write {
    const tix_movie *in;
    int create;
    tix_id id; /* out for create, in for update */
};

static int movie_write_txn(tix_db *db, MDB_txn *txn, void *arg)
{
    struct movie_write *w = arg;
    int rc;
    if (w->create) {
        if ((rc = tix__next_id(db, txn, TIX_T_MOVIES, &w->id))) return rc;
    } else {
        MDB_val old;
        if ((rc = tix__get_id(db, txn, TIX_T_MOVIES, w->id, &old, "movie")))
            return rc;
    }
    tix_enc e;
    if ((rc = movie_encode(w->in, w->id, &e))) return rc;
    rc = tix__put_id(db, txn, TIX_T_MOVIES, w->id, &e, "movie");
    tix__enc_free(&e);
    if (rc == TIX_OK && title_hook) rc = title_hook(db, txn, w->id, w->in->title);
    return rc;
}

int tix_movie_create(tix_db *db, const tix_movie *in, tix_id *id_out)
{
    if (!db) return tix__err(TIX_EINVAL, "db is NULL");
    if (!in) return tix__err(TIX_EINVAL, "movie is NULL");
    int rc = movie_check(in);
    if (rc) return rc;
    struct movie_write w = {in, 1, 0};
    if ((rc = tix__write_join(db, movie_write_txn, &w))) return rc;
    if (id_out) *id_out = w.id;
    return TIX_OK;
}

int tix_movie_update(tix_db *db, const tix_movie *in)
{
    if (!db) return tix__err(TIX_EINVAL, "db is NULL");
    if (!in) return tix__err(TIX_EINVAL, "movie is NULL");
    int rc = movie_check(in);
    if (rc) return rc;
    struct movie_write w = {in, 0, in->id};
    return tix__write_join(db, movie_write_txn, &w);
}

/* ---- reads ----------------------------------------------------------- */

int tix_movie_get(tix_db *db, tix_id id, tix_movie **out)
{
    return tix__load_one(db, TIX_T_MOVIES, id, sizeof(tix_movie), movie_decode,
                         (void **)out, "movie");
}

int tix_movie_list_all(tix_db *db, tix_id after_id, size_t limit,
                       tix_movie_list **out)
{
    return tix__list_page(db, TIX_T_MOVIES, after_id, limit,
                          sizeof(tix_movie), movie_decode, (void **)out);
}

void tix_movie_free(tix_movie *m) { free(m); }

void tix_movie_list_free(tix_movie_list *l) { free(l); }
