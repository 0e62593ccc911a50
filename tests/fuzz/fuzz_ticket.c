/* Fuzz target: the ticket code parser (tix__ticket_code_parse, the first
 * thing tix_ticket_checkin does). Any string is refused with TIX_EBADCODE
 * (or TIX_EINVAL), or parses into 21 symbols of the Crockford alphabet
 * whose check symbol holds and which parse to themselves; then the
 * check-in of it against a store returns a TIX code (not found, already
 * checked in, ...). Seeds: a real code in every spelling the parser
 * accepts (lower case, dashes, spaces, I/L/O), and near misses. */
#include "fuzz_common.h"

#include "ticket.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fz_store_open();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!fz.db) LLVMFuzzerInitialize(NULL, NULL);
    char *s = malloc(size + 1);
    memcpy(s, data, size);
    s[size] = '\0';
    char canon[TIX_TICKET_CODE_LEN + 1];
    memset(canon, 0x7f, sizeof canon);
    int rc = tix__ticket_code_parse(s, canon);
    FZ_CODE(rc);
    /* the public entry parses before it looks at anything else */
    FZ_CODE(tix_ticket_checkin(NULL, s, "Gate", NULL));
    if (rc == TIX_OK) {
        FZ_REQUIRE(strlen(canon) == TIX_TICKET_CODE_LEN);
        for (size_t i = 0; i < TIX_TICKET_CODE_LEN; i++)
            FZ_REQUIRE(strchr("0123456789ABCDEFGHJKMNPQRSTVWXYZ", canon[i]));
        char again[TIX_TICKET_CODE_LEN + 1];
        FZ_OK(tix__ticket_code_parse(canon, again));
        FZ_REQUIRE(!strcmp(again, canon));
        tix_checkin ci;
        rc = tix_ticket_checkin(fz.db, s, "Gate", &ci);
        FZ_CODE(rc);
        FZ_REQUIRE(rc != TIX_OK); /* the only real ticket is checked in */
    } else {
        FZ_REQUIRE(rc == TIX_EBADCODE || rc == TIX_EINVAL);
    }
    free(s);
    return 0;
}

void fuzz_make_seeds(const char *dir);
void fuzz_make_seeds(const char *dir)
{
    LLVMFuzzerInitialize(NULL, NULL);
    const char *c = fz.code;
    fz_seed(dir, "real", c, strlen(c));
    char v[128];
    size_t n = 0;
    for (size_t i = 0; c[i]; i++) {
        if (i && i % 4 == 0) v[n++] = '-';
        v[n++] = (char)(c[i] >= 'A' && c[i] <= 'Z' ? c[i] - 'A' + 'a' : c[i]);
    }
    fz_seed(dir, "lower-dashed", v, n);
    n = 0;
    for (size_t i = 0; c[i]; i++) {
        v[n++] = c[i] == '1' ? 'l' : c[i] == '0' ? 'O' : c[i];
        if (i % 7 == 6) v[n++] = ' ';
    }
    fz_seed(dir, "spaced-lookalikes", v, n);
    memcpy(v, c, 22);
    v[20] = v[20] == 'A' ? 'B' : 'A';
    fz_seed(dir, "bad-check", v, 21);
    memcpy(v, c, 22);
    char t = v[3];
    v[3] = v[4];
    v[4] = t;
    fz_seed(dir, "swapped", v, 21);
    fz_seed(dir, "short", c, 20);
    memcpy(v, c, 21);
    v[21] = '0';
    fz_seed(dir, "long", v, 22);
    fz_seed(dir, "bad-symbol", "ABCDEFGHJKMNPQRSTVWXU", 21);
}
