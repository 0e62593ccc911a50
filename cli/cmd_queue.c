/* queue: a show's waiting room (set, show, remove, join, status, admit). */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char queue_help[] =
    "usage: tix queue set SHOW --onsale TIME --capacity N [--rate R]\n"
    "                     [--window SECONDS]\n"
    "       tix queue show SHOW\n"
    "       tix queue remove SHOW\n"
    "       tix queue join SHOW\n"
    "       tix queue status TICKET\n"
    "       tix queue admit SHOW N\n"
    "\n"
    "A waiting room in front of a show's on-sale. Whoever joins before\n"
    "--onsale is shuffled at that moment (arriving early buys no place);\n"
    "later arrivals queue behind, in order. From on-sale, R places a second\n"
    "are admitted (0: only `tix queue admit`), and a hold on the show needs\n"
    "an admitted ticket (`tix hold --queue-ticket T`, or --box-office).\n"
    "\n"
    "  --onsale TIME   Unix seconds or YYYY-MM-DDTHH:MM[:SS] with Z or +HH:MM\n"
    "  --capacity N    most tickets the queue issues\n"
    "  --rate R        admissions a second from on-sale (default 0)\n"
    "  --window S      seconds an admitted ticket may hold from its first\n"
    "                  hold (default 0: no limit)\n"
    "\n"
    "join prints a new ticket; status says where a ticket stands (exit 4\n"
    "for a ticket the store did not issue); admit lets N more places in\n"
    "now, say as seats free up.\n";

static int queue_set(cli *c, tix_id show, cli_opt *opts)
{
    cli_opt *on = cli_find(opts, "onsale"), *cap = cli_find(opts, "capacity"),
            *rate = cli_find(opts, "rate"), *win = cli_find(opts, "window");
    if (!on->set || !cap->set)
        return cli_usage(c, "queue", "set needs --onsale and --capacity");
    tix_queue_config q = {0};
    int zoned, rc;
    if (cli_parse_time(on->val, &q.onsale, &zoned) || !zoned)
        return cli_usage(c, "queue", "--onsale '%s': give Unix seconds or "
                         "YYYY-MM-DDTHH:MM[:SS] with Z or +HH:MM", on->val);
    if ((rc = cli_parse_u32(c, "queue", "--capacity", cap->val, &q.capacity)) ||
        (rate->set && (rc = cli_parse_u32(c, "queue", "--rate", rate->val, &q.rate))) ||
        (win->set && (rc = cli_parse_u32(c, "queue", "--window", win->val, &q.window))))
        return rc;
    if ((rc = cli_open(c, 0))) return rc;
    int trc = tix_queue_set(c->db, show, &q);
    if (trc) return cli_fail(c, trc, "cannot set the waiting room of show %llu",
                             (unsigned long long)show);
    if (!c->json) printf("show %llu sells through its waiting room\n",
                         (unsigned long long)show);
    cli_emit(c, json_pack("{s:I}", "show_id", (json_int_t)show));
    return EX_OK;
}

static int queue_show(cli *c, tix_id show)
{
    int rc = cli_open(c, 0);
    if (rc) return rc;
    tix_queue_info q;
    int trc = tix_queue_get(c->db, show, &q);
    if (trc) return cli_fail(c, trc, "waiting room of show %llu",
                             (unsigned long long)show);
    char on[48];
    if (!c->json)
        printf("show %llu: on-sale %s, %u/s, window %u s; %llu of %u joined, "
               "%llu shuffled, %llu admitted\n", (unsigned long long)show,
               cli_iso(on, q.config.onsale), q.config.rate, q.config.window,
               (unsigned long long)q.joined, q.config.capacity,
               (unsigned long long)q.prequeue, (unsigned long long)q.admitted);
    cli_emit(c, json_pack("{s:I, s:I, s:s, s:i, s:i, s:i, s:I, s:I, s:I, s:b}",
                          "show_id", (json_int_t)show, "onsale",
                          (json_int_t)q.config.onsale, "onsale_utc",
                          cli_iso(on, q.config.onsale), "rate", q.config.rate,
                          "capacity", q.config.capacity, "window",
                          q.config.window, "joined", (json_int_t)q.joined,
                          "prequeue", (json_int_t)q.prequeue, "admitted",
                          (json_int_t)q.admitted, "shuffled", q.shuffled));
    return EX_OK;
}

static const char *state_name(tix_queue_state s)
{
    switch (s) {
    case TIX_QUEUE_PREQUEUE: return "prequeue";
    case TIX_QUEUE_WAITING: return "waiting";
    case TIX_QUEUE_ADMITTED: return "admitted";
    default: return "expired";
    }
}

static int queue_status(cli *c, const char *ticket)
{
    int rc = cli_open(c, 0);
    if (rc) return rc;
    tix_queue_place p;
    int trc = tix_queue_status(c->db, ticket, &p);
    if (trc) return cli_fail(c, trc, "queue ticket");
    if (!c->json) {
        printf("%s", state_name(p.state));
        if (p.state == TIX_QUEUE_PREQUEUE)
            printf(": the sale opens in %lld s", (long long)p.wait);
        else if (p.state == TIX_QUEUE_WAITING)
            printf(": place %llu, %llu ahead", (unsigned long long)p.position,
                   (unsigned long long)p.ahead);
        if (p.state == TIX_QUEUE_WAITING && p.wait >= 0)
            printf(", about %lld s", (long long)p.wait);
        else if (p.state == TIX_QUEUE_WAITING)
            printf(" (admitted as seats free up)");
        printf("\n");
    }
    cli_emit(c, json_pack("{s:I, s:s, s:I, s:I, s:I, s:I}", "show_id",
                          (json_int_t)p.show_id, "state", state_name(p.state),
                          "position", (json_int_t)p.position, "ahead",
                          (json_int_t)p.ahead, "wait", (json_int_t)p.wait,
                          "window_end", (json_int_t)p.window_end));
    return EX_OK;
}

/* The calls that take only a show, and print a line when done. */
static int queue_simple(cli *c, const char *what, tix_id show, uint32_t n)
{
    int rc = cli_open(c, 0);
    if (rc) return rc;
    char ticket[TIX_QUEUE_TICKET_MAX] = "";
    int trc = !strcmp(what, "join")     ? tix_queue_join(c->db, show, ticket, sizeof ticket)
              : !strcmp(what, "remove") ? tix_queue_remove(c->db, show)
                                        : tix_queue_admit(c->db, show, n);
    if (trc) return cli_fail(c, trc, "cannot %s the waiting room of show %llu",
                             what, (unsigned long long)show);
    if (!c->json) {
        if (*ticket) printf("%s\n", ticket);
        else printf("%s: done\n", what);
    }
    cli_emit(c, json_pack("{s:I, s:s}", "show_id", (json_int_t)show, "ticket",
                          ticket));
    return EX_OK;
}

int cmd_queue(cli *c, int argc, char **argv)
{
    cli_opt opts[] = {OPT("onsale", 0, 1), OPT("capacity", 0, 1),
                      OPT("rate", 0, 1), OPT("window", 0, 1), {0}};
    const char *pos[4];
    int np, rc = cli_parse(c, "queue", queue_help, argc, argv, opts, pos, &np, 3);
    if (rc) return rc;
    if (np < 2)
        return cli_usage(c, "queue", "give set, show, remove, join, status or "
                                     "admit, and a show (or a ticket)");
    const char *what = pos[0];
    if (!strcmp(what, "status")) return queue_status(c, pos[1]);
    tix_id show;
    if ((rc = cli_parse_id(c, "queue", "SHOW", pos[1], &show))) return rc;
    if (!strcmp(what, "set")) return queue_set(c, show, opts);
    if (!strcmp(what, "show")) return queue_show(c, show);
    if (!strcmp(what, "join") || !strcmp(what, "remove"))
        return np == 2 ? queue_simple(c, what, show, 0)
                       : cli_usage(c, "queue", "%s takes a show only", what);
    if (!strcmp(what, "admit")) {
        uint32_t n;
        if (np != 3) return cli_usage(c, "queue", "admit needs a show and N");
        if ((rc = cli_parse_u32(c, "queue", "N", pos[2], &n))) return rc;
        return queue_simple(c, what, show, n);
    }
    return cli_usage(c, "queue", "unknown subcommand '%s'", what);
}
