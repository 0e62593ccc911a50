/* tix import: venue layouts from JSON (format "tix-layout-1", documented in
 * docs/cli.md). Every error names the file, line and field
 * ("layout.json:42: screens[0].rows[3].seats[5]: ..."). jansson gives the
 * line of syntax errors; for the others the line is found by walking the
 * text to the value at the field's path.
 *
 * Three passes, and nothing is written unless all of them pass:
 *  1. the file's form: types, known fields, tier keys, rows and blocks
 *     expanded into seats (this file's own rules);
 *  2. every record the file makes, checked by the library's own
 *     validators (tix_venue_validate() and the others: what tix_venue_create()
 *     and the others run first, so no rule has a second copy here), each
 *     failure mapped back to its field (tix_errfield);
 *  3. the writes, in one batch (tix_db_begin): what depends on the store
 *     (a venue name already taken, ...) fails there, and any failure
 *     rolls the whole import back. --dry-run runs the batch too, then
 *     rolls it back. */
#include <ctype.h>
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

#define MAX_ERRORS 50
#define WRITE_ATTEMPTS 16 /* batches retried after the map grew */
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
    int key_given; /* else the key is the name */
    int64_t price;
    char currency[4]; /* as given, cut to 4 bytes: the library judges it */
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
    char *label;       /* owned */
    jpath where;       /* field that named it */
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
    int parsed;        /* an object: pass 2 checks it */
    int too_many;      /* stopped adding seats past the library's limit */
    /* The seats as tix_seats_add_rows() takes them (specs_build). */
    tix_seat_spec *specs;
    tix_row_spec *rowspecs;
    size_t *rowmap;    /* rowspecs[k] is rows[rowmap[k]] */
    size_t *specmap;   /* specs[j] is seats[specmap[j]] */
    size_t nrowspecs;
    tix_id id;
} screen_in;

typedef struct imp {
    cli *c;
    const char *file;
    const char *text;
    size_t len;
    jpath path;
    int nerr;
    int first_rc;  /* libtix code of the first error from the library */
    int dry_run;
    json_t *errs;  /* {file, line, field, message[, code]}, printed at the end */
    int place_parsed, venue_parsed; /* objects: pass 2 checks them */
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

/* Records an error at the current path; @p rc is the libtix code behind
 * it (0: a rule of the file's form). */
static void verr(imp *m, int rc, const char *fmt, va_list ap)
{
    char msg[768], where[256];
    path_str(&m->path, where, sizeof where);
    vsnprintf(msg, sizeof msg, fmt, ap);
    /* Once per field: the library says nothing more of a field the file's
     * form faulted, and a row entry with several labels (or a range) says
     * the same of its items once. */
    size_t i;
    json_t *e;
    json_array_foreach(m->errs, i, e)
        if (!strcmp(json_string_value(json_object_get(e, "field")), where) &&
            (rc || !strcmp(json_string_value(json_object_get(e, "message")),
                           msg)))
            return;
    m->nerr++;
    if (rc && !m->first_rc) m->first_rc = rc;
    if (m->nerr > MAX_ERRORS) return;
    int line = line_of(m->text, m->len, &m->path);
    e = json_pack("{s:s, s:i, s:s, s:s}", "file", m->file, "line", line,
                  "field", where, "message", msg);
    if (rc) {
        char code[32];
        snprintf(code, sizeof code, "%s", tix_strerror(rc));
        code[strcspn(code, ":")] = 0;
        json_object_set_new(e, "code", json_string(code));
    }
    json_array_append_new(m->errs, e);
}

static void ierr(imp *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void ierr(imp *m, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    verr(m, 0, fmt, ap);
    va_end(ap);
}

static void ierr_rc(imp *m, int rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void ierr_rc(imp *m, int rc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    verr(m, rc, fmt, ap);
    va_end(ap);
}

/* Forgets the errors recorded so far (a batch about to run again). */
static void errs_clear(imp *m)
{
    m->nerr = 0;
    m->first_rc = 0;
    json_array_clear(m->errs);
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

/* A string field whose content the library judges (names, addresses,
 * currencies, labels): only its type here, and no NUL inside, which a C
 * string could not carry. */
static const char *get_text(imp *m, json_t *o, const char *key, int required)
{
    return get_str(m, o, key, required, 0, SIZE_MAX);
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

/* A row labelled @p label, named by the field at @p where. The label is
 * the library's to judge (pass 2). */
static int add_row(imp *m, screen_in *s, const char *label, const jpath *where)
{
    char *copy = NULL;
    if (s->nrows == s->rcap) {
        size_t cap = s->rcap ? s->rcap * 2 : 64;
        row_in *r = realloc(s->rows, cap * sizeof *r);
        if (!r) {
            ierr(m, "out of memory");
            return -1;
        }
        s->rows = r;
        s->rcap = cap;
    }
    if (!(copy = strdup(label))) {
        ierr(m, "out of memory");
        return -1;
    }
    row_in *r = &s->rows[s->nrows++];
    r->label = copy;
    r->where = *where;
    r->first = s->nseats;
    r->count = 0;
    return 0;
}

static seat_in *add_seat(imp *m, screen_in *s, uint32_t number, double x,
                         double y, int tier, uint32_t flags)
{
    /* One seat past the library's limit is kept, so that pass 2 reports
     * it; the rest are not even stored. */
    if (s->nseats > TIX_SCREEN_SEATS_MAX) {
        s->too_many = 1;
        return NULL;
    }
    if (s->nseats == s->scap) {
        size_t cap = s->scap ? s->scap * 2 : 1024;
        seat_in *p = realloc(s->seats, cap * sizeof *p);
        if (!p) {
            ierr(m, "out of memory");
            return NULL;
        }
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
            if (int_value(m, it, 0, UINT32_MAX, &n)) {
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
                int ok = get_int(m, it, "from", 1, 0, UINT32_MAX, &a);
                ok &= get_int(m, it, "to", 1, 0, UINT32_MAX, &b);
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
                int ok = get_int(m, it, "number", 1, 0, UINT32_MAX, &n);
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

/* The labels of one row entry, each with the field that names it. */
#define LABELS_MAX 1000
typedef struct labels {
    const char *label[LABELS_MAX]; /* into the JSON, or into gen */
    jpath where[LABELS_MAX];
    char gen[LABELS_MAX][24];      /* labels made from {"from", "to"} */
    size_t n;
} labels;

static void label_add(imp *m, labels *l, const char *label)
{
    if (l->n == LABELS_MAX) return;
    l->where[l->n] = m->path;
    l->label[l->n++] = label;
}

static void label_gen(imp *m, labels *l, const char *fmt, long v)
{
    if (l->n == LABELS_MAX) return;
    snprintf(l->gen[l->n], sizeof l->gen[l->n], fmt, v);
    label_add(m, l, l->gen[l->n]);
}

/* Labels of a row entry: "label", or "labels" as an array of strings or
 * {"from": "A", "to": "H", "skip": ["I"]} (letters or numbers). What a
 * label may be is the library's rule (pass 2); here only the form. */
static int row_labels(imp *m, json_t *row, labels *out)
{
    out->n = 0;
    json_t *one = json_object_get(row, "label"), *many = json_object_get(row, "labels");
    if (!!one == !!many) {
        ierr(m, "give exactly one of label (a string) or labels (several "
             "rows)");
        return -1;
    }
    if (one) {
        const char *l = get_text(m, row, "label", 1);
        if (!l) return -1;
        path_key(&m->path, "label");
        label_add(m, out, l);
        path_pop(&m->path);
        return 0;
    }
    path_key(&m->path, "labels");
    int rc = 0;
    if (json_is_array(many)) {
        size_t i;
        json_t *e;
        json_array_foreach(many, i, e) {
            path_idx(&m->path, i);
            if (!json_is_string(e) ||
                strlen(json_string_value(e)) != json_string_length(e)) {
                ierr(m, "must be a row label (a string without NUL)");
                rc = -1;
            } else {
                label_add(m, out, json_string_value(e));
            }
            path_pop(&m->path);
        }
    } else if (json_is_object(many)) {
        static const char *const la[] = {"from", "to", "skip", NULL};
        only_keys(m, many, la);
        const char *a = get_str(m, many, "from", 1, 1, 16);
        const char *b = get_str(m, many, "to", 1, 1, 16);
        json_t *skip = json_object_get(many, "skip");
        if (skip && !json_is_array(skip)) {
            path_key(&m->path, "skip");
            ierr(m, "must be an array of labels");
            path_pop(&m->path);
            skip = NULL;
        }
        size_t si;
        json_t *se;
        path_key(&m->path, "skip");
        json_array_foreach(skip, si, se)
            if (!json_is_string(se)) {
                path_idx(&m->path, si);
                ierr(m, "must be a row label (a string)");
                path_pop(&m->path);
            }
        path_pop(&m->path);
        if (!a || !b) {
            rc = -1;
        } else if (isdigit((unsigned char)a[0]) && isdigit((unsigned char)b[0])) {
            long x = strtol(a, NULL, 10), y = strtol(b, NULL, 10);
            for (long i = x; i <= y && out->n < LABELS_MAX; i++)
                label_gen(m, out, "%ld", i);
        } else if (strlen(a) == 1 && strlen(b) == 1 && isupper((unsigned char)a[0]) &&
                   isupper((unsigned char)b[0]) && a[0] <= b[0]) {
            for (char ch = a[0]; ch <= b[0]; ch++) label_gen(m, out, "%c", ch);
        } else {
            ierr(m, "from and to must both be numbers, or single capital "
                 "letters in order");
            rc = -1;
        }
        if (skip) {
            size_t k = 0;
            for (size_t i = 0; i < out->n; i++) {
                int drop = 0;
                size_t j;
                json_t *e;
                json_array_foreach(skip, j, e)
                    if (json_is_string(e) &&
                        !strcmp(json_string_value(e), out->label[i]))
                        drop = 1;
                if (drop) continue;
                /* Generated labels move with their buffer. */
                if (out->label[i] == out->gen[i] && k != i) {
                    memcpy(out->gen[k], out->gen[i], sizeof out->gen[k]);
                    out->label[i] = out->gen[k];
                }
                out->label[k] = out->label[i];
                out->where[k++] = out->where[i];
            }
            out->n = k;
        }
    } else {
        ierr(m, "must be an array of labels or {\"from\", \"to\", \"skip\"}");
        rc = -1;
    }
    if (rc == 0 && out->n == 0) {
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
        static labels ls; /* large; import runs on one thread */
        size_t nl;
        double y = next_y, dy = 1, pitch = 1, x0 = 0;
        get_num(m, row, "y", 0, -1e9, 1e9, &y);
        get_num(m, row, "dy", 0, -1e6, 1e6, &dy);
        get_num(m, row, "pitch", 0, 1e-6, 1e6, &pitch);
        int has_x = get_num(m, row, "x", 0, -1e9, 1e9, &x0);
        int tier = get_tier(m, s, row, s->ntiers == 1 ? 0 : -1);
        int ends = get_bool(m, row, "aisle_ends", 1);
        json_t *seats = json_object_get(row, "seats");
        if (row_labels(m, row, &ls) == 0) {
            nl = ls.n;
            if (!seats) {
                path_key(&m->path, "seats");
                ierr(m, "missing (an array of seats is required)");
                path_pop(&m->path);
            }
            for (size_t k = 0; k < nl && seats; k++) {
                if (add_row(m, s, ls.label[k], &ls.where[k])) break;
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
        const char *name = get_text(m, bl, "name", 1);
        path_key(&m->path, "name");
        jpath name_at = m->path; /* names the block's rows */
        path_pop(&m->path);
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
            size_t cap = strlen(name) + 24;
            char *label = malloc(cap);
            for (int64_t r = r0; r <= r1 && label; r++) {
                snprintf(label, cap, "%s-%lld", name, (long long)r);
                if (add_row(m, s, label, &name_at)) break;
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
            if (!label) ierr(m, "out of memory");
            free(label);
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
        ti->name = get_text(m, t, "name", 1);
        ti->key = get_str(m, t, "key", 0, 1, 64);
        ti->key_given = ti->key != NULL;
        if (!ti->key) ti->key = ti->name;
        int64_t price = 0;
        if (get_int(m, t, "price_minor", 1, INT64_MIN, INT64_MAX, &price))
            ti->price = price;
        const char *cur = get_text(m, t, "currency", 1);
        /* Four bytes at most: enough for the library to tell a code of
         * three letters from anything else. */
        for (size_t k = 0; cur && k < sizeof ti->currency && cur[k]; k++)
            ti->currency[k] = cur[k];
        for (size_t j = 0; j < i; j++)
            if (ti->key && s->tiers[j].key && !strcmp(ti->key, s->tiers[j].key)) {
                path_key(&m->path, ti->key_given ? "key" : "name");
                if (ti->key_given)
                    ierr(m, "tier key \"%s\" is used twice in this screen",
                         ti->key);
                else
                    ierr(m, "tier \"%s\" has no key, and its name is the key "
                         "of another tier of this screen", ti->key);
                path_pop(&m->path);
            }
        path_pop(&m->path);
    }
}

static void parse_screen(imp *m, screen_in *s, json_t *o)
{
    static const char *const sa[] = {"name", "ideal", "tiers", "rows", "blocks",
                                     NULL};
    only_keys(m, o, sa);
    s->name = get_text(m, o, "name", 1);
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
        m->place_parsed = 1;
        int64_t id = 0, off = 0;
        if (json_object_get(pl, "city_id")) {
            if (get_int(m, pl, "city_id", 1, 1, INT64_MAX, &id)) m->city_id = (tix_id)id;
        } else {
            m->country = get_text(m, pl, "country", 1);
            m->state = get_text(m, pl, "state", 1);
            m->city = get_text(m, pl, "city", 1);
            /* With a time zone the fixed offset is only a fallback. */
            m->time_zone = get_text(m, pl, "time_zone", 0);
            if (get_int(m, pl, "utc_offset_min", m->time_zone == NULL,
                        INT32_MIN, INT32_MAX, &off))
                m->utc_offset = (int32_t)off;
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
        m->venue_parsed = 1;
        m->vname = get_text(m, v, "name", 1);
        m->vaddress = get_text(m, v, "address", 0);
        get_num(m, v, "lat", 1, -DBL_MAX, DBL_MAX, &m->lat);
        get_num(m, v, "lon", 1, -DBL_MAX, DBL_MAX, &m->lon);
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
            else if (m->screens) {
                m->screens[i].parsed = 1;
                parse_screen(m, &m->screens[i], o);
            }
            path_pop(&m->path);
        }
    }
    path_pop(&m->path);
}

/* ------------------------------------------------------------------------ */
/* Records and checks                                                        */

/* The field a library failure names (tix_errfield), as a path of the
 * file: @p map pairs a struct field with the JSON key under the current
 * path that gave it ("" = the current path itself); seat fields
 * ("rows[R]...") go to the seat or row of screen @p s. Then records the
 * error, with the library's message. */
typedef struct field_map {
    const char *field, *key;
} field_map;

static void lib_report(imp *m, int rc, const screen_in *s,
                       const field_map *map)
{
    char msg[600];
    snprintf(msg, sizeof msg, "%s", tix_errmsg());
    const char *f = tix_errfield();
    jpath save = m->path;
    size_t r, i;
    int n = 0;
    if (s && sscanf(f, "rows[%zu]%n", &r, &n) == 1 && r < s->nrowspecs) {
        const row_in *row = &s->rows[s->rowmap[r]];
        const tix_row_spec *rs = &s->rowspecs[r];
        const char *rest = f + n;
        if (sscanf(rest, ".seats[%zu]", &i) == 1 && i < rs->count) {
            m->path = s->seats[s->specmap[rs->seats - s->specs + i]].where;
        } else {
            m->path = row->where;
            if (!strcmp(rest, ".label")) {
                ierr_rc(m, rc, "row \"%s\": %s", row->label, msg);
                m->path = save;
                return;
            }
        }
    } else {
        for (const field_map *p = map; p && p->field; p++)
            if (!strcmp(p->field, f)) {
                if (*p->key) path_key(&m->path, p->key);
                break;
            }
    }
    ierr_rc(m, rc, "%s", msg);
    m->path = save;
}

static const field_map venue_fields[] = {
    {"name", "name"}, {"address", "address"}, {"lat", "lat"}, {"lon", "lon"},
    {NULL, NULL}};
static const field_map screen_fields[] = {
    {"name", "name"}, {"ideal_x", "ideal"}, {"ideal_y", "ideal"},
    {NULL, NULL}};
static const field_map tier_fields[] = {
    {"name", "name"}, {"price_minor", "price_minor"},
    {"currency", "currency"}, {NULL, NULL}};

static const char *const place_keys[3] = {"country", "state", "city"};

/* The place of level @p k (0 country, 1 state, 2 city) under @p parent. */
static tix_place place_rec(const imp *m, int k, tix_id parent)
{
    const char *names[3] = {m->country, m->state, m->city};
    return (tix_place){.kind = (tix_place_kind)(TIX_PLACE_COUNTRY + k),
                       .parent_id = parent, .name = names[k],
                       .utc_offset_min = k == 2 ? m->utc_offset : 0,
                       .time_zone = k == 2 ? m->time_zone : NULL};
}

/* A place's failure: its name is its key; the offset is the city's. */
static void place_report(imp *m, int rc, int k)
{
    const field_map map[] = {{"name", place_keys[k]}, {"kind", place_keys[k]},
                             {"parent_id", place_keys[k]},
                             {"utc_offset_min", "utc_offset_min"},
                             {"time_zone", "time_zone"}, {NULL, NULL}};
    path_key(&m->path, "place");
    lib_report(m, rc, NULL, map);
    path_pop(&m->path);
}

static tix_venue venue_rec(const imp *m, tix_id city)
{
    return (tix_venue){.city_id = city, .name = m->vname,
                       .address = m->vaddress, .lat = m->lat, .lon = m->lon};
}

/* A venue's failure; city_id is the place's field. */
static void venue_report(imp *m, int rc)
{
    if (!strcmp(tix_errfield(), "city_id")) {
        const field_map map[] = {{"city_id", m->city_id ? "city_id" : ""},
                                 {NULL, NULL}};
        path_key(&m->path, "place");
        lib_report(m, rc, NULL, map);
    } else {
        path_key(&m->path, "venue");
        lib_report(m, rc, NULL, venue_fields);
    }
    path_pop(&m->path);
}

static tix_screen screen_rec(const screen_in *s, tix_id venue)
{
    double x0 = 1e300, x1 = -1e300, y0 = 1e300, y1 = -1e300;
    for (size_t k = 0; k < s->nseats; k++) {
        x0 = fmin(x0, s->seats[k].x);
        x1 = fmax(x1, s->seats[k].x);
        y0 = fmin(y0, s->seats[k].y);
        y1 = fmax(y1, s->seats[k].y);
    }
    return (tix_screen){.venue_id = venue, .name = s->name,
                        .ideal_x = s->has_ideal ? s->ideal_x : (x0 + x1) / 2,
                        .ideal_y = s->has_ideal ? s->ideal_y
                                                : y0 + (y1 - y0) * 2 / 3};
}

static tix_tier tier_rec(const tier_in *t, tix_id screen)
{
    tix_tier tr = {.screen_id = screen, .name = t->name,
                   .price_minor = t->price};
    memcpy(tr.currency, t->currency, sizeof tr.currency);
    return tr;
}

/* The seats of a screen as tix_seats_add_rows() takes them, with the tier
 * ids the tiers have now (0 before they are written). Rows without seats
 * (a row of gaps) are left out. */
static int specs_build(imp *m, screen_in *s)
{
    if (!s->specs) {
        s->specs = malloc((s->nseats ? s->nseats : 1) * sizeof *s->specs);
        s->rowspecs = malloc((s->nrows ? s->nrows : 1) * sizeof *s->rowspecs);
        s->rowmap = malloc((s->nrows ? s->nrows : 1) * sizeof *s->rowmap);
        s->specmap = malloc((s->nseats ? s->nseats : 1) * sizeof *s->specmap);
        if (!s->specs || !s->rowspecs || !s->rowmap || !s->specmap) {
            ierr_rc(m, TIX_ENOMEM, "out of memory");
            return -1;
        }
    }
    for (size_t k = 0; k < s->nseats; k++) {
        int t = s->seats[k].tier; /* -1 (or no tiers) when pass 1 faulted it */
        s->specs[k] = (tix_seat_spec){
            .number = s->seats[k].number, .x = s->seats[k].x,
            .y = s->seats[k].y,
            .tier_id = t >= 0 && (size_t)t < s->ntiers ? s->tiers[t].id : 0,
            .flags = s->seats[k].flags};
        s->specmap[k] = k;
    }
    s->nrowspecs = 0;
    for (size_t r = 0; r < s->nrows; r++)
        if (s->rows[r].count) {
            s->rowmap[s->nrowspecs] = r;
            s->rowspecs[s->nrowspecs++] =
                (tix_row_spec){s->rows[r].label, s->specs + s->rows[r].first,
                               s->rows[r].count};
        }
    return 0;
}

/* Pass 2 reports every faulty field, not only a record's first: after a
 * fault the field is set to a stand-in the validator passes and the record
 * is checked again. (The stand-ins are not rules, only values no rule
 * refuses.) */
#define RECHECKS 8

static void patch_field(const char *f, const char **name, const char **text,
                        double *num, char *currency)
{
    if (!strcmp(f, "name") && name) *name = "x";
    else if (!strcmp(f, "address") && text) *text = "";
    else if (!strcmp(f, "currency") && currency) memcpy(currency, "EUR", 4);
    else if (num) *num = 0;
}

static void check_places(imp *m)
{
    for (int k = 0; m->place_parsed && !m->city_id && k < 3; k++) {
        tix_place p = place_rec(m, k, 0);
        int rc;
        for (int n = 0; n < RECHECKS && (rc = tix_place_validate(&p)); n++) {
            place_report(m, rc, k);
            const char *f = tix_errfield();
            if (!strcmp(f, "utc_offset_min")) p.utc_offset_min = 0;
            else if (!strcmp(f, "time_zone")) p.time_zone = NULL;
            else p.name = "x";
        }
    }
}

static void check_venue(imp *m)
{
    if (!m->venue_parsed) return;
    tix_venue v = venue_rec(m, m->city_id);
    int rc;
    for (int n = 0; n < RECHECKS && (rc = tix_venue_validate(&v)); n++) {
        venue_report(m, rc);
        const char *f = tix_errfield();
        double *num = !strcmp(f, "lat") ? &v.lat : &v.lon;
        patch_field(f, &v.name, &v.address, num, NULL);
    }
}

static void check_screen(imp *m, screen_in *s)
{
    tix_screen scr = screen_rec(s, 0);
    int rc;
    for (int n = 0; n < RECHECKS && (rc = tix_screen_validate(&scr)); n++) {
        lib_report(m, rc, s, screen_fields);
        const char *f = tix_errfield();
        patch_field(f, &scr.name, NULL,
                    !strcmp(f, "ideal_x") ? &scr.ideal_x : &scr.ideal_y, NULL);
    }
    path_key(&m->path, "tiers");
    for (size_t t = 0; t < s->ntiers; t++) {
        path_idx(&m->path, t);
        tix_tier tr = tier_rec(&s->tiers[t], 0);
        for (int n = 0; n < RECHECKS && (rc = tix_tier_validate(&tr)); n++) {
            lib_report(m, rc, s, tier_fields);
            const char *f = tix_errfield();
            if (!strcmp(f, "price_minor")) tr.price_minor = 0;
            else patch_field(f, &tr.name, NULL, NULL, tr.currency);
        }
        path_pop(&m->path);
    }
    path_pop(&m->path);
}

/* Drops seat @p i of row spec @p r (a faulty one), or the whole row when
 * @p i is SIZE_MAX or it was its last seat. */
static void drop_seat(screen_in *s, size_t r, size_t i)
{
    tix_row_spec *rs = &s->rowspecs[r];
    if (i != SIZE_MAX && rs->count > 1) {
        size_t j = (size_t)(rs->seats - s->specs) + i;
        tix_seat_spec *seats = (tix_seat_spec *)rs->seats;
        memmove(seats + i, seats + i + 1, (rs->count - i - 1) * sizeof *seats);
        memmove(s->specmap + j, s->specmap + j + 1,
                (rs->count - i - 1) * sizeof *s->specmap);
        rs->count--;
        return;
    }
    memmove(rs, rs + 1, (s->nrowspecs - r - 1) * sizeof *rs);
    memmove(s->rowmap + r, s->rowmap + r + 1,
            (s->nrowspecs - r - 1) * sizeof *s->rowmap);
    s->nrowspecs--;
}

static void check_seats(imp *m, screen_in *s)
{
    if (specs_build(m, s)) return;
    int rc;
    /* Each round is a pass over the seats: a bounded number of them (a
     * field with many faulty seats, a range, is reported once). */
    for (int round = 0; s->nrowspecs && round < 2 * MAX_ERRORS &&
                        m->nerr <= MAX_ERRORS &&
                        (rc = tix_seat_rows_validate(s->rowspecs, s->nrowspecs, NULL));
         round++) {
        lib_report(m, rc, s, NULL);
        size_t r, i;
        int n = 0;
        const char *f = tix_errfield();
        if (sscanf(f, "rows[%zu]%n", &r, &n) != 1 || r >= s->nrowspecs) break;
        if (sscanf(f + n, ".seats[%zu]", &i) != 1) i = SIZE_MAX;
        else if (i >= s->rowspecs[r].count) break;
        if (!strcmp(f + n, ".seats")) break; /* the screen's seat count */
        drop_seat(s, r, i);
    }
}

/* Pass 2: every record of the file through the library's validators,
 * before the store is touched. */
static void check_layout(imp *m)
{
    m->path.n = 0;
    check_places(m);
    check_venue(m);
    path_key(&m->path, "screens");
    for (size_t i = 0; m->screens && i < m->nscreens; i++) {
        screen_in *s = &m->screens[i];
        if (!s->parsed) continue;
        path_idx(&m->path, i);
        check_screen(m, s);
        check_seats(m, s);
        path_pop(&m->path);
    }
    path_pop(&m->path);
}

/* ------------------------------------------------------------------------ */
/* Writing (pass 3, inside the caller's batch)                               */

static int find_or_create_place(imp *m, int k, tix_id parent, tix_id *out)
{
    tix_place p = place_rec(m, k, parent);
    tix_place_list *l;
    int rc = tix_place_list_by_parent(m->c->db, parent, &l);
    if (rc) return rc;
    for (size_t i = 0; i < l->count; i++)
        if (!strcmp(l->items[i].name, p.name)) {
            *out = l->items[i].id;
            tix_place_list_free(l);
            return TIX_OK;
        }
    tix_place_list_free(l);
    return tix_place_create(m->c->db, &p, out);
}

/* Writes the layout; every failure is recorded at its field, and the
 * writes that depend on a failed one are skipped (a failed call changes
 * nothing, so the batch stays whole). Fills @p result as it goes (ids
 * only when @p ids). */
static void write_layout(imp *m, json_t *result, int ids)
{
    tix_db *db = m->c->db;
    int rc;
    tix_id city = m->city_id;
    m->path.n = 0;
    for (int k = 0; !m->city_id && k < 3; k++)
        if ((rc = find_or_create_place(m, k, k ? city : 0, &city))) {
            place_report(m, rc, k);
            return;
        }
    tix_venue v = venue_rec(m, city);
    tix_id venue;
    if ((rc = tix_venue_create(db, &v, &venue))) {
        venue_report(m, rc);
        return;
    }
    if (ids) {
        json_object_set_new(result, "city_id", json_integer((json_int_t)city));
        json_object_set_new(result, "venue_id", json_integer((json_int_t)venue));
    }
    json_t *screens = json_array();
    json_object_set_new(result, "screens", screens);
    path_key(&m->path, "screens");
    for (size_t i = 0; i < m->nscreens; i++) {
        screen_in *s = &m->screens[i];
        path_idx(&m->path, i);
        tix_screen scr = screen_rec(s, venue);
        if ((rc = tix_screen_create(db, &scr, &s->id))) {
            lib_report(m, rc, s, screen_fields);
            path_pop(&m->path);
            continue;
        }
        json_t *tj = json_array();
        int tiers_ok = 1;
        path_key(&m->path, "tiers");
        for (size_t t = 0; t < s->ntiers; t++) {
            path_idx(&m->path, t);
            tix_tier tr = tier_rec(&s->tiers[t], s->id);
            if ((rc = tix_tier_create(db, &tr, &s->tiers[t].id))) {
                lib_report(m, rc, s, tier_fields);
                tiers_ok = 0;
            } else {
                json_t *o = json_pack("{s:s, s:s}", "key", s->tiers[t].key,
                                      "name", s->tiers[t].name);
                if (ids)
                    json_object_set_new(o, "tier_id",
                                        json_integer((json_int_t)s->tiers[t].id));
                json_array_append_new(tj, o);
            }
            path_pop(&m->path);
        }
        path_pop(&m->path);
        if (tiers_ok && specs_build(m, s) == 0 &&
            (rc = tix_seats_add_rows(db, s->id, s->rowspecs, s->nrowspecs,
                                     NULL)))
            lib_report(m, rc, s, NULL);
        json_t *so = json_pack("{s:s, s:I, s:I, s:o}", "name", s->name,
                               "rows", (json_int_t)s->nrowspecs, "seats",
                               (json_int_t)s->nseats, "tiers", tj);
        if (ids) json_object_set_new(so, "screen_id", json_integer((json_int_t)s->id));
        json_array_append_new(screens, so);
        path_pop(&m->path);
    }
    path_pop(&m->path);
}

/* Pass 3: the writes in one batch, committed only when every one of them
 * worked (and not on a dry run). A batch that ran out of map is rolled
 * back, which grows the map, and run again. Returns EX_OK, or the exit
 * code (errors recorded, or printed for a failed commit). */
static int write_batch(imp *m, json_t *result)
{
    tix_db *db = m->c->db;
    for (int attempt = 1;; attempt++) {
        int rc = tix_db_begin(db);
        if (rc) return cli_fail(m->c, rc, "import: cannot begin the import");
        json_object_del(result, "city_id");
        json_object_del(result, "venue_id");
        json_object_del(result, "screens");
        errs_clear(m);
        write_layout(m, result, !m->dry_run);
        int full = m->first_rc == TIX_EFULL;
        if (m->nerr || m->dry_run) {
            if ((rc = tix_db_rollback(db)))
                return cli_fail(m->c, rc, "import: rollback");
            if (full && attempt < WRITE_ATTEMPTS) continue;
            return m->nerr ? cli_exit_code(m->first_rc) : EX_OK;
        }
        if ((rc = tix_db_commit(db)) == TIX_OK) return EX_OK;
        if (rc == TIX_EFULL && attempt < WRITE_ATTEMPTS) continue;
        return cli_fail(m->c, rc, "import: commit (nothing was imported)");
    }
}

/* ------------------------------------------------------------------------ */

static const char import_help[] =
    "usage: tix import [-s DIR] [--json] [--dry-run] LAYOUT.json\n"
    "\n"
    "Imports a venue layout: the place (country, state, city: found or\n"
    "created), the venue, and its screens with price tiers and seats (rows\n"
    "with seat numbers, gaps, aisles and x/y positions, or stadium blocks).\n"
    "The format (\"tix-layout-1\") is described in docs/cli.md; samples are\n"
    "in examples/data. The whole file is checked first, by the library's\n"
    "own rules; every error names FILE:LINE: field path. Then the import\n"
    "is written as one transaction: any failure leaves the store exactly\n"
    "as it was.\n"
    "\n"
    "  --dry-run   check everything, including against the store (a name\n"
    "              already taken), by importing and rolling back; write\n"
    "              nothing. Without a store, checks the file alone.\n"
    "\n"
    "Exit 4 for an invalid layout, 3 when the venue already exists in the\n"
    "city.\n";

static void imp_free(imp *m)
{
    for (size_t i = 0; m->screens && i < m->nscreens; i++) {
        screen_in *s = &m->screens[i];
        for (size_t r = 0; r < s->nrows; r++) free(s->rows[r].label);
        free(s->tiers);
        free(s->rows);
        free(s->seats);
        free(s->specs);
        free(s->rowspecs);
        free(s->rowmap);
        free(s->specmap);
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

/* Prints the recorded errors (text: one FILE:LINE: field: message line
 * each; JSON: one object on stderr) and returns @p ex. */
typedef struct err_at {
    json_int_t line;
    size_t i;
    json_t *e;
} err_at;

static int by_line(const void *a, const void *b)
{
    const err_at *x = a, *y = b;
    if (x->line != y->line) return x->line < y->line ? -1 : 1;
    return x->i < y->i ? -1 : x->i > y->i;
}

/* In the order of the file (the passes find them in their own order). */
static void errs_sort(imp *m)
{
    size_t n = json_array_size(m->errs);
    err_at *v = malloc((n ? n : 1) * sizeof *v);
    if (!v) return;
    for (size_t i = 0; i < n; i++) {
        json_t *e = json_array_get(m->errs, i);
        v[i] = (err_at){json_integer_value(json_object_get(e, "line")), i,
                        json_incref(e)};
    }
    qsort(v, n, sizeof *v, by_line);
    json_array_clear(m->errs);
    for (size_t i = 0; i < n; i++) json_array_append_new(m->errs, v[i].e);
    free(v);
}

static int report_errors(imp *m, int ex, const char *what)
{
    cli *c = m->c;
    errs_sort(m);
    if (c->json) {
        cli_emit_error(c, json_pack("{s:s, s:s, s:i, s:i, s:O}", "code",
                                    "layout", "message", what, "exit", ex,
                                    "count", m->nerr, "errors", m->errs));
        return ex;
    }
    size_t i;
    json_t *e;
    json_array_foreach(m->errs, i, e) {
        json_t *code = json_object_get(e, "code");
        fprintf(stderr, "%s:%lld: %s: %s%s%s\n", m->file,
                (long long)json_integer_value(json_object_get(e, "line")),
                json_string_value(json_object_get(e, "field")),
                code ? json_string_value(code) : "", code ? ": " : "",
                json_string_value(json_object_get(e, "message")));
    }
    if (m->nerr > MAX_ERRORS)
        fprintf(stderr, "%s: ... %d more errors\n", m->file,
                m->nerr - MAX_ERRORS);
    fprintf(stderr, "%s: %d error%s; nothing imported\n", m->file, m->nerr,
            m->nerr == 1 ? "" : "s");
    return ex;
}

/* Whether the store directory holds a store (a dry run without one checks
 * the file alone). */
static int store_exists(const cli *c)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/data.mdb", c->store);
    return access(path, F_OK) == 0;
}

static void print_result(imp *m, json_t *result, size_t seats, int checked)
{
    printf("%s: venue \"%s\"", m->file, m->vname);
    json_t *vid = json_object_get(result, "venue_id");
    if (vid) printf(" id %lld", (long long)json_integer_value(vid));
    printf(", %zu screen%s, %zu seats%s\n", m->nscreens,
           m->nscreens == 1 ? "" : "s", seats,
           !m->dry_run ? ""
           : checked   ? " (dry run: valid, imported and rolled back)"
                       : " (dry run: the file is valid; no store to try it on)");
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
        json_array_foreach(tj, t, to) {
            json_t *tid = json_object_get(to, "tier_id");
            printf("    tier %-16s", json_string_value(json_object_get(to, "name")));
            if (tid) printf(" id %lld", (long long)json_integer_value(tid));
            printf("\n");
        }
    }
}

/* The file's screens as pass 1 read them (a dry run without a store). */
static json_t *screens_json(const imp *m)
{
    json_t *a = json_array();
    for (size_t i = 0; i < m->nscreens; i++) {
        const screen_in *s = &m->screens[i];
        json_t *tj = json_array();
        for (size_t t = 0; t < s->ntiers; t++)
            json_array_append_new(tj, json_pack("{s:s, s:s}", "key",
                                                s->tiers[t].key, "name",
                                                s->tiers[t].name));
        json_array_append_new(a, json_pack("{s:s, s:I, s:I, s:o}", "name",
                                           s->name, "rows",
                                           (json_int_t)s->nrowspecs, "seats",
                                           (json_int_t)s->nseats, "tiers", tj));
    }
    return a;
}

int cmd_import(cli *c, int argc, char **argv)
{
    cli_opt opts[] = {OPT("dry-run", 'n', 0), {0}};
    const char *pos[2];
    int np, rc = cli_parse(c, "import", import_help, argc, argv, opts, pos, &np, 1);
    if (rc) return rc;
    if (np != 1) return cli_usage(c, "import", "give the layout file (- for stdin)");
    imp m = {.c = c, .file = pos[0], .errs = json_array(),
             .dry_run = opts[0].set != 0};
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
            cli_emit_error(c, json_pack("{s:s, s:s, s:i, s:[{s:s, s:i, s:i, s:s}]}",
                                        "code", "layout", "message",
                                        "invalid JSON", "exit", EX_INVALID,
                                        "errors", "file", pos[0], "line",
                                        jerr.line, "column", jerr.column,
                                        "message", jerr.text));
        } else {
            fprintf(stderr, "%s:%d:%d: invalid JSON: %s\n", pos[0], jerr.line,
                    jerr.column, jerr.text);
        }
        return EX_INVALID;
    }
    int ex = EX_OK;
    /* Pass 2 runs after a faulty pass 1 too, so one run lists every error:
     * it checks each record on its own, and skips a field pass 1 faulted. */
    parse_layout(&m, root);                  /* pass 1: the file's form */
    check_layout(&m);                        /* pass 2: the library's rules */
    if (m.nerr) {
        ex = report_errors(&m, EX_INVALID, "invalid layout");
    } else {
        size_t seats = 0;
        for (size_t i = 0; i < m.nscreens; i++) seats += m.screens[i].nseats;
        json_t *result = json_pack("{s:s, s:s, s:b, s:I}", "file", pos[0],
                                   "venue", m.vname, "dry_run", m.dry_run,
                                   "seats", (json_int_t)seats);
        int checked = !m.dry_run || store_exists(c);
        if (!checked) {
            json_object_set_new(result, "screens", screens_json(&m));
        } else if ((ex = cli_open(c, 0)) == EX_OK) {
            ex = write_batch(&m, result);   /* pass 3: one batch */
            if (ex && m.nerr) report_errors(&m, ex, "nothing imported");
        }
        json_object_set_new(result, "checked_against_store", json_boolean(checked));
        if (ex == EX_OK) {
            if (!c->json) print_result(&m, result, seats, checked);
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
