/* tix-bench: stores and the catalog the scenarios run on, made through the
 * public API only. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.h"

#define MOVIE_MINUTES 120
#define SLOT_SECONDS (3 * 3600) /* movie + cleaning buffer, with room */
#define ROWS_PER_CALL 250

void bench_store_open(const char *dir, tix_durability d, tix_db **out)
{
    tix_config cfg;
    tix_config_init(&cfg);
    cfg.durability = d;
    /* Big enough up front that no run pays for map growth mid-way. */
    cfg.map_size = (size_t)4 << 30;
    cfg.seatmap_reserve = (size_t)4 << 30;
    CHECK(tix_db_open(dir, &cfg, out));
}

void bench_catalog_create(tix_db *db, bench_catalog *cat)
{
    memset(cat, 0, sizeof *cat);
    tix_place p = {.kind = TIX_PLACE_COUNTRY, .name = "Benchland"};
    CHECK(tix_place_create(db, &p, &cat->country));
    p = (tix_place){.kind = TIX_PLACE_STATE, .parent_id = cat->country,
                    .name = "Loadshire"};
    CHECK(tix_place_create(db, &p, &cat->state));
    p = (tix_place){.kind = TIX_PLACE_CITY, .parent_id = cat->state,
                    .name = "Throughput City", .utc_offset_min = 330};
    CHECK(tix_place_create(db, &p, &cat->city));
    tix_venue v = {.city_id = cat->city, .name = "Bench Multiplex",
                   .address = "1 Fast Lane", .lat = 12.97, .lon = 77.59};
    CHECK(tix_venue_create(db, &v, &cat->venue));
    static const char *const langs[] = {"English"};
    static const char *const genres[] = {"Action"};
    tix_movie m = {.title = "The Benchmark", .duration_min = MOVIE_MINUTES,
                   .certificate = "U", .languages = langs, .n_languages = 1,
                   .genres = genres, .n_genres = 1};
    CHECK(tix_movie_create(db, &m, &cat->movie));
    for (int i = 0; i < BENCH_USERS; i++) {
        char name[32], email[64];
        snprintf(name, sizeof name, "Bench User %d", i);
        snprintf(email, sizeof email, "bench%d@example.com", i);
        tix_user u = {.name = name, .email = email, .home_city_id = cat->city};
        CHECK(tix_user_create(db, &u, &cat->users[i]));
    }
    /* Shows start the day after tomorrow, on the hour, so none ends while
     * a run is going. */
    int64_t now = tix_db_now(db);
    cat->first_start = (now / 3600 + 48) * 3600;
}

void bench_screen_create(tix_db *db, bench_catalog *cat, uint32_t rows,
                         uint32_t cols, bench_screen *out)
{
    memset(out, 0, sizeof *out);
    out->rows = rows;
    out->cols = cols;
    char name[32];
    snprintf(name, sizeof name, "Screen %u", ++cat->n_screens);
    tix_screen s = {.venue_id = cat->venue, .name = name,
                    .ideal_x = (cols - 1) / 2.0, .ideal_y = rows * 5 / 6.0};
    CHECK(tix_screen_create(db, &s, &out->id));
    static const char *const tier_names[BENCH_TIERS] = {"Silver", "Gold",
                                                        "Recliner"};
    static const int64_t prices[BENCH_TIERS] = {20000, 28000, 60000};
    for (int t = 0; t < BENCH_TIERS; t++) {
        tix_tier tr = {.screen_id = out->id, .name = tier_names[t],
                       .price_minor = prices[t], .currency = "INR"};
        CHECK(tix_tier_create(db, &tr, &out->tiers[t]));
    }
    tix_seat_spec *seats = calloc((size_t)ROWS_PER_CALL * cols, sizeof *seats);
    tix_row_spec *rs = calloc(ROWS_PER_CALL, sizeof *rs);
    char (*labels)[TIX_ROW_LABEL_MAX + 1] = calloc(ROWS_PER_CALL, sizeof *labels);
    if (!seats || !rs || !labels) bench_fatal("out of memory");
    for (uint32_t r0 = 0; r0 < rows; r0 += ROWS_PER_CALL) {
        uint32_t nr = rows - r0 < ROWS_PER_CALL ? rows - r0 : ROWS_PER_CALL;
        for (uint32_t i = 0; i < nr; i++) {
            uint32_t r = r0 + i;
            int tier = r < rows * 2 / 5 ? 0 : r < rows * 4 / 5 ? 1 : 2;
            snprintf(labels[i], sizeof labels[i], "R%u", r + 1);
            rs[i].label = labels[i];
            rs[i].seats = &seats[(size_t)i * cols];
            rs[i].count = cols;
            for (uint32_t c = 0; c < cols; c++) {
                tix_seat_spec *sp = &seats[(size_t)i * cols + c];
                sp->number = c + 1;
                sp->x = c;
                sp->y = r;
                sp->tier_id = out->tiers[tier];
                sp->flags = c == 0 || c + 1 == cols ? TIX_SEAT_AISLE : 0;
            }
        }
        CHECK(tix_seats_add_rows(db, out->id, rs, nr, NULL));
    }
    free(seats);
    free(rs);
    free(labels);
}

tix_id bench_show_create(tix_db *db, const bench_catalog *cat, bench_screen *s)
{
    tix_show sh = {.movie_id = cat->movie, .screen_id = s->id,
                   .start = cat->first_start +
                            (int64_t)s->next_slot++ * SLOT_SECONDS};
    tix_id id;
    CHECK(tix_show_create(db, &sh, &id));
    return id;
}
