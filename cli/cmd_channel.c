/* tix channel (sales channels of a show's seats) and tix hold-group
 * (one hold over seats of several shows). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char channel_help[] =
    "usage: tix channel create NAME\n"
    "       tix channel list\n"
    "       tix channel assign SHOW CHANNEL SEAT...   (CHANNEL 0: public pool)\n"
    "       tix channel assign-tier SHOW CHANNEL TIER COUNT\n"
    "       tix channel release SHOW CHANNEL [--at UNIX_TIME]\n"
    "       tix channel avail SHOW\n"
    "\n"
    "Sales channels (box office, own app, an aggregator): seats of a show set\n"
    "aside for one channel are held only through it (tix hold --channel);\n"
    "seats in no channel are the public pool. release gives a channel's\n"
    "unsold seats back to the pool now, or at --at.\n";

static int channel_create(cli *c, const char *name)
{
    tix_channel ch = {.name = name};
    tix_id id;
    int trc = tix_channel_create(c->db, &ch, &id);
    if (trc) return cli_fail(c, trc, "cannot create channel");
    if (!c->json) printf("%llu\n", (unsigned long long)id);
    cli_emit(c, json_pack("{s:I, s:s}", "id", (json_int_t)id, "name", name));
    return EX_OK;
}

static int channel_list(cli *c)
{
    tix_channel_list *l;
    int trc = tix_channel_list_all(c->db, &l);
    if (trc) return cli_fail(c, trc, "cannot list channels");
    json_t *arr = json_array();
    for (size_t i = 0; i < l->count; i++) {
        if (!c->json)
            printf("%llu\t%s\n", (unsigned long long)l->items[i].id,
                   l->items[i].name);
        json_array_append_new(arr, json_pack("{s:I, s:s}", "id",
                                             (json_int_t)l->items[i].id,
                                             "name", l->items[i].name));
    }
    tix_channel_list_free(l);
    cli_emit(c, json_pack("{s:o}", "channels", arr));
    return EX_OK;
}

static int channel_assign(cli *c, tix_id show, tix_id ch, int np,
                          const char **pos)
{
    cli_show s;
    int rc = cli_show_load(c, show, &s);
    if (rc) return rc;
    uint32_t *idx = calloc((size_t)np, sizeof *idx);
    if (!idx) {
        cli_show_free(&s);
        return cli_fail(c, TIX_ENOMEM, "out of memory");
    }
    size_t n = 0;
    for (int i = 0; i < np && rc == 0; i++)
        rc = cli_seat_parse(c, "channel", &s, pos[i], &idx[n++]);
    int trc = rc ? 0 : tix_channel_assign(c->db, show, ch, idx, n);
    free(idx);
    cli_show_free(&s);
    if (rc) return rc;
    if (trc) return cli_fail(c, trc, "cannot assign seats of show %llu",
                             (unsigned long long)show);
    if (!c->json)
        printf("assigned %zu seat%s to channel %llu\n", n, n == 1 ? "" : "s",
               (unsigned long long)ch);
    cli_emit(c, json_pack("{s:I, s:I, s:I}", "show_id", (json_int_t)show,
                          "channel_id", (json_int_t)ch, "seats", (json_int_t)n));
    return EX_OK;
}

static int channel_avail(cli *c, tix_id show)
{
    tix_channel_avail *a;
    int trc = tix_channel_availability(c->db, show, &a);
    if (trc) return cli_fail(c, trc, "cannot read show %llu",
                             (unsigned long long)show);
    json_t *arr = json_array();
    if (!c->json) printf("channel\ttotal\tfree\theld\tbooked\treleased\n");
    for (size_t i = 0; i < a->count; i++) {
        const tix_channel_counts *it = &a->items[i];
        if (!c->json)
            printf("%llu\t%u\t%u\t%u\t%u\t%s\n",
                   (unsigned long long)it->channel_id, it->counts.total,
                   it->counts.free, it->counts.held, it->counts.booked,
                   it->released ? "yes" : "no");
        json_array_append_new(
            arr, json_pack("{s:I, s:I, s:b, s:i, s:i, s:i, s:i}", "channel_id",
                           (json_int_t)it->channel_id, "release_at",
                           (json_int_t)it->release_at, "released",
                           it->released, "total", (int)it->counts.total,
                           "free", (int)it->counts.free, "held",
                           (int)it->counts.held, "booked",
                           (int)it->counts.booked));
    }
    tix_channel_avail_free(a);
    cli_emit(c, json_pack("{s:I, s:o}", "show_id", (json_int_t)show,
                          "channels", arr));
    return EX_OK;
}

int cmd_channel(cli *c, int argc, char **argv)
{
    cli_opt opts[] = {OPT("at", 0, 1), {0}};
    const char *pos[260];
    int np, rc = cli_parse(c, "channel", channel_help, argc, argv, opts, pos,
                           &np, 259);
    if (rc) return rc;
    if (np < 1) return cli_usage(c, "channel", "give a subcommand");
    const char *sub = pos[0];
    if ((rc = cli_open(c, 0))) return rc;
    if (!strcmp(sub, "create") && np == 2) return channel_create(c, pos[1]);
    if (!strcmp(sub, "list") && np == 1) return channel_list(c);
    tix_id show = 0, ch = 0, tier = 0;
    if (np < 2 || (rc = cli_parse_id(c, "channel", "SHOW", pos[1], &show)))
        return rc ? rc : cli_usage(c, "channel", "give a show id");
    if (!strcmp(sub, "avail") && np == 2) return channel_avail(c, show);
    if (np < 3) return cli_usage(c, "channel", "give a channel id");
    /* 0 names the public pool: assign takes seats back to it, and the
     * library tells the other subcommands it is no channel. */
    if (strcmp(pos[2], "0") != 0 &&
        (rc = cli_parse_id(c, "channel", "CHANNEL", pos[2], &ch)))
        return rc;
    if (!strcmp(sub, "assign") && np > 3)
        return channel_assign(c, show, ch, np - 3, pos + 3);
    if (!strcmp(sub, "assign-tier") && np == 5) {
        uint32_t count;
        if ((rc = cli_parse_id(c, "channel", "TIER", pos[3], &tier)) ||
            (rc = cli_parse_u32(c, "channel", "COUNT", pos[4], &count)))
            return rc;
        int trc = tix_channel_assign_tier(c->db, show, ch, tier, count);
        if (trc) return cli_fail(c, trc, "cannot assign seats");
        if (!c->json) printf("assigned %u seats to channel %llu\n", count,
                             (unsigned long long)ch);
        cli_emit(c, json_pack("{s:I, s:I, s:I, s:I}", "show_id",
                              (json_int_t)show, "channel_id", (json_int_t)ch,
                              "tier_id", (json_int_t)tier, "seats",
                              (json_int_t)count));
        return EX_OK;
    }
    if (!strcmp(sub, "release") && np == 3) {
        int64_t at = 0;
        if (opts[0].set &&
            (rc = cli_parse_i64(c, "channel", "--at", opts[0].val, &at)))
            return rc;
        int trc = tix_channel_release(c->db, show, ch, at);
        if (trc) return cli_fail(c, trc, "cannot release channel %llu",
                                 (unsigned long long)ch);
        if (!c->json) printf("released channel %llu of show %llu\n",
                             (unsigned long long)ch, (unsigned long long)show);
        cli_emit(c, json_pack("{s:I, s:I, s:I}", "show_id", (json_int_t)show,
                              "channel_id", (json_int_t)ch, "release_at",
                              (json_int_t)at));
        return EX_OK;
    }
    return cli_usage(c, "channel", "unknown subcommand or wrong arguments");
}

static const char group_help[] =
    "usage: tix hold-group SHOW:SEAT[,SEAT...]... [--ttl SECONDS] [--user ID]\n"
    "                      [--channel ID]\n"
    "\n"
    "Holds seats of several shows, all or nothing (a season ticket or a\n"
    "festival pass), and prints one hold handle per show, one a line. Give\n"
    "them all to tix confirm to book them together.\n";

/* Parses "SHOW:SEAT,SEAT" into its part; seats go into @p idx. */
static int group_part(cli *c, const char *arg, tix_hold_part *p, uint32_t *idx,
                      size_t cap)
{
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", arg);
    char *colon = strchr(buf, ':');
    if (!colon) return cli_usage(c, "hold-group", "give SHOW:SEATS, not %s", arg);
    *colon = '\0';
    int rc = cli_parse_id(c, "hold-group", "SHOW", buf, &p->show_id);
    if (rc) return rc;
    cli_show s;
    if ((rc = cli_show_load(c, p->show_id, &s))) return rc;
    size_t n = 0;
    for (char *t = strtok(colon + 1, ","); t && rc == 0; t = strtok(NULL, ","))
        rc = n < cap ? cli_seat_parse(c, "hold-group", &s, t, &idx[n++])
                     : cli_usage(c, "hold-group", "too many seats");
    cli_show_free(&s);
    p->seats = idx;
    p->n_seats = n;
    return rc;
}

int cmd_hold_group(cli *c, int argc, char **argv)
{
    cli_opt opts[] = {OPT("ttl", 0, 1), OPT("user", 0, 1), OPT("channel", 0, 1),
                      {0}};
    const char *pos[66];
    int np, rc = cli_parse(c, "hold-group", group_help, argc, argv, opts, pos,
                           &np, 64);
    if (rc) return rc;
    if (np < 1) return cli_usage(c, "hold-group", "give SHOW:SEATS parts");
    tix_hold_opts ho = {0};
    if ((opts[0].set &&
         (rc = cli_parse_u32(c, "hold-group", "--ttl", opts[0].val, &ho.ttl))) ||
        (opts[1].set &&
         (rc = cli_parse_id(c, "hold-group", "--user", opts[1].val, &ho.user_id))) ||
        (opts[2].set &&
         (rc = cli_parse_id(c, "hold-group", "--channel", opts[2].val, &ho.channel))))
        return rc;
    if ((rc = cli_open(c, 0))) return rc;
    static uint32_t idx[64][256];
    tix_hold_part parts[64];
    for (int i = 0; i < np; i++)
        if ((rc = group_part(c, pos[i], &parts[i], idx[i], 256))) return rc;
    tix_hold *hs[64];
    int trc = tix_hold_group_create(c->db, parts, (size_t)np, &ho, hs);
    if (trc) return cli_fail(c, trc, "cannot hold");
    json_t *arr = json_array();
    for (int i = 0; i < np; i++) {
        char handle[TIX_HOLD_STRING_MAX];
        if (tix_hold_to_string(hs[i], handle, sizeof handle) == TIX_OK) {
            if (!c->json) printf("%s\n", handle);
            json_array_append_new(arr, json_string(handle));
        }
        tix_hold_free(hs[i]);
    }
    cli_emit(c, json_pack("{s:o}", "handles", arr));
    return EX_OK;
}
