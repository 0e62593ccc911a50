/*
 * booking_flow: the booking flow a web backend runs on libtix, end to end.
 *
 *   booking_flow [store-dir] [ticket-dir]
 *       (defaults ./booking-flow-store and ./booking-flow-tickets)
 *
 *  1. search   "monsoon" -> the movie; its shows in the city on a date
 *  2. seat map availability per tier and every seat's state
 *  3. best available: 2 adjacent seats, held with a request key (a double
 *     click on "Book" gets the same hold back, not a conflict)
 *  4. pay      a fake payment gateway calls the backend back; the same
 *     callback arrives twice (same booking), one arrives after the hold ran
 *     out (still booked: the seats were free), and one arrives after the
 *     hold ran out and a seat was sold to someone else (refunded)
 *  5. tickets  one QR code PNG per ticket (libqrencode + libpng)
 *  6. gate     check-in once; a second scan and a mistyped code are refused
 *
 * The store runs on a fake clock so holds run out on cue. Every step checks
 * its result; any surprise exits with status 1.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <png.h>
#include <qrencode.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tix.h"

static const char *ticket_dir;
static tix_db *db;

static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("booking_flow: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    tix_db_close(db);
    exit(1);
}

#define CHECK(call)                                                          \
    do {                                                                     \
        int rc_ = (call);                                                    \
        if (rc_ != TIX_OK)                                                   \
            die("%s: %s: %s", #call, tix_strerror(rc_), tix_errmsg());       \
    } while (0)

#define EXPECT(call, code)                                                   \
    do {                                                                     \
        int rc_ = (call);                                                    \
        if (rc_ != (code))                                                   \
            die("%s gave %s, expected %s (%s)", #call, tix_strerror(rc_),    \
                tix_strerror(code), tix_errmsg());                           \
    } while (0)

/* ------------------------------------------------------------------------ */
/* A fake clock: the backend's idea of "now", moved by the script.          */

static int64_t fake_now = 1893488400; /* 2030-01-01 09:00 UTC */
static int64_t clock_fn(void *ctx)
{
    (void)ctx;
    return fake_now;
}

/* ------------------------------------------------------------------------ */
/* Catalog                                                                   */

typedef struct world {
    tix_id city, venue, screen, tier_std, tier_gold, movie, other, show;
    tix_id asha, ravi, meera;
    uint32_t date;
} world;

static void load_world(world *w)
{
    tix_id in, ka;
    CHECK(tix_place_create(db, &(tix_place){.kind = TIX_PLACE_COUNTRY, .name = "India"}, &in));
    CHECK(tix_place_create(db, &(tix_place){.kind = TIX_PLACE_STATE, .parent_id = in,
                                            .name = "Karnataka"}, &ka));
    CHECK(tix_place_create(db, &(tix_place){.kind = TIX_PLACE_CITY, .parent_id = ka,
                                            .name = "Bengaluru", .utc_offset_min = 330},
                           &w->city));
    CHECK(tix_venue_create(db, &(tix_venue){.city_id = w->city, .name = "Cubbon Cineplex",
                                            .lat = 12.9756, .lon = 77.6066}, &w->venue));
    CHECK(tix_screen_create(db, &(tix_screen){.venue_id = w->venue, .name = "Audi 1",
                                              .ideal_x = 0, .ideal_y = 4}, &w->screen));
    CHECK(tix_tier_create(db, &(tix_tier){.screen_id = w->screen, .name = "Standard",
                                          .price_minor = 20000, .currency = "INR"},
                          &w->tier_std));
    CHECK(tix_tier_create(db, &(tix_tier){.screen_id = w->screen, .name = "Gold",
                                          .price_minor = 32000, .currency = "INR"},
                          &w->tier_gold));
    /* Rows A-F of 12 seats; D-F are Gold. */
    static tix_seat_spec seats[6][12];
    tix_row_spec rows[6];
    static const char *const labels[6] = {"A", "B", "C", "D", "E", "F"};
    for (int r = 0; r < 6; r++) {
        for (int n = 0; n < 12; n++)
            seats[r][n] = (tix_seat_spec){
                .number = (uint32_t)n + 1, .x = n - 5.5, .y = r,
                .tier_id = r < 3 ? w->tier_std : w->tier_gold,
                .flags = n == 0 || n == 11 ? TIX_SEAT_AISLE : 0};
        rows[r] = (tix_row_spec){labels[r], seats[r], 12};
    }
    CHECK(tix_seats_add_rows(db, w->screen, rows, 6, NULL));
    static const char *const genres[] = {"Thriller"};
    CHECK(tix_movie_create(db, &(tix_movie){.title = "The Monsoon Heist", .duration_min = 150,
                                            .genres = genres, .n_genres = 1}, &w->movie));
    CHECK(tix_movie_create(db, &(tix_movie){.title = "Monsoon Wedding Redux",
                                            .duration_min = 120}, &w->other));
    /* Tonight 19:00 IST = 13:30 UTC. */
    int64_t start = 1893488400 - 9 * 3600 + 13 * 3600 + 30 * 60;
    CHECK(tix_show_create(db, &(tix_show){.movie_id = w->movie, .screen_id = w->screen,
                                          .start = start}, &w->show));
    tix_show *sh;
    CHECK(tix_show_get(db, w->show, &sh));
    w->date = sh->local_date;
    tix_show_free(sh);
    CHECK(tix_user_create(db, &(tix_user){.name = "Asha Rao", .email = "asha@example.com",
                                          .home_city_id = w->city}, &w->asha));
    CHECK(tix_user_create(db, &(tix_user){.name = "Ravi Kumar", .email = "ravi@example.com"},
                          &w->ravi));
    CHECK(tix_user_create(db, &(tix_user){.name = "Meera S", .email = "meera@example.com"},
                          &w->meera));
}

/* ------------------------------------------------------------------------ */
/* 1-2. Search, shows, seat map                                              */

static tix_id search_and_pick(world *w)
{
    printf("\n== 1. search \"monsoon\" in Bengaluru on %u\n", w->date);
    tix_search_result *r;
    tix_search_opts so = {.city_id = w->city, .date = w->date};
    CHECK(tix_movie_search(db, "monsoon", &so, &r));
    tix_id movie = 0;
    for (size_t i = 0; i < r->count; i++) {
        printf("  hit: %s (id %llu)\n", r->items[i].title,
               (unsigned long long)r->items[i].movie_id);
        if (!strcmp(r->items[i].title, "The Monsoon Heist")) movie = r->items[i].movie_id;
    }
    tix_search_result_free(r);
    if (movie != w->movie) die("search did not find The Monsoon Heist showing today");
    tix_show_list *shows;
    CHECK(tix_show_list_by_city(db, w->city, w->date, movie, &shows));
    if (shows->count != 1) die("expected one show, got %zu", shows->count);
    tix_id show = shows->items[0].id;
    printf("  show %llu: %u seats\n", (unsigned long long)show, shows->items[0].seat_count);
    tix_show_list_free(shows);
    return show;
}

static void seat_map(tix_id show)
{
    printf("\n== 2. seat map of show %llu\n", (unsigned long long)show);
    tix_avail *a;
    CHECK(tix_show_availability(db, show, &a));
    for (size_t t = 0; t < a->n_tiers; t++) {
        tix_tier *tier;
        CHECK(tix_tier_get(db, a->tiers[t].tier_id, &tier));
        char price[TIX_MONEY_TEXT_MAX];
        CHECK(tix_money_format(tier->price_minor, tier->currency, price, sizeof price));
        printf("  %-8s %s  %u of %u free\n", tier->name, price, a->tiers[t].free,
               a->tiers[t].total);
        tix_tier_free(tier);
    }
    uint8_t st[72];
    CHECK(tix_show_seat_states(db, show, st, sizeof st));
    static const char glyph[] = ".h#x"; /* free, held/confirming, booked, blocked */
    printf("        ---- SCREEN ----\n");
    for (int r = 0; r < 6; r++) {
        printf("  %c   ", 'A' + r);
        for (int n = 0; n < 12; n++) {
            uint8_t s = st[r * 12 + n];
            putchar(s == TIX_SEAT_FREE ? glyph[0]
                    : s <= TIX_SEAT_CONFIRMING ? glyph[1]
                    : s == TIX_SEAT_BOOKED ? glyph[2] : glyph[3]);
        }
        putchar('\n');
    }
    tix_avail_free(a);
}

/* ------------------------------------------------------------------------ */
/* 4. A fake payment gateway                                                 */

/* A callback the gateway will POST to the backend at some time. */
typedef struct callback {
    int64_t at;
    char payment_ref[32];
    char handle[TIX_HOLD_STRING_MAX];
    tix_id user;
} callback;

typedef struct gateway {
    callback q[16];
    int n;
    int charges;
} gateway;

/* The customer pays; the gateway answers later, once or more. */
static const char *gateway_charge(gateway *g, const char *handle, tix_id user,
                                  const int64_t *delays, int n_delays)
{
    static char ref[32];
    snprintf(ref, sizeof ref, "pay_%04d", ++g->charges);
    for (int i = 0; i < n_delays; i++) {
        callback *c = &g->q[g->n++];
        c->at = fake_now + delays[i];
        snprintf(c->payment_ref, sizeof c->payment_ref, "%s", ref);
        snprintf(c->handle, sizeof c->handle, "%s", handle);
        c->user = user;
    }
    return ref;
}

/* What the backend does with a callback: confirm the hold named by the
 * handle it stored with the payment. */
typedef struct outcome {
    int rc;
    tix_id booking;
} outcome;

static outcome on_payment_callback(const callback *c)
{
    outcome o = {0, 0};
    tix_hold *h;
    o.rc = tix_hold_from_string(c->handle, &h);
    if (o.rc) return o;
    tix_confirm_opts co = {.user_id = c->user, .payment_ref = c->payment_ref,
                           .seats_per_ticket = 1};
    o.rc = tix_hold_confirm(db, h, &co, &o.booking);
    if (o.rc == TIX_EEXPIRED)
        printf("    %s: hold ran out and a seat was sold meanwhile -> refund %s\n",
               c->payment_ref, c->payment_ref);
    else if (o.rc == TIX_OK)
        printf("    %s: booking %llu\n", c->payment_ref, (unsigned long long)o.booking);
    tix_hold_free(h);
    return o;
}

/* Delivers callbacks due by @p until, in time order, moving the clock. */
static int deliver(gateway *g, int64_t until, outcome *out, int max)
{
    int got = 0;
    for (;;) {
        int best = -1;
        for (int i = 0; i < g->n; i++)
            if (g->q[i].at <= until && (best < 0 || g->q[i].at < g->q[best].at)) best = i;
        if (best < 0) break;
        if (g->q[best].at > fake_now) fake_now = g->q[best].at;
        printf("  t+%llds gateway calls back for %s\n",
               (long long)(fake_now - 1893488400), g->q[best].payment_ref);
        outcome o = on_payment_callback(&g->q[best]);
        if (got < max) out[got] = o;
        got++;
        g->q[best] = g->q[--g->n];
    }
    if (until > fake_now) fake_now = until;
    return got;
}

static void hold_handle(const tix_hold *h, char *buf)
{
    CHECK(tix_hold_to_string(h, buf, TIX_HOLD_STRING_MAX));
}

/* ------------------------------------------------------------------------ */
/* 5. Tickets as QR code PNGs                                                */

static int write_qr_png(const char *payload, const char *path)
{
    QRcode *q = QRcode_encodeString(payload, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    if (!q) return errno ? errno : EINVAL;
    const int scale = 6, border = 4;
    const int size = (q->width + 2 * border) * scale;
    FILE *f = fopen(path, "wb");
    png_bytep row = calloc((size_t)(size + 7) / 8, 1);
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    volatile int err = !f || !row || !png || !info ? EIO : 0;
    if (!err && setjmp(png_jmpbuf(png))) err = EIO;
    if (!err) {
        png_init_io(png, f);
        png_set_IHDR(png, info, (png_uint_32)size, (png_uint_32)size, 1,
                     PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE,
                     PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
        png_write_info(png, info);
        for (int y = 0; y < size; y++) {
            int my = y / scale - border;
            for (int x = 0; x < size; x++) {
                int mx = x / scale - border;
                int dark = mx >= 0 && my >= 0 && mx < q->width && my < q->width &&
                           (q->data[my * q->width + mx] & 1);
                /* 1-bit gray: 1 is white */
                if (dark) row[x / 8] &= (png_byte) ~(0x80 >> (x % 8));
                else row[x / 8] |= (png_byte)(0x80 >> (x % 8));
            }
            png_write_row(png, row);
        }
        png_write_end(png, NULL);
    }
    if (png) png_destroy_write_struct(&png, info ? &info : NULL);
    free(row);
    if (f && fclose(f) != 0 && !err) err = errno;
    QRcode_free(q);
    return err;
}

static int tickets(tix_id booking)
{
    tix_booking *b;
    CHECK(tix_booking_get(db, booking, &b));
    char total[TIX_MONEY_TEXT_MAX];
    CHECK(tix_money_format(b->total_minor, b->currency, total, sizeof total));
    printf("\n== 5. tickets of booking %llu (%s)\n", (unsigned long long)booking,
           total);
    mkdir(ticket_dir, 0755);
    for (size_t t = 0; t < b->n_tickets; t++) {
        char qr[256], path[4096];
        CHECK(tix_ticket_qr(b, t, qr, sizeof qr));
        snprintf(path, sizeof path, "%s/ticket-%s.png", ticket_dir, b->tickets[t].code);
        int e = write_qr_png(qr, path);
        if (e) die("cannot write %s: %s", path, strerror(e));
        /* Read the PNG signature back: a real file was written. */
        unsigned char sig[8] = {0};
        FILE *f = fopen(path, "rb");
        size_t got = f ? fread(sig, 1, 8, f) : 0;
        if (f) fclose(f);
        if (got != 8 || png_sig_cmp(sig, 0, 8)) die("%s is not a PNG", path);
        printf("  ticket %s  %s  -> %s\n", b->tickets[t].code, qr, path);
    }
    size_t n = b->n_tickets;
    tix_booking_free(b);
    return (int)n;
}

/* ------------------------------------------------------------------------ */

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "booking-flow-store";
    ticket_dir = argc > 2 ? argv[2] : "booking-flow-tickets";
    if (argc > 3) {
        fprintf(stderr, "usage: booking_flow [store-dir] [ticket-dir]\n");
        return 2;
    }
    char probe[4096];
    snprintf(probe, sizeof probe, "%s/data.mdb", dir);
    if (access(probe, F_OK) == 0) {
        /* Start from an empty store every run. */
        snprintf(probe, sizeof probe, "rm -rf '%s'", dir);
        if (system(probe) != 0) die("cannot remove the old store %s", dir);
    }
    tix_config cfg;
    tix_config_init(&cfg);
    cfg.clock = clock_fn;
    cfg.durability = TIX_SYNC_NOMETA;
    CHECK(tix_db_open(dir, &cfg, &db));
    world w;
    load_world(&w);

    tix_id show = search_and_pick(&w);
    seat_map(show);

    printf("\n== 3. best available: 2 Gold seats for Asha (double click)\n");
    tix_best_opts bo = {.tier_id = w.tier_gold, .ttl = 300, .request_key = "cart-asha-1"};
    tix_hold *h1, *again;
    CHECK(tix_hold_best(db, show, 2, &bo, &h1));
    CHECK(tix_hold_best(db, show, 2, &bo, &again)); /* the second click */
    if (tix_hold_seat(h1, 0) != tix_hold_seat(again, 0))
        die("a repeated request key gave other seats");
    printf("  held seats %u,%u for 300 s (second click: same seats)\n",
           tix_hold_seat(h1, 0), tix_hold_seat(h1, 1));
    tix_hold_free(again);
    seat_map(show);

    printf("\n== 4. payment\n");
    gateway g = {.n = 0};
    char handle[TIX_HOLD_STRING_MAX];
    outcome res[4];

    /* a) paid; the gateway calls back twice (a retry after a timeout). */
    hold_handle(h1, handle);
    const int64_t twice[] = {3, 40};
    gateway_charge(&g, handle, w.asha, twice, 2);
    if (deliver(&g, fake_now + 60, res, 4) != 2) die("expected two callbacks");
    if (res[0].rc || res[1].rc || res[0].booking != res[1].booking)
        die("duplicate callback: %s / %s, bookings %llu %llu",
            tix_strerror(res[0].rc), tix_strerror(res[1].rc),
            (unsigned long long)res[0].booking, (unsigned long long)res[1].booking);
    printf("  duplicate callback -> the same booking %llu\n",
           (unsigned long long)res[0].booking);
    tix_id booking = res[0].booking;

    /* b) late: the hold (60 s) runs out before the callback (5 min); nobody
     * took the seats, so the payment still books them. */
    tix_hold *h2;
    tix_best_opts late = {.tier_id = w.tier_std, .ttl = 60};
    CHECK(tix_hold_best(db, show, 3, &late, &h2));
    hold_handle(h2, handle);
    const int64_t slow[] = {300};
    gateway_charge(&g, handle, w.ravi, slow, 1);
    if (deliver(&g, fake_now + 400, res, 4) != 1 || res[0].rc != TIX_OK)
        die("late callback with free seats should book: %s", tix_strerror(res[0].rc));
    printf("  late callback, seats still free -> booking %llu\n",
           (unsigned long long)res[0].booking);

    /* c) late and lost: the hold runs out, Meera buys one of its seats,
     * then the callback arrives: nothing is booked, the backend refunds. */
    tix_hold *h3, *hm;
    CHECK(tix_hold_best(db, show, 2, &late, &h3));
    hold_handle(h3, handle);
    const int64_t slower[] = {200};
    gateway_charge(&g, handle, w.ravi, slower, 1);
    fake_now += 90; /* the 60 s hold is over */
    uint32_t taken = tix_hold_seat(h3, 1);
    CHECK(tix_hold_create(db, show, &taken, 1, NULL, &hm));
    tix_id meera;
    CHECK(tix_hold_confirm(db, hm, &(tix_confirm_opts){.user_id = w.meera,
                                                        .payment_ref = "pay_meera"}, &meera));
    printf("  Meera bought seat %u (booking %llu) after Ravi's hold ran out\n", taken,
           (unsigned long long)meera);
    if (deliver(&g, fake_now + 400, res, 4) != 1 || res[0].rc != TIX_EEXPIRED)
        die("late callback on a sold seat should give TIX_EEXPIRED, got %s",
            tix_strerror(res[0].rc));
    tix_booking *none;
    EXPECT(tix_booking_find_payment(db, "pay_0003", &none), TIX_ENOTFOUND);
    seat_map(show);

    int n_tickets = tickets(booking);
    if (n_tickets != 2) die("expected 2 tickets, got %d", n_tickets);

    printf("\n== 6. gate check-in\n");
    tix_booking *b;
    CHECK(tix_booking_get(db, booking, &b));
    char code[TIX_TICKET_CODE_LEN + 1];
    memcpy(code, b->tickets[0].code, sizeof code);
    tix_booking_free(b);
    tix_checkin ci;
    CHECK(tix_ticket_checkin(db, code, "Gate 3", &ci));
    printf("  %s checked in at %s\n", code, ci.gate);
    EXPECT(tix_ticket_checkin(db, code, "Gate 5", &ci), TIX_EALREADY);
    printf("  second scan at Gate 5 refused: already in at %s\n", ci.gate);
    code[4] = code[4] == 'A' ? 'B' : 'A'; /* a typo at the gate */
    EXPECT(tix_ticket_checkin(db, code, "Gate 3", NULL), TIX_EBADCODE);
    printf("  mistyped code refused by its check symbol\n");

    tix_hold_free(h1);
    tix_hold_free(h2);
    tix_hold_free(h3);
    tix_hold_free(hm);
    tix_db_close(db);
    printf("\nbooking_flow: all steps passed\n");
    return 0;
}
