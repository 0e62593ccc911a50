/* lib/catalog/show.c: scheduling shows, the overlap rule, local dates, listings. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "movie.h"
#include "show.h"
#include "testutil.h"

/* 2026-03-10T00:00:00Z */
#define MAR10 ((int64_t)1773100800)
#define HOUR 3600
#define MIN 60

/* Two cities (Bengaluru +05:30, Toronto -05:00), three venues, screens
 * with seats and one without, two movies. */
typedef struct fixture {
    tt_store s;
    tix_id blr, yyz;             /* cities */
    tix_id v_blr1, v_blr2, v_yyz; /* venues */
    tix_id scr1, scr2, scr3, scr_yyz, scr_empty;
    tix_id m120, m90, m_day;     /* 120 min, 90 min, 1440 min */
} fixture;

static tix_id place(tix_db *db, tix_place_kind kind, tix_id parent,
                    const char *name, int32_t offset)
{
    tix_place p = {.kind = kind, .parent_id = parent, .name = name,
                   .utc_offset_min = offset};
    tix_id id;
    assert_ok(tix_place_create(db, &p, &id));
    return id;
}

static tix_id venue(tix_db *db, tix_id city, const char *name)
{
    tix_venue v = {.city_id = city, .name = name, .lat = 12.9, .lon = 77.6};
    tix_id id;
    assert_ok(tix_venue_create(db, &v, &id));
    return id;
}

/* A screen with @p rows rows of @p per seats (none when rows is 0). */
static tix_id screen(tix_db *db, tix_id venue_id, const char *name,
                     unsigned rows, unsigned per)
{
    tix_screen sc = {.venue_id = venue_id, .name = name};
    tix_id id;
    assert_ok(tix_screen_create(db, &sc, &id));
    if (rows == 0) return id;
    tix_tier t = {.screen_id = id, .name = "Classic", .price_minor = 25000,
                  .currency = "INR"};
    tix_id tier;
    assert_ok(tix_tier_create(db, &t, &tier));
    static const char *const labels[] = {"A", "B", "C", "D"};
    tix_seat_spec seats[4 * 16];
    tix_row_spec rs[4];
    for (unsigned r = 0; r < rows; r++) {
        rs[r] = (tix_row_spec){.label = labels[r], .seats = seats + r * per,
                               .count = per};
        for (unsigned i = 0; i < per; i++)
            seats[r * per + i] = (tix_seat_spec){
                .number = i + 1, .x = i, .y = r, .tier_id = tier};
    }
    assert_ok(tix_seats_add_rows(db, id, rs, rows, NULL));
    return id;
}

static tix_id movie(tix_db *db, const char *title, uint32_t minutes)
{
    tix_movie m = {.title = title, .duration_min = minutes};
    tix_id id;
    assert_ok(tix_movie_create(db, &m, &id));
    return id;
}

static void fixture_open(fixture *f)
{
    memset(f, 0, sizeof *f);
    tt_open(&f->s);
    tix_db *db = f->s.db;
    tix_id in = place(db, TIX_PLACE_COUNTRY, 0, "India", 0);
    tix_id ka = place(db, TIX_PLACE_STATE, in, "Karnataka", 0);
    f->blr = place(db, TIX_PLACE_CITY, ka, "Bengaluru", 330);
    tix_id ca = place(db, TIX_PLACE_COUNTRY, 0, "Canada", 0);
    tix_id on = place(db, TIX_PLACE_STATE, ca, "Ontario", 0);
    f->yyz = place(db, TIX_PLACE_CITY, on, "Toronto", -300);
    f->v_blr1 = venue(db, f->blr, "PVR Forum");
    f->v_blr2 = venue(db, f->blr, "INOX Garuda");
    f->v_yyz = venue(db, f->yyz, "Scotiabank");
    f->scr1 = screen(db, f->v_blr1, "Audi 1", 2, 5);
    f->scr2 = screen(db, f->v_blr1, "Audi 2", 1, 3);
    f->scr3 = screen(db, f->v_blr2, "Screen 1", 1, 4);
    f->scr_yyz = screen(db, f->v_yyz, "IMAX", 3, 6);
    f->scr_empty = screen(db, f->v_blr1, "Audi 3", 0, 0);
    f->m120 = movie(db, "Dangal", 120);
    f->m90 = movie(db, "\xe0\xa4\xb6\xe0\xa5\x8b\xe0\xa4\xb2\xe0\xa5\x87", 90);
    f->m_day = movie(db, "Marathon screening", 1440);
}

static void fixture_close(fixture *f) { tt_close(&f->s); }

static tix_id show(fixture *f, tix_id movie_id, tix_id screen_id,
                   int64_t start)
{
    tix_show in = {.movie_id = movie_id, .screen_id = screen_id,
                   .start = start};
    tix_id id = 0;
    assert_ok(tix_show_create(f->s.db, &in, &id));
    return id;
}

static int try_show(fixture *f, tix_id movie_id, tix_id screen_id,
                    int64_t start)
{
    tix_show in = {.movie_id = movie_id, .screen_id = screen_id,
                   .start = start};
    return tix_show_create(f->s.db, &in, NULL);
}

/* ---- civil dates -------------------------------------------------------- */

static void local_date_arithmetic(void **state)
{
    (void)state;
    assert_int_equal(tix__show_local_date(0, 0), 19700101);
    assert_int_equal(tix__show_local_date(-1, 0), 19691231);
    assert_int_equal(tix__show_local_date(946684800, 0), 20000101);
    assert_int_equal(tix__show_local_date(946684799, 0), 19991231);
    assert_int_equal(tix__show_local_date(951782400, 0), 20000229); /* leap 400 */
    assert_int_equal(tix__show_local_date(1709164800, 0), 20240229);
    assert_int_equal(tix__show_local_date(1709251200, 0), 20240301);
    assert_int_equal(tix__show_local_date(4102444799, 0), 20991231);
    assert_int_equal(tix__show_local_date(4102444800, 0), 21000101);
    assert_int_equal(tix__show_local_date(4107456000, 0), 21000228);
    assert_int_equal(tix__show_local_date(4107542400, 0), 21000301); /* not leap */
    /* Offsets move the date both ways, by up to -12:00 / +14:00. */
    assert_int_equal(tix__show_local_date(MAR10 + 18 * HOUR + 29 * MIN, 330), 20260310);
    assert_int_equal(tix__show_local_date(MAR10 + 18 * HOUR + 30 * MIN, 330), 20260311);
    assert_int_equal(tix__show_local_date(MAR10 + 4 * HOUR, -300), 20260309);
    assert_int_equal(tix__show_local_date(MAR10 + 5 * HOUR, -300), 20260310);
    assert_int_equal(tix__show_local_date(MAR10 - 1, 840), 20260310);
    assert_int_equal(tix__show_local_date(MAR10 + 11 * HOUR, -720), 20260309);
    assert_int_equal(tix__show_local_date(1798761599, 0), 20261231);
    assert_int_equal(tix__show_local_date(1798761599, 1), 20270101);
}

/* ---- create and read ---------------------------------------------------- */

static void round_trip(void **state)
{
    (void)state;
    fixture f;
    fixture_open(&f);
    int64_t start = MAR10 + 10 * HOUR;
    tix_show in = {.id = 77, .movie_id = f.m120, .screen_id = f.scr1,
                   .start = start, .end = 1, .venue_id = 9, .city_id = 9,
                   .local_date = 1, .seat_count = 1}; /* derived: ignored */
    tix_id id = 0;
    assert_ok(tix_show_create(f.s.db, &in, &id));
    assert_true(id == 1);
    tix_show *s = NULL;
    assert_ok(tix_show_get(f.s.db, id, &s));
    assert_true(s->id == id);
    assert_true(s->movie_id == f.m120);
    assert_true(s->screen_id == f.scr1);
    assert_true(s->start == start);
    assert_true(s->end == start + 120 * MIN);
    assert_true(s->venue_id == f.v_blr1);
    assert_true(s->city_id == f.blr);
    assert_int_equal(s->local_date, 20260310);
    assert_int_equal(s->seat_count, 10);
    tix_show_free(s);

    /* The engine's view: same fields plus a seats.map region per show,
     * regions never overlapping. */
    tix_id id2 = show(&f, f.m90, f.scr_yyz, start);
    MDB_txn *txn;
    assert_ok(tix__db_read_begin(f.s.db, &txn));
    tix__show_info a, b;
    assert_ok(tix__show_read(f.s.db, txn, id, &a));
    assert_ok(tix__show_read(f.s.db, txn, id2, &b));
    assert_true(a.id == id && a.movie_id == f.m120 && a.screen_id == f.scr1);
    assert_true(a.venue_id == f.v_blr1 && a.city_id == f.blr);
    assert_true(a.start == start && a.end == start + 120 * MIN);
    assert_int_equal(a.seat_count, 10);
    assert_int_equal(b.seat_count, 18);
    assert_true(b.city_id == f.yyz);
    assert_true(b.seat_base >= a.seat_base + a.seat_count);
    assert_code(tix__show_read(f.s.db, txn, 999, &a), TIX_ENOTFOUND);
    tix__db_read_end(f.s.db, txn);
    tix_show_free(NULL);
    tix_show_list_free(NULL);
    fixture_close(&f);
}

static void screen_has_shows_and_layout_freezes(void **state)
{
    (void)state;
    fixture f;
    fixture_open(&f);
    MDB_txn *txn;
    assert_ok(tix__db_read_begin(f.s.db, &txn));
    assert_int_equal(tix__show_any_on_screen(f.s.db, txn, f.scr1), 0);
    tix__db_read_end(f.s.db, txn);
    show(&f, f.m120, f.scr2, MAR10);
    assert_ok(tix__db_read_begin(f.s.db, &txn));
    assert_int_equal(tix__show_any_on_screen(f.s.db, txn, f.scr1), 0);
    assert_int_equal(tix__show_any_on_screen(f.s.db, txn, f.scr2), 1);
    assert_int_equal(tix__show_any_on_screen(f.s.db, txn, f.scr3), 0);
    assert_int_equal(tix__show_any_on_screen(f.s.db, txn, 0), 0);
    tix__db_read_end(f.s.db, txn);
    /* Seat indexes name seats in seats.map: no new seats once scheduled. */
    tix_seat_spec one = {.number = 99};
    tix_row_spec row = {.label = "Z", .seats = &one, .count = 1};
    tix_tier_list *tiers;
    assert_ok(tix_tier_list_by_screen(f.s.db, f.scr2, &tiers));
    one.tier_id = tiers->items[0].id;
    tix_tier_list_free(tiers);
    assert_rejected(f.s.db, tix_seats_add_rows(f.s.db, f.scr2, &row, 1, NULL),
                    TIX_EBUSY, NULL);
    fixture_close(&f);
}

static void late_night_show_gets_next_local_date(void **state)
{
    (void)state;
    fixture f;
    fixture_open(&f);
    /* 18:45Z is 00:15 the next day in Bengaluru (+05:30) ... */
    tix_id late = show(&f, f.m90, f.scr1, MAR10 + 18 * HOUR + 45 * MIN);
    /* ... while 18:29Z is still 23:59 the same day. */
    tix_id eve = show(&f, f.m90, f.scr2, MAR10 + 18 * HOUR + 29 * MIN);
    /* 03:00Z is 22:00 the previous day in Toronto (-05:00). */
    tix_id yyz = show(&f, f.m90, f.scr_yyz, MAR10 + 3 * HOUR);
    tix_show *s;
    assert_ok(tix_show_get(f.s.db, late, &s));
    assert_int_equal(s->local_date, 20260311);
    tix_show_free(s);
    assert_ok(tix_show_get(f.s.db, eve, &s));
    assert_int_equal(s->local_date, 20260310);
    tix_show_free(s);
    assert_ok(tix_show_get(f.s.db, yyz, &s));
    assert_int_equal(s->local_date, 20260309);
    tix_show_free(s);

    tix_show_list *l;
    assert_ok(tix_show_list_by_city(f.s.db, f.blr, 20260311, 0, &l));
    assert_int_equal(l->count, 1);
    assert_true(l->items[0].id == late);
    tix_show_list_free(l);
    assert_ok(tix_show_list_by_venue(f.s.db, f.v_blr1, 20260310, &l));
    assert_int_equal(l->count, 1);
    assert_true(l->items[0].id == eve);
    tix_show_list_free(l);
    fixture_close(&f);
}

/* ---- overlap ------------------------------------------------------------ */

static void overlap_table(void **state)
{
    (void)state;
    fixture f;
    fixture_open(&f);
    const int64_t T = MAR10 + 12 * HOUR, B = 900; /* default buffer */
    tix_id a = show(&f, f.m120, f.scr1, T);       /* [T, T+2h) */
    char other[32];
    snprintf(other, sizeof other, "show %llu", (unsigned long long)a);

    const struct {
        const char *what;
        tix_id movie;
        int64_t start;
    } bad[] = {
        {"exact overlap", f.m120, T},
        {"starts inside", f.m90, T + HOUR},
        {"ends inside", f.m90, T - HOUR},
        {"encloses it", f.m_day, T - 6 * HOUR},
        {"ends at its start (buffer)", f.m120, T - 2 * HOUR},
        {"ends 1 s inside the buffer before", f.m120, T - 2 * HOUR - B + 1},
        {"starts at its end (buffer)", f.m90, T + 2 * HOUR},
        {"starts 1 s inside the buffer after", f.m90, T + 2 * HOUR + B - 1},
        {"day-long show ending in the buffer", f.m_day, T - 24 * HOUR - B + 1},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        print_message("overlap: %s\n", bad[i].what);
        assert_rejected(f.s.db, try_show(&f, bad[i].movie, f.scr1, bad[i].start),
                        TIX_EOVERLAP, other);
    }
    /* Just outside the buffer on either side is fine, and so is another
     * screen at the very same time. */
    show(&f, f.m120, f.scr1, T + 2 * HOUR + B);
    show(&f, f.m120, f.scr1, T - 2 * HOUR - B);
    show(&f, f.m120, f.scr2, T);
    /* A day-long show found from the far end of the scan window. */
    tix_id day = show(&f, f.m_day, f.scr3, T - 24 * HOUR);
    snprintf(other, sizeof other, "show %llu", (unsigned long long)day);
    assert_rejected(f.s.db, try_show(&f, f.m90, f.scr3, T + B - 1), TIX_EOVERLAP,
                    other);
    show(&f, f.m90, f.scr3, T + B);
    /* Now squeezed between two shows: both neighbours are found. */
    assert_rejected(f.s.db, try_show(&f, f.m90, f.scr1, T + 4 * HOUR), TIX_EOVERLAP,
                    "show");
    fixture_close(&f);
}

static void buffer_comes_from_config(void **state)
{
    (void)state;
    fixture f;
    fixture_open(&f);
    tix_db_close(f.s.db);
    tix_config c;
    tt_config(&c);
    c.show_buffer = 0;
    assert_ok(tix_db_open(f.s.dir, &c, &f.s.db));
    const int64_t T = MAR10 + 12 * HOUR;
    show(&f, f.m120, f.scr1, T);
    show(&f, f.m120, f.scr1, T + 2 * HOUR); /* back to back */
    show(&f, f.m120, f.scr1, T - 2 * HOUR);
    assert_rejected(f.s.db, try_show(&f, f.m90, f.scr1, T + 4 * HOUR - 1),
                    TIX_EOVERLAP, "show 2");
    fixture_close(&f);
}

/* ---- bad input ------------------------------------------------------------ */

static void bad_input_table(void **state)
{
    (void)state;
    fixture f;
    fixture_open(&f);
    show(&f, f.m120, f.scr1, MAR10); /* something to leave unchanged */
    const int64_t Y2K = 946684800, Y2100 = 4102444800;
    const struct {
        const char *what;
        tix_id movie, screen;
        int64_t start;
        int code;
        const char *field;
    } bad[] = {
        {"unknown movie", 404, f.scr2, MAR10, TIX_ENOTFOUND, "movie_id"},
        {"movie 0", 0, f.scr2, MAR10, TIX_ENOTFOUND, "movie_id"},
        {"unknown screen", f.m120, 404, MAR10, TIX_ENOTFOUND, "screen_id"},
        {"screen 0", f.m120, 0, MAR10, TIX_ENOTFOUND, "screen_id"},
        {"screen without seats", f.m120, f.scr_empty, MAR10, TIX_EINVAL,
         "screen_id"},
        {"start before 2000", f.m120, f.scr2, Y2K - 1, TIX_ERANGE, "start"},
        {"start at 2100", f.m120, f.scr2, Y2100, TIX_ERANGE, "start"},
        {"start at epoch", f.m120, f.scr2, 0, TIX_ERANGE, "start"},
        {"negative start", f.m120, f.scr2, -MAR10, TIX_ERANGE, "start"},
        {"start INT64_MAX", f.m120, f.scr2, INT64_MAX, TIX_ERANGE, "start"},
        {"start INT64_MIN", f.m120, f.scr2, INT64_MIN, TIX_ERANGE, "start"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        print_message("bad show: %s\n", bad[i].what);
        tix_show in = {.movie_id = bad[i].movie, .screen_id = bad[i].screen,
                       .start = bad[i].start};
        tix_id out = 31337;
        assert_rejected(f.s.db, tix_show_create(f.s.db, &in, &out),
                        bad[i].code, bad[i].field);
        assert_true(out == 31337);
    }
    assert_rejected(f.s.db, tix_show_create(f.s.db, NULL, NULL), TIX_EINVAL,
                    NULL);
    tix_show in = {.movie_id = f.m120, .screen_id = f.scr2, .start = MAR10};
    assert_code(tix_show_create(NULL, &in, NULL), TIX_EINVAL);
    /* The edges of the range are accepted (2000 only as history). */
    tix_show old = {.movie_id = f.m120, .screen_id = f.scr2, .start = Y2K,
                    .flags = TIX_SHOW_ALLOW_PAST};
    assert_ok(tix_show_create(f.s.db, &old, NULL));
    show(&f, f.m120, f.scr2, Y2100 - 1);
    fixture_close(&f);
}

/* A show that starts before now could never sell: refused, unless the
 * caller says it is history. */
static void start_in_the_past_needs_the_flag(void **state)
{
    (void)state;
    fixture f;
    fixture_open(&f);
    show(&f, f.m120, f.scr1, MAR10);
    tix_show in = {.movie_id = f.m120, .screen_id = f.scr2,
                   .start = tt_now - 1};
    assert_rejected(f.s.db, tix_show_create(f.s.db, &in, NULL), TIX_ERANGE,
                    "TIX_SHOW_ALLOW_PAST");
    in.flags = 0x80;
    in.start = MAR10;
    assert_rejected(f.s.db, tix_show_create(f.s.db, &in, NULL), TIX_EINVAL,
                    "flags");
    in.start = tt_now; /* starting this very second is not the past */
    in.flags = 0;
    assert_ok(tix_show_create(f.s.db, &in, NULL));
    in.start = tt_now - 30 * 86400;
    in.flags = TIX_SHOW_ALLOW_PAST;
    tix_id id;
    assert_ok(tix_show_create(f.s.db, &in, &id));
    tix_show *s;
    assert_ok(tix_show_get(f.s.db, id, &s));
    assert_int_equal(s->flags, 0); /* input only */
    assert_int_equal(s->local_date, 20251202);
    tix_show_free(s);
    fixture_close(&f);
}

/* A city with a time zone dates its shows by the zone's offset at the
 * show's start: London is +01:00 in July and +00:00 in January. */
static void time_zone_dates_follow_summer_time(void **state)
{
    (void)state;
    fixture f;
    fixture_open(&f);
    tix_db *db = f.s.db;
    tix_id uk = place(db, TIX_PLACE_COUNTRY, 0, "United Kingdom", 0);
    tix_id eng = place(db, TIX_PLACE_STATE, uk, "England", 0);
    tix_place lon = {.kind = TIX_PLACE_CITY, .parent_id = eng,
                     .name = "London", .time_zone = "Europe/London"};
    tix_id city;
    assert_ok(tix_place_create(db, &lon, &city));
    tix_id scr = screen(db, venue(db, city, "BFI"), "NFT1", 1, 4);
    const int64_t JUL1 = 1814400000, JAN1 = 1830297600; /* 2027, 00:00Z */
    int32_t off;
    assert_ok(tix_place_utc_offset(db, city, JUL1, &off));
    assert_int_equal(off, 60);
    assert_ok(tix_place_utc_offset(db, city, JAN1, &off));
    assert_int_equal(off, 0);
    tix_id late = show(&f, f.m90, scr, JUL1 - 30 * MIN);    /* 00:30 BST */
    tix_id winter = show(&f, f.m90, scr, JAN1 - 30 * MIN);  /* 23:30 GMT */
    tix_show *s;
    assert_ok(tix_show_get(db, late, &s));
    assert_int_equal(s->local_date, 20270701);
    tix_show_free(s);
    assert_ok(tix_show_get(db, winter, &s));
    assert_int_equal(s->local_date, 20271231);
    tix_show_free(s);
    tix_show_list *l;
    assert_ok(tix_show_list_by_city(db, city, 20270701, 0, &l));
    assert_int_equal(l->count, 1);
    assert_int_equal(l->items[0].id, late);
    tix_show_list_free(l);
    /* A zone the system does not have is refused, the store unchanged. */
    lon.name = "Londinium";
    lon.time_zone = "Europe/Londinium";
    assert_rejected(db, tix_place_create(db, &lon, NULL), TIX_EINVAL,
                    "Europe/Londinium");
    lon.time_zone = "../../etc/passwd";
    assert_rejected(db, tix_place_create(db, &lon, NULL), TIX_EINVAL, NULL);
    lon.time_zone = "zone.tab"; /* in the directory, not a zone file */
    assert_rejected(db, tix_place_create(db, &lon, NULL), TIX_EINVAL, NULL);
    fixture_close(&f);
}

static void null_and_unknown_reads(void **state)
{
    (void)state;
    fixture f;
    fixture_open(&f);
    tix_show *s = (tix_show *)1;
    tix_show_list *l = (tix_show_list *)1;
    assert_code(tix_show_get(f.s.db, 1, &s), TIX_ENOTFOUND);
    assert_null(s);
    assert_code(tix_show_get(NULL, 1, &s), TIX_EINVAL);
    assert_code(tix_show_get(f.s.db, 1, NULL), TIX_EINVAL);
    assert_code(tix_show_list_by_city(NULL, f.blr, 20260310, 0, &l), TIX_EINVAL);
    assert_null(l);
    assert_code(tix_show_list_by_city(f.s.db, f.blr, 20260310, 0, NULL),
                TIX_EINVAL);
    assert_code(tix_show_list_by_venue(NULL, f.v_blr1, 20260310, &l),
                TIX_EINVAL);
    assert_code(tix_show_list_by_venue(f.s.db, f.v_blr1, 20260310, NULL),
                TIX_EINVAL);
    /* Dates must be real calendar dates. */
    const uint32_t bad_dates[] = {0, 20261301, 20260230, 20260100, 20250229,
                                  2026031, 99999999};
    for (size_t i = 0; i < sizeof bad_dates / sizeof *bad_dates; i++) {
        l = (tix_show_list *)1;
        assert_code(tix_show_list_by_city(f.s.db, f.blr, bad_dates[i], 0, &l),
                    TIX_EINVAL);
        assert_null(l);
        assert_true(strstr(tix_errmsg(), "date") != NULL);
        assert_code(tix_show_list_by_venue(f.s.db, f.v_blr1, bad_dates[i], &l),
                    TIX_EINVAL);
    }
    /* An unknown city or venue simply has no shows. */
    assert_ok(tix_show_list_by_city(f.s.db, 4040, 20240229, 0, &l));
    assert_int_equal(l->count, 0);
    tix_show_list_free(l);
    assert_ok(tix_show_list_by_venue(f.s.db, 4040, 20260310, &l));
    assert_int_equal(l->count, 0);
    tix_show_list_free(l);
    fixture_close(&f);
}

/* ---- listings ----------------------------------------------------------- */

static void assert_ids(const tix_show_list *l, const tix_id *want, size_t n)
{
    assert_int_equal(l->count, n);
    for (size_t i = 0; i < n; i++) {
        if (l->items[i].id != want[i])
            fail_msg("item %zu is show %llu, want %llu", i,
                     (unsigned long long)l->items[i].id,
                     (unsigned long long)want[i]);
        if (i) assert_true(l->items[i - 1].start <= l->items[i].start);
    }
}

static void list_by_city_date_and_movie(void **state)
{
    (void)state;
    fixture f;
    fixture_open(&f);
    /* Bengaluru local times on 2026-03-10 = UTC + 05:30. Created out of
     * start order, over two movies, two venues and three screens. */
    const int64_t D = MAR10 - 330 * MIN; /* local midnight in UTC */
    tix_id s_m90_21 = show(&f, f.m90, f.scr1, D + 21 * HOUR);
    tix_id s_m120_10 = show(&f, f.m120, f.scr1, D + 10 * HOUR);
    tix_id s_m90_10 = show(&f, f.m90, f.scr3, D + 10 * HOUR);
    tix_id s_m120_14 = show(&f, f.m120, f.scr2, D + 14 * HOUR);
    tix_id s_m90_12 = show(&f, f.m90, f.scr2, D + 11 * HOUR);
    tix_id s_m120_18 = show(&f, f.m120, f.scr3, D + 18 * HOUR);
    /* Noise: the next local day, another city the same day. */
    tix_id next_day = show(&f, f.m120, f.scr1, D + 24 * HOUR + 9 * HOUR);
    show(&f, f.m120, f.scr_yyz, MAR10 + 15 * HOUR);

    tix_show_list *l;
    assert_ok(tix_show_list_by_city(f.s.db, f.blr, 20260310, 0, &l));
    tix_id all[] = {s_m120_10, s_m90_10, s_m90_12, s_m120_14, s_m120_18,
                    s_m90_21};
    assert_ids(l, all, 6);
    for (size_t i = 0; i < l->count; i++) {
        assert_int_equal(l->items[i].local_date, 20260310);
        assert_true(l->items[i].city_id == f.blr);
    }
    tix_show_list_free(l);

    assert_ok(tix_show_list_by_city(f.s.db, f.blr, 20260310, f.m120, &l));
    tix_id m120[] = {s_m120_10, s_m120_14, s_m120_18};
    assert_ids(l, m120, 3);
    tix_show_list_free(l);
    assert_ok(tix_show_list_by_city(f.s.db, f.blr, 20260310, f.m90, &l));
    tix_id m90[] = {s_m90_10, s_m90_12, s_m90_21};
    assert_ids(l, m90, 3);
    tix_show_list_free(l);
    assert_ok(tix_show_list_by_city(f.s.db, f.blr, 20260310, f.m_day, &l));
    assert_int_equal(l->count, 0);
    tix_show_list_free(l);
    assert_ok(tix_show_list_by_city(f.s.db, f.blr, 20260311, 0, &l));
    assert_ids(l, &next_day, 1);
    tix_show_list_free(l);
    assert_ok(tix_show_list_by_city(f.s.db, f.blr, 20260309, 0, &l));
    assert_int_equal(l->count, 0);
    tix_show_list_free(l);
    assert_ok(tix_show_list_by_city(f.s.db, f.yyz, 20260310, 0, &l));
    assert_int_equal(l->count, 1);
    tix_show_list_free(l);
    fixture_close(&f);
}

static void list_by_venue_and_date(void **state)
{
    (void)state;
    fixture f;
    fixture_open(&f);
    const int64_t D = MAR10 - 330 * MIN;
    tix_id late = show(&f, f.m90, f.scr2, D + 22 * HOUR);
    tix_id early = show(&f, f.m120, f.scr1, D + 9 * HOUR);
    tix_id mid_a = show(&f, f.m90, f.scr1, D + 15 * HOUR);
    tix_id mid_b = show(&f, f.m120, f.scr2, D + 15 * HOUR); /* same start */
    show(&f, f.m120, f.scr3, D + 12 * HOUR);                /* other venue */
    show(&f, f.m120, f.scr1, D + 33 * HOUR);                /* next day */

    tix_show_list *l;
    assert_ok(tix_show_list_by_venue(f.s.db, f.v_blr1, 20260310, &l));
    tix_id want[] = {early, mid_a, mid_b, late};
    assert_ids(l, want, 4);
    for (size_t i = 0; i < l->count; i++)
        assert_true(l->items[i].venue_id == f.v_blr1);
    tix_show_list_free(l);
    assert_ok(tix_show_list_by_venue(f.s.db, f.v_blr2, 20260310, &l));
    assert_int_equal(l->count, 1);
    tix_show_list_free(l);
    assert_ok(tix_show_list_by_venue(f.s.db, f.v_blr1, 20260311, &l));
    assert_int_equal(l->count, 1);
    tix_show_list_free(l);
    assert_ok(tix_show_list_by_venue(f.s.db, f.v_yyz, 20260310, &l));
    assert_int_equal(l->count, 0);
    tix_show_list_free(l);
    fixture_close(&f);
}

static void movie_update_keeps_scheduled_times(void **state)
{
    (void)state;
    fixture f;
    fixture_open(&f);
    tix_id id = show(&f, f.m120, f.scr1, MAR10);
    tix_movie up = {.id = f.m120, .title = "Dangal (extended)",
                    .duration_min = 180};
    assert_ok(tix_movie_update(f.s.db, &up));
    tix_show *s;
    assert_ok(tix_show_get(f.s.db, id, &s));
    assert_true(s->end == MAR10 + 120 * MIN);
    tix_show_free(s);
    /* New shows use the new length. */
    tix_id id2 = show(&f, f.m120, f.scr1, MAR10 + 6 * HOUR);
    assert_ok(tix_show_get(f.s.db, id2, &s));
    assert_true(s->end == MAR10 + 9 * HOUR);
    tix_show_free(s);
    fixture_close(&f);
}

/* The shared test catalog (one 3x4 screen in Bengaluru) as a seat engine
 * consumer sees it: the show's region covers exactly the screen's seats. */
static void catalog_show_for_the_engine(void **state)
{
    (void)state;
    tt_store s;
    tt_open(&s);
    tt_catalog c;
    tt_make_catalog(s.db, 3, 4, &c);
    tix_show in = {.movie_id = c.movie, .screen_id = c.screen,
                   .start = MAR10 + 14 * HOUR};
    tix_id id;
    assert_ok(tix_show_create(s.db, &in, &id));
    tix_show *sh;
    assert_ok(tix_show_get(s.db, id, &sh));
    assert_int_equal(sh->seat_count, 12);
    assert_true(sh->venue_id == c.venue && sh->city_id == c.city);
    assert_true(sh->end == in.start + 150 * MIN);
    assert_int_equal(sh->local_date, 20260310);
    tix_show_free(sh);
    const tix__show_entry *e;
    assert_ok(tix__engine_show(s.db, id, &e));
    assert_true(e->info.id == id && e->info.screen_id == c.screen);
    assert_int_equal(e->info.seat_count, 12);
    assert_code(tix__engine_show(s.db, id + 1, &e), TIX_ENOTFOUND);
    tt_close(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(local_date_arithmetic),
        cmocka_unit_test(round_trip),
        cmocka_unit_test(screen_has_shows_and_layout_freezes),
        cmocka_unit_test(late_night_show_gets_next_local_date),
        cmocka_unit_test(overlap_table),
        cmocka_unit_test(buffer_comes_from_config),
        cmocka_unit_test(bad_input_table),
        cmocka_unit_test(start_in_the_past_needs_the_flag),
        cmocka_unit_test(time_zone_dates_follow_summer_time),
        cmocka_unit_test(null_and_unknown_reads),
        cmocka_unit_test(list_by_city_date_and_movie),
        cmocka_unit_test(list_by_venue_and_date),
        cmocka_unit_test(movie_update_keeps_scheduled_times),
        cmocka_unit_test(catalog_show_for_the_engine),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
