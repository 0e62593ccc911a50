/* Catalog commands: movie, user, show. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "cli.h"

/* ------------------------------------------------------------------------ */
/* movie                                                                     */

static const char movie_help[] =
    "usage: tix movie add --title TITLE --duration MIN [--certificate C]\n"
    "                     [--language L]... [--genre G]... [--synopsis TEXT]\n"
    "       tix movie list [--after ID] [--limit N]\n"
    "       tix movie update MOVIE --max-per-user N\n"
    "       tix movie delete MOVIE\n"
    "\n"
    "Adds a movie (prints its id) or lists movies by id. update caps the\n"
    "seats one user may book over all the movie's shows (0 removes it).\n";

static json_t *strlist_json(const char *const *v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++) json_array_append_new(a, json_string(v[i]));
    return a;
}

static int movie_update(cli *c, cli_opt *opts, const char *word)
{
    tix_id movie;
    uint32_t cap;
    cli_opt *ocap = cli_find(opts, "max-per-user");
    int rc;
    if (!ocap->set) return cli_usage(c, "movie", "update needs --max-per-user");
    if ((rc = cli_parse_id(c, "movie", "MOVIE", word, &movie)) ||
        (rc = cli_parse_u32(c, "movie", "--max-per-user", ocap->val, &cap)))
        return rc;
    if ((rc = cli_open(c, 0))) return rc;
    int trc = tix_movie_set_user_cap(c->db, movie, cap);
    if (trc) return cli_fail(c, trc, "cannot set the cap of movie %llu",
                             (unsigned long long)movie);
    if (!c->json) printf("movie %llu: at most %u seats per user%s\n",
                         (unsigned long long)movie, cap, cap ? "" : " (no cap)");
    cli_emit(c, json_pack("{s:I, s:i}", "movie_id", (json_int_t)movie,
                          "max_per_user", (int)cap));
    return EX_OK;
}

int cmd_movie(cli *c, int argc, char **argv)
{
    cli_opt opts[] = {OPT("title", 't', 1),    OPT("duration", 'd', 1),
                      OPT("certificate", 0, 1), OPT("language", 0, 2),
                      OPT("genre", 0, 2),       OPT("synopsis", 0, 1),
                      OPT("after", 0, 1),       OPT("limit", 0, 1),
                      OPT("max-per-user", 0, 1),
                      {0}};
    const char *pos[3];
    int np, rc = cli_parse(c, "movie", movie_help, argc, argv, opts, pos, &np, 2);
    if (rc) return rc;
    if (np == 2 && !strcmp(pos[0], "update")) return movie_update(c, opts, pos[1]);
    if (np == 2 && !strcmp(pos[0], "delete"))
        return cli_delete(c, "movie", pos[1], tix_movie_delete);
    if (np != 1) return cli_usage(c, "movie", "give add, list or update MOVIE");
    if (!strcmp(pos[0], "add")) {
        if (!opts[0].set || !opts[1].set)
            return cli_usage(c, "movie", "add needs --title and --duration");
        uint32_t dur;
        if ((rc = cli_parse_u32(c, "movie", "--duration", opts[1].val, &dur)))
            return rc;
        tix_movie m = {.title = opts[0].val, .duration_min = dur,
                       .certificate = opts[2].val, .synopsis = opts[5].val,
                       .languages = opts[3].vals, .n_languages = (size_t)opts[3].nvals,
                       .genres = opts[4].vals, .n_genres = (size_t)opts[4].nvals};
        if ((rc = cli_open(c, 0))) return rc;
        tix_id id;
        int trc = tix_movie_create(c->db, &m, &id);
        if (trc) return cli_fail(c, trc, "cannot add movie '%s'", m.title);
        if (!c->json) printf("%llu\n", (unsigned long long)id);
        cli_emit(c, json_pack("{s:I, s:s}", "movie_id", (json_int_t)id, "title",
                              m.title));
        return EX_OK;
    }
    if (!strcmp(pos[0], "list")) {
        tix_id after = 0;
        uint32_t limit = 0;
        if (opts[6].set && (rc = cli_parse_id(c, "movie", "--after", opts[6].val, &after)))
            return rc;
        if (opts[7].set && (rc = cli_parse_u32(c, "movie", "--limit", opts[7].val, &limit)))
            return rc;
        if ((rc = cli_open(c, TIX_OPEN_READONLY))) return rc;
        tix_movie_list *l;
        int trc = tix_movie_list_all(c->db, after, limit, &l);
        if (trc) return cli_fail(c, trc, "cannot list movies");
        json_t *a = json_array();
        for (size_t i = 0; i < l->count; i++) {
            const tix_movie *m = &l->items[i];
            if (c->json)
                json_array_append_new(
                    a, json_pack("{s:I, s:s, s:i, s:s, s:o, s:o}", "id",
                                 (json_int_t)m->id, "title", m->title,
                                 "duration_min", (int)m->duration_min,
                                 "certificate", m->certificate, "languages",
                                 strlist_json(m->languages, m->n_languages),
                                 "genres", strlist_json(m->genres, m->n_genres)));
            else
                printf("%-6llu %-40s %4u min %s\n", (unsigned long long)m->id,
                       m->title, m->duration_min, m->certificate);
        }
        tix_movie_list_free(l);
        cli_emit(c, json_pack("{s:o}", "movies", a));
        return EX_OK;
    }
    return cli_usage(c, "movie", "unknown subcommand '%s'", pos[0]);
}

/* ------------------------------------------------------------------------ */
/* user                                                                      */

static const char user_help[] =
    "usage: tix user add --name NAME --email EMAIL [--phone +E164]\n"
    "                    [--city ID] [--language L]... [--genre G]...\n"
    "       tix user list [--after ID] [--limit N]\n"
    "       tix user find EMAIL\n"
    "       tix user delete USER\n"
    "\n"
    "Adds a customer (prints the id), lists them, or finds one by e-mail.\n";

static json_t *user_json(const tix_user *u)
{
    return json_pack("{s:I, s:s, s:s, s:s, s:I}", "id", (json_int_t)u->id,
                     "name", u->name, "email", u->email, "phone", u->phone,
                     "home_city_id", (json_int_t)u->home_city_id);
}

int cmd_user(cli *c, int argc, char **argv)
{
    cli_opt opts[] = {OPT("name", 'n', 1),  OPT("email", 'e', 1), OPT("phone", 0, 1),
                      OPT("city", 0, 1),    OPT("language", 0, 2), OPT("genre", 0, 2),
                      OPT("after", 0, 1),   OPT("limit", 0, 1),    {0}};
    const char *pos[3];
    int np, rc = cli_parse(c, "user", user_help, argc, argv, opts, pos, &np, 2);
    if (rc) return rc;
    if (np < 1) return cli_usage(c, "user", "give add, list, find or delete");
    if (np == 2 && !strcmp(pos[0], "delete"))
        return cli_delete(c, "user", pos[1], tix_user_delete);
    if (!strcmp(pos[0], "add")) {
        if (!opts[0].set || !opts[1].set)
            return cli_usage(c, "user", "add needs --name and --email");
        tix_id city = 0;
        if (opts[3].set && (rc = cli_parse_id(c, "user", "--city", opts[3].val, &city)))
            return rc;
        tix_user u = {.name = opts[0].val, .email = opts[1].val,
                      .phone = opts[2].val, .home_city_id = city,
                      .languages = opts[4].vals, .n_languages = (size_t)opts[4].nvals,
                      .genres = opts[5].vals, .n_genres = (size_t)opts[5].nvals};
        if ((rc = cli_open(c, 0))) return rc;
        tix_id id;
        int trc = tix_user_create(c->db, &u, &id);
        if (trc) return cli_fail(c, trc, "cannot add user <%s>", u.email);
        if (!c->json) printf("%llu\n", (unsigned long long)id);
        cli_emit(c, json_pack("{s:I, s:s}", "user_id", (json_int_t)id, "email",
                              u.email));
        return EX_OK;
    }
    if (!strcmp(pos[0], "find")) {
        if (np != 2) return cli_usage(c, "user", "find needs an e-mail");
        if ((rc = cli_open(c, TIX_OPEN_READONLY))) return rc;
        tix_user *u;
        int trc = tix_user_find_email(c->db, pos[1], &u);
        if (trc) return cli_fail(c, trc, "user <%s>", pos[1]);
        if (!c->json)
            printf("%llu %s <%s> %s\n", (unsigned long long)u->id, u->name,
                   u->email, u->phone);
        cli_emit(c, user_json(u));
        tix_user_free(u);
        return EX_OK;
    }
    if (!strcmp(pos[0], "list")) {
        tix_id after = 0;
        uint32_t limit = 0;
        if (opts[6].set && (rc = cli_parse_id(c, "user", "--after", opts[6].val, &after)))
            return rc;
        if (opts[7].set && (rc = cli_parse_u32(c, "user", "--limit", opts[7].val, &limit)))
            return rc;
        if ((rc = cli_open(c, TIX_OPEN_READONLY))) return rc;
        tix_user_list *l;
        int trc = tix_user_list_all(c->db, after, limit, &l);
        if (trc) return cli_fail(c, trc, "cannot list users");
        json_t *a = json_array();
        for (size_t i = 0; i < l->count; i++) {
            if (c->json) json_array_append_new(a, user_json(&l->items[i]));
            else
                printf("%-6llu %-30s <%s>\n",
                       (unsigned long long)l->items[i].id, l->items[i].name,
                       l->items[i].email);
        }
        tix_user_list_free(l);
        cli_emit(c, json_pack("{s:o}", "users", a));
        return EX_OK;
    }
    return cli_usage(c, "user", "unknown subcommand '%s'", pos[0]);
}

/* ------------------------------------------------------------------------ */
/* show                                                                      */

static const char show_help[] =
    "usage: tix show create --movie ID --screen ID --start TIME [--allow-past]\n"
    "                       [--max-per-user N]\n"
    "       tix show update SHOW --max-per-user N\n"
    "       tix show caps SHOW [--user ID]\n"
    "       tix show cancel SHOW [--reason TEXT]\n"
    "       tix show reschedule SHOW --start TIME\n"
    "       tix show list (--city ID|NAME | --venue ID) [--date YYYY-MM-DD]\n"
    "                     [--movie ID]\n"
    "\n"
    "--max-per-user caps the seats one user may book of the show (0 removes\n"
    "the cap; seats already booked count); a confirm past it exits 5\n"
    "(TIX_ELIMIT). caps prints the show's and its movie's caps and, with\n"
    "--user, what that user has booked under them.\n"
    "\n"
    "cancel calls the show off: every live booking is refunded (checked-in\n"
    "ones too; one cancelled event each in the outbox, then one\n"
    "show_cancelled event with the reason), every seat is blocked for good\n"
    "and holds on it are refused. Exit 3 while a seat is held or being\n"
    "confirmed (nothing changed: retry once it is released or expired)\n"
    "and when the show is already cancelled; exit 5 once it has ended.\n"
    "\n"
    "reschedule moves the show to TIME (as for create), its length kept;\n"
    "holds and bookings stay, and each live booking gets a rescheduled\n"
    "event in the outbox with the old start. Exit 3 when the new slot\n"
    "overlaps another show, 4 for a time in the past, 5 for a cancelled or\n"
    "ended show.\n"
    "\n"
    "create schedules a show; TIME is Unix seconds, or\n"
    "YYYY-MM-DDTHH:MM[:SS] followed by Z or +HH:MM / -HH:MM, or without a\n"
    "zone for the local time of the screen's city (its time zone, summer\n"
    "time included, or its fixed offset). A date that does not exist\n"
    "(2027-02-30) is refused with exit 4. Prints the show id.\n"
    "Exit 3 when it overlaps another show on the screen (cleaning gap\n"
    "included). A start in the past is refused (exit 4) unless\n"
    "--allow-past is given (an admin recording history).\n"
    "\n"
    "list prints the shows of a city (all movies, or --movie) or a venue on\n"
    "a local date (default: today in that city), by start time.\n";

/* Days from 1970-01-01 of a civil date (proleptic Gregorian). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

/* 1 when y-m-d is a real date: 2027-02-30 is not 2 March. */
static int civil_valid(int y, int m, int d)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1 || m < 1 || m > 12 || d < 1) return 0;
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return d <= days[m - 1] + (m == 2 && leap);
}

/* Parses TIME; *zoned 0 when no zone was given (then *t is local).
 * Returns 0, -1 when malformed, -2 when well-formed but no real date or
 * time (2027-02-30, 24:00, +15:00). */
int cli_parse_time(const char *s, int64_t *t, int *zoned)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (!errno && *end == 0 && *s) {
        *t = v;
        *zoned = 1;
        return 0;
    }
    int y, mo, d, h, mi, sec = 0, n = 0;
    if (sscanf(s, "%4d-%2d-%2d%*[T ]%2d:%2d%n", &y, &mo, &d, &h, &mi, &n) < 5)
        return -1;
    const char *p = s + n;
    if (*p == ':') {
        int m2 = 0;
        if (sscanf(p, ":%2d%n", &sec, &m2) < 1) return -1;
        p += m2;
    }
    if (!civil_valid(y, mo, d) || h < 0 || h > 23 || mi < 0 || mi > 59 ||
        sec < 0 || sec > 59)
        return -2;
    int64_t base = days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 +
                   h * 3600 + mi * 60 + sec;
    if (*p == 0) {
        *t = base;
        *zoned = 0;
        return 0;
    }
    if (*p == 'Z' && p[1] == 0) {
        *t = base;
        *zoned = 1;
        return 0;
    }
    int oh, om;
    if ((*p == '+' || *p == '-') && sscanf(p + 1, "%2d:%2d", &oh, &om) == 2 &&
        strlen(p) == 6) {
        if (oh < 0 || oh > 14 || om < 0 || om > 59) return -2;
        int off = oh * 60 + om;
        *t = base - (int64_t)(*p == '-' ? -off : off) * 60;
        *zoned = 1;
        return 0;
    }
    return -1;
}

static json_t *show_json(cli *c, const tix_show *s)
{
    char a[48], b[48];
    int32_t off = cli_city_offset(c, s->city_id, s->start);
    json_t *o = json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:s, s:s, s:i, "
                          "s:i}",
                          "id", (json_int_t)s->id, "movie_id",
                          (json_int_t)s->movie_id, "screen_id",
                          (json_int_t)s->screen_id, "venue_id",
                          (json_int_t)s->venue_id, "city_id",
                          (json_int_t)s->city_id, "start", (json_int_t)s->start,
                          "end", (json_int_t)s->end, "start_local",
                          cli_time(a, s->start, off), "start_utc",
                          cli_iso(b, s->start), "local_date",
                          (int)s->local_date, "seat_count", (int)s->seat_count);
    json_object_set_new(o, "cancelled",
                        json_boolean(s->flags & TIX_SHOW_CANCELLED));
    tix_avail *av;
    if (tix_show_availability(c->db, s->id, &av) == TIX_OK) {
        json_object_set_new(o, "free", json_integer(av->all.free));
        tix_avail_free(av);
    }
    return o;
}

/* A place id given for a city must be one: a state's or a venue's id
 * would list no shows without saying why. */
static int city_id_check(cli *c, tix_id id)
{
    tix_place *p;
    int trc = tix_place_get(c->db, id, &p);
    if (trc) return cli_fail(c, trc, "city %llu", (unsigned long long)id);
    int kind = p->kind;
    tix_place_free(p);
    if (kind != TIX_PLACE_CITY)
        return cli_error(c, EX_INVALID, "TIX_EINVAL",
                         "place %llu is a %s, not a city",
                         (unsigned long long)id,
                         kind == TIX_PLACE_COUNTRY ? "country" : "state");
    return 0;
}

int cli_find_city(cli *c, const char *cmd, const char *s, tix_id *out)
{
    if (s[0] >= '0' && s[0] <= '9') {
        int rc = cli_parse_id(c, cmd, "--city", s, out);
        return rc ? rc : city_id_check(c, *out);
    }
    tix_place_list *countries = NULL;
    int found = 0;
    if (tix_place_list_by_parent(c->db, 0, &countries) == TIX_OK) {
        for (size_t i = 0; i < countries->count && !found; i++) {
            tix_place_list *states = NULL;
            if (tix_place_list_by_parent(c->db, countries->items[i].id, &states))
                continue;
            for (size_t j = 0; j < states->count && !found; j++) {
                tix_place_list *cities = NULL;
                if (tix_place_list_by_parent(c->db, states->items[j].id, &cities))
                    continue;
                /* The exact name first; else ASCII case does not matter
                 * ("mumbai" is Mumbai). */
                for (int pass = 0; pass < 2 && !found; pass++)
                    for (size_t k = 0; k < cities->count && !found; k++)
                        if (pass ? !strcasecmp(cities->items[k].name, s)
                                 : !strcmp(cities->items[k].name, s)) {
                            *out = cities->items[k].id;
                            found = 1;
                        }
                tix_place_list_free(cities);
            }
            tix_place_list_free(states);
        }
        tix_place_list_free(countries);
    }
    if (!found)
        return cli_error(c, EX_NOTFOUND, "TIX_ENOTFOUND", "no city named '%s'", s);
    return 0;
}

/* The UTC time of a wall-clock time @p local in a city: the offset is
 * looked up at the first guess, then at the result, which settles it
 * across a summer-time change (a time in the skipped hour moves by it). */
static int64_t local_to_utc(cli *c, tix_id city, int64_t local)
{
    int64_t guess = local - (int64_t)cli_city_offset(c, city, local) * 60;
    return local - (int64_t)cli_city_offset(c, city, guess) * 60;
}

static uint32_t today(cli *c, int32_t off)
{
    time_t t = (time_t)(tix_db_now(c->db) + (int64_t)off * 60);
    struct tm tm;
    gmtime_r(&t, &tm);
    return (uint32_t)((tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 +
                      tm.tm_mday);
}

/* --start TIME: Unix seconds, or ISO 8601 with a zone (*zoned) or
 * without (local time, see show_time_local). Before the store opens, so a
 * bad time is a usage error whatever the store holds. */
static int show_time_parse(cli *c, const char *val, int64_t *start,
                           int *zoned)
{
    int prc = cli_parse_time(val, start, zoned);
    if (prc == -2)
        return cli_error(c, EX_INVALID, "TIX_EINVAL", "--start '%s' is not a "
                         "real date and time (month days, 00:00..23:59:59, "
                         "offsets up to 14:59)", val);
    if (prc)
        return cli_usage(c, "show", "--start '%s': give Unix seconds or "
                         "YYYY-MM-DDTHH:MM[:SS][Z|+HH:MM]", val);
    return EX_OK;
}

/* An unzoned --start is the local time of @p screen's city (its time
 * zone, summer time included); the screen must exist either way. */
static int show_time_local(cli *c, tix_id screen, int zoned, int64_t *start)
{
    tix_screen *scr;
    int trc = tix_screen_get(c->db, screen, &scr);
    if (trc) return cli_fail(c, trc, "screen %llu", (unsigned long long)screen);
    tix_venue *v;
    trc = tix_venue_get(c->db, scr->venue_id, &v);
    tix_screen_free(scr);
    if (trc) return cli_fail(c, trc, "venue of screen %llu", (unsigned long long)screen);
    tix_id city = v->city_id;
    tix_venue_free(v);
    if (!zoned) *start = local_to_utc(c, city, *start);
    return EX_OK;
}

static int show_reschedule(cli *c, cli_opt *opts, const char *word)
{
    tix_id show;
    cli_opt *ot = cli_find(opts, "start");
    int rc = cli_parse_id(c, "show", "SHOW", word, &show);
    if (rc) return rc;
    if (!ot->set) return cli_usage(c, "show", "reschedule needs --start");
    int64_t start;
    int zoned;
    if ((rc = show_time_parse(c, ot->val, &start, &zoned)) ||
        (rc = cli_open(c, 0)))
        return rc;
    tix_show *s;
    int trc = tix_show_get(c->db, show, &s);
    if (trc) return cli_fail(c, trc, "show %llu", (unsigned long long)show);
    tix_id screen = s->screen_id;
    tix_show_free(s);
    if ((rc = show_time_local(c, screen, zoned, &start))) return rc;
    trc = tix_show_reschedule(c->db, show, start);
    if (trc) return cli_fail(c, trc, "cannot reschedule show %llu",
                             (unsigned long long)show);
    if ((trc = tix_show_get(c->db, show, &s)))
        return cli_fail(c, trc, "show %llu", (unsigned long long)show);
    if (!c->json) {
        char t[48];
        printf("show %llu now starts %s\n", (unsigned long long)show,
               cli_time(t, s->start, cli_city_offset(c, s->city_id, s->start)));
    }
    json_t *o = json_pack("{s:I, s:o}", "show_id", (json_int_t)show, "show",
                          show_json(c, s));
    tix_show_free(s);
    cli_emit(c, o);
    return EX_OK;
}

static int show_create(cli *c, cli_opt *opts)
{
    cli_opt *om = cli_find(opts, "movie"), *os = cli_find(opts, "screen"),
            *ot = cli_find(opts, "start");
    if (!om->set || !os->set || !ot->set)
        return cli_usage(c, "show", "create needs --movie, --screen and --start");
    tix_id movie, screen;
    int rc;
    if ((rc = cli_parse_id(c, "show", "--movie", om->val, &movie)) ||
        (rc = cli_parse_id(c, "show", "--screen", os->val, &screen)))
        return rc;
    int64_t start;
    int zoned;
    if ((rc = show_time_parse(c, ot->val, &start, &zoned))) return rc;
    uint32_t cap = 0;
    cli_opt *ocap = cli_find(opts, "max-per-user");
    if (ocap->set &&
        (rc = cli_parse_u32(c, "show", "--max-per-user", ocap->val, &cap)))
        return rc;
    if ((rc = cli_open(c, 0)) || (rc = show_time_local(c, screen, zoned, &start)))
        return rc;
    tix_show in = {.movie_id = movie, .screen_id = screen, .start = start,
                   .flags = cli_find(opts, "allow-past")->set
                                ? TIX_SHOW_ALLOW_PAST : 0};
    tix_id id;
    int trc = tix_show_create(c->db, &in, &id);
    if (trc) return cli_fail(c, trc, "cannot create show");
    if (cap && (trc = tix_show_set_user_cap(c->db, id, cap)))
        return cli_fail(c, trc, "show %llu created, but not its cap",
                        (unsigned long long)id);
    tix_show *s;
    trc = tix_show_get(c->db, id, &s);
    if (trc) return cli_fail(c, trc, "show %llu", (unsigned long long)id);
    if (!c->json) printf("%llu\n", (unsigned long long)id);
    json_t *o = json_pack("{s:I, s:o}", "show_id", (json_int_t)id, "show",
                          show_json(c, s));
    tix_show_free(s);
    cli_emit(c, o);
    return EX_OK;
}

/* --date as YYYYMMDD or ISO 8601 YYYY-MM-DD; the library checks that the
 * day exists. */
static int parse_date(cli *c, const char *s, uint32_t *out)
{
    char digits[9];
    size_t n = strlen(s);
    if (n == 10 && s[4] == '-' && s[7] == '-') {
        memcpy(digits, s, 4);
        memcpy(digits + 4, s + 5, 2);
        memcpy(digits + 6, s + 8, 2);
        digits[8] = 0;
        s = digits;
    }
    return cli_parse_u32(c, "show", "--date", s, out);
}

static int show_list(cli *c, cli_opt *opts)
{
    cli_opt *oc = cli_find(opts, "city"), *ov = cli_find(opts, "venue"),
            *od = cli_find(opts, "date"), *om = cli_find(opts, "movie");
    if (!!oc->set == !!ov->set)
        return cli_usage(c, "show", "list needs --city or --venue");
    int rc;
    tix_id movie = 0, venue = 0, city = 0;
    uint32_t date = 0;
    if (om->set && (rc = cli_parse_id(c, "show", "--movie", om->val, &movie)))
        return rc;
    if (ov->set && (rc = cli_parse_id(c, "show", "--venue", ov->val, &venue)))
        return rc;
    if (od->set && (rc = parse_date(c, od->val, &date))) return rc;
    if ((rc = cli_open(c, 0))) return rc;
    if (oc->set && (rc = cli_find_city(c, "show", oc->val, &city))) return rc;
    if (venue) {
        tix_venue *v;
        int trc = tix_venue_get(c->db, venue, &v);
        if (trc) return cli_fail(c, trc, "venue %llu", (unsigned long long)venue);
        city = v->city_id;
        tix_venue_free(v);
    }
    if (!date) date = today(c, cli_city_offset(c, city, tix_db_now(c->db)));
    tix_show_list *l;
    int trc = venue ? tix_show_list_by_venue(c->db, venue, date, &l)
                    : tix_show_list_by_city(c->db, city, date, movie, &l);
    if (trc) return cli_fail(c, trc, "cannot list shows");
    json_t *a = json_array();
    for (size_t i = 0; i < l->count; i++) {
        const tix_show *s = &l->items[i];
        if (venue && movie && s->movie_id != movie) continue;
        if (c->json) {
            json_array_append_new(a, show_json(c, s));
            continue;
        }
        tix_movie *m = NULL;
        tix_venue *v = NULL;
        tix_screen *sc = NULL;
        tix_movie_get(c->db, s->movie_id, &m);
        tix_venue_get(c->db, s->venue_id, &v);
        tix_screen_get(c->db, s->screen_id, &sc);
        tix_avail *av = NULL;
        tix_show_availability(c->db, s->id, &av);
        char t[48];
        printf("%-6llu %s  %-28s %-24s %-10s %6u/%u free\n",
               (unsigned long long)s->id,
               cli_time(t, s->start, cli_city_offset(c, s->city_id, s->start)),
               m ? m->title : "?", v ? v->name : "?", sc ? sc->name : "?",
               av ? av->all.free : 0, s->seat_count);
        tix_avail_free(av);
        tix_movie_free(m);
        tix_venue_free(v);
        tix_screen_free(sc);
    }
    if (!c->json && l->count == 0) printf("no shows on %u\n", date);
    tix_show_list_free(l);
    cli_emit(c, json_pack("{s:i, s:I, s:o}", "date", (int)date, "city_id",
                          (json_int_t)city, "shows", a));
    return EX_OK;
}

static json_t *caps_json(const tix_user_caps *u)
{
    return json_pack("{s:i, s:i, s:i, s:i}", "show_cap", (int)u->show_cap,
                     "show_booked", (int)u->show_booked, "movie_cap",
                     (int)u->movie_cap, "movie_booked", (int)u->movie_booked);
}

static int show_update(cli *c, cli_opt *opts, const char *word)
{
    tix_id show;
    uint32_t cap;
    cli_opt *ocap = cli_find(opts, "max-per-user");
    int rc;
    if (!ocap->set) return cli_usage(c, "show", "update needs --max-per-user");
    if ((rc = cli_parse_id(c, "show", "SHOW", word, &show)) ||
        (rc = cli_parse_u32(c, "show", "--max-per-user", ocap->val, &cap)))
        return rc;
    if ((rc = cli_open(c, 0))) return rc;
    int trc = tix_show_set_user_cap(c->db, show, cap);
    if (trc) return cli_fail(c, trc, "cannot set the cap of show %llu",
                             (unsigned long long)show);
    if (!c->json) printf("show %llu: at most %u seats per user%s\n",
                         (unsigned long long)show, cap, cap ? "" : " (no cap)");
    cli_emit(c, json_pack("{s:I, s:i}", "show_id", (json_int_t)show,
                          "max_per_user", (int)cap));
    return EX_OK;
}

static int show_caps(cli *c, cli_opt *opts, const char *word)
{
    tix_id show, user = 0;
    cli_opt *ou = cli_find(opts, "user");
    int rc;
    if ((rc = cli_parse_id(c, "show", "SHOW", word, &show))) return rc;
    if (ou->set && (rc = cli_parse_id(c, "show", "--user", ou->val, &user)))
        return rc;
    if ((rc = cli_open(c, 0))) return rc;
    tix_user_caps u;
    int trc = tix_user_caps_get(c->db, show, user, &u);
    if (trc) return cli_fail(c, trc, "caps of show %llu", (unsigned long long)show);
    if (!c->json) {
        printf("show cap  %u%s\n", u.show_cap, u.show_cap ? "" : " (none)");
        printf("movie cap %u%s\n", u.movie_cap, u.movie_cap ? "" : " (none)");
        if (user)
            printf("user %llu has booked %u of the show, %u of the movie\n",
                   (unsigned long long)user, u.show_booked, u.movie_booked);
    }
    json_t *o = caps_json(&u);
    json_object_set_new(o, "show_id", json_integer((json_int_t)show));
    json_object_set_new(o, "user_id", json_integer((json_int_t)user));
    cli_emit(c, o);
    return EX_OK;
}

static int show_cancel(cli *c, cli_opt *opts, const char *word)
{
    tix_id show;
    cli_opt *or = cli_find(opts, "reason");
    int rc = cli_parse_id(c, "show", "SHOW", word, &show);
    if (rc || (rc = cli_open(c, 0))) return rc;
    int trc = tix_show_cancel(c->db, show, or->set ? or->val : "");
    if (trc) return cli_fail(c, trc, "cannot cancel show %llu",
                             (unsigned long long)show);
    if (!c->json) printf("show %llu cancelled\n", (unsigned long long)show);
    cli_emit(c, json_pack("{s:I, s:b}", "show_id", (json_int_t)show,
                          "cancelled", 1));
    return EX_OK;
}

int cmd_show(cli *c, int argc, char **argv)
{
    cli_opt opts[] = {OPT("movie", 'm', 1), OPT("screen", 0, 1), OPT("start", 0, 1),
                      OPT("city", 0, 1),    OPT("venue", 0, 1),  OPT("date", 'd', 1),
                      OPT("allow-past", 0, 0), OPT("max-per-user", 0, 1),
                      OPT("user", 0, 1), OPT("reason", 0, 1), {0}};
    const char *pos[3];
    int np, rc = cli_parse(c, "show", show_help, argc, argv, opts, pos, &np, 2);
    if (rc) return rc;
    if (np == 2 && !strcmp(pos[0], "update")) return show_update(c, opts, pos[1]);
    if (np == 2 && !strcmp(pos[0], "caps")) return show_caps(c, opts, pos[1]);
    if (np == 2 && !strcmp(pos[0], "cancel")) return show_cancel(c, opts, pos[1]);
    if (np == 2 && !strcmp(pos[0], "reschedule"))
        return show_reschedule(c, opts, pos[1]);
    if (np != 1)
        return cli_usage(c, "show", "give create, update SHOW, caps SHOW, "
                         "cancel SHOW, reschedule SHOW or list");
    if (!strcmp(pos[0], "create")) return show_create(c, opts);
    if (!strcmp(pos[0], "list")) return show_list(c, opts);
    return cli_usage(c, "show", "unknown subcommand '%s'", pos[0]);
}

/* ------------------------------------------------------------------------ */
/* area                                                                      */

static const char area_help[] =
    "usage: tix area add SCREEN --name NAME --tier ID --capacity N\n"
    "       tix area list SCREEN\n"
    "\n"
    "General-admission areas (standing zones, lawns): N places of one price\n"
    "tier, sold by count (tix hold SHOW --area ID:N). Add them before the\n"
    "screen's first show. NAME (1..8 bytes) is printed as the row of their\n"
    "tickets, so no seat row of the screen may have it.\n";

static json_t *area_json(const tix_area *a)
{
    return json_pack("{s:I, s:I, s:I, s:s, s:i, s:i}", "id", (json_int_t)a->id,
                     "screen_id", (json_int_t)a->screen_id, "tier_id",
                     (json_int_t)a->tier_id, "name", a->name, "capacity",
                     (int)a->capacity, "first_seat", (int)a->first_seat);
}

static int area_add(cli *c, cli_opt *opts, tix_id screen)
{
    tix_area a = {.screen_id = screen, .name = opts[0].val};
    int rc;
    if (!opts[0].set || !opts[1].set || !opts[2].set)
        return cli_usage(c, "area", "add needs --name, --tier and --capacity");
    if ((rc = cli_parse_id(c, "area", "--tier", opts[1].val, &a.tier_id)) ||
        (rc = cli_parse_u32(c, "area", "--capacity", opts[2].val, &a.capacity)))
        return rc;
    if ((rc = cli_open(c, 0))) return rc;
    tix_id id;
    int trc = tix_area_create(c->db, &a, &id);
    if (trc) return cli_fail(c, trc, "cannot add area '%s'", a.name);
    tix_area *got;
    if ((trc = tix_area_get(c->db, id, &got))) return cli_fail(c, trc, "area");
    if (!c->json)
        printf("%llu\n", (unsigned long long)id);
    cli_emit(c, area_json(got));
    tix_area_free(got);
    return EX_OK;
}

static int area_list(cli *c, tix_id screen)
{
    int rc = cli_open(c, TIX_OPEN_READONLY);
    if (rc) return rc;
    tix_area_list *l;
    int trc = tix_area_list_by_screen(c->db, screen, &l);
    if (trc) return cli_fail(c, trc, "cannot list areas");
    json_t *a = json_array();
    for (size_t i = 0; i < l->count; i++) {
        const tix_area *x = &l->items[i];
        if (c->json) json_array_append_new(a, area_json(x));
        else
            printf("%-6llu %-8s tier %-6llu %7u places (seats %u..%u)\n",
                   (unsigned long long)x->id, x->name,
                   (unsigned long long)x->tier_id, x->capacity, x->first_seat,
                   x->first_seat + x->capacity - 1);
    }
    tix_area_list_free(l);
    cli_emit(c, json_pack("{s:o}", "areas", a));
    return EX_OK;
}

int cmd_area(cli *c, int argc, char **argv)
{
    cli_opt opts[] = {OPT("name", 0, 1), OPT("tier", 0, 1),
                      OPT("capacity", 0, 1), {0}};
    const char *pos[3];
    int np, rc = cli_parse(c, "area", area_help, argc, argv, opts, pos, &np, 2);
    if (rc) return rc;
    if (np != 2) return cli_usage(c, "area", "give add SCREEN or list SCREEN");
    tix_id screen;
    if ((rc = cli_parse_id(c, "area", "SCREEN", pos[1], &screen))) return rc;
    if (!strcmp(pos[0], "add")) return area_add(c, opts, screen);
    if (!strcmp(pos[0], "list")) return area_list(c, screen);
    return cli_usage(c, "area", "unknown subcommand '%s'", pos[0]);
}
