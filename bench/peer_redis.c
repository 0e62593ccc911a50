/* tix-bench compare: Redis seat store, started by the bench itself:
 * redis-server --port 0 (no TCP) --unixsocket in a temporary directory,
 * --appendonly yes --appendfsync always, no RDB snapshots; stopped with
 * SHUTDOWN NOSAVE (then SIGTERM/SIGKILL if it does not go).
 *
 * The data model a competent engineer would use, all changes in Lua scripts
 * (EVALSHA, atomic):
 *   s:<show>      hash seat -> "H:<token>:<expiry ms>" or "B:<booking>";
 *                 a free seat has no field
 *   f:<show>:<t>  sorted set of the free seats of tier t (score = seat), for
 *                 best-available
 *   x:<show>      sorted set of held seats by expiry, to reclaim expired
 *                 holds
 *   bk:<show>     list of bookings "id|user|payment_ref|seats" (appended)
 *   pay           hash payment_ref -> booking id;  bid  booking id counter
 *   rv:1          list of review documents, newest first
 * hold/release/best scripts call redis.set_repl(redis.REPL_NONE): their
 * effects are not written to the AOF (holds need not be durable, as on the
 * other systems); the confirm script's effects are, and with appendfsync
 * always Redis fsyncs the AOF before it answers. The script's clock is
 * Redis TIME.
 */
#include <errno.h>
#include <hiredis.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "peer.h"

#define RD_MAX_SHOWS 64

static const char *const redis_bins[] = {"/usr/bin/redis-server",
                                         "/usr/local/bin/redis-server", NULL};

static const char lua_now[] =
    "local t = redis.call('TIME')\n"
    "local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)\n";

/* KEYS: s, x, f(tier of seat 1..n); ARGV: token, ttl_ms, seat 1..n */
static const char lua_hold[] =
    "redis.set_repl(redis.REPL_NONE)\n"
    "%s"
    "local n = #ARGV - 2\n"
    "for i = 1, n do\n"
    "  local v = redis.call('HGET', KEYS[1], ARGV[2 + i])\n"
    "  if v then\n"
    "    if string.byte(v, 1) ~= 72 then return 0 end\n"
    "    if tonumber(string.match(v, ':(%%d+)$')) >= now then return 0 end\n"
    "  end\n"
    "end\n"
    "local exp = now + tonumber(ARGV[2])\n"
    "local val = 'H:' .. ARGV[1] .. ':' .. exp\n"
    "for i = 1, n do\n"
    "  local s = ARGV[2 + i]\n"
    "  redis.call('HSET', KEYS[1], s, val)\n"
    "  redis.call('ZADD', KEYS[2], exp, s)\n"
    "  redis.call('ZREM', KEYS[2 + i], s)\n"
    "end\n"
    "return 1\n";

/* KEYS: s, x, f(tier of seat 1..n); ARGV: token, seat 1..n */
static const char lua_release[] =
    "redis.set_repl(redis.REPL_NONE)\n"
    "local p = 'H:' .. ARGV[1] .. ':'\n"
    "for i = 2, #ARGV do\n"
    "  local s = ARGV[i]\n"
    "  local v = redis.call('HGET', KEYS[1], s)\n"
    "  if v and string.sub(v, 1, #p) == p then\n"
    "    redis.call('HDEL', KEYS[1], s)\n"
    "    redis.call('ZREM', KEYS[2], s)\n"
    "    redis.call('ZADD', KEYS[1 + i], s, s)\n"
    "  end\n"
    "end\n"
    "return 1\n";

/* KEYS: s, x, bk, pay, bid, f(tier of seat 1..n);
 * ARGV: token, user, payment_ref, seat 1..n. Returns the booking id, or -1
 * when a seat is booked or held by someone else. Effects go to the AOF. */
static const char lua_confirm[] =
    "local b = redis.call('HGET', KEYS[4], ARGV[3])\n"
    "if b then return tonumber(b) end\n"
    "local p = 'H:' .. ARGV[1] .. ':'\n"
    "for i = 4, #ARGV do\n"
    "  local v = redis.call('HGET', KEYS[1], ARGV[i])\n"
    "  if v and string.sub(v, 1, #p) ~= p then return -1 end\n"
    "end\n"
    "local id = redis.call('INCR', KEYS[5])\n"
    "local seats = {}\n"
    "for i = 4, #ARGV do\n"
    "  local s = ARGV[i]\n"
    "  redis.call('HSET', KEYS[1], s, 'B:' .. id)\n"
    "  redis.call('ZREM', KEYS[2], s)\n"
    "  redis.call('ZREM', KEYS[2 + i], s)\n"
    "  seats[#seats + 1] = s\n"
    "end\n"
    "redis.call('RPUSH', KEYS[3], id .. '|' .. ARGV[2] .. '|' .. ARGV[3] .. '|' ..\n"
    "           table.concat(seats, ','))\n"
    "redis.call('HSET', KEYS[4], ARGV[3], id)\n"
    "return id\n";

/* KEYS: s, x, f:1..f:T; ARGV: token, ttl_ms, n, cols, tier (0 = any),
 * row_end 1..T. Returns the seats taken, or an empty array. */
static const char lua_best[] =
    "redis.set_repl(redis.REPL_NONE)\n"
    "%s"
    "local n, cols, want = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])\n"
    "local nt = #KEYS - 2\n"
    "local function tier_of(seat)\n"
    "  local row = math.floor(seat / cols)\n"
    "  for k = 1, nt - 1 do if row < tonumber(ARGV[5 + k]) then return k end end\n"
    "  return nt\n"
    "end\n"
    "local old = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', '(' .. now, 'LIMIT', 0, 512)\n"
    "for _, s in ipairs(old) do\n"
    "  redis.call('ZREM', KEYS[2], s)\n"
    "  local v = redis.call('HGET', KEYS[1], s)\n"
    "  if v and string.byte(v, 1) == 72 then\n"
    "    redis.call('HDEL', KEYS[1], s)\n"
    "    redis.call('ZADD', KEYS[2 + tier_of(tonumber(s))], s, s)\n"
    "  end\n"
    "end\n"
    "local first, last = 1, nt\n"
    "if want > 0 then first, last = want, want end\n"
    "local exp = now + tonumber(ARGV[2])\n"
    "local val = 'H:' .. ARGV[1] .. ':' .. exp\n"
    "for k = first, last do\n"
    "  local key = KEYS[2 + k]\n"
    "  local off = 0\n"
    "  for page = 1, 16 do\n"
    "    local cand = redis.call('ZRANGE', key, off, off + 255)\n"
    "    if #cand == 0 then break end\n"
    "    local run, prev = {}, -2\n"
    "    for _, sv in ipairs(cand) do\n"
    "      local s = tonumber(sv)\n"
    "      if s == prev + 1 and math.floor(s / cols) == math.floor(prev / cols) then\n"
    "        run[#run + 1] = sv\n"
    "      else\n"
    "        run = {sv}\n"
    "      end\n"
    "      prev = s\n"
    "      if #run == n then\n"
    "        local ok = true\n"
    "        for _, r in ipairs(run) do\n"
    "          local v = redis.call('HGET', KEYS[1], r)\n"
    "          if v and (string.byte(v, 1) ~= 72 or\n"
    "                    tonumber(string.match(v, ':(%%d+)$')) >= now) then\n"
    "            redis.call('ZREM', key, r)\n"
    "            ok = false\n"
    "          end\n"
    "        end\n"
    "        if ok then\n"
    "          for _, r in ipairs(run) do\n"
    "            redis.call('HSET', KEYS[1], r, val)\n"
    "            redis.call('ZADD', KEYS[2], exp, r)\n"
    "            redis.call('ZREM', key, r)\n"
    "          end\n"
    "          return run\n"
    "        end\n"
    "        run, prev = {}, -2\n"
    "      end\n"
    "    end\n"
    "    if #cand < 256 then break end\n"
    "    off = off + 256 - n\n"
    "  end\n"
    "end\n"
    "return {}\n";

/* KEYS: s; ARGV: cols, row_end 1..T. Returns total, held, booked per tier. */
static const char lua_avail[] =
    "%s"
    "local cols = tonumber(ARGV[1])\n"
    "local nt = #ARGV - 1\n"
    "local ends, held, booked = {}, {}, {}\n"
    "for k = 1, nt do ends[k] = tonumber(ARGV[1 + k]); held[k] = 0; booked[k] = 0 end\n"
    "local all = redis.call('HGETALL', KEYS[1])\n"
    "for i = 1, #all, 2 do\n"
    "  local row = math.floor(tonumber(all[i]) / cols)\n"
    "  local k = 1\n"
    "  while k < nt and row >= ends[k] do k = k + 1 end\n"
    "  local v = all[i + 1]\n"
    "  if string.byte(v, 1) == 66 then booked[k] = booked[k] + 1\n"
    "  elseif tonumber(string.match(v, ':(%%d+)$')) >= now then held[k] = held[k] + 1 end\n"
    "end\n"
    "local out, prev = {}, 0\n"
    "for k = 1, nt do\n"
    "  out[#out + 1] = (ends[k] - prev) * cols\n"
    "  out[#out + 1] = held[k]\n"
    "  out[#out + 1] = booked[k]\n"
    "  prev = ends[k]\n"
    "end\n"
    "return out\n";

enum { SC_HOLD, SC_RELEASE, SC_CONFIRM, SC_BEST, SC_AVAIL, SC_N };

struct peer {
    char sock[1100], log[1100], dir[1100];
    int pid;
    int durable;
    redisContext *admin;
    char sha[SC_N][48];
    struct {
        uint64_t id;
        peer_layout l;
    } shows[RD_MAX_SHOWS];
    size_t n_shows;
};

struct peer_conn {
    peer *p;
    redisContext *c;
    char err[256];
};

static redisReply *cmd(redisContext *c, int argc, const char **argv)
{
    return redisCommandArgv(c, argc, argv, NULL);
}

static void r_stop(peer *p)
{
    if (!p) return;
    if (p->admin) {
        redisReply *r = redisCommand(p->admin, "SHUTDOWN NOSAVE");
        if (r) freeReplyObject(r);
        redisFree(p->admin);
    }
    if (p->pid > 0) {
        int st;
        for (int i = 0; i < 100; i++) { /* 10 s */
            if (waitpid(p->pid, &st, WNOHANG) == p->pid) {
                p->pid = 0;
                break;
            }
            if (i == 20) kill(p->pid, SIGTERM);
            struct timespec ts = {0, 100000000};
            nanosleep(&ts, NULL);
        }
        if (p->pid > 0) {
            kill(p->pid, SIGKILL);
            waitpid(p->pid, &st, 0);
        }
    }
    free(p);
}

static int r_start(const peer_cfg *cfg, peer **out, char *err, size_t cap)
{
    const char *bin = peer_which(redis_bins);
    if (!bin) {
        snprintf(err, cap, "no redis-server found (install redis-server)");
        return PEER_ERR;
    }
    peer *p = calloc(1, sizeof *p);
    if (!p) return PEER_ERR;
    p->durable = cfg->durable;
    snprintf(p->dir, sizeof p->dir, "%s", cfg->dir);
    snprintf(p->sock, sizeof p->sock, "%s/redis.sock", cfg->dir);
    snprintf(p->log, sizeof p->log, "%s/redis.log", cfg->dir);
    const char *argv[] = {bin, "--port", "0", "--bind", "127.0.0.1",
                          "--unixsocket", p->sock, "--unixsocketperm", "700",
                          "--dir", p->dir, "--appendonly", "yes",
                          "--appendfsync", cfg->durable ? "always" : "no",
                          "--save", "", "--daemonize", "no",
                          "--logfile", p->log, "--maxclients", "1000",
                          "--protected-mode", "yes", NULL};
    p->pid = peer_spawn(NULL, argv, NULL);
    if (p->pid <= 0) {
        snprintf(err, cap, "cannot start %s: %s", bin, strerror(errno));
        free(p);
        return PEER_ERR;
    }
    for (int i = 0; i < 200 && !p->admin; i++) { /* 20 s */
        redisContext *c = redisConnectUnix(p->sock);
        if (c && !c->err) {
            redisReply *r = redisCommand(c, "PING");
            int ok = r && r->type == REDIS_REPLY_STATUS;
            if (r) freeReplyObject(r);
            if (ok) {
                p->admin = c;
                break;
            }
        }
        if (c) redisFree(c);
        int st;
        if (waitpid(p->pid, &st, WNOHANG) == p->pid) {
            p->pid = 0;
            char tail[400];
            peer_log_tail(p->log, tail, sizeof tail);
            snprintf(err, cap, "redis-server exited: %s", tail);
            r_stop(p);
            return PEER_ERR;
        }
        struct timespec ts = {0, 100000000};
        nanosleep(&ts, NULL);
    }
    if (!p->admin) {
        snprintf(err, cap, "redis-server did not answer on %s", p->sock);
        r_stop(p);
        return PEER_ERR;
    }
    char body[8192];
    const char *tmpl[SC_N] = {lua_hold, lua_release, lua_confirm, lua_best, lua_avail};
    for (int i = 0; i < SC_N; i++) {
        if (i == SC_RELEASE || i == SC_CONFIRM) snprintf(body, sizeof body, "%s", tmpl[i]);
        else snprintf(body, sizeof body, tmpl[i], lua_now);
        const char *a[] = {"SCRIPT", "LOAD", body};
        redisReply *r = cmd(p->admin, 3, a);
        if (!r || r->type != REDIS_REPLY_STRING) {
            snprintf(err, cap, "SCRIPT LOAD %d: %s", i,
                     r && r->type == REDIS_REPLY_ERROR ? r->str : "no reply");
            if (r) freeReplyObject(r);
            r_stop(p);
            return PEER_ERR;
        }
        snprintf(p->sha[i], sizeof p->sha[i], "%s", r->str);
        freeReplyObject(r);
    }
    /* users and reviews (reviews newest first) */
    for (int i = 1; i <= PEER_REVIEWS; i++) {
        char doc[300];
        snprintf(doc, sizeof doc,
                 "{\"id\":%d,\"movie\":1,\"user\":%d,\"rating\":%d,\"text\":"
                 "\"Review %d: tight pacing, a loud finale and a seat map that "
                 "never lied to me. Would book again.\",\"at\":%lld}",
                 i, i, 1 + (i * 7) % 10, i, (long long)peer_now_ms());
        redisReply *r = redisCommand(p->admin, "LPUSH rv:1 %s", doc);
        if (r) freeReplyObject(r);
        r = redisCommand(p->admin, "HSET user:%d name %s email bench%d@example.com",
                         i, "Bench User", i);
        if (r) freeReplyObject(r);
    }
    *out = p;
    return PEER_OK;
}

static void r_describe(peer *p, char *buf, size_t cap)
{
    char ver[64] = "?";
    redisReply *r = redisCommand(p->admin, "INFO server");
    if (r && r->type == REDIS_REPLY_STRING) {
        char *v = strstr(r->str, "redis_version:");
        if (v) sscanf(v + 14, "%63[^\r\n]", ver);
    }
    if (r) freeReplyObject(r);
    size_t o = (size_t)snprintf(buf, cap,
                                "server: redis-server %s started by the bench, unix "
                                "socket %s (--port 0: no TCP), dir %s\nsettings:",
                                ver, p->sock, p->dir);
    static const char *const keys[] = {"appendonly", "appendfsync", "save",
                                       "aof-use-rdb-preamble", "io-threads",
                                       "maxmemory", NULL};
    for (int i = 0; keys[i] && o < cap; i++) {
        r = redisCommand(p->admin, "CONFIG GET %s", keys[i]);
        if (r && r->type == REDIS_REPLY_ARRAY && r->elements == 2 && o < cap)
            o += (size_t)snprintf(buf + o, cap - o, " %s=\"%s\"", keys[i],
                                  r->element[1]->str);
        if (r) freeReplyObject(r);
    }
    if (o < cap)
        snprintf(buf + o, cap - o,
                 "\nconfirms: Lua script (EVALSHA), effects appended to the AOF; "
                 "%s\n"
                 "holds/releases/best: Lua scripts with "
                 "redis.set_repl(redis.REPL_NONE): not written to the AOF (not "
                 "durable, as allowed)\n"
                 "hold: one script checks every seat (free, or held past its "
                 "expiry by Redis TIME) and sets all of them, or none\n"
                 "best-available: free seats per tier in sorted sets, lowest "
                 "numbered run of n in a row; expired holds reclaimed first\n"
                 "clients: hiredis, one connection per client thread over the "
                 "unix socket; the server is single-threaded",
                 p->durable ? "appendfsync always: the AOF is fsynced before "
                              "the reply (one fsync per event-loop pass)"
                            : "appendfsync no (NOT durable)");
}

static int r_show_create(peer *p, const peer_layout *l, uint64_t *show)
{
    if (p->n_shows == RD_MAX_SHOWS) return PEER_ERR;
    uint64_t id = p->n_shows + 1;
    uint32_t n = peer_layout_seats(l);
    /* ZADD f:<show>:<tier> in batches of 1000, pipelined */
    enum { BATCH = 1000 };
    const char **argv = calloc(2 + 2 * BATCH, sizeof *argv);
    char (*nums)[12] = calloc(BATCH, sizeof *nums);
    if (!argv || !nums) return PEER_ERR;
    char key[64];
    uint32_t pending = 0;
    for (uint32_t s = 0; s < n;) {
        uint32_t tier = peer_seat_tier(l, s);
        snprintf(key, sizeof key, "f:%llu:%u", (unsigned long long)id, tier);
        int argc = 2;
        argv[0] = "ZADD";
        argv[1] = key;
        uint32_t k = 0;
        for (; k < BATCH && s < n && peer_seat_tier(l, s) == tier; k++, s++) {
            snprintf(nums[k], sizeof nums[k], "%u", s);
            argv[argc++] = nums[k];
            argv[argc++] = nums[k];
        }
        redisAppendCommandArgv(p->admin, argc, argv, NULL);
        pending++;
        /* argv points into nums: drain before reuse */
        for (; pending; pending--) {
            redisReply *r;
            if (redisGetReply(p->admin, (void **)&r) != REDIS_OK) {
                free(argv);
                free(nums);
                return PEER_ERR;
            }
            freeReplyObject(r);
        }
    }
    free(argv);
    free(nums);
    p->shows[p->n_shows].id = id;
    p->shows[p->n_shows].l = *l;
    p->n_shows++;
    *show = id;
    return PEER_OK;
}

static const peer_layout *layout_of(peer *p, uint64_t show)
{
    for (size_t i = 0; i < p->n_shows; i++)
        if (p->shows[i].id == show) return &p->shows[i].l;
    return NULL;
}

static peer_conn *r_connect(peer *p, char *err, size_t cap)
{
    peer_conn *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    c->p = p;
    c->c = redisConnectUnix(p->sock);
    if (!c->c || c->c->err) {
        snprintf(err, cap, "connect %s: %s", p->sock, c->c ? c->c->errstr : "?");
        if (c->c) redisFree(c->c);
        free(c);
        return NULL;
    }
    return c;
}

static void r_disconnect(peer_conn *c)
{
    if (!c) return;
    redisFree(c->c);
    free(c);
}

static const char *r_error(peer_conn *c) { return c->err; }

static int reply_err(peer_conn *c, redisReply *r, const char *what)
{
    snprintf(c->err, sizeof c->err, "redis %s: %s", what,
             r ? (r->type == REDIS_REPLY_ERROR ? r->str : "unexpected reply")
               : c->c->errstr);
    if (r) freeReplyObject(r);
    return PEER_ERR;
}

/* Argument strings for one script call. */
typedef struct args {
    const char *v[64];
    char buf[64][72];
    int n;
} args;

static void arg(args *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void arg(args *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(a->buf[a->n], sizeof a->buf[a->n], fmt, ap);
    va_end(ap);
    a->v[a->n] = a->buf[a->n];
    a->n++;
}

static redisReply *evalsha(peer_conn *c, args *a)
{
    /* a->v[0..2] are EVALSHA, sha, numkeys */
    return redisCommandArgv(c->c, a->n, a->v, NULL);
}

static void head(args *a, peer *p, int script, int numkeys)
{
    a->n = 0;
    arg(a, "EVALSHA");
    arg(a, "%s", p->sha[script]);
    arg(a, "%d", numkeys);
}

static int r_hold(peer_conn *c, uint64_t show, const uint32_t *seats,
                  uint32_t n, uint32_t ttl, peer_hold *h)
{
    const peer_layout *l = layout_of(c->p, show);
    if (!l || n == 0 || n > PEER_MAX_HOLD) return PEER_ERR;
    uint64_t token = peer_token();
    unsigned long long sh = (unsigned long long)show;
    args a;
    head(&a, c->p, SC_HOLD, 2 + (int)n);
    arg(&a, "s:%llu", sh);
    arg(&a, "x:%llu", sh);
    for (uint32_t i = 0; i < n; i++) arg(&a, "f:%llu:%u", sh, peer_seat_tier(l, seats[i]));
    arg(&a, "%llu", (unsigned long long)token);
    arg(&a, "%u", ttl * 1000);
    for (uint32_t i = 0; i < n; i++) arg(&a, "%u", seats[i]);
    redisReply *r = evalsha(c, &a);
    if (!r || r->type != REDIS_REPLY_INTEGER) return reply_err(c, r, "hold");
    int ok = r->integer == 1;
    freeReplyObject(r);
    if (!ok) return PEER_CONFLICT;
    h->show = show;
    h->n = n;
    memcpy(h->seats, seats, n * sizeof *seats);
    h->token = token;
    h->native = NULL;
    return PEER_OK;
}

static int r_best(peer_conn *c, uint64_t show, uint32_t tier, uint32_t n,
                  uint32_t ttl, peer_hold *h)
{
    const peer_layout *l = layout_of(c->p, show);
    if (!l || n == 0 || n > PEER_MAX_HOLD) return PEER_ERR;
    uint64_t token = peer_token();
    unsigned long long sh = (unsigned long long)show;
    args a;
    head(&a, c->p, SC_BEST, 2 + (int)l->n_tiers);
    arg(&a, "s:%llu", sh);
    arg(&a, "x:%llu", sh);
    for (uint32_t t = 1; t <= l->n_tiers; t++) arg(&a, "f:%llu:%u", sh, t);
    arg(&a, "%llu", (unsigned long long)token);
    arg(&a, "%u", ttl * 1000);
    arg(&a, "%u", n);
    arg(&a, "%u", l->cols);
    arg(&a, "%u", tier);
    for (uint32_t t = 0; t < l->n_tiers; t++) arg(&a, "%u", l->tier_row_end[t]);
    redisReply *r = evalsha(c, &a);
    if (!r || r->type != REDIS_REPLY_ARRAY) return reply_err(c, r, "best");
    int rc = PEER_CONFLICT;
    if (r->elements == n) {
        for (uint32_t i = 0; i < n; i++)
            h->seats[i] = (uint32_t)strtoul(r->element[i]->str, NULL, 10);
        h->show = show;
        h->n = n;
        h->token = token;
        h->native = NULL;
        rc = PEER_OK;
    }
    freeReplyObject(r);
    return rc;
}

static int r_release(peer_conn *c, peer_hold *h)
{
    const peer_layout *l = layout_of(c->p, h->show);
    if (!l) return PEER_ERR;
    unsigned long long sh = (unsigned long long)h->show;
    args a;
    head(&a, c->p, SC_RELEASE, 2 + (int)h->n);
    arg(&a, "s:%llu", sh);
    arg(&a, "x:%llu", sh);
    for (uint32_t i = 0; i < h->n; i++)
        arg(&a, "f:%llu:%u", sh, peer_seat_tier(l, h->seats[i]));
    arg(&a, "%llu", (unsigned long long)h->token);
    for (uint32_t i = 0; i < h->n; i++) arg(&a, "%u", h->seats[i]);
    redisReply *r = evalsha(c, &a);
    if (!r || r->type != REDIS_REPLY_INTEGER) return reply_err(c, r, "release");
    freeReplyObject(r);
    return PEER_OK;
}

static int r_confirm(peer_conn *c, peer_hold *h, uint32_t user, const char *ref,
                     uint64_t *booking)
{
    const peer_layout *l = layout_of(c->p, h->show);
    if (!l) return PEER_ERR;
    unsigned long long sh = (unsigned long long)h->show;
    args a;
    head(&a, c->p, SC_CONFIRM, 5 + (int)h->n);
    arg(&a, "s:%llu", sh);
    arg(&a, "x:%llu", sh);
    arg(&a, "bk:%llu", sh);
    arg(&a, "pay");
    arg(&a, "bid");
    for (uint32_t i = 0; i < h->n; i++)
        arg(&a, "f:%llu:%u", sh, peer_seat_tier(l, h->seats[i]));
    arg(&a, "%llu", (unsigned long long)h->token);
    arg(&a, "%u", user + 1);
    arg(&a, "%s", ref);
    for (uint32_t i = 0; i < h->n; i++) arg(&a, "%u", h->seats[i]);
    redisReply *r = evalsha(c, &a);
    if (!r || r->type != REDIS_REPLY_INTEGER) return reply_err(c, r, "confirm");
    long long id = r->integer;
    freeReplyObject(r);
    if (id < 0) return PEER_CONFLICT;
    if (booking) *booking = (uint64_t)id;
    return PEER_OK;
}

static int r_avail(peer_conn *c, uint64_t show, peer_avail *out)
{
    memset(out, 0, sizeof *out);
    const peer_layout *l = layout_of(c->p, show);
    if (!l) return PEER_ERR;
    args a;
    head(&a, c->p, SC_AVAIL, 1);
    arg(&a, "s:%llu", (unsigned long long)show);
    arg(&a, "%u", l->cols);
    for (uint32_t t = 0; t < l->n_tiers; t++) arg(&a, "%u", l->tier_row_end[t]);
    redisReply *r = evalsha(c, &a);
    if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != 3 * l->n_tiers)
        return reply_err(c, r, "availability");
    for (uint32_t t = 0; t < l->n_tiers && t < PEER_MAX_TIERS; t++) {
        peer_counts *k = &out->tiers[out->n_tiers++];
        k->total = (uint32_t)r->element[3 * t]->integer;
        k->held = (uint32_t)r->element[3 * t + 1]->integer;
        k->booked = (uint32_t)r->element[3 * t + 2]->integer;
        k->free = k->total - k->held - k->booked;
        out->all.total += k->total;
        out->all.held += k->held;
        out->all.booked += k->booked;
        out->all.free += k->free;
    }
    freeReplyObject(r);
    return PEER_OK;
}

static int r_seat_map(peer_conn *c, uint64_t show, uint8_t *states, uint32_t cap)
{
    const peer_layout *l = layout_of(c->p, show);
    if (!l) return PEER_ERR;
    uint32_t n = peer_layout_seats(l);
    memset(states, PEER_SEAT_FREE, n < cap ? n : cap);
    redisReply *r = redisCommand(c->c, "HGETALL s:%llu", (unsigned long long)show);
    if (!r || r->type != REDIS_REPLY_ARRAY) return reply_err(c, r, "seat map");
    int64_t now = peer_now_ms();
    for (size_t i = 0; i + 1 < r->elements; i += 2) {
        uint32_t seat = (uint32_t)strtoul(r->element[i]->str, NULL, 10);
        const char *v = r->element[i + 1]->str;
        if (seat >= cap) continue;
        if (v[0] == 'B') states[seat] = PEER_SEAT_BOOKED;
        else {
            const char *e = strrchr(v, ':');
            if (e && strtoll(e + 1, NULL, 10) >= now) states[seat] = PEER_SEAT_HELD;
        }
    }
    freeReplyObject(r);
    return PEER_OK;
}

static int r_reviews(peer_conn *c, uint32_t limit, uint64_t *sink)
{
    redisReply *r = redisCommand(c->c, "LRANGE rv:1 0 %u", limit ? limit - 1 : 0);
    if (!r || r->type != REDIS_REPLY_ARRAY) return reply_err(c, r, "reviews");
    for (size_t i = 0; i < r->elements; i++) *sink += r->element[i]->len;
    freeReplyObject(r);
    return PEER_OK;
}

static int r_verify(peer_conn *c, uint64_t show, peer_verify *out)
{
    memset(out, 0, sizeof *out);
    redisReply *r = redisCommand(c->c, "HGETALL s:%llu", (unsigned long long)show);
    if (!r || r->type != REDIS_REPLY_ARRAY) return reply_err(c, r, "verify");
    for (size_t i = 1; i < r->elements; i += 2)
        if (r->element[i]->str[0] == 'B') out->booked_seats++;
    freeReplyObject(r);
    r = redisCommand(c->c, "LRANGE bk:%llu 0 -1", (unsigned long long)show);
    if (!r || r->type != REDIS_REPLY_ARRAY) return reply_err(c, r, "verify");
    for (size_t i = 0; i < r->elements; i++) {
        const char *s = strrchr(r->element[i]->str, '|');
        if (!s) continue;
        out->bookings++;
        out->booking_seats++;
        for (; *s; s++)
            if (*s == ',') out->booking_seats++;
    }
    freeReplyObject(r);
    return PEER_OK;
}

const peer_ops peer_redis_ops = {
    .name = "redis", .start = r_start, .stop = r_stop, .describe = r_describe,
    .show_create = r_show_create, .connect = r_connect,
    .disconnect = r_disconnect, .error = r_error, .hold = r_hold,
    .best = r_best, .release = r_release, .confirm = r_confirm,
    .hold_done = NULL, .avail = r_avail, .seat_map = r_seat_map,
    .reviews = r_reviews, .verify = r_verify};
