/* Catalog listings: place, venue, screen, tier (the records an import
 * makes), and a show's live holds. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char *kind_name(tix_place_kind k)
{
    return k == TIX_PLACE_COUNTRY ? "country" : k == TIX_PLACE_STATE ? "state"
                                                                     : "city";
}

int cli_delete(cli *c, const char *noun, const char *word,
               int (*del)(tix_db *db, tix_id id))
{
    tix_id id;
    int rc = cli_parse_id(c, noun, "ID", word, &id);
    if (rc || (rc = cli_open(c, 0))) return rc;
    int trc = del(c->db, id);
    if (trc) return cli_fail(c, trc, "cannot delete %s %llu", noun,
                             (unsigned long long)id);
    if (!c->json) printf("%s %llu deleted\n", noun, (unsigned long long)id);
    cli_emit(c, json_pack("{s:s, s:I, s:b}", "kind", noun, "id",
                          (json_int_t)id, "deleted", 1));
    return EX_OK;
}

/* The one positional word a listing takes: "list". */
static int want_list(cli *c, const char *cmd, int np, const char **pos)
{
    if (np == 1 && !strcmp(pos[0], "list")) return 0;
    return cli_usage(c, cmd, np ? "unknown subcommand '%s'" : "give list%s",
                     np ? pos[0] : "");
}

/* ------------------------------------------------------------------------ */
/* place                                                                     */

static const char place_help[] =
    "usage: tix place list [--parent ID]\n"
    "       tix place delete ID\n"
    "\n"
    "Lists places by name: the countries, or the places in --parent (a\n"
    "country's states, a state's cities), with kind, time zone and fixed\n"
    "UTC offset.\n"
    "\n"
    "delete removes a record nothing refers to (in place, venue, screen,\n"
    "tier, movie and user alike); exit 3 (TIX_EBUSY) names one that does:\n"
    "\"place 3 has venues (venue 7)\". A screen with seats stays.\n";

int cmd_place(cli *c, int argc, char **argv)
{
    cli_opt opts[] = {OPT("parent", 0, 1), {0}};
    const char *pos[3];
    int np, rc = cli_parse(c, "place", place_help, argc, argv, opts, pos, &np, 2);
    if (rc == 0 && np == 2 && !strcmp(pos[0], "delete"))
        return cli_delete(c, "place", pos[1], tix_place_delete);
    if (rc || (rc = want_list(c, "place", np, pos))) return rc;
    tix_id parent = 0;
    if (opts[0].set && (rc = cli_parse_id(c, "place", "--parent", opts[0].val, &parent)))
        return rc;
    if ((rc = cli_open(c, TIX_OPEN_READONLY))) return rc;
    if (parent) {
        tix_place *p;
        int trc = tix_place_get(c->db, parent, &p);
        if (trc) return cli_fail(c, trc, "place %llu", (unsigned long long)parent);
        tix_place_free(p);
    }
    tix_place_list *l;
    int trc = tix_place_list_by_parent(c->db, parent, &l);
    if (trc) return cli_fail(c, trc, "cannot list places");
    json_t *a = json_array();
    for (size_t i = 0; i < l->count; i++) {
        const tix_place *p = &l->items[i];
        const char *tz = p->time_zone ? p->time_zone : "";
        if (c->json)
            json_array_append_new(
                a, json_pack("{s:I, s:s, s:I, s:s, s:s, s:i}", "id",
                             (json_int_t)p->id, "kind", kind_name(p->kind),
                             "parent_id", (json_int_t)p->parent_id, "name",
                             p->name, "time_zone", tz, "utc_offset_min",
                             (int)p->utc_offset_min));
        else
            printf("%-6llu %-7s %-30s %s%s(%+d min)\n", (unsigned long long)p->id,
                   kind_name(p->kind), p->name, tz, *tz ? " " : "",
                   (int)p->utc_offset_min);
    }
    if (!c->json && !l->count) printf("no places\n");
    tix_place_list_free(l);
    cli_emit(c, json_pack("{s:I, s:o}", "parent_id", (json_int_t)parent,
                          "places", a));
    return EX_OK;
}

/* ------------------------------------------------------------------------ */
/* venue                                                                     */

static const char venue_help[] =
    "usage: tix venue list --city ID|NAME\n"
    "       tix venue delete ID\n"
    "\n"
    "Lists the venues of a city (an id, or a name in any case) by name.\n";

int cmd_venue(cli *c, int argc, char **argv)
{
    cli_opt opts[] = {OPT("city", 0, 1), {0}};
    const char *pos[3];
    int np, rc = cli_parse(c, "venue", venue_help, argc, argv, opts, pos, &np, 2);
    if (rc == 0 && np == 2 && !strcmp(pos[0], "delete"))
        return cli_delete(c, "venue", pos[1], tix_venue_delete);
    if (rc || (rc = want_list(c, "venue", np, pos))) return rc;
    if (!opts[0].set) return cli_usage(c, "venue", "list needs --city");
    if ((rc = cli_open(c, TIX_OPEN_READONLY))) return rc;
    tix_id city;
    if ((rc = cli_find_city(c, "venue", opts[0].val, &city))) return rc;
    tix_venue_list *l;
    int trc = tix_venue_list_by_city(c->db, city, &l);
    if (trc) return cli_fail(c, trc, "cannot list venues");
    json_t *a = json_array();
    for (size_t i = 0; i < l->count; i++) {
        const tix_venue *v = &l->items[i];
        if (c->json)
            json_array_append_new(
                a, json_pack("{s:I, s:I, s:s, s:s, s:f, s:f}", "id",
                             (json_int_t)v->id, "city_id", (json_int_t)v->city_id,
                             "name", v->name, "address", v->address, "lat",
                             v->lat, "lon", v->lon));
        else
            printf("%-6llu %-40s %.5f,%.5f\n", (unsigned long long)v->id,
                   v->name, v->lat, v->lon);
    }
    if (!c->json && !l->count) printf("no venues\n");
    tix_venue_list_free(l);
    cli_emit(c, json_pack("{s:I, s:o}", "city_id", (json_int_t)city, "venues", a));
    return EX_OK;
}

/* ------------------------------------------------------------------------ */
/* screen                                                                    */

static const char screen_help[] =
    "usage: tix screen list --venue ID\n"
    "       tix screen delete ID\n"
    "\n"
    "Lists the screens (halls, stands) of a venue by name, with their seat\n"
    "counts.\n";

int cmd_screen(cli *c, int argc, char **argv)
{
    cli_opt opts[] = {OPT("venue", 0, 1), {0}};
    const char *pos[3];
    int np, rc = cli_parse(c, "screen", screen_help, argc, argv, opts, pos, &np, 2);
    if (rc == 0 && np == 2 && !strcmp(pos[0], "delete"))
        return cli_delete(c, "screen", pos[1], tix_screen_delete);
    if (rc || (rc = want_list(c, "screen", np, pos))) return rc;
    if (!opts[0].set) return cli_usage(c, "screen", "list needs --venue");
    tix_id venue;
    if ((rc = cli_parse_id(c, "screen", "--venue", opts[0].val, &venue))) return rc;
    if ((rc = cli_open(c, TIX_OPEN_READONLY))) return rc;
    tix_venue *v;
    int trc = tix_venue_get(c->db, venue, &v);
    if (trc) return cli_fail(c, trc, "venue %llu", (unsigned long long)venue);
    tix_venue_free(v);
    tix_screen_list *l;
    trc = tix_screen_list_by_venue(c->db, venue, &l);
    if (trc) return cli_fail(c, trc, "cannot list screens");
    json_t *a = json_array();
    for (size_t i = 0; i < l->count; i++) {
        const tix_screen *s = &l->items[i];
        if (c->json)
            json_array_append_new(
                a, json_pack("{s:I, s:I, s:s, s:i, s:f, s:f}", "id",
                             (json_int_t)s->id, "venue_id", (json_int_t)s->venue_id,
                             "name", s->name, "seat_count", (int)s->seat_count,
                             "ideal_x", s->ideal_x, "ideal_y", s->ideal_y));
        else
            printf("%-6llu %-30s %7u seats\n", (unsigned long long)s->id,
                   s->name, s->seat_count);
    }
    if (!c->json && !l->count) printf("no screens\n");
    tix_screen_list_free(l);
    cli_emit(c, json_pack("{s:I, s:o}", "venue_id", (json_int_t)venue, "screens", a));
    return EX_OK;
}

/* ------------------------------------------------------------------------ */
/* tier                                                                      */

static const char tier_help[] =
    "usage: tix tier list --screen ID\n"
    "       tix tier delete ID\n"
    "\n"
    "Lists the price tiers of a screen, cheapest first, with their prices.\n";

int cmd_tier(cli *c, int argc, char **argv)
{
    cli_opt opts[] = {OPT("screen", 0, 1), {0}};
    const char *pos[3];
    int np, rc = cli_parse(c, "tier", tier_help, argc, argv, opts, pos, &np, 2);
    if (rc == 0 && np == 2 && !strcmp(pos[0], "delete"))
        return cli_delete(c, "tier", pos[1], tix_tier_delete);
    if (rc || (rc = want_list(c, "tier", np, pos))) return rc;
    if (!opts[0].set) return cli_usage(c, "tier", "list needs --screen");
    tix_id screen;
    if ((rc = cli_parse_id(c, "tier", "--screen", opts[0].val, &screen))) return rc;
    if ((rc = cli_open(c, TIX_OPEN_READONLY))) return rc;
    tix_screen *s;
    int trc = tix_screen_get(c->db, screen, &s);
    if (trc) return cli_fail(c, trc, "screen %llu", (unsigned long long)screen);
    tix_screen_free(s);
    tix_tier_list *l;
    trc = tix_tier_list_by_screen(c->db, screen, &l);
    if (trc) return cli_fail(c, trc, "cannot list tiers");
    json_t *a = json_array();
    for (size_t i = 0; i < l->count; i++) {
        const tix_tier *t = &l->items[i];
        char price[48];
        cli_price(price, t->price_minor, t->currency);
        if (c->json)
            json_array_append_new(
                a, json_pack("{s:I, s:I, s:s, s:I, s:s, s:s}", "id",
                             (json_int_t)t->id, "screen_id", (json_int_t)t->screen_id,
                             "name", t->name, "price_minor",
                             (json_int_t)t->price_minor, "currency", t->currency,
                             "price", price));
        else
            printf("%-6llu %-24s %s\n", (unsigned long long)t->id, t->name, price);
    }
    if (!c->json && !l->count) printf("no tiers\n");
    tix_tier_list_free(l);
    cli_emit(c, json_pack("{s:I, s:o}", "screen_id", (json_int_t)screen, "tiers", a));
    return EX_OK;
}

/* ------------------------------------------------------------------------ */
/* holds                                                                     */

static const char holds_help[] =
    "usage: tix holds SHOW\n"
    "\n"
    "Lists the live holds of a show, soonest end first: each hold's tag\n"
    "(the seat map keeps a 32-bit tag per hold, never its handle), its end,\n"
    "and its seats by row and number. \"confirming\" marks a hold whose\n"
    "confirm is being committed. Holds that ran out are not listed.\n";

int cmd_holds(cli *c, int argc, char **argv)
{
    cli_opt opts[] = {{0}};
    const char *pos[2];
    int np, rc = cli_parse(c, "holds", holds_help, argc, argv, opts, pos, &np, 1);
    if (rc) return rc;
    if (np != 1) return cli_usage(c, "holds", "give a show id");
    tix_id show;
    if ((rc = cli_parse_id(c, "holds", "SHOW", pos[0], &show))) return rc;
    if ((rc = cli_open(c, 0))) return rc;
    cli_show s;
    if ((rc = cli_show_load(c, show, &s))) return rc;
    tix_live_hold_list *l;
    int trc = tix_show_live_holds(c->db, show, &l);
    if (trc) {
        cli_show_free(&s);
        return cli_fail(c, trc, "holds of show %llu", (unsigned long long)show);
    }
    json_t *a = json_array();
    for (size_t i = 0; i < l->count; i++) {
        const tix_live_hold *h = &l->items[i];
        char until[48], tag[16];
        snprintf(tag, sizeof tag, "%08x", h->tag);
        cli_iso(until, h->expires_at);
        if (c->json) {
            json_array_append_new(
                a, json_pack("{s:s, s:I, s:s, s:b, s:o}", "tag", tag,
                             "expires_at", (json_int_t)h->expires_at,
                             "expires_utc", until, "confirming", h->confirming,
                             "seats", cli_seats_json(&s, h->seats, h->n_seats)));
            continue;
        }
        printf("%s  until %s%s  %zu seat%s:", tag, until,
               h->confirming ? "  confirming" : "", h->n_seats,
               h->n_seats == 1 ? "" : "s");
        for (size_t k = 0; k < h->n_seats; k++) {
            char nm[32];
            printf(" %s", cli_seat_name(nm, &s, h->seats[k]));
        }
        putchar('\n');
    }
    if (!c->json && !l->count) printf("no live holds on show %llu\n",
                                      (unsigned long long)show);
    cli_emit(c, json_pack("{s:I, s:i, s:o}", "show_id", (json_int_t)show,
                          "seats_held", (int)l->n_seats, "holds", a));
    tix_live_hold_list_free(l);
    cli_show_free(&s);
    return EX_OK;
}
