/* Fuzz target: the hold handle parser, tix_hold_from_string(), with the
 * MAC in place. Any string either is refused (TIX_EBADCODE, nothing
 * allocated) or parses into a handle that prints back to a string parsing
 * to the same handle (show, expiry, token, MAC, ascending seats, 1..256 of
 * them). A parsed handle is then used against a store where seats 2 and 3
 * are held by someone else: unless it is that hold's own handle, release,
 * extend and confirm through it are TIX_EBADCODE (the MAC) and never touch
 * that hold or book anything. Seeds: real handles of 1, 2, 10 and 256
 * seats (from another run's store, so foreign here), and truncated and
 * altered ones. */
#include "fuzz_common.h"

#include "engine.h"
#include "hold.h"

static tix_hold *victim;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fz_store_open();
    if (!victim) {
        uint32_t seats[] = {2, 3};
        tix_hold_opts o = {.ttl = 3600}; /* the fake clock never moves */
        FZ_OK(tix_hold_create(fz.db, fz.show, seats, 2, &o, &victim));
    }
    return 0;
}

static void victim_intact(void)
{
    const tix__show_entry *e;
    FZ_OK(tix__engine_show(fz.db, fz.show, &e));
    uint32_t tag = tix__engine_hold_tag(fz.db, victim->token);
    for (uint32_t i = 0; i < victim->n; i++) {
        uint64_t w = tix__w_load(&e->seats[victim->seats[i]]);
        FZ_REQUIRE(tix__w_state(w) == TIX_W_HELD && tix__w_tag(w) == tag);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!fz.db) LLVMFuzzerInitialize(NULL, NULL);
    char *s = malloc(size + 1);
    memcpy(s, data, size);
    s[size] = '\0';
    tix_hold *h = (tix_hold *)1;
    int rc = tix_hold_from_string(s, &h);
    free(s);
    FZ_CODE(rc);
    if (rc) {
        FZ_REQUIRE(rc == TIX_EBADCODE && h == NULL);
        return 0;
    }
    FZ_REQUIRE(h && h->n >= 1 && h->n <= 256);
    for (uint32_t i = 1; i < h->n; i++) FZ_REQUIRE(h->seats[i] > h->seats[i - 1]);
    char buf[TIX_HOLD_STRING_MAX];
    FZ_OK(tix_hold_to_string(h, buf, sizeof buf));
    tix_hold *again;
    FZ_OK(tix_hold_from_string(buf, &again));
    FZ_REQUIRE(again->show_id == h->show_id && again->expires == h->expires &&
               again->n == h->n &&
               !memcmp(again->token, h->token, sizeof h->token) &&
               !memcmp(again->mac, h->mac, sizeof h->mac) &&
               !memcmp(again->seats, h->seats, h->n * sizeof *h->seats));
    tix_hold_free(again);
    char mine[TIX_HOLD_STRING_MAX];
    FZ_OK(tix_hold_to_string(victim, mine, sizeof mine));
    if (strcmp(buf, mine) == 0) { /* the real handle may act on its hold */
        tix_hold_free(h);
        return 0;
    }
    int rc_r = tix_hold_release(fz.db, h), rc_e = tix_hold_extend(fz.db, h, 60);
    tix_confirm_opts co = {.user_id = 1, .payment_ref = "fuzz"};
    tix_id id;
    int rc_c = tix_hold_confirm(fz.db, h, &co, &id);
    FZ_CODE(rc_r);
    FZ_CODE(rc_e);
    FZ_CODE(rc_c);
    FZ_REQUIRE(rc_r == TIX_EBADCODE && rc_e == TIX_EBADCODE &&
               rc_c == TIX_EBADCODE);
    tix_hold_free(h);
    victim_intact();
    return 0;
}

void fuzz_make_seeds(const char *dir);
void fuzz_make_seeds(const char *dir)
{
    LLVMFuzzerInitialize(NULL, NULL);
    char buf[TIX_HOLD_STRING_MAX];
    FZ_OK(tix_hold_to_string(victim, buf, sizeof buf));
    fz_seed(dir, "victim", buf, strlen(buf));
    fz_seed(dir, "victim-truncated", buf, strlen(buf) - 3);
    char alt[TIX_HOLD_STRING_MAX];
    memcpy(alt, buf, sizeof alt);
    alt[10] = alt[10] == 'A' ? 'B' : 'A';
    fz_seed(dir, "victim-altered", alt, strlen(alt));
    uint32_t one = 7;
    tix_hold *h;
    FZ_OK(tix_hold_create(fz.db, fz.show, &one, 1, NULL, &h));
    FZ_OK(tix_hold_to_string(h, buf, sizeof buf));
    fz_seed(dir, "one-seat", buf, strlen(buf));
    FZ_OK(tix_hold_release(fz.db, h));
    tix_hold_free(h);
    uint32_t n_seats[] = {10, 256};
    for (int k = 0; k < 2; k++) {
        h = tix__hold_new(fz.show, n_seats[k]);
        for (uint32_t i = 0; i < n_seats[k]; i++) h->seats[i] = i * 3;
        h->expires = fz_now + 600;
        memset(h->token, 0xA5, sizeof h->token);
        FZ_OK(tix_hold_to_string(h, buf, sizeof buf));
        char name[32];
        snprintf(name, sizeof name, "seats-%u", n_seats[k]);
        fz_seed(dir, name, buf, strlen(buf));
        tix_hold_free(h);
    }
    fz_seed(dir, "prefix-only", "H2", 2);
    fz_seed(dir, "old-version", "H1AAAA", 6);
    fz_seed(dir, "empty", "", 0);
}
