/* Security properties, measured:
 *  - store files are private: the directory 0700 and every file 0600 even
 *    under umask 0 (also a backup copy);
 *  - hold tokens carry 128 random bits and ticket codes 100: 100000 of
 *    each show no collision and every bit is set in 50% +- 6 sigma of
 *    them (the printed estimate is the sum of the per-bit entropies);
 *  - a ticket code's check symbol (Luhn mod 32) catches every single
 *    symbol error, and every swap of adjacent symbols except 0 <-> Z
 *    (values 0 and 31, Luhn's blind spot in any base);
 *  - a forged handle cannot confirm, release or extend someone else's
 *    seats: the token is what the seat words check (through its 32-bit
 *    tag), not the handle's show, seats or expiry, nor its checksum,
 *    which anyone can recompute; tokens derived from a request key are
 *    keyed by the store's secret;
 *  - handles naming seats beyond their show, or no show, are refused.
 * Length fields of stored records are covered by the fuzz targets. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <xxhash.h>

#include "db.h"
#include "engine.h"
#include "engine_fixture.h"
#include "hold.h"
#include "random.h"
#include "ticket.h"

#define SAMPLES 100000

/* ---- files ------------------------------------------------------------- */

static void mode_of(const char *dir, const char *name, mode_t want)
{
    char p[8400]; /* dir (< 4096) + name: never truncated */
    snprintf(p, sizeof p, "%s/%s", dir, name);
    struct stat st;
    if (stat(p, &st) != 0) fail_msg("%s is missing", p);
    if ((st.st_mode & 07777) != want)
        fail_msg("%s has mode %o, want %o", p, st.st_mode & 07777, want);
}

static void files_private_under_umask_0(void **state)
{
    (void)state;
    mode_t old = umask(0);
    tt_store s;
    tt_open(&s);
    tt_catalog c;
    tt_make_catalog(s.db, 2, 4, &c);
    tix_show sh = {.movie_id = c.movie, .screen_id = c.screen, .start = tt_now + 86400};
    tix_id show;
    assert_ok(tix_show_create(s.db, &sh, &show));
    uint32_t seat = 1;
    tix_hold *h;
    assert_ok(tix_hold_create(s.db, show, &seat, 1, NULL, &h)); /* seats.map */
    tix_hold_free(h);
    struct stat st;
    assert_int_equal(stat(s.dir, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0700);
    mode_of(s.dir, "data.mdb", 0600);
    mode_of(s.dir, "lock.mdb", 0600);
    mode_of(s.dir, "seats.map", 0600);
    char backup[4200];
    snprintf(backup, sizeof backup, "%s/../backup", s.dir);
    assert_ok(tix_db_backup(s.db, backup));
    assert_int_equal(stat(backup, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0700);
    mode_of(backup, "data.mdb", 0600);
    tt_close(&s);
    umask(old);
}

/* ---- randomness ---------------------------------------------------------- */

static int cmp16(const void *a, const void *b) { return memcmp(a, b, 16); }

/* Checks @p n values of @p bytes bytes each (only the low @p bits bits
 * used, byte-packed little-endian) for collisions and per-bit balance;
 * returns the summed per-bit entropy estimate in bits. */
static double measure(uint8_t *v, size_t n, size_t bytes, unsigned bits,
                      const char *what)
{
    unsigned long *ones = calloc(bits, sizeof *ones);
    for (size_t i = 0; i < n; i++)
        for (unsigned b = 0; b < bits; b++)
            ones[b] += (v[i * bytes + b / 8] >> (b % 8)) & 1;
    /* no libm: deviations compared squared; the entropy of a bit with
     * P(1) = 1/2 + e is 1 - 2e^2/ln 2 + O(e^4) */
    double var = (double)n / 4, worst2 = 0, entropy = 0;
    for (unsigned b = 0; b < bits; b++) {
        double d = (double)ones[b] - n / 2.0, dev2 = d * d / var;
        if (dev2 > worst2) worst2 = dev2;
        if (dev2 > 36)
            fail_msg("%s: bit %u set in %lu of %zu (over 6 sigma)", what, b,
                     ones[b], n);
        double e = d / (double)n;
        entropy += 1 - 2 * e * e / 0.6931471805599453;
    }
    double worst = worst2;
    for (int i = 0; i < 30 && worst2 > 0; i++) worst = (worst + worst2 / worst) / 2;
    qsort(v, n, bytes, cmp16);
    for (size_t i = 1; i < n; i++)
        if (!memcmp(v + (i - 1) * bytes, v + i * bytes, bytes))
            fail_msg("%s: two of %zu values are equal", what, n);
    print_message("%s: %zu samples, no collision, %u bits each, worst bit "
                  "%.2f sigma from 1/2, entropy estimate %.2f bits\n", what, n,
                  bits, worst, entropy);
    free(ones);
    return entropy;
}

/* Tokens of real holds (the path tix_hold_create takes). */
static void hold_tokens_carry_128_bits(void **state)
{
    fixture *f = *state;
    uint8_t *tok = malloc((size_t)SAMPLES * 16);
    uint32_t seat = 17;
    for (size_t i = 0; i < SAMPLES; i++) {
        tix_hold *h;
        assert_ok(tix_hold_create(f->s.db, f->show, &seat, 1, NULL, &h));
        memcpy(tok + i * 16, h->token, 16);
        assert_ok(tix_hold_release(f->s.db, h));
        tix_hold_free(h);
    }
    double e = measure(tok, SAMPLES, 16, 128, "hold tokens");
    assert_true(e > 127.9);
    free(tok);
}

static const char alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

static int symbol(char c) { return (int)(strchr(alphabet, c) - alphabet); }

/* Codes from the generator confirm uses: 20 symbols x 5 bits + check. */
static void ticket_codes_carry_100_bits(void **state)
{
    (void)state;
    uint8_t *v = calloc(SAMPLES, 16);
    for (size_t i = 0; i < SAMPLES; i++) {
        char code[TIX_TICKET_CODE_LEN + 1], canon[TIX_TICKET_CODE_LEN + 1];
        assert_ok(tix__ticket_code_new(code));
        assert_int_equal(strlen(code), TIX_TICKET_CODE_LEN);
        assert_ok(tix__ticket_code_parse(code, canon)); /* check symbol holds */
        assert_string_equal(code, canon);
        for (unsigned s = 0; s < 20; s++) {
            unsigned x = (unsigned)symbol(code[s]);
            for (unsigned b = 0; b < 5; b++)
                if (x >> b & 1) v[i * 16 + (s * 5 + b) / 8] |= (uint8_t)(1u << ((s * 5 + b) % 8));
        }
    }
    double e = measure(v, SAMPLES, 16, 100, "ticket codes");
    assert_true(e > 99.9);
    free(v);
}

/* A code with a valid check symbol for its first 20 symbols. */
static void fix_check(char code[TIX_TICKET_CODE_LEN + 1])
{
    char out[TIX_TICKET_CODE_LEN + 1];
    for (int x = 0; x < 32; x++) {
        code[20] = alphabet[x];
        if (tix__ticket_code_parse(code, out) == TIX_OK) return;
    }
    fail_msg("no check symbol fits %s", code);
}

/* Every single-symbol change is caught; every adjacent swap but 0 <-> Z. */
static void ticket_check_symbol_catches_typos(void **state)
{
    (void)state;
    unsigned long subs = 0, swaps = 0, blind = 0;
    char code[TIX_TICKET_CODE_LEN + 1], t[TIX_TICKET_CODE_LEN + 1],
        out[TIX_TICKET_CODE_LEN + 1];
    for (int k = 0; k < 300; k++) {
        assert_ok(tix__ticket_code_new(code));
        if (k % 10 == 0) { /* make sure the blind pair occurs */
            code[4 + k % 7] = '0';
            code[5 + k % 7] = 'Z';
            fix_check(code);
        }
        for (size_t i = 0; i < TIX_TICKET_CODE_LEN; i++)
            for (int x = 0; x < 32; x++) {
                if (alphabet[x] == code[i]) continue;
                memcpy(t, code, sizeof t);
                t[i] = alphabet[x];
                if (tix__ticket_code_parse(t, out) != TIX_EBADCODE)
                    fail_msg("%s -> %s not caught", code, t);
                subs++;
            }
        for (size_t i = 0; i + 1 < TIX_TICKET_CODE_LEN; i++) {
            if (code[i] == code[i + 1]) continue;
            memcpy(t, code, sizeof t);
            t[i] = code[i + 1];
            t[i + 1] = code[i];
            int rc = tix__ticket_code_parse(t, out);
            if ((code[i] == '0' && code[i + 1] == 'Z') ||
                (code[i] == 'Z' && code[i + 1] == '0')) {
                assert_int_equal(rc, TIX_OK); /* Luhn's blind spot */
                blind++;
                continue;
            }
            if (rc != TIX_EBADCODE) fail_msg("swap %s -> %s not caught", code, t);
            swaps++;
        }
    }
    assert_true(blind > 0);
    print_message("check symbol: %lu single-symbol errors and %lu adjacent "
                  "swaps caught; %lu swaps of 0 and Z pass (the blind spot of "
                  "Luhn mod 32: values 0 and 31 double to themselves)\n",
                  subs, swaps, blind);
}

/* ---- forged handles ------------------------------------------------------ */

/* A handle rebuilt from a victim's string with a chosen token. Without
 * the store's key its MAC is wrong; @p seal_db re-seals it with the key,
 * as an attacker who stole the store secret could: then only the keyed
 * tags in seats.map stand between it and the victim's seats. */
static tix_hold *forge(const tix_hold *victim, const uint8_t token[16],
                       tix_db *seal_db)
{
    char s[TIX_HOLD_STRING_MAX];
    assert_ok(tix_hold_to_string(victim, s, sizeof s));
    tix_hold *h;
    assert_ok(tix_hold_from_string(s, &h));
    memcpy(h->token, token, 16);
    if (seal_db) tix__hold_seal(seal_db, h);
    assert_ok(tix_hold_to_string(h, s, sizeof s));
    tix_hold_free(h);
    assert_ok(tix_hold_from_string(s, &h));
    return h;
}

static void victim_still_holds(fixture *f, const tix_hold *v)
{
    const tix__show_entry *e;
    assert_ok(tix__engine_show(f->s.db, f->show, &e));
    uint32_t tag = tix__engine_hold_tag(f->s.db, v->token);
    for (uint32_t i = 0; i < v->n; i++) {
        uint64_t w = tix__w_load(&e->seats[v->seats[i]]);
        if (tix__w_state(w) != TIX_W_HELD || tix__w_tag(w) != tag)
            fail_msg("victim's seat %u lost its hold", v->seats[i]);
    }
}

static void forged_handles_cannot_take_held_seats(void **state)
{
    fixture *f = *state;
    tix_db *db = f->s.db;
    uint32_t seats[] = {30, 31, 32};
    tix_hold *victim;
    tix_hold_opts o = {.ttl = 600};
    assert_ok(tix_hold_create(db, f->show, seats, 3, &o, &victim));
    uint64_t digest = tt_digest(db);
    tix_confirm_opts co = {.user_id = f->user, .payment_ref = "thief"};
    tix_id id;
    unsigned tries = 0;

    /* 1000 random tokens, and simple transforms of the victim's */
    for (int k = 0; k < 1000; k++) {
        uint8_t tok[16];
        assert_ok(tix__random_bytes(tok, sizeof tok));
        if (k < 16) {
            memcpy(tok, victim->token, 16);
            tok[k] ^= 1; /* one bit off */
        }
        tix_hold *h = forge(victim, tok, NULL);
        assert_code(tix_hold_confirm(db, h, &co, &id), TIX_EBADCODE);
        assert_code(tix_hold_release(db, h), TIX_EBADCODE);
        assert_code(tix_hold_extend(db, h, 60), TIX_EBADCODE);
        tix_hold_free(h);
        h = forge(victim, tok, db); /* with the key: the tags still hold */
        if (k % 50 == 0) {
            assert_code(tix_hold_confirm(db, h, &co, &id), TIX_ECONFLICT);
            tries++;
        }
        assert_ok(tix_hold_release(db, h)); /* leaves foreign seats alone */
        assert_code(tix_hold_extend(db, h, 60), TIX_EEXPIRED);
        tix_hold_free(h);
    }
    victim_still_holds(f, victim);
    assert_true(tt_digest(db) == digest); /* nothing booked */

    /* the victim's token cannot be guessed from a request key either: a
     * token derived without the store's secret is just another forgery */
    tix_hold *keyed;
    tix_hold_opts ko = {.ttl = 600, .request_key = "order-1"};
    uint32_t kseat = 40;
    assert_ok(tix_hold_create(db, f->show, &kseat, 1, &ko, &keyed));
    uint8_t buf[3 + 8 + TIX_REQUEST_KEY_MAX];
    memcpy(buf, "rk1", 3);
    tix__be64_put(buf + 3, f->show);
    memcpy(buf + 11, "order-1", 7);
    XXH128_hash_t guess = XXH3_128bits(buf, 18);
    uint8_t tok[16];
    memcpy(tok, &guess.low64, 8);
    memcpy(tok + 8, &guess.high64, 8);
    tix_hold *h = forge(keyed, tok, db);
    assert_ok(tix_hold_release(db, h));
    uint8_t st[200];
    assert_ok(tix_show_seat_states(db, f->show, st, sizeof st));
    assert_int_equal(st[40], TIX_SEAT_HELD);
    tix_hold_free(h);

    /* a handle with a later expiry does not outlive its hold: once the
     * victim's hold ran out and someone else holds the seats, the forged
     * expiry confirms nothing */
    tix_hold *stretched;
    char s[TIX_HOLD_STRING_MAX];
    assert_ok(tix_hold_to_string(victim, s, sizeof s));
    assert_ok(tix_hold_from_string(s, &stretched));
    stretched->expires += 86400;
    assert_code(tix_hold_confirm(db, stretched, &co, &id), TIX_EBADCODE);
    tix__hold_seal(db, stretched); /* with the key, still nothing */
    tt_now += 601; /* the victim's hold ran out */
    tix_hold *other;
    assert_ok(tix_hold_create(db, f->show, seats, 3, &o, &other));
    int rc = tix_hold_confirm(db, stretched, &co, &id);
    assert_true(rc == TIX_ECONFLICT || rc == TIX_EEXPIRED);
    victim_still_holds(f, other);
    assert_true(tt_digest(db) == digest);

    /* seats beyond the show, and a show that does not exist */
    tix_hold *bad = tix__hold_new(f->show, 1);
    bad->seats[0] = 5000;
    tix__hold_seal(db, bad);
    assert_code(tix_hold_confirm(db, bad, &co, &id), TIX_EBADCODE);
    assert_code(tix_hold_release(db, bad), TIX_EBADCODE);
    assert_code(tix_hold_extend(db, bad, 60), TIX_EBADCODE);
    bad->show_id = 424242;
    bad->seats[0] = 1;
    tix__hold_seal(db, bad);
    assert_code(tix_hold_confirm(db, bad, &co, &id), TIX_ENOTFOUND);
    tix_hold_free(bad);
    print_message("forged handles: 1000 tokens (16 one bit off the real one) "
                  "refused by the MAC; re-sealed with the key, %u confirms "
                  "refused by the tags, no seat of a live hold taken\n", tries);
    tix_hold_free(stretched);
    tix_hold_free(other);
    tix_hold_free(keyed);
    tix_hold_free(victim);
}

/* Two stores: the same request key gives unrelated tokens. */
static void request_key_tokens_are_keyed_per_store(void **state)
{
    fixture *f = *state;
    tt_store other;
    tt_open(&other);
    uint8_t a[16], b[16];
    assert_ok(tix__hold_token(f->s.db, 1, "same-key", a));
    assert_ok(tix__hold_token(other.db, 1, "same-key", b));
    assert_memory_not_equal(a, b, 16);
    uint8_t a2[16];
    assert_ok(tix__hold_token(f->s.db, 1, "same-key", a2));
    assert_memory_equal(a, a2, 16); /* and stable within a store */
    tt_close(&other);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(files_private_under_umask_0),
        cmocka_unit_test_setup_teardown(hold_tokens_carry_128_bits, fx_setup, fx_teardown),
        cmocka_unit_test(ticket_codes_carry_100_bits),
        cmocka_unit_test(ticket_check_symbol_catches_typos),
        cmocka_unit_test_setup_teardown(forged_handles_cannot_take_held_seats, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(request_key_tokens_are_keyed_per_store, fx_setup, fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
