/* Selling commands: seats, hold, release, confirm, cancel, booking,
 * checkin, block, unblock. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static const char *state_name(uint8_t s)
{
    switch (s) {
    case TIX_SEAT_FREE: return "free";
    case TIX_SEAT_HELD: return "held";
    case TIX_SEAT_CONFIRMING: return "confirming";
    case TIX_SEAT_BOOKED: return "booked";
    default: return "unavailable";
    }
}

static int want_color(cli *c)
{
    if (c->color >= 0) return c->color;
    const char *nc = getenv("NO_COLOR");
    const char *term = getenv("TERM");
    return isatty(STDOUT_FILENO) && !(nc && *nc) &&
           !(term && !strcmp(term, "dumb"));
}

/* Loads show, seats and the seat states. */
static int load_states(cli *c, tix_id show, cli_show *s, uint8_t **states)
{
    int rc = cli_show_load(c, show, s);
    if (rc) return rc;
    size_t n = s->show->seat_count ? s->show->seat_count : 1;
    *states = calloc(n, 1);
    if (!*states) {
        cli_show_free(s);
        return cli_error(c, EX_SYSTEM, "TIX_ENOMEM", "out of memory");
    }
    int trc = tix_show_seat_states(c->db, show, *states, n);
    if (trc) {
        free(*states);
        cli_show_free(s);
        return cli_fail(c, trc, "seat states of show %llu",
                        (unsigned long long)show);
    }
    return EX_OK;
}

/* ------------------------------------------------------------------------ */
/* seats                                                                     */

static const char seats_help[] =
    "usage: tix seats SHOW [--svg FILE] [--map | --no-map] [--seats]\n"
    "                      [--section BLOCK] [--rows A,B | --rows A..F]\n"
    "\n"
    "Availability of a show: free, held, booked and unavailable seats per\n"
    "tier, then a seat map: one line per row, the screen at the top, seats\n"
    "placed by their x position. Free seats show their tier (1 = cheapest,\n"
    "2, ...), h held, # booked, x unavailable, w/c a free wheelchair space\n"
    "or companion seat. Colors when stdout is a terminal.\n"
    "\n"
    "  --svg FILE  also draw the seat map as an SVG picture: screen edge,\n"
    "              seats colored by tier, held / booked / blocked /\n"
    "              wheelchair seats distinct, and a legend\n"
    "  --map       print the map even when it is large (over 300 rows or\n"
    "              220 columns it is left out by default)\n"
    "  --no-map    leave the terminal map out\n"    "  --section BLOCK  print only the rows of one block of a stadium (rows\n"
    "              named BLOCK-ROW: --section L07 is L07-1, L07-2, ...), laid\n"
    "              out along the block's own rows\n"
    "  --rows A,B  print only these rows; --rows A..F every row from A to F\n"
    "              in map order (with --section: of that block)\n"
    "A ruler of seat numbers (1, 5, 10, ... of the longest row) runs above\n"
    "the map, and below it too when it has more than 12 rows.\n"
    "  --seats     with --json: list every seat with its state\n";

/* The show without its general-admission places, which have no position
 * for a map to draw: @p out shares the strings of @p s. */
typedef struct seated {
    cli_show s;
    tix_show show;
    uint8_t *states;
} seated;

static int seated_only(const cli_show *s, const uint8_t *st, seated *out)
{
    size_t n = s->show->seat_count, k = 0;
    out->s = *s;
    out->show = *s->show;
    out->s.show = &out->show;
    out->s.seats = malloc(sizeof *s->seats + n * sizeof s->seats->items[0]);
    out->states = malloc(n ? n : 1);
    if (!out->s.seats || !out->states) return -1;
    for (size_t i = 0; i < n && i < s->seats->count; i++)
        if (!(s->seats->items[i].flags & TIX_SEAT_STANDING)) {
            out->s.seats->items[k] = s->seats->items[i];
            out->states[k++] = st[i];
        }
    out->s.seats->count = k;
    out->show.seat_count = (uint32_t)k;
    return 0;
}

/* One line (or JSON object) per general-admission area of the show. */
static json_t *areas_report(cli *c, tix_id show, tix_id screen)
{
    json_t *arr = json_array();
    tix_area_list *l;
    if (tix_area_list_by_screen(c->db, screen, &l)) return arr;
    for (size_t i = 0; i < l->count; i++) {
        tix_counts k;
        const tix_area *a = &l->items[i];
        if (tix_area_availability(c->db, show, a->id, &k)) continue;
        if (!c->json)
            printf("  area %-8s (id %llu) %6u free, %u held, %u booked of %u "
                   "places\n", a->name, (unsigned long long)a->id, k.free,
                   k.held, k.booked, k.total);
        json_array_append_new(
            arr, json_pack("{s:I, s:s, s:I, s:i, s:i, s:i, s:i}", "area_id",
                           (json_int_t)a->id, "name", a->name, "tier_id",
                           (json_int_t)a->tier_id, "total", (int)k.total,
                           "free", (int)k.free, "held", (int)k.held, "booked",
                           (int)k.booked));
    }
    tix_area_list_free(l);
    return arr;
}

int cmd_seats(cli *c, int argc, char **argv)
{
    cli_opt opts[] = {OPT("svg", 0, 1), OPT("map", 0, 0), OPT("no-map", 0, 0),
                      OPT("seats", 0, 0), OPT("section", 0, 1), OPT("rows", 0, 1),
                      {0}};
    const char *pos[2];
    int np, rc = cli_parse(c, "seats", seats_help, argc, argv, opts, pos, &np, 1);
    if (rc) return rc;
    if (np != 1) return cli_usage(c, "seats", "give a show id");
    tix_id show;
    if ((rc = cli_parse_id(c, "seats", "SHOW", pos[0], &show))) return rc;
    if ((rc = cli_open(c, 0))) return rc;
    cli_show s;
    uint8_t *st;
    if ((rc = load_states(c, show, &s, &st))) return rc;
    tix_avail *av;
    int trc = tix_show_availability(c->db, show, &av);
    if (trc) {
        free(st);
        cli_show_free(&s);
        return cli_fail(c, trc, "availability of show %llu",
                        (unsigned long long)show);
    }
    tix_movie *m = NULL;
    tix_screen *scr = NULL;
    tix_venue *v = NULL;
    tix_movie_get(c->db, s.show->movie_id, &m);
    tix_screen_get(c->db, s.show->screen_id, &scr);
    tix_venue_get(c->db, s.show->venue_id, &v);
    int32_t off = cli_city_offset(c, s.show->city_id, s.show->start);
    char when[48], title[512], sub[512];
    snprintf(title, sizeof title, "%s", m ? m->title : "show");
    snprintf(sub, sizeof sub, "%s, %s - %s - show %llu", v ? v->name : "?",
             scr ? scr->name : "?", cli_time(when, s.show->start, off),
             (unsigned long long)show);

    json_t *tiers = json_array();
    if (!c->json) {
        printf("%s\n%s\n", title, sub);
        printf("%u free, %u held, %u booked, %u unavailable of %u seats\n",
               av->all.free, av->all.held, av->all.booked,
               av->all.unavailable, av->all.total);
    }
    for (size_t t = 0; t < av->n_tiers; t++) {
        const tix_counts *k = &av->tiers[t];
        const tix_tier *tier = NULL;
        for (size_t j = 0; j < s.tiers->count; j++)
            if (s.tiers->items[j].id == k->tier_id) tier = &s.tiers->items[j];
        char price[48];
        if (tier) cli_price(price, tier->price_minor, tier->currency);
        if (c->json)
            json_array_append_new(
                tiers, json_pack("{s:I, s:s, s:I, s:s, s:i, s:i, s:i, s:i, s:i}",
                                 "tier_id", (json_int_t)k->tier_id, "name",
                                 tier ? tier->name : "", "price_minor",
                                 (json_int_t)(tier ? tier->price_minor : 0),
                                 "currency", tier ? tier->currency : "",
                                 "total", (int)k->total, "free", (int)k->free,
                                 "held", (int)k->held, "booked", (int)k->booked,
                                 "unavailable", (int)k->unavailable));
        else
            printf("  %zu %-12s %14s  %6u free of %u\n", t + 1,
                   tier ? tier->name : "?", tier ? price : "?", k->free,
                   k->total);
    }
    json_t *areas = areas_report(c, show, s.show->screen_id);
    seated only = {0};
    if (seated_only(&s, st, &only)) {
        free(only.s.seats);
        free(only.states);
        only.s = s;
        only.states = st;
    }
    seatmap_in in = {&only.s, only.states, title, sub, opts[4].val, opts[5].val};
    int color = want_color(c);
    int ex = EX_OK;
    if (!c->json && !opts[2].set) {
        putchar('\n');
        int r = seatmap_text(&in, color, opts[1].set);
        if (r == 1)
            printf("(the map has too many rows or columns for a terminal: "
                   "use --map to print it anyway, --section BLOCK or --rows "
                   "A..F for a part, or --svg FILE)\n");
        if (r == 2)
            ex = cli_error(c, EX_NOTFOUND, "TIX_ENOTFOUND",
                           "show %llu has no rows%s%s%s%s", (unsigned long long)show,
                           opts[4].set ? " in section " : "",
                           opts[4].set ? opts[4].val : "",
                           opts[5].set ? " matching --rows " : "",
                           opts[5].set ? opts[5].val : "");
    }
    if (ex == EX_OK && opts[0].set) {
        int e = seatmap_svg(&in, opts[0].val);
        if (e)
            ex = cli_error(c, EX_SYSTEM, "TIX_EIO", "cannot write %s: %s",
                           opts[0].val, strerror(e));
        else if (!c->json)
            printf("seat map written to %s\n", opts[0].val);
    }
    if (ex == EX_OK) {
        json_t *o = json_pack("{s:I, s:s, s:s, s:{s:i, s:i, s:i, s:i, s:i}, s:o}",
                              "show_id", (json_int_t)show, "title", title,
                              "subtitle", sub, "all", "total",
                              (int)av->all.total, "free", (int)av->all.free,
                              "held", (int)av->all.held, "booked",
                              (int)av->all.booked, "unavailable",
                              (int)av->all.unavailable, "tiers", tiers);
        tiers = NULL;
        json_object_set_new(o, "areas", areas);
        areas = NULL;
        if (opts[0].set) json_object_set_new(o, "svg", json_string(opts[0].val));
        if (opts[3].set) {
            json_t *a = json_array();
            for (size_t i = 0; i < s.show->seat_count && i < s.seats->count; i++) {
                const tix_seat *se = &s.seats->items[i];
                json_array_append_new(
                    a, json_pack("{s:i, s:s, s:i, s:f, s:f, s:I, s:i, s:s}",
                                 "index", (int)i, "row", se->row, "number",
                                 (int)se->number, "x", se->x, "y", se->y,
                                 "tier_id", (json_int_t)se->tier_id, "flags",
                                 (int)se->flags, "state", state_name(st[i])));
            }
            json_object_set_new(o, "seats", a);
        }
        cli_emit(c, o);
    }
    json_decref(tiers);
    json_decref(areas);
    if (only.s.seats != s.seats) free(only.s.seats);
    if (only.states != st) free(only.states);
    tix_movie_free(m);
    tix_screen_free(scr);
    tix_venue_free(v);
    tix_avail_free(av);
    free(st);
    cli_show_free(&s);
    return ex;
}

/* ------------------------------------------------------------------------ */
/* hold / release                                                            */

static const char hold_help[] =
    "usage: tix hold SHOW SEAT... [--ttl SECONDS] [--key REQUEST_KEY]\n"
    "                [--user ID] [--channel ID]\n"
    "       tix hold SHOW [SEAT...] --area ID:N [--area ID:N]... [--ttl S]\n"
    "                [--user ID] [--channel ID]\n"
    "       tix hold SHOW --best N [--tier ID] [--accessible [--companions C]]\n"
    "                [--any-tier] [--user ID]\n"
    "\n"
    "Holds seats of a show, all or nothing, and prints the hold handle (the\n"
    "string release and confirm take) on stdout. SEAT is A5, A-5 or A:5\n"
    "(row and number) or @17 (seat index). --best finds N adjacent seats\n"
    "nearest the screen's best view point (cheapest tier with room unless\n"
    "--tier / --any-tier; wheelchair spaces only with --accessible).\n"
    "\n"
    "  --ttl SECONDS   hold lifetime (default: the store's, 600 s)\n"
    "  --key KEY       idempotency key: the same request gives the same hold\n"
    "  --user ID       the buyer: refused early (exit 5) past a per-customer\n"
    "                  cap (tix show update SHOW --max-per-user N)\n"
    "  --companions C  with --best N --accessible: N wheelchair seats and C\n"
    "                  companion seats beside them, in one row\n"
    "  --area ID:N     N places of general-admission area ID (tix area list),\n"
    "                  any free ones; repeat for more areas; with SEATs too,\n"
    "                  all in one hold (exit 3 when the area has fewer free)\n"
    "  --channel ID    the sales channel the hold is made through (tix\n"
    "                  channel); without it only public seats are held\n"
    "  --queue-ticket T  on a show with a waiting room (tix queue): the\n"
    "                  buyer's ticket, admitted (exit 5 while it waits)\n"
    "  --box-office    hold a queued show's seats without a ticket\n"
    "\n"
    "Exit 3 when a seat is taken (the message names it).\n";

static void print_hold_info(cli *c, const cli_show *s, const tix_hold *h,
                            const char *handle)
{
    size_t n = tix_hold_count(h);
    uint32_t idx[256];
    if (n > 256) n = 256;
    for (size_t i = 0; i < n; i++) idx[i] = tix_hold_seat(h, i);
    char exp[48];
    if (c->json) {
        cli_emit(c, json_pack("{s:s, s:I, s:I, s:s, s:o}", "handle", handle,
                              "show_id", (json_int_t)tix_hold_show(h),
                              "expires_at", (json_int_t)tix_hold_expires(h),
                              "expires_utc", cli_iso(exp, tix_hold_expires(h)),
                              "seats", cli_seats_json(s, idx, n)));
        return;
    }
    printf("%s\n", handle);
    if (isatty(STDERR_FILENO)) {
        fprintf(stderr, "held %zu seat%s of show %llu:", n, n == 1 ? "" : "s",
                (unsigned long long)tix_hold_show(h));
        for (size_t i = 0; i < n; i++) {
            char nm[32];
            fprintf(stderr, " %s", cli_seat_name(nm, s, idx[i]));
        }
        fprintf(stderr, " until %s\n", cli_iso(exp, tix_hold_expires(h)));
    }
}

/* "ID:N" of --area. */
static int parse_take(cli *c, const char *word, tix_area_take *t)
{
    char id[32];
    const char *colon = strchr(word, ':');
    if (!colon || (size_t)(colon - word) >= sizeof id)
        return cli_usage(c, "hold", "--area takes AREA_ID:COUNT, not '%s'",
                         word);
    memcpy(id, word, (size_t)(colon - word));
    id[colon - word] = '\0';
    int rc = cli_parse_id(c, "hold", "--area", id, &t->area_id);
    return rc ? rc : cli_parse_u32(c, "hold", "--area count", colon + 1,
                                   &t->count);
}

int cmd_hold(cli *c, int argc, char **argv)
{
    cli_opt opts[] = {OPT("ttl", 0, 1),        OPT("key", 0, 1),
                      OPT("best", 'n', 1),     OPT("tier", 0, 1),
                      OPT("accessible", 0, 0), OPT("any-tier", 0, 0),
                      OPT("user", 0, 1),       OPT("companions", 0, 1),
                      OPT("area", 0, 2),       OPT("channel", 0, 1),
                      OPT("queue-ticket", 0, 1), OPT("box-office", 0, 0),
                      {0}};
    const char *pos[258];
    int np, rc = cli_parse(c, "hold", hold_help, argc, argv, opts, pos, &np, 257);
    if (rc) return rc;
    if (np < 1) return cli_usage(c, "hold", "give a show id");
    tix_id show, tier = 0, user = 0, channel = 0;
    if (opts[9].set &&
        (rc = cli_parse_id(c, "hold", "--channel", opts[9].val, &channel)))
        return rc;
    uint32_t ttl = 0, best = 0, companions = 0;
    if (opts[6].set && (rc = cli_parse_id(c, "hold", "--user", opts[6].val, &user)))
        return rc;
    if (opts[7].set &&
        (rc = cli_parse_u32(c, "hold", "--companions", opts[7].val, &companions)))
        return rc;
    if (opts[7].set && !opts[2].set)
        return cli_usage(c, "hold", "--companions goes with --best");
    if ((rc = cli_parse_id(c, "hold", "SHOW", pos[0], &show))) return rc;
    if (opts[0].set && (rc = cli_parse_u32(c, "hold", "--ttl", opts[0].val, &ttl)))
        return rc;
    if (opts[2].set && (rc = cli_parse_u32(c, "hold", "--best", opts[2].val, &best)))
        return rc;
    if (opts[3].set && (rc = cli_parse_id(c, "hold", "--tier", opts[3].val, &tier)))
        return rc;
    if (opts[2].set && np > 1)
        return cli_usage(c, "hold", "give seats or --best N, not both");
    if (opts[2].set && opts[8].set)
        return cli_usage(c, "hold", "give --area or --best N, not both");
    tix_area_take takes[32];
    for (int i = 0; i < opts[8].nvals; i++)
        if ((rc = parse_take(c, opts[8].vals[i], &takes[i]))) return rc;
    if (!opts[2].set && !opts[8].set && np < 2)
        return cli_usage(c, "hold", "give the seats to hold, --best N or "
                         "--area ID:N");
    if ((rc = cli_open(c, 0))) return rc;
    cli_show s;
    if ((rc = cli_show_load(c, show, &s))) return rc;
    tix_hold *h = NULL;
    int trc;
    if (opts[2].set) {
        tix_best_opts bo = {.tier_id = tier, .ttl = ttl, .request_key = opts[1].val,
                            .user_id = user, .companions = companions,
                            .channel = channel,
                            .queue_ticket = opts[10].val,
                            .flags = (opts[4].set ? TIX_BEST_ACCESSIBLE : 0u) |
                                     (opts[5].set ? TIX_BEST_ANY_TIER : 0u) |
                                     (opts[11].set ? TIX_BEST_BOX_OFFICE : 0u)};
        trc = tix_hold_best(c->db, show, best, &bo, &h);
    } else {
        uint32_t idx[256];
        size_t n = 0;
        for (int i = 1; i < np; i++)
            if ((rc = cli_seat_parse(c, "hold", &s, pos[i], &idx[n++]))) {
                cli_show_free(&s);
                return rc;
            }
        tix_hold_opts ho = {.ttl = ttl, .request_key = opts[1].val,
                            .user_id = user, .channel = channel,
                            .queue_ticket = opts[10].val,
                            .flags = opts[11].set ? TIX_HOLD_BOX_OFFICE : 0u};
        trc = opts[8].set ? tix_hold_areas(c->db, show, idx, n, takes,
                                           (size_t)opts[8].nvals, &ho, &h)
                          : tix_hold_create(c->db, show, idx, n, &ho, &h);
    }
    if (trc) {
        cli_show_free(&s);
        return cli_fail(c, trc, "cannot hold seats of show %llu",
                        (unsigned long long)show);
    }
    char handle[TIX_HOLD_STRING_MAX];
    trc = tix_hold_to_string(h, handle, sizeof handle);
    if (trc == TIX_OK) print_hold_info(c, &s, h, handle);
    tix_hold_free(h);
    cli_show_free(&s);
    return trc ? cli_fail(c, trc, "hold handle") : EX_OK;
}

static const char release_help[] =
    "usage: tix release HANDLE\n"
    "\n"
    "Releases the seats of a hold (the handle `tix hold` printed). Seats the\n"
    "hold no longer has are left alone, so releasing twice is harmless.\n";

static int parse_handle(cli *c, const char *s, tix_hold **h)
{
    int trc = tix_hold_from_string(s, h);
    return trc ? cli_fail(c, trc, "bad hold handle") : EX_OK;
}

int cmd_release(cli *c, int argc, char **argv)
{
    cli_opt opts[] = {{0}};
    const char *pos[2];
    int np, rc = cli_parse(c, "release", release_help, argc, argv, opts, pos, &np, 1);
    if (rc) return rc;
    if (np != 1) return cli_usage(c, "release", "give the hold handle");
    tix_hold *h;
    if ((rc = parse_handle(c, pos[0], &h))) return rc;
    if ((rc = cli_open(c, 0))) {
        tix_hold_free(h);
        return rc;
    }
    size_t n = 0;
    int trc = tix_hold_release_ex(c->db, h, &n);
    tix_id show = tix_hold_show(h);
    tix_hold_free(h);
    if (trc) return cli_fail(c, trc, "cannot release");
    if (!c->json && n == 0)
        printf("nothing to release: the hold was already released, "
               "confirmed or lost its seats (show %llu)\n",
               (unsigned long long)show);
    else if (!c->json)
        printf("released %zu seat%s of show %llu\n", n, n == 1 ? "" : "s",
               (unsigned long long)show);
    cli_emit(c, json_pack("{s:I, s:i}", "show_id", (json_int_t)show, "seats",
                          (int)n));
    return EX_OK;
}

/* ------------------------------------------------------------------------ */
/* bookings                                                                  */

/* "C14", or "@61" when the show's seats could not be read. */
static const char *seat_label(char buf[32], const cli_show *s, uint32_t seat)
{
    if (s) return cli_seat_name(buf, s, seat);
    snprintf(buf, 32, "@%u", seat);
    return buf;
}

static json_t *booking_json(cli *c, const tix_booking *b, const cli_show *s)
{
    json_t *seats = json_array(), *tickets = json_array();
    for (size_t i = 0; i < b->n_seats; i++) {
        json_t *o = json_pack("{s:i, s:I, s:I}", "index", (int)b->seats[i].seat,
                              "tier_id", (json_int_t)b->seats[i].tier_id,
                              "price_minor", (json_int_t)b->seats[i].price_minor);
        if (s && b->seats[i].seat < s->seats->count) {
            char nm[32];
            json_object_set_new(o, "row", json_string(s->seats->items[b->seats[i].seat].row));
            json_object_set_new(o, "number", json_integer(s->seats->items[b->seats[i].seat].number));
            json_object_set_new(o, "label", json_string(cli_seat_name(nm, s, b->seats[i].seat)));
        }
        json_array_append_new(seats, o);
    }
    for (size_t t = 0; t < b->n_tickets; t++) {
        char qr[1024] = "";
        tix_ticket_qr(b, t, qr, sizeof qr);
        json_t *ts = json_array(), *labels = json_array();
        for (size_t k = 0; k < b->tickets[t].n_seats; k++) {
            char nm[32];
            json_array_append_new(ts, json_integer(b->tickets[t].seats[k]));
            json_array_append_new(labels, json_string(seat_label(nm, s, b->tickets[t].seats[k])));
        }
        json_array_append_new(
            tickets, json_pack("{s:s, s:s, s:o, s:o, s:I, s:s}", "code",
                               b->tickets[t].code, "qr", qr, "seats", ts,
                               "labels", labels, "checked_in_at",
                               (json_int_t)b->tickets[t].checked_in_at, "gate",
                               b->tickets[t].gate));
    }
    (void)c;
    char total[48];
    /* total: the amount as text in its currency's decimals ("JPY 1800"). */
    return json_pack("{s:I, s:I, s:I, s:s, s:I, s:I, s:s, s:I, s:s, s:s, s:I, "
                     "s:I, s:o, s:o, s:b, s:I, s:I}",
                     "booking_id", (json_int_t)b->id, "user_id",
                     (json_int_t)b->user_id, "show_id", (json_int_t)b->show_id,
                     "status",
                     b->status == TIX_BOOKING_CONFIRMED ? "confirmed" : "cancelled",
                     "created_at", (json_int_t)b->created_at, "cancelled_at",
                     (json_int_t)b->cancelled_at, "payment_ref", b->payment_ref,
                     "total_minor", (json_int_t)b->total_minor, "currency",
                     b->currency, "total",
                     cli_price(total, b->total_minor, b->currency),
                     "discount_minor", (json_int_t)b->discount_minor,
                     "fee_minor", (json_int_t)b->fee_minor, "seats", seats,
                     "tickets", tickets, "cancelled_after_checkin",
                     b->cancelled_after_checkin, "channel_id",
                     (json_int_t)b->channel_id, "group_id",
                     (json_int_t)b->group_id);
}


static void booking_text(const tix_booking *b, const cli_show *s)
{
    char total[48];
    printf("booking %llu  %s  show %llu  user %llu  paid %s  ref %s\n",
           (unsigned long long)b->id,
           b->status == TIX_BOOKING_CONFIRMED ? "confirmed" : "CANCELLED",
           (unsigned long long)b->show_id, (unsigned long long)b->user_id,
           cli_price(total, b->total_minor, b->currency), b->payment_ref);
    if (b->cancelled_after_checkin)
        printf("  refunded after check-in (--after-checkin)\n");
    if (b->group_id)
        printf("  group %llu (booked together)\n", (unsigned long long)b->group_id);
    if (b->channel_id)
        printf("  sold through channel %llu\n", (unsigned long long)b->channel_id);
    for (size_t t = 0; t < b->n_tickets; t++) {
        printf("  ticket %s  seats", b->tickets[t].code);
        for (size_t k = 0; k < b->tickets[t].n_seats; k++) {
            char nm[32];
            printf(" %s", seat_label(nm, s, b->tickets[t].seats[k]));
        }
        if (b->tickets[t].checked_in_at)
            printf("  (checked in at %s)", b->tickets[t].gate);
        putchar('\n');
    }
}

/* Prints booking @p id; with --json and @p into, appends it there instead
 * (several bookings make one JSON object). */
static int print_booking_to(cli *c, tix_id id, json_t *into)
{
    tix_booking *b;
    int trc = tix_booking_get(c->db, id, &b);
    if (trc) return cli_fail(c, trc, "booking %llu", (unsigned long long)id);
    cli_show s;
    int have = cli_show_load(c, b->show_id, &s) == EX_OK;
    if (c->json && into)
        json_array_append_new(into, booking_json(c, b, have ? &s : NULL));
    else if (c->json)
        cli_emit(c, booking_json(c, b, have ? &s : NULL));
    else
        booking_text(b, have ? &s : NULL);
    if (have) cli_show_free(&s);
    tix_booking_free(b);
    return EX_OK;
}

static int print_booking(cli *c, tix_id id) { return print_booking_to(c, id, NULL); }

static void free_holds(tix_hold **hs, int n)
{
    for (int i = 0; i < n; i++) tix_hold_free(hs[i]);
}

static const char confirm_help[] =
    "usage: tix confirm HANDLE... --user ID|EMAIL --payment-ref REF\n"
    "                   [--seats-per-ticket N] [--offer CODE]\n"
    "                   [--charged MINOR --currency CUR]\n"
    "\n"
    "Confirms a hold after payment and prints the booking with its tickets\n"
    "(codes and QR payloads). The same payment reference with the same hold\n"
    "and user returns the same booking (a repeated gateway callback books\n"
    "nothing twice); with another hold or user it is refused. A hold that\n"
    "ran out still books while none of its seats was taken since (late\n"
    "payment); a released or already booked hold never does.\n"
    "--charged and --currency give what the gateway charged (minor units):\n"
    "the confirm books only if the price at commit is exactly that.\n"
    "Several handles (of different shows, e.g. from tix hold-group) book\n"
    "together in one transaction, all or nothing: one booking per show,\n"
    "linked by a group id; part i takes payment reference REF#i (from 2).\n"
    "\n"
    "Exit 5 when the hold ran out and a seat was taken meanwhile, the hold\n"
    "is dead or the charged amount differs (refund); 3 when a seat belongs\n"
    "to another hold or the payment reference to another booking; 4 for a\n"
    "handle this store did not issue; 2 for an unknown user.\n";

int cmd_confirm(cli *c, int argc, char **argv)
{
    cli_opt opts[] = {OPT("user", 'u', 1), OPT("payment-ref", 'p', 1),
                      OPT("seats-per-ticket", 0, 1), OPT("offer", 0, 1),
                      OPT("charged", 0, 1), OPT("currency", 0, 1), {0}};
    const char *pos[66];
    int np, rc = cli_parse(c, "confirm", confirm_help, argc, argv, opts, pos, &np, 64);
    if (rc) return rc;
    if (np < 1) return cli_usage(c, "confirm", "give the hold handle");
    if (!opts[0].set || !opts[1].set)
        return cli_usage(c, "confirm", "--user and --payment-ref are required");
    if (opts[4].set != opts[5].set)
        return cli_usage(c, "confirm", "--charged and --currency go together");
    uint32_t per = 0;
    int64_t charged = 0;
    if (opts[2].set &&
        (rc = cli_parse_u32(c, "confirm", "--seats-per-ticket", opts[2].val, &per)))
        return rc;
    if (opts[4].set &&
        (rc = cli_parse_i64(c, "confirm", "--charged", opts[4].val, &charged)))
        return rc;
    tix_hold *hs[64] = {0};
    for (int i = 0; i < np; i++)
        if ((rc = parse_handle(c, pos[i], &hs[i]))) {
            free_holds(hs, i);
            return rc;
        }
    if ((rc = cli_open(c, 0))) {
        free_holds(hs, np);
        return rc;
    }
    tix_id user = 0;
    if (strchr(opts[0].val, '@')) {
        tix_user *u;
        int trc = tix_user_find_email(c->db, opts[0].val, &u);
        if (trc) {
            free_holds(hs, np);
            return cli_fail(c, trc, "user <%s>", opts[0].val);
        }
        user = u->id;
        tix_user_free(u);
    } else if ((rc = cli_parse_id(c, "confirm", "--user", opts[0].val, &user))) {
        free_holds(hs, np);
        return rc;
    }
    tix_confirm_opts co = {.user_id = user, .payment_ref = opts[1].val,
                           .seats_per_ticket = per, .offer_code = opts[3].val,
                           .expected_currency = opts[5].val,
                           .expected_total_minor = charged};
    tix_id ids[64];
    int trc = np > 1 ? tix_hold_group_confirm(c->db, hs, (size_t)np, &co, ids)
                     : tix_hold_confirm(c->db, hs[0], &co, &ids[0]);
    free_holds(hs, np);
    if (trc) return cli_fail(c, trc, "cannot confirm");
    if (np == 1) return print_booking(c, ids[0]);
    json_t *all = json_array();
    for (int i = 0; i < np && rc == EX_OK; i++)
        rc = print_booking_to(c, ids[i], all);
    if (rc == EX_OK)
        cli_emit(c, json_pack("{s:I, s:o}", "group_id", (json_int_t)ids[0],
                              "bookings", all));
    else
        json_decref(all);
    return rc;
}

static const char cancel_help[] =
    "usage: tix cancel BOOKING [--after-checkin]\n"
    "\n"
    "Cancels (refunds) a booking: its seats are for sale again and its\n"
    "tickets no longer check in. Exit 3 when already cancelled; exit 5\n"
    "(TIX_ECHECKEDIN) when a ticket was already checked in, unless\n"
    "--after-checkin is given: then it is refunded anyway, and the booking\n"
    "and its outbox event record the override.\n";

int cmd_cancel(cli *c, int argc, char **argv)
{
    cli_opt opts[] = {OPT("after-checkin", 0, 0), {0}};
    const char *pos[2];
    int np, rc = cli_parse(c, "cancel", cancel_help, argc, argv, opts, pos, &np, 1);
    if (rc) return rc;
    if (np != 1) return cli_usage(c, "cancel", "give the booking id");
    tix_id id;
    if ((rc = cli_parse_id(c, "cancel", "BOOKING", pos[0], &id))) return rc;
    if ((rc = cli_open(c, 0))) return rc;
    int trc = tix_booking_cancel_ex(c->db, id, opts[0].set
                                                   ? TIX_CANCEL_AFTER_CHECKIN : 0);
    if (trc) return cli_fail(c, trc, "cannot cancel booking %llu", (unsigned long long)id);
    return print_booking(c, id);
}

static const char booking_help[] =
    "usage: tix booking show BOOKING\n"
    "       tix booking list (--user ID | --show ID)\n"
    "\n"
    "Prints a booking with its seats and tickets, or lists bookings.\n";

int cmd_booking(cli *c, int argc, char **argv)
{
    cli_opt opts[] = {OPT("user", 0, 1), OPT("show", 0, 1), {0}};
    const char *pos[3];
    int np, rc = cli_parse(c, "booking", booking_help, argc, argv, opts, pos, &np, 2);
    if (rc) return rc;
    if (np >= 1 && !strcmp(pos[0], "show")) {
        if (np != 2) return cli_usage(c, "booking", "show needs a booking id");
        tix_id id;
        if ((rc = cli_parse_id(c, "booking", "BOOKING", pos[1], &id))) return rc;
        if ((rc = cli_open(c, 0))) return rc;
        return print_booking(c, id);
    }
    if (np == 1 && !strcmp(pos[0], "list")) {
        if (!!opts[0].set == !!opts[1].set)
            return cli_usage(c, "booking", "list needs --user or --show");
        tix_id id;
        if ((rc = cli_parse_id(c, "booking", opts[0].set ? "--user" : "--show",
                               opts[0].set ? opts[0].val : opts[1].val, &id)))
            return rc;
        if ((rc = cli_open(c, 0))) return rc;
        tix_booking_list *l;
        int trc = opts[0].set ? tix_booking_list_by_user(c->db, id, &l)
                              : tix_booking_list_by_show(c->db, id, &l);
        if (trc) return cli_fail(c, trc, "cannot list bookings");
        json_t *a = json_array();
        /* The seats of the show of each booking, for their labels: loaded
         * again only when the show changes (a user's list spans shows). */
        cli_show s = {0};
        int have = 0;
        for (size_t i = 0; i < l->count; i++) {
            const tix_booking *b = &l->items[i];
            if (!have || s.show->id != b->show_id) {
                if (have) cli_show_free(&s);
                have = cli_show_load(c, b->show_id, &s) == EX_OK;
            }
            if (c->json) json_array_append_new(a, booking_json(c, b, have ? &s : NULL));
            else booking_text(b, have ? &s : NULL);
        }
        if (have) cli_show_free(&s);
        tix_booking_list_free(l);
        cli_emit(c, json_pack("{s:o}", "bookings", a));
        return EX_OK;
    }
    return cli_usage(c, "booking", "give show BOOKING or list");
}

/* ------------------------------------------------------------------------ */
/* checkin                                                                   */

static const char checkin_help[] =
    "usage: tix checkin CODE [--gate NAME]\n"
    "\n"
    "Checks a ticket in at a gate (default \"main\"). Case, spaces and\n"
    "dashes in CODE are ignored; a mistyped code is rejected by its check\n"
    "symbol (exit 4). Exit 3 when the ticket was already checked in (the\n"
    "message gives the first time and gate), 5 when its booking was\n"
    "cancelled, 2 for an unknown ticket.\n";

int cmd_checkin(cli *c, int argc, char **argv)
{
    cli_opt opts[] = {OPT("gate", 'g', 1), {0}};
    const char *pos[2];
    int np, rc = cli_parse(c, "checkin", checkin_help, argc, argv, opts, pos, &np, 1);
    if (rc) return rc;
    if (np != 1) return cli_usage(c, "checkin", "give the ticket code");
    const char *gate = opts[0].set ? opts[0].val : "main";
    if ((rc = cli_open(c, 0))) return rc;
    tix_checkin ci;
    memset(&ci, 0, sizeof ci);
    int trc = tix_ticket_checkin(c->db, pos[0], gate, &ci);
    char when[48];
    if (trc == TIX_EALREADY)
        return cli_fail(c, trc, "ticket %s was already checked in at %s, %s",
                        pos[0], ci.gate, cli_iso(when, ci.checked_in_at));
    if (trc) return cli_fail(c, trc, "cannot check in %s", pos[0]);
    if (!c->json)
        printf("checked in %s at %s: booking %llu, show %llu, %zu seat%s\n",
               pos[0], ci.gate, (unsigned long long)ci.booking_id,
               (unsigned long long)ci.show_id, ci.n_seats,
               ci.n_seats == 1 ? "" : "s");
    cli_emit(c, json_pack("{s:s, s:s, s:I, s:I, s:i, s:I}", "code", pos[0],
                          "gate", ci.gate, "booking_id",
                          (json_int_t)ci.booking_id, "show_id",
                          (json_int_t)ci.show_id, "seats", (int)ci.n_seats,
                          "checked_in_at", (json_int_t)ci.checked_in_at));
    return EX_OK;
}

/* ------------------------------------------------------------------------ */
/* block / unblock                                                           */

static const char block_help[] =
    "usage: tix block SHOW SEAT...\n"
    "       tix unblock SHOW SEAT...\n"
    "\n"
    "Takes seats of a show off sale (house seats, a broken seat), all or\n"
    "nothing, or puts admin-blocked seats back on sale. Seats blocked by the\n"
    "layout stay blocked. Exit 3 when a seat is held or booked.\n";

static int block_cmd(cli *c, const char *cmd, int block, int argc, char **argv)
{
    cli_opt opts[] = {{0}};
    const char *pos[258];
    int np, rc = cli_parse(c, cmd, block_help, argc, argv, opts, pos, &np, 257);
    if (rc) return rc;
    if (np < 2) return cli_usage(c, cmd, "give a show id and seats");
    tix_id show;
    if ((rc = cli_parse_id(c, cmd, "SHOW", pos[0], &show))) return rc;
    if ((rc = cli_open(c, 0))) return rc;
    cli_show s;
    if ((rc = cli_show_load(c, show, &s))) return rc;
    uint32_t idx[256];
    size_t n = 0;
    for (int i = 1; i < np; i++)
        if ((rc = cli_seat_parse(c, cmd, &s, pos[i], &idx[n++]))) {
            cli_show_free(&s);
            return rc;
        }
    int trc = block ? tix_seats_block(c->db, show, idx, n)
                    : tix_seats_unblock(c->db, show, idx, n);
    if (trc) {
        cli_show_free(&s);
        return cli_fail(c, trc, "cannot %s seats of show %llu", cmd,
                        (unsigned long long)show);
    }
    if (!c->json)
        printf("%s %zu seat%s of show %llu\n", block ? "blocked" : "unblocked",
               n, n == 1 ? "" : "s", (unsigned long long)show);
    cli_emit(c, json_pack("{s:I, s:o}", "show_id", (json_int_t)show, "seats",
                          cli_seats_json(&s, idx, n)));
    cli_show_free(&s);
    return EX_OK;
}

int cmd_block(cli *c, int argc, char **argv)
{
    return block_cmd(c, "block", 1, argc, argv);
}

int cmd_unblock(cli *c, int argc, char **argv)
{
    return block_cmd(c, "unblock", 0, argc, argv);
}

static const char seat_history_help[] =
    "usage: tix seat-history SHOW SEAT\n"
    "\n"
    "What happened to one seat of a show, for support: its state now (a\n"
    "live hold with its end; holds are not recorded) and its recorded\n"
    "events, oldest first, with their times: booked and cancelled (booking,\n"
    "user), checked in (gate), blocked and unblocked, moved to a sales\n"
    "channel (channel 0: back to the public pool). A seat keeps its 16\n"
    "newest events. SEAT is A5, A-5, A:5 or @17 (index).\n";

static const char *const seat_event_names[] = {
    [TIX_SEAT_EVENT_BOOKED] = "booked", [TIX_SEAT_EVENT_CANCELLED] = "cancelled",
    [TIX_SEAT_EVENT_CHECKED_IN] = "checked_in",
    [TIX_SEAT_EVENT_BLOCKED] = "blocked", [TIX_SEAT_EVENT_UNBLOCKED] = "unblocked",
    [TIX_SEAT_EVENT_CHANNEL] = "channel"};

static const char *const seat_state_names[] = {
    [TIX_SEAT_FREE] = "free", [TIX_SEAT_HELD] = "held",
    [TIX_SEAT_CONFIRMING] = "confirming", [TIX_SEAT_BOOKED] = "booked",
    [TIX_SEAT_UNAVAILABLE] = "unavailable"};

static const char *seat_event_name(tix_seat_event_type t)
{
    return (unsigned)t <= TIX_SEAT_EVENT_CHANNEL && seat_event_names[t]
               ? seat_event_names[t] : "unknown";
}

static json_t *seat_event_json(const tix_seat_event *e)
{
    char t[48];
    return json_pack("{s:s, s:I, s:s, s:I, s:I, s:s, s:I}", "type",
                     seat_event_name(e->type), "at", (json_int_t)e->at, "time",
                     cli_iso(t, e->at), "booking_id", (json_int_t)e->booking_id,
                     "user_id", (json_int_t)e->user_id, "gate", e->gate,
                     "channel_id", (json_int_t)e->channel_id);
}

static void print_seat_history(const tix_seat_history *h, const char *name)
{
    char t[48];
    printf("seat %s of show %llu: %s", name, (unsigned long long)h->show_id,
           seat_state_names[h->state]);
    if (h->held_until) printf(" until %s", cli_iso(t, h->held_until));
    printf("\n");
    if (!h->count) printf("no recorded events\n");
    for (size_t i = 0; i < h->count; i++) {
        const tix_seat_event *e = &h->items[i];
        printf("%s  %-10s", cli_iso(t, e->at), seat_event_name(e->type));
        if (e->booking_id)
            printf("  booking %llu  user %llu", (unsigned long long)e->booking_id,
                   (unsigned long long)e->user_id);
        if (e->gate[0]) printf("  gate %s", e->gate);
        if (e->type == TIX_SEAT_EVENT_CHANNEL)
            printf("  channel %llu", (unsigned long long)e->channel_id);
        printf("\n");
    }
}

int cmd_seat_history(cli *c, int argc, char **argv)
{
    cli_opt opts[] = {{0}};
    const char *pos[3];
    int np, rc = cli_parse(c, "seat-history", seat_history_help, argc, argv,
                           opts, pos, &np, 2);
    if (rc) return rc;
    if (np != 2) return cli_usage(c, "seat-history", "give a show id and a seat");
    tix_id show;
    if ((rc = cli_parse_id(c, "seat-history", "SHOW", pos[0], &show))) return rc;
    if ((rc = cli_open(c, 0))) return rc;
    cli_show s;
    if ((rc = cli_show_load(c, show, &s))) return rc;
    uint32_t seat;
    tix_seat_history *h = NULL;
    int trc = 0;
    if ((rc = cli_seat_parse(c, "seat-history", &s, pos[1], &seat)) == 0)
        trc = tix_seat_history_get(c->db, show, seat, &h);
    if (rc == 0 && trc) rc = cli_fail(c, trc, "history of seat %s", pos[1]);
    if (rc == 0) {
        char name[32];
        cli_seat_name(name, &s, seat);
        if (!c->json) print_seat_history(h, name);
        json_t *ev = json_array();
        for (size_t i = 0; i < h->count; i++)
            json_array_append_new(ev, seat_event_json(&h->items[i]));
        cli_emit(c, json_pack("{s:I, s:i, s:s, s:s, s:I, s:o}", "show_id",
                              (json_int_t)show, "seat", (int)seat, "label", name,
                              "state", seat_state_names[h->state], "held_until",
                              (json_int_t)h->held_until, "events", ev));
    }
    tix_seat_history_free(h);
    cli_show_free(&s);
    return rc;
}
