/* What in the catalog refers to a catalog record: the check every
 * tix_<noun>_delete runs (tix__rec_delete, lib/schema/record.c), here in
 * one place so each rule is written once. Layers above the catalog
 * register their own (bookings: lib/sell/booking.c; reviews, votes and
 * comments: lib/front/review.c, comment.c). Index walks where the id
 * leads the key; whole-table walks otherwise (users by home city, shows
 * by movie): deletes are rare admin work. */
#include "refs.h"
#include "tables.h"

#include "error.h"
#include "movie.h"
#include "place.h"
#include "screen.h"
#include "seat.h"
#include "show.h"
#include "tier.h"
#include "user.h"
#include "venue.h"

/* The key walk of tix__rec_refs_key where the id leads the key of an
 * index whose value is the referrer's id. */
static int owned(tix_db *db, MDB_txn *txn, const tix__rectype *t, tix_id id,
                 int index, const char *children, const char *noun)
{
    return tix__rec_refs_key(db, txn, t, id, index, 0, -1, children, noun);
}

static int place_refs(tix_db *db, MDB_txn *txn, const tix__rectype *t,
                      tix_id id)
{
    int rc = owned(db, txn, t, id, TIX_T_PLACES_BY_PARENT, "places", "place");
    if (rc == TIX_OK)
        rc = owned(db, txn, t, id, TIX_T_VENUES_BY_CITY, "venues", "venue");
    if (rc == TIX_OK)
        rc = tix__rec_refs_field(db, txn, t, id, &tix__user_type, 1,
                                 "users living there");
    return rc;
}

static int screen_refs(tix_db *db, MDB_txn *txn, const tix__rectype *t,
                       tix_id id)
{
    int rc = tix__rec_refs_key(db, txn, t, id, TIX_T_SHOWS_BY_SCREEN, 0, 16,
                               "shows", "show");
    if (rc == TIX_OK)
        rc = tix__rec_refs_key(db, txn, t, id, TIX_T_SEATS, 0, 0, "seats",
                               NULL);
    if (rc == TIX_OK)
        rc = owned(db, txn, t, id, TIX_T_AREAS_BY_SCREEN, "areas", "area");
    if (rc == TIX_OK)
        rc = owned(db, txn, t, id, TIX_T_TIERS_BY_SCREEN, "tiers", "tier");
    return rc;
}

/* A tier's seats are on its own screen (seat.c checks it when they are
 * added), and an area's places are seats of its tier. */
static int tier_refs(tix_db *db, MDB_txn *txn, const tix__rectype *t,
                     tix_id id)
{
    (void)t; /* its own message: a seat has an index, not an id */
    tix_tier tier;
    int rc = tix__tier_read(db, txn, id, &tier);
    uint32_t seat = 0;
    if (rc == TIX_OK) rc = tix__seat_of_tier(db, txn, tier.screen_id, id, &seat);
    if (rc == 1)
        return tix__err(TIX_EBUSY, "tier %llu has seats (seat %u of screen "
                        "%llu)", (unsigned long long)id, seat,
                        (unsigned long long)tier.screen_id);
    return rc;
}

static int movie_refs(tix_db *db, MDB_txn *txn, const tix__rectype *t,
                      tix_id id)
{
    tix_id show = 0;
    int rc = tix__show_of_movie(db, txn, id, &show);
    return rc == 1 ? tix__rec_refs_busy(t, id, "shows", "show", show) : rc;
}

int tix__refs_catalog(tix_db *db, MDB_txn *txn, const tix__rectype *t,
                      tix_id id)
{
    if (t == &tix__place_type) return place_refs(db, txn, t, id);
    if (t == &tix__venue_type)
        return owned(db, txn, t, id, TIX_T_SCREENS_BY_VENUE, "screens",
                     "screen");
    if (t == &tix__screen_type) return screen_refs(db, txn, t, id);
    if (t == &tix__tier_type) return tier_refs(db, txn, t, id);
    if (t == &tix__movie_type) return movie_refs(db, txn, t, id);
    return TIX_OK;
}
