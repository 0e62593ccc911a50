/*
 * tix-bench-frontend: figures for reviews, rating summaries, title search,
 * recommendations and venues nearby.
 *
 *   tix-bench-frontend [--titles N] [--bookings N] [--seconds S]
 *                      [--dir DIR] [--keep] [--quick]
 *
 * Data, all written through the public API:
 *   - 50,000 movies (--titles) with generated titles of 2-4 words drawn
 *     from ~4,300 syllable words, some accented ("Zéka Çomo Tanri"), one or
 *     two of 12 genres and one of 8 languages;
 *   - one city with 20 screens of 2,000 seats and 500 shows of 250 movies
 *     over the next three days;
 *   - 20,000 users living there, each with a genre and a language;
 *   - 1,000,000 one-seat bookings (--bookings), loaded with the
 *     asynchronous confirm API (tix_hold_create + tix_confirm_submit, 512
 *     in flight) on a TIX_SYNC_NONE store, then synced: every booking runs
 *     the real confirm path with its popularity, user-movie and co-booking
 *     updates. One user (the "target") holds 100 of them, on 100 distinct
 *     movies; the others are spread at random;
 *   - 10,000 venues within ~50 km of the city centre for the nearby figure.
 *
 * Figures (each step runs --seconds, single thread):
 *   review writes/s     tix_review_create (new or replacing) of random
 *                       user x movie, TIX_SYNC_NONE, then reopened with
 *                       TIX_SYNC_FULL (one fsync'ed transaction each)
 *   rating-summary reads/s  tix_rating_summary_get of random movies
 *   search queries/s    tix_movie_search, 3-6 character prefixes of random
 *                       words (a quarter with a second word), limit 20;
 *                       then limited to the city and a show date
 *   recommendations/s   tix_recommend for the target user (defaults: 7
 *                       days, 10 picks)
 *   nearby queries/s    tix_venue_nearby, 5 km around random points
 *
 * The store lives in a temporary directory (mkdtemp under $TMPDIR or /tmp,
 * or under --dir), removed at the end unless --keep is given.
 */
#include <errno.h>
#include <ftw.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tix.h"

#define SCREENS 20
#define ROWS 40
#define COLS 50                 /* 2,000 seats a screen */
#define SHOWS_PER_SCREEN 25     /* 500 shows */
#define SHOW_MOVIES 250         /* each shown twice */
#define USERS 20000
#define TARGET_BOOKINGS 100
#define INFLIGHT 512
#define VENUES 10000
#define SLOT_SECONDS (3 * 3600)

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2),
                                                     noreturn));
static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("tix-bench-frontend: ", stderr);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(1);
}

#define CHECK(call)                                                        \
    do {                                                                   \
        int rc_ = (call);                                                  \
        if (rc_ != TIX_OK)                                                 \
            die("%s failed: %s: %s", #call, tix_strerror(rc_),             \
                tix_errmsg());                                             \
    } while (0)

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* xorshift64*: deterministic data. */
static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static uint64_t rnd(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545F4914F6CDD1Dull;
}
static size_t rnd_below(size_t n) { return (size_t)(rnd() % n); }

/* "12,345,678" */
static const char *num(char *buf, size_t cap, double v)
{
    char raw[32];
    snprintf(raw, sizeof raw, "%.0f", v < 0 ? 0 : v);
    size_t n = strlen(raw), o = 0;
    for (size_t i = 0; i < n && o + 2 < cap; i++) {
        if (i && (n - i) % 3 == 0) buf[o++] = ',';
        buf[o++] = raw[i];
    }
    buf[o] = '\0';
    return buf;
}

/* ---- vocabulary: two- and three-syllable words ------------------------- */

static const char *const syllables[] = {
    "ka", "ri", "mo", "tan", "el", "sha", "vi", "dor",
    "lu", "ne", "zé", "ço", "ber", "gal", "ish", "ön"};
#define NSYL 16
#define VOCAB (NSYL * NSYL + NSYL * NSYL * NSYL)

static void word(size_t i, char *out, size_t cap)
{
    if (i < NSYL * NSYL)
        snprintf(out, cap, "%s%s", syllables[i / NSYL], syllables[i % NSYL]);
    else {
        i -= NSYL * NSYL;
        snprintf(out, cap, "%s%s%s", syllables[i / (NSYL * NSYL)],
                 syllables[i / NSYL % NSYL], syllables[i % NSYL]);
    }
}

static const char *const genres[] = {
    "Drama", "Action", "Comedy", "Thriller", "Romance", "Horror",
    "Sci-Fi", "Animation", "Documentary", "Crime", "Fantasy", "Family"};
static const char *const languages[] = {
    "Hindi", "English", "Tamil", "Telugu", "Kannada", "Malayalam",
    "Bengali", "Marathi"};
#define NGENRES 12
#define NLANGS 8

/* ---- options ------------------------------------------------------------ */

typedef struct opts {
    size_t titles, bookings;
    double seconds;
    const char *dir;
    int keep;
} opts;

static void usage(void)
{
    fputs("usage: tix-bench-frontend [--titles N] [--bookings N] "
          "[--seconds S] [--dir DIR] [--keep] [--quick]\n"
          "  defaults: 50000 titles, 1000000 bookings, 2 s per figure;\n"
          "  --quick: 50000 titles, 100000 bookings, 1 s\n",
          stderr);
    exit(2);
}

static void parse(int argc, char **argv, opts *o)
{
    *o = (opts){.titles = 50000, .bookings = 1000000, .seconds = 2};
    static const struct option longs[] = {
        {"titles", required_argument, NULL, 't'},
        {"bookings", required_argument, NULL, 'b'},
        {"seconds", required_argument, NULL, 's'},
        {"dir", required_argument, NULL, 'd'},
        {"keep", no_argument, NULL, 'k'},
        {"quick", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {0}};
    int c;
    while ((c = getopt_long(argc, argv, "", longs, NULL)) != -1) {
        switch (c) {
        case 't': o->titles = strtoull(optarg, NULL, 10); break;
        case 'b': o->bookings = strtoull(optarg, NULL, 10); break;
        case 's': o->seconds = strtod(optarg, NULL); break;
        case 'd': o->dir = optarg; break;
        case 'k': o->keep = 1; break;
        case 'q': o->bookings = 100000, o->seconds = 1; break;
        default: usage();
        }
    }
    if (o->titles < SHOW_MOVIES || o->seconds <= 0 ||
        o->bookings < TARGET_BOOKINGS ||
        o->bookings > (size_t)SCREENS * SHOWS_PER_SCREEN * ROWS * COLS)
        die("need --titles >= %d, --seconds > 0 and --bookings in %d..%d",
            SHOW_MOVIES, TARGET_BOOKINGS, SCREENS * SHOWS_PER_SCREEN * ROWS * COLS);
}

/* ---- the world ---------------------------------------------------------- */

typedef struct world {
    tix_db *db;
    char dir[1024], store[1100];
    tix_id city, venue;
    tix_id *movies;          /* titles of them */
    tix_id screens[SCREENS];
    tix_id shows[SCREENS * SHOWS_PER_SCREEN];
    uint32_t show_dates[SCREENS * SHOWS_PER_SCREEN];
    tix_id users[USERS];     /* users[0] is the target */
    size_t n_titles;
} world;

static void open_store(world *w, tix_durability d)
{
    tix_config cfg;
    tix_config_init(&cfg);
    cfg.durability = d;
    cfg.map_size = (size_t)4 << 30;
    cfg.seatmap_reserve = (size_t)1 << 30;
    CHECK(tix_db_open(w->store, &cfg, &w->db));
}

static void make_places(world *w)
{
    tix_id country, state;
    tix_place p = {.kind = TIX_PLACE_COUNTRY, .name = "Benchland"};
    CHECK(tix_place_create(w->db, &p, &country));
    p = (tix_place){.kind = TIX_PLACE_STATE, .parent_id = country,
                    .name = "Frontshire"};
    CHECK(tix_place_create(w->db, &p, &state));
    p = (tix_place){.kind = TIX_PLACE_CITY, .parent_id = state,
                    .name = "Review City", .utc_offset_min = 330};
    CHECK(tix_place_create(w->db, &p, &w->city));
    tix_venue v = {.city_id = w->city, .name = "Bench Multiplex",
                   .address = "1 Fast Lane", .lat = 12.97, .lon = 77.59};
    CHECK(tix_venue_create(w->db, &v, &w->venue));
}

static double make_movies(world *w)
{
    w->movies = calloc(w->n_titles, sizeof *w->movies);
    if (!w->movies) die("out of memory");
    double t0 = now_s();
    for (size_t i = 0; i < w->n_titles; i++) {
        char title[TIX_NAME_MAX + 1] = "", wd[32];
        size_t words = 2 + rnd_below(3), len = 0;
        for (size_t k = 0; k < words; k++) {
            word(rnd_below(VOCAB), wd, sizeof wd);
            wd[0] = (char)(wd[0] >= 'a' && wd[0] <= 'z' ? wd[0] - 32 : wd[0]);
            len += (size_t)snprintf(title + len, sizeof title - len, "%s%s",
                                    k ? " " : "", wd);
        }
        const char *g[2] = {genres[rnd_below(NGENRES)],
                            genres[rnd_below(NGENRES)]};
        const char *l[1] = {languages[rnd_below(NLANGS)]};
        tix_movie m = {.title = title, .duration_min = 120,
                       .genres = g, .n_genres = 1 + (g[0] != g[1]),
                       .languages = l, .n_languages = 1};
        CHECK(tix_movie_create(w->db, &m, &w->movies[i]));
    }
    return now_s() - t0;
}

static void make_screens_and_shows(world *w)
{
    static tix_seat_spec seats[ROWS][COLS];
    static tix_row_spec rows[ROWS];
    static char labels[ROWS][8];
    int64_t first = (tix_db_now(w->db) / 3600 + 24) * 3600;
    for (int s = 0; s < SCREENS; s++) {
        char name[32];
        snprintf(name, sizeof name, "Screen %d", s + 1);
        tix_screen sc = {.venue_id = w->venue, .name = name,
                         .ideal_x = COLS / 2.0, .ideal_y = ROWS * 2 / 3.0};
        CHECK(tix_screen_create(w->db, &sc, &w->screens[s]));
        tix_tier t = {.screen_id = w->screens[s], .name = "Standard",
                      .price_minor = 20000, .currency = "INR"};
        tix_id tier;
        CHECK(tix_tier_create(w->db, &t, &tier));
        for (int r = 0; r < ROWS; r++) {
            for (int c = 0; c < COLS; c++)
                seats[r][c] = (tix_seat_spec){.number = (uint32_t)c + 1,
                                              .x = c, .y = r, .tier_id = tier};
            snprintf(labels[r], sizeof labels[r], "R%d", r + 1);
            rows[r] = (tix_row_spec){labels[r], seats[r], COLS};
        }
        CHECK(tix_seats_add_rows(w->db, w->screens[s], rows, ROWS, NULL));
        for (int k = 0; k < SHOWS_PER_SCREEN; k++) {
            size_t i = (size_t)s * SHOWS_PER_SCREEN + (size_t)k;
            tix_show sh = {.movie_id = w->movies[i % SHOW_MOVIES],
                           .screen_id = w->screens[s],
                           .start = first + (int64_t)k * SLOT_SECONDS};
            CHECK(tix_show_create(w->db, &sh, &w->shows[i]));
            tix_show *got;
            CHECK(tix_show_get(w->db, w->shows[i], &got));
            w->show_dates[i] = got->local_date;
            tix_show_free(got);
        }
    }
}

static void make_users(world *w)
{
    for (int i = 0; i < USERS; i++) {
        char name[32], email[64];
        snprintf(name, sizeof name, "Viewer %d", i);
        snprintf(email, sizeof email, "viewer%d@example.com", i);
        const char *g[1] = {genres[rnd_below(NGENRES)]};
        const char *l[1] = {languages[rnd_below(NLANGS)]};
        tix_user u = {.name = name, .email = email, .home_city_id = w->city,
                      .genres = g, .n_genres = 1, .languages = l,
                      .n_languages = 1};
        CHECK(tix_user_create(w->db, &u, &w->users[i]));
    }
}

/* ---- 1M bookings through the async confirm -------------------------------- */

typedef struct slot {
    tix_hold *hold;
    tix_confirm *c;
} slot;

static void finish(slot *s)
{
    tix_id b;
    int rc = tix_confirm_wait(s->c, -1, &b);
    if (rc) die("confirm failed: %s: %s", tix_strerror(rc), tix_errmsg());
    tix_confirm_free(s->c);
    tix_hold_free(s->hold);
    s->c = NULL;
}

/* Books seat after seat, show after show. The first TARGET_BOOKINGS seats
 * of the first TARGET_BOOKINGS distinct movies' shows go to the target. */
static double make_bookings(world *w, size_t n)
{
    static slot ring[INFLIGHT];
    const uint32_t per_show = ROWS * COLS;
    double t0 = now_s();
    for (size_t i = 0; i < n; i++) {
        size_t show = i / per_show;
        uint32_t seat = (uint32_t)(i % per_show);
        tix_id user = w->users[1 + rnd_below(USERS - 1)];
        /* Shows 0..99 are of movies 0..99 (one each): seat 0 of each is
         * the target's, 100 distinct movies. */
        if (seat == 0 && show < TARGET_BOOKINGS) user = w->users[0];
        slot *s = &ring[i % INFLIGHT];
        if (s->c) finish(s);
        CHECK(tix_hold_create(w->db, w->shows[show], &seat, 1, NULL, &s->hold));
        char ref[32];
        snprintf(ref, sizeof ref, "bench-%zu", i);
        tix_confirm_opts o = {.user_id = user, .payment_ref = ref};
        CHECK(tix_confirm_submit(w->db, s->hold, &o, &s->c));
    }
    for (size_t i = 0; i < INFLIGHT; i++)
        if (ring[i].c) finish(&ring[i]);
    return now_s() - t0;
}

static void make_venues(world *w)
{
    for (int i = 0; i < VENUES; i++) {
        char name[32];
        snprintf(name, sizeof name, "Venue %d", i);
        tix_venue v = {.city_id = w->city, .name = name,
                       .lat = 12.97 + ((double)rnd_below(100000) - 50000) / 1e5 * 0.45,
                       .lon = 77.59 + ((double)rnd_below(100000) - 50000) / 1e5 * 0.45};
        CHECK(tix_venue_create(w->db, &v, NULL));
    }
}

/* ---- the figures ------------------------------------------------------------ */

/* Runs @p op until @p seconds pass; returns calls per second. */
typedef void (*op_fn)(world *w, void *arg);
static double run(world *w, double seconds, op_fn op, void *arg, size_t *calls)
{
    size_t n = 0;
    double t0 = now_s(), t;
    do {
        for (int k = 0; k < 16; k++) op(w, arg);
        n += 16;
    } while ((t = now_s() - t0) < seconds);
    if (calls) *calls = n;
    return (double)n / t;
}

static void op_review(world *w, void *arg)
{
    (void)arg;
    static const char text[] =
        "Gorgeous to look at, a little long in the middle, and the ending "
        "earns its tears. Go for the big screen.";
    tix_review r = {.user_id = w->users[rnd_below(USERS)],
                    .movie_id = w->movies[rnd_below(w->n_titles)],
                    .rating = 1 + (uint32_t)rnd_below(10), .text = text};
    CHECK(tix_review_create(w->db, &r, NULL));
}

static void op_rating(world *w, void *arg)
{
    (void)arg;
    tix_rating_summary s;
    CHECK(tix_rating_summary_get(w->db, w->movies[rnd_below(w->n_titles)], &s));
}

typedef struct search_arg {
    int city;         /* limit to the city and a show date */
    uint64_t hits;
} search_arg;

/* A 3-6 character prefix of a random word (cut on a character boundary),
 * sometimes followed by a second one. */
static void make_query(char *q, size_t cap)
{
    char wd[32];
    size_t len = 0;
    int words = rnd_below(4) == 0 ? 2 : 1;
    for (int k = 0; k < words; k++) {
        word(rnd_below(VOCAB), wd, sizeof wd);
        size_t want = 3 + rnd_below(4), chars = 0, cut = 0;
        while (wd[cut] && chars < want) {
            cut++;
            while (((unsigned char)wd[cut] & 0xC0) == 0x80) cut++;
            chars++;
        }
        len += (size_t)snprintf(q + len, cap - len, "%s%.*s", k ? " " : "",
                                (int)cut, wd);
    }
}

static void op_search(world *w, void *arg)
{
    search_arg *a = arg;
    char q[80];
    make_query(q, sizeof q);
    tix_search_opts o = {.limit = 20};
    if (a->city) {
        o.city_id = w->city;
        o.date = w->show_dates[rnd_below(SCREENS * SHOWS_PER_SCREEN)];
    }
    tix_search_result *r;
    CHECK(tix_movie_search(w->db, q, &o, &r));
    a->hits += r->count;
    tix_search_result_free(r);
}

typedef struct rec_arg {
    uint64_t picks;
    tix_recommendation first;
    char why[256];
} rec_arg;

static void op_recommend(world *w, void *arg)
{
    rec_arg *a = arg;
    tix_recommendation_list *l;
    CHECK(tix_recommend(w->db, w->users[0], NULL, &l));
    a->picks += l->count;
    if (l->count && !a->why[0]) {
        a->first = l->items[0];
        snprintf(a->why, sizeof a->why, "%s (score %lld): %s", l->items[0].title,
                 (long long)l->items[0].score, l->items[0].reason_text);
    }
    tix_recommendation_list_free(l);
}

static void op_nearby(world *w, void *arg)
{
    uint64_t *found = arg;
    double lat = 12.97 + ((double)rnd_below(100000) - 50000) / 1e5 * 0.4;
    double lon = 77.59 + ((double)rnd_below(100000) - 50000) / 1e5 * 0.4;
    tix_venue_near_list *l;
    CHECK(tix_venue_nearby(w->db, lat, lon, 5, 0, &l));
    *found += l->count;
    tix_venue_near_list_free(l);
}

static int rm_one(const char *p, const struct stat *st, int flag,
                  struct FTW *ftw)
{
    (void)st; (void)flag; (void)ftw;
    return remove(p);
}

int main(int argc, char **argv)
{
    opts o;
    parse(argc, argv, &o);
    static world w;
    w.n_titles = o.titles;
    const char *base = o.dir ? o.dir : getenv("TMPDIR");
    snprintf(w.dir, sizeof w.dir, "%s/tix-bench-frontend.XXXXXX",
             base && *base ? base : "/tmp");
    if (!mkdtemp(w.dir)) die("mkdtemp %s: %s", w.dir, strerror(errno));
    snprintf(w.store, sizeof w.store, "%s/store", w.dir);
    char a[32], b[32], c[32];
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    printf("tix-bench-frontend: libtix %s, %ld CPU(s), store %s\n",
           tix_version(), cpus, w.store);

    open_store(&w, TIX_SYNC_NONE);
    make_places(&w);
    double t = make_movies(&w);
    printf("load   %s titles created and indexed in %.1f s (%s/s)\n",
           num(a, sizeof a, (double)o.titles), t,
           num(b, sizeof b, (double)o.titles / t));
    make_screens_and_shows(&w);
    make_users(&w);
    t = make_bookings(&w, o.bookings);
    printf("load   %s bookings via tix_confirm_submit, %d in flight, "
           "TIX_SYNC_NONE: %.1f s (%s/s); %s users, target user %llu has %d\n",
           num(a, sizeof a, (double)o.bookings), INFLIGHT, t,
           num(b, sizeof b, (double)o.bookings / t),
           num(c, sizeof c, USERS), (unsigned long long)w.users[0],
           TARGET_BOOKINGS);
    make_venues(&w);
    CHECK(tix_db_sync(w.db));

    size_t calls;
    double r = run(&w, o.seconds, op_review, NULL, &calls);
    printf("review writes/s        %10s  (TIX_SYNC_NONE, create or replace, "
           "%s calls)\n", num(a, sizeof a, r), num(b, sizeof b, (double)calls));
    tix_db_close(w.db);
    open_store(&w, TIX_SYNC_FULL);
    r = run(&w, o.seconds, op_review, NULL, &calls);
    printf("review writes/s        %10s  (TIX_SYNC_FULL: one fsync'ed "
           "transaction each)\n", num(a, sizeof a, r));
    r = run(&w, o.seconds, op_rating, NULL, &calls);
    printf("rating-summary reads/s %10s\n", num(a, sizeof a, r));
    search_arg sa = {0};
    r = run(&w, o.seconds, op_search, &sa, &calls);
    printf("search queries/s       %10s  (%s titles, limit 20, %.1f hits "
           "a query)\n", num(a, sizeof a, r), num(b, sizeof b, (double)o.titles),
           (double)sa.hits / (double)calls);
    sa = (search_arg){.city = 1};
    r = run(&w, o.seconds, op_search, &sa, &calls);
    printf("search queries/s       %10s  (limited to the city and a show "
           "date, %.1f hits a query)\n", num(a, sizeof a, r),
           (double)sa.hits / (double)calls);
    rec_arg ra = {0};
    r = run(&w, o.seconds, op_recommend, &ra, &calls);
    printf("recommendations/s      %10s  (user with %d bookings among %s; "
           "%.0f picks; first: %s)\n", num(a, sizeof a, r), TARGET_BOOKINGS,
           num(b, sizeof b, (double)o.bookings), (double)ra.picks / calls,
           ra.why);
    uint64_t found = 0;
    r = run(&w, o.seconds, op_nearby, &found, &calls);
    printf("nearby queries/s       %10s  (%s venues, 5 km, %.1f found a "
           "query)\n", num(a, sizeof a, r), num(b, sizeof b, VENUES),
           (double)found / (double)calls);
    tix_db_close(w.db);
    free(w.movies);
    if (!o.keep) nftw(w.dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    else printf("kept   %s\n", w.store);
    return 0;
}
