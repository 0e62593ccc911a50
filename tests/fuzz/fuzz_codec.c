/* Fuzz target: the record codec. The first input byte picks a record type,
 * the rest is stored raw as a record of that type (under an id of its
 * own) and read back through every reader that decodes it: the public
 * getters (one-block records, lists) and the internal readers the engine
 * and the outbox use. Whatever the bytes, a read returns TIX_OK or a
 * TIX_E* code (TIX_ECORRUPT, TIX_EVERSION, ...), reads nothing outside the
 * value (ASan), allocates only what it frees, and a record that decodes
 * yields NUL-terminated strings. Seeds: every real record type of a
 * populated store (--make-seeds). */
#include "fuzz_common.h"
#include "tables.h"

#include "place.h"
#include "review.h"
#include "screen.h"
#include "seat.h"
#include "show.h"
#include "ticket.h"
#include "tier.h"
#include "venue.h"

enum {
    R_PLACE, R_VENUE, R_SCREEN, R_TIER, R_MOVIE, R_SHOW, R_USER, R_BOOKING,
    R_TICKET, R_OFFER, R_REVIEW, R_COMMENT, R_RATING, R_EVENT, R_CONSUMER,
    R_SEAT, R__COUNT
};

static const char *const names[R__COUNT] = {
    "place", "venue", "screen", "tier", "movie", "show", "user", "booking",
    "ticket", "offer", "review", "comment", "rating", "event", "consumer",
    "seat"};

/* A ticket code with a valid check symbol, for the fuzzed ticket record. */
static char fuzz_code[TIX_TICKET_CODE_LEN + 1];

static void seat_key(uint8_t k[12], tix_id screen, uint32_t index)
{
    tix__be64_put(k, screen);
    tix__be32_put(k + 8, index);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fz_store_open();
    /* the comment index entry that makes tix_comment_list_by_review(FZ_ID)
     * load comment FZ_ID */
    uint8_t k[24];
    tix__be64_put(k, FZ_ID);
    tix__be64_put(k + 8, FZ_ID);
    tix__be64_put(k + 16, FZ_ID);
    fz_put(TIX_T_COMMENTS_BY_REVIEW, k, sizeof k, "", 0);
    /* a code that parses: take the real one's shape, vary nothing */
    FZ_OK(tix__ticket_code_new(fuzz_code));
    return 0;
}

static void str_ok(const char *s)
{
    FZ_REQUIRE(s != NULL);
    (void)strlen(s); /* ASan: terminated inside the block */
}

static void read_internal(int which)
{
    MDB_txn *txn;
    FZ_OK(tix__db_read_begin(fz.db, &txn));
    switch (which) {
    case R_PLACE: {
        tix_place_kind kind;
        int32_t off;
        FZ_CODE(tix__place_read(fz.db, txn, FZ_ID, &kind, &off));
        break;
    }
    case R_VENUE: {
        tix_id city;
        FZ_CODE(tix__venue_read(fz.db, txn, FZ_ID, &city));
        break;
    }
    case R_REVIEW: {
        tix_id movie, user;
        uint32_t rating;
        FZ_CODE(tix__review_read(fz.db, txn, FZ_ID, &movie, &user, &rating));
        break;
    }
    case R_SCREEN: {
        tix_screen s;
        FZ_CODE(tix__screen_read(fz.db, txn, FZ_ID, &s));
        break;
    }
    case R_TIER: {
        tix_tier t;
        FZ_CODE(tix__tier_read(fz.db, txn, FZ_ID, &t));
        break;
    }
    case R_SHOW: {
        tix__show_info si;
        FZ_CODE(tix__show_read(fz.db, txn, FZ_ID, &si));
        break;
    }
    case R_TICKET: {
        tix__ticket_rec t;
        int rc = tix__ticket_get(fz.db, txn, fuzz_code, &t);
        FZ_CODE(rc);
        if (rc == TIX_OK && t.n_seats <= 1024) {
            uint32_t seats[1024];
            tix__ticket_rec_seats(&t, seats);
        }
        break;
    }
    case R_SEAT: {
        tix_seat s;
        char row[TIX_ROW_LABEL_MAX + 1];
        FZ_CODE(tix__seat_read(fz.db, txn, FZ_ID, 0, &s, row));
        break;
    }
    default:
        break;
    }
    tix__db_read_end(fz.db, txn);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    if (!fz.db) LLVMFuzzerInitialize(NULL, NULL);
    int which = data[0] % R__COUNT;
    const uint8_t *v = data + 1;
    size_t n = size - 1;
    tix_db *db = fz.db;
    int rc;
    switch (which) {
    case R_PLACE: {
        fz_put_id(TIX_T_PLACES, FZ_ID, v, n);
        tix_place *p;
        FZ_CODE(rc = tix_place_get(db, FZ_ID, &p));
        if (!rc) str_ok(p->name);
        tix_place_free(p);
        break;
    }
    case R_VENUE: {
        fz_put_id(TIX_T_VENUES, FZ_ID, v, n);
        tix_venue *x;
        FZ_CODE(rc = tix_venue_get(db, FZ_ID, &x));
        if (!rc) { str_ok(x->name); str_ok(x->address); }
        tix_venue_free(x);
        break;
    }
    case R_SCREEN: {
        fz_put_id(TIX_T_SCREENS, FZ_ID, v, n);
        tix_screen *x;
        FZ_CODE(rc = tix_screen_get(db, FZ_ID, &x));
        if (!rc) str_ok(x->name);
        tix_screen_free(x);
        break;
    }
    case R_TIER: {
        fz_put_id(TIX_T_TIERS, FZ_ID, v, n);
        tix_tier *x;
        FZ_CODE(rc = tix_tier_get(db, FZ_ID, &x));
        if (!rc) { str_ok(x->name); FZ_REQUIRE(x->currency[3] == '\0'); }
        tix_tier_free(x);
        break;
    }
    case R_MOVIE: {
        fz_put_id(TIX_T_MOVIES, FZ_ID, v, n);
        tix_movie *x;
        FZ_CODE(rc = tix_movie_get(db, FZ_ID, &x));
        if (!rc) {
            str_ok(x->title);
            str_ok(x->synopsis);
            for (size_t i = 0; i < x->n_genres; i++) str_ok(x->genres[i]);
            for (size_t i = 0; i < x->n_media; i++) str_ok(x->media[i]);
            FZ_REQUIRE(x->genres[x->n_genres] == NULL);
        }
        tix_movie_free(x);
        tix_movie_list *l;
        FZ_CODE(tix_movie_list_all(db, FZ_ID - 1, 1, &l));
        tix_movie_list_free(l);
        break;
    }
    case R_SHOW: {
        fz_put_id(TIX_T_SHOWS, FZ_ID, v, n);
        tix_show *x;
        FZ_CODE(tix_show_get(db, FZ_ID, &x));
        tix_show_free(x);
        break;
    }
    case R_USER: {
        fz_put_id(TIX_T_USERS, FZ_ID, v, n);
        tix_user *x;
        FZ_CODE(rc = tix_user_get(db, FZ_ID, &x));
        if (!rc) {
            str_ok(x->email);
            for (size_t i = 0; i < x->n_languages; i++) str_ok(x->languages[i]);
        }
        tix_user_free(x);
        tix_user_list *l;
        FZ_CODE(tix_user_list_all(db, FZ_ID - 1, 1, &l));
        tix_user_list_free(l);
        break;
    }
    case R_BOOKING: {
        fz_put_id(TIX_T_BOOKINGS, FZ_ID, v, n);
        tix_booking *x;
        FZ_CODE(rc = tix_booking_get(db, FZ_ID, &x));
        if (!rc) {
            str_ok(x->payment_ref);
            for (size_t i = 0; i < x->n_tickets; i++) {
                str_ok(x->tickets[i].gate);
                char qr[512];
                FZ_CODE(tix_ticket_qr(x, i, qr, sizeof qr));
            }
        }
        tix_booking_free(x);
        break;
    }
    case R_TICKET:
        fz_put(TIX_T_TICKETS, fuzz_code, TIX_TICKET_CODE_LEN, v, n);
        /* check-in decodes it, then writes it back when it is usable */
        FZ_CODE(tix_ticket_checkin(db, fuzz_code, "Fuzz", NULL));
        break;
    case R_OFFER: {
        fz_put_id(TIX_T_OFFERS, FZ_ID, v, n);
        tix_offer *x;
        FZ_CODE(rc = tix_offer_get(db, FZ_ID, &x));
        if (!rc) str_ok(x->code);
        tix_offer_free(x);
        break;
    }
    case R_REVIEW: {
        fz_put_id(TIX_T_REVIEWS, FZ_ID, v, n);
        tix_review *x;
        FZ_CODE(rc = tix_review_get(db, FZ_ID, &x));
        if (!rc) str_ok(x->text);
        tix_review_free(x);
        break;
    }
    case R_COMMENT: {
        fz_put_id(TIX_T_COMMENTS, FZ_ID, v, n);
        tix_comment_list *l;
        FZ_CODE(rc = tix_comment_list_by_review(db, FZ_ID, &l));
        if (!rc)
            for (size_t i = 0; i < l->count; i++) str_ok(l->items[i].text);
        tix_comment_list_free(l);
        break;
    }
    case R_RATING: {
        fz_put_id(TIX_T_RATINGS, fz.movie, v, n);
        tix_rating_summary s;
        FZ_CODE(tix_rating_summary_get(db, fz.movie, &s));
        break;
    }
    case R_EVENT: {
        fz_put_id(TIX_T_OUTBOX, FZ_ID, v, n);
        tix_event *e;
        FZ_CODE(rc = tix_outbox_get(db, FZ_ID, &e));
        if (!rc) {
            str_ok(e->user_email);
            str_ok(e->gate);
            for (size_t i = 0; i < e->n_seats; i++) str_ok(e->seats[i].row);
            for (size_t i = 0; i < e->n_tickets; i++) str_ok(e->tickets[i].qr);
        }
        tix_event_free(e);
        break;
    }
    case R_CONSUMER: {
        fz_put(TIX_T_OUTBOX_CURSORS, "fz", 2, v, n);
        tix_consumer_list *l;
        FZ_CODE(tix_outbox_consumers(db, &l));
        tix_consumer_list_free(l);
        tix_event_list *el;
        FZ_CODE(tix_outbox_read(db, "fz", 4, &el));
        tix_event_list_free(el);
        break;
    }
    case R_SEAT: {
        uint8_t k[12];
        seat_key(k, FZ_ID, 0);
        fz_put(TIX_T_SEATS, k, sizeof k, v, n);
        tix_seat_list *l;
        FZ_CODE(rc = tix_seat_list_by_screen(db, FZ_ID, &l));
        if (!rc)
            for (size_t i = 0; i < l->count; i++) str_ok(l->items[i].row);
        tix_seat_list_free(l);
        break;
    }
    }
    read_internal(which);
    return 0;
}

/* Seeds: each real record of the populated store, behind its selector. */
void fuzz_make_seeds(const char *dir);
void fuzz_make_seeds(const char *dir)
{
    LLVMFuzzerInitialize(NULL, NULL);
    struct { int which, table; tix_id id; } recs[] = {
        {R_PLACE, TIX_T_PLACES, fz.city},   {R_VENUE, TIX_T_VENUES, fz.venue},
        {R_SCREEN, TIX_T_SCREENS, fz.screen}, {R_TIER, TIX_T_TIERS, fz.tier},
        {R_MOVIE, TIX_T_MOVIES, fz.movie},  {R_SHOW, TIX_T_SHOWS, fz.show},
        {R_USER, TIX_T_USERS, fz.user},     {R_BOOKING, TIX_T_BOOKINGS, fz.booking},
        {R_OFFER, TIX_T_OFFERS, fz.offer},  {R_REVIEW, TIX_T_REVIEWS, fz.review},
        {R_COMMENT, TIX_T_COMMENTS, 1},     {R_RATING, TIX_T_RATINGS, fz.movie},
        {R_EVENT, TIX_T_OUTBOX, 1},         {R_EVENT, TIX_T_OUTBOX, 2},
    };
    for (size_t i = 0; i < sizeof recs / sizeof *recs; i++) {
        size_t len;
        uint8_t *val = fz_get_id(recs[i].table, recs[i].id, &len);
        uint8_t *seed = malloc(len + 1);
        seed[0] = (uint8_t)recs[i].which;
        memcpy(seed + 1, val, len);
        char name[64];
        snprintf(name, sizeof name, "%s-%zu", names[recs[i].which], i);
        fz_seed(dir, name, seed, len + 1);
        free(seed);
        free(val);
    }
    size_t len;
    uint8_t *val = fz_get(TIX_T_TICKETS, fz.code, TIX_TICKET_CODE_LEN, &len);
    uint8_t seed[512];
    seed[0] = R_TICKET;
    memcpy(seed + 1, val, len);
    fz_seed(dir, "ticket", seed, len + 1);
    free(val);
    val = fz_get(TIX_T_OUTBOX_CURSORS, "mail", 4, &len);
    seed[0] = R_CONSUMER;
    memcpy(seed + 1, val, len);
    fz_seed(dir, "consumer", seed, len + 1);
    free(val);
    uint8_t k[12];
    seat_key(k, fz.screen, 7);
    val = fz_get(TIX_T_SEATS, k, sizeof k, &len);
    seed[0] = R_SEAT;
    memcpy(seed + 1, val, len);
    fz_seed(dir, "seat", seed, len + 1);
    free(val);
    /* degenerate inputs: empty value, a bare header, a newer version */
    for (int w = 0; w < R__COUNT; w++) {
        uint8_t b[3] = {(uint8_t)w, 0, 0};
        char name[64];
        snprintf(name, sizeof name, "%s-empty", names[w]);
        fz_seed(dir, name, b, 1);
    }
}
