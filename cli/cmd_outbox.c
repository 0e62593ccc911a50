/* outbox: tail (read events as a named consumer, acknowledging them with
 * --ack),
 * consumers, trim, unregister. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli.h"

static const char outbox_help[] =
    "usage: tix outbox tail [--consumer NAME] [--max N] [--follow]\n"
    "                       [--timeout MS] [--ack] [--from-end]\n"
    "       tix outbox consumers\n"
    "       tix outbox unregister NAME\n"
    "       tix outbox trim\n"
    "\n"
    "tail reads the notification outbox (bookings, cancels, check-ins,\n"
    "reviews, shows called off) as consumer NAME (default \"tix-cli\"; registered on first use,\n"
    "from the oldest retained event unless --from-end), prints each event\n"
    "(one JSON object per line with --json). Reading changes nothing: the\n"
    "same events come again until a tail with --ack acknowledges them, so\n"
    "the next tail continues after them (a worker acks what it delivered;\n"
    "delivery is at least once).\n"
    "\n"
    "  --max N       at most N events (default 100; with --follow, no limit)\n"
    "  --follow      keep waiting for new events (stop with Ctrl-C, or after\n"
    "                --timeout MS without one)\n"
    "\n"
    "consumers lists consumers and their cursors; unregister removes one;\n"
    "trim deletes the events every consumer acknowledged.\n";

static const char *type_name(tix_event_type t)
{
    switch (t) {
    case TIX_EVENT_BOOKED: return "booked";
    case TIX_EVENT_CANCELLED: return "cancelled";
    case TIX_EVENT_CHECKED_IN: return "checked_in";
    case TIX_EVENT_REVIEWED: return "reviewed";
    case TIX_EVENT_SHOW_CANCELLED: return "show_cancelled";
    case TIX_EVENT_RESCHEDULED: return "rescheduled";
    default: return "unknown";
    }
}

static json_t *event_json(const tix_event *e)
{
    json_t *seats = json_array(), *tickets = json_array();
    for (size_t i = 0; i < e->n_seats; i++)
        json_array_append_new(seats, json_pack("{s:i, s:s, s:i}", "index",
                                               (int)e->seats[i].seat, "row",
                                               e->seats[i].row, "number",
                                               (int)e->seats[i].number));
    for (size_t i = 0; i < e->n_tickets; i++)
        json_array_append_new(tickets, json_pack("{s:s, s:s}", "code",
                                                 e->tickets[i].code, "qr",
                                                 e->tickets[i].qr));
    char at[48];
    char total[48] = "";
    if (e->currency[0]) cli_price(total, e->total_minor, e->currency);
    json_t *o = json_pack(
        "{s:I, s:s, s:i, s:I, s:s, s:I, s:I, s:I, s:I, s:I, s:s, s:s, s:s, "
        "s:s, s:I, s:s, s:s, s:s, s:s, s:I, s:s, s:s, s:o, s:o, s:s, s:b}",
        "seq", (json_int_t)e->seq, "type", type_name(e->type), "version",
        (int)e->version, "at", (json_int_t)e->at, "at_utc", cli_iso(at, e->at),
        "booking_id", (json_int_t)e->booking_id, "user_id",
        (json_int_t)e->user_id, "show_id", (json_int_t)e->show_id, "movie_id",
        (json_int_t)e->movie_id, "review_id", (json_int_t)e->review_id,
        "user_name", e->user_name, "user_email", e->user_email, "user_phone",
        e->user_phone, "movie_title", e->movie_title, "show_start",
        (json_int_t)e->show_start, "show_local", e->show_local,
        "venue_name", e->venue_name,
        "venue_address", e->venue_address, "screen_name", e->screen_name,
        "total_minor", (json_int_t)e->total_minor, "currency", e->currency,
        "total", total, "seats", seats, "tickets", tickets, "gate", e->gate,
        "after_checkin", e->after_checkin);
    if (o && e->type == TIX_EVENT_RESCHEDULED) {
        char was[48];
        json_object_set_new(o, "old_start", json_integer(e->old_start));
        json_object_set_new(o, "old_start_utc",
                            json_string(cli_iso(was, e->old_start)));
    }
    return o;
}

static void event_text(const tix_event *e)
{
    char at[48];
    printf("#%llu %s %s", (unsigned long long)e->seq, cli_iso(at, e->at),
           type_name(e->type));
    if (e->booking_id) printf(" booking %llu", (unsigned long long)e->booking_id);
    if (e->user_email && *e->user_email) printf(" <%s>", e->user_email);
    if (e->movie_title && *e->movie_title) printf(" \"%s\"", e->movie_title);
    if (e->venue_name && *e->venue_name)
        printf(" at %s %s", e->venue_name, e->screen_name);
    if (e->show_local && *e->show_local) printf(" on %s", e->show_local);
    if (e->n_seats) {
        printf(" seats");
        for (size_t i = 0; i < e->n_seats; i++) {
            if (e->seats[i].row && *e->seats[i].row)
                printf(" %s%u", e->seats[i].row, e->seats[i].number);
            else
                printf(" @%u", e->seats[i].seat);
        }
    }
    if (e->n_tickets) {
        printf(" tickets");
        for (size_t i = 0; i < e->n_tickets; i++) printf(" %s", e->tickets[i].code);
    }
    if (e->gate && *e->gate)
        printf(e->type == TIX_EVENT_SHOW_CANCELLED ? " reason %s" : " gate %s",
               e->gate);
    if (e->total_minor) {
        char p[48];
        printf(" %s", cli_price(p, e->total_minor, e->currency));
    }
    if (e->after_checkin) printf(" (refunded after check-in)");
    putchar('\n');
}

static volatile sig_atomic_t stop;
static void on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

static int tail(cli *c, cli_opt *opts)
{
    const char *name = opts[0].set ? opts[0].val : "tix-cli";
    uint32_t max = 100, timeout = 0;
    int rc;
    if (opts[1].set && (rc = cli_parse_u32(c, "outbox", "--max", opts[1].val, &max)))
        return rc;
    if (opts[3].set &&
        (rc = cli_parse_u32(c, "outbox", "--timeout", opts[3].val, &timeout)))
        return rc;
    int follow = opts[2].set, ack = opts[4].set;
    if (!opts[1].set && follow) max = UINT32_MAX;
    if ((rc = cli_open(c, 0))) return rc;
    int trc = tix_outbox_register(c->db, name, opts[5].set ? TIX_CONSUMER_FROM_END : 0);
    if (trc && trc != TIX_EEXISTS) return cli_fail(c, trc, "consumer %s", name);
    if (follow) {
        signal(SIGINT, on_signal);
        signal(SIGTERM, on_signal);
    }
    uint64_t seen = 0, last = 0;
    while (!stop && seen < max) {
        size_t want = max - seen < TIX_OUTBOX_READ_MAX ? (size_t)(max - seen)
                                                       : TIX_OUTBOX_READ_MAX;
        tix_event_list *l;
        trc = tix_outbox_read(c->db, name, want, &l);
        if (trc) return cli_fail(c, trc, "cannot read the outbox");
        /* Without acknowledging, a second read returns the same events:
         * skip those already printed. */
        size_t printed = 0;
        for (size_t i = 0; i < l->count; i++) {
            if (l->items[i].seq <= last) continue;
            if (c->json) {
                json_t *o = event_json(&l->items[i]);
                json_dumpf(o, stdout, JSON_COMPACT | JSON_ENSURE_ASCII);
                fputc('\n', stdout);
                json_decref(o);
            } else {
                event_text(&l->items[i]);
            }
            last = l->items[i].seq;
            printed++;
        }
        fflush(stdout);
        seen += printed;
        if (ack && l->count) {
            trc = tix_outbox_ack(c->db, name, l->items[l->count - 1].seq);
            if (trc) {
                tix_event_list_free(l);
                return cli_fail(c, trc, "cannot acknowledge");
            }
        }
        size_t got = l->count;
        tix_event_list_free(l);
        if (printed && got == want) continue;
        if (!follow) break;
        trc = tix_outbox_wait(c->db, name, timeout ? (int)timeout : 500);
        if (trc == TIX_ETIMEDOUT && timeout) break;
        if (trc && trc != TIX_ETIMEDOUT) return cli_fail(c, trc, "outbox wait");
        if (!ack && trc == TIX_OK && printed == 0) {
            /* Without acks the cursor stays put, so wait returns at once:
             * poll instead. */
            struct timespec ts = {0, 200 * 1000 * 1000};
            nanosleep(&ts, NULL);
        }
    }
    if (!c->json && seen == 0) fprintf(stderr, "no new events for %s\n", name);
    return EX_OK;
}

int cmd_outbox(cli *c, int argc, char **argv)
{
    cli_opt opts[] = {OPT("consumer", 'c', 1), OPT("max", 'n', 1), OPT("follow", 'f', 0),
                      OPT("timeout", 0, 1),    OPT("ack", 0, 0), OPT("from-end", 0, 0),
                      {0}};
    const char *pos[3];
    int np, rc = cli_parse(c, "outbox", outbox_help, argc, argv, opts, pos, &np, 2);
    if (rc) return rc;
    if (np < 1) return cli_usage(c, "outbox", "give tail, consumers, unregister or trim");
    if (!strcmp(pos[0], "tail")) return tail(c, opts);
    if (!strcmp(pos[0], "consumers")) {
        if ((rc = cli_open(c, 0))) return rc;
        tix_consumer_list *l;
        int trc = tix_outbox_consumers(c->db, &l);
        if (trc) return cli_fail(c, trc, "cannot list consumers");
        json_t *a = json_array();
        for (size_t i = 0; i < l->count; i++) {
            const tix_consumer *k = &l->items[i];
            if (c->json)
                json_array_append_new(a, json_pack("{s:s, s:I, s:I, s:I}", "name",
                                                   k->name, "acked",
                                                   (json_int_t)k->acked,
                                                   "created_at",
                                                   (json_int_t)k->created_at,
                                                   "acked_at",
                                                   (json_int_t)k->acked_at));
            else
                printf("%-24s acked up to #%llu\n", k->name,
                       (unsigned long long)k->acked);
        }
        tix_consumer_list_free(l);
        cli_emit(c, json_pack("{s:o}", "consumers", a));
        return EX_OK;
    }
    if (!strcmp(pos[0], "unregister")) {
        if (np != 2) return cli_usage(c, "outbox", "unregister needs a name");
        if ((rc = cli_open(c, 0))) return rc;
        int trc = tix_outbox_unregister(c->db, pos[1]);
        if (trc) return cli_fail(c, trc, "cannot unregister %s", pos[1]);
        if (!c->json) printf("unregistered %s\n", pos[1]);
        cli_emit(c, json_pack("{s:s}", "unregistered", pos[1]));
        return EX_OK;
    }
    if (!strcmp(pos[0], "trim")) {
        if ((rc = cli_open(c, 0))) return rc;
        uint64_t removed = 0;
        int trc = tix_outbox_trim(c->db, &removed);
        if (trc) return cli_fail(c, trc, "cannot trim the outbox");
        if (!c->json) printf("trimmed %llu events\n", (unsigned long long)removed);
        cli_emit(c, json_pack("{s:I}", "removed", (json_int_t)removed));
        return EX_OK;
    }
    return cli_usage(c, "outbox", "unknown subcommand '%s'", pos[0]);
}
