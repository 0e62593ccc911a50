/* tix: the libtix command-line tool. Entry point, global options, command
 * dispatch and the helpers every command shares. */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

#define DEFAULT_STORE "tix-store"

static const char main_help[] =
    "usage: tix [-s DIR] [--json] COMMAND [ARGS...]\n"
    "\n"
    "The libtix command-line tool: a store directory holds the seat\n"
    "inventory (LMDB data.mdb + the shared seats.map).\n"
    "\n"
    "Store and data:\n"
    "  init                      create an empty store\n"
    "  import LAYOUT.json        import a venue layout (places, venue, screens,\n"
    "                            tiers, rows, seats)\n"
    "  place list [--parent ID]  countries, or the places in one\n"
    "  venue list --city ID|NAME  the venues of a city\n"
    "  screen list --venue ID    the screens of a venue\n"
    "  tier list --screen ID     the price tiers of a screen\n"
    "  movie add|list            add or list movies\n"
    "  user add|list             add or list customers\n"
    "  show create|update|caps|list  schedule shows, per-customer caps\n"
    "  area add|list SCREEN      general-admission (standing) areas\n"
    "Selling:\n"
    "  seats SHOW                availability and seat map (--svg FILE)\n"
    "  queue set|show|remove|join|status|admit  a show's waiting room\n"
    "  hold SHOW SEAT...         hold seats (or --best N, --area ID:N);\n"
    "                            prints the handle\n"
    "  release HANDLE            release a hold\n"
    "  holds SHOW                the live holds of a show\n"
    "  confirm HANDLE            confirm a hold after payment: a booking\n"
    "  cancel BOOKING            cancel (refund) a booking\n"
    "  booking show BOOKING      a booking with its tickets\n"
    "  checkin CODE              check a ticket in at a gate\n"
    "  block|unblock SHOW SEAT...  take seats off sale / back on sale\n"
    "  seat-history SHOW SEAT    what happened to a seat (support)\n"
    "  channel ...               sales channels: create, assign, release, avail\n"
    "  hold-group SHOW:SEATS...  hold seats of several shows, all or nothing\n"
    "  outbox tail|consumers|trim  the notification outbox\n"
    "Operations:\n"
    "  stats                     sizes, record counts, seat map usage\n"
    "  check                     verify seats.map against LMDB and every index\n"
    "  backup DIR                consistent compacting copy, while others write\n"
    "  restore BACKUP_DIR        replace the store by a backup\n"
    "  replica follow|promote|status  replication through NATS JetStream\n"
    "  feed publish|kafka        the change feed to JetStream or Kafka\n"
    "  placement shard-of|set-shards|pin|unpin  the shard map (NATS KV)\n"
    "\n"
    "Options (also accepted after the command):\n"
    "  -s, --store DIR   store directory (default $TIX_STORE, else ./tix-store)\n"
    "  --json            machine-readable JSON on stdout, errors included\n"
    "  --color, --no-color  force ANSI colors on or off (default: on when\n"
    "                    stdout is a terminal and NO_COLOR is unset)\n"
    "  -h, --help        help; `tix COMMAND --help` for a command\n"
    "  --version         print the version\n"
    "\n"
    "Exit codes:\n"
    "  0  success\n"
    "  1  usage error (bad command line)\n"
    "  2  not found (store, show, seat, booking, ticket, ...)\n"
    "  3  conflict (seat taken, name exists, overlapping show, already\n"
    "     checked in, store busy)\n"
    "  4  invalid input (bad value, malformed code or handle, layout error)\n"
    "  5  wrong state (hold expired, show over, limit reached, timeout,\n"
    "     cancel of a checked-in booking, a write to a replica that is not\n"
    "     the primary)\n"
    "  6  corruption or inconsistency (`tix check` found problems)\n"
    "  7  system error (I/O, out of memory or space, permission)\n";

/* ------------------------------------------------------------------------ */
/* Errors and output                                                         */

int cli_exit_code(int rc)
{
    switch (rc) {
    case TIX_OK: return EX_OK;
    case TIX_ENOTFOUND: return EX_NOTFOUND;
    case TIX_ECONFLICT:
    case TIX_EEXISTS:
    case TIX_EOVERLAP:
    case TIX_EALREADY:
    case TIX_EBUSY: return EX_CONFLICT;
    case TIX_EINVAL:
    case TIX_ERANGE:
    case TIX_ETOOLONG:
    case TIX_EUTF8:
    case TIX_EBADCODE: return EX_INVALID;
    case TIX_EEXPIRED:
    case TIX_ESTATE:
    case TIX_ELIMIT:
    case TIX_EPRICE:
    case TIX_ECHECKEDIN:
    case TIX_EFENCED:
    case TIX_ETIMEDOUT:
    case TIX_EAGAIN: return EX_STATE;
    case TIX_ECORRUPT:
    case TIX_EVERSION: return EX_CORRUPT;
    default: return EX_SYSTEM;
    }
}

/* "TIX_ENOTFOUND" out of "TIX_ENOTFOUND: not found". */
static void code_name(int rc, char *buf, size_t cap)
{
    const char *s = tix_strerror(rc);
    size_t n = strcspn(s, ":");
    if (n >= cap) n = cap - 1;
    memcpy(buf, s, n);
    buf[n] = 0;
}

static void print_json(json_t *obj, FILE *f)
{
    json_dumpf(obj, f, JSON_INDENT(2) | JSON_ENSURE_ASCII);
    fputc('\n', f);
    fflush(f);
}

/* Length of the valid UTF-8 sequence at @p s, 0 when it is not one. */
static size_t utf8_seq(const unsigned char *s)
{
    size_t n = s[0] < 0x80 ? 1 : s[0] >= 0xC2 && s[0] < 0xE0 ? 2
             : s[0] >= 0xE0 && s[0] < 0xF0 ? 3 : s[0] >= 0xF0 && s[0] < 0xF5 ? 4 : 0;
    for (size_t i = 1; i < n; i++)
        if ((s[i] & 0xC0) != 0x80) return 0;
    if (n == 3 && ((s[0] == 0xE0 && s[1] < 0xA0) || (s[0] == 0xED && s[1] >= 0xA0)))
        return 0; /* overlong, surrogate */
    if (n == 4 && ((s[0] == 0xF0 && s[1] < 0x90) || (s[0] == 0xF4 && s[1] >= 0x90)))
        return 0;
    return n;
}

int cli_utf8_valid(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        size_t n = utf8_seq(p);
        if (!n) return 0;
        p += n;
    }
    return 1;
}

/* @p s with every byte that is not UTF-8 written as \xHH: a message that
 * quotes a bad argument must still be a JSON string. */
static const char *utf8_clean(const char *s, char *buf, size_t cap)
{
    size_t o = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p && o + 5 < cap;) {
        size_t n = utf8_seq(p);
        if (!n) {
            o += (size_t)snprintf(buf + o, cap - o, "\\x%02X", *p++);
            continue;
        }
        if (o + n >= cap) break;
        memcpy(buf + o, p, n);
        o += n;
        p += n;
    }
    buf[o] = 0;
    return buf;
}

/* The libtix code an error without one stands for, by its exit code, so
 * every JSON error carries a status. */
static int status_of_exit(int exit_code)
{
    static const int st[] = {[EX_USAGE] = TIX_EINVAL, [EX_NOTFOUND] = TIX_ENOTFOUND,
                             [EX_CONFLICT] = TIX_ECONFLICT, [EX_INVALID] = TIX_EINVAL,
                             [EX_STATE] = TIX_ESTATE, [EX_CORRUPT] = TIX_ECORRUPT,
                             [EX_SYSTEM] = TIX_EIO};
    return exit_code > 0 && exit_code <= EX_SYSTEM ? st[exit_code] : TIX_EIO;
}

/* The number of a "TIX_E..." name, 0 when it is none. */
static int status_of_name(const char *code)
{
    for (int rc = -1; rc >= -64; rc--) {
        char name[48];
        code_name(rc, name, sizeof name);
        if (!strcmp(name, code)) return rc;
    }
    return 0;
}

void cli_emit_error(cli *c, json_t *err)
{
    (void)c;
    if (!err) /* json_pack met a string that is not UTF-8 (a file name) */
        err = json_pack("{s:s, s:s, s:i}", "code", "TIX_EUTF8", "message",
                        "the error cannot be written as JSON: a string in "
                        "it is not valid UTF-8", "exit", EX_INVALID);
    const char *code = json_string_value(json_object_get(err, "code"));
    int ex = (int)json_integer_value(json_object_get(err, "exit"));
    if (!json_object_get(err, "status")) {
        int st = code ? status_of_name(code) : 0;
        json_object_set_new(err, "status",
                            json_integer(st ? st : status_of_exit(ex)));
    }
    if (!json_object_get(err, "detail"))
        json_object_set(err, "detail", json_object_get(err, "message"));
    json_t *o = json_pack("{s:b, s:o}", "ok", 0, "error", err);
    print_json(o, stderr);
    json_decref(o);
}

static int report(cli *c, int exit_code, const char *code, int status,
                  const char *msg, const char *detail)
{
    if (c->json) {
        char m[1400], d[1400];
        json_t *err = json_pack("{s:s, s:s, s:i}", "code", code, "message",
                                utf8_clean(msg, m, sizeof m), "exit", exit_code);
        if (status) json_object_set_new(err, "status", json_integer(status));
        if (detail && *detail)
            json_object_set_new(err, "detail",
                                json_string(utf8_clean(detail, d, sizeof d)));
        cli_emit_error(c, err);
    } else if (detail && *detail) {
        fprintf(stderr, "%s: %s: %s: %s\n", c->prog, msg, code, detail);
    } else {
        fprintf(stderr, "%s: %s: %s\n", c->prog, msg, code);
    }
    return exit_code;
}

int cli_fail(cli *c, int rc, const char *fmt, ...)
{
    char msg[512], code[48];
    /* Copy the detail first: formatting may call into libtix. */
    char detail[512];
    snprintf(detail, sizeof detail, "%s", tix_errmsg());
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    code_name(rc, code, sizeof code);
    return report(c, cli_exit_code(rc), code, rc, msg, detail);
}

int cli_error(cli *c, int exit_code, const char *code, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (c->json) return report(c, exit_code, code, 0, msg, NULL);
    fprintf(stderr, "%s: %s\n", c->prog, msg);
    return exit_code;
}

int cli_usage(cli *c, const char *cmd, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (c->json) return report(c, EX_USAGE, "usage", 0, msg, NULL);
    fprintf(stderr, "%s %s: %s\n(see `%s %s --help`)\n", c->prog, cmd, msg,
            c->prog, cmd);
    return EX_USAGE;
}

void cli_emit(cli *c, json_t *obj)
{
    if (!obj && c->json) {
        /* json_pack refused a string: one that came from an argument
         * without being checked as UTF-8. Say so rather than print
         * nothing. */
        report(c, EX_INVALID, "TIX_EUTF8", TIX_EUTF8,
               "the result cannot be written as JSON",
               "a string in it is not valid UTF-8");
        return;
    }
    if (!obj) return;
    if (c->json) {
        json_t *o = json_object();
        json_object_set_new(o, "ok", json_true());
        json_object_update(o, obj);
        print_json(o, stdout);
        json_decref(o);
    }
    json_decref(obj);
}

/* ------------------------------------------------------------------------ */
/* Options                                                                   */

cli_opt *cli_find(cli_opt *opts, const char *name)
{
    for (cli_opt *o = opts; o && o->name; o++)
        if (!strcmp(o->name, name)) return o;
    return NULL;
}

/* Handles a common option: 2 when it was one, 0 when not, -1 after
 * printing help, EX_USAGE (1) on error. */
static int common_opt(cli *c, const char *cmd, const char *help,
                      const char *name, char shortc, const char *inl,
                      int argc, char **argv, int *i)
{
    if ((name && !strcmp(name, "json")) ) {
        c->json = 1;
        return 2;
    }
    if ((name && !strcmp(name, "help")) || shortc == 'h') {
        fputs(help, stdout);
        return -1;
    }
    if (name && !strcmp(name, "color")) {
        c->color = 1;
        return 2;
    }
    if (name && !strcmp(name, "no-color")) {
        c->color = 0;
        return 2;
    }
    if ((name && !strcmp(name, "store")) || shortc == 's') {
        if (inl) {
            c->store = inl;
        } else if (*i + 1 < argc) {
            c->store = argv[++*i];
        } else {
            return cli_usage(c, cmd, "--store needs a directory");
        }
        return 2;
    }
    return 0;
}

int cli_parse(cli *c, const char *cmd, const char *help, int argc,
              char **argv, cli_opt *opts, const char **pos, int *npos,
              int maxpos)
{
    *npos = 0;
    int only_pos = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (only_pos || a[0] != '-' || a[1] == 0 ||
            (a[1] >= '0' && a[1] <= '9')) {
            if (*npos == maxpos)
                return cli_usage(c, cmd, "unexpected argument '%s'", a);
            pos[(*npos)++] = a;
            continue;
        }
        if (!strcmp(a, "--")) {
            only_pos = 1;
            continue;
        }
        char name[64];
        const char *inl = NULL;
        char shortc = 0;
        cli_opt *o = NULL;
        if (a[1] == '-') {
            const char *eq = strchr(a + 2, '=');
            size_t n = eq ? (size_t)(eq - (a + 2)) : strlen(a + 2);
            if (n >= sizeof name) n = sizeof name - 1;
            memcpy(name, a + 2, n);
            name[n] = 0;
            inl = eq ? eq + 1 : NULL;
            o = cli_find(opts, name);
        } else {
            if (a[2]) {
                /* -sDIR or bundled flags are not supported, except a
                 * value glued to a short option. */
                inl = a + 2;
            }
            shortc = a[1];
            name[0] = 0;
            for (cli_opt *p = opts; p && p->name; p++)
                if (p->shortc == shortc) o = p;
        }
        if (!o) {
            int r = common_opt(c, cmd, help, name[0] ? name : NULL, shortc,
                               inl, argc, argv, &i);
            if (r == 2) continue;
            if (r == -1 || r == EX_USAGE) return r;
            return cli_usage(c, cmd, "unknown option '%s'", a);
        }
        o->set++;
        if (!o->has_arg) {
            if (inl) return cli_usage(c, cmd, "--%s takes no value", o->name);
            continue;
        }
        const char *v = inl;
        if (!v) {
            if (i + 1 >= argc)
                return cli_usage(c, cmd, "--%s needs a value", o->name);
            v = argv[++i];
        }
        o->val = v;
        if (o->has_arg == 2) {
            if (o->nvals == (int)(sizeof o->vals / sizeof *o->vals))
                return cli_usage(c, cmd, "--%s given too often", o->name);
            o->vals[o->nvals++] = v;
        }
    }
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Store                                                                     */

int cli_open(cli *c, unsigned flags)
{
    tix_config cfg;
    tix_config_init(&cfg);
    cfg.flags = flags | TIX_OPEN_NOCREATE;
    int rc = tix_db_open(c->store, &cfg, &c->db);
    if (rc == TIX_ENOTFOUND)
        return cli_error(c, EX_NOTFOUND, "TIX_ENOTFOUND",
                         "no store at %s (create one with `tix init`, or "
                         "give -s DIR / TIX_STORE)", c->store);
    if (rc) return cli_fail(c, rc, "cannot open store %s", c->store);
    return EX_OK;
}

int cli_open_reader(cli *c)
{
    tix_config cfg;
    tix_config_init(&cfg);
    cfg.flags = TIX_OPEN_NOCREATE;
    int rc = tix_db_open(c->store, &cfg, &c->db);
    if (rc != TIX_EBUSY) return rc ? cli_open(c, 0) : EX_OK;
    /* A journal-mode process owns the store for writing; readers share
     * it through LMDB's snapshots. */
    c->readonly_open = 1;
    return cli_open(c, TIX_OPEN_READONLY);
}

void cli_close(cli *c)
{
    tix_db_close(c->db);
    c->db = NULL;
}

/* ------------------------------------------------------------------------ */
/* Parsing and formatting helpers                                            */

static int parse_u64(const char *s, uint64_t max, uint64_t *out)
{
    if (!s || !*s || *s == '-' || *s == '+') return -1;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end || v > max) return -1;
    *out = v;
    return 0;
}

int cli_parse_id(cli *c, const char *cmd, const char *what, const char *s,
                 tix_id *out)
{
    uint64_t v;
    if (parse_u64(s, UINT64_MAX, &v) || v == 0)
        return cli_usage(c, cmd, "%s must be a positive id, not '%s'", what,
                         s ? s : "");
    *out = v;
    return 0;
}

int cli_parse_u32(cli *c, const char *cmd, const char *what, const char *s,
                  uint32_t *out)
{
    uint64_t v;
    if (parse_u64(s, UINT32_MAX, &v))
        return cli_usage(c, cmd, "%s must be a number 0..%u, not '%s'", what,
                         UINT32_MAX, s ? s : "");
    *out = (uint32_t)v;
    return 0;
}

int cli_parse_i64(cli *c, const char *cmd, const char *what, const char *s,
                  int64_t *out)
{
    errno = 0;
    char *end;
    long long v = s && *s ? strtoll(s, &end, 10) : 0;
    if (!s || !*s || errno || *end)
        return cli_usage(c, cmd, "%s must be an integer, not '%s'", what,
                         s ? s : "");
    *out = v;
    return 0;
}

const char *cli_price(char buf[48], int64_t minor, const char *currency)
{
    /* A code the library does not know (a store older than the check) has
     * no known decimals: show the minor units as they are. */
    if (tix_money_format(minor, currency, buf, 48) != TIX_OK)
        snprintf(buf, 48, "%s %" PRId64 " (minor units)", currency, minor);
    return buf;
}

const char *cli_time(char buf[48], int64_t t, int32_t off)
{
    time_t lt = (time_t)(t + (int64_t)off * 60);
    struct tm tm;
    gmtime_r(&lt, &tm);
    int a = off < 0 ? -off : off;
    char date[32];
    strftime(date, sizeof date, "%Y-%m-%d %H:%M", &tm);
    snprintf(buf, 48, "%s %c%02d:%02d", date, off < 0 ? '-' : '+', a / 60,
             a % 60);
    return buf;
}

const char *cli_iso(char buf[48], int64_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(buf, 48, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

int32_t cli_city_offset(cli *c, tix_id city_id, int64_t t)
{
    int32_t off = 0;
    if (tix_place_utc_offset(c->db, city_id, t, &off) != TIX_OK) return 0;
    return off;
}

/* ------------------------------------------------------------------------ */
/* Shows and seats                                                           */

int cli_show_load(cli *c, tix_id show_id, cli_show *out)
{
    memset(out, 0, sizeof *out);
    int rc = tix_show_get(c->db, show_id, &out->show);
    if (rc) return cli_fail(c, rc, "show %llu", (unsigned long long)show_id);
    rc = tix_seat_list_by_screen(c->db, out->show->screen_id, &out->seats);
    if (rc == TIX_OK)
        rc = tix_tier_list_by_screen(c->db, out->show->screen_id, &out->tiers);
    if (rc) {
        int ex = cli_fail(c, rc, "seats of show %llu",
                          (unsigned long long)show_id);
        cli_show_free(out);
        return ex;
    }
    return EX_OK;
}

void cli_show_free(cli_show *s)
{
    tix_show_free(s->show);
    tix_seat_list_free(s->seats);
    tix_tier_list_free(s->tiers);
    memset(s, 0, sizeof *s);
}

int cli_seat_parse(cli *c, const char *cmd, const cli_show *s,
                   const char *word, uint32_t *index)
{
    size_t n = s->show->seat_count;
    if (n > s->seats->count) n = s->seats->count;
    if (word[0] == '@') {
        uint64_t v;
        if (parse_u64(word + 1, UINT32_MAX, &v) || v >= n)
            return cli_error(c, EX_NOTFOUND, "TIX_ENOTFOUND",
                             "seat %s: no seat index %s (the show has %zu "
                             "seats)", word, word + 1, n);
        *index = (uint32_t)v;
        return 0;
    }
    char row[64];
    const char *num;
    const char *colon = strrchr(word, ':');
    size_t rl;
    if (colon) {
        rl = (size_t)(colon - word);
        num = colon + 1;
    } else {
        size_t len = strlen(word), d = len;
        while (d > 0 && word[d - 1] >= '0' && word[d - 1] <= '9') d--;
        if (d == len || d == 0)
            return cli_usage(c, cmd, "seat '%s': give ROW and NUMBER as A5, "
                             "A-5 or A:5, or a seat index as @17", word);
        num = word + d;
        rl = d;
        if (rl > 1 && word[rl - 1] == '-') rl--;
    }
    if (rl == 0 || rl >= sizeof row)
        return cli_usage(c, cmd, "seat '%s': bad row label", word);
    memcpy(row, word, rl);
    row[rl] = 0;
    uint64_t number;
    if (parse_u64(num, UINT32_MAX, &number))
        return cli_usage(c, cmd, "seat '%s': bad seat number", word);
    for (size_t i = 0; i < n; i++)
        if (s->seats->items[i].number == number &&
            !strcmp(s->seats->items[i].row, row)) {
            *index = (uint32_t)i;
            return 0;
        }
    return cli_error(c, EX_NOTFOUND, "TIX_ENOTFOUND",
                     "seat %s: show %llu has no seat %s in row %s", word,
                     (unsigned long long)s->show->id, num, row);
}

const char *cli_seat_name(char buf[32], const cli_show *s, uint32_t index)
{
    if (index >= s->seats->count) {
        snprintf(buf, 32, "@%u", index);
        return buf;
    }
    const tix_seat *st = &s->seats->items[index];
    size_t rl = strlen(st->row);
    int digit = rl && st->row[rl - 1] >= '0' && st->row[rl - 1] <= '9';
    snprintf(buf, 32, "%s%s%u", st->row, digit ? "-" : "", st->number);
    return buf;
}

json_t *cli_seats_json(const cli_show *s, const uint32_t *idx, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *o = json_pack("{s:I}", "index", (json_int_t)idx[i]);
        if (idx[i] < s->seats->count) {
            const tix_seat *st = &s->seats->items[idx[i]];
            json_object_set_new(o, "row", json_string(st->row));
            json_object_set_new(o, "number", json_integer(st->number));
            json_object_set_new(o, "tier_id", json_integer((json_int_t)st->tier_id));
        }
        json_array_append_new(a, o);
    }
    return a;
}

/* ------------------------------------------------------------------------ */
/* Dispatch                                                                  */

typedef struct command {
    const char *name;
    int (*fn)(cli *c, int argc, char **argv);
} command;

static const command commands[] = {
    {"init", cmd_init},       {"import", cmd_import},
    {"movie", cmd_movie},     {"user", cmd_user},
    {"show", cmd_show},       {"seats", cmd_seats},
    {"hold", cmd_hold},       {"release", cmd_release},
    {"confirm", cmd_confirm}, {"cancel", cmd_cancel},
    {"booking", cmd_booking}, {"checkin", cmd_checkin},
    {"block", cmd_block},     {"unblock", cmd_unblock},
    {"outbox", cmd_outbox},   {"stats", cmd_stats},
    {"check", cmd_check},     {"backup", cmd_backup},
    {"restore", cmd_restore}, {"seat-history", cmd_seat_history},
    {"area", cmd_area},
    {"channel", cmd_channel}, {"hold-group", cmd_hold_group},
    {"queue", cmd_queue},
    {"place", cmd_place},     {"venue", cmd_venue},
    {"screen", cmd_screen},   {"tier", cmd_tier},
    {"holds", cmd_holds},
    {"replica", cmd_replica}, {"feed", cmd_feed},
    {"placement", cmd_placement},
};

int main(int argc, char **argv)
{
    cli c = {.prog = "tix", .color = -1};
    const char *env = getenv("TIX_STORE");
    c.store = env && *env ? env : DEFAULT_STORE;
    /* --json may follow the command; errors met before the command parses
     * it (an unknown command) are JSON too. */
    for (int k = 1; k < argc && strcmp(argv[k], "--"); k++)
        if (!strcmp(argv[k], "--json")) c.json = 1;
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--version")) {
            if (c.json) {
                json_t *o = json_pack("{s:s}", "version", tix_version());
                cli_emit(&c, o);
            } else {
                printf("tix %s\n", tix_version());
            }
            return EX_OK;
        }
        int r = common_opt(&c, "", main_help, a[1] == '-' ? a + 2 : NULL,
                           a[1] != '-' ? a[1] : 0, NULL, argc, argv, &i);
        if (r == -1) return EX_OK;
        if (r == EX_USAGE) return r;
        if (r != 2)
            return cli_error(&c, EX_USAGE, "usage",
                             "unknown option '%s' (see `tix --help`)", a);
    }
    if (i == argc) {
        if (c.json)
            return cli_error(&c, EX_USAGE, "usage",
                             "give a command (see `tix --help`)");
        fputs(main_help, stderr);
        return EX_USAGE;
    }
    const char *name = argv[i];
    if (!strcmp(name, "help")) {
        if (i + 1 < argc) {
            char *h[] = {(char *)"--help"};
            for (size_t k = 0; k < sizeof commands / sizeof *commands; k++)
                if (!strcmp(commands[k].name, argv[i + 1]))
                    return commands[k].fn(&c, 1, h) == EX_USAGE ? EX_USAGE
                                                                 : EX_OK;
        }
        fputs(main_help, stdout);
        return EX_OK;
    }
    for (size_t k = 0; k < sizeof commands / sizeof *commands; k++)
        if (!strcmp(commands[k].name, name)) {
            int rc = commands[k].fn(&c, argc - i - 1, argv + i + 1);
            cli_close(&c);
            return rc < 0 ? EX_OK : rc;
        }
    return cli_error(&c, EX_USAGE, "usage",
                     "unknown command '%s' (see `tix --help`)", name);
}
