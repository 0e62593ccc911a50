/* The tables of the layers above the store, by number. The store owns
 * TIX_T_META and the two region tables (lib/store/db.h); every other
 * feature's tables are listed here once, with their key shapes, and their
 * names are handed to the store when the library starts
 * (tix__schema_register, from lib/api/open.c).
 *
 * Index tables map a composite big-endian key to the 8-byte big-endian id
 * of the primary record (or hold the id in the key with an empty value
 * when the key itself must be unique). Numbers are stable: the journal's
 * records name tables by number; add new tables at the end. */
#ifndef TIX_LIB_TABLES_H
#define TIX_LIB_TABLES_H

#include "db.h"

enum tix_table {
    TIX_T_PLACES = 1,         /* id -> place */
    TIX_T_PLACES_BY_PARENT,   /* parent, name -> id   (unique name) */
    TIX_T_VENUES,             /* id -> venue */
    TIX_T_VENUES_BY_CITY,     /* city, name -> id     (unique name) */
    TIX_T_SCREENS,            /* id -> screen */
    TIX_T_SCREENS_BY_VENUE,   /* venue, name -> id    (unique name) */
    TIX_T_TIERS,              /* id -> tier */
    TIX_T_TIERS_BY_SCREEN,    /* screen, name -> id   (unique name) */
    TIX_T_SEATS,              /* screen, index(be32) -> seat */
    TIX_T_SEATS_BY_LABEL,     /* screen, row, 0, number(be32) -> index */
    TIX_T_MOVIES,             /* id -> movie */
    TIX_T_SHOWS,              /* id -> show */
    TIX_T_SHOWS_BY_SCREEN,    /* screen, start, id -> end (be64) */
    TIX_T_SHOWS_BY_CITY,      /* city, date(be32), movie, start, id -> "" */
    TIX_T_SHOWS_BY_VENUE,     /* venue, date(be32), start, id -> "" */
    TIX_T_USERS,              /* id -> user */
    TIX_T_USERS_BY_EMAIL,     /* lower-cased email -> id */
    TIX_T_BOOKINGS,           /* id -> booking */
    TIX_T_BOOKINGS_BY_USER,   /* user, id -> "" */
    TIX_T_BOOKINGS_BY_SHOW,   /* show, id -> "" */
    TIX_T_SEAT_STATE,         /* show, seat(be32) -> booking id | blocked */
    TIX_T_PAYREFS,            /* payment reference -> booking id */
    TIX_T_TICKETS,            /* ticket code -> ticket */
    TIX_T_OUTBOX,             /* seq -> event */
    TIX_T_OUTBOX_CURSORS,     /* consumer name -> last acked seq */
    /* 26, 27: the store's region tables */
    /* reviews, search, recommendations, nearby (~x = bitwise complement,
     * so an ascending scan reads newest / most upvoted first) */
    TIX_T_REVIEWS = 28,       /* id -> review */
    TIX_T_REVIEWS_BY_USER,    /* user, movie -> review id (one per pair) */
    TIX_T_REVIEWS_BY_TIME,    /* movie, ~id -> review id */
    TIX_T_REVIEWS_BY_HELPFUL, /* movie, ~helpful(be32), ~id -> review id */
    TIX_T_REVIEW_VOTES,       /* review, user -> "" */
    TIX_T_COMMENTS,           /* id -> comment */
    TIX_T_COMMENTS_BY_REVIEW, /* review, thread root, id -> "" */
    TIX_T_RATINGS,            /* movie -> rating summary */
    TIX_T_TITLE_WORDS,        /* folded word, movie -> "" */
    TIX_T_TITLE_TERMS,        /* movie -> its folded title words */
    TIX_T_POPULARITY,         /* movie -> bookings per day, last days */
    TIX_T_USER_MOVIES,        /* user, movie -> confirmed bookings */
    TIX_T_USER_RECENT,        /* user -> last distinct movies booked */
    TIX_T_COBOOKED,           /* movie x, movie y -> users who booked both */
    TIX_T_VENUES_BY_CELL,     /* level, lat cell, lon cell, venue -> pos */
    TIX_T_OFFERS,             /* id -> offer (uses counted in the record) */
    TIX_T_OFFERS_BY_CODE,     /* upper-case code -> id */
    TIX_T_OFFER_USES,         /* offer, user -> uses by that user (be64) */
    TIX_T_USER_CAPS,          /* scope ('S' show | 'M' movie), id -> cap (be32) */
    TIX_T_USER_CAP_COUNTS,    /* scope, id, user -> seats booked (be32) */
    TIX_T_SEAT_LOG,           /* show, seat(be32), seq -> seat event */
    TIX_T_AREAS,              /* id -> general-admission area */
    TIX_T_AREAS_BY_SCREEN,    /* screen, name -> id   (unique name) */
    TIX_T_CHANNELS,           /* id -> channel (ids 1..TIX_CHANNEL_MAX) */
    TIX_T_CHANNELS_BY_NAME,   /* name -> id            (unique name) */
    TIX_T_CHANNEL_SEATS,      /* show, seat(be32) -> channel (u8) */
    TIX_T_CHANNEL_RELEASE,    /* show, channel(u8) -> release time (be64) */
    TIX_T_QUEUES,             /* show -> waiting room (lib/seats/queue.c) */
    TIX_T__COUNT
};

/* Hands the table names to the store (once per process, before any store
 * opens). */
void tix__schema_register(void);

#endif
