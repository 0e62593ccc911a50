/* Money: ISO 4217 minor units, and amounts as text in them.
 *
 * The table holds every active ISO 4217 code (list of 2025) except those
 * with no minor unit defined ("N.A.": gold, SDR and other units of
 * account, the test code XTS and XXX), which no seat is priced in. The
 * codes are sorted so a lookup is a binary search; a test checks the
 * order. */
#include "money.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

typedef struct currency {
    char code[4];
    uint8_t exponent;
} currency;

static const currency currencies[] = {
    {"AED", 2}, {"AFN", 2}, {"ALL", 2}, {"AMD", 2}, {"ANG", 2}, {"AOA", 2},
    {"ARS", 2}, {"AUD", 2}, {"AWG", 2}, {"AZN", 2}, {"BAM", 2}, {"BBD", 2},
    {"BDT", 2}, {"BGN", 2}, {"BHD", 3}, {"BIF", 0}, {"BMD", 2}, {"BND", 2},
    {"BOB", 2}, {"BOV", 2}, {"BRL", 2}, {"BSD", 2}, {"BTN", 2}, {"BWP", 2},
    {"BYN", 2}, {"BZD", 2}, {"CAD", 2}, {"CDF", 2}, {"CHE", 2}, {"CHF", 2},
    {"CHW", 2}, {"CLF", 4}, {"CLP", 0}, {"CNY", 2}, {"COP", 2}, {"COU", 2},
    {"CRC", 2}, {"CUP", 2}, {"CVE", 2}, {"CZK", 2}, {"DJF", 0}, {"DKK", 2},
    {"DOP", 2}, {"DZD", 2}, {"EGP", 2}, {"ERN", 2}, {"ETB", 2}, {"EUR", 2},
    {"FJD", 2}, {"FKP", 2}, {"GBP", 2}, {"GEL", 2}, {"GHS", 2}, {"GIP", 2},
    {"GMD", 2}, {"GNF", 0}, {"GTQ", 2}, {"GYD", 2}, {"HKD", 2}, {"HNL", 2},
    {"HTG", 2}, {"HUF", 2}, {"IDR", 2}, {"ILS", 2}, {"INR", 2}, {"IQD", 3},
    {"IRR", 2}, {"ISK", 0}, {"JMD", 2}, {"JOD", 3}, {"JPY", 0}, {"KES", 2},
    {"KGS", 2}, {"KHR", 2}, {"KMF", 0}, {"KPW", 2}, {"KRW", 0}, {"KWD", 3},
    {"KYD", 2}, {"KZT", 2}, {"LAK", 2}, {"LBP", 2}, {"LKR", 2}, {"LRD", 2},
    {"LSL", 2}, {"LYD", 3}, {"MAD", 2}, {"MDL", 2}, {"MGA", 2}, {"MKD", 2},
    {"MMK", 2}, {"MNT", 2}, {"MOP", 2}, {"MRU", 2}, {"MUR", 2}, {"MVR", 2},
    {"MWK", 2}, {"MXN", 2}, {"MXV", 2}, {"MYR", 2}, {"MZN", 2}, {"NAD", 2},
    {"NGN", 2}, {"NIO", 2}, {"NOK", 2}, {"NPR", 2}, {"NZD", 2}, {"OMR", 3},
    {"PAB", 2}, {"PEN", 2}, {"PGK", 2}, {"PHP", 2}, {"PKR", 2}, {"PLN", 2},
    {"PYG", 0}, {"QAR", 2}, {"RON", 2}, {"RSD", 2}, {"RUB", 2}, {"RWF", 0},
    {"SAR", 2}, {"SBD", 2}, {"SCR", 2}, {"SDG", 2}, {"SEK", 2}, {"SGD", 2},
    {"SHP", 2}, {"SLE", 2}, {"SOS", 2}, {"SRD", 2}, {"SSP", 2}, {"STN", 2},
    {"SVC", 2}, {"SYP", 2}, {"SZL", 2}, {"THB", 2}, {"TJS", 2}, {"TMT", 2},
    {"TND", 3}, {"TOP", 2}, {"TRY", 2}, {"TTD", 2}, {"TWD", 2}, {"TZS", 2},
    {"UAH", 2}, {"UGX", 0}, {"USD", 2}, {"USN", 2}, {"UYI", 0}, {"UYU", 2},
    {"UYW", 4}, {"UZS", 2}, {"VED", 2}, {"VES", 2}, {"VND", 0}, {"VUV", 0},
    {"WST", 2}, {"XAF", 0}, {"XCD", 2}, {"XCG", 2}, {"XOF", 0}, {"XPF", 0},
    {"YER", 2}, {"ZAR", 2}, {"ZMW", 2}, {"ZWG", 2},
};

#define N_CURRENCIES (sizeof currencies / sizeof currencies[0])
#define EXPONENT_MAX 4

static int by_code(const void *key, const void *item)
{
    return memcmp(key, ((const currency *)item)->code, 3);
}

static int code_form(const char *code)
{
    if (!code) return 0;
    for (int i = 0; i < 3; i++)
        if (code[i] < 'A' || code[i] > 'Z') return 0;
    return code[3] == '\0';
}

int tix_currency_exponent(const char *code)
{
    if (!code_form(code))
        return tix__err(TIX_EINVAL, "currency must be three letters A-Z "
                        "(ISO 4217), not '%.8s'", code ? code : "(null)");
    const currency *c = bsearch(code, currencies, N_CURRENCIES,
                                sizeof currencies[0], by_code);
    if (!c)
        return tix__err(TIX_EINVAL, "currency %s is not an active ISO 4217 "
                        "code with minor units", code);
    return c->exponent;
}

size_t tix__money_currency_count(void) { return N_CURRENCIES; }

const char *tix__money_currency_code(size_t i)
{
    return i < N_CURRENCIES ? currencies[i].code : NULL;
}

static const uint64_t pow10_table[EXPONENT_MAX + 1] = {1, 10, 100, 1000,
                                                       10000};

int tix_money_format(int64_t amount_minor, const char *currency, char *buf,
                     size_t cap)
{
    int exp = tix_currency_exponent(currency);
    if (exp < 0) return exp;
    if (!buf || cap == 0) return tix__err(TIX_EINVAL, "buf is NULL or empty");
    const char *sign = amount_minor < 0 ? "-" : "";
    uint64_t a = amount_minor < 0 ? (uint64_t)0 - (uint64_t)amount_minor
                                  : (uint64_t)amount_minor;
    uint64_t unit = pow10_table[exp];
    char tmp[48];
    int n = exp == 0
                ? snprintf(tmp, sizeof tmp, "%s %s%" PRIu64, currency, sign, a)
                : snprintf(tmp, sizeof tmp, "%s %s%" PRIu64 ".%0*" PRIu64,
                           currency, sign, a / unit, exp, a % unit);
    if (n < 0 || (size_t)n >= cap)
        return tix__err(TIX_ETOOLONG, "%s needs %d bytes, the buffer has %zu",
                        tmp, n + 1, cap);
    memcpy(buf, tmp, (size_t)n + 1);
    return TIX_OK;
}

/* Whole units: digits only, at most 18 of them so the sum cannot wrap. */
static int parse_digits(const char **p, uint64_t *v, int *n)
{
    *v = 0;
    *n = 0;
    while (**p >= '0' && **p <= '9') {
        if (++*n > 18) return -1;
        *v = *v * 10 + (uint64_t)(**p - '0');
        (*p)++;
    }
    return 0;
}

int tix_money_parse(const char *text, const char *currency,
                    int64_t *amount_minor)
{
    int exp = tix_currency_exponent(currency);
    if (exp < 0) return exp;
    if (!text || !amount_minor)
        return tix__err(TIX_EINVAL, "text or amount_minor is NULL");
    const char *p = text;
    int neg = *p == '-';
    if (neg) p++;
    uint64_t whole, frac = 0;
    int nw, nf = 0;
    if (parse_digits(&p, &whole, &nw))
        return tix__err(TIX_ERANGE, "amount '%.40s' is too large", text);
    if (*p == '.') {
        p++;
        if (parse_digits(&p, &frac, &nf))
            return tix__err(TIX_EINVAL, "amount '%.40s' has too many decimals",
                            text);
    }
    if (*p || nw == 0 || (p[-1] == '.'))
        return tix__err(TIX_EINVAL, "amount '%.40s' is not digits with an "
                        "optional decimal point", text);
    if (nf > exp)
        return tix__err(TIX_EINVAL, "amount '%.40s' has %d decimals; %s has "
                        "%d", text, nf, currency, exp);
    for (int i = nf; i < exp; i++) frac *= 10;
    uint64_t unit = pow10_table[exp];
    if (whole > (uint64_t)INT64_MAX / unit - 1)
        return tix__err(TIX_ERANGE, "amount '%.40s' is too large", text);
    int64_t v = (int64_t)(whole * unit + frac);
    *amount_minor = neg ? -v : v;
    return TIX_OK;
}
