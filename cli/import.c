/* tix import: venue layouts from JSON (format "tix-layout-1", documented in
 * docs/cli.md). Everything is validated before anything is written; every
 * error names the file, line and field ("layout.json:42:
 * screens[0].rows[3].seats[5]: seat number must be >= 1"). jansson gives
 * the line of syntax errors; for the others the line is found by walking
 * the text to the value at the field's path. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define MAX_ERRORS 50
#define SCREEN_SEATS_MAX 1000000
#define DEG (3.14159265358979323846 / 180.0)

/* ------------------------------------------------------------------------ */
/* Paths and their lines                                                     */

typedef struct jseg {
    const char *key; /* NULL: array index */
    size_t idx;
} jseg;

typedef struct jpath {
    jseg seg[16];
    int n;
} jpath;

static void path_key(jpath *p, const char *k)
{
    if (p->n < 16) p->seg[p->n] = (jseg){k, 0};
    p->n++;
}
static void path_idx(jpath *p, size_t i)
{
    if (p->n < 16) p->seg[p->n] = (jseg){NULL, i};
    p->n++;
}
static void path_pop(jpath *p) { p->n--; }

static void path_str(const jpath *p, char *buf, size_t cap)
{
    size_t len = 0;
    buf[0] = 0;
    for (int i = 0; i < p->n && i < 16 && len < cap; i++) {
        int w = p->seg[i].key
                    ? snprintf(buf + len, cap - len, "%s%s", i ? "." : "",
                               p->seg[i].key)
                    : snprintf(buf + len, cap - len, "[%zu]", p->seg[i].idx);
        if (w < 0) break;
        len += (size_t)w;
    }
    if (!buf[0]) snprintf(buf, cap, "(top level)");
}

typedef struct scan {
    const char *p, *end;
    int line;
} scan;

static void sc_ws(scan *s)
{
    while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' ||
                             *s->p == '\r')) {
        if (*s->p == '\n') s->line++;
        s->p++;
    }
}

/* Skips a string; *start/len get its raw contents. 0 or -1. */
static int sc_string(scan *s, const char **start, size_t *len)
{
    if (s->p >= s->end || *s->p != '"') return -1;
    const char *b = ++s->p;
    while (s->p < s->end && *s->p != '"') {
        if (*s->p == '\\') s->p++;
        s->p++;
    }
    if (s->p >= s->end) return -1;
    if (start) *start = b;
    if (len) *len = (size_t)(s->p - b);
    s->p++;
    return 0;
}

static int sc_value(scan *s)
{
    sc_ws(s);
    if (s->p >= s->end) return -1;
    char ch = *s->p;
    if (ch == '"') return sc_string(s, NULL, NULL);
    if (ch == '{' || ch == '[') {
        char close = ch == '{' ? '}' : ']';
        s->p++;
        sc_ws(s);
        if (s->p < s->end && *s->p == close) {
            s->p++;
            return 0;
        }
        for (;;) {
            if (ch == '{') {
                sc_ws(s);
                if (sc_string(s, NULL, NULL)) return -1;
                sc_ws(s);
                if (s->p >= s->end || *s->p != ':') return -1;
                s->p++;
            }
            if (sc_value(s)) return -1;
            sc_ws(s);
            if (s->p >= s->end) return -1;
            if (*s->p == ',') {
                s->p++;
                continue;
            }
            if (*s->p == close) {
                s->p++;
                return 0;
            }
            return -1;
        }
    }
    while (s->p < s->end && !strchr(",}] \t\r\n", *s->p)) s->p++;
    return 0;
}

/* Line of the value at @p path (or of the deepest part of it found). */
static int line_of(const char *text, size_t len, const jpath *path)
{
    scan s = {text, text + len, 1};
    sc_ws(&s);
    int line = s.line;
    for (int d = 0; d < path->n && d < 16; d++) {
        sc_ws(&s);
        line = s.line;
        if (s.p >= s.end) return line;
        const jseg *g = &path->seg[d];
        if (g->key && *s.p == '{') {
            s.p++;
            int found = 0;
            for (;;) {
                sc_ws(&s);
                const char *k;
                size_t kl;
                if (sc_string(&s, &k, &kl)) return line;
                sc_ws(&s);
                if (s.p >= s.end || *s.p != ':') return line;
                s.p++;
                if (kl == strlen(g->key) && !memcmp(k, g->key, kl)) {
                    found = 1;
                    break;
                }
                if (sc_value(&s)) return line;
                sc_ws(&s);
                if (s.p >= s.end || *s.p != ',') return line;
                s.p++;
            }
            if (!found) return line;
        } else if (!g->key && *s.p == '[') {
            s.p++;
            for (size_t i = 0; i < g->idx; i++) {
                if (sc_value(&s)) return line;
                sc_ws(&s);
                if (s.p >= s.end || *s.p != ',') return line;
                s.p++;
            }
        } else {
            return line;
        }
    }
    sc_ws(&s);
    return s.line;
}

/* ------------------------------------------------------------------------ */
/* Model                                                                     */

typedef struct tier_in {
    const char *key, *name;
    int64_t price;
    char currency[4];
    tix_id id;
} tier_in;

typedef struct seat_in {
    uint32_t number;
    double x, y;
    int tier;
    uint32_t flags;
    uint32_t row;      /* index into screen_in.rows */
    jpath where;       /* field that made it */
} seat_in;

typedef struct row_in {
    char label[TIX_ROW_LABEL_MAX + 1];
    size_t first, count;
} row_in;

typedef struct screen_in {
    const char *name;
    double ideal_x, ideal_y;
    int has_ideal;
    tier_in *tiers;
    size_t ntiers;
    row_in *rows;
    size_t nrows, rcap;
    seat_in *seats;
    size_t nseats, scap;
    tix_id id;
} screen_in;

typedef struct imp {
    cli *c;
    const char *file;
    const char *text;
    size_t len;
    jpath path;
    int nerr;
    json_t *errs;
    /* place */
    tix_id city_id;
    const char *country, *state, *city;
    int32_t utc_offset;
    const char *time_zone; /* NULL = none */
    /* venue */
    const char *vname, *vaddress;
    double lat, lon;
    screen_in *screens;
    size_t nscreens;
} imp;

static void ierr(imp *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void ierr(imp *m, const char *fmt, ...)
{
    m->nerr++;
    if (m->nerr > MAX_ERRORS) return;
    char msg[512], where[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    path_str(&m->path, where, sizeof where);
    int line = line_of(m->text, m->len, &m->path);
    if (m->c->json)
        json_array_append_new(m->errs, json_pack("{s:s, s:i, s:s, s:s}", "file",
                                                 m->file, "line", line, "field",
                                                 where, "message", msg));
    else
        fprintf(stderr, "%s:%d: %s: %s\n", m->file, line, where, msg);
}

/* ------------------------------------------------------------------------ */
/* Field access                                                              */

/* Reports every key of @p o not in @p allowed (NULL-terminated). */
static void only_keys(imp *m, json_t *o, const char *const *allowed)
{
    const char *k;
    json_t *v;
    json_object_foreach(o, k, v) {
        int ok = 0;
        for (const char *const *a = allowed; *a && !ok; a++) ok = !strcmp(*a, k);
        if (!ok) {
            char list[256];
            size_t len = 0;
            list[0] = 0;
            for (const char *const *a = allowed; *a && len < sizeof list; a++) {
                int w = snprintf(list + len, sizeof list - len, "%s%s",
                                 a == allowed ? "" : ", ", *a);
                if (w < 0) break;
                len += (size_t)w;
            }
            path_key(&m->path, k);
            ierr(m, "unknown field (allowed here: %s)", list);
            path_pop(&m->path);
        }
    }
}

/* Gets a string field; required ones report their absence. */
static const char *get_str(imp *m, json_t *o, const char *key, int required,
                           size_t min, size_t max)
{
    json_t *v = json_object_get(o, key);
    path_key(&m->path, key);
    const char *s = NULL;
    if (!v) {
        if (required) ierr(m, "missing (a string is required)");
    } else if (!json_is_string(v)) {
        ierr(m, "must be a string");
    } else {
        s = json_string_value(v);
        size_t n = json_string_length(v);
        if (n < min || n > max) {
            ierr(m, "must be %zu..%zu bytes long, not %zu", min, max, n);
            s = NULL;
        } else if (strlen(s) != n) {
            ierr(m, "must not contain NUL characters");
            s = NULL;
        }
    }
    path_pop(&m->path);
    return s;
}

/* Number field. Returns 1 when present and valid. */
static int get_num(imp *m, json_t *o, const char *key, int required,
                   double lo, double hi, double *out)
{
    json_t *v = json_object_get(o, key);
    path_key(&m->path, key);
    int ok = 0;
    if (!v) {
        if (required) ierr(m, "missing (a number is required)");
    } else if (!json_is_number(v)) {
        ierr(m, "must be a number");
    } else {
        double d = json_number_value(v);
        if (!isfinite(d) || d < lo || d > hi)
            ierr(m, "must be in %g..%g, not %g", lo, hi, d);
        else {
            *out = d;
            ok = 1;
        }
    }
    path_pop(&m->path);
    return ok;
}

static int int_value(imp *m, json_t *v, int64_t lo, int64_t hi, int64_t *out)
{
    if (!json_is_integer(v)) {
        ierr(m, "must be an integer");
        return 0;
    }
    json_int_t i = json_integer_value(v);
    if (i < lo || i > hi) {
        ierr(m, "must be in %lld..%lld, not %lld", (long long)lo, (long long)hi,
             (long long)i);
        return 0;
    }
    *out = i;
    return 1;
}

static int get_int(imp *m, json_t *o, const char *key, int required,
                   int64_t lo, int64_t hi, int64_t *out)
{
    json_t *v = json_object_get(o, key);
    path_key(&m->path, key);
    int ok = 0;
    if (!v) {
        if (required) ierr(m, "missing (an integer is required)");
    } else {
        ok = int_value(m, v, lo, hi, out);
    }
    path_pop(&m->path);
    return ok;
}

static int get_bool(imp *m, json_t *o, const char *key, int dflt)
{
    json_t *v = json_object_get(o, key);
    if (!v) return dflt;
    if (json_is_boolean(v)) return json_is_true(v);
    path_key(&m->path, key);
    ierr(m, "must be true or false");
    path_pop(&m->path);
    return dflt;
}

/* ["wheelchair", "aisle", ...] at the current path. */
static uint32_t flags_value(imp *m, json_t *v)
{
    static const struct { const char *name; uint32_t f; } names[] = {
        {"aisle", TIX_SEAT_AISLE}, {"wheelchair", TIX_SEAT_WHEELCHAIR},
        {"companion", TIX_SEAT_COMPANION}, {"blocked", TIX_SEAT_BLOCKED}};
    if (!json_is_array(v)) {
        ierr(m, "must be an array of flag names (aisle, wheelchair, "
             "companion, blocked)");
        return 0;
    }
    uint32_t f = 0;
    size_t i;
    json_t *e;
    json_array_foreach(v, i, e) {
        path_idx(&m->path, i);
        size_t k = 0;
        for (; k < 4; k++)
            if (json_is_string(e) && !strcmp(json_string_value(e), names[k].name))
                break;
        if (k == 4)
            ierr(m, "unknown flag (use aisle, wheelchair, companion, blocked)");
        else
            f |= names[k].f;
        path_pop(&m->path);
    }
    return f;
}

static uint32_t get_flags(imp *m, json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    if (!v) return 0;
    path_key(&m->path, key);
    uint32_t f = flags_value(m, v);
    path_pop(&m->path);
    return f;
}

/* Tier reference by key; -1 when bad (reported). */
static int get_tier(imp *m, const screen_in *s, json_t *o, int dflt)
{
    json_t *v = json_object_get(o, "tier");
    if (!v) {
        if (dflt < 0) {
            path_key(&m->path, "tier");
            ierr(m, "missing (the screen has %zu tiers: name one by its key)",
                 s->ntiers);
            path_pop(&m->path);
        }
        return dflt;
    }
    path_key(&m->path, "tier");
    int t = -1;
    if (!json_is_string(v)) {
        ierr(m, "must be a tier key (string)");
    } else {
        for (size_t i = 0; i < s->ntiers; i++)
            if (s->tiers[i].key && !strcmp(s->tiers[i].key, json_string_value(v)))
                t = (int)i;
        if (t < 0) ierr(m, "no tier with key \"%s\"", json_string_value(v));
    }
    path_pop(&m->path);
    return t;
}

/* ------------------------------------------------------------------------ */
/* Building seats                                                            */

static int add_row(imp *m, screen_in *s, const char *label)
{
    size_t n = strlen(label);
    if (n < 1 || n > TIX_ROW_LABEL_MAX) {
        ierr(m, "row label \"%s\" must be 1..%d bytes", label, TIX_ROW_LABEL_MAX);
        return -1;
    }
    if (s->nrows == s->rcap) {
        size_t cap = s->rcap ? s->rcap * 2 : 64;
        row_in *r = realloc(s->rows, cap * sizeof *r);
        if (!r) return -2;
        s->rows = r;
        s->rcap = cap;
    }
    row_in *r = &s->rows[s->nrows++];
    memcpy(r->label, label, n + 1);
    r->first = s->nseats;
    r->count = 0;
    return 0;
}

static seat_in *add_seat(imp *m, screen_in *s, uint32_t number, double x,
                         double y, int tier, uint32_t flags)
{
    if (s->nseats == SCREEN_SEATS_MAX) {
        ierr(m, "a screen has at most %d seats", SCREEN_SEATS_MAX);
        return NULL;
    }
    if (s->nseats == s->scap) {
        size_t cap = s->scap ? s->scap * 2 : 1024;
        seat_in *p = realloc(s->seats, cap * sizeof *p);
        if (!p) return NULL;
        s->seats = p;
        s->scap = cap;
    }
    seat_in *st = &s->seats[s->nseats++];
    *st = (seat_in){number, x, y, tier, flags, (uint32_t)(s->nrows - 1), m->path};
    s->rows[s->nrows - 1].count++;
    return st;
}

/* One row's seats array: places seats at a cursor in pitch units. */
static void row_seats(imp *m, screen_in *s, json_t *seats, int tier,
                      double pitch, double y, int has_x, double x0,
                      int aisle_ends)
{
    size_t first = s->nseats;
    double cur = 0;
    int aisle_next = 0;
    size_t i;
    json_t *it;
    if (!json_is_array(seats) || json_array_size(seats) == 0) {
        ierr(m, "must be a non-empty array of seat numbers, ranges, gaps and "
             "aisles");
        return;
    }
    json_array_foreach(seats, i, it) {
        path_idx(&m->path, i);
        if (json_is_integer(it)) {
            int64_t n;
            if (int_value(m, it, 1, UINT32_MAX, &n)) {
                seat_in *st = add_seat(m, s, (uint32_t)n, cur, y, tier,
                                       aisle_next ? TIX_SEAT_AISLE : 0);
                aisle_next = 0;
                if (st) st->x = cur;
            }
            cur += 1;
        } else if (json_is_object(it)) {
            json_t *gap = json_object_get(it, "gap"),
                   *aisle = json_object_get(it, "aisle"),
                   *from = json_object_get(it, "from"),
                   *num = json_object_get(it, "number");
            int kinds = !!gap + !!aisle + !!from + !!num;
            if (kinds != 1) {
                ierr(m, "an item is a number, or an object with exactly one "
                     "of gap, aisle, from (a range) or number (one seat)");
            } else if (gap || aisle) {
                static const char *const ga[] = {"gap", "aisle", NULL};
                only_keys(m, it, ga);
                double w = 0;
                if (get_num(m, it, gap ? "gap" : "aisle", 1, 0, 1000, &w))
                    cur += w;
                if (aisle) {
                    if (s->nseats > first)
                        s->seats[s->nseats - 1].flags |= TIX_SEAT_AISLE;
                    aisle_next = 1;
                }
            } else if (from) {
                static const char *const ra[] = {"from", "to", "tier", "flags",
                                                 NULL};
                only_keys(m, it, ra);
                int64_t a = 0, b = 0;
                int ok = get_int(m, it, "from", 1, 1, UINT32_MAX, &a);
                ok &= get_int(m, it, "to", 1, 1, UINT32_MAX, &b);
                int t = get_tier(m, s, it, tier);
                uint32_t f = get_flags(m, it, "flags");
                if (ok && (a > b ? a - b : b - a) >= 100000) {
                    ierr(m, "a range holds at most 100000 seats");
                    ok = 0;
                }
                if (ok) {
                    int64_t step = a <= b ? 1 : -1;
                    for (int64_t n = a;; n += step) {
                        seat_in *st = add_seat(m, s, (uint32_t)n, cur, y, t,
                                               f | (aisle_next ? TIX_SEAT_AISLE : 0));
                        aisle_next = 0;
                        if (!st) break;
                        cur += 1;
                        if (n == b) break;
                    }
                }
            } else {
                static const char *const sa[] = {"number", "x", "y", "width",
                                                 "tier", "flags", NULL};
                only_keys(m, it, sa);
                int64_t n = 0;
                double w = 1, ax = 0, ay = 0;
                int ok = get_int(m, it, "number", 1, 1, UINT32_MAX, &n);
                get_num(m, it, "width", 0, 0.1, 100, &w);
                int hx = get_num(m, it, "x", 0, -1e9, 1e9, &ax);
                int hy = get_num(m, it, "y", 0, -1e9, 1e9, &ay);
                int t = get_tier(m, s, it, tier);
                uint32_t f = get_flags(m, it, "flags");
                if (ok) {
                    seat_in *st = add_seat(m, s, (uint32_t)n,
                                           hx ? ax : cur + (w - 1) / 2,
                                           hy ? ay : y, t,
                                           f | (aisle_next ? TIX_SEAT_AISLE : 0));
                    aisle_next = 0;
                    /* An absolute x is kept when the row is placed. */
                    if (st && hx) st->flags |= 0x80000000u;
                }
                cur += w;
            }
        } else {
            ierr(m, "must be a seat number, or an object (from/to, number, "
                 "gap or aisle)");
        }
        path_pop(&m->path);
    }
    if (s->nseats == first) return;
    /* Row ends are aisle seats unless told otherwise. */
    if (aisle_ends) {
        s->seats[first].flags |= TIX_SEAT_AISLE;
        s->seats[s->nseats - 1].flags |= TIX_SEAT_AISLE;
    }
    /* Cursor units -> map units; centre on 0 unless x gives the first
     * seat's position. Seats with an absolute x keep it. */
    double lo = 1e300, hi = -1e300;
    for (size_t k = first; k < s->nseats; k++)
        if (!(s->seats[k].flags & 0x80000000u)) {
            if (s->seats[k].x < lo) lo = s->seats[k].x;
            if (s->seats[k].x > hi) hi = s->seats[k].x;
        }
    double shift = has_x ? x0 - lo * pitch : -(lo + hi) / 2 * pitch;
    for (size_t k = first; k < s->nseats; k++) {
        if (s->seats[k].flags & 0x80000000u) s->seats[k].flags &= ~0x80000000u;
        else s->seats[k].x = s->seats[k].x * pitch + shift;
    }
}

/* Labels of a row entry: "label", or "labels" as an array of strings or
 * {"from": "A", "to": "H", "skip": ["I"]} (letters or numbers). */
static int row_labels(imp *m, json_t *row, char (*out)[TIX_ROW_LABEL_MAX + 1],
                      size_t max, size_t *n)
{
    *n = 0;
    json_t *one = json_object_get(row, "label"), *many = json_object_get(row, "labels");
    if (!!one == !!many) {
        ierr(m, "give exactly one of label (a string) or labels (several "
             "rows)");
        return -1;
    }
    if (one) {
        const char *l = get_str(m, row, "label", 1, 1, TIX_ROW_LABEL_MAX);
        if (!l) return -1;
        snprintf(out[0], TIX_ROW_LABEL_MAX + 1, "%s", l);
        *n = 1;
        return 0;
    }
    path_key(&m->path, "labels");
    int rc = 0;
    if (json_is_array(many)) {
        size_t i;
        json_t *e;
        json_array_foreach(many, i, e) {
            path_idx(&m->path, i);
            if (!json_is_string(e) || json_string_length(e) < 1 ||
                json_string_length(e) > TIX_ROW_LABEL_MAX) {
                ierr(m, "must be a row label of 1..%d bytes", TIX_ROW_LABEL_MAX);
                rc = -1;
            } else if (*n < max) {
                snprintf(out[(*n)++], TIX_ROW_LABEL_MAX + 1, "%s",
                         json_string_value(e));
            }
            path_pop(&m->path);
        }
    } else if (json_is_object(many)) {
        static const char *const la[] = {"from", "to", "skip", NULL};
        only_keys(m, many, la);
        const char *a = get_str(m, many, "from", 1, 1, TIX_ROW_LABEL_MAX);
        const char *b = get_str(m, many, "to", 1, 1, TIX_ROW_LABEL_MAX);
        json_t *skip = json_object_get(many, "skip");
        if (skip && !json_is_array(skip)) {
            path_key(&m->path, "skip");
            ierr(m, "must be an array of labels");
            path_pop(&m->path);
            skip = NULL;
        }
        if (!a || !b) {
            rc = -1;
        } else if (isdigit((unsigned char)a[0]) && isdigit((unsigned char)b[0])) {
            long x = strtol(a, NULL, 10), y = strtol(b, NULL, 10);
            for (long i = x; i <= y && *n < max; i++)
                snprintf(out[(*n)++], TIX_ROW_LABEL_MAX + 1, "%ld", i);
        } else if (strlen(a) == 1 && strlen(b) == 1 && isupper((unsigned char)a[0]) &&
                   isupper((unsigned char)b[0]) && a[0] <= b[0]) {
            for (char ch = a[0]; ch <= b[0] && *n < max; ch++)
                snprintf(out[(*n)++], TIX_ROW_LABEL_MAX + 1, "%c", ch);
        } else {
            ierr(m, "from and to must both be numbers, or single capital "
                 "letters in order");
            rc = -1;
        }
        if (skip) {
            size_t k = 0;
            for (size_t i = 0; i < *n; i++) {
                int drop = 0;
                size_t j;
                json_t *e;
                json_array_foreach(skip, j, e)
                    if (json_is_string(e) && !strcmp(json_string_value(e), out[i]))
                        drop = 1;
                if (!drop) memmove(out[k++], out[i], TIX_ROW_LABEL_MAX + 1);
            }
            *n = k;
        }
    } else {
        ierr(m, "must be an array of labels or {\"from\", \"to\", \"skip\"}");
        rc = -1;
    }
    if (rc == 0 && *n == 0) {
        ierr(m, "names no row");
        rc = -1;
    }
    path_pop(&m->path);
    return rc;
}

static void parse_rows(imp *m, screen_in *s, json_t *rows)
{
    if (!json_is_array(rows)) {
        ierr(m, "must be an array of rows");
        return;
    }
    static const char *const ra[] = {"label", "labels", "y", "dy", "tier", "x",
                                     "pitch", "aisle_ends", "seats", NULL};
    double next_y = 0;
    size_t r;
    json_t *row;
    json_array_foreach(rows, r, row) {
        path_idx(&m->path, r);
        if (!json_is_object(row)) {
            ierr(m, "must be an object");
            path_pop(&m->path);
            continue;
        }
        only_keys(m, row, ra);
        static char labels[1000][TIX_ROW_LABEL_MAX + 1];
        size_t nl;
        double y = next_y, dy = 1, pitch = 1, x0 = 0;
        get_num(m, row, "y", 0, -1e9, 1e9, &y);
        get_num(m, row, "dy", 0, -1e6, 1e6, &dy);
        get_num(m, row, "pitch", 0, 1e-6, 1e6, &pitch);
        int has_x = get_num(m, row, "x", 0, -1e9, 1e9, &x0);
        int tier = get_tier(m, s, row, s->ntiers == 1 ? 0 : -1);
        int ends = get_bool(m, row, "aisle_ends", 1);
        json_t *seats = json_object_get(row, "seats");
        if (row_labels(m, row, labels, 1000, &nl) == 0) {
            if (!seats) {
                path_key(&m->path, "seats");
                ierr(m, "missing (an array of seats is required)");
                path_pop(&m->path);
            }
            for (size_t k = 0; k < nl && seats; k++) {
                if (add_row(m, s, labels[k])) break;
                path_key(&m->path, "seats");
                row_seats(m, s, seats, tier, pitch, y + dy * (double)k, has_x,
                          x0, ends);
                path_pop(&m->path);
            }
            next_y = y + dy * (double)nl;
        }
        path_pop(&m->path);
    }
}

/* Stadium blocks: rows x seats placed in a rotated frame. */
static void parse_blocks(imp *m, screen_in *s, json_t *blocks)
{
    if (!json_is_array(blocks)) {
        ierr(m, "must be an array of blocks");
        return;
    }
    static const char *const ba[] = {"name", "tier", "rows", "seats", "origin",
                                     "angle", "pitch", "row_pitch", "wheelchair",
                                     "companion", "blocked", "aisle_ends", NULL};
    size_t b;
    json_t *bl;
    json_array_foreach(blocks, b, bl) {
        path_idx(&m->path, b);
        if (!json_is_object(bl)) {
            ierr(m, "must be an object");
            path_pop(&m->path);
            continue;
        }
        only_keys(m, bl, ba);
        const char *name = get_str(m, bl, "name", 1, 1, TIX_ROW_LABEL_MAX - 2);
        int tier = get_tier(m, s, bl, s->ntiers == 1 ? 0 : -1);
        int64_t r0 = 1, r1 = 0, s0 = 1, s1 = 0;
        int ok = 1;
        for (int pass = 0; pass < 2; pass++) {
            const char *key = pass ? "seats" : "rows";
            int64_t *lo = pass ? &s0 : &r0, *hi = pass ? &s1 : &r1;
            json_t *v = json_object_get(bl, key);
            path_key(&m->path, key);
            if (json_is_integer(v)) {
                ok &= int_value(m, v, 1, 10000, hi);
            } else if (json_is_object(v)) {
                ok &= get_int(m, v, "from", 1, 1, 10000, lo);
                ok &= get_int(m, v, "to", 1, 1, 10000, hi);
                if (ok && *hi < *lo) {
                    ierr(m, "to must not be below from");
                    ok = 0;
                }
            } else {
                ierr(m, v ? "must be a count or {\"from\", \"to\"}"
                          : "missing (a count or {\"from\", \"to\"})");
                ok = 0;
            }
            path_pop(&m->path);
        }
        double ox = 0, oy = 0, angle = 0, pitch = 0.5, rpitch = 0.8;
        json_t *org = json_object_get(bl, "origin");
        if (org) {
            path_key(&m->path, "origin");
            if (!json_is_array(org) || json_array_size(org) != 2 ||
                !json_is_number(json_array_get(org, 0)) ||
                !json_is_number(json_array_get(org, 1)))
                ierr(m, "must be [x, y]");
            else {
                ox = json_number_value(json_array_get(org, 0));
                oy = json_number_value(json_array_get(org, 1));
            }
            path_pop(&m->path);
        }
        get_num(m, bl, "angle", 0, -360, 360, &angle);
        get_num(m, bl, "pitch", 0, 1e-6, 1e6, &pitch);
        get_num(m, bl, "row_pitch", 0, 1e-6, 1e6, &rpitch);
        int ends = get_bool(m, bl, "aisle_ends", 1);
        /* Special seats: [[row, seat], ...]. */
        json_t *special[3] = {json_object_get(bl, "wheelchair"),
                              json_object_get(bl, "companion"),
                              json_object_get(bl, "blocked")};
        static const char *const skeys[3] = {"wheelchair", "companion", "blocked"};
        static const uint32_t sflags[3] = {TIX_SEAT_WHEELCHAIR, TIX_SEAT_COMPANION,
                                           TIX_SEAT_BLOCKED};
        for (int k = 0; k < 3; k++) {
            if (!special[k]) continue;
            path_key(&m->path, skeys[k]);
            size_t i;
            json_t *e;
            int bad = !json_is_array(special[k]);
            if (!bad)
                json_array_foreach(special[k], i, e) {
                    if (!json_is_array(e) || json_array_size(e) != 2 ||
                        !json_is_integer(json_array_get(e, 0)) ||
                        !json_is_integer(json_array_get(e, 1))) {
                        path_idx(&m->path, i);
                        ierr(m, "must be [row, seat]");
                        path_pop(&m->path);
                    }
                }
            else
                ierr(m, "must be an array of [row, seat] pairs");
            path_pop(&m->path);
        }
        if (name && ok) {
            double ca = cos(angle * DEG), sa = sin(angle * DEG);
            double mid = (double)(s0 + s1) / 2;
            for (int64_t r = r0; r <= r1; r++) {
                char label[32];
                snprintf(label, sizeof label, "%s-%lld", name, (long long)r);
                if (add_row(m, s, label)) break;
                for (int64_t n = s0; n <= s1; n++) {
                    double lx = ((double)n - mid) * pitch,
                           ly = (double)(r - r0) * rpitch;
                    uint32_t f = 0;
                    if (ends && (n == s0 || n == s1)) f |= TIX_SEAT_AISLE;
                    for (int k = 0; k < 3; k++) {
                        size_t i;
                        json_t *e;
                        if (json_is_array(special[k]))
                            json_array_foreach(special[k], i, e)
                                if (json_integer_value(json_array_get(e, 0)) == r &&
                                    json_integer_value(json_array_get(e, 1)) == n)
                                    f |= sflags[k];
                    }
                    if (!add_seat(m, s, (uint32_t)n, ox + lx * ca - ly * sa,
                                  oy + lx * sa + ly * ca, tier, f))
                        break;
                }
            }
        }
        path_pop(&m->path);
    }
}

static void parse_tiers(imp *m, screen_in *s, json_t *tiers)
{
    if (!json_is_array(tiers) || json_array_size(tiers) == 0) {
        ierr(m, "must be a non-empty array of price tiers");
        return;
    }
    static const char *const ta[] = {"key", "name", "price_minor", "currency",
                                     NULL};
    s->ntiers = json_array_size(tiers);
    s->tiers = calloc(s->ntiers, sizeof *s->tiers);
    if (!s->tiers) {
        ierr(m, "out of memory");
        s->ntiers = 0;
        return;
    }
    size_t i;
    json_t *t;
    json_array_foreach(tiers, i, t) {
        path_idx(&m->path, i);
        tier_in *ti = &s->tiers[i];
        if (!json_is_object(t)) {
            ierr(m, "must be an object");
            path_pop(&m->path);
            continue;
        }
        only_keys(m, t, ta);
        ti->name = get_str(m, t, "name", 1, 1, TIX_NAME_MAX);
        ti->key = get_str(m, t, "key", 0, 1, 64);
        if (!ti->key) ti->key = ti->name;
        int64_t price = 0;
        if (get_int(m, t, "price_minor", 1, 0, INT64_MAX / 4, &price))
            ti->price = price;
        const char *cur = get_str(m, t, "currency", 1, 3, 3);
        if (cur) {
            if (!isupper((unsigned char)cur[0]) || !isupper((unsigned char)cur[1]) ||
                !isupper((unsigned char)cur[2])) {
                path_key(&m->path, "currency");
                ierr(m, "must be an ISO 4217 code of three capital letters");
                path_pop(&m->path);
            } else if (tix_currency_exponent(cur) < 0) {
                path_key(&m->path, "currency");
                ierr(m, "%s", tix_errmsg());
                path_pop(&m->path);
            }
            memcpy(ti->currency, cur, 4);
        }
        for (size_t j = 0; j < i; j++) {
            if (ti->key && s->tiers[j].key && !strcmp(ti->key, s->tiers[j].key)) {
                path_key(&m->path, "key");
                ierr(m, "tier key \"%s\" is used twice in this screen", ti->key);
                path_pop(&m->path);
            }
            if (ti->name && s->tiers[j].name && !strcmp(ti->name, s->tiers[j].name)) {
                path_key(&m->path, "name");
                ierr(m, "tier name \"%s\" is used twice in this screen", ti->name);
                path_pop(&m->path);
            }
        }
        path_pop(&m->path);
    }
}

typedef struct dup_key {
    const char *row;
    uint32_t number;
    size_t seat;
} dup_key;

static int dup_cmp(const void *a, const void *b)
{
    const dup_key *x = a, *y = b;
    int c = strcmp(x->row, y->row);
    if (c) return c;
    if (x->number != y->number) return x->number < y->number ? -1 : 1;
    return x->seat < y->seat ? -1 : x->seat > y->seat;
}

static void check_duplicates(imp *m, screen_in *s)
{
    if (!s->nseats) return;
    dup_key *k = malloc(s->nseats * sizeof *k);
    if (!k) return;
    for (size_t i = 0; i < s->nseats; i++)
        k[i] = (dup_key){s->rows[s->seats[i].row].label, s->seats[i].number, i};
    qsort(k, s->nseats, sizeof *k, dup_cmp);
    int shown = 0;
    for (size_t i = 1; i < s->nseats && shown < 10; i++)
        if (k[i].number == k[i - 1].number && !strcmp(k[i].row, k[i - 1].row)) {
            jpath save = m->path;
            m->path = s->seats[k[i].seat].where;
            ierr(m, "seat %s %u appears twice in this screen", k[i].row,
                 k[i].number);
            m->path = save;
            shown++;
        }
    free(k);
}

static void parse_screen(imp *m, screen_in *s, json_t *o)
{
    static const char *const sa[] = {"name", "ideal", "tiers", "rows", "blocks",
                                     NULL};
    only_keys(m, o, sa);
    s->name = get_str(m, o, "name", 1, 1, TIX_NAME_MAX);
    json_t *ideal = json_object_get(o, "ideal");
    if (ideal) {
        path_key(&m->path, "ideal");
        if (!json_is_array(ideal) || json_array_size(ideal) != 2 ||
            !json_is_number(json_array_get(ideal, 0)) ||
            !json_is_number(json_array_get(ideal, 1))) {
            ierr(m, "must be [x, y], the best view point");
        } else {
            s->ideal_x = json_number_value(json_array_get(ideal, 0));
            s->ideal_y = json_number_value(json_array_get(ideal, 1));
            s->has_ideal = 1;
        }
        path_pop(&m->path);
    }
    path_key(&m->path, "tiers");
    json_t *tiers = json_object_get(o, "tiers");
    if (!tiers) ierr(m, "missing (the price tiers of the screen)");
    else parse_tiers(m, s, tiers);
    path_pop(&m->path);
    json_t *rows = json_object_get(o, "rows"), *blocks = json_object_get(o, "blocks");
    if (!rows && !blocks) ierr(m, "needs rows or blocks of seats");
    if (rows) {
        path_key(&m->path, "rows");
        parse_rows(m, s, rows);
        path_pop(&m->path);
    }
    if (blocks) {
        path_key(&m->path, "blocks");
        parse_blocks(m, s, blocks);
        path_pop(&m->path);
    }
    if (m->nerr == 0 && s->nseats == 0) ierr(m, "has no seats");
    if (m->nerr == 0) check_duplicates(m, s);
}

static void parse_layout(imp *m, json_t *root)
{
    if (!json_is_object(root)) {
        ierr(m, "a layout is a JSON object");
        return;
    }
    static const char *const top[] = {"format", "place", "venue", "screens",
                                      "comment", NULL};
    only_keys(m, root, top);
    const char *fmt = get_str(m, root, "format", 1, 1, 64);
    if (fmt && strcmp(fmt, "tix-layout-1")) {
        path_key(&m->path, "format");
        ierr(m, "unknown format \"%s\" (this tix reads \"tix-layout-1\")", fmt);
        path_pop(&m->path);
    }
    /* place */
    json_t *pl = json_object_get(root, "place");
    path_key(&m->path, "place");
    if (!json_is_object(pl)) {
        ierr(m, pl ? "must be an object" : "missing (country, state, city or city_id)");
    } else {
        static const char *const pa[] = {"country", "state", "city",
                                         "utc_offset_min", "time_zone",
                                         "city_id", NULL};
        only_keys(m, pl, pa);
        int64_t id = 0, off = 0;
        if (json_object_get(pl, "city_id")) {
            if (get_int(m, pl, "city_id", 1, 1, INT64_MAX, &id)) m->city_id = (tix_id)id;
        } else {
            m->country = get_str(m, pl, "country", 1, 1, TIX_NAME_MAX);
            m->state = get_str(m, pl, "state", 1, 1, TIX_NAME_MAX);
            m->city = get_str(m, pl, "city", 1, 1, TIX_NAME_MAX);
            /* With a time zone the fixed offset is only a fallback. */
            m->time_zone = get_str(m, pl, "time_zone", 0, 1, TIX_TZ_NAME_MAX);
            int need_off = m->time_zone == NULL;
            if (get_int(m, pl, "utc_offset_min", need_off, -720, 840, &off))
                m->utc_offset = (int32_t)off;
            int32_t probe;
            if (m->time_zone && tix_tz_offset(m->time_zone, 0, &probe)) {
                path_key(&m->path, "time_zone");
                ierr(m, "%s", tix_errmsg());
                path_pop(&m->path);
            }
        }
    }
    path_pop(&m->path);
    /* venue */
    json_t *v = json_object_get(root, "venue");
    path_key(&m->path, "venue");
    if (!json_is_object(v)) {
        ierr(m, v ? "must be an object" : "missing (name, address, lat, lon)");
    } else {
        static const char *const va[] = {"name", "address", "lat", "lon", NULL};
        only_keys(m, v, va);
        m->vname = get_str(m, v, "name", 1, 1, TIX_NAME_MAX);
        m->vaddress = get_str(m, v, "address", 0, 0, TIX_ADDRESS_MAX);
        get_num(m, v, "lat", 1, -90, 90, &m->lat);
        get_num(m, v, "lon", 1, -180, 180, &m->lon);
    }
    path_pop(&m->path);
    /* screens */
    json_t *ss = json_object_get(root, "screens");
    path_key(&m->path, "screens");
    if (!json_is_array(ss) || json_array_size(ss) == 0) {
        ierr(m, "must be a non-empty array of screens");
    } else {
        m->nscreens = json_array_size(ss);
        m->screens = calloc(m->nscreens, sizeof *m->screens);
        size_t i;
        json_t *o;
        json_array_foreach(ss, i, o) {
            path_idx(&m->path, i);
            if (!json_is_object(o)) ierr(m, "must be an object");
            else if (m->screens) parse_screen(m, &m->screens[i], o);
            for (size_t j = 0; j < i && m->screens; j++)
                if (m->screens[i].name && m->screens[j].name &&
                    !strcmp(m->screens[i].name, m->screens[j].name)) {
                    path_key(&m->path, "name");
                    ierr(m, "screen name \"%s\" is used twice", m->screens[i].name);
                    path_pop(&m->path);
                }
            path_pop(&m->path);
        }
    }
    path_pop(&m->path);
}

/* ------------------------------------------------------------------------ */
/* Writing                                                                   */

static int find_or_create_place(imp *m, tix_place_kind kind, tix_id parent,
                                const char *name, int32_t off, const char *zone,
                                tix_id *out)
{
    tix_place_list *l;
    int rc = tix_place_list_by_parent(m->c->db, parent, &l);
    if (rc) return rc;
    for (size_t i = 0; i < l->count; i++)
        if (!strcmp(l->items[i].name, name)) {
            *out = l->items[i].id;
            tix_place_list_free(l);
            return TIX_OK;
        }
    tix_place_list_free(l);
    tix_place p = {.kind = kind, .parent_id = parent, .name = name,
                   .utc_offset_min = off, .time_zone = zone};
    return tix_place_create(m->c->db, &p, out);
}

/* Reports a library failure at the current path (exit code by rc). */
static int write_fail(imp *m, int rc, const char *what)
{
    char where[256], detail[512];
    snprintf(detail, sizeof detail, "%s", tix_errmsg());
    path_str(&m->path, where, sizeof where);
    int line = line_of(m->text, m->len, &m->path);
    return cli_error(m->c, cli_exit_code(rc), "import", "%s:%d: %s: %s: %s: %s",
                     m->file, line, where, what, tix_strerror(rc), detail);
}

static int write_layout(imp *m, json_t *result)
{
    tix_db *db = m->c->db;
    int rc;
    tix_id city = m->city_id;
    m->path.n = 0;
    path_key(&m->path, "place");
    if (city) {
        tix_place *p;
        if ((rc = tix_place_get(db, city, &p))) return write_fail(m, rc, "city_id");
        int kind = p->kind;
        tix_place_free(p);
        if (kind != TIX_PLACE_CITY)
            return cli_error(m->c, EX_INVALID, "import", "%s: place.city_id %llu "
                             "is not a city", m->file, (unsigned long long)city);
    } else {
        tix_id country, state;
        if ((rc = find_or_create_place(m, TIX_PLACE_COUNTRY, 0, m->country, 0, NULL,
                                        &country)))
            return write_fail(m, rc, "country");
        if ((rc = find_or_create_place(m, TIX_PLACE_STATE, country, m->state, 0, NULL,
                                        &state)))
            return write_fail(m, rc, "state");
        if ((rc = find_or_create_place(m, TIX_PLACE_CITY, state, m->city,
                                       m->utc_offset, m->time_zone, &city)))
            return write_fail(m, rc, "city");
    }
    path_pop(&m->path);
    path_key(&m->path, "venue");
    tix_venue v = {.city_id = city, .name = m->vname, .address = m->vaddress,
                   .lat = m->lat, .lon = m->lon};
    tix_id venue;
    if ((rc = tix_venue_create(db, &v, &venue))) return write_fail(m, rc, "venue");
    path_pop(&m->path);
    json_object_set_new(result, "city_id", json_integer((json_int_t)city));
    json_object_set_new(result, "venue_id", json_integer((json_int_t)venue));
    json_t *screens = json_array();
    json_object_set_new(result, "screens", screens);
    path_key(&m->path, "screens");
    for (size_t i = 0; i < m->nscreens; i++) {
        screen_in *s = &m->screens[i];
        path_idx(&m->path, i);
        double x0 = 1e300, x1 = -1e300, y0 = 1e300, y1 = -1e300;
        for (size_t k = 0; k < s->nseats; k++) {
            x0 = fmin(x0, s->seats[k].x);
            x1 = fmax(x1, s->seats[k].x);
            y0 = fmin(y0, s->seats[k].y);
            y1 = fmax(y1, s->seats[k].y);
        }
        tix_screen scr = {.venue_id = venue, .name = s->name,
                          .ideal_x = s->has_ideal ? s->ideal_x : (x0 + x1) / 2,
                          .ideal_y = s->has_ideal ? s->ideal_y
                                                  : y0 + (y1 - y0) * 2 / 3};
        if ((rc = tix_screen_create(db, &scr, &s->id)))
            return write_fail(m, rc, "screen");
        json_t *tj = json_array();
        path_key(&m->path, "tiers");
        for (size_t t = 0; t < s->ntiers; t++) {
            path_idx(&m->path, t);
            tix_tier tr = {.screen_id = s->id, .name = s->tiers[t].name,
                           .price_minor = s->tiers[t].price};
            memcpy(tr.currency, s->tiers[t].currency, 4);
            if ((rc = tix_tier_create(db, &tr, &s->tiers[t].id)))
                return write_fail(m, rc, "tier");
            json_array_append_new(tj, json_pack("{s:s, s:s, s:I}", "key",
                                                s->tiers[t].key, "name",
                                                s->tiers[t].name, "tier_id",
                                                (json_int_t)s->tiers[t].id));
            path_pop(&m->path);
        }
        path_pop(&m->path);
        tix_seat_spec *specs = malloc(s->nseats * sizeof *specs);
        tix_row_spec *rows = malloc(s->nrows * sizeof *rows);
        if (!specs || !rows) {
            free(specs);
            free(rows);
            json_decref(tj);
            return cli_error(m->c, EX_SYSTEM, "TIX_ENOMEM", "out of memory");
        }
        for (size_t k = 0; k < s->nseats; k++)
            specs[k] = (tix_seat_spec){.number = s->seats[k].number,
                                       .x = s->seats[k].x, .y = s->seats[k].y,
                                       .tier_id = s->tiers[s->seats[k].tier].id,
                                       .flags = s->seats[k].flags};
        size_t nr = 0;
        for (size_t r = 0; r < s->nrows; r++)
            if (s->rows[r].count)
                rows[nr++] = (tix_row_spec){s->rows[r].label,
                                            specs + s->rows[r].first,
                                            s->rows[r].count};
        rc = tix_seats_add_rows(db, s->id, rows, nr, NULL);
        free(specs);
        free(rows);
        if (rc) {
            json_decref(tj);
            return write_fail(m, rc, "seats");
        }
        json_array_append_new(screens, json_pack("{s:s, s:I, s:I, s:I, s:o}",
                                                 "name", s->name, "screen_id",
                                                 (json_int_t)s->id, "rows",
                                                 (json_int_t)nr, "seats",
                                                 (json_int_t)s->nseats,
                                                 "tiers", tj));
        path_pop(&m->path);
    }
    return EX_OK;
}

/* ------------------------------------------------------------------------ */

static const char import_help[] =
    "usage: tix import [-s DIR] [--json] [--dry-run] LAYOUT.json\n"
    "\n"
    "Imports a venue layout: the place (country, state, city: found or\n"
    "created), the venue, and its screens with price tiers and seats (rows\n"
    "with seat numbers, gaps, aisles and x/y positions, or stadium blocks).\n"
    "The format (\"tix-layout-1\") is described in docs/cli.md; samples are\n"
    "in examples/data. The whole file is validated first; every error names\n"
    "FILE:LINE: field path. Each screen's seats are written in one\n"
    "transaction.\n"
    "\n"
    "  --dry-run   validate only; write nothing\n"
    "\n"
    "Exit 4 for an invalid layout, 3 when the venue already exists in the\n"
    "city.\n";

static void imp_free(imp *m)
{
    for (size_t i = 0; m->screens && i < m->nscreens; i++) {
        free(m->screens[i].tiers);
        free(m->screens[i].rows);
        free(m->screens[i].seats);
    }
    free(m->screens);
    json_decref(m->errs);
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
    if (!f) return NULL;
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap + 1);
    while (buf) {
        size_t r = fread(buf + n, 1, cap - n, f);
        n += r;
        if (n < cap) break;
        char *nb = realloc(buf, cap * 2 + 1);
        if (!nb) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = nb;
        cap *= 2;
    }
    int err = ferror(f);
    if (f != stdin) fclose(f);
    if (err) {
        free(buf);
        errno = EIO;
        return NULL;
    }
    if (buf) buf[n] = 0;
    *len = n;
    return buf;
}

int cmd_import(cli *c, int argc, char **argv)
{
    cli_opt opts[] = {OPT("dry-run", 'n', 0), {0}};
    const char *pos[2];
    int np, rc = cli_parse(c, "import", import_help, argc, argv, opts, pos, &np, 1);
    if (rc) return rc;
    if (np != 1) return cli_usage(c, "import", "give the layout file (- for stdin)");
    imp m = {.c = c, .file = pos[0], .errs = json_array()};
    char *text = read_file(pos[0], &m.len);
    if (!text) {
        int e = errno;
        json_decref(m.errs);
        return cli_error(c, e == ENOENT ? EX_NOTFOUND : EX_SYSTEM,
                         e == ENOENT ? "TIX_ENOTFOUND" : "TIX_EIO",
                         "cannot read %s: %s", pos[0], strerror(e));
    }
    m.text = text;
    json_error_t jerr;
    json_t *root = json_loadb(text, m.len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root) {
        json_decref(m.errs);
        free(text);
        if (c->json) {
            json_t *o = json_pack("{s:b, s:{s:s, s:s, s:i, s:[{s:s, s:i, s:i, s:s}]}}",
                                  "ok", 0, "error", "code", "layout", "message",
                                  "invalid JSON", "exit", EX_INVALID, "errors",
                                  "file", pos[0], "line", jerr.line, "column",
                                  jerr.column, "message", jerr.text);
            json_dumpf(o, stdout, JSON_INDENT(2));
            fputc('\n', stdout);
            json_decref(o);
        } else {
            fprintf(stderr, "%s:%d:%d: invalid JSON: %s\n", pos[0], jerr.line,
                    jerr.column, jerr.text);
        }
        return EX_INVALID;
    }
    parse_layout(&m, root);
    int ex = EX_OK;
    if (m.nerr) {
        if (c->json) {
            json_t *o = json_pack("{s:b, s:{s:s, s:s, s:i, s:i, s:O}}", "ok", 0,
                                  "error", "code", "layout", "message",
                                  "invalid layout", "exit", EX_INVALID, "count",
                                  m.nerr, "errors", m.errs);
            json_dumpf(o, stdout, JSON_INDENT(2));
            fputc('\n', stdout);
            json_decref(o);
        } else {
            if (m.nerr > MAX_ERRORS)
                fprintf(stderr, "%s: ... %d more errors\n", pos[0],
                        m.nerr - MAX_ERRORS);
            fprintf(stderr, "%s: %d error%s; nothing imported\n", pos[0], m.nerr,
                    m.nerr == 1 ? "" : "s");
        }
        ex = EX_INVALID;
    } else {
        size_t seats = 0;
        for (size_t i = 0; i < m.nscreens; i++) seats += m.screens[i].nseats;
        json_t *result = json_pack("{s:s, s:s, s:b, s:I}", "file", pos[0],
                                   "venue", m.vname, "dry_run",
                                   opts[0].set ? 1 : 0, "seats",
                                   (json_int_t)seats);
        if (opts[0].set) {
            json_t *a = json_array();
            for (size_t i = 0; i < m.nscreens; i++)
                json_array_append_new(a, json_pack("{s:s, s:I, s:I, s:I}", "name",
                                                   m.screens[i].name, "rows",
                                                   (json_int_t)m.screens[i].nrows,
                                                   "seats",
                                                   (json_int_t)m.screens[i].nseats,
                                                   "tiers",
                                                   (json_int_t)m.screens[i].ntiers));
            json_object_set_new(result, "screens", a);
        } else if ((ex = cli_open(c, 0)) == EX_OK) {
            ex = write_layout(&m, result);
        }
        if (ex == EX_OK) {
            if (!c->json) {
                printf("%s: venue \"%s\"", pos[0], m.vname);
                json_t *vid = json_object_get(result, "venue_id");
                if (vid) printf(" id %lld", (long long)json_integer_value(vid));
                printf(", %zu screen%s, %zu seats%s\n", m.nscreens,
                       m.nscreens == 1 ? "" : "s", seats,
                       opts[0].set ? " (dry run: valid, nothing written)" : "");
                json_t *sa = json_object_get(result, "screens");
                size_t i;
                json_t *so;
                json_array_foreach(sa, i, so) {
                    json_t *id = json_object_get(so, "screen_id");
                    printf("  screen \"%s\"", json_string_value(json_object_get(so, "name")));
                    if (id) printf(" id %lld", (long long)json_integer_value(id));
                    printf(": %lld rows, %lld seats\n",
                           (long long)json_integer_value(json_object_get(so, "rows")),
                           (long long)json_integer_value(json_object_get(so, "seats")));
                    json_t *tj = json_object_get(so, "tiers");
                    size_t t;
                    json_t *to;
                    if (json_is_array(tj))
                        json_array_foreach(tj, t, to)
                            printf("    tier %-16s id %lld\n",
                                   json_string_value(json_object_get(to, "name")),
                                   (long long)json_integer_value(json_object_get(to, "tier_id")));
                }
            }
            cli_emit(c, result);
        } else {
            json_decref(result);
        }
    }
    json_decref(root);
    imp_free(&m);
    free(text);
    return ex;
}
