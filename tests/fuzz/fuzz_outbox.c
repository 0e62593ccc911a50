/* Fuzz target: the outbox event decoder. The input is an event record:
 * decoded directly (tix__outbox_decode, the ids-and-counts walk), then
 * stored as an event and read back whole through tix_outbox_get() and
 * through a consumer's tix_outbox_read(), which copy every string, seat
 * label, ticket code and QR payload into one block. Any bytes give a TIX
 * code; every length field is checked against the value (ASan) and a
 * decoded event has NUL-terminated strings and ticket codes.
 * Seeds: the real events of a populated store (booked, checked in,
 * reviewed) and a version 1 event. */
#include "fuzz_common.h"
#include "tables.h"

#include "codec.h"
#include "outbox.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fz_store_open();
    /* consumer "fzo" sits just before the fuzzed event */
    static int done;
    if (!done) {
        uint8_t ev[] = {TIX_REC_EVENT, 1, TIX_EVENT_BOOKED, 0, 0, 0, 0, 0, 0, 0,
                        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
        fz_put_id(TIX_T_OUTBOX, FZ_ID, ev, sizeof ev);
        FZ_OK(tix_outbox_register(fz.db, "fzo", 0));
        FZ_OK(tix_outbox_ack(fz.db, "fzo", FZ_ID - 1));
        done = 1;
    }
    return 0;
}

static void check_event(const tix_event *e)
{
    const char *s[] = {e->user_name, e->user_email, e->user_phone,
                       e->movie_title, e->venue_name, e->venue_address,
                       e->screen_name, e->gate};
    for (size_t i = 0; i < sizeof s / sizeof *s; i++) {
        FZ_REQUIRE(s[i]);
        (void)strlen(s[i]);
    }
    for (size_t i = 0; i < e->n_seats; i++) (void)strlen(e->seats[i].row);
    for (size_t i = 0; i < e->n_tickets; i++) {
        /* at most the code's length (a damaged record may hold a NUL) */
        FZ_REQUIRE(strlen(e->tickets[i].code) <= TIX_TICKET_CODE_LEN);
        (void)strlen(e->tickets[i].qr);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!fz.db) LLVMFuzzerInitialize(NULL, NULL);
    MDB_val v = {size, (void *)data};
    tix__event ev;
    FZ_CODE(tix__outbox_decode(&v, &ev));
    fz_put_id(TIX_T_OUTBOX, FZ_ID, data, size);
    tix_event *e;
    int rc = tix_outbox_get(fz.db, FZ_ID, &e);
    FZ_CODE(rc);
    if (rc == TIX_OK) {
        FZ_REQUIRE(e->seq == FZ_ID);
        check_event(e);
        tix_event_free(e);
    }
    tix_event_list *l;
    rc = tix_outbox_read(fz.db, "fzo", 2, &l);
    FZ_CODE(rc);
    if (rc == TIX_OK) {
        for (size_t i = 0; i < l->count; i++) check_event(&l->items[i]);
        tix_event_list_free(l);
    }
    return 0;
}

void fuzz_make_seeds(const char *dir);
void fuzz_make_seeds(const char *dir)
{
    LLVMFuzzerInitialize(NULL, NULL);
    /* events 1 (booked), 2 (checked in), 3 (reviewed) of the store */
    for (tix_id seq = 1; seq <= 3; seq++) {
        size_t len;
        uint8_t *val = fz_get_id(TIX_T_OUTBOX, seq, &len);
        char name[32];
        snprintf(name, sizeof name, "event-%llu", (unsigned long long)seq);
        fz_seed(dir, name, val, len);
        free(val);
    }
    /* version 1: u8 type | i64 at | u64 booking, user, show |
     * u32 n { u32 seat } | strlist codes | str gate */
    tix_enc e;
    tix__enc_init(&e, TIX_REC_EVENT, 1);
    tix__enc_u8(&e, TIX_EVENT_CHECKED_IN);
    tix__enc_i64(&e, fz_now);
    tix__enc_u64(&e, fz.booking);
    tix__enc_u64(&e, fz.user);
    tix__enc_u64(&e, fz.show);
    tix__enc_u32(&e, 2);
    tix__enc_u32(&e, 0);
    tix__enc_u32(&e, 1);
    const char *codes[] = {fz.code};
    tix__enc_strlist(&e, codes, 1);
    tix__enc_str(&e, "Gate 1");
    FZ_OK(tix__enc_finish(&e));
    fz_seed(dir, "event-v1", e.buf, e.len);
    tix__enc_free(&e);
}
