/* Recommendations: upcoming movies in a city for a user, scored from the
 * user's taste (profile, bookings, reviews), co-booking and popularity.
 * The formula is documented at tix_recommend() in tix.h; these are its
 * constants. Reads only: every input is kept up to date by lib/sell/stats.c
 * (at confirm and cancel) and lib/front/review.c. */
#ifndef TIX_LIB_RECOMMEND_H
#define TIX_LIB_RECOMMEND_H

#include "db.h"

#define TIX__REC_W_PROFILE 3   /* a genre/language in the user's profile */
#define TIX__REC_W_BOOKED 2    /* per booked movie with the feature */
#define TIX__REC_RATING_PIVOT 5 /* a review adds rating - 5 per feature */
#define TIX__REC_GENRE_MULT 10
#define TIX__REC_LANGUAGE_MULT 10
#define TIX__REC_ALSO_MULT 8   /* times bitlen(co-bookings) */
#define TIX__REC_POPULAR_MULT 4 /* times bitlen(recent bookings) */

/* Number of binary digits of @p n: 0 for 0, 1 for 1, 2 for 2..3, ... */
static inline int64_t tix__bitlen(uint64_t n)
{
    int64_t b = 0;
    for (; n; n >>= 1) b++;
    return b;
}

#endif
