"""The one place that declares the C API to cffi, and loads libtix.so.

CDEF below mirrors include/tix.h: constants as ``#define``, every type,
every ``TIX_API`` function with the header's exact prototype (comments and
the ``TIX_API`` marker removed). tests/test_cdef.py parses the header and
fails when a function is added, removed or changed there but not here, and
compiles a small C program to compare struct sizes and field offsets with
what cffi computes from this text (ABI mode trusts it blindly).

The library is found, in order:
  1. the path in the environment variable TIX_LIB;
  2. build/release/libtix.so, then build/debug/libtix.so, of the source
     tree this package sits in (bindings/python/tix -> ../../..): the
     release build first, as the README says (set TIX_LIB to test
     against the debug build);
  3. the system's libtix (ctypes.util.find_library("tix"), else
     "libtix.so.0").

ABI mode (ffi.dlopen) needs no compiler at import time. cffi releases the
GIL around every call into the library, so a thread blocked in
tix_hold_confirm() lets every other Python thread run.
"""
from __future__ import annotations

import ctypes.util
import os
from typing import Any, List, Tuple

from cffi import FFI

CDEF = r"""
#define TIX_VERSION_MAJOR 0
#define TIX_VERSION_MINOR 1
#define TIX_VERSION_PATCH 0

#define TIX_OK 0
#define TIX_EINVAL -1
#define TIX_ENOTFOUND -2
#define TIX_EEXISTS -3
#define TIX_ECONFLICT -4
#define TIX_EEXPIRED -5
#define TIX_EFULL -6
#define TIX_ECORRUPT -7
#define TIX_EIO -8
#define TIX_ENOMEM -9
#define TIX_EBUSY -10
#define TIX_ETOOLONG -11
#define TIX_EUTF8 -12
#define TIX_ERANGE -13
#define TIX_EOVERLAP -14
#define TIX_EPERM -15
#define TIX_EALREADY -16
#define TIX_EBADCODE -17
#define TIX_EVERSION -18
#define TIX_EAGAIN -19
#define TIX_ELIMIT -20
#define TIX_ESTATE -21
#define TIX_ETIMEDOUT -22
#define TIX_EPRICE -23
#define TIX_ECHECKEDIN -24
#define TIX_EFENCED -25
#define TIX_EREPL -26

#define TIX_OPEN_READONLY 0x1
#define TIX_OPEN_NOCREATE 0x2
#define TIX_NAME_MAX 128
#define TIX_ADDRESS_MAX 512
#define TIX_TEXT_MAX 4096
#define TIX_LIST_MAX 32
#define TIX_ROW_LABEL_MAX 8
#define TIX_SCREEN_SEATS_MAX 1000000
#define TIX_TZ_NAME_MAX 64
#define TIX_MONEY_TEXT_MAX 32
#define TIX_SHOW_ALLOW_PAST 0x1
#define TIX_SHOW_CANCELLED 0x2
#define TIX_SHOW_REASON_MAX 512
#define TIX_CANCEL_AFTER_CHECKIN 0x1
#define TIX_SEAT_AISLE 0x1
#define TIX_SEAT_WHEELCHAIR 0x2
#define TIX_SEAT_COMPANION 0x4
#define TIX_SEAT_BLOCKED 0x8
#define TIX_SEAT_STANDING 0x10
#define TIX_HOLD_STRING_MAX 1500
#define TIX_REQUEST_KEY_MAX 128
#define TIX_CHANNEL_MAX 255
#define TIX_BEST_ACCESSIBLE 0x1
#define TIX_BEST_ANY_TIER 0x2
#define TIX_BEST_BOX_OFFICE 0x4
#define TIX_HOLD_BOX_OFFICE 0x1
#define TIX_QUEUE_CAPACITY_MAX 200000000
#define TIX_QUEUE_TICKET_MAX 32
#define TIX_TICKET_CODE_LEN 21
#define TIX_RATING_MIN 1
#define TIX_RATING_MAX 10
#define TIX_REVIEW_CURSOR_MAX 48
#define TIX_REVIEW_PAGE_MAX 100
#define TIX_CONSUMER_NAME_MAX 64
#define TIX_OUTBOX_READ_MAX 1024
#define TIX_CONSUMER_FROM_END 0x1
#define TIX_OFFER_CODE_MIN 3
#define TIX_OFFER_CODE_MAX 32
#define TIX_POPULARITY_DAYS 7
#define TIX_SEARCH_LIMIT_MAX 1000

typedef uint64_t tix_id;

/* Store */
typedef struct tix_db tix_db;
typedef enum tix_durability {
    TIX_SYNC_FULL = 0,
    TIX_SYNC_NOMETA = 1,
    TIX_SYNC_NONE = 2,
    TIX_SYNC_JOURNAL = 3
} tix_durability;
typedef int64_t (*tix_clock_fn)(void *ctx);
typedef struct tix_config {
    size_t map_size;
    size_t map_size_max;
    unsigned max_readers;
    tix_durability durability;
    uint32_t hold_ttl_default;
    uint32_t hold_ttl_max;
    uint32_t hold_max_seats;
    uint32_t confirm_lease;
    uint32_t show_buffer;
    size_t seatmap_reserve;
    uint32_t reclaim_after;
    tix_clock_fn clock;
    void *clock_ctx;
    unsigned flags;
    uint32_t review_text_max;
    uint32_t search_min_chars;
    int64_t fee_per_seat_minor;
    const char *repl_urls;
    const char *repl_stream;
    unsigned repl_role;
    unsigned repl_replicas;
    uint32_t repl_lease_ms;
    uint32_t repl_timeout_ms;
} tix_config;

/* Places */
typedef enum tix_place_kind {
    TIX_PLACE_COUNTRY = 1,
    TIX_PLACE_STATE = 2,
    TIX_PLACE_CITY = 3
} tix_place_kind;
typedef struct tix_place {
    tix_id id;
    tix_place_kind kind;
    tix_id parent_id;
    const char *name;
    int32_t utc_offset_min;
    const char *time_zone;
} tix_place;
typedef struct tix_place_list {
    size_t count;
    tix_place items[];
} tix_place_list;

/* Venues, screens, tiers */
typedef struct tix_venue {
    tix_id id;
    tix_id city_id;
    const char *name;
    const char *address;
    double lat;
    double lon;
} tix_venue;
typedef struct tix_venue_list {
    size_t count;
    tix_venue items[];
} tix_venue_list;
typedef struct tix_screen {
    tix_id id;
    tix_id venue_id;
    const char *name;
    double ideal_x;
    double ideal_y;
    uint32_t seat_count;
} tix_screen;
typedef struct tix_screen_list {
    size_t count;
    tix_screen items[];
} tix_screen_list;
typedef struct tix_tier {
    tix_id id;
    tix_id screen_id;
    const char *name;
    int64_t price_minor;
    char currency[4];
} tix_tier;
typedef struct tix_tier_list {
    size_t count;
    tix_tier items[];
} tix_tier_list;
typedef struct tix_area {
    tix_id id;
    tix_id screen_id;
    tix_id tier_id;
    const char *name;
    uint32_t capacity;
    uint32_t first_seat;
} tix_area;
typedef struct tix_area_list {
    size_t count;
    tix_area items[];
} tix_area_list;

/* Seats */
typedef struct tix_seat_spec {
    uint32_t number;
    double x, y;
    tix_id tier_id;
    uint32_t flags;
} tix_seat_spec;
typedef struct tix_row_spec {
    const char *label;
    const tix_seat_spec *seats;
    size_t count;
} tix_row_spec;
typedef struct tix_seat {
    uint32_t index;
    const char *row;
    uint32_t number;
    double x, y;
    tix_id tier_id;
    uint32_t flags;
} tix_seat;
typedef struct tix_seat_list {
    size_t count;
    tix_seat items[];
} tix_seat_list;

/* Movies */
typedef struct tix_movie {
    tix_id id;
    const char *title;
    uint32_t duration_min;
    const char *certificate;
    const char *synopsis;
    const char *const *languages; size_t n_languages;
    const char *const *genres;    size_t n_genres;
    const char *const *cast;      size_t n_cast;
    const char *const *crew;      size_t n_crew;
    const char *const *media;     size_t n_media;
} tix_movie;
typedef struct tix_movie_list {
    size_t count;
    tix_movie items[];
} tix_movie_list;

/* Shows */
typedef struct tix_show {
    tix_id id;
    tix_id movie_id;
    tix_id screen_id;
    int64_t start;
    int64_t end;
    tix_id venue_id;
    tix_id city_id;
    uint32_t local_date;
    uint32_t seat_count;
    uint32_t flags;
} tix_show;
typedef struct tix_show_list {
    size_t count;
    tix_show items[];
} tix_show_list;
typedef struct tix_user_caps {
    uint32_t show_cap;
    uint32_t show_booked;
    uint32_t movie_cap;
    uint32_t movie_booked;
} tix_user_caps;

/* Users */
typedef struct tix_user {
    tix_id id;
    const char *name;
    const char *email;
    const char *phone;
    tix_id home_city_id;
    const char *const *languages; size_t n_languages;
    const char *const *genres;    size_t n_genres;
} tix_user;
typedef struct tix_user_list {
    size_t count;
    tix_user items[];
} tix_user_list;

/* Seat states, holds */
typedef enum tix_seat_state {
    TIX_SEAT_FREE = 0,
    TIX_SEAT_HELD = 1,
    TIX_SEAT_CONFIRMING = 2,
    TIX_SEAT_BOOKED = 3,
    TIX_SEAT_UNAVAILABLE = 4
} tix_seat_state;
typedef enum tix_seat_event_type {
    TIX_SEAT_EVENT_BOOKED = 1,
    TIX_SEAT_EVENT_CANCELLED = 2,
    TIX_SEAT_EVENT_CHECKED_IN = 3,
    TIX_SEAT_EVENT_BLOCKED = 4,
    TIX_SEAT_EVENT_UNBLOCKED = 5,
    TIX_SEAT_EVENT_CHANNEL = 6
} tix_seat_event_type;
#define TIX_SEAT_HISTORY_MAX 16
typedef struct tix_seat_event {
    tix_seat_event_type type;
    int64_t at;
    tix_id booking_id;
    tix_id user_id;
    char gate[129];                /* TIX_NAME_MAX + 1 */
    tix_id channel_id;
} tix_seat_event;
typedef struct tix_seat_history {
    tix_id show_id;
    uint32_t seat;
    tix_seat_state state;
    int64_t held_until;
    size_t count;
    tix_seat_event items[];
} tix_seat_history;
typedef struct tix_hold tix_hold;
typedef struct tix_live_hold {
    uint32_t tag;
    int confirming;
    int64_t expires_at;
    size_t n_seats;
    const uint32_t *seats;
} tix_live_hold;
typedef struct tix_live_hold_list {
    size_t count;
    size_t n_seats;
    tix_live_hold items[];
} tix_live_hold_list;
typedef struct tix_hold_opts {
    uint32_t ttl;
    const char *request_key;
    tix_id user_id;
    tix_id channel;
    const char *queue_ticket;
    uint32_t flags;
} tix_hold_opts;
typedef struct tix_best_opts {
    tix_id tier_id;
    uint32_t flags;
    uint32_t ttl;
    const char *request_key;
    tix_id user_id;
    uint32_t companions;
    tix_id channel;
    const char *queue_ticket;
} tix_best_opts;
typedef struct tix_area_take {
    tix_id area_id;
    uint32_t count;
} tix_area_take;

/* Waiting room */
typedef struct tix_queue_config {
    int64_t onsale;
    uint32_t rate;
    uint32_t capacity;
    uint32_t window;
} tix_queue_config;
typedef struct tix_queue_info {
    tix_id show_id;
    tix_queue_config config;
    uint64_t joined;
    uint64_t prequeue;
    uint64_t admitted;
    int shuffled;
} tix_queue_info;
typedef enum tix_queue_state {
    TIX_QUEUE_PREQUEUE = 0,
    TIX_QUEUE_WAITING = 1,
    TIX_QUEUE_ADMITTED = 2,
    TIX_QUEUE_EXPIRED = 3
} tix_queue_state;
typedef struct tix_queue_place {
    tix_id show_id;
    tix_queue_state state;
    uint64_t position;
    uint64_t ahead;
    int64_t wait;
    int64_t window_end;
} tix_queue_place;

/* Availability */
typedef struct tix_counts {
    tix_id tier_id;
    uint32_t total, free, held, booked, unavailable;
} tix_counts;
typedef struct tix_avail {
    tix_id show_id;
    tix_counts all;
    size_t n_tiers;
    tix_counts tiers[];
} tix_avail;

/* Bookings */
typedef struct tix_confirm_opts {
    tix_id user_id;
    const char *payment_ref;
    uint32_t seats_per_ticket;
    const char *offer_code;
    const char *expected_currency;
    int64_t expected_total_minor;
} tix_confirm_opts;
typedef struct tix_confirm tix_confirm;
typedef enum tix_booking_status {
    TIX_BOOKING_CONFIRMED = 1,
    TIX_BOOKING_CANCELLED = 2
} tix_booking_status;
typedef struct tix_booked_seat {
    uint32_t seat;
    tix_id tier_id;
    int64_t price_minor;
} tix_booked_seat;
typedef struct tix_ticket {
    char code[22];                 /* TIX_TICKET_CODE_LEN + 1 */
    size_t n_seats;
    const uint32_t *seats;
    int64_t checked_in_at;
    const char *gate;
} tix_ticket;
typedef struct tix_booking {
    tix_id id;
    tix_id user_id;
    tix_id show_id;
    tix_booking_status status;
    int64_t created_at;
    int64_t cancelled_at;
    const char *payment_ref;
    int64_t total_minor;
    char currency[4];
    size_t n_seats;
    const tix_booked_seat *seats;
    size_t n_tickets;
    const tix_ticket *tickets;
    tix_id offer_id;
    int64_t discount_minor;
    int64_t fee_minor;
    int cancelled_after_checkin;
    tix_id channel_id;
    tix_id group_id;
} tix_booking;
typedef struct tix_booking_list {
    size_t count;
    tix_booking items[];
} tix_booking_list;
typedef struct tix_checkin {
    tix_id booking_id;
    tix_id show_id;
    size_t n_seats;
    int64_t checked_in_at;
    char gate[129];                /* TIX_NAME_MAX + 1 */
} tix_checkin;

/* Outbox */
typedef enum tix_event_type {
    TIX_EVENT_BOOKED = 1,
    TIX_EVENT_CANCELLED = 2,
    TIX_EVENT_CHECKED_IN = 3,
    TIX_EVENT_REVIEWED = 4,
    TIX_EVENT_SHOW_CANCELLED = 5,
    TIX_EVENT_RESCHEDULED = 6
} tix_event_type;
typedef struct tix_event_seat {
    uint32_t seat;
    const char *row;
    uint32_t number;
} tix_event_seat;
typedef struct tix_event_ticket {
    char code[22];                 /* TIX_TICKET_CODE_LEN + 1 */
    const char *qr;
} tix_event_ticket;
typedef struct tix_event {
    uint64_t seq;
    tix_event_type type;
    unsigned version;
    int64_t at;
    tix_id booking_id, user_id, show_id, movie_id, review_id;
    const char *user_name, *user_email, *user_phone;
    const char *movie_title;
    int64_t show_start;
    const char *venue_name, *venue_address, *screen_name;
    int64_t total_minor;
    char currency[4];
    size_t n_seats;
    const tix_event_seat *seats;
    size_t n_tickets;
    const tix_event_ticket *tickets;
    const char *gate;
    const char *show_local;
    int after_checkin;
    int64_t old_start;
} tix_event;
typedef struct tix_event_list {
    size_t count;
    tix_event items[];
} tix_event_list;
typedef struct tix_consumer {
    const char *name;
    uint64_t acked;
    int64_t created_at;
    int64_t acked_at;
} tix_consumer;
typedef struct tix_consumer_list {
    size_t count;
    tix_consumer items[];
} tix_consumer_list;

/* Offers and price quotes */
typedef enum tix_offer_scope {
    TIX_OFFER_MOVIE = 1,
    TIX_OFFER_VENUE = 2,
    TIX_OFFER_SCREEN = 3,
    TIX_OFFER_TIER = 4
} tix_offer_scope;
typedef struct tix_offer {
    tix_id id;
    const char *code;
    tix_offer_scope scope;
    tix_id scope_id;
    uint32_t percent;
    int64_t amount_minor;
    int64_t cap_minor;
    int64_t valid_from;
    int64_t valid_until;
    uint32_t max_uses;
    uint32_t max_uses_per_user;
    uint32_t uses;
    int64_t created_at;
} tix_offer;
typedef struct tix_offer_list {
    size_t count;
    tix_offer items[];
} tix_offer_list;
typedef struct tix_quote_seat {
    uint32_t seat;
    tix_id tier_id;
    int64_t price_minor;
    int in_scope;
} tix_quote_seat;
typedef struct tix_quote {
    tix_id show_id;
    tix_id offer_id;
    char currency[4];
    int64_t subtotal_minor;
    int64_t discount_minor;
    int64_t fee_minor;
    int64_t total_minor;
    size_t n_seats;
    tix_quote_seat seats[];
} tix_quote;

/* Reviews, comments, ratings */
typedef struct tix_review {
    tix_id id;
    tix_id movie_id;
    tix_id user_id;
    uint32_t rating;
    const char *text;
    int64_t created_at;
    int64_t updated_at;
    uint32_t helpful;
    int verified;
} tix_review;
typedef enum tix_review_order {
    TIX_REVIEWS_NEWEST = 0,
    TIX_REVIEWS_HELPFUL = 1
} tix_review_order;
typedef struct tix_review_list {
    size_t count;
    tix_review items[];
} tix_review_list;
typedef struct tix_comment {
    tix_id id;
    tix_id review_id;
    tix_id parent_id;
    tix_id user_id;
    const char *text;
    int64_t created_at;
} tix_comment;
typedef struct tix_comment_list {
    size_t count;
    tix_comment items[];
} tix_comment_list;
typedef struct tix_rating_summary {
    tix_id movie_id;
    uint64_t count;
    uint64_t sum;
    double mean;
    uint64_t histogram[10];        /* TIX_RATING_MAX */
} tix_rating_summary;

/* Title search */
typedef struct tix_search_opts {
    tix_id city_id;
    uint32_t date;
    size_t limit;
} tix_search_opts;
typedef struct tix_search_hit {
    tix_id movie_id;
    const char *title;
    uint32_t popularity;
} tix_search_hit;
typedef struct tix_search_result {
    size_t count;
    tix_search_hit items[];
} tix_search_result;

/* Recommendations */
typedef enum tix_reason {
    TIX_REASON_SHOWING = 0,
    TIX_REASON_GENRE = 1,
    TIX_REASON_LANGUAGE = 2,
    TIX_REASON_ALSO_BOOKED = 3,
    TIX_REASON_POPULAR = 4
} tix_reason;
typedef struct tix_recommend_opts {
    tix_id city_id;
    uint32_t days;
    size_t limit;
} tix_recommend_opts;
typedef struct tix_recommendation {
    tix_id movie_id;
    const char *title;
    int64_t score;
    int64_t genre_points;
    int64_t language_points;
    int64_t also_booked_points;
    int64_t popularity_points;
    tix_reason reason;
    const char *reason_text;
    tix_id reason_movie_id;
    tix_id next_show_id;
    int64_t next_show_start;
} tix_recommendation;
typedef struct tix_recommendation_list {
    size_t count;
    tix_recommendation items[];
} tix_recommendation_list;

/* Venues nearby (TIX_NEARBY_RADIUS_MAX, a double, is in tix.discover) */
typedef struct tix_venue_near {
    tix_venue venue;
    double distance_km;
} tix_venue_near;
typedef struct tix_venue_near_list {
    size_t count;
    tix_venue_near items[];
} tix_venue_near_list;

/* ---- functions: the header's prototypes, one per line ---- */
const char *tix_version(void);
const char *tix_strerror(int code);
const char *tix_errmsg(void);
const char *tix_errfield(void);
void tix_config_init(tix_config *cfg);
int tix_db_open(const char *path, const tix_config *cfg, tix_db **out);
void tix_db_close(tix_db *db);
const char *tix_db_path(const tix_db *db);
int64_t tix_db_now(const tix_db *db);
int tix_db_sync(tix_db *db);
int tix_db_begin(tix_db *db);
int tix_db_commit(tix_db *db);
int tix_db_rollback(tix_db *db);
int tix_place_create(tix_db *db, const tix_place *in, tix_id *id_out);
int tix_place_validate(const tix_place *in);
int tix_place_get(tix_db *db, tix_id id, tix_place **out);
int tix_place_update(tix_db *db, const tix_place *in);
int tix_place_delete(tix_db *db, tix_id id);
int tix_place_list_by_parent(tix_db *db, tix_id parent_id, tix_place_list **out);
void tix_place_free(tix_place *p);
void tix_place_list_free(tix_place_list *l);
int tix_tz_offset(const char *zone, int64_t t, int32_t *utc_offset_min);
int tix_place_utc_offset(tix_db *db, tix_id place_id, int64_t t, int32_t *utc_offset_min);
int tix_venue_create(tix_db *db, const tix_venue *in, tix_id *id_out);
int tix_venue_validate(const tix_venue *in);
int tix_venue_get(tix_db *db, tix_id id, tix_venue **out);
int tix_venue_update(tix_db *db, const tix_venue *in);
int tix_venue_delete(tix_db *db, tix_id id);
int tix_venue_list_by_city(tix_db *db, tix_id city_id, tix_venue_list **out);
void tix_venue_free(tix_venue *v);
void tix_venue_list_free(tix_venue_list *l);
int tix_screen_create(tix_db *db, const tix_screen *in, tix_id *id_out);
int tix_screen_validate(const tix_screen *in);
int tix_screen_get(tix_db *db, tix_id id, tix_screen **out);
int tix_screen_update(tix_db *db, const tix_screen *in);
int tix_screen_delete(tix_db *db, tix_id id);
int tix_screen_list_by_venue(tix_db *db, tix_id venue_id, tix_screen_list **out);
void tix_screen_free(tix_screen *s);
void tix_screen_list_free(tix_screen_list *l);
int tix_tier_create(tix_db *db, const tix_tier *in, tix_id *id_out);
int tix_tier_validate(const tix_tier *in);
int tix_tier_get(tix_db *db, tix_id id, tix_tier **out);
int tix_tier_update(tix_db *db, const tix_tier *in);
int tix_tier_delete(tix_db *db, tix_id id);
int tix_tier_list_by_screen(tix_db *db, tix_id screen_id, tix_tier_list **out);
void tix_tier_free(tix_tier *t);
void tix_tier_list_free(tix_tier_list *l);
int tix_currency_exponent(const char *code);
int tix_money_format(int64_t amount_minor, const char *currency, char *buf, size_t cap);
int tix_money_parse(const char *text, const char *currency, int64_t *amount_minor);
int tix_seats_add_rows(tix_db *db, tix_id screen_id, const tix_row_spec *rows, size_t nrows, uint32_t *first_index_out);
int tix_seat_rows_validate(const tix_row_spec *rows, size_t nrows, uint32_t *total);
int tix_seat_list_by_screen(tix_db *db, tix_id screen_id, tix_seat_list **out);
void tix_seat_list_free(tix_seat_list *l);
int tix_area_create(tix_db *db, const tix_area *in, tix_id *id_out);
int tix_area_validate(const tix_area *in);
int tix_area_get(tix_db *db, tix_id id, tix_area **out);
int tix_area_list_by_screen(tix_db *db, tix_id screen_id, tix_area_list **out);
void tix_area_free(tix_area *a);
void tix_area_list_free(tix_area_list *l);
int tix_movie_create(tix_db *db, const tix_movie *in, tix_id *id_out);
int tix_movie_get(tix_db *db, tix_id id, tix_movie **out);
int tix_movie_update(tix_db *db, const tix_movie *in);
int tix_movie_delete(tix_db *db, tix_id id);
int tix_movie_list_all(tix_db *db, tix_id after_id, size_t limit, tix_movie_list **out);
void tix_movie_free(tix_movie *m);
void tix_movie_list_free(tix_movie_list *l);
int tix_show_create(tix_db *db, const tix_show *in, tix_id *id_out);
int tix_show_cancel(tix_db *db, tix_id show_id, const char *reason);
int tix_show_reschedule(tix_db *db, tix_id show_id, int64_t new_start);
int tix_show_get(tix_db *db, tix_id id, tix_show **out);
int tix_show_list_by_city(tix_db *db, tix_id city_id, uint32_t date, tix_id movie_id, tix_show_list **out);
int tix_show_list_by_venue(tix_db *db, tix_id venue_id, uint32_t date, tix_show_list **out);
void tix_show_free(tix_show *s);
void tix_show_list_free(tix_show_list *l);
int tix_seat_history_get(tix_db *db, tix_id show_id, uint32_t seat, tix_seat_history **out);
void tix_seat_history_free(tix_seat_history *h);
int tix_show_set_user_cap(tix_db *db, tix_id show_id, uint32_t max_seats);
int tix_movie_set_user_cap(tix_db *db, tix_id movie_id, uint32_t max_seats);
int tix_user_caps_get(tix_db *db, tix_id show_id, tix_id user_id, tix_user_caps *out);
int tix_user_create(tix_db *db, const tix_user *in, tix_id *id_out);
int tix_user_get(tix_db *db, tix_id id, tix_user **out);
int tix_user_find_email(tix_db *db, const char *email, tix_user **out);
int tix_user_update(tix_db *db, const tix_user *in);
int tix_user_delete(tix_db *db, tix_id id);
int tix_user_list_all(tix_db *db, tix_id after_id, size_t limit, tix_user_list **out);
void tix_user_free(tix_user *u);
void tix_user_list_free(tix_user_list *l);
int tix_hold_create(tix_db *db, tix_id show_id, const uint32_t *seats, size_t n, const tix_hold_opts *opts, tix_hold **out);
int tix_hold_best(tix_db *db, tix_id show_id, uint32_t n, const tix_best_opts *opts, tix_hold **out);
int tix_hold_areas(tix_db *db, tix_id show_id, const uint32_t *seats, size_t nseats, const tix_area_take *areas, size_t nareas, const tix_hold_opts *opts, tix_hold **out);
int tix_hold_extend(tix_db *db, tix_hold *hold, uint32_t ttl);
int tix_hold_release(tix_db *db, const tix_hold *hold);
int tix_hold_release_ex(tix_db *db, const tix_hold *hold, size_t *released);
int tix_hold_to_string(const tix_hold *hold, char *buf, size_t cap);
int tix_hold_from_string(const char *s, tix_hold **out);
tix_id tix_hold_show(const tix_hold *hold);
size_t tix_hold_count(const tix_hold *hold);
uint32_t tix_hold_seat(const tix_hold *hold, size_t i);
int64_t tix_hold_expires(const tix_hold *hold);
uint32_t tix_hold_tag(tix_db *db, const tix_hold *hold);
void tix_hold_free(tix_hold *hold);

/* Sales channels */
typedef struct tix_channel {
    tix_id id;
    const char *name;
} tix_channel;
typedef struct tix_channel_list {
    size_t count;
    tix_channel items[];
} tix_channel_list;
int tix_channel_create(tix_db *db, const tix_channel *in, tix_id *id_out);
int tix_channel_get(tix_db *db, tix_id id, tix_channel **out);
int tix_channel_find(tix_db *db, const char *name, tix_channel **out);
int tix_channel_list_all(tix_db *db, tix_channel_list **out);
void tix_channel_free(tix_channel *c);
void tix_channel_list_free(tix_channel_list *l);
int tix_channel_assign(tix_db *db, tix_id show_id, tix_id channel, const uint32_t *seats, size_t n);
int tix_channel_assign_tier(tix_db *db, tix_id show_id, tix_id channel, tix_id tier_id, uint32_t count);
int tix_channel_release(tix_db *db, tix_id show_id, tix_id channel, int64_t at);
typedef struct tix_channel_counts {
    tix_id channel_id;
    int64_t release_at;
    int released;
    tix_counts counts;
} tix_channel_counts;
typedef struct tix_channel_avail {
    tix_id show_id;
    size_t count;
    tix_channel_counts items[];
} tix_channel_avail;
int tix_channel_availability(tix_db *db, tix_id show_id, tix_channel_avail **out);
void tix_channel_avail_free(tix_channel_avail *a);
int tix_channel_seats(tix_db *db, tix_id show_id, uint8_t *channels, size_t cap);

/* Multi-show holds */
typedef struct tix_hold_part {
    tix_id show_id;
    const uint32_t *seats;
    size_t n_seats;
} tix_hold_part;
int tix_hold_group_create(tix_db *db, const tix_hold_part *parts, size_t n, const tix_hold_opts *opts, tix_hold **out);
int tix_hold_group_confirm(tix_db *db, tix_hold *const *holds, size_t n, const tix_confirm_opts *o, tix_id *booking_ids);
int tix_queue_set(tix_db *db, tix_id show_id, const tix_queue_config *cfg);
int tix_queue_remove(tix_db *db, tix_id show_id);
int tix_queue_get(tix_db *db, tix_id show_id, tix_queue_info *out);
int tix_queue_join(tix_db *db, tix_id show_id, char *buf, size_t cap);
int tix_queue_status(tix_db *db, const char *ticket, tix_queue_place *out);
int tix_queue_admit(tix_db *db, tix_id show_id, uint32_t n);
int tix_show_availability(tix_db *db, tix_id show_id, tix_avail **out);
int tix_area_availability(tix_db *db, tix_id show_id, tix_id area_id, tix_counts *out);
void tix_avail_free(tix_avail *a);
int tix_show_seat_states(tix_db *db, tix_id show_id, uint8_t *states, size_t cap);
int tix_show_live_holds(tix_db *db, tix_id show_id, tix_live_hold_list **out);
void tix_live_hold_list_free(tix_live_hold_list *l);
int tix_hold_confirm(tix_db *db, const tix_hold *hold, const tix_confirm_opts *opts, tix_id *booking_id);
int tix_confirm_submit(tix_db *db, const tix_hold *hold, const tix_confirm_opts *opts, tix_confirm **out);
int tix_confirm_poll(tix_confirm *c, tix_id *booking_id);
int tix_confirm_wait(tix_confirm *c, int timeout_ms, tix_id *booking_id);
void tix_confirm_free(tix_confirm *c);
int tix_booking_get(tix_db *db, tix_id id, tix_booking **out);
int tix_booking_find_payment(tix_db *db, const char *payment_ref, tix_booking **out);
int tix_booking_list_by_user(tix_db *db, tix_id user_id, tix_booking_list **out);
int tix_booking_list_by_show(tix_db *db, tix_id show_id, tix_booking_list **out);
void tix_booking_free(tix_booking *b);
void tix_booking_list_free(tix_booking_list *l);
int tix_booking_cancel(tix_db *db, tix_id booking_id);
int tix_booking_cancel_ex(tix_db *db, tix_id booking_id, unsigned flags);
int tix_ticket_qr(const tix_booking *b, size_t i, char *buf, size_t cap);
int tix_ticket_checkin(tix_db *db, const char *code, const char *gate, tix_checkin *out);
int tix_outbox_register(tix_db *db, const char *name, unsigned flags);
int tix_outbox_unregister(tix_db *db, const char *name);
int tix_outbox_consumers(tix_db *db, tix_consumer_list **out);
int tix_outbox_read(tix_db *db, const char *name, size_t max, tix_event_list **out);
int tix_outbox_ack(tix_db *db, const char *name, uint64_t seq);
int tix_outbox_wait(tix_db *db, const char *name, int timeout_ms);
int tix_outbox_trim(tix_db *db, uint64_t *removed);
int tix_outbox_get(tix_db *db, uint64_t seq, tix_event **out);
void tix_event_free(tix_event *ev);
void tix_event_list_free(tix_event_list *l);
void tix_consumer_list_free(tix_consumer_list *l);
int tix_offer_create(tix_db *db, const tix_offer *in, tix_id *id_out);
int tix_offer_get(tix_db *db, tix_id id, tix_offer **out);
int tix_offer_find_code(tix_db *db, const char *code, tix_offer **out);
int tix_offer_list_all(tix_db *db, tix_id after_id, size_t limit, tix_offer_list **out);
void tix_offer_free(tix_offer *o);
void tix_offer_list_free(tix_offer_list *l);
int tix_price_quote(tix_db *db, tix_id show_id, const uint32_t *seats, size_t n, const char *offer_code, tix_id user_id, tix_quote **out);
void tix_quote_free(tix_quote *q);
int tix_seats_block(tix_db *db, tix_id show_id, const uint32_t *seats, size_t n);
int tix_seats_unblock(tix_db *db, tix_id show_id, const uint32_t *seats, size_t n);
int tix_review_create(tix_db *db, const tix_review *in, tix_id *id_out);
int tix_review_get(tix_db *db, tix_id id, tix_review **out);
int tix_review_find(tix_db *db, tix_id user_id, tix_id movie_id, tix_review **out);
int tix_review_delete(tix_db *db, tix_id id);
int tix_review_list_by_movie(tix_db *db, tix_id movie_id, tix_review_order order, const char *cursor, size_t limit, tix_review_list **out, char next_cursor[48]);
int tix_review_upvote(tix_db *db, tix_id review_id, tix_id user_id);
int tix_review_unvote(tix_db *db, tix_id review_id, tix_id user_id);
void tix_review_free(tix_review *r);
void tix_review_list_free(tix_review_list *l);
int tix_comment_create(tix_db *db, const tix_comment *in, tix_id *id_out);
int tix_comment_delete(tix_db *db, tix_id id);
int tix_comment_list_by_review(tix_db *db, tix_id review_id, tix_comment_list **out);
void tix_comment_list_free(tix_comment_list *l);
int tix_rating_summary_get(tix_db *db, tix_id movie_id, tix_rating_summary *out);
int tix_movie_search(tix_db *db, const char *query, const tix_search_opts *opts, tix_search_result **out);
void tix_search_result_free(tix_search_result *r);
int tix_recommend(tix_db *db, tix_id user_id, const tix_recommend_opts *opts, tix_recommendation_list **out);
void tix_recommendation_list_free(tix_recommendation_list *l);
int tix_venue_nearby(tix_db *db, double lat, double lon, double radius_km, size_t limit, tix_venue_near_list **out);
void tix_venue_near_list_free(tix_venue_near_list *l);
typedef struct tix_check_counts {
    uint64_t records;
    uint64_t index_entries;
    uint64_t shows;
    uint64_t shows_retired;
    uint64_t seats;
    uint64_t held;
    uint64_t confirming;
    uint64_t stale;
    uint64_t passes;
    uint64_t problems;
} tix_check_counts;
typedef void (*tix_check_fn)(void *ctx, const char *problem);
int tix_db_check(tix_db *db, tix_check_fn fn, void *ctx, tix_check_counts *out);
#define TIX_STAT_TABLES_MAX 64
typedef struct tix_table_stat {
    char name[64];
    uint64_t entries;
    uint64_t pages;
    unsigned depth;
} tix_table_stat;
typedef struct tix_db_stats {
    uint64_t data_file_bytes;
    uint64_t map_size;
    uint64_t map_size_max;
    uint64_t page_size;
    uint64_t pages_used;
    uint64_t last_txn;
    unsigned readers_max, readers_used;
    uint64_t seatmap_file_bytes;
    uint64_t seatmap_reserve;
    uint64_t seatmap_words;
    uint64_t regions_live, regions_live_words;
    uint64_t regions_free, regions_free_words;
    size_t n_tables;
    tix_table_stat tables[64];
} tix_db_stats;
int tix_db_stat(tix_db *db, tix_db_stats *out);
typedef struct tix_commit_stats {
    uint64_t batches;
    uint64_t confirms;
    uint64_t max_batch;
} tix_commit_stats;
int tix_db_commit_stats(tix_db *db, tix_commit_stats *out);
int tix_db_backup(tix_db *db, const char *dest_dir);
#define TIX_RESTORE_REPLACE 0x1
int tix_backup_restore(const char *backup_dir, const char *store_dir, unsigned flags);

/* Replication */
#define TIX_REPL_PRIMARY 1
#define TIX_REPL_FOLLOWER 2
typedef struct tix_replica_info {
    unsigned role;
    int fenced;
    uint64_t applied_seq;
    uint64_t stream_seq;
    uint64_t lag;
    char stream[64];
    char lease_holder[256];
} tix_replica_info;
int tix_replica_follow(tix_db *db, uint32_t timeout_ms, uint64_t *applied);
int tix_replica_promote(tix_db *db, uint32_t wait_ms);
int tix_replica_status(tix_db *db, tix_replica_info *out);
int tix_feed_publish(tix_db *db, uint32_t timeout_ms, uint64_t *sent);
typedef struct tix_kafka_relay tix_kafka_relay;
int tix_kafka_relay_open(tix_db *db, const char *brokers, const char *topic_prefix, const char *consumer, tix_kafka_relay **out);
int tix_kafka_relay_run(tix_kafka_relay *k, uint32_t timeout_ms, uint64_t *sent);
void tix_kafka_relay_close(tix_kafka_relay *k);
typedef struct tix_placement tix_placement;
int tix_placement_open(const char *urls, const char *bucket, tix_placement **out);
int tix_placement_set_shards(tix_placement *p, uint32_t shards);
int tix_placement_override(tix_placement *p, const char *venue_code, int64_t shard);
int tix_placement_shard_of(tix_placement *p, const char *venue_code, uint32_t *shard, int *overridden);
void tix_placement_close(tix_placement *p);
"""

ffi = FFI()
ffi.cdef(CDEF)

#: the source tree this package lives in (bindings/python/tix -> repo root)
REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))


def candidates() -> List[str]:
    """The paths tried, in order, to load libtix (see the module doc)."""
    out: List[str] = []
    env = os.environ.get("TIX_LIB")
    if env:
        return [env]  # explicit: no fallback that could load another build
    out.extend(os.path.join(REPO_ROOT, "build", p, "libtix.so")
               for p in ("release", "debug"))
    out.append(ctypes.util.find_library("tix") or "libtix.so.0")
    return out


def _load() -> Tuple[Any, str]:
    errors = []
    for path in candidates():
        if os.sep in path and not os.path.exists(path):
            errors.append("%s: no such file" % path)
            continue
        try:
            return ffi.dlopen(path), path
        except OSError as e:
            errors.append("%s: %s" % (path, e))
    raise ImportError("tix: cannot load libtix (set TIX_LIB to libtix.so, or "
                      "build it with `make build`): " + "; ".join(errors))


lib, LIB_PATH = _load()


def has(name: str) -> bool:
    """True when the loaded library exports C function @name (the header
    may declare functions a given build does not have yet)."""
    try:
        getattr(lib, name)
        return True
    except AttributeError:
        return False


def new_config() -> Tuple[Any, Any]:
    """A tix_config with room to spare: a library built from a newer header
    may have appended fields, which tix_config_init() then writes."""
    raw = ffi.new("char[]", ffi.sizeof("tix_config") + 512)
    return ffi.cast("tix_config *", raw), raw
