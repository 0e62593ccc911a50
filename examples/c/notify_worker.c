/*
 * notify_worker: a notification worker draining the libtix outbox.
 *
 *   notify_worker [store-dir] [mail-dir]
 *       (defaults ./notify-store and ./notify-mail)
 *
 * A "box office" thread sells tickets (bookings, a check-in, a cancel)
 * while the worker thread, registered as consumer "email", waits on the
 * outbox, renders one e-mail per event into mail-dir/<seq>.eml and
 * acknowledges it. Delivery is at least once, so the worker makes sending
 * idempotent on the event's sequence number (an existing file is not sent
 * again). To show that, the worker "crashes" once: it renders a batch and
 * does not acknowledge it; after the restart it reads the same events
 * again and skips them. A second consumer, "sms", reads the same events
 * independently. At the end the outbox is trimmed.
 *
 * Exits 0 when every event was sent exactly once per consumer.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "tix.h"

static tix_db *db;
static const char *mail_dir;

static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("notify_worker: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}

#define CHECK(call)                                                          \
    do {                                                                     \
        int rc_ = (call);                                                    \
        if (rc_ != TIX_OK)                                                   \
            die("%s: %s: %s", #call, tix_strerror(rc_), tix_errmsg());       \
    } while (0)

/* ------------------------------------------------------------------------ */
/* The box office: sells while the worker runs                               */

#define N_BOOKINGS 4
static tix_id g_show, g_user;
static _Atomic int g_sales_done;
static int g_events_made; /* bookings + check-in + cancel */

static void setup(void)
{
    tix_id in, mh, city, venue, screen, tier, movie;
    CHECK(tix_place_create(db, &(tix_place){.kind = TIX_PLACE_COUNTRY, .name = "India"}, &in));
    CHECK(tix_place_create(db, &(tix_place){.kind = TIX_PLACE_STATE, .parent_id = in,
                                            .name = "Maharashtra"}, &mh));
    CHECK(tix_place_create(db, &(tix_place){.kind = TIX_PLACE_CITY, .parent_id = mh,
                                            .name = "Pune", .utc_offset_min = 330}, &city));
    CHECK(tix_venue_create(db, &(tix_venue){.city_id = city, .name = "Deccan Talkies",
                                            .address = "FC Road, Pune 411004",
                                            .lat = 18.52, .lon = 73.84}, &venue));
    CHECK(tix_screen_create(db, &(tix_screen){.venue_id = venue, .name = "Screen 2"}, &screen));
    CHECK(tix_tier_create(db, &(tix_tier){.screen_id = screen, .name = "Balcony",
                                          .price_minor = 30000, .currency = "INR"}, &tier));
    tix_seat_spec seats[20];
    for (int i = 0; i < 20; i++)
        seats[i] = (tix_seat_spec){.number = (uint32_t)i + 1, .x = i, .tier_id = tier};
    CHECK(tix_seats_add_rows(db, screen, &(tix_row_spec){"K", seats, 20}, 1, NULL));
    CHECK(tix_movie_create(db, &(tix_movie){.title = "Orbit 9", .duration_min = 165}, &movie));
    CHECK(tix_show_create(db, &(tix_show){.movie_id = movie, .screen_id = screen,
                                          .start = tix_db_now(db) + 86400}, &g_show));
    CHECK(tix_user_create(db, &(tix_user){.name = "Asha Rao", .email = "asha@example.com",
                                          .phone = "+919800000001"}, &g_user));
}

static void *box_office(void *arg)
{
    (void)arg;
    tix_id first = 0;
    for (int i = 0; i < N_BOOKINGS; i++) {
        tix_hold *h;
        CHECK(tix_hold_best(db, g_show, 2, NULL, &h));
        char ref[32];
        snprintf(ref, sizeof ref, "pay_%d", i);
        tix_id b;
        CHECK(tix_hold_confirm(db, h, &(tix_confirm_opts){.user_id = g_user,
                                                           .payment_ref = ref}, &b));
        tix_hold_free(h);
        if (!first) first = b;
        struct timespec ts = {0, 20 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    tix_booking *b;
    CHECK(tix_booking_get(db, first, &b));
    CHECK(tix_ticket_checkin(db, b->tickets[0].code, "North Gate", NULL));
    tix_booking_free(b);
    CHECK(tix_booking_cancel(db, first + 1));
    g_events_made = N_BOOKINGS + 2;
    g_sales_done = 1;
    return NULL;
}

/* ------------------------------------------------------------------------ */
/* The worker                                                                */

static const char *subject(const tix_event *e)
{
    switch (e->type) {
    case TIX_EVENT_BOOKED: return "Your tickets";
    case TIX_EVENT_CANCELLED: return "Your booking was cancelled";
    case TIX_EVENT_CHECKED_IN: return "Enjoy the show";
    default: return "News from the box office";
    }
}

/* Sends one e-mail: idempotent on the event's sequence number. Returns 1
 * when sent now, 0 when it had been sent before. */
static int send_email(const char *consumer, const tix_event *e)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s-%06llu.eml", mail_dir, consumer,
             (unsigned long long)e->seq);
    if (access(path, F_OK) == 0) return 0; /* delivered before a crash */
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f) die("%s: %s", tmp, strerror(errno));
    fprintf(f, "To: %s <%s>\nSubject: %s: %s\n\n", e->user_name, e->user_email,
            subject(e), e->movie_title);
    fprintf(f, "%s, %s\n", e->venue_name, e->screen_name);
    for (size_t i = 0; i < e->n_seats; i++)
        fprintf(f, "  seat %s%u\n", e->seats[i].row, e->seats[i].number);
    for (size_t i = 0; i < e->n_tickets; i++)
        fprintf(f, "  ticket %s  (QR %s)\n", e->tickets[i].code, e->tickets[i].qr);
    if (e->gate && *e->gate) fprintf(f, "  checked in at %s\n", e->gate);
    if (e->show_local && *e->show_local) fprintf(f, "  show %s\n", e->show_local);
    char amount[TIX_MONEY_TEXT_MAX];
    if (e->total_minor &&
        tix_money_format(e->total_minor, e->currency, amount, sizeof amount) == TIX_OK)
        fprintf(f, "  amount %s\n", amount);
    if (e->after_checkin) fprintf(f, "  refunded after check-in\n");
    if (fclose(f) != 0 || rename(tmp, path) != 0) die("%s: %s", path, strerror(errno));
    return 1;
}

typedef struct worker {
    const char *name;
    int crash_once;
    int sent, skipped;
} worker;

static void *run_worker(void *arg)
{
    worker *w = arg;
    int crashed = 0;
    for (;;) {
        int rc = tix_outbox_wait(db, w->name, 200);
        if (rc == TIX_ETIMEDOUT) {
            if (g_sales_done) {
                /* One more look: the last event may have landed just now. */
                tix_event_list *l;
                CHECK(tix_outbox_read(db, w->name, 1, &l));
                size_t n = l->count;
                tix_event_list_free(l);
                if (n == 0) break;
            }
            continue;
        }
        CHECK(rc);
        tix_event_list *l;
        CHECK(tix_outbox_read(db, w->name, 3, &l));
        for (size_t i = 0; i < l->count; i++) {
            if (send_email(w->name, &l->items[i])) w->sent++;
            else w->skipped++;
        }
        uint64_t last = l->count ? l->items[l->count - 1].seq : 0;
        tix_event_list_free(l);
        if (w->crash_once && !crashed && last) {
            /* Died after sending, before the ack: these come back. */
            crashed = 1;
            printf("  [%s] crash before acknowledging up to #%llu\n", w->name,
                   (unsigned long long)last);
            continue;
        }
        if (last) CHECK(tix_outbox_ack(db, w->name, last));
    }
    return NULL;
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "notify-store";
    mail_dir = argc > 2 ? argv[2] : "notify-mail";
    char cmd[8300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s' '%s'", dir, mail_dir);
    if (system(cmd) != 0) die("cannot clean %s, %s", dir, mail_dir);
    if (mkdir(mail_dir, 0755) != 0) die("%s: %s", mail_dir, strerror(errno));
    tix_config cfg;
    tix_config_init(&cfg);
    cfg.durability = TIX_SYNC_NOMETA;
    CHECK(tix_db_open(dir, &cfg, &db));
    setup();
    /* Register before selling: a consumer reads from the oldest event
     * still stored, so nothing sold from now on is missed. */
    CHECK(tix_outbox_register(db, "email", 0));
    CHECK(tix_outbox_register(db, "sms", 0));

    worker email = {"email", 1, 0, 0}, sms = {"sms", 0, 0, 0};
    pthread_t t_sell, t_email, t_sms;
    if (pthread_create(&t_email, NULL, run_worker, &email) ||
        pthread_create(&t_sms, NULL, run_worker, &sms) ||
        pthread_create(&t_sell, NULL, box_office, NULL))
        die("cannot start threads");
    pthread_join(t_sell, NULL);
    pthread_join(t_email, NULL);
    pthread_join(t_sms, NULL);

    printf("events made %d; email sent %d (skipped %d already sent), sms sent %d\n",
           g_events_made, email.sent, email.skipped, sms.sent);
    if (email.sent != g_events_made || sms.sent != g_events_made)
        die("every event must be sent exactly once per consumer");
    if (email.skipped == 0) die("the crash should have replayed some events");

    tix_consumer_list *cl;
    CHECK(tix_outbox_consumers(db, &cl));
    for (size_t i = 0; i < cl->count; i++)
        printf("  consumer %-6s acknowledged up to #%llu\n", cl->items[i].name,
               (unsigned long long)cl->items[i].acked);
    tix_consumer_list_free(cl);
    uint64_t removed = 0;
    CHECK(tix_outbox_trim(db, &removed));
    printf("trimmed %llu events every consumer acknowledged\n",
           (unsigned long long)removed);
    if (removed != (uint64_t)g_events_made) die("expected %d trimmed", g_events_made);
    snprintf(cmd, sizeof cmd, "%s/email-000001.eml", mail_dir);
    FILE *f = fopen(cmd, "r");
    if (!f) die("no e-mail for event 1");
    char line[512];
    printf("\n--- %s ---\n", cmd);
    while (fgets(line, sizeof line, f)) fputs(line, stdout);
    fclose(f);
    tix_db_close(db);
    printf("\nnotify_worker: ok\n");
    return 0;
}
