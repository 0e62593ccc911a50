/* The names of the tables of lib/schema/tables.h, as LMDB knows them. */
#include "tables.h"

static const char *const names[TIX_T__COUNT] = {
    [TIX_T_PLACES] = "places",
    [TIX_T_PLACES_BY_PARENT] = "places_by_parent",
    [TIX_T_VENUES] = "venues",
    [TIX_T_VENUES_BY_CITY] = "venues_by_city",
    [TIX_T_SCREENS] = "screens",
    [TIX_T_SCREENS_BY_VENUE] = "screens_by_venue",
    [TIX_T_TIERS] = "tiers",
    [TIX_T_TIERS_BY_SCREEN] = "tiers_by_screen",
    [TIX_T_SEATS] = "seats",
    [TIX_T_SEATS_BY_LABEL] = "seats_by_label",
    [TIX_T_MOVIES] = "movies",
    [TIX_T_SHOWS] = "shows",
    [TIX_T_SHOWS_BY_SCREEN] = "shows_by_screen",
    [TIX_T_SHOWS_BY_CITY] = "shows_by_city",
    [TIX_T_SHOWS_BY_VENUE] = "shows_by_venue",
    [TIX_T_USERS] = "users",
    [TIX_T_USERS_BY_EMAIL] = "users_by_email",
    [TIX_T_BOOKINGS] = "bookings",
    [TIX_T_BOOKINGS_BY_USER] = "bookings_by_user",
    [TIX_T_BOOKINGS_BY_SHOW] = "bookings_by_show",
    [TIX_T_SEAT_STATE] = "seat_state",
    [TIX_T_PAYREFS] = "payrefs",
    [TIX_T_TICKETS] = "tickets",
    [TIX_T_OUTBOX] = "outbox",
    [TIX_T_OUTBOX_CURSORS] = "outbox_cursors",
    [TIX_T_REVIEWS] = "reviews",
    [TIX_T_REVIEWS_BY_USER] = "reviews_by_user",
    [TIX_T_REVIEWS_BY_TIME] = "reviews_by_time",
    [TIX_T_REVIEWS_BY_HELPFUL] = "reviews_by_helpful",
    [TIX_T_REVIEW_VOTES] = "review_votes",
    [TIX_T_COMMENTS] = "comments",
    [TIX_T_COMMENTS_BY_REVIEW] = "comments_by_review",
    [TIX_T_RATINGS] = "ratings",
    [TIX_T_TITLE_WORDS] = "title_words",
    [TIX_T_TITLE_TERMS] = "title_terms",
    [TIX_T_POPULARITY] = "popularity",
    [TIX_T_USER_MOVIES] = "user_movies",
    [TIX_T_USER_RECENT] = "user_recent",
    [TIX_T_COBOOKED] = "cobooked",
    [TIX_T_VENUES_BY_CELL] = "venues_by_cell",
    [TIX_T_OFFERS] = "offers",
    [TIX_T_OFFERS_BY_CODE] = "offers_by_code",
    [TIX_T_OFFER_USES] = "offer_uses",
    [TIX_T_USER_CAPS] = "user_caps",
    [TIX_T_USER_CAP_COUNTS] = "user_cap_counts",
    [TIX_T_SEAT_LOG] = "seat_log",
};

_Static_assert(TIX_T_REVIEWS == TIX_T_REGIONS_FREE + 1,
               "table numbers are stable: the journal records them");
_Static_assert(TIX_T_OUTBOX_CURSORS + 1 == TIX_T_REGIONS_BY_END,
               "table numbers are stable: the journal records them");
_Static_assert(TIX_T__COUNT <= TIX__TABLES_MAX, "raise TIX__TABLES_MAX");

void tix__schema_register(void) { tix__db_tables(names, TIX_T__COUNT); }
