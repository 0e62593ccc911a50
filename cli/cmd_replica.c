/* tix replica follow|promote|status: replication through NATS JetStream
 * (docs/replication.md). */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char replica_help[] =
    "usage: tix replica follow|promote|status [-s DIR] [--json] --nats URLS\n"
    "                   [--stream NAME] [--for SECONDS] [--wait SECONDS]\n"
    "\n"
    "The store DIR replicated through the NATS JetStream stream NAME (default\n"
    "TIX) on the servers URLS (comma-separated; default $TIX_NATS).\n"
    "\n"
    "  follow    keep DIR current from the stream until interrupted (or for\n"
    "            --for SECONDS): every record the primary published is\n"
    "            applied in order. DIR must be seeded from a backup of the\n"
    "            primary (`tix backup`). A torn, foreign or replayed record\n"
    "            stops it with exit 6 (TIX_ECORRUPT).\n"
    "  promote   make DIR the primary once the old primary's lease lapsed\n"
    "            (waits up to --wait SECONDS, default 30; exit 3 naming the\n"
    "            holder when it is still held), after applying the rest of\n"
    "            the stream. Holds are not replicated.\n"
    "  status    DIR's place in the stream, the lag, the lease holder.\n"
    "\n"
    "Exit 5 (TIX_EFENCED) on writes to a store that is not the primary;\n"
    "exit 7 (TIX_EREPL) when JetStream cannot be reached.\n";

static volatile sig_atomic_t stop_asked;

static void on_signal(int sig)
{
    (void)sig;
    stop_asked = 1;
}

static int open_replica(cli *c, const char *urls, const char *stream)
{
    tix_config cfg;
    tix_config_init(&cfg);
    cfg.flags = TIX_OPEN_NOCREATE;
    cfg.repl_urls = urls;
    cfg.repl_stream = stream;
    cfg.repl_role = TIX_REPL_FOLLOWER;
    int rc = tix_db_open(c->store, &cfg, &c->db);
    if (rc == TIX_ENOTFOUND)
        return cli_error(c, EX_NOTFOUND, "TIX_ENOTFOUND",
                         "no store at %s (seed a follower with `tix backup` "
                         "of the primary)", c->store);
    if (rc) return cli_fail(c, rc, "cannot open store %s as a replica", c->store);
    return EX_OK;
}

static json_t *info_json(const tix_replica_info *i)
{
    return json_pack("{s:s, s:b, s:I, s:I, s:I, s:s, s:s}", "role",
                     i->role == TIX_REPL_PRIMARY ? "primary" : "follower",
                     "fenced", i->fenced, "applied_seq", (json_int_t)i->applied_seq,
                     "stream_seq", (json_int_t)i->stream_seq, "lag",
                     (json_int_t)i->lag, "stream", i->stream, "lease_holder",
                     i->lease_holder);
}

static void info_print(const tix_replica_info *i)
{
    printf("stream %s: this store holds record %llu of %llu (lag %llu)\n",
           i->stream, (unsigned long long)i->applied_seq,
           (unsigned long long)i->stream_seq, (unsigned long long)i->lag);
    printf("lease held by %s\n", i->lease_holder[0] ? i->lease_holder : "nobody");
}

static int follow(cli *c, uint32_t for_s)
{
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    uint64_t total = 0;
    uint32_t slices = for_s * 2;
    for (uint32_t k = 0; !stop_asked && (for_s == 0 || k < slices); k++) {
        uint64_t n = 0;
        int rc = tix_replica_follow(c->db, 500, &n);
        total += n;
        if (rc) return cli_fail(c, rc, "follow %s", c->store);
        if (n && !c->json) {
            printf("applied %llu records\n", (unsigned long long)n);
            fflush(stdout);
        }
    }
    tix_replica_info info;
    int rc = tix_replica_status(c->db, &info);
    if (rc) return cli_fail(c, rc, "status of %s", c->store);
    if (!c->json) info_print(&info);
    json_t *o = info_json(&info);
    json_object_set_new(o, "applied", json_integer((json_int_t)total));
    cli_emit(c, o);
    return EX_OK;
}

int cmd_replica(cli *c, int argc, char **argv)
{
    cli_opt opts[] = {OPT("nats", 0, 1), OPT("stream", 0, 1), OPT("for", 0, 1),
                      OPT("wait", 0, 1), {0}};
    const char *pos[2];
    int np, rc = cli_parse(c, "replica", replica_help, argc, argv, opts, pos, &np, 1);
    if (rc) return rc;
    if (np != 1) return cli_usage(c, "replica", "give follow, promote or status");
    const char *urls = opts[0].set ? opts[0].val : getenv("TIX_NATS");
    if (!urls || !*urls)
        return cli_usage(c, "replica", "give --nats URLS (or set TIX_NATS)");
    uint32_t for_s = 0, wait_s = 30;
    if (opts[2].set && (rc = cli_parse_u32(c, "replica", "--for", opts[2].val, &for_s)))
        return rc;
    if (opts[3].set && (rc = cli_parse_u32(c, "replica", "--wait", opts[3].val, &wait_s)))
        return rc;
    int what = !strcmp(pos[0], "follow") ? 1 : !strcmp(pos[0], "promote") ? 2
             : !strcmp(pos[0], "status") ? 3 : 0;
    if (!what)
        return cli_usage(c, "replica", "unknown subcommand '%s' (follow, "
                         "promote or status)", pos[0]);
    if ((rc = open_replica(c, urls, opts[1].set ? opts[1].val : NULL))) return rc;
    if (what == 1) return follow(c, for_s);
    if (what == 2) {
        int trc = tix_replica_promote(c->db, wait_s * 1000u);
        if (trc) return cli_fail(c, trc, "promote %s", c->store);
    }
    tix_replica_info info;
    int trc = tix_replica_status(c->db, &info);
    if (trc) return cli_fail(c, trc, "status of %s", c->store);
    if (!c->json) {
        if (what == 2) printf("%s is now the primary of stream %s\n", c->store, info.stream);
        info_print(&info);
    }
    cli_emit(c, info_json(&info));
    return EX_OK;
}

/* ------------------------------------------------------------------------ */

static const char feed_help[] =
    "usage: tix feed publish [-s DIR] [--json] --nats URLS [--stream NAME]\n"
    "                        [--for SECONDS]\n"
    "       tix feed kafka [-s DIR] [--json] --brokers HOST:PORT,...\n"
    "                      [--prefix P] [--consumer NAME] [--for SECONDS]\n"
    "                      [--nats URLS [--stream NAME]]\n"
    "\n"
    "The change feed: the store's outbox events (bookings, cancels, check-ins,\n"
    "reviews) as JSON, for notification workers and BI.\n"
    "\n"
    "  publish  to JetStream: subjects tix.NAME.feed.KIND of the stream\n"
    "           NAME_FEED, message id <store id>-<seq>. Keeps its place in the\n"
    "           stream, so it runs on a follower too. Until interrupted, or\n"
    "           for --for SECONDS (0: until current).\n"
    "  kafka    to Kafka topics P.KIND (P default tix), key <store id>-<seq>,\n"
    "           idempotent producer, through the outbox consumer NAME\n"
    "           (default kafka). A replicated store needs --nats (the cursor\n"
    "           is a write, on the primary).\n";

static int feed_publish(cli *c, const char *urls, const char *stream, int for_set,
                        uint32_t for_s)
{
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    int rc = open_replica(c, urls, stream);
    if (rc) return rc;
    uint64_t total = 0;
    uint32_t slices = for_s * 2;
    for (uint32_t k = 0; !stop_asked; k++) {
        uint64_t n = 0;
        int trc = tix_feed_publish(c->db, for_set && for_s == 0 ? 0 : 500, &n);
        total += n;
        if (trc) return cli_fail(c, trc, "feed of %s", c->store);
        if (n && !c->json) {
            printf("published %llu events\n", (unsigned long long)n);
            fflush(stdout);
        }
        if (for_set && k + 1 >= slices) break;
    }
    if (!c->json) printf("published %llu events in all\n", (unsigned long long)total);
    cli_emit(c, json_pack("{s:s, s:I}", "store", c->store, "published", (json_int_t)total));
    return EX_OK;
}

static int feed_kafka(cli *c, cli_opt *opts, const char *urls, int for_set, uint32_t for_s)
{
    const char *brokers = opts[2].val;
    if (!opts[2].set) return cli_usage(c, "feed", "give --brokers HOST:PORT,...");
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    int rc;
    if (urls) {
        tix_config cfg;
        tix_config_init(&cfg);
        cfg.flags = TIX_OPEN_NOCREATE;
        cfg.repl_urls = urls;
        cfg.repl_stream = opts[1].set ? opts[1].val : NULL;
        int trc = tix_db_open(c->store, &cfg, &c->db);
        if (trc) return cli_fail(c, trc, "cannot open store %s", c->store);
    } else if ((rc = cli_open(c, 0))) {
        return rc;
    }
    tix_kafka_relay *k;
    int trc = tix_kafka_relay_open(c->db, brokers, opts[3].set ? opts[3].val : NULL,
                                   opts[4].set ? opts[4].val : NULL, &k);
    if (trc) return cli_fail(c, trc, "kafka relay of %s", c->store);
    uint64_t total = 0;
    uint32_t slices = for_s * 2;
    for (uint32_t i = 0; !stop_asked; i++) {
        uint64_t n = 0;
        trc = tix_kafka_relay_run(k, for_set && for_s == 0 ? 0 : 500, &n);
        total += n;
        if (trc) break;
        if (n && !c->json) {
            printf("relayed %llu events\n", (unsigned long long)n);
            fflush(stdout);
        }
        if (for_set && i + 1 >= slices) break;
    }
    tix_kafka_relay_close(k);
    if (trc) return cli_fail(c, trc, "kafka relay of %s", c->store);
    if (!c->json) printf("relayed %llu events in all\n", (unsigned long long)total);
    cli_emit(c, json_pack("{s:s, s:I}", "store", c->store, "relayed", (json_int_t)total));
    return EX_OK;
}

int cmd_feed(cli *c, int argc, char **argv)
{
    cli_opt opts[] = {OPT("nats", 0, 1), OPT("stream", 0, 1), OPT("brokers", 0, 1),
                      OPT("prefix", 0, 1), OPT("consumer", 0, 1), OPT("for", 0, 1),
                      {0}};
    const char *pos[2];
    int np, rc = cli_parse(c, "feed", feed_help, argc, argv, opts, pos, &np, 1);
    if (rc) return rc;
    if (np != 1) return cli_usage(c, "feed", "give publish or kafka");
    uint32_t for_s = 0;
    if (opts[5].set && (rc = cli_parse_u32(c, "feed", "--for", opts[5].val, &for_s)))
        return rc;
    const char *urls = opts[0].set ? opts[0].val : getenv("TIX_NATS");
    if (urls && !*urls) urls = NULL;
    if (!strcmp(pos[0], "publish")) {
        if (!urls) return cli_usage(c, "feed", "give --nats URLS (or set TIX_NATS)");
        return feed_publish(c, urls, opts[1].set ? opts[1].val : NULL, opts[5].set, for_s);
    }
    if (!strcmp(pos[0], "kafka")) return feed_kafka(c, opts, opts[0].set ? urls : NULL,
                                                    opts[5].set, for_s);
    return cli_usage(c, "feed", "unknown subcommand '%s' (publish or kafka)", pos[0]);
}

/* ------------------------------------------------------------------------ */

static const char placement_help[] =
    "usage: tix placement shard-of CODE | set-shards N | pin CODE SHARD |\n"
    "                     unpin CODE  [--json] --nats URLS [--bucket NAME]\n"
    "\n"
    "The shard map (docs/scaling.md) in the JetStream KV bucket NAME (default\n"
    "tix_placement): a venue code's shard is its pin, else\n"
    "jump_consistent_hash(XXH3(code), N). Needs no store.\n";

int cmd_placement(cli *c, int argc, char **argv)
{
    cli_opt opts[] = {OPT("nats", 0, 1), OPT("bucket", 0, 1), {0}};
    const char *pos[4];
    int np, rc = cli_parse(c, "placement", placement_help, argc, argv, opts, pos, &np, 3);
    if (rc) return rc;
    const char *urls = opts[0].set ? opts[0].val : getenv("TIX_NATS");
    if (!urls || !*urls) return cli_usage(c, "placement", "give --nats URLS (or set TIX_NATS)");
    const char *what = np ? pos[0] : "";
    int want = !strcmp(what, "shard-of") || !strcmp(what, "unpin") ? 2
             : !strcmp(what, "set-shards") ? 2 : !strcmp(what, "pin") ? 3 : 0;
    if (!want || np != want)
        return cli_usage(c, "placement", "give shard-of CODE, set-shards N, pin CODE "
                         "SHARD or unpin CODE");
    tix_placement *p;
    int trc = tix_placement_open(urls, opts[1].set ? opts[1].val : NULL, &p);
    if (trc) return cli_fail(c, trc, "shard map at %s", urls);
    uint32_t n = 0;
    int over = 0;
    if (!strcmp(what, "shard-of")) {
        trc = tix_placement_shard_of(p, pos[1], &n, &over);
    } else if (!strcmp(what, "unpin")) {
        trc = tix_placement_override(p, pos[1], -1);
    } else if ((rc = cli_parse_u32(c, "placement", what[0] == 's' ? "N" : "SHARD",
                                   pos[np - 1], &n))) {
        tix_placement_close(p);
        return rc;
    } else {
        trc = what[0] == 's' ? tix_placement_set_shards(p, n)
                             : tix_placement_override(p, pos[1], n);
    }
    tix_placement_close(p);
    if (trc) return cli_fail(c, trc, "placement %s", what);
    if (!strcmp(what, "shard-of")) {
        if (!c->json) printf("%s -> shard %u%s\n", pos[1], n, over ? " (pinned)" : "");
        cli_emit(c, json_pack("{s:s, s:I, s:b}", "venue_code", pos[1], "shard",
                              (json_int_t)n, "pinned", over));
    } else {
        if (!c->json) printf("done\n");
        cli_emit(c, json_pack("{s:s}", "done", what));
    }
    return EX_OK;
}
