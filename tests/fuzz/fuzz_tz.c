/* Fuzz target: the bytes libtix parses without a store -- TZif zone files
 * and their POSIX TZ footers, and money amounts. The first byte picks the
 * parser (and, for TZif and rules, which instant to look up). Every call
 * returns a TIX code, reads only inside its buffer (the sanitizers watch)
 * and gives offsets RFC 8536 allows. Seeds: real zone files (London,
 * Sydney, Kolkata, Nuuk), footer rules and amounts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "money.h"
#include "tix.h"
#include "tz.h"

/* No store here, so not fuzz_common.h: the same two rules, a failed one a
 * crash so that the fuzzer keeps the input. */
#define FZ_REQUIRE(cond)                                                      \
    do {                                                                      \
        if (!(cond)) {                                                        \
            fprintf(stderr, "%s:%d: %s failed [%s]\n", __FILE__, __LINE__,   \
                    #cond, tix_errmsg());                                     \
            abort();                                                          \
        }                                                                     \
    } while (0)
#define FZ_CODE(expr)                                                         \
    do {                                                                      \
        int fz_rc_ = (expr);                                                  \
        FZ_REQUIRE(fz_rc_ <= 0 && fz_rc_ >= TIX_EREPL);                  \
    } while (0)
#define FZ_OK(expr) FZ_REQUIRE((expr) == TIX_OK)

enum { T_TZIF, T_RULE, T_MONEY, T__COUNT };

static const int64_t instants[] = {0, 946684800, 1814400000, 3794173200,
                                   4102444799, -2208988800};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    int64_t t = instants[(data[0] / T__COUNT) % 6];
    /* An exact-size copy, so a read past the end is a sanitizer report. */
    uint8_t *buf = malloc(size - 1 ? size - 1 : 1);
    memcpy(buf, data + 1, size - 1);
    int32_t off = 0;
    int rc;
    switch (data[0] % T__COUNT) {
    case T_TZIF:
        FZ_CODE(rc = tix__tz_offset_tzif(buf, size - 1, t, &off));
        FZ_REQUIRE(rc != TIX_OK || (off > -90000 && off < 93600));
        break;
    case T_RULE:
        FZ_CODE(rc = tix__tz_offset_rule((const char *)buf, size - 1, t, &off));
        FZ_REQUIRE(rc != TIX_OK || (off > -90000 && off < 93600));
        break;
    default: {
        char *s = malloc(size);
        memcpy(s, data + 1, size - 1);
        s[size - 1] = '\0';
        static const char *const cur[] = {"JPY", "EUR", "KWD", "CLF"};
        const char *c = cur[(data[0] / T__COUNT) % 4];
        int64_t v = 0;
        FZ_CODE(rc = tix_money_parse(s, c, &v));
        if (rc == TIX_OK) { /* what parses formats back to the same value */
            char text[TIX_MONEY_TEXT_MAX];
            FZ_OK(tix_money_format(v, c, text, sizeof text));
            int64_t again = 0;
            FZ_OK(tix_money_parse(text + 4, c, &again));
            FZ_REQUIRE(again == v);
        }
        free(s);
    }
    }
    free(buf);
    return 0;
}

/* Writes @p len bytes of @p data after the selector byte @p sel. */
static void seed(const char *dir, const char *name, uint8_t sel,
                 const void *data, size_t len)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    FZ_REQUIRE(f != NULL);
    fputc(sel, f);
    fwrite(data, 1, len, f);
    fclose(f);
}

void fuzz_make_seeds(const char *dir);
void fuzz_make_seeds(const char *dir)
{
    static const char *const zones[] = {"Europe/London", "Australia/Sydney",
                                        "Asia/Kolkata", "America/Nuuk"};
    for (int i = 0; i < 4; i++) {
        char path[256], name[32];
        snprintf(path, sizeof path, "%s/%s", TIX__TZ_DIR, zones[i]);
        FILE *f = fopen(path, "rb");
        FZ_REQUIRE(f != NULL);
        static uint8_t buf[TIX__TZ_FILE_MAX];
        size_t n = fread(buf, 1, sizeof buf, f);
        fclose(f);
        snprintf(name, sizeof name, "tzif_%d", i);
        seed(dir, name, (uint8_t)(T_TZIF + T__COUNT * i), buf, n);
    }
    static const char *const rules[] = {
        "EST5EDT,M3.2.0,M11.1.0", "AEST-10AEDT,M10.1.0,M4.1.0/3",
        "<-02>2<-01>,M3.5.0/-1,M10.5.0/0", "AAA3BBB,J60/0,J300/0"};
    for (int i = 0; i < 4; i++) {
        char name[32];
        snprintf(name, sizeof name, "rule_%d", i);
        seed(dir, name, (uint8_t)(T_RULE + T__COUNT * (i + 1)), rules[i],
             strlen(rules[i]));
    }
    static const char *const amounts[] = {"18.50", "-1.800", "1800"};
    for (int i = 0; i < 3; i++) {
        char name[32];
        snprintf(name, sizeof name, "money_%d", i);
        seed(dir, name, (uint8_t)(T_MONEY + T__COUNT * i), amounts[i],
             strlen(amounts[i]));
    }
}
