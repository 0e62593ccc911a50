/*
 * tix-demo: loads a small city into a new libtix store and lists it back.
 *
 *   tix-demo [store-dir]        (default ./demo-store)
 *
 * An old store in that directory is removed first. The demo creates
 * India / Karnataka / Bengaluru (UTC+05:30), two cinemas, three screens with
 * Silver / Gold / Recliner tiers priced in paise, 500 seats laid out row by
 * row, three movies, shows on the next two days and one user. Then it reads
 * everything back the way a booking front end would: venues of the city,
 * screens and prices, shows by city + date + movie and by venue + date.
 *
 * Every call is checked; on an error the demo prints tix_strerror() and
 * tix_errmsg() and exits with status 1.
 *
 * Layout of this file: one load_*() function per table, one list_*()
 * function per listing, all sharing the `demo` struct that remembers the
 * ids created. Later steps (holds, payment, booking, seat map) are meant to
 * be added as more functions over the same struct, called from main().
 */
#define _XOPEN_SOURCE 700
#include <errno.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "tix.h"

#define DEFAULT_DIR "demo-store"
#define N_VENUES 2
#define N_SCREENS 3
#define N_TIERS 3
#define N_MOVIES 3
#define N_DAYS 2
#define MAX_SHOWS 32
#define MAX_ROWS 16
#define MAX_SEATS 600

/* ------------------------------------------------------------------------ */
/* State shared by every step                                               */

typedef struct demo {
    const char *dir;
    tix_db *db;
    int32_t utc_offset_min;     /* of the city */
    tix_id country, state, city;
    tix_id venue[N_VENUES];
    tix_id screen[N_SCREENS];
    tix_id tier[N_SCREENS][N_TIERS];
    uint32_t seats[N_SCREENS];  /* seats per screen */
    tix_id movie[N_MOVIES];
    uint32_t day[N_DAYS];       /* local dates YYYYMMDD, from tomorrow */
    int64_t midnight[N_DAYS];   /* UTC instant of each day's local 00:00 */
    tix_id show[MAX_SHOWS];
    size_t n_shows;
    tix_id user;
} demo;

static demo *g_demo; /* for die() */

static void die(const char *call, int rc)
{
    fprintf(stderr, "tix-demo: %s failed: %s: %s\n", call, tix_strerror(rc),
            tix_errmsg());
    if (g_demo)
        tix_db_close(g_demo->db);
    exit(1);
}

/* Runs a libtix call and dies unless it returns TIX_OK. */
#define CHECK(call)                                                          \
    do {                                                                     \
        int rc_ = (call);                                                    \
        if (rc_ != TIX_OK)                                                   \
            die(#call, rc_);                                                 \
    } while (0)

static void fatal(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("tix-demo: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    if (g_demo)
        tix_db_close(g_demo->db);
    exit(1);
}

/* ------------------------------------------------------------------------ */
/* Formatting helpers                                                       */

/* "INR 250.00" from minor units, in the currency's own decimals. */
static const char *fmt_price(char buf[32], int64_t minor, const char *cur)
{
    if (tix_money_format(minor, cur, buf, 32) != TIX_OK)
        snprintf(buf, 32, "%s %lld", cur, (long long)minor);
    return buf;
}

/* Local wall clock of a UTC instant in the demo city: "HH:MM". */
static const char *fmt_time(char buf[16], const demo *d, int64_t t)
{
    time_t lt = (time_t)(t + (int64_t)d->utc_offset_min * 60);
    struct tm tm;
    gmtime_r(&lt, &tm);
    strftime(buf, 16, "%H:%M", &tm);
    return buf;
}

/* "Sat 14 Mar 2026" from YYYYMMDD. */
static const char *fmt_date(char buf[32], uint32_t ymd)
{
    struct tm tm = {.tm_year = (int)(ymd / 10000) - 1900,
                    .tm_mon = (int)(ymd / 100 % 100) - 1,
                    .tm_mday = (int)(ymd % 100),
                    .tm_hour = 12};
    time_t t = mktime(&tm); /* normalises tm_wday */
    (void)t;
    strftime(buf, 32, "%a %d %b %Y", &tm);
    return buf;
}

static void heading(const char *title)
{
    printf("\n== %s\n", title);
}

/* ------------------------------------------------------------------------ */
/* Store setup                                                              */

static int rm_entry(const char *path, const struct stat *st, int flag,
                    struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path) == 0 || errno == ENOENT ? 0 : -1;
}

/* Removes an old store at @p dir. Refuses to touch a directory that has
 * files but no data.mdb: it is not a store. */
static void remove_old_store(const char *dir)
{
    struct stat st;
    if (stat(dir, &st) != 0) {
        if (errno == ENOENT)
            return;
        fatal("%s: %s", dir, strerror(errno));
    }
    if (!S_ISDIR(st.st_mode))
        fatal("%s exists and is not a directory", dir);
    char probe[4096];
    snprintf(probe, sizeof probe, "%s/data.mdb", dir);
    if (access(probe, F_OK) != 0) {
        if (rmdir(dir) != 0)
            fatal("%s exists but is not a libtix store; not removing it", dir);
        return; /* it was an empty directory */
    }
    printf("tix-demo: removing the store an earlier run left in %s\n", dir);
    if (nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS) != 0 && errno != ENOENT)
        fatal("cannot remove old store %s: %s", dir, strerror(errno));
}

static void demo_open(demo *d, const char *dir)
{
    memset(d, 0, sizeof *d);
    d->dir = dir;
    g_demo = d;
    remove_old_store(dir);
    tix_config cfg;
    tix_config_init(&cfg);
    cfg.durability = TIX_SYNC_NOMETA; /* a crash may lose the last commit */
    CHECK(tix_db_open(dir, &cfg, &d->db));
    printf("libtix %s: new store in %s\n", tix_version(), tix_db_path(d->db));
}

static void demo_close(demo *d)
{
    tix_db_close(d->db);
    d->db = NULL;
    g_demo = NULL;
}

/* ------------------------------------------------------------------------ */
/* Loading the catalog                                                      */

static void load_places(demo *d)
{
    tix_place p = {.kind = TIX_PLACE_COUNTRY, .name = "India"};
    CHECK(tix_place_create(d->db, &p, &d->country));
    p = (tix_place){.kind = TIX_PLACE_STATE, .parent_id = d->country,
                    .name = "Karnataka"};
    CHECK(tix_place_create(d->db, &p, &d->state));
    d->utc_offset_min = 5 * 60 + 30;
    p = (tix_place){.kind = TIX_PLACE_CITY, .parent_id = d->state,
                    .name = "Bengaluru", .utc_offset_min = d->utc_offset_min};
    CHECK(tix_place_create(d->db, &p, &d->city));
    printf("places   India > Karnataka > Bengaluru (UTC+05:30), ids %llu %llu "
           "%llu\n",
           (unsigned long long)d->country, (unsigned long long)d->state,
           (unsigned long long)d->city);
}

static const tix_venue venue_plan[N_VENUES] = {
    {.name = "Cubbon Cineplex",
     .address = "12 Mahatma Gandhi Road, Bengaluru 560001",
     .lat = 12.9756, .lon = 77.6066},
    {.name = "Whitefield Talkies",
     .address = "ITPL Main Road, Whitefield, Bengaluru 560066",
     .lat = 12.9855, .lon = 77.7365},
};

static void load_venues(demo *d)
{
    for (int i = 0; i < N_VENUES; i++) {
        tix_venue v = venue_plan[i];
        v.city_id = d->city;
        CHECK(tix_venue_create(d->db, &v, &d->venue[i]));
        printf("venue    %-20s id %llu\n", v.name,
               (unsigned long long)d->venue[i]);
    }
}

/* A screen's layout: blocks of identical rows, then seats with extra
 * flags. Rows are lettered from the screen backwards, skipping I. Every
 * row's first and last seats are aisle seats. */
typedef struct row_block {
    unsigned rows;  /* how many rows */
    unsigned seats; /* seats per row */
    int tier;       /* 0 Silver, 1 Gold, 2 Recliner */
    double pitch;   /* seat width on the map */
} row_block;

typedef struct special_seat {
    const char *row;
    uint32_t number;
    uint32_t flags;
} special_seat;

typedef struct screen_plan {
    int venue;
    const char *name;
    int64_t price[N_TIERS]; /* paise */
    row_block blocks[3];
    special_seat special[8];
} screen_plan;

static const char *const tier_names[N_TIERS] = {"Silver", "Gold", "Recliner"};

/* Wheelchair spaces at both ends of a row, each with a companion seat. */
#define WHEELCHAIR_PAIR(row, last)                                           \
    {row, 1, TIX_SEAT_WHEELCHAIR}, {row, 2, TIX_SEAT_COMPANION},             \
    {row, (last), TIX_SEAT_WHEELCHAIR}, {row, (last) - 1, TIX_SEAT_COMPANION}

static const screen_plan screen_plan_[N_SCREENS] = {
    {.venue = 0, .name = "Audi 1",
     .price = {20000, 28000, 60000},
     .blocks = {{3, 18, 0, 1.0}, {5, 20, 1, 1.0}, {2, 10, 2, 2.0}},
     /* A-C 54 Silver, D-H 100 Gold, J-K 20 Recliner = 174 seats */
     .special = {WHEELCHAIR_PAIR("A", 18),
                 {"F", 10, TIX_SEAT_BLOCKED}, /* camera platform */
                 {"F", 11, TIX_SEAT_BLOCKED}}},
    {.venue = 0, .name = "Audi 2",
     .price = {18000, 25000, 55000},
     .blocks = {{3, 16, 0, 1.0}, {4, 16, 1, 1.0}, {1, 8, 2, 2.0}},
     /* A-C 48 Silver, D-G 64 Gold, H 8 Recliner = 120 seats */
     .special = {WHEELCHAIR_PAIR("A", 16)}},
    {.venue = 1, .name = "Screen 1",
     .price = {15000, 22000, 45000},
     .blocks = {{4, 18, 0, 1.0}, {5, 22, 1, 1.0}, {2, 12, 2, 2.0}},
     /* A-D 72 Silver, E-J 110 Gold, K-L 24 Recliner = 206 seats */
     .special = {WHEELCHAIR_PAIR("A", 18),
                 {"G", 1, TIX_SEAT_BLOCKED}}}, /* next to a pillar */
};

static uint32_t special_flags(const screen_plan *sp, const char *row,
                              uint32_t number)
{
    uint32_t f = 0;
    for (size_t i = 0; i < 8 && sp->special[i].row; i++)
        if (strcmp(sp->special[i].row, row) == 0 &&
            sp->special[i].number == number)
            f |= sp->special[i].flags;
    return f;
}

/* Creates screen @p s, its tiers and its seats (all rows in one
 * transaction). */
static void load_screen(demo *d, int s)
{
    const screen_plan *sp = &screen_plan_[s];
    static char labels[MAX_ROWS][4];
    static tix_row_spec rows[MAX_ROWS];
    static tix_seat_spec seats[MAX_SEATS];
    static int seat_tier[MAX_SEATS];
    size_t nrows = 0, nseats = 0;
    double y = 0, ymax = 0;

    /* Lay the rows out first: the screen's best view point depends on its
     * depth. */
    char letter = 'A';
    for (int b = 0; b < 3; b++) {
        const row_block *rb = &sp->blocks[b];
        for (unsigned r = 0; r < rb->rows; r++) {
            if (letter == 'I')
                letter++;
            if (nrows == MAX_ROWS || nseats + rb->seats > MAX_SEATS)
                fatal("screen plan too large");
            snprintf(labels[nrows], sizeof labels[nrows], "%c", letter++);
            tix_row_spec *row = &rows[nrows];
            row->label = labels[nrows];
            row->seats = &seats[nseats];
            row->count = rb->seats;
            for (uint32_t n = 1; n <= rb->seats; n++) {
                seat_tier[nseats] = rb->tier;
                tix_seat_spec *seat = &seats[nseats++];
                seat->number = n;
                seat->x = ((double)n - (rb->seats + 1) / 2.0) * rb->pitch;
                seat->y = y;
                seat->flags = special_flags(sp, row->label, n);
                if (n == 1 || n == rb->seats)
                    seat->flags |= TIX_SEAT_AISLE;
            }
            ymax = y;
            y += rb->pitch > 1.0 ? 1.6 : 1.0; /* recliner rows are deeper */
            nrows++;
        }
    }

    /* Best view: on the centre line, two thirds of the way back. */
    tix_screen scr = {.venue_id = d->venue[sp->venue], .name = sp->name,
                      .ideal_x = 0.0, .ideal_y = ymax * 2.0 / 3.0};
    CHECK(tix_screen_create(d->db, &scr, &d->screen[s]));
    for (int t = 0; t < N_TIERS; t++) {
        tix_tier tier = {.screen_id = d->screen[s], .name = tier_names[t],
                         .price_minor = sp->price[t], .currency = "INR"};
        CHECK(tix_tier_create(d->db, &tier, &d->tier[s][t]));
    }
    for (size_t i = 0; i < nseats; i++)
        seats[i].tier_id = d->tier[s][seat_tier[i]];
    uint32_t first = 0;
    CHECK(tix_seats_add_rows(d->db, d->screen[s], rows, nrows, &first));
    d->seats[s] = (uint32_t)nseats;

    (void)first; /* 0: the screen had no seats before */
    printf("screen   %-20s id %llu at %s: %zu rows, %zu seats, tiers",
           sp->name, (unsigned long long)d->screen[s],
           venue_plan[sp->venue].name, nrows, nseats);
    for (int t = 0; t < N_TIERS; t++)
        printf(" %s=%llu", tier_names[t], (unsigned long long)d->tier[s][t]);
    printf("\n");
}

static void load_screens(demo *d)
{
    uint32_t total = 0;
    for (int s = 0; s < N_SCREENS; s++) {
        load_screen(d, s);
        total += d->seats[s];
    }
    printf("seats    %u in %d screens\n", total, N_SCREENS);
}

static void load_movies(demo *d)
{
    static const char *const m0_lang[] = {"Kannada", "Hindi"};
    static const char *const m0_genre[] = {"Action", "Thriller"};
    static const char *const m0_cast[] = {"Arjun Hegde", "Meera Shetty",
                                          "Vikram Naidu"};
    static const char *const m0_crew[] = {"Director: Kavya Murthy",
                                          "Music: Raghu Dixit Rao"};
    static const char *const m0_media[] = {"posters/monsoon-heist.jpg",
                                           "trailers/monsoon-heist.mp4"};
    static const char *const m1_lang[] = {"Kannada"};
    static const char *const m1_genre[] = {"Romance", "Drama"};
    static const char *const m1_cast[] = {"Nithya Gowda", "Pranav Joshi"};
    static const char *const m1_crew[] = {"Director: Suresh Iyer"};
    static const char *const m2_lang[] = {"English", "Hindi", "Tamil"};
    static const char *const m2_genre[] = {"Science Fiction", "Adventure"};
    static const char *const m2_cast[] = {"Ada Okafor", "Rohan Kapoor",
                                          "Lena Varga"};
    static const char *const m2_crew[] = {"Director: Tomas Rivera",
                                          "Music: Ilaiyaraja Menon"};
#define LIST(field, arr) .field = arr, .n_##field = sizeof arr / sizeof *arr
    const tix_movie plan[N_MOVIES] = {
        {.title = "The Monsoon Heist", .duration_min = 152,
         .certificate = "U/A",
         .synopsis = "Four strangers plan to rob a bank vault during the "
                     "worst storm Bengaluru has seen in fifty years.",
         LIST(languages, m0_lang), LIST(genres, m0_genre),
         LIST(cast, m0_cast), LIST(crew, m0_crew), LIST(media, m0_media)},
        {.title = "Lalbagh Love Story", .duration_min = 138,
         .certificate = "U",
         .synopsis = "Two gardeners at Lalbagh compete for the flower show "
                     "prize and fall for each other.",
         LIST(languages, m1_lang), LIST(genres, m1_genre),
         LIST(cast, m1_cast), LIST(crew, m1_crew)},
        {.title = "Orbit 9", .duration_min = 165, .certificate = "U/A",
         .synopsis = "A crew of nine repairs a failing space station "
                     "before its orbit decays.",
         LIST(languages, m2_lang), LIST(genres, m2_genre),
         LIST(cast, m2_cast), LIST(crew, m2_crew)},
    };
#undef LIST
    for (int m = 0; m < N_MOVIES; m++) {
        CHECK(tix_movie_create(d->db, &plan[m], &d->movie[m]));
        printf("movie    %-20s id %llu, %u min, %s\n", plan[m].title,
               (unsigned long long)d->movie[m], plan[m].duration_min,
               plan[m].certificate);
    }
}

/* Shows on the next two local days: {day, hour, minute, screen, movie}.
 * Each screen's shows keep the 15-minute cleaning gap. */
static const struct {
    int day, hh, mm, screen, movie;
} show_plan[] = {
    {0, 9, 30, 0, 0},  {0, 13, 0, 0, 2},  {0, 17, 0, 0, 0},
    {0, 21, 0, 0, 1},  {0, 10, 15, 1, 1}, {0, 14, 0, 1, 0},
    {0, 18, 30, 1, 2}, {0, 11, 0, 2, 2},  {0, 15, 0, 2, 1},
    {0, 19, 15, 2, 0}, {1, 10, 0, 0, 2},  {1, 14, 0, 0, 0},
    {1, 19, 0, 0, 1},  {1, 11, 30, 1, 0}, {1, 16, 0, 1, 1},
    {1, 12, 0, 2, 1},  {1, 16, 30, 2, 2}, {1, 20, 30, 2, 0},
};

/* Local dates of tomorrow and the day after in the city, and the UTC
 * instant of their local midnight. */
static void plan_days(demo *d)
{
    int64_t off = (int64_t)d->utc_offset_min * 60;
    int64_t local_now = tix_db_now(d->db) + off;
    int64_t day0 = local_now / 86400 + 1; /* days since 1970-01-01 */
    for (int i = 0; i < N_DAYS; i++) {
        time_t t = (time_t)((day0 + i) * 86400);
        struct tm tm;
        gmtime_r(&t, &tm);
        d->day[i] = (uint32_t)((tm.tm_year + 1900) * 10000 +
                               (tm.tm_mon + 1) * 100 + tm.tm_mday);
        d->midnight[i] = (day0 + i) * 86400 - off;
    }
}

static void load_shows(demo *d)
{
    plan_days(d);
    size_t n = sizeof show_plan / sizeof *show_plan;
    if (n > MAX_SHOWS)
        fatal("too many shows");
    for (size_t i = 0; i < n; i++) {
        tix_show sh = {
            .movie_id = d->movie[show_plan[i].movie],
            .screen_id = d->screen[show_plan[i].screen],
            .start = d->midnight[show_plan[i].day] +
                     show_plan[i].hh * 3600 + show_plan[i].mm * 60,
        };
        CHECK(tix_show_create(d->db, &sh, &d->show[i]));
    }
    d->n_shows = n;
    char b0[32], b1[32];
    printf("shows    %zu on %s and %s\n", n, fmt_date(b0, d->day[0]),
           fmt_date(b1, d->day[1]));
}

static void load_users(demo *d)
{
    static const char *const langs[] = {"Kannada", "English"};
    static const char *const genres[] = {"Thriller", "Science Fiction"};
    tix_user u = {.name = "Asha Rao", .email = "asha.rao@example.com",
                  .phone = "+919800000001", .home_city_id = d->city,
                  .languages = langs, .n_languages = 2,
                  .genres = genres, .n_genres = 2};
    CHECK(tix_user_create(d->db, &u, &d->user));
    printf("user     %-20s id %llu\n", u.name, (unsigned long long)d->user);
}

/* ------------------------------------------------------------------------ */
/* Reading it back                                                          */

static void list_places(demo *d)
{
    heading("Places");
    tix_place_list *countries = NULL;
    CHECK(tix_place_list_by_parent(d->db, 0, &countries));
    for (size_t i = 0; i < countries->count; i++) {
        printf("%s\n", countries->items[i].name);
        tix_place_list *states = NULL;
        CHECK(tix_place_list_by_parent(d->db, countries->items[i].id, &states));
        for (size_t j = 0; j < states->count; j++) {
            printf("  %s\n", states->items[j].name);
            tix_place_list *cities = NULL;
            CHECK(tix_place_list_by_parent(d->db, states->items[j].id, &cities));
            for (size_t k = 0; k < cities->count; k++) {
                int32_t o = cities->items[k].utc_offset_min;
                int32_t a = o < 0 ? -o : o;
                printf("    %s (UTC%c%02d:%02d)\n", cities->items[k].name,
                       o < 0 ? '-' : '+', a / 60, a % 60);
            }
            tix_place_list_free(cities);
        }
        tix_place_list_free(states);
    }
    tix_place_list_free(countries);
}

/* Seat counts of one screen by tier, and of the special seats. */
static void print_seat_summary(demo *d, const tix_screen *scr,
                               const tix_tier_list *tiers)
{
    tix_seat_list *seats = NULL;
    CHECK(tix_seat_list_by_screen(d->db, scr->id, &seats));
    unsigned aisle = 0, wheel = 0, comp = 0, blocked = 0;
    for (size_t i = 0; i < seats->count; i++) {
        uint32_t f = seats->items[i].flags;
        aisle += !!(f & TIX_SEAT_AISLE);
        wheel += !!(f & TIX_SEAT_WHEELCHAIR);
        comp += !!(f & TIX_SEAT_COMPANION);
        blocked += !!(f & TIX_SEAT_BLOCKED);
    }
    for (size_t t = 0; t < tiers->count; t++) {
        const tix_tier *tr = &tiers->items[t];
        unsigned n = 0;
        const char *first = NULL, *last = NULL;
        for (size_t i = 0; i < seats->count; i++)
            if (seats->items[i].tier_id == tr->id) {
                if (!first)
                    first = seats->items[i].row;
                last = seats->items[i].row;
                n++;
            }
        char pb[32];
        printf("      %-9s %12s  %3u seats", tr->name,
               fmt_price(pb, tr->price_minor, tr->currency), n);
        if (first && strcmp(first, last) != 0)
            printf(", rows %s-%s\n", first, last);
        else
            printf(", row %s\n", first ? first : "-");
    }
    printf("      %zu seats: %u aisle, %u wheelchair, %u companion, "
           "%u blocked\n",
           seats->count, aisle, wheel, comp, blocked);
    tix_seat_list_free(seats);
}

static void list_venues(demo *d)
{
    tix_place *city = NULL;
    CHECK(tix_place_get(d->db, d->city, &city));
    char title[160];
    snprintf(title, sizeof title, "Venues in %s", city->name);
    tix_place_free(city);
    heading(title);

    tix_venue_list *venues = NULL;
    CHECK(tix_venue_list_by_city(d->db, d->city, &venues));
    for (size_t i = 0; i < venues->count; i++) {
        const tix_venue *v = &venues->items[i];
        printf("%s\n  %s (%.4f, %.4f)\n", v->name, v->address, v->lat,
               v->lon);
        tix_screen_list *screens = NULL;
        CHECK(tix_screen_list_by_venue(d->db, v->id, &screens));
        for (size_t j = 0; j < screens->count; j++) {
            const tix_screen *s = &screens->items[j];
            printf("    %s: %u seats, best view at (%.1f, %.1f)\n", s->name,
                   s->seat_count, s->ideal_x, s->ideal_y);
            tix_tier_list *tiers = NULL;
            CHECK(tix_tier_list_by_screen(d->db, s->id, &tiers));
            print_seat_summary(d, s, tiers);
            tix_tier_list_free(tiers);
        }
        tix_screen_list_free(screens);
    }
    tix_venue_list_free(venues);
}

static void list_movies(demo *d)
{
    heading("Movies");
    tix_movie_list *movies = NULL;
    CHECK(tix_movie_list_all(d->db, 0, 0, &movies));
    for (size_t i = 0; i < movies->count; i++) {
        const tix_movie *m = &movies->items[i];
        printf("%s (%s, %u min)\n  ", m->title, m->certificate,
               m->duration_min);
        for (size_t j = 0; j < m->n_languages; j++)
            printf("%s%s", j ? ", " : "", m->languages[j]);
        printf(" | ");
        for (size_t j = 0; j < m->n_genres; j++)
            printf("%s%s", j ? ", " : "", m->genres[j]);
        printf("\n  cast: ");
        for (size_t j = 0; j < m->n_cast; j++)
            printf("%s%s", j ? ", " : "", m->cast[j]);
        printf("\n");
    }
    tix_movie_list_free(movies);
}

/* One line per show: local start-end, then the venue (listing by city) or
 * the movie (listing by venue), the screen and its seats. */
enum { BY_CITY, BY_VENUE };
static void print_show(demo *d, const tix_show *sh, int listing)
{
    tix_screen *scr = NULL;
    CHECK(tix_screen_get(d->db, sh->screen_id, &scr));
    char t0[16], t1[16];
    printf("  %s-%s  ", fmt_time(t0, d, sh->start), fmt_time(t1, d, sh->end));
    if (listing == BY_CITY) {
        tix_venue *ven = NULL;
        CHECK(tix_venue_get(d->db, sh->venue_id, &ven));
        printf("%-19s", ven->name);
        tix_venue_free(ven);
    } else {
        tix_movie *m = NULL;
        CHECK(tix_movie_get(d->db, sh->movie_id, &m));
        printf("%-19s", m->title);
        tix_movie_free(m);
    }
    printf(" %-8s %3u seats  show %llu\n", scr->name, sh->seat_count,
           (unsigned long long)sh->id);
    tix_screen_free(scr);
}

static void list_shows_by_city(demo *d)
{
    for (int day = 0; day < N_DAYS; day++) {
        char db[32], title[96];
        snprintf(title, sizeof title, "Shows in Bengaluru on %s, by movie",
                 fmt_date(db, d->day[day]));
        heading(title);
        for (int m = 0; m < N_MOVIES; m++) {
            tix_movie *movie = NULL;
            CHECK(tix_movie_get(d->db, d->movie[m], &movie));
            tix_show_list *shows = NULL;
            CHECK(tix_show_list_by_city(d->db, d->city, d->day[day],
                                        d->movie[m], &shows));
            printf("%s: %zu shows\n", movie->title, shows->count);
            for (size_t i = 0; i < shows->count; i++)
                print_show(d, &shows->items[i], BY_CITY);
            tix_show_list_free(shows);
            tix_movie_free(movie);
        }
    }
}

static void list_shows_by_venue(demo *d)
{
    char db[32], title[96];
    snprintf(title, sizeof title, "Shows by venue on %s",
             fmt_date(db, d->day[0]));
    heading(title);
    for (int v = 0; v < N_VENUES; v++) {
        tix_show_list *shows = NULL;
        CHECK(tix_show_list_by_venue(d->db, d->venue[v], d->day[0], &shows));
        printf("%s: %zu shows\n", venue_plan[v].name, shows->count);
        for (size_t i = 0; i < shows->count; i++)
            print_show(d, &shows->items[i], BY_VENUE);
        tix_show_list_free(shows);
    }
}

static void show_user(demo *d)
{
    heading("User");
    tix_user *u = NULL;
    CHECK(tix_user_find_email(d->db, "Asha.Rao@Example.com", &u));
    tix_place *home = NULL;
    if (u->home_city_id)
        CHECK(tix_place_get(d->db, u->home_city_id, &home));
    printf("%s <%s> %s, id %llu, home city %s\n  prefers ", u->name,
           u->email, u->phone, (unsigned long long)u->id,
           home ? home->name : "-");
    for (size_t i = 0; i < u->n_languages; i++)
        printf("%s%s", i ? ", " : "", u->languages[i]);
    printf(" | ");
    for (size_t i = 0; i < u->n_genres; i++)
        printf("%s%s", i ? ", " : "", u->genres[i]);
    printf("\n");
    tix_place_free(home);
    tix_user_free(u);
}

/* ------------------------------------------------------------------------ */


/* ------------------------------------------------------------------------ */
/* Selling seats: hold, conflict, pay, book, tickets, gate, seat map        */

static char seat_glyph(uint8_t state, uint32_t flags)
{
    switch (state) {
    case TIX_SEAT_FREE: return (flags & TIX_SEAT_WHEELCHAIR) ? 'w' : '.';
    case TIX_SEAT_HELD: return 'h';
    case TIX_SEAT_CONFIRMING: return 'c';
    case TIX_SEAT_BOOKED: return '#';
    default: return 'x';
    }
}

/* Prints the seat map of a show: one line per row, seats in number order,
 * a space where numbers skip (an aisle). */
static void print_seat_map(demo *d, tix_id show_id)
{
    tix_show *sh;
    CHECK(tix_show_get(d->db, show_id, &sh));
    tix_seat_list *seats;
    CHECK(tix_seat_list_by_screen(d->db, sh->screen_id, &seats));
    uint8_t *st = malloc(seats->count ? seats->count : 1);
    if (!st) fatal("out of memory");
    CHECK(tix_show_seat_states(d->db, show_id, st, seats->count));
    printf("            ------------- SCREEN -------------\n");
    for (size_t i = 0; i < seats->count;) {
        const char *row = seats->items[i].row;
        printf("  %-3s ", row);
        uint32_t last = 0;
        for (; i < seats->count && !strcmp(seats->items[i].row, row); i++) {
            const tix_seat *s = &seats->items[i];
            if (last && s->number > last + 1) putchar(' ');
            putchar(seat_glyph(st[s->index], s->flags));
            last = s->number;
        }
        putchar('\n');
    }
    printf("  legend: . free  w wheelchair  h held  # booked  x blocked\n");
    free(st);
    tix_seat_list_free(seats);
    tix_show_free(sh);
}

static void print_availability(demo *d, tix_id show_id)
{
    tix_avail *a;
    CHECK(tix_show_availability(d->db, show_id, &a));
    printf("availability: %u free, %u held, %u booked, %u blocked of %u\n",
           a->all.free, a->all.held, a->all.booked, a->all.unavailable,
           a->all.total);
    for (size_t t = 0; t < a->n_tiers; t++) {
        tix_tier *tier;
        CHECK(tix_tier_get(d->db, a->tiers[t].tier_id, &tier));
        char price[32];
        printf("  %-9s %-12s %3u free of %3u\n", tier->name,
               fmt_price(price, tier->price_minor, tier->currency),
               a->tiers[t].free, a->tiers[t].total);
        tix_tier_free(tier);
    }
    tix_avail_free(a);
}

static void print_booking(demo *d, tix_id id)
{
    tix_booking *b;
    CHECK(tix_booking_get(d->db, id, &b));
    char total[32];
    printf("booking %llu  user %llu  show %llu  paid %s  ref %s\n",
           (unsigned long long)b->id, (unsigned long long)b->user_id,
           (unsigned long long)b->show_id,
           fmt_price(total, b->total_minor, b->currency), b->payment_ref);
    for (size_t t = 0; t < b->n_tickets; t++) {
        char qr[256];
        CHECK(tix_ticket_qr(b, t, qr, sizeof qr));
        printf("  ticket %s  %zu seat(s)  QR %s\n", b->tickets[t].code,
               b->tickets[t].n_seats, qr);
    }
    tix_booking_free(b);
}

static void sell_seats(demo *d)
{
    tix_id show = d->show[0];
    heading("Selling seats");
    /* Asha asks for the 3 best Gold seats. */
    tix_best_opts best = {.tier_id = d->tier[0][1]};
    tix_hold *hold;
    CHECK(tix_hold_best(d->db, show, 3, &best, &hold));
    char handle[TIX_HOLD_STRING_MAX];
    CHECK(tix_hold_to_string(hold, handle, sizeof handle));
    printf("Asha holds seats");
    for (size_t i = 0; i < tix_hold_count(hold); i++)
        printf(" %u", tix_hold_seat(hold, i));
    printf(" for 10 minutes\n  handle for the payment page: %.48s...\n", handle);

    /* Ravi clicks one of the same seats a moment later. */
    tix_user ravi = {.name = "Ravi Kumar", .email = "ravi@example.com",
                     .home_city_id = d->city};
    tix_id ravi_id;
    CHECK(tix_user_create(d->db, &ravi, &ravi_id));
    uint32_t wanted = tix_hold_seat(hold, 1);
    tix_hold *clash = NULL;
    int rc = tix_hold_create(d->db, show, &wanted, 1, NULL, &clash);
    printf("Ravi tries seat %u: %s (%s)\n", wanted, tix_strerror(rc), tix_errmsg());
    if (rc != TIX_ECONFLICT) fatal("a conflicting hold must fail");

    /* The payment page round-trips the handle; the gateway calls back
     * twice with the same reference. */
    tix_hold *back;
    CHECK(tix_hold_from_string(handle, &back));
    tix_confirm_opts pay = {.user_id = d->user, .payment_ref = "pay_demo_0001",
                            .seats_per_ticket = 2};
    tix_id booking, again;
    CHECK(tix_hold_confirm(d->db, back, &pay, &booking));
    CHECK(tix_hold_confirm(d->db, back, &pay, &again));
    printf("payment callback x2 -> booking %llu and %llu (same)\n",
           (unsigned long long)booking, (unsigned long long)again);
    if (booking != again) fatal("duplicate callback made a second booking");
    print_booking(d, booking);

    /* Gate check-in: once per ticket. */
    tix_booking *b;
    CHECK(tix_booking_get(d->db, booking, &b));
    tix_checkin ci;
    CHECK(tix_ticket_checkin(d->db, b->tickets[0].code, "Gate A", &ci));
    printf("check-in %s at Gate A: ok\n", b->tickets[0].code);
    rc = tix_ticket_checkin(d->db, b->tickets[0].code, "Gate B", &ci);
    printf("check-in again at Gate B: %s (first at %s)\n", tix_strerror(rc),
           ci.gate);
    tix_booking_free(b);

    /* Ravi takes two wheelchair-accessible seats instead and keeps them
     * on hold (not paid yet). */
    tix_best_opts acc = {.flags = TIX_BEST_ACCESSIBLE};
    rc = tix_hold_best(d->db, show, 2, &acc, &clash);
    printf("Ravi holds 2 accessible seats: %s\n", tix_strerror(rc));
    print_availability(d, show);
    print_seat_map(d, show);
    tix_hold_free(clash);
    tix_hold_free(back);
    tix_hold_free(hold);
}

int main(int argc, char **argv)
{
    if (argc > 2 || (argc == 2 && (!strcmp(argv[1], "-h") ||
                                   !strcmp(argv[1], "--help")))) {
        fprintf(stderr, "usage: %s [store-dir]   (default ./%s)\n", argv[0],
                DEFAULT_DIR);
        return 2;
    }
    demo d;
    demo_open(&d, argc == 2 ? argv[1] : DEFAULT_DIR);

    heading("Loading the catalog");
    load_places(&d);
    load_venues(&d);
    load_screens(&d);
    load_movies(&d);
    load_shows(&d);
    load_users(&d);

    list_places(&d);
    list_venues(&d);
    list_movies(&d);
    list_shows_by_city(&d);
    list_shows_by_venue(&d);
    show_user(&d);

    sell_seats(&d);

    demo_close(&d);
    printf("\nDone. The store is in %s.\n", d.dir);
    return 0;
}
