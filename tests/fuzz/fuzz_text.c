/* Fuzz target: the other text a caller hands libtix to parse -- the
 * review page cursor, title search queries (UTF-8 folding), e-mail
 * addresses, offer codes (lookup and price quote) and hold request keys.
 * The first byte picks the entry, the rest is the text. Every call
 * returns a TIX code; a cursor the library itself returned parses again.
 * Seeds: real cursors, queries in several scripts, addresses, codes. */
#include "fuzz_common.h"

enum { T_CURSOR, T_SEARCH, T_EMAIL, T_OFFER, T_REQUEST_KEY, T__COUNT };

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
    if (size < 1) return 0;
    if (!fz.db) LLVMFuzzerInitialize(NULL, NULL);
    char *s = malloc(size);
    memcpy(s, data + 1, size - 1);
    s[size - 1] = '\0';
    tix_db *db = fz.db;
    int rc;
    switch (data[0] % T__COUNT) {
    case T_CURSOR: {
        tix_review_list *l;
        char next[TIX_REVIEW_CURSOR_MAX];
        tix_review_order order = (tix_review_order)(size & 1);
        FZ_CODE(rc = tix_review_list_by_movie(db, fz.movie, order, s, 1, &l, next));
        tix_review_list_free(l);
        if (rc == TIX_OK && next[0]) {
            FZ_CODE(rc = tix_review_list_by_movie(db, fz.movie, order, next, 1,
                                                  &l, next));
            FZ_REQUIRE(rc == TIX_OK);
            tix_review_list_free(l);
        }
        break;
    }
    case T_SEARCH: {
        tix_search_result *r;
        tix_search_opts o = {.limit = 5};
        FZ_CODE(rc = tix_movie_search(db, s, &o, &r));
        if (rc == TIX_OK)
            for (size_t i = 0; i < r->count; i++) (void)strlen(r->items[i].title);
        tix_search_result_free(r);
        break;
    }
    case T_EMAIL: {
        tix_user *u;
        FZ_CODE(tix_user_find_email(db, s, &u));
        tix_user_free(u);
        break;
    }
    case T_OFFER: {
        tix_offer *o;
        FZ_CODE(tix_offer_find_code(db, s, &o));
        tix_offer_free(o);
        uint32_t seats[] = {5, 6};
        tix_quote *q;
        FZ_CODE(tix_price_quote(db, fz.show, seats, 2, s, fz.user, &q));
        tix_quote_free(q);
        break;
    }
    case T_REQUEST_KEY: {
        uint32_t seat = 9;
        tix_hold_opts o = {.request_key = s};
        tix_hold *h;
        FZ_CODE(rc = tix_hold_create(db, fz.show, &seat, 1, &o, &h));
        if (rc == TIX_OK) {
            FZ_OK(tix_hold_release(db, h));
            tix_hold_free(h);
        }
        break;
    }
    }
    free(s);
    return 0;
}

static void seed(const char *dir, const char *name, int which, const char *text)
{
    size_t n = strlen(text);
    char *b = malloc(n + 1);
    b[0] = (char)which;
    memcpy(b + 1, text, n);
    fz_seed(dir, name, b, n + 1);
    free(b);
}

void fuzz_make_seeds(const char *dir);
void fuzz_make_seeds(const char *dir)
{
    LLVMFuzzerInitialize(NULL, NULL);
    /* a second review so the first page has a next cursor */
    tix_review r = {.movie_id = fz.movie, .user_id = fz.user2, .rating = 6};
    FZ_OK(tix_review_create(fz.db, &r, NULL));
    for (int order = 0; order < 2; order++) {
        tix_review_list *l;
        char next[TIX_REVIEW_CURSOR_MAX];
        FZ_OK(tix_review_list_by_movie(fz.db, fz.movie, (tix_review_order)order,
                                       NULL, 1, &l, next));
        tix_review_list_free(l);
        char name[32];
        snprintf(name, sizeof name, "cursor-%d", order);
        /* the order comes from the input length: keep it matching */
        if ((strlen(next) + 1) % 2 != (size_t)order) strcat(next, "");
        seed(dir, name, T_CURSOR, next);
    }
    seed(dir, "search-latin", T_SEARCH, "vikram ved");
    seed(dir, "search-accents", T_SEARCH, "Vikràm Védhâ l'été");
    seed(dir, "search-greek", T_SEARCH, "\xce\x9a\xce\xb1\xce\xbb\xce\xb7");
    seed(dir, "search-tamil", T_SEARCH, "\xe0\xae\xb5\xe0\xae\xbf\xe0\xae\x95");
    seed(dir, "search-bad-utf8", T_SEARCH, "vik\xc3\x28ram");
    seed(dir, "email", T_EMAIL, "KUMAR@example.com");
    seed(dir, "email-bad", T_EMAIL, "kumar@@example");
    seed(dir, "offer", T_OFFER, "first10");
    seed(dir, "offer-bad", T_OFFER, "FIRST 10!");
    seed(dir, "request-key", T_REQUEST_KEY, "order-4711/click-2");
}
