/* lib/sell/booking.c, lib/seats/commit.c, lib/sell/cancel.c, lib/catalog/ticket.c: confirm after
 * payment (blocking and async), idempotency, late confirm, cancel, tickets
 * and gate check-in, booking lists, outbox events. */
#include "db.h"
#include "tables.h"
#include "engine_fixture.h"
#include "outbox.h"
#include "commit.h"
#include <stdio.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

static size_t outbox_count(tix_db *db, uint8_t type)
{
    MDB_txn *txn;
    assert_ok(tix__db_read_begin(db, &txn));
    MDB_cursor *cur;
    assert_int_equal(mdb_cursor_open(txn, db->dbi[TIX_T_OUTBOX], &cur), 0);
    MDB_val k, v;
    size_t n = 0;
    for (int rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
         rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        tix__event ev;
        assert_ok(tix__outbox_decode(&v, &ev));
        if (ev.type == type) n++;
    }
    mdb_cursor_close(cur);
    tix__db_read_end(db, txn);
    return n;
}

static void confirm_books_seats_with_prices_and_tickets(void **state)
{
    fixture *f = *state;
    uint32_t seats[] = {0, 1, 150}; /* two Silver (row A), one Gold (row H) */
    tix_hold *h = fx_hold(f, seats, 3);
    tix_confirm_opts o = {.user_id = f->user, .payment_ref = "pay_001",
                          .seats_per_ticket = 2};
    tix_id bid;
    assert_ok(tix_hold_confirm(f->s.db, h, &o, &bid));
    assert_int_equal(fx_state(f, 0), TIX_SEAT_BOOKED);
    assert_int_equal(fx_state(f, 150), TIX_SEAT_BOOKED);
    assert_int_equal(fx_state(f, 2), TIX_SEAT_FREE);

    tix_booking *b;
    assert_ok(tix_booking_get(f->s.db, bid, &b));
    assert_int_equal(b->status, TIX_BOOKING_CONFIRMED);
    assert_int_equal(b->user_id, f->user);
    assert_int_equal(b->show_id, f->show);
    assert_string_equal(b->payment_ref, "pay_001");
    assert_string_equal(b->currency, "INR");
    assert_int_equal(b->n_seats, 3);
    assert_int_equal(b->seats[0].tier_id, f->c.tier_cheap);
    assert_true(b->seats[0].price_minor == 15000);
    assert_int_equal(b->seats[2].tier_id, f->c.tier_gold);
    assert_true(b->total_minor == 15000 + 15000 + 25000);
    assert_int_equal(b->n_tickets, 2); /* 2 seats + 1 seat */
    assert_int_equal(b->tickets[0].n_seats, 2);
    assert_int_equal(b->tickets[1].n_seats, 1);
    assert_int_equal(b->tickets[1].seats[0], 150);
    assert_int_equal(strlen(b->tickets[0].code), TIX_TICKET_CODE_LEN);
    assert_string_not_equal(b->tickets[0].code, b->tickets[1].code);
    char qr[256];
    assert_ok(tix_ticket_qr(b, 0, qr, sizeof qr));
    assert_non_null(strstr(qr, b->tickets[0].code));
    assert_int_equal(strncmp(qr, "tix1:", 5), 0);
    assert_code(tix_ticket_qr(b, 2, qr, sizeof qr), TIX_EINVAL);
    assert_code(tix_ticket_qr(b, 0, qr, 8), TIX_ETOOLONG);
    assert_int_equal(outbox_count(f->s.db, TIX_EVENT_BOOKED), 1);
    tix_booking_free(b);
    tix_hold_free(h);
}

static void same_payment_ref_returns_same_booking(void **state)
{
    fixture *f = *state;
    uint32_t seats[] = {5, 6};
    tix_hold *h = fx_hold(f, seats, 2);
    tix_confirm_opts o = {.user_id = f->user, .payment_ref = "pay_dup"};
    tix_id a, b, c;
    assert_ok(tix_hold_confirm(f->s.db, h, &o, &a));
    assert_ok(tix_hold_confirm(f->s.db, h, &o, &b)); /* gateway retried */
    assert_int_equal(a, b);
    /* The same reference on another hold is refused, names nothing, and
     * leaves the other hold's seats held, not booked. */
    uint32_t more[] = {7};
    tix_hold *h2 = fx_hold(f, more, 1);
    c = 0;
    assert_code(tix_hold_confirm(f->s.db, h2, &o, &c), TIX_EEXISTS);
    assert_int_equal(c, 0);
    assert_int_equal(fx_state(f, 7), TIX_SEAT_HELD);
    tix_booking_list *l;
    assert_ok(tix_booking_list_by_show(f->s.db, f->show, &l));
    assert_int_equal(l->count, 1);
    tix_booking_list_free(l);
    assert_int_equal(outbox_count(f->s.db, TIX_EVENT_BOOKED), 1);
    tix_booking *bk;
    assert_ok(tix_booking_find_payment(f->s.db, "pay_dup", &bk));
    assert_int_equal(bk->id, a);
    tix_booking_free(bk);
    assert_code(tix_booking_find_payment(f->s.db, "nope", &bk), TIX_ENOTFOUND);
    tix_hold_free(h);
    tix_hold_free(h2);
}

static void late_confirm_books_free_seats_only(void **state)
{
    fixture *f = *state;
    uint32_t seats[] = {10, 11};
    tix_hold_opts ho = {.ttl = 60};
    tix_hold *h;
    assert_ok(tix_hold_create(f->s.db, f->show, seats, 2, &ho, &h));
    tt_now += 120; /* hold ran out, seats still free: the callback is late */
    tix_confirm_opts o = {.user_id = f->user, .payment_ref = "late_ok"};
    tix_id bid;
    assert_ok(tix_hold_confirm(f->s.db, h, &o, &bid));
    assert_int_equal(fx_state(f, 10), TIX_SEAT_BOOKED);

    uint32_t s2[] = {12, 13};
    tix_hold *h2, *thief;
    assert_ok(tix_hold_create(f->s.db, f->show, s2, 2, &ho, &h2));
    tt_now += 120;
    uint32_t one[] = {13};
    assert_ok(tix_hold_create(f->s.db, f->show, one, 1, NULL, &thief));
    uint64_t before = tt_digest(f->s.db);
    tix_confirm_opts o2 = {.user_id = f->user, .payment_ref = "late_lost"};
    assert_code(tix_hold_confirm(f->s.db, h2, &o2, &bid), TIX_EEXPIRED);
    assert_true(tt_digest(f->s.db) == before); /* nothing booked */
    assert_int_equal(fx_state(f, 12), TIX_SEAT_FREE);
    assert_int_equal(fx_state(f, 13), TIX_SEAT_HELD);
    tix_hold_free(h);
    tix_hold_free(h2);
    tix_hold_free(thief);
}

/* A hold refused on its second seat must give its first seat back to the
 * run-out hold it took it from, so that hold can still be paid late. */
static void refused_hold_leaves_late_hold_payable(void **state)
{
    fixture *f = *state;
    uint32_t mine[] = {30}, other[] = {31}, both[] = {30, 31};
    tix_hold_opts ho = {.ttl = 60};
    tix_hold *h, *live, *refused = NULL;
    assert_ok(tix_hold_create(f->s.db, f->show, mine, 1, &ho, &h));
    tt_now += 120;
    assert_ok(tix_hold_create(f->s.db, f->show, other, 1, &ho, &live));
    assert_code(tix_hold_create(f->s.db, f->show, both, 2, &ho, &refused),
                TIX_ECONFLICT);
    assert_null(refused);
    tix_confirm_opts o = {.user_id = f->user, .payment_ref = "late_kept"};
    tix_id bid;
    assert_ok(tix_hold_confirm(f->s.db, h, &o, &bid));
    assert_int_equal(fx_state(f, 30), TIX_SEAT_BOOKED);
    assert_int_equal(fx_state(f, 31), TIX_SEAT_HELD);
    tix_hold_free(h);
    tix_hold_free(live);
}

static void confirm_rejects_foreign_hold_and_bad_input(void **state)
{
    fixture *f = *state;
    uint32_t seats[] = {20};
    tix_hold *h = fx_hold(f, seats, 1);
    char s[TIX_HOLD_STRING_MAX];
    assert_ok(tix_hold_to_string(h, s, sizeof s));
    tix_hold_release(f->s.db, h);
    tix_hold *other = fx_hold(f, seats, 1); /* someone else holds 20 now */
    tix_hold *stale;
    assert_ok(tix_hold_from_string(s, &stale));
    tix_id bid;
    uint64_t before = tt_digest(f->s.db);
    tix_confirm_opts o = {.user_id = f->user, .payment_ref = "p1"};
    assert_code(tix_hold_confirm(f->s.db, stale, &o, &bid), TIX_ECONFLICT);
    assert_non_null(strstr(tix_errmsg(), "seat B1 (index 20) of show"));
    tix_confirm_opts nouser = {.user_id = 999, .payment_ref = "p2"};
    assert_code(tix_hold_confirm(f->s.db, other, &nouser, &bid), TIX_ENOTFOUND);
    assert_int_equal(fx_state(f, 20), TIX_SEAT_HELD); /* failed confirm gave it back */
    tix_confirm_opts noref = {.user_id = f->user, .payment_ref = ""};
    assert_code(tix_hold_confirm(f->s.db, other, &noref, &bid), TIX_EINVAL);
    tix_confirm_opts zero = {.user_id = 0, .payment_ref = "p3"};
    assert_code(tix_hold_confirm(f->s.db, other, &zero, &bid), TIX_EINVAL);
    assert_code(tix_hold_confirm(f->s.db, other, NULL, &bid), TIX_EINVAL);
    assert_true(tt_digest(f->s.db) == before);
    assert_ok(tix_hold_confirm(f->s.db, other, &o, &bid));
    tix_hold_free(h);
    tix_hold_free(other);
    tix_hold_free(stale);
}

static void async_confirms_share_a_batch(void **state)
{
    fixture *f = *state;
    enum { N = 20 };
    tix_confirm *c[N];
    tix_hold *h[N];
    for (uint32_t i = 0; i < N; i++) {
        uint32_t seat = 40 + i;
        h[i] = fx_hold(f, &seat, 1);
        char ref[32];
        snprintf(ref, sizeof ref, "async-%u", i);
        tix_confirm_opts o = {.user_id = f->user, .payment_ref = ref};
        assert_ok(tix_confirm_submit(f->s.db, h[i], &o, &c[i]));
    }
    tix_id ids[N];
    for (int i = 0; i < N; i++) {
        int rc = tix_confirm_poll(c[i], &ids[i]);
        if (rc == TIX_EAGAIN) rc = tix_confirm_wait(c[i], 10000, &ids[i]);
        assert_ok(rc);
        for (int k = 0; k < i; k++) assert_true(ids[k] != ids[i]);
        tix_confirm_free(c[i]);
        tix_hold_free(h[i]);
    }
    tix_commit_stats st;
    assert_ok(tix_db_commit_stats(f->s.db, &st));
    assert_int_equal(st.confirms, N);
    assert_true(st.batches <= N && st.batches >= 1);
    assert_true(st.max_batch >= 1 && st.max_batch <= N);
    assert_code(tix_db_commit_stats(f->s.db, NULL), TIX_EINVAL);
    assert_int_equal(fx_state(f, 59), TIX_SEAT_BOOKED);
}

/* `test_booking --hold-write-lock DIR`: holds LMDB's write lock on the
 * store in DIR, says 'y' on stdout, and lets go when stdin becomes
 * readable or 10 s have passed (so a failed test cannot hang). A separate
 * program rather than a forked child, so that under valgrind the child is
 * not checked for the parent's memory it inherited. */
static int hold_write_lock_main(const char *dir)
{
    MDB_env *env;
    MDB_txn *txn;
    if (mdb_env_create(&env) != 0) return 1;
    int ok = mdb_env_set_maxdbs(env, 64) == 0 &&
             mdb_env_open(env, dir, MDB_NOTLS, 0600) == 0;
    int in_txn = ok && mdb_txn_begin(env, NULL, 0, &txn) == 0;
    char c = in_txn ? 'y' : 'n';
    struct pollfd p = {.fd = 0, .events = POLLIN};
    int waited = write(1, &c, 1) == 1 && poll(&p, 1, 10000) == 1;
    if (in_txn) mdb_txn_abort(txn);
    mdb_env_close(env);
    return in_txn && waited ? 0 : 1;
}

/* This program's path (argv[0]): /proc/self/exe would name valgrind's
 * tool under valgrind. */
static const char *self_path = "/proc/self/exe";

static pid_t hold_write_lock(const char *dir, int *release_fd)
{
    int ready[2], release[2];
    assert_int_equal(pipe(ready), 0);
    assert_int_equal(pipe(release), 0);
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        if (dup2(release[0], 0) < 0 || dup2(ready[1], 1) < 0) _exit(126);
        execl(self_path, "test_booking", "--hold-write-lock", dir, (char *)NULL);
        _exit(127);
    }
    close(ready[1]);
    close(release[0]);
    char c = 0;
    assert_int_equal(read(ready[0], &c, 1), 1);
    assert_int_equal(c, 'y');
    close(ready[0]);
    *release_fd = release[1];
    return pid;
}

static void confirm_wait_times_out_while_the_writer_is_busy(void **state)
{
    fixture *f = *state;
    int release;
    pid_t pid = hold_write_lock(f->s.dir, &release);
    uint32_t seat = 70;
    tix_hold *h = fx_hold(f, &seat, 1);
    tix_confirm_opts o = {.user_id = f->user, .payment_ref = "busy-writer"};
    tix_confirm *c;
    assert_ok(tix_confirm_submit(f->s.db, h, &o, &c));
    tix_id id = 0;
    /* The committer waits for the lock: the wait runs out, more than once,
     * and the confirm is still in flight. */
    assert_code(tix_confirm_wait(c, 50, &id), TIX_ETIMEDOUT);
    assert_non_null(strstr(tix_errmsg(), "in flight"));
    assert_code(tix_confirm_wait(c, 0, &id), TIX_ETIMEDOUT);
    assert_code(tix_confirm_poll(c, &id), TIX_EAGAIN);
    assert_int_equal(fx_state(f, seat), TIX_SEAT_CONFIRMING);
    char go = 'x';
    assert_int_equal(write(release, &go, 1), 1);
    close(release);
    assert_ok(tix_confirm_wait(c, -1, &id));
    assert_true(id > 0);
    assert_ok(tix_confirm_poll(c, &id)); /* done stays done */
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    assert_int_equal(fx_state(f, seat), TIX_SEAT_BOOKED);
    tix_confirm_free(c);
    tix_hold_free(h);
}

static void cancel_frees_seats_and_stops_tickets(void **state)
{
    fixture *f = *state;
    uint32_t seats[] = {30, 31};
    tix_hold *h = fx_hold(f, seats, 2);
    tix_confirm_opts o = {.user_id = f->user, .payment_ref = "to_cancel"};
    tix_id bid;
    assert_ok(tix_hold_confirm(f->s.db, h, &o, &bid));
    tix_booking *b;
    assert_ok(tix_booking_get(f->s.db, bid, &b));
    char code[TIX_TICKET_CODE_LEN + 1];
    strcpy(code, b->tickets[0].code);
    tix_booking_free(b);

    assert_ok(tix_booking_cancel(f->s.db, bid));
    assert_int_equal(fx_state(f, 30), TIX_SEAT_FREE);
    assert_code(tix_booking_cancel(f->s.db, bid), TIX_EALREADY);
    assert_code(tix_booking_cancel(f->s.db, 9999), TIX_ENOTFOUND);
    assert_ok(tix_booking_get(f->s.db, bid, &b));
    assert_int_equal(b->status, TIX_BOOKING_CANCELLED);
    assert_true(b->cancelled_at == tt_now);
    tix_booking_free(b);
    assert_code(tix_ticket_checkin(f->s.db, code, "Gate 1", NULL), TIX_ESTATE);
    assert_int_equal(outbox_count(f->s.db, TIX_EVENT_CANCELLED), 1);
    /* The seats sell again. */
    tix_hold *again = fx_hold(f, seats, 2);
    tix_confirm_opts o2 = {.user_id = f->user, .payment_ref = "resold"};
    assert_ok(tix_hold_confirm(f->s.db, again, &o2, &bid));
    tix_hold_free(h);
    tix_hold_free(again);
}

static void checkin_once_per_ticket(void **state)
{
    fixture *f = *state;
    uint32_t seats[] = {70, 71};
    tix_hold *h = fx_hold(f, seats, 2);
    tix_confirm_opts o = {.user_id = f->user, .payment_ref = "gate"};
    tix_id bid;
    assert_ok(tix_hold_confirm(f->s.db, h, &o, &bid));
    tix_booking *b;
    assert_ok(tix_booking_get(f->s.db, bid, &b));
    char code[TIX_TICKET_CODE_LEN + 1];
    strcpy(code, b->tickets[0].code);
    tix_booking_free(b);

    /* Lower case with dashes is the same code. */
    char typed[40];
    size_t k = 0;
    for (size_t i = 0; code[i]; i++) {
        if (i && i % 5 == 0) typed[k++] = '-';
        typed[k++] = (char)(code[i] >= 'A' && code[i] <= 'Z' ? code[i] + 32 : code[i]);
    }
    typed[k] = 0;
    tix_checkin ci;
    tt_now += 100;
    int64_t first = tt_now;
    assert_ok(tix_ticket_checkin(f->s.db, typed, "North Gate", &ci));
    assert_int_equal(ci.booking_id, bid);
    assert_int_equal(ci.n_seats, 2);
    tt_now += 100;
    assert_code(tix_ticket_checkin(f->s.db, code, "South Gate", &ci), TIX_EALREADY);
    assert_true(ci.checked_in_at == first);
    assert_string_equal(ci.gate, "North Gate");
    assert_ok(tix_booking_get(f->s.db, bid, &b));
    assert_true(b->tickets[0].checked_in_at == first);
    assert_string_equal(b->tickets[0].gate, "North Gate");
    tix_booking_free(b);
    assert_int_equal(outbox_count(f->s.db, TIX_EVENT_CHECKED_IN), 1);

    /* A wrong check symbol is rejected before any lookup; every single
     * symbol change is caught. */
    uint64_t before = tt_digest(f->s.db);
    const char *alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    for (size_t i = 0; i < TIX_TICKET_CODE_LEN; i++)
        for (const char *a = alphabet; *a; a++) {
            if (*a == code[i]) continue;
            char bad[TIX_TICKET_CODE_LEN + 1];
            strcpy(bad, code);
            bad[i] = *a;
            assert_int_equal(tix_ticket_checkin(f->s.db, bad, "G", NULL),
                             TIX_EBADCODE);
        }
    assert_code(tix_ticket_checkin(f->s.db, "SHORT", "G", NULL), TIX_EBADCODE);
    assert_code(tix_ticket_checkin(f->s.db, "UUUUUUUUUUUUUUUUUUUUU", "G", NULL),
                TIX_EBADCODE);
    assert_code(tix_ticket_checkin(f->s.db, code, "", NULL), TIX_EINVAL);
    assert_true(tt_digest(f->s.db) == before);
    tix_hold_free(h);
}

/* A ticket checked in means the customer was let in: no refund unless the
 * caller overrides, and the override is on the record. */
static void checked_in_booking_refunds_only_with_override(void **state)
{
    fixture *f = *state;
    tix_db *db = f->s.db;
    uint32_t seats[] = {40, 41};
    tix_hold *h = fx_hold(f, seats, 2);
    tix_confirm_opts o = {.user_id = f->user, .payment_ref = "let-in",
                          .seats_per_ticket = 1};
    tix_id bid;
    assert_ok(tix_hold_confirm(db, h, &o, &bid));
    tix_hold_free(h);
    tix_booking *b;
    assert_ok(tix_booking_get(db, bid, &b));
    assert_int_equal(b->n_tickets, 2);
    assert_ok(tix_ticket_checkin(db, b->tickets[1].code, "Gate 2", NULL));
    tix_booking_free(b);

    assert_rejected(db, tix_booking_cancel(db, bid), TIX_ECHECKEDIN, "Gate 2");
    assert_rejected(db, tix_booking_cancel_ex(db, bid, 0x2), TIX_EINVAL, "flags");
    assert_int_equal(fx_state(f, 40), TIX_SEAT_BOOKED);
    assert_int_equal(outbox_count(db, TIX_EVENT_CANCELLED), 0);
    assert_ok(tix_booking_cancel_ex(db, bid, TIX_CANCEL_AFTER_CHECKIN));
    assert_int_equal(fx_state(f, 40), TIX_SEAT_FREE);
    assert_ok(tix_booking_get(db, bid, &b));
    assert_int_equal(b->status, TIX_BOOKING_CANCELLED);
    assert_int_equal(b->cancelled_after_checkin, 1);
    tix_booking_free(b);
    assert_code(tix_booking_cancel_ex(db, bid, TIX_CANCEL_AFTER_CHECKIN),
                TIX_EALREADY);

    /* The flag on a booking nobody checked in changes nothing: the record
     * says what happened, not what was allowed. */
    uint32_t more[] = {42};
    h = fx_hold(f, more, 1);
    o.payment_ref = "never-came";
    assert_ok(tix_hold_confirm(db, h, &o, &bid));
    tix_hold_free(h);
    assert_ok(tix_booking_cancel_ex(db, bid, TIX_CANCEL_AFTER_CHECKIN));
    assert_ok(tix_booking_get(db, bid, &b));
    assert_int_equal(b->cancelled_after_checkin, 0);
    tix_booking_free(b);
}

static void bookings_by_user_and_show(void **state)
{
    fixture *f = *state;
    tix_user u2 = {.name = "Ravi", .email = "ravi@example.com"};
    tix_id other;
    assert_ok(tix_user_create(f->s.db, &u2, &other));
    for (uint32_t i = 0; i < 3; i++) {
        uint32_t seat = 100 + i;
        tix_hold *h = fx_hold(f, &seat, 1);
        char ref[16];
        snprintf(ref, sizeof ref, "r%u", i);
        tix_confirm_opts o = {.user_id = i == 1 ? other : f->user,
                              .payment_ref = ref};
        tix_id bid;
        assert_ok(tix_hold_confirm(f->s.db, h, &o, &bid));
        tix_hold_free(h);
    }
    tix_booking_list *l;
    assert_ok(tix_booking_list_by_user(f->s.db, f->user, &l));
    assert_int_equal(l->count, 2);
    assert_int_equal(l->items[0].seats[0].seat, 100);
    assert_int_equal(l->items[1].seats[0].seat, 102);
    tix_booking_list_free(l);
    assert_ok(tix_booking_list_by_show(f->s.db, f->show, &l));
    assert_int_equal(l->count, 3);
    tix_booking_list_free(l);
    assert_ok(tix_booking_list_by_user(f->s.db, 4242, &l));
    assert_int_equal(l->count, 0);
    tix_booking_list_free(l);
}

static void bookings_survive_reopen(void **state)
{
    fixture *f = *state;
    uint32_t seats[] = {90, 91};
    tix_hold *h = fx_hold(f, seats, 2);
    tix_confirm_opts o = {.user_id = f->user, .payment_ref = "durable"};
    tix_id bid;
    assert_ok(tix_hold_confirm(f->s.db, h, &o, &bid));
    tix_hold_free(h);
    tix_db_close(f->s.db);
    /* Delete seats.map: it must be rebuilt from LMDB. */
    char p[4096];
    snprintf(p, sizeof p, "%s/seats.map", f->s.dir);
    assert_int_equal(remove(p), 0);
    tix_config cfg;
    tt_config(&cfg);
    assert_ok(tix_db_open(f->s.dir, &cfg, &f->s.db));
    assert_int_equal(fx_state(f, 90), TIX_SEAT_BOOKED);
    assert_int_equal(fx_state(f, 92), TIX_SEAT_FREE);
    tix_avail *a;
    assert_ok(tix_show_availability(f->s.db, f->show, &a));
    assert_int_equal(a->all.booked, 2);
    tix_avail_free(a);
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--hold-write-lock") == 0)
        return hold_write_lock_main(argv[2]);
    if (argc > 0 && strchr(argv[0], '/')) self_path = argv[0];
#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)
    const struct CMUnitTest tests[] = {
        T(confirm_books_seats_with_prices_and_tickets),
        T(same_payment_ref_returns_same_booking),
        T(late_confirm_books_free_seats_only),
        T(refused_hold_leaves_late_hold_payable),
        T(confirm_rejects_foreign_hold_and_bad_input),
        T(async_confirms_share_a_batch),
        T(confirm_wait_times_out_while_the_writer_is_busy),
        T(cancel_frees_seats_and_stops_tickets),
        T(checkin_once_per_ticket),
        T(checked_in_booking_refunds_only_with_override),
        T(bookings_by_user_and_show),
        T(bookings_survive_reopen),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
