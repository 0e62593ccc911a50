/* lib/notify/outbox.c: events of bookings, cancels, check-ins and reviews with
 * what a worker needs; named consumers, at-least-once reads, acks, trim,
 * the blocking wait, version 1 events, reopen, and a crash (SIGKILL)
 * between confirm and ack in another process. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "db.h"
#include "tables.h"
#include "engine_fixture.h"
#include "outbox.h"

/* ---- helpers ------------------------------------------------------------ */

static tix_id book(fixture *f, const uint32_t *seats, size_t n,
                   const char *ref, uint32_t per_ticket)
{
    tix_hold *h = fx_hold(f, seats, n);
    tix_confirm_opts o = {.user_id = f->user, .payment_ref = ref,
                          .seats_per_ticket = per_ticket};
    tix_id bid;
    assert_ok(tix_hold_confirm(f->s.db, h, &o, &bid));
    tix_hold_free(h);
    return bid;
}

static tix_event_list *read_all(tix_db *db, const char *consumer)
{
    tix_event_list *l;
    assert_ok(tix_outbox_read(db, consumer, TIX_OUTBOX_READ_MAX, &l));
    return l;
}

static int64_t ms_since(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000;
}

static uint64_t consumer_acked(tix_db *db, const char *name)
{
    tix_consumer_list *l;
    assert_ok(tix_outbox_consumers(db, &l));
    uint64_t acked = UINT64_MAX;
    for (size_t i = 0; i < l->count; i++)
        if (strcmp(l->items[i].name, name) == 0) acked = l->items[i].acked;
    tix_consumer_list_free(l);
    assert_true(acked != UINT64_MAX);
    return acked;
}

/* ---- bad input ------------------------------------------------------------ */

static void consumer_names_and_bad_input(void **state)
{
    fixture *f = *state;
    tix_db *db = f->s.db;
    char name[TIX_CONSUMER_NAME_MAX + 2];
    memset(name, 'a', sizeof name);
    name[TIX_CONSUMER_NAME_MAX + 1] = '\0'; /* 65 bytes */
    assert_rejected(db, tix_outbox_register(db, name, 0), TIX_ETOOLONG,
                    "consumer name");
    name[TIX_CONSUMER_NAME_MAX] = '\0'; /* 64 bytes: the limit */
    assert_ok(tix_outbox_register(db, name, 0));
    assert_rejected(db, tix_outbox_register(db, "", 0), TIX_EINVAL, "empty");
    assert_rejected(db, tix_outbox_register(db, NULL, 0), TIX_EINVAL, NULL);
    assert_rejected(db, tix_outbox_register(db, "Email", 0), TIX_EINVAL, "0x45");
    assert_rejected(db, tix_outbox_register(db, "sms!", 0), TIX_EINVAL, "0x21");
    assert_rejected(db, tix_outbox_register(db, "wa app", 0), TIX_EINVAL, NULL);
    assert_rejected(db, tix_outbox_register(db, "caf\xc3\xa9", 0), TIX_EINVAL, NULL);
    assert_rejected(db, tix_outbox_register(db, "email", 0x80), TIX_EINVAL,
                    "flags");
    assert_ok(tix_outbox_register(db, "email", 0));
    assert_ok(tix_outbox_register(db, "push_v2-eu", 0));
    assert_rejected(db, tix_outbox_register(db, "email", 0), TIX_EEXISTS,
                    "email");
    assert_rejected(db, tix_outbox_register(NULL, "x", 0), TIX_EINVAL, NULL);

    /* Unknown consumers. */
    tix_event_list *l = (tix_event_list *)1;
    assert_rejected(db, tix_outbox_read(db, "sms", 10, &l), TIX_ENOTFOUND, "sms");
    assert_null(l);
    assert_rejected(db, tix_outbox_ack(db, "sms", 1), TIX_ENOTFOUND, "sms");
    assert_rejected(db, tix_outbox_unregister(db, "sms"), TIX_ENOTFOUND, "sms");
    assert_code(tix_outbox_wait(db, "sms", 0), TIX_ENOTFOUND);
    assert_rejected(db, tix_outbox_read(db, "email", 0, &l), TIX_ERANGE, "max");
    assert_rejected(db, tix_outbox_read(db, "email", TIX_OUTBOX_READ_MAX + 1, &l),
                    TIX_ERANGE, "max");
    assert_rejected(db, tix_outbox_read(db, "EMAIL", 1, &l), TIX_EINVAL, NULL);
    assert_code(tix_outbox_read(db, "email", 1, NULL), TIX_EINVAL);
    assert_code(tix_outbox_wait(db, "email", -2), TIX_EINVAL);
    assert_code(tix_outbox_wait(db, "e mail", 0), TIX_EINVAL);
    tix_event *ev = (tix_event *)1;
    assert_code(tix_outbox_get(db, 12345, &ev), TIX_ENOTFOUND);
    assert_null(ev);
    assert_code(tix_outbox_trim(NULL, NULL), TIX_EINVAL);

    /* Nothing happened yet: empty but allocated. */
    assert_ok(tix_outbox_read(db, "email", 10, &l));
    assert_int_equal(l->count, 0);
    tix_event_list_free(l);
    assert_code(tix_outbox_wait(db, "email", 0), TIX_ETIMEDOUT);

    tix_consumer_list *cl;
    assert_ok(tix_outbox_consumers(db, &cl));
    assert_int_equal(cl->count, 3); /* by name */
    assert_string_equal(cl->items[0].name, name);
    assert_string_equal(cl->items[1].name, "email");
    assert_string_equal(cl->items[2].name, "push_v2-eu");
    assert_true(cl->items[1].acked == 0 && cl->items[1].created_at == tt_now);
    tix_consumer_list_free(cl);
    assert_ok(tix_outbox_unregister(db, "push_v2-eu"));
    assert_ok(tix_outbox_consumers(db, &cl));
    assert_int_equal(cl->count, 2);
    tix_consumer_list_free(cl);
}

/* ---- what an event carries --------------------------------------------- */

static void booking_checkin_cancel_events_carry_details(void **state)
{
    fixture *f = *state;
    tix_db *db = f->s.db;
    assert_ok(tix_outbox_register(db, "email", 0));
    uint32_t seats[] = {0, 1, 150}; /* A1, A2 (Silver), H11 (Gold) */
    int64_t booked_at = tt_now;
    tix_id bid = book(f, seats, 3, "pay-ev", 2);
    tix_booking *b;
    assert_ok(tix_booking_get(db, bid, &b));

    tix_event_list *l = read_all(db, "email");
    assert_int_equal(l->count, 1);
    const tix_event *e = &l->items[0];
    assert_int_equal(e->type, TIX_EVENT_BOOKED);
    assert_int_equal(e->version, 4);
    assert_true(e->seq >= 1 && e->at == booked_at);
    assert_int_equal(e->booking_id, bid);
    assert_int_equal(e->user_id, f->user);
    assert_int_equal(e->show_id, f->show);
    assert_int_equal(e->movie_id, f->c.movie);
    assert_int_equal(e->review_id, 0);
    assert_string_equal(e->user_name, "Asha");
    assert_string_equal(e->user_email, "asha@example.com");
    assert_string_equal(e->user_phone, "+919800000001");
    assert_string_equal(e->movie_title, "Test Movie");
    assert_true(e->show_start == booked_at + 86400);
    assert_string_equal(e->venue_name, "PVR Orion Mall");
    assert_string_equal(e->venue_address, "Dr Rajkumar Rd, Rajajinagar");
    assert_string_equal(e->screen_name, "Audi 1");
    assert_true(e->total_minor == 55000);
    assert_string_equal(e->currency, "INR");
    assert_int_equal(e->n_seats, 3);
    assert_int_equal(e->seats[0].seat, 0);
    assert_string_equal(e->seats[0].row, "A");
    assert_int_equal(e->seats[0].number, 1);
    assert_string_equal(e->seats[1].row, "A");
    assert_int_equal(e->seats[1].number, 2);
    assert_string_equal(e->seats[2].row, "H");
    assert_int_equal(e->seats[2].number, 11);
    assert_int_equal(e->n_tickets, 2);
    for (size_t i = 0; i < 2; i++) {
        char qr[256];
        assert_ok(tix_ticket_qr(b, i, qr, sizeof qr));
        assert_string_equal(e->tickets[i].code, b->tickets[i].code);
        assert_string_equal(e->tickets[i].qr, qr);
    }
    assert_string_equal(e->gate, "");
    /* tt_now is 2026-01-01T00:00Z; the show a day later, in Bengaluru's
     * fixed +05:30 (the fixture city has no time zone). */
    assert_string_equal(e->show_local, "2026-01-02T05:30:00+05:30");
    assert_int_equal(e->after_checkin, 0);
    uint64_t booked_seq = e->seq;
    tix_event_list_free(l);

    /* The same event by sequence number. */
    tix_event *one;
    assert_ok(tix_outbox_get(db, booked_seq, &one));
    assert_int_equal(one->booking_id, bid);
    assert_string_equal(one->tickets[1].code, b->tickets[1].code);
    tix_event_free(one);
    assert_ok(tix_outbox_ack(db, "email", booked_seq));

    /* Check-in: the one ticket and its seats, the gate. */
    tt_now += 60;
    assert_ok(tix_ticket_checkin(db, b->tickets[1].code, "Gate 3", NULL));
    l = read_all(db, "email");
    assert_int_equal(l->count, 1);
    e = &l->items[0];
    assert_int_equal(e->type, TIX_EVENT_CHECKED_IN);
    assert_true(e->at == tt_now);
    assert_string_equal(e->gate, "Gate 3");
    assert_int_equal(e->n_tickets, 1);
    assert_string_equal(e->tickets[0].code, b->tickets[1].code);
    assert_string_equal(e->tickets[0].qr + strlen(e->tickets[0].qr) - 4, ":150");
    assert_int_equal(e->n_seats, 1);
    assert_string_equal(e->seats[0].row, "H");
    assert_string_equal(e->user_email, "asha@example.com");
    assert_ok(tix_outbox_ack(db, "email", e->seq));
    tix_event_list_free(l);

    /* A checked-in booking refunds only with the override, which the
     * event then carries. */
    assert_rejected(db, tix_booking_cancel(db, bid), TIX_ECHECKEDIN, "Gate 3");
    assert_ok(tix_booking_cancel_ex(db, bid, TIX_CANCEL_AFTER_CHECKIN));
    l = read_all(db, "email");
    assert_int_equal(l->count, 1);
    e = &l->items[0];
    assert_int_equal(e->type, TIX_EVENT_CANCELLED);
    assert_int_equal(e->after_checkin, 1);
    assert_int_equal(e->n_tickets, 2);
    assert_int_equal(e->n_seats, 3);
    assert_true(e->total_minor == 55000);
    assert_string_equal(e->venue_name, "PVR Orion Mall");
    tix_event_list_free(l);
    tix_booking_free(b);
}

/* A review event is appended by the reviews module with ids only. */
static int review_write(tix_db *db, MDB_txn *txn, void *arg)
{
    fixture *f = arg;
    tix__event ev = {.type = TIX_EVENT_REVIEWED, .at = tt_now,
                     .user_id = f->user, .movie_id = f->c.movie,
                     .review_id = 77};
    return tix__outbox_append(db, txn, &ev, NULL);
}

static int review_of_missing_user(tix_db *db, MDB_txn *txn, void *arg)
{
    fixture *f = arg;
    tix__event ev = {.type = TIX_EVENT_REVIEWED, .at = tt_now,
                     .user_id = 4242, .movie_id = f->c.movie, .review_id = 1};
    return tix__outbox_append(db, txn, &ev, NULL);
}

static void review_events_carry_contact_and_title(void **state)
{
    fixture *f = *state;
    tix_db *db = f->s.db;
    assert_ok(tix_outbox_register(db, "email", 0));
    assert_ok(tix__db_write(db, review_write, f));
    tix_event_list *l = read_all(db, "email");
    assert_int_equal(l->count, 1);
    const tix_event *e = &l->items[0];
    assert_int_equal(e->type, TIX_EVENT_REVIEWED);
    assert_int_equal(e->review_id, 77);
    assert_int_equal(e->movie_id, f->c.movie);
    assert_string_equal(e->movie_title, "Test Movie");
    assert_string_equal(e->user_name, "Asha");
    assert_int_equal(e->show_id, 0);
    assert_string_equal(e->venue_name, "");
    assert_int_equal(e->n_seats, 0);
    assert_non_null(e->seats);
    assert_int_equal(e->n_tickets, 0);
    assert_string_equal(e->currency, "");
    tix_event_list_free(l);
    /* A dangling id fails the write and appends nothing. */
    assert_rejected(db, tix__db_write(db, review_of_missing_user, f), TIX_ENOTFOUND,
                    "user");
}

/* ---- at least once, acks, independence ---------------------------------- */

static void reads_are_at_least_once_until_acked(void **state)
{
    fixture *f = *state;
    tix_db *db = f->s.db;
    assert_ok(tix_outbox_register(db, "email", 0));
    tix_id ids[3];
    for (uint32_t i = 0; i < 3; i++) {
        char ref[16];
        snprintf(ref, sizeof ref, "alo-%u", i);
        uint32_t seat = 20 + i;
        ids[i] = book(f, &seat, 1, ref, 0);
    }
    /* A confirm that fails commits nothing, so no event. */
    uint32_t seat = 30;
    tix_hold *h = fx_hold(f, &seat, 1);
    tix_confirm_opts bad = {.user_id = 999, .payment_ref = "nobody"};
    tix_id bid;
    assert_code(tix_hold_confirm(db, h, &bad, &bid), TIX_ENOTFOUND);
    tix_hold_free(h);

    tix_event_list *a, *b;
    assert_ok(tix_outbox_read(db, "email", 2, &a));
    assert_ok(tix_outbox_read(db, "email", 2, &b)); /* not acked: again */
    assert_int_equal(a->count, 2);
    assert_int_equal(b->count, 2);
    for (int i = 0; i < 2; i++) {
        assert_true(a->items[i].seq == b->items[i].seq);
        assert_int_equal(a->items[i].booking_id, ids[i]);
    }
    assert_true(a->items[0].seq < a->items[1].seq);
    uint64_t s1 = a->items[0].seq, s2 = a->items[1].seq;
    tix_event_list_free(a);
    tix_event_list_free(b);

    assert_ok(tix_outbox_ack(db, "email", s1));
    tix_event_list *l = read_all(db, "email");
    assert_int_equal(l->count, 2);
    assert_int_equal(l->items[0].booking_id, ids[1]);
    assert_int_equal(l->items[1].booking_id, ids[2]);
    uint64_t s3 = l->items[1].seq;
    tix_event_list_free(l);

    /* Old, repeated and zero acks change nothing; beyond the end is an
     * error that changes nothing either. */
    uint64_t before = tt_digest(db);
    assert_ok(tix_outbox_ack(db, "email", s1));
    assert_ok(tix_outbox_ack(db, "email", 0));
    assert_true(tt_digest(db) == before);
    assert_rejected(db, tix_outbox_ack(db, "email", s3 + 1), TIX_ERANGE, "beyond");
    assert_rejected(db, tix_outbox_ack(db, "email", UINT64_MAX), TIX_ERANGE, NULL);
    assert_true(consumer_acked(db, "email") == s1);

    tt_now += 5;
    assert_ok(tix_outbox_ack(db, "email", s3)); /* acks s2 too */
    (void)s2;
    l = read_all(db, "email");
    assert_int_equal(l->count, 0);
    tix_event_list_free(l);
    tix_consumer_list *cl;
    assert_ok(tix_outbox_consumers(db, &cl));
    assert_true(cl->items[0].acked == s3 && cl->items[0].acked_at == tt_now);
    tix_consumer_list_free(cl);
}

static void consumers_are_independent(void **state)
{
    fixture *f = *state;
    tix_db *db = f->s.db;
    assert_ok(tix_outbox_register(db, "email", 0));
    uint32_t s0 = 40, s1 = 41, s2 = 42;
    book(f, &s0, 1, "ind-0", 0);
    /* A consumer registered now sees events already stored by default ... */
    assert_ok(tix_outbox_register(db, "sms", 0));
    /* ... or only what comes next. */
    assert_ok(tix_outbox_register(db, "whatsapp", TIX_CONSUMER_FROM_END));
    tix_id b1 = book(f, &s1, 1, "ind-1", 0);

    tix_event_list *e = read_all(db, "email"), *s = read_all(db, "sms"),
                   *w = read_all(db, "whatsapp");
    assert_int_equal(e->count, 2);
    assert_int_equal(s->count, 2);
    assert_int_equal(w->count, 1);
    assert_int_equal(w->items[0].booking_id, b1);
    assert_ok(tix_outbox_ack(db, "email", e->items[1].seq));
    tix_event_list_free(e);
    tix_event_list_free(s);
    tix_event_list_free(w);

    /* email is done; sms and whatsapp still see theirs. */
    book(f, &s2, 1, "ind-2", 0);
    e = read_all(db, "email");
    s = read_all(db, "sms");
    w = read_all(db, "whatsapp");
    assert_int_equal(e->count, 1);
    assert_int_equal(s->count, 3);
    assert_int_equal(w->count, 2);
    tix_event_list_free(e);
    tix_event_list_free(s);
    tix_event_list_free(w);
    /* A consumer that returns later starts over from what is retained. */
    assert_ok(tix_outbox_unregister(db, "sms"));
    assert_ok(tix_outbox_register(db, "sms", 0));
    s = read_all(db, "sms");
    assert_int_equal(s->count, 3);
    tix_event_list_free(s);
}

/* ---- trim ----------------------------------------------------------------- */

struct many {
    int n;
    fixture *f;
};

static int many_write(tix_db *db, MDB_txn *txn, void *arg)
{
    struct many *m = arg;
    for (int i = 0; i < m->n; i++) {
        int rc = review_write(db, txn, m->f);
        if (rc) return rc;
    }
    return TIX_OK;
}

static void trim_deletes_what_every_consumer_acked(void **state)
{
    fixture *f = *state;
    tix_db *db = f->s.db;
    struct many m = {3, f};
    assert_ok(tix__db_write(db, many_write, &m));
    uint64_t removed = 99;
    /* Nobody registered: nothing goes. */
    assert_ok(tix_outbox_trim(db, &removed));
    assert_int_equal(removed, 0);

    assert_ok(tix_outbox_register(db, "email", 0));
    assert_ok(tix_outbox_register(db, "sms", 0));
    tix_event_list *l = read_all(db, "email");
    assert_int_equal(l->count, 3);
    uint64_t first = l->items[0].seq, last = l->items[2].seq;
    tix_event_list_free(l);
    assert_ok(tix_outbox_ack(db, "email", last));
    assert_ok(tix_outbox_ack(db, "sms", first));
    assert_ok(tix_outbox_trim(db, &removed));
    assert_int_equal(removed, 1);
    tix_event *ev;
    assert_code(tix_outbox_get(db, first, &ev), TIX_ENOTFOUND);
    l = read_all(db, "sms");
    assert_int_equal(l->count, 2); /* sms still has its two */
    tix_event_list_free(l);
    assert_ok(tix_outbox_trim(db, &removed));
    assert_int_equal(removed, 0);
    /* Without sms, everything email acked goes; acks still work after. */
    assert_ok(tix_outbox_unregister(db, "sms"));
    assert_ok(tix_outbox_trim(db, NULL));
    assert_code(tix_outbox_get(db, last, &ev), TIX_ENOTFOUND);
    assert_ok(tix_outbox_ack(db, "email", last));
    assert_rejected(db, tix_outbox_ack(db, "email", last + 1), TIX_ERANGE, NULL);

    /* More than one trim transaction's worth. */
    m.n = 2500;
    assert_ok(tix__db_write(db, many_write, &m));
    assert_ok(tix_outbox_register(db, "late", TIX_CONSUMER_FROM_END));
    uint64_t acked = 0;
    for (;;) {
        assert_ok(tix_outbox_read(db, "email", TIX_OUTBOX_READ_MAX, &l));
        size_t n = l->count;
        if (n) acked = l->items[n - 1].seq;
        if (n) assert_ok(tix_outbox_ack(db, "email", acked));
        tix_event_list_free(l);
        if (!n) break;
    }
    assert_true(acked == last + 2500);
    assert_ok(tix_outbox_trim(db, &removed));
    assert_int_equal(removed, 2500);
    l = read_all(db, "email");
    assert_int_equal(l->count, 0);
    tix_event_list_free(l);
}

/* ---- wait ----------------------------------------------------------------- */

struct later {
    fixture *f;
    tix_hold *h;
    int delay_ms;
    int rc;
};

static void *confirm_later(void *arg)
{
    struct later *a = arg;
    struct timespec ts = {0, (long)a->delay_ms * 1000000L};
    nanosleep(&ts, NULL);
    tix_confirm_opts o = {.user_id = a->f->user, .payment_ref = "waited"};
    tix_id bid;
    a->rc = tix_hold_confirm(a->f->s.db, a->h, &o, &bid);
    return NULL;
}

static void wait_wakes_on_commit_and_times_out(void **state)
{
    fixture *f = *state;
    tix_db *db = f->s.db;
    assert_ok(tix_outbox_register(db, "email", 0));
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_code(tix_outbox_wait(db, "email", 0), TIX_ETIMEDOUT);
    assert_code(tix_outbox_wait(db, "email", 120), TIX_ETIMEDOUT);
    int64_t waited = ms_since(&t0);
    assert_true(waited >= 110 && waited < 5000);

    /* Another thread commits a booking while we wait. */
    uint32_t seat = 60;
    struct later a = {f, fx_hold(f, &seat, 1), 150, -1};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, confirm_later, &a), 0);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_ok(tix_outbox_wait(db, "email", 10000));
    waited = ms_since(&t0);
    pthread_join(th, NULL);
    assert_ok(a.rc);
    assert_true(waited >= 100 && waited < 5000);
    /* Ready until acked. */
    assert_ok(tix_outbox_wait(db, "email", 0));
    assert_ok(tix_outbox_wait(db, "email", -1));
    tix_event_list *l = read_all(db, "email");
    assert_int_equal(l->count, 1);
    assert_ok(tix_outbox_ack(db, "email", l->items[0].seq));
    tix_event_list_free(l);
    assert_code(tix_outbox_wait(db, "email", 10), TIX_ETIMEDOUT);
    tix_hold_free(a.h);
}

/* ---- versions, reopen ----------------------------------------------------- */

static int put_v1_event(tix_db *db, MDB_txn *txn, void *arg)
{
    fixture *f = arg;
    tix_id id;
    int rc = tix__db_next_id(db, txn, TIX_T_OUTBOX, &id);
    if (rc) return rc;
    const char *codes[] = {"0123456789ABCDEFGHJK0"};
    tix_enc e;
    tix__enc_init(&e, TIX_REC_EVENT, 1);
    tix__enc_u8(&e, TIX_EVENT_CHECKED_IN);
    tix__enc_i64(&e, 1700000000);
    tix__enc_u64(&e, 5);
    tix__enc_u64(&e, f->user);
    tix__enc_u64(&e, f->show);
    tix__enc_u32(&e, 2);
    tix__enc_u32(&e, 7);
    tix__enc_u32(&e, 8);
    tix__enc_strlist(&e, codes, 1);
    tix__enc_str(&e, "North");
    rc = tix__enc_finish(&e);
    if (rc == 0) rc = tix__db_put_id(db, txn, TIX_T_OUTBOX, id, &e, "event");
    tix__enc_free(&e);
    return rc;
}

static void version_1_events_still_read(void **state)
{
    fixture *f = *state;
    tix_db *db = f->s.db;
    assert_ok(tix_outbox_register(db, "email", 0));
    assert_ok(tix__db_write(db, put_v1_event, f));
    tix_event_list *l = read_all(db, "email");
    assert_int_equal(l->count, 1);
    const tix_event *e = &l->items[0];
    assert_int_equal(e->version, 1);
    assert_int_equal(e->type, TIX_EVENT_CHECKED_IN);
    assert_int_equal(e->booking_id, 5);
    assert_int_equal(e->user_id, f->user);
    assert_int_equal(e->n_seats, 2);
    assert_int_equal(e->seats[1].seat, 8);
    assert_string_equal(e->seats[1].row, "");
    assert_int_equal(e->n_tickets, 1);
    assert_string_equal(e->tickets[0].code, "0123456789ABCDEFGHJK0");
    assert_string_equal(e->tickets[0].qr, "");
    assert_string_equal(e->gate, "North");
    assert_string_equal(e->user_name, "");
    assert_int_equal(e->movie_id, 0);
    /* The internal decoder reads both versions. */
    MDB_txn *txn;
    assert_ok(tix__db_read_begin(db, &txn));
    uint8_t key[8];
    tix__be64_put(key, e->seq);
    MDB_val v;
    assert_ok(tix__db_get(db, txn, TIX_T_OUTBOX, key, 8, &v, "event"));
    tix__event iev;
    assert_ok(tix__outbox_decode(&v, &iev));
    assert_int_equal(iev.type, TIX_EVENT_CHECKED_IN);
    assert_int_equal(iev.n_codes, 1);
    tix__db_read_end(db, txn);
    tix_event_list_free(l);
}

static void events_and_cursors_survive_reopen(void **state)
{
    fixture *f = *state;
    assert_ok(tix_outbox_register(f->s.db, "email", 0));
    uint32_t s0 = 80, s1 = 81;
    book(f, &s0, 1, "reopen-0", 0);
    tix_id b1 = book(f, &s1, 1, "reopen-1", 0);
    tix_event_list *l = read_all(f->s.db, "email");
    assert_ok(tix_outbox_ack(f->s.db, "email", l->items[0].seq));
    tix_event_list_free(l);
    tix_db_close(f->s.db);
    tix_config cfg;
    tt_config(&cfg);
    assert_ok(tix_db_open(f->s.dir, &cfg, &f->s.db));
    l = read_all(f->s.db, "email");
    assert_int_equal(l->count, 1);
    assert_int_equal(l->items[0].booking_id, b1);
    assert_string_equal(l->items[0].movie_title, "Test Movie");
    tix_event_list_free(l);
    /* A read-only handle reads but cannot ack. */
    tix_db_close(f->s.db);
    cfg.flags = TIX_OPEN_READONLY;
    assert_ok(tix_db_open(f->s.dir, &cfg, &f->s.db));
    l = read_all(f->s.db, "email");
    assert_int_equal(l->count, 1);
    assert_code(tix_outbox_ack(f->s.db, "email", l->items[0].seq), TIX_EPERM);
    assert_code(tix_outbox_register(f->s.db, "sms", 0), TIX_EPERM);
    tix_event_list_free(l);
}

/* ---- crash between confirm and ack ----------------------------------------- */

#define CRASH_SEATS 200

/* The child: confirms one booking after another with full durability,
 * reports each id on @p fd once its confirm returned, and plays an e-mail
 * worker that always lags one booking behind: it acks every event except
 * the newest booking's. So when it dies there is always a booking whose
 * event was not acknowledged. */
static void crash_child(const char *dir, tix_id show, tix_id user, int fd)
{
    tix_config cfg;
    tt_config(&cfg);
    cfg.durability = TIX_SYNC_FULL;
    tix_db *db;
    if (tix_db_open(dir, &cfg, &db)) _exit(2);
    for (uint32_t seat = 0; seat < CRASH_SEATS; seat++) {
        tix_hold *h;
        if (tix_hold_create(db, show, &seat, 1, NULL, &h)) _exit(3);
        char ref[32];
        snprintf(ref, sizeof ref, "crash-%d-%u", (int)getpid(), seat);
        tix_confirm_opts o = {.user_id = user, .payment_ref = ref};
        tix_id bid;
        if (tix_hold_confirm(db, h, &o, &bid)) _exit(4);
        tix_hold_free(h);
        if (write(fd, &bid, sizeof bid) != sizeof bid) _exit(5);
        tix_event_list *l;
        if (tix_outbox_read(db, "email", TIX_OUTBOX_READ_MAX, &l)) _exit(6);
        uint64_t upto = 0;
        for (size_t i = 0; i < l->count; i++)
            if (l->items[i].booking_id != bid) upto = l->items[i].seq;
        tix_event_list_free(l);
        if (upto && tix_outbox_ack(db, "email", upto)) _exit(7);
    }
    tix_db_close(db);
    _exit(0);
}

static void crash_between_confirm_and_ack_loses_nothing(void **state)
{
    fixture *f = *state;
    assert_ok(tix_outbox_register(f->s.db, "email", 0));
    assert_ok(tix_outbox_register(f->s.db, "audit", 0));
    tix_db_close(f->s.db); /* a store is never shared across fork */
    f->s.db = NULL;

    unsigned seed = (unsigned)time(NULL) ^ (unsigned)getpid();
    for (int round = 0; round < 3; round++) {
        int fds[2];
        assert_int_equal(pipe(fds), 0);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            close(fds[0]);
            crash_child(f->s.dir, f->show, f->user, fds[1]);
        }
        close(fds[1]);
        /* Kill after a few reports, at a varying point of the child's
         * confirm / read / ack cycle. */
        unsigned kill_after = 3 + (seed + (unsigned)round * 7919u) % 12;
        tix_id reported[CRASH_SEATS];
        size_t n = 0;
        ssize_t got;
        while (n < kill_after &&
               (got = read(fds[0], &reported[n], sizeof(tix_id))) == sizeof(tix_id))
            n++;
        struct timespec ts = {0, (long)((seed >> 4) % 3000) * 1000L};
        nanosleep(&ts, NULL);
        kill(pid, SIGKILL);
        int status;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFSIGNALED(status) || (WIFEXITED(status) && WEXITSTATUS(status) == 0));
        /* Whatever the child reported before it died counts too. */
        while (n < CRASH_SEATS &&
               (got = read(fds[0], &reported[n], sizeof(tix_id))) == sizeof(tix_id))
            n++;
        close(fds[0]);
        assert_true(n >= kill_after);

        tix_config cfg;
        tt_config(&cfg);
        assert_ok(tix_db_open(f->s.dir, &cfg, &f->s.db));
        tix_db *db = f->s.db;

        /* Every event names a committed booking, once; every booking has
         * its event (audit never acks, so it sees all of them). */
        tix_event_list *audit = read_all(db, "audit");
        tix_booking_list *bl;
        assert_ok(tix_booking_list_by_show(db, f->show, &bl));
        size_t live = 0; /* earlier rounds' bookings are cancelled */
        for (size_t i = 0; i < bl->count; i++) {
            if (bl->items[i].status != TIX_BOOKING_CONFIRMED) continue;
            assert_true(live < audit->count);
            const tix_event *e = &audit->items[live++];
            assert_int_equal(e->type, TIX_EVENT_BOOKED);
            assert_int_equal(e->booking_id, bl->items[i].id);
            assert_int_equal(e->seats[0].seat, bl->items[i].seats[0].seat);
        }
        assert_int_equal(live, audit->count);
        /* Every reported booking is there (none lost) ... */
        for (size_t r = 0; r < n; r++) {
            size_t i = 0;
            while (i < audit->count && audit->items[i].booking_id != reported[r]) i++;
            assert_true(i < audit->count);
        }
        /* ... and each one the e-mail worker had not acked is delivered
         * again, the last reported one certainly. */
        uint64_t acked = consumer_acked(db, "email");
        tix_event_list *mail = read_all(db, "email");
        size_t pending = 0;
        for (size_t i = 0; i < audit->count; i++) {
            if (audit->items[i].seq <= acked) continue;
            assert_true(pending < mail->count);
            assert_true(mail->items[pending].seq == audit->items[i].seq);
            pending++;
        }
        assert_int_equal(pending, mail->count);
        assert_true(mail->count >= 1);
        tix_id last = reported[n - 1];
        int found = 0;
        for (size_t i = 0; i < mail->count; i++)
            found |= mail->items[i].booking_id == last;
        assert_true(found);
        /* Read again without ack: the same again (at least once). */
        tix_event_list *again = read_all(db, "email");
        assert_int_equal(again->count, mail->count);
        assert_true(again->items[0].seq == mail->items[0].seq);
        tix_event_list_free(again);
        /* The worker catches up, as a restarted one would. */
        assert_ok(tix_outbox_ack(db, "email", mail->items[mail->count - 1].seq));
        assert_ok(tix_outbox_ack(db, "audit", audit->items[audit->count - 1].seq));
        tix_event_list_free(mail);
        tix_event_list_free(audit);
        tix_booking_list_free(bl);
        /* The next round's child starts at seat 0 again: free the seats. */
        assert_ok(tix_booking_list_by_show(db, f->show, &bl));
        for (size_t i = 0; i < bl->count; i++)
            if (bl->items[i].status == TIX_BOOKING_CONFIRMED)
                assert_ok(tix_booking_cancel(db, bl->items[i].id));
        tix_booking_list_free(bl);
        tix_event_list *cancels = read_all(db, "email");
        if (cancels->count)
            assert_ok(tix_outbox_ack(db, "email",
                                     cancels->items[cancels->count - 1].seq));
        tix_event_list_free(cancels);
        cancels = read_all(db, "audit");
        if (cancels->count)
            assert_ok(tix_outbox_ack(db, "audit",
                                     cancels->items[cancels->count - 1].seq));
        tix_event_list_free(cancels);
        assert_ok(tix_outbox_trim(db, NULL));
        tix_db_close(db);
        f->s.db = NULL;
        tt_now += 3600; /* the killed child's last hold runs out */
    }
    tix_config cfg;
    tt_config(&cfg);
    assert_ok(tix_db_open(f->s.dir, &cfg, &f->s.db));
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)
    const struct CMUnitTest tests[] = {
        T(consumer_names_and_bad_input),
        T(booking_checkin_cancel_events_carry_details),
        T(review_events_carry_contact_and_title),
        T(reads_are_at_least_once_until_acked),
        T(consumers_are_independent),
        T(trim_deletes_what_every_consumer_acked),
        T(wait_wakes_on_commit_and_times_out),
        T(version_1_events_still_read),
        T(events_and_cursors_survive_reopen),
        T(crash_between_confirm_and_ack_loses_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
