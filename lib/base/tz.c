/* Time zones from TZif files (RFC 8536) and their POSIX TZ footers.
 *
 * A lookup reads the zone file (at most TIX__TZ_FILE_MAX bytes) and walks
 * it in place: the header's counts are checked against the length before
 * anything is read, every type index against the type count, so a short,
 * truncated or hostile file gives TIX_ECORRUPT, never a read out of
 * bounds. Version 1 files use the 32-bit block; version 2+ skip it for the
 * 64-bit block and its footer rule, which gives the offset after the last
 * transition (a "slim" file has no transitions past today, a "fat" one
 * none past 2037; shows go to 2100). A store keeps the files it read in a
 * small cache of its own (tix__tz_cache), so a confirm in a zoned city
 * does not open a file; the public tix_tz_offset() reads every time. */
#include "tz.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "error.h"

#define HEADER_LEN 44
#define DAY 86400
/* RFC 8536: an offset is in -25h..26h (exclusive), a rule time in -167h..167h. */
#define UTOFF_MIN (-89999)
#define UTOFF_MAX 93599
#define RULE_HOURS_MAX 167

/* ---- civil dates (H. Hinnant's algorithms) ------------------------------ */

int64_t tix__tz_days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

uint32_t tix__tz_civil_from_days(int64_t z)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t d = doy - (153 * mp + 2) / 5 + 1;
    int64_t m = mp < 10 ? mp + 3 : mp - 9;
    int64_t y = yoe + era * 400 + (m <= 2);
    return (uint32_t)(y * 10000 + m * 100 + d);
}

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static int is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int month_days(int64_t y, int m)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

/* ---- names -------------------------------------------------------------- */

static int name_char(char ch)
{
    return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
           (ch >= '0' && ch <= '9') || ch == '_' || ch == '+' || ch == '-' ||
           ch == '.';
}

int tix__tz_name_check(const char *name)
{
    if (!name || !*name) return tix__err(TIX_EINVAL, "time zone name is empty");
    size_t len = strlen(name);
    if (len > TIX_TZ_NAME_MAX)
        return tix__err(TIX_ETOOLONG, "time zone name has %zu bytes, at most "
                        "%d", len, TIX_TZ_NAME_MAX);
    const char *part = name;
    for (const char *p = name;; p++) {
        if (*p == '/' || *p == '\0') {
            size_t n = (size_t)(p - part);
            if (n == 0 || (n == 1 && part[0] == '.') ||
                (n == 2 && part[0] == '.' && part[1] == '.'))
                return tix__err(TIX_EINVAL, "time zone '%s' is not an IANA "
                                "name such as Europe/London", name);
            if (*p == '\0') return TIX_OK;
            part = p + 1;
        } else if (!name_char(*p)) {
            return tix__err(TIX_EINVAL, "time zone '%s' has byte 0x%02x; "
                            "names are letters, digits and _+-./", name,
                            (unsigned char)*p);
        }
    }
}

/* ---- POSIX TZ rules ------------------------------------------------------ */

typedef struct rule_scan {
    const char *p, *end;
} rule_scan;

static int sc_peek(const rule_scan *s) { return s->p < s->end ? *s->p : -1; }

/* A zone abbreviation: 3+ letters, or <...> of letters, digits, + and -. */
static int sc_abbr(rule_scan *s)
{
    const char *start = s->p;
    if (sc_peek(s) == '<') {
        s->p++;
        while (s->p < s->end && *s->p != '>') s->p++;
        if (s->p >= s->end || s->p - start < 4) return -1;
        s->p++;
        return 0;
    }
    while (s->p < s->end && ((*s->p >= 'A' && *s->p <= 'Z') ||
                             (*s->p >= 'a' && *s->p <= 'z')))
        s->p++;
    return s->p - start >= 3 ? 0 : -1;
}

static int sc_num(rule_scan *s, int max, int *v)
{
    int n = 0;
    *v = 0;
    while (s->p < s->end && *s->p >= '0' && *s->p <= '9') {
        *v = *v * 10 + (*s->p++ - '0');
        if (++n > 3 || *v > max) return -1;
    }
    return n ? 0 : -1;
}

/* [+-]hh[:mm[:ss]] in seconds, hours at most @p max_h. */
static int sc_hms(rule_scan *s, int max_h, int32_t *out)
{
    int sign = 1, h, m = 0, sec = 0;
    if (sc_peek(s) == '+' || sc_peek(s) == '-') sign = *s->p++ == '-' ? -1 : 1;
    if (sc_num(s, max_h, &h)) return -1;
    if (sc_peek(s) == ':') {
        s->p++;
        if (sc_num(s, 59, &m)) return -1;
        if (sc_peek(s) == ':') {
            s->p++;
            if (sc_num(s, 59, &sec)) return -1;
        }
    }
    *out = sign * (h * 3600 + m * 60 + sec);
    return 0;
}

/* One DST rule date: Jn, n or Mm.w.d, then an optional /time. */
typedef struct rule_date {
    char kind; /* 'J', 'n' or 'M' */
    int a, b, c;
    int32_t time;
} rule_date;

static int sc_date(rule_scan *s, rule_date *r)
{
    r->time = 2 * 3600;
    r->b = r->c = 0;
    if (sc_peek(s) == 'M') {
        s->p++;
        r->kind = 'M';
        if (sc_num(s, 12, &r->a) || r->a < 1 || sc_peek(s) != '.') return -1;
        s->p++;
        if (sc_num(s, 5, &r->b) || r->b < 1 || sc_peek(s) != '.') return -1;
        s->p++;
        if (sc_num(s, 6, &r->c)) return -1;
    } else if (sc_peek(s) == 'J') {
        s->p++;
        r->kind = 'J';
        if (sc_num(s, 365, &r->a) || r->a < 1) return -1;
    } else {
        r->kind = 'n';
        if (sc_num(s, 365, &r->a)) return -1;
    }
    if (sc_peek(s) == '/') {
        s->p++;
        if (sc_hms(s, RULE_HOURS_MAX, &r->time)) return -1;
    }
    return 0;
}

/* Day (since 1970-01-01) on which rule date @p r falls in year @p y. */
static int64_t rule_day(const rule_date *r, int64_t y)
{
    int64_t jan1 = tix__tz_days_from_civil(y, 1, 1);
    if (r->kind == 'J') return jan1 + r->a - 1 + (is_leap(y) && r->a >= 60);
    if (r->kind == 'n') return jan1 + r->a;
    int64_t first = tix__tz_days_from_civil(y, r->a, 1);
    int wd = (int)((first % 7 + 11) % 7); /* 1970-01-01 was a Thursday */
    int day = 1 + (r->c - wd + 7) % 7 + (r->b - 1) * 7;
    while (day > month_days(y, r->a)) day -= 7;
    return first + day - 1;
}

typedef struct rule {
    int32_t std_off, dst_off; /* seconds east of UTC */
    int has_dst;
    rule_date start, end;
} rule;

static int rule_parse(const char *text, size_t len, rule *r)
{
    rule_scan s = {text, text + len};
    int32_t west;
    memset(r, 0, sizeof *r);
    if (sc_abbr(&s) || sc_hms(&s, 24, &west)) return -1;
    r->std_off = -west;
    if (s.p == s.end) return 0;
    if (sc_abbr(&s)) return -1;
    r->has_dst = 1;
    r->dst_off = r->std_off + 3600;
    if (sc_peek(&s) != ',' && s.p < s.end) {
        if (sc_hms(&s, 24, &west)) return -1;
        r->dst_off = -west;
    }
    /* No rule: POSIX leaves it to the implementation; use the US one. */
    r->start = (rule_date){'M', 3, 2, 0, 2 * 3600};
    r->end = (rule_date){'M', 11, 1, 0, 2 * 3600};
    if (s.p == s.end) return 0;
    if (sc_peek(&s) != ',') return -1;
    s.p++;
    if (sc_date(&s, &r->start) || sc_peek(&s) != ',') return -1;
    s.p++;
    if (sc_date(&s, &r->end)) return -1;
    return s.p == s.end ? 0 : -1;
}

static int32_t rule_offset(const rule *r, int64_t t)
{
    if (!r->has_dst) return r->std_off;
    int64_t y = tix__tz_civil_from_days(floor_div(t + r->std_off, DAY)) / 10000;
    /* The year's transitions in UTC: start is given in standard time, end
     * in daylight time. */
    int64_t on = rule_day(&r->start, y) * DAY + r->start.time - r->std_off;
    int64_t off = rule_day(&r->end, y) * DAY + r->end.time - r->dst_off;
    int dst = on < off ? (t >= on && t < off) : !(t >= off && t < on);
    return dst ? r->dst_off : r->std_off;
}

int tix__tz_offset_rule(const char *text, size_t len, int64_t t,
                        int32_t *utoff_sec)
{
    rule r;
    if (rule_parse(text, len, &r) || r.std_off < UTOFF_MIN ||
        r.std_off > UTOFF_MAX || r.dst_off < UTOFF_MIN || r.dst_off > UTOFF_MAX)
        return tix__err(TIX_ECORRUPT, "time zone rule '%.*s' is malformed",
                        (int)(len > 64 ? 64 : len), text);
    *utoff_sec = rule_offset(&r, t);
    return TIX_OK;
}

/* ---- TZif ---------------------------------------------------------------- */

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
           p[3];
}

static int64_t be64s(const uint8_t *p)
{
    return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

/* One data block: where its parts start, checked against the length. */
typedef struct tzif_block {
    const uint8_t *times, *idx, *types, *end;
    uint32_t timecnt, typecnt;
    int wide; /* 8-byte times */
} tzif_block;

static int block_parse(const uint8_t *p, size_t len, int wide, tzif_block *b)
{
    if (len < HEADER_LEN || memcmp(p, "TZif", 4))
        return tix__err(TIX_ECORRUPT, "not a TZif file");
    uint32_t isut = be32(p + 20), isstd = be32(p + 24), leap = be32(p + 28);
    uint32_t timecnt = be32(p + 32), typecnt = be32(p + 36),
             charcnt = be32(p + 40);
    if (typecnt == 0 || typecnt > 256 || timecnt > 100000 || charcnt > 65536 ||
        leap > 100000 || (isut && isut != typecnt) ||
        (isstd && isstd != typecnt))
        return tix__err(TIX_ECORRUPT, "TZif header counts are out of range");
    if (leap)
        return tix__err(TIX_ECORRUPT, "TZif file with leap seconds (a right/ "
                        "zone) is not supported");
    size_t tsize = wide ? 8 : 4;
    uint64_t need = HEADER_LEN + (uint64_t)timecnt * (tsize + 1) +
                    (uint64_t)typecnt * 6 + charcnt + isstd + isut;
    if (need > len) return tix__err(TIX_ECORRUPT, "TZif file is truncated");
    b->times = p + HEADER_LEN;
    b->idx = b->times + (size_t)timecnt * tsize;
    b->types = b->idx + timecnt;
    b->end = p + need;
    b->timecnt = timecnt;
    b->typecnt = typecnt;
    b->wide = wide;
    return TIX_OK;
}

static int64_t block_time(const tzif_block *b, uint32_t i)
{
    return b->wide ? be64s(b->times + 8 * (size_t)i)
                   : (int64_t)(int32_t)be32(b->times + 4 * (size_t)i);
}

static int type_offset(const tzif_block *b, uint32_t type, int32_t *out)
{
    if (type >= b->typecnt)
        return tix__err(TIX_ECORRUPT, "TZif transition names type %u of %u",
                        type, b->typecnt);
    int32_t off = (int32_t)be32(b->types + 6 * (size_t)type);
    if (off < UTOFF_MIN || off > UTOFF_MAX)
        return tix__err(TIX_ECORRUPT, "TZif offset %d s is out of range", off);
    *out = off;
    return TIX_OK;
}

/* Index of the last transition at or before @p t, or -1 before the first.
 * Checks the times ascend on the way (a binary search would trust them). */
static int64_t last_transition(const tzif_block *b, int64_t t)
{
    int64_t found = -1;
    for (uint32_t i = 0; i < b->timecnt; i++) {
        int64_t ti = block_time(b, i);
        if (i && ti <= block_time(b, i - 1)) return -2;
        if (ti <= t) found = i;
    }
    return found;
}

/* The footer of a v2+ file: "\n<rule>\n" right after the 64-bit block. */
static int footer(const tzif_block *b, const uint8_t *file_end,
                  const char **rule, size_t *len)
{
    const uint8_t *p = b->end;
    if (p >= file_end || *p != '\n')
        return tix__err(TIX_ECORRUPT, "TZif footer is missing");
    const uint8_t *nl = memchr(p + 1, '\n', (size_t)(file_end - p - 1));
    if (!nl) return tix__err(TIX_ECORRUPT, "TZif footer is not terminated");
    *rule = (const char *)p + 1;
    *len = (size_t)(nl - p - 1);
    return TIX_OK;
}

int tix__tz_offset_tzif(const uint8_t *buf, size_t len, int64_t t,
                        int32_t *utoff_sec)
{
    tzif_block b = {0};
    int rc = block_parse(buf, len, 0, &b);
    if (rc) return rc;
    const char *rule = NULL;
    size_t rule_len = 0;
    if (buf[4] >= '2') {
        size_t v1 = (size_t)(b.end - buf);
        if ((rc = block_parse(b.end, len - v1, 1, &b))) return rc;
        if ((rc = footer(&b, buf + len, &rule, &rule_len))) return rc;
    }
    int64_t i = last_transition(&b, t);
    if (i == -2) return tix__err(TIX_ECORRUPT, "TZif transitions do not ascend");
    if (rule_len && (b.timecnt == 0 || i == (int64_t)b.timecnt - 1))
        return tix__tz_offset_rule(rule, rule_len, t, utoff_sec);
    return type_offset(&b, i < 0 ? 0 : b.idx[i], utoff_sec);
}

/* Reads the zone file at @p path into a new buffer (*out, free it). */
static int read_zone(const char *path, const char *name, uint8_t **out,
                     size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT || errno == ENOTDIR || errno == EACCES
                   ? tix__err(TIX_EINVAL, "time zone '%s' is not in the "
                              "system's tzdata (%s)", name, TIX__TZ_DIR)
                   : tix__err(TIX_EIO, "time zone %s: %s", name, strerror(errno));
    struct stat st;
    uint8_t *buf = NULL;
    int rc = TIX_OK;
    if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size < 4 ||
        st.st_size > TIX__TZ_FILE_MAX)
        rc = tix__err(TIX_EINVAL, "time zone '%s' is not a zone file", name);
    else if (!(buf = malloc((size_t)st.st_size)))
        rc = tix__err(TIX_ENOMEM, "out of memory");
    size_t got = 0;
    while (rc == TIX_OK && got < (size_t)st.st_size) {
        ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) rc = tix__err(TIX_EIO, "time zone %s: %s", name, strerror(errno));
        if (n <= 0) break;
        got += (size_t)n;
    }
    close(fd);
    if (rc == TIX_OK && (got < 4 || memcmp(buf, "TZif", 4)))
        rc = tix__err(TIX_EINVAL, "time zone '%s' is not a zone file", name);
    if (rc) {
        free(buf);
        return rc;
    }
    *out = buf;
    *len = got;
    return TIX_OK;
}

int tix__tz_offset_dir(const char *dir, const char *name, int64_t t,
                       int32_t *utoff_sec)
{
    int rc = tix__tz_name_check(name);
    if (rc) return rc;
    char path[4096];
    int n = snprintf(path, sizeof path, "%s/%s", dir, name);
    if (n < 0 || (size_t)n >= sizeof path)
        return tix__err(TIX_ETOOLONG, "time zone path is too long");
    uint8_t *buf;
    size_t len;
    if ((rc = read_zone(path, name, &buf, &len))) return rc;
    rc = tix__tz_offset_tzif(buf, len, t, utoff_sec);
    free(buf);
    return rc;
}

int tix_tz_offset(const char *zone, int64_t t, int32_t *utc_offset_min)
{
    if (!utc_offset_min) return tix__err(TIX_EINVAL, "utc_offset_min is NULL");
    int32_t sec;
    int rc = tix__tz_offset_dir(TIX__TZ_DIR, zone, t, &sec);
    if (rc) return rc;
    *utc_offset_min = (int32_t)floor_div(sec, 60);
    return TIX_OK;
}

size_t tix__tz_local_iso(char buf[TIX__LOCAL_ISO_MAX], int64_t t, int32_t off_min)
{
    int64_t local = t + (int64_t)off_min * 60;
    int64_t day = floor_div(local, DAY), sec = local - day * DAY;
    uint32_t ymd = tix__tz_civil_from_days(day);
    int a = off_min < 0 ? -off_min : off_min;
    int n = snprintf(buf, TIX__LOCAL_ISO_MAX,
                     "%04u-%02u-%02uT%02d:%02d:%02d%c%02d:%02d", ymd / 10000,
                     ymd / 100 % 100, ymd % 100, (int)(sec / 3600),
                     (int)(sec / 60 % 60), (int)(sec % 60),
                     off_min < 0 ? '-' : '+', a / 60, a % 60);
    return n < 0 ? 0 : (size_t)n;
}

/* ---- a per-store cache of zone files ---------------------------------- */

/* Zones a store keeps read: a handful of cities' zones in practice. */
#define CACHE_SLOTS 16
/* How long a cached file is trusted before its inode, size and mtime are
 * looked at again (a tzdata upgrade reaches a running process). */
#define CACHE_RECHECK_NS (10LL * 1000000000)

typedef struct cache_slot {
    char name[TIX_TZ_NAME_MAX + 1]; /* "" = free */
    uint8_t *buf;
    size_t len;
    struct stat st;      /* of the file when it was read */
    int64_t checked_ns;  /* CLOCK_MONOTONIC of the last look at the file */
} cache_slot;

struct tix__tz_cache {
    pthread_mutex_t mu;
    cache_slot slot[CACHE_SLOTS];
    unsigned next_evict;
};

static int64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int tix__tz_cache_open(tix__tz_cache **out)
{
    tix__tz_cache *c = calloc(1, sizeof *c);
    if (!c) return tix__err(TIX_ENOMEM, "out of memory");
    pthread_mutex_init(&c->mu, NULL);
    *out = c;
    return TIX_OK;
}

void tix__tz_cache_close(tix__tz_cache *c)
{
    if (!c) return;
    for (int i = 0; i < CACHE_SLOTS; i++) free(c->slot[i].buf);
    pthread_mutex_destroy(&c->mu);
    free(c);
}

static int same_file(const struct stat *a, const struct stat *b)
{
    return a->st_dev == b->st_dev && a->st_ino == b->st_ino &&
           a->st_size == b->st_size && a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
           a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

/* The slot holding @p name, read (again) when missing or changed on disk.
 * Called with the lock held. */
static int cache_slot_for(tix__tz_cache *c, const char *name, cache_slot **out)
{
    char path[TIX_TZ_NAME_MAX + sizeof TIX__TZ_DIR + 2];
    snprintf(path, sizeof path, "%s/%s", TIX__TZ_DIR, name);
    cache_slot *s = NULL;
    for (int i = 0; i < CACHE_SLOTS && !s; i++)
        if (!strcmp(c->slot[i].name, name)) s = &c->slot[i];
    int64_t now = mono_ns();
    if (s && now - s->checked_ns < CACHE_RECHECK_NS) {
        *out = s;
        return TIX_OK;
    }
    struct stat st;
    if (s && stat(path, &st) == 0 && same_file(&st, &s->st)) {
        s->checked_ns = now;
        *out = s;
        return TIX_OK;
    }
    uint8_t *buf;
    size_t len;
    int rc = read_zone(path, name, &buf, &len);
    if (rc == TIX_OK && stat(path, &st) != 0) memset(&st, 0, sizeof st);
    if (rc) return rc;
    if (!s) {
        s = &c->slot[c->next_evict++ % CACHE_SLOTS];
        snprintf(s->name, sizeof s->name, "%s", name);
    }
    free(s->buf);
    s->buf = buf;
    s->len = len;
    s->st = st;
    s->checked_ns = now;
    *out = s;
    return TIX_OK;
}

int tix__tz_cache_offset(tix__tz_cache *c, const char *name, int64_t t,
                         int32_t *utc_offset_min)
{
    if (!c) return tix_tz_offset(name, t, utc_offset_min);
    int rc = tix__tz_name_check(name);
    if (rc) return rc;
    pthread_mutex_lock(&c->mu);
    cache_slot *s;
    int32_t sec = 0;
    rc = cache_slot_for(c, name, &s);
    /* Parsed under the lock: an eviction by another thread cannot free the
     * buffer under this walk. */
    if (rc == TIX_OK) rc = tix__tz_offset_tzif(s->buf, s->len, t, &sec);
    pthread_mutex_unlock(&c->mu);
    if (rc == TIX_OK) *utc_offset_min = (int32_t)floor_div(sec, 60);
    return rc;
}
