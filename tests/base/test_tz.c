/* lib/base/tz.c: UTC offsets of IANA zones from the system's TZif files,
 * their POSIX footer rules, and hostile or truncated zone data. The
 * expected offsets were taken from Python's zoneinfo on the same tzdata. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "tz.h"

typedef struct {
    const char *zone;
    int64_t t;
    int32_t off_min;
} zone_case;

static void offsets_from_tzdata(void **state)
{
    (void)state;
    static const zone_case cases[] = {
        /* London's 2027 switch to summer time, either side of 01:00Z. */
        {"Europe/London", 1806195599, 0},
        {"Europe/London", 1806195600, 60},
        /* 2090 is past the file's table: the footer rule decides. */
        {"Europe/London", 3794173199, 0},
        {"Europe/London", 3794173200, 60},
        {"Europe/London", 3812921999, 60},
        {"Europe/London", 3812922000, 0},
        {"Australia/Sydney", 3788121600, 660}, /* southern summer */
        {"Australia/Sydney", 3803760000, 600},
        {"America/New_York", 3960576000, -240},
        {"America/New_York", 3975609600, -300},
        {"Asia/Kolkata", 2524608000, 330},
        {"America/St_Johns", 2855865600, -150},
        {"Asia/Kathmandu", 1893456000, 345},
        {"America/Nuuk", 3487017600, -60}, /* rule with a /-1 time */
        {"America/Nuuk", 3471292800, -120},
        {"Africa/Casablanca", 1893456000, 0},
        {"America/Sao_Paulo", 1893456000, -180},
        {"UTC", 1893456000, 0}, /* a symlink in Debian's tzdata */
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        int32_t off = 9999;
        assert_ok(tix_tz_offset(cases[i].zone, cases[i].t, &off));
        if (off != cases[i].off_min)
            fail_msg("%s at %lld: %d, want %d", cases[i].zone,
                     (long long)cases[i].t, off, cases[i].off_min);
    }
}

static void bad_names_are_refused(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "", "/etc/passwd", "../etc/passwd", "Europe/../../etc/passwd",
        "Europe//London", "Europe/London/", "Europe/Lon don", "Europe/./London",
        "Europe/Londinium", "Europe", "zone.tab", "tzdata.zi", "Europe\\London",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        int32_t off = 12345;
        int rc = tix_tz_offset(bad[i], 0, &off);
        if (rc != TIX_EINVAL)
            fail_msg("zone '%s' gave %d: %s", bad[i], rc, tix_errmsg());
        assert_int_equal(off, 12345);
    }
    char longname[TIX_TZ_NAME_MAX + 2];
    memset(longname, 'a', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    int32_t off;
    assert_code(tix_tz_offset(longname, 0, &off), TIX_ETOOLONG);
    assert_code(tix_tz_offset(NULL, 0, &off), TIX_EINVAL);
    assert_code(tix_tz_offset("UTC", 0, NULL), TIX_EINVAL);
    assert_ok(tix__tz_name_check("America/Argentina/Buenos_Aires"));
    assert_ok(tix__tz_name_check("Etc/GMT+5"));
}

typedef struct {
    const char *rule;
    int64_t t;
    int32_t off_sec;
} rule_case;

static void footer_rules(void **state)
{
    (void)state;
    static const rule_case cases[] = {
        {"IST-5:30", 0, 19800},
        {"<+0330>-3:30", 0, 12600},
        {"<-03>3", 0, -10800},
        {"EST5EDT,M3.2.0,M11.1.0", 3960576000, -14400},
        {"EST5EDT,M3.2.0,M11.1.0", 3975609600, -18000},
        /* No rule after the names: the US rule. */
        {"EST5EDT", 3960576000, -14400},
        /* A southern zone: summer across new year. */
        {"AEST-10AEDT,M10.1.0,M4.1.0/3", 3788121600, 39600},
        {"AEST-10AEDT,M10.1.0,M4.1.0/3", 3803760000, 36000},
        /* Julian days: J60 is 1 March every year; 60 counts 29 February. */
        {"AAA3BBB,J60/0,J300/0", 1583020800 - 3 * 3600 - 1, -10800},
        {"AAA3BBB,J60/0,J300/0", 1583020800 + 3 * 3600, -7200},
        {"AAA3BBB,59/0,300/0", 1582934400 + 3 * 3600, -7200}, /* 29 Feb 2020 */
        {"<+01>-1", 0, 3600},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        int32_t off = 0;
        assert_ok(tix__tz_offset_rule(cases[i].rule, strlen(cases[i].rule),
                                      cases[i].t, &off));
        if (off != cases[i].off_sec)
            fail_msg("rule %s at %lld: %d s, want %d", cases[i].rule,
                     (long long)cases[i].t, off, cases[i].off_sec);
    }
    static const char *const bad[] = {
        "", "E", "EST", "EST5EDT,", "EST5EDT,M3.2.0", "EST5EDT,M13.2.0,M11.1.0",
        "EST5EDT,M3.6.0,M11.1.0", "EST5EDT,M3.2.7,M11.1.0", "EST5EDT,J0,J10",
        "EST5EDT,J366,J10", "<+01", "EST99", "EST5EDT,M3.2.0/200,M11.1.0",
        "EST5EDT,M3.2.0,M11.1.0x", "EST5:99",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        int32_t off = 77;
        int rc = tix__tz_offset_rule(bad[i], strlen(bad[i]), 0, &off);
        if (rc != TIX_ECORRUPT) fail_msg("rule '%s' gave %d", bad[i], rc);
        assert_int_equal(off, 77);
    }
}

static uint8_t *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    uint8_t *buf = malloc(TIX__TZ_FILE_MAX);
    *len = fread(buf, 1, TIX__TZ_FILE_MAX, f);
    fclose(f);
    return buf;
}

/* Every prefix of a real file, and every byte of its header flipped, is
 * read within bounds (ASan watches) and either decodes or is corrupt. */
static void truncated_and_flipped_files(void **state)
{
    (void)state;
    size_t len;
    uint8_t *buf = slurp(TIX__TZ_DIR "/Europe/London", &len);
    int32_t off;
    assert_ok(tix__tz_offset_tzif(buf, len, 1806195600, &off));
    assert_int_equal(off, 3600);
    for (size_t n = 0; n < len; n++) {
        uint8_t *cut = malloc(n ? n : 1);
        memcpy(cut, buf, n);
        int rc = tix__tz_offset_tzif(cut, n, 1806195600, &off);
        if (rc != TIX_ECORRUPT && !(rc == TIX_OK && off == 3600))
            fail_msg("prefix of %zu bytes gave %d (%d s)", n, rc, off);
        free(cut);
    }
    for (size_t i = 0; i < 44; i++)
        for (int bit = 0; bit < 8; bit++) {
            buf[i] ^= (uint8_t)(1 << bit);
            int rc = tix__tz_offset_tzif(buf, len, 1806195600, &off);
            assert_true(rc == TIX_OK || rc == TIX_ECORRUPT);
            buf[i] ^= (uint8_t)(1 << bit);
        }
    free(buf);
}

/* A minimal version 1 file: @p n transitions to types @p idx. */
static size_t make_v1(uint8_t *p, const int32_t *times, const uint8_t *idx,
                      uint32_t n, const int32_t *offs, uint32_t ntypes,
                      uint32_t leaps)
{
    memset(p, 0, 44);
    memcpy(p, "TZif", 4);
    uint32_t counts[6] = {0, 0, leaps, n, ntypes, 4};
    for (int i = 0; i < 6; i++)
        for (int b = 0; b < 4; b++)
            p[20 + 4 * i + b] = (uint8_t)(counts[i] >> (24 - 8 * b));
    size_t at = 44;
    for (uint32_t i = 0; i < n; i++, at += 4)
        for (int b = 0; b < 4; b++)
            p[at + b] = (uint8_t)((uint32_t)times[i] >> (24 - 8 * b));
    for (uint32_t i = 0; i < n; i++) p[at++] = idx[i];
    for (uint32_t i = 0; i < ntypes; i++, at += 6) {
        for (int b = 0; b < 4; b++)
            p[at + b] = (uint8_t)((uint32_t)offs[i] >> (24 - 8 * b));
        p[at + 4] = 0;
        p[at + 5] = 0;
    }
    memcpy(p + at, "ABC", 4);
    at += 4;
    memset(p + at, 0, (size_t)leaps * 8);
    return at + (size_t)leaps * 8;
}

static void hostile_v1_files(void **state)
{
    (void)state;
    uint8_t f[512];
    int32_t off;
    const int32_t times[] = {1000, 2000}, offs[] = {3600, 7200};
    const uint8_t idx[] = {1, 0};
    size_t n = make_v1(f, times, idx, 2, offs, 2, 0);
    assert_ok(tix__tz_offset_tzif(f, n, 500, &off)); /* before: type 0 */
    assert_int_equal(off, 3600);
    assert_ok(tix__tz_offset_tzif(f, n, 1500, &off));
    assert_int_equal(off, 7200);
    assert_ok(tix__tz_offset_tzif(f, n, 2500, &off));
    assert_int_equal(off, 3600);
    const uint8_t wild[] = {9, 0};
    n = make_v1(f, times, wild, 2, offs, 2, 0);
    assert_code(tix__tz_offset_tzif(f, n, 1500, &off), TIX_ECORRUPT);
    const int32_t backwards[] = {2000, 1000};
    n = make_v1(f, backwards, idx, 2, offs, 2, 0);
    assert_code(tix__tz_offset_tzif(f, n, 1500, &off), TIX_ECORRUPT);
    n = make_v1(f, times, idx, 2, offs, 0, 0); /* no types */
    assert_code(tix__tz_offset_tzif(f, n, 1500, &off), TIX_ECORRUPT);
    n = make_v1(f, times, idx, 2, offs, 2, 1); /* leap seconds */
    assert_code(tix__tz_offset_tzif(f, n, 1500, &off), TIX_ECORRUPT);
    const int32_t huge[] = {100 * 3600, 0};
    n = make_v1(f, times, idx, 2, huge, 2, 0); /* +100 h */
    assert_code(tix__tz_offset_tzif(f, n, 500, &off), TIX_ECORRUPT);
    memcpy(f, "TZiX", 4);
    assert_code(tix__tz_offset_tzif(f, n, 500, &off), TIX_ECORRUPT);
}

static void local_iso_text(void **state)
{
    (void)state;
    char buf[TIX__LOCAL_ISO_MAX];
    tix__tz_local_iso(buf, 1814400000, 60);
    assert_string_equal(buf, "2027-07-01T01:00:00+01:00");
    tix__tz_local_iso(buf, 1814400000, -570);
    assert_string_equal(buf, "2027-06-30T14:30:00-09:30");
    tix__tz_local_iso(buf, 0, 0);
    assert_string_equal(buf, "1970-01-01T00:00:00+00:00");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(offsets_from_tzdata),
        cmocka_unit_test(bad_names_are_refused),
        cmocka_unit_test(footer_rules),
        cmocka_unit_test(truncated_and_flipped_files),
        cmocka_unit_test(hostile_v1_files),
        cmocka_unit_test(local_iso_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
