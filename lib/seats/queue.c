/* Waiting rooms (tix.h "Waiting room"): a queue of tickets per show in a
 * seats.map region, shuffled at on-sale by a keyed permutation, admitted
 * by a counter. See docs/design.md, "Waiting rooms".
 *
 * The region, after its two header words, aligned to a cache line:
 *   line 0   the tail: every join is one fetch-add on it
 *   line 1   the freeze word (0 | CLAIM|pid | FROZEN|n), the shuffle key
 *            (two words), the places admitted by tix_queue_admit()
 *   then     one 32-bit word per ticket: 0 (its joiner is still writing),
 *            JOINED, or USED + the map time of its first admitted hold. */
#include "queue.h"

#include <errno.h>
#include <signal.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "error.h"
#include "random.h"
#include "region.h"
#include "show.h"
#include "tables.h"

#define HDR_WORDS 24 /* two lines, and one of slack to align them */
#define W_TAIL 0
#define W_FREEZE 8
#define W_KEY 9 /* and 10 */
#define W_ADMIT 11
#define W_SLOTS 16
#define FROZEN (1ull << 63)
#define CLAIM (1ull << 62)
#define LOW_MASK ((1ull << 62) - 1)
#define SLOT_JOINED 1u
#define SLOT_USED 2u

#define RATE_MAX 1000000u
#define WINDOW_MAX 86400u
#define ADMIT_MAX 1000000000u
#define TICKET_BIN 20 /* show 8, slot 4, MAC 8 */
#define TICKET_LEN (2 + 27)

/* ---- the record ------------------------------------------------------- */

static int rec_encode(const tix__queue_rec *r, tix_enc *e)
{
    tix__enc_init(e, TIX_REC_QUEUE, 1);
    tix__enc_u64(e, r->qid);
    tix__enc_u64(e, r->base);
    tix__enc_i64(e, r->cfg.onsale);
    tix__enc_u32(e, r->cfg.rate);
    tix__enc_u32(e, r->cfg.capacity);
    tix__enc_u32(e, r->cfg.window);
    tix__enc_i64(e, r->rate_from);
    tix__enc_u64(e, r->admit_base);
    return tix__enc_finish(e);
}

static int rec_decode(const MDB_val *v, tix__queue_rec *r)
{
    tix_dec d;
    int rc = tix__dec_init(&d, v->mv_data, v->mv_size, TIX_REC_QUEUE, 1);
    if (rc) return rc;
    r->qid = tix__dec_u64(&d);
    r->base = tix__dec_u64(&d);
    r->cfg.onsale = tix__dec_i64(&d);
    r->cfg.rate = tix__dec_u32(&d);
    r->cfg.capacity = tix__dec_u32(&d);
    r->cfg.window = tix__dec_u32(&d);
    r->rate_from = tix__dec_i64(&d);
    r->admit_base = tix__dec_u64(&d);
    rc = tix__dec_finish(&d);
    if (rc == 0 && (r->cfg.capacity == 0 ||
                    r->cfg.capacity > TIX_QUEUE_CAPACITY_MAX))
        rc = TIX_ECORRUPT;
    return rc ? tix__err(rc, "queue record is malformed") : TIX_OK;
}

/* TIX_ENOTFOUND (no message) when the show has no queue. */
static int rec_read(tix_db *db, MDB_txn *txn, tix_id show, tix__queue_rec *r)
{
    uint8_t k[8];
    tix__be64_put(k, show);
    MDB_val key = {8, k}, v;
    int rc = mdb_get(txn, db->dbi[TIX_T_QUEUES], &key, &v);
    if (rc == MDB_NOTFOUND) return TIX_ENOTFOUND;
    if (rc) return tix__mdb_err(rc, "queue");
    return rec_decode(&v, r);
}

/* Seat words of the region after its two header words. */
static uint32_t region_words(uint32_t capacity)
{
    return HDR_WORDS + (capacity + 1) / 2;
}

/* ---- the view --------------------------------------------------------- */

static int fill_none(void *arg, tix_word *w, uint32_t n)
{
    (void)arg, (void)w, (void)n; /* a new queue is all zero */
    return TIX_OK;
}

static int map_region(tix_db *db, const tix__queue_rec *r,
                      _Atomic uint64_t **words)
{
    tix_word *w;
    int rc = tix__seatmap_region(&db->engine->map, TIX__QUEUE_REGION_BIT | r->qid,
                                 r->base, region_words(r->cfg.capacity), 0,
                                 fill_none, NULL, &w);
    if (rc) return rc;
    /* The same line boundaries in every process: the map is page aligned. */
    uintptr_t p = ((uintptr_t)w + 63) & ~(uintptr_t)63;
    *words = (_Atomic uint64_t *)p;
    return TIX_OK;
}

static void derive_mac_key(tix_db *db, uint8_t key[16])
{
    static const char ctx[] = "libtix queue ticket key v1";
    crypto_generichash(key, 16, (const uint8_t *)ctx, sizeof ctx - 1,
                       db->secret, 32);
}

/* Reads the waiting room of @p e from LMDB as of generation @p gen (read
 * before LMDB, so a change committed after it is seen at the next look). */
static int view_load(tix_db *db, const tix__show_entry *e, uint64_t gen,
                     const tix__queue_view **out)
{
    tix__queue_view *v = calloc(1, sizeof *v);
    if (!v) return tix__err(TIX_ENOMEM, "out of memory");
    v->gen = gen;
    MDB_txn *txn;
    int rc = tix__db_read_begin(db, &txn);
    if (rc == 0) {
        rc = rec_read(db, txn, e->info.id, &v->rec);
        tix__db_read_end(db, txn);
    }
    if (rc == 0) v->queued = 1;
    if (rc == TIX_ENOTFOUND) rc = TIX_OK;
    if (rc == 0 && v->queued && (rc = map_region(db, &v->rec, &v->words)) == 0)
        derive_mac_key(db, v->mac_key);
    if (rc == 0) rc = tix__engine_keep(db, v);
    if (rc) {
        free(v);
        return rc;
    }
    atomic_store_explicit((_Atomic(const tix__queue_view *) *)&e->queue, v,
                          memory_order_release);
    *out = v;
    return TIX_OK;
}

static int view_get(tix_db *db, const tix__show_entry *e,
                    const tix__queue_view **out)
{
    uint64_t gen = atomic_load_explicit(tix__seatmap_queue_gen(&db->engine->map),
                                        memory_order_acquire);
    const tix__queue_view *v =
        atomic_load_explicit(&e->queue, memory_order_acquire);
    if (v && v->gen == gen) {
        *out = v;
        return TIX_OK;
    }
    return view_load(db, e, gen, out);
}

/* The show, live, and its queue: TIX_ESTATE "has no queue" without one. */
static int queue_of(tix_db *db, tix_id show, int64_t now,
                    const tix__show_entry **e, const tix__queue_view **v)
{
    if (!db->engine)
        return tix__err(TIX_EPERM, "waiting rooms need a read-write store");
    int rc = tix__engine_show_at(db, show, now, e);
    if (rc == 0) rc = view_get(db, *e, v);
    if (rc == 0 && !(*v)->queued)
        rc = tix__err(TIX_ESTATE, "show %llu has no waiting room",
                      (unsigned long long)show);
    return rc;
}

/* ---- order and admission ---------------------------------------------- */

static uint64_t joined_count(const tix__queue_view *v)
{
    uint64_t t = atomic_load_explicit(&v->words[W_TAIL], memory_order_acquire);
    return t < v->rec.cfg.capacity ? t : v->rec.cfg.capacity;
}

static int pid_alive(uint64_t pid)
{
    return pid != 0 && (kill((pid_t)pid, 0) == 0 || errno == EPERM);
}

/* Shuffles the pre-queue: the first to look after on-sale claims the
 * freeze word, draws the key and publishes n (the tickets issued so far)
 * with it. Nothing moves: positions are computed from the key. A joiner
 * racing the claim lands on either side of n, and either is fair. */
static int claim_freeze(const tix__queue_view *v, uint64_t seen)
{
    const uint64_t mine = CLAIM | (uint64_t)getpid();
    if (!atomic_compare_exchange_strong(&v->words[W_FREEZE], &seen, mine))
        return TIX_OK; /* someone else did; look again */
    uint64_t key[2];
    int rc = tix__random_bytes(key, sizeof key);
    if (rc) {
        atomic_store(&v->words[W_FREEZE], 0);
        return rc;
    }
    atomic_store_explicit(&v->words[W_KEY], key[0], memory_order_relaxed);
    atomic_store_explicit(&v->words[W_KEY + 1], key[1], memory_order_relaxed);
    atomic_store_explicit(&v->words[W_FREEZE], FROZEN | joined_count(v),
                          memory_order_release);
    sodium_memzero(key, sizeof key);
    return TIX_OK;
}

/* Sets *n to the pre-queue size once the queue is shuffled, with its key;
 * *n = UINT64_MAX before on-sale. */
static int frozen(const tix__queue_view *v, int64_t now, uint64_t *n,
                  uint8_t key[16])
{
    *n = UINT64_MAX;
    if (now < v->rec.cfg.onsale) return TIX_OK;
    for (int spins = 0;; spins++) {
        uint64_t w = atomic_load_explicit(&v->words[W_FREEZE], memory_order_acquire);
        if (w & FROZEN) {
            uint64_t k[2] = {atomic_load_explicit(&v->words[W_KEY], memory_order_relaxed),
                             atomic_load_explicit(&v->words[W_KEY + 1], memory_order_relaxed)};
            memcpy(key, k, 16);
            *n = w & LOW_MASK;
            return TIX_OK;
        }
        if (w == 0 || (!pid_alive(w & LOW_MASK) && spins > 100)) {
            int rc = claim_freeze(v, w);
            if (rc) return rc;
            continue;
        }
        if (spins > 100000)
            return tix__err(TIX_EBUSY, "waiting room stuck shuffling");
        struct timespec ts = {0, 20000};
        nanosleep(&ts, NULL);
    }
}

/* One Feistel network on 2 * @p half bits, six rounds of SipHash. */
static uint64_t feistel(const uint8_t key[16], unsigned half, uint64_t x)
{
    const uint64_t mask = (1ull << half) - 1;
    uint64_t l = x >> half, r = x & mask;
    for (uint8_t round = 0; round < 6; round++) {
        uint8_t in[5] = {(uint8_t)r, (uint8_t)(r >> 8), (uint8_t)(r >> 16),
                         (uint8_t)(r >> 24), round};
        uint8_t out[8];
        crypto_shorthash(out, in, sizeof in, key);
        uint64_t f;
        memcpy(&f, out, 8);
        uint64_t t = r;
        r = l ^ (f & mask);
        l = t;
    }
    return (l << half) | r;
}

/* The place of pre-queue slot @p s among @p n: a permutation of [0, n)
 * by cycle walking (the network permutes [0, 4^half) with 4^half < 4n,
 * so a few steps at most on average). */
static uint64_t shuffled(const uint8_t key[16], uint64_t n, uint64_t s)
{
    if (n <= 1) return s;
    unsigned bits = 64 - (unsigned)__builtin_clzll(n - 1);
    unsigned half = (bits + 1) / 2;
    uint64_t x = s;
    do x = feistel(key, half, x);
    while (x >= n);
    return x;
}

static uint64_t position(const uint8_t key[16], uint64_t n, uint64_t slot)
{
    return slot < n ? shuffled(key, n, slot) : slot;
}

static uint64_t admitted(const tix__queue_view *v, int64_t now)
{
    const tix__queue_rec *r = &v->rec;
    if (now < r->cfg.onsale) return 0;
    uint64_t a = r->admit_base +
                 atomic_load_explicit(&v->words[W_ADMIT], memory_order_acquire);
    if (now > r->rate_from) a += (uint64_t)r->cfg.rate * (uint64_t)(now - r->rate_from);
    return a;
}

static _Atomic uint32_t *slot_word(const tix__queue_view *v, uint64_t slot)
{
    return (_Atomic uint32_t *)(v->words + W_SLOTS) + slot;
}

/* ---- tickets ---------------------------------------------------------- */

static uint64_t ticket_mac(tix_db *db, const tix__queue_view *v, tix_id show,
                           uint32_t slot)
{
    /* The map's tag seed mixes the seats.map file's own secret: a ticket
     * dies with the file it was issued in (a rebuilt file restarts the
     * tail, and its slot would name someone else). */
    uint8_t in[3 + 8 + 8 + 4 + 8], out[8];
    memcpy(in, "tq1", 3);
    tix__be64_put(in + 3, show);
    tix__be64_put(in + 11, v->rec.qid);
    tix__be32_put(in + 19, slot);
    tix__be64_put(in + 23, db->engine->map.tag_seed);
    crypto_shorthash(out, in, sizeof in, v->mac_key);
    uint64_t m;
    memcpy(&m, out, 8);
    return m;
}

static void ticket_print(tix_db *db, const tix__queue_view *v, tix_id show,
                         uint32_t slot, char *buf)
{
    uint8_t bin[TICKET_BIN];
    tix__be64_put(bin, show);
    tix__be32_put(bin + 8, slot);
    uint64_t m = ticket_mac(db, v, show, slot);
    memcpy(bin + 12, &m, 8);
    buf[0] = 'Q';
    buf[1] = '1';
    sodium_bin2base64(buf + 2, TIX_QUEUE_TICKET_MAX - 2, bin, sizeof bin,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

/* Parses the form of a ticket: its show, slot and MAC. */
static int ticket_parse(const char *s, tix_id *show, uint32_t *slot,
                        uint64_t *mac)
{
    if (!s) return tix__err(TIX_EINVAL, "queue ticket is NULL");
    uint8_t bin[TICKET_BIN];
    size_t len = 0;
    const char *end = NULL;
    if (strnlen(s, TICKET_LEN + 1) != TICKET_LEN || s[0] != 'Q' || s[1] != '1' ||
        sodium_base642bin(bin, sizeof bin, s + 2, TICKET_LEN - 2, NULL, &len,
                          &end, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
        len != sizeof bin || end != s + TICKET_LEN)
        return tix__err(TIX_EBADCODE, "not a queue ticket");
    *show = tix__be64_get(bin);
    *slot = tix__be32_get(bin + 8);
    memcpy(mac, bin + 12, 8);
    return TIX_OK;
}

/* Checks a parsed ticket against the show's queue. */
static int ticket_check(tix_db *db, const tix__queue_view *v, tix_id show,
                        uint32_t slot, uint64_t mac)
{
    uint64_t want = ticket_mac(db, v, show, slot);
    if (sodium_memcmp(&want, &mac, 8) != 0 || slot >= joined_count(v))
        return tix__err(TIX_EBADCODE, "queue ticket was not issued by this "
                                      "waiting room (edited, of a removed "
                                      "queue, or from before seats.map was "
                                      "rebuilt)");
    return TIX_OK;
}

/* Where a valid ticket stands at @p now. */
static int ticket_status(const tix__queue_view *v, uint32_t slot, int64_t now,
                         int64_t epoch, tix_queue_place *st)
{
    uint64_t n;
    uint8_t key[16];
    int rc = frozen(v, now, &n, key);
    if (rc) return rc;
    const tix__queue_rec *r = &v->rec;
    if (n == UINT64_MAX) {
        st->state = TIX_QUEUE_PREQUEUE;
        st->wait = r->cfg.onsale - now;
        return TIX_OK;
    }
    st->position = position(key, n, slot);
    uint64_t a = admitted(v, now);
    if (st->position >= a) {
        st->state = TIX_QUEUE_WAITING;
        st->ahead = st->position - a;
        st->wait = r->cfg.rate ? (int64_t)((st->ahead + r->cfg.rate) / r->cfg.rate)
                               : -1;
        return TIX_OK;
    }
    st->state = TIX_QUEUE_ADMITTED;
    uint32_t used = atomic_load_explicit(slot_word(v, slot), memory_order_acquire);
    if (r->cfg.window && used >= SLOT_USED) {
        st->window_end = epoch + (int64_t)(used - SLOT_USED) + r->cfg.window;
        if (now >= st->window_end) st->state = TIX_QUEUE_EXPIRED;
    }
    return TIX_OK;
}

/* ---- the hold path ---------------------------------------------------- */

/* An admitted ticket's first hold starts its window: one CAS, so it
 * starts once whoever races. */
static void mark_used(tix_db *db, const tix__queue_view *v, uint32_t slot,
                      int64_t now)
{
    _Atomic uint32_t *w = slot_word(v, slot);
    uint32_t seen = atomic_load_explicit(w, memory_order_acquire);
    uint32_t mine = SLOT_USED + tix__seatmap_time(&db->engine->map, now);
    while (seen < SLOT_USED && !atomic_compare_exchange_weak(w, &seen, mine)) {
    }
}

static int admission(tix_db *db, const tix__show_entry *e,
                     const tix__queue_view *v, const char *ticket, int64_t now)
{
    tix_id show;
    uint32_t slot;
    uint64_t mac;
    if (!ticket)
        return tix__err(TIX_EPERM, "show %llu sells through its waiting room: "
                                   "the hold needs an admitted queue ticket",
                        (unsigned long long)e->info.id);
    int rc = ticket_parse(ticket, &show, &slot, &mac);
    if (rc) return rc;
    if (show != e->info.id)
        return tix__err(TIX_EINVAL, "queue ticket is for show %llu, not %llu",
                        (unsigned long long)show,
                        (unsigned long long)e->info.id);
    if ((rc = ticket_check(db, v, show, slot, mac))) return rc;
    tix_queue_place st = {0};
    const int64_t epoch = db->engine->map.epoch;
    if ((rc = ticket_status(v, slot, now, epoch, &st))) return rc;
    if (st.state == TIX_QUEUE_PREQUEUE)
        return tix__err(TIX_EAGAIN, "the sale opens in %lld s",
                        (long long)st.wait);
    if (st.state == TIX_QUEUE_WAITING)
        return tix__err(TIX_EAGAIN, "queue ticket not admitted yet: %llu ahead",
                        (unsigned long long)st.ahead);
    if (st.state == TIX_QUEUE_EXPIRED)
        return tix__err(TIX_EEXPIRED, "queue ticket's shopping window ended");
    mark_used(db, v, slot, now);
    return TIX_OK;
}

int tix__queue_check(tix_db *db, const tix__show_entry *e, const char *ticket,
                     int box_office, int64_t now)
{
    const tix__queue_view *v;
    int rc = view_get(db, e, &v);
    if (rc || !v->queued || box_office) return rc;
    return admission(db, e, v, ticket, now);
}

/* ---- the public calls ------------------------------------------------- */

static int check_config(const tix_queue_config *c)
{
    if (c->capacity == 0 || c->capacity > TIX_QUEUE_CAPACITY_MAX)
        return tix__err(TIX_ERANGE, "capacity %u not in 1..%u", c->capacity,
                        TIX_QUEUE_CAPACITY_MAX);
    if (c->rate > RATE_MAX)
        return tix__err(TIX_ERANGE, "rate %u above %u a second", c->rate,
                        RATE_MAX);
    if (c->window > WINDOW_MAX)
        return tix__err(TIX_ERANGE, "window %u above %u s", c->window,
                        WINDOW_MAX);
    if (c->onsale < 946684800 || c->onsale >= 4102444800)
        return tix__err(TIX_ERANGE, "onsale %lld not in 2000..2100",
                        (long long)c->onsale);
    return TIX_OK;
}

typedef struct set_arg {
    tix_id show;
    const tix_queue_config *cfg;
    int64_t now;
} set_arg;

static int queue_create(tix_db *db, MDB_txn *txn, const set_arg *a,
                        const tix__show_info *info, tix__queue_rec *r)
{
    memset(r, 0, sizeof *r);
    r->cfg = *a->cfg;
    r->rate_from = a->cfg->onsale;
    int rc = tix__db_next_id(db, txn, TIX_T_QUEUES, &r->qid);
    if (rc == 0)
        rc = tix__region_alloc(db, txn, TIX__QUEUE_REGION_BIT | r->qid,
                               info->end, region_words(r->cfg.capacity),
                               &r->base);
    uint64_t words = r->base + TIX_REGION_HDR_WORDS + region_words(r->cfg.capacity);
    if (rc == 0 && words > (db->engine->map.reserve - TIX_MAP_HEADER_SIZE) / 8)
        rc = tix__err(TIX_EFULL, "seats.map reserve has no room for a queue "
                                 "of %u", r->cfg.capacity);
    return rc;
}

/* A change keeps what was admitted: a new rate counts from now. */
static int queue_change(const set_arg *a, tix__queue_rec *r)
{
    const tix_queue_config *c = a->cfg;
    if (c->capacity != r->cfg.capacity)
        return tix__err(TIX_ESTATE, "a waiting room's capacity is fixed (%u); "
                                    "remove it and set it again",
                        r->cfg.capacity);
    int started = a->now >= r->cfg.onsale;
    if (c->onsale != r->cfg.onsale && started)
        return tix__err(TIX_ESTATE, "the on-sale has passed: the pre-queue is "
                                    "shuffled");
    if (started) {
        if (a->now > r->rate_from)
            r->admit_base += (uint64_t)r->cfg.rate * (uint64_t)(a->now - r->rate_from);
        r->rate_from = a->now;
    } else {
        r->rate_from = c->onsale;
        r->admit_base = 0;
    }
    r->cfg = *c;
    return TIX_OK;
}

static int set_fn(tix_db *db, MDB_txn *txn, void *arg)
{
    const set_arg *a = arg;
    tix__show_info info;
    int rc = tix__show_read(db, txn, a->show, &info);
    if (rc == TIX_ENOTFOUND)
        return tix__err(rc, "show %llu does not exist", (unsigned long long)a->show);
    if (rc) return rc;
    if (a->now >= info.end)
        return tix__err(TIX_ESTATE, "show %llu has ended",
                        (unsigned long long)a->show);
    tix__queue_rec r;
    rc = rec_read(db, txn, a->show, &r);
    if (rc == TIX_ENOTFOUND) rc = queue_create(db, txn, a, &info, &r);
    else if (rc == 0) rc = queue_change(a, &r);
    if (rc) return rc;
    tix_enc e;
    if ((rc = rec_encode(&r, &e)) == 0)
        rc = tix__db_put_id(db, txn, TIX_T_QUEUES, a->show, &e, "queue");
    tix__enc_free(&e);
    return rc;
}

/* Every process reads its views again at its next look. */
static void bump_gen(tix_db *db)
{
    atomic_fetch_add_explicit(tix__seatmap_queue_gen(&db->engine->map), 1,
                              memory_order_release);
}

int tix_queue_set(tix_db *db, tix_id show_id, const tix_queue_config *cfg)
{
    TIX__ARG(db);
    TIX__ARG(cfg);
    if (!db->engine)
        return tix__err(TIX_EPERM, "waiting rooms need a read-write store");
    int rc = check_config(cfg);
    if (rc) return rc;
    set_arg a = {show_id, cfg, tix_db_now(db)};
    if ((rc = tix__db_write(db, set_fn, &a))) return rc;
    bump_gen(db);
    /* Touch the region now, so the file grows here and not at a join. */
    const tix__show_entry *e;
    const tix__queue_view *v;
    return queue_of(db, show_id, a.now, &e, &v);
}

static int remove_fn(tix_db *db, MDB_txn *txn, void *arg)
{
    tix_id show = *(const tix_id *)arg;
    tix__queue_rec r;
    int rc = rec_read(db, txn, show, &r);
    if (rc == TIX_ENOTFOUND)
        return tix__err(rc, "show %llu has no waiting room",
                        (unsigned long long)show);
    if (rc) return rc;
    uint8_t k[8];
    tix__be64_put(k, show);
    /* Its region stays allocated until the show's is reclaimed. */
    return tix__db_del(db, txn, TIX_T_QUEUES, k, 8, "queue");
}

int tix_queue_remove(tix_db *db, tix_id show_id)
{
    TIX__ARG(db);
    if (!db->engine)
        return tix__err(TIX_EPERM, "waiting rooms need a read-write store");
    int rc = tix__db_write(db, remove_fn, &show_id);
    if (rc == 0) bump_gen(db);
    return rc;
}

int tix_queue_get(tix_db *db, tix_id show_id, tix_queue_info *out)
{
    TIX__ARG(out);
    memset(out, 0, sizeof *out);
    TIX__ARG(db);
    const tix__show_entry *e = NULL;
    const tix__queue_view *v = NULL;
    int64_t now = tix_db_now(db);
    int rc = queue_of(db, show_id, now, &e, &v);
    if (rc == TIX_ESTATE && v && !v->queued)
        rc = tix__err(TIX_ENOTFOUND, "show %llu has no waiting room",
                      (unsigned long long)show_id);
    uint64_t n = 0;
    uint8_t key[16];
    if (rc == 0) rc = frozen(v, now, &n, key);
    if (rc) return rc;
    sodium_memzero(key, sizeof key);
    out->show_id = show_id;
    out->config = v->rec.cfg;
    out->joined = joined_count(v);
    out->shuffled = n != UINT64_MAX;
    out->prequeue = out->shuffled ? n : 0;
    out->admitted = admitted(v, now);
    return TIX_OK;
}

int tix_queue_join(tix_db *db, tix_id show_id, char *buf, size_t cap)
{
    TIX__ARG(db);
    TIX__ARG(buf);
    if (cap < TIX_QUEUE_TICKET_MAX)
        return tix__err(TIX_ETOOLONG, "buffer of %zu bytes, need %d", cap,
                        TIX_QUEUE_TICKET_MAX);
    buf[0] = '\0';
    const tix__show_entry *e;
    const tix__queue_view *v;
    int64_t now = tix_db_now(db);
    int rc = queue_of(db, show_id, now, &e, &v);
    if (rc == 0 && now >= e->info.end)
        rc = tix__err(TIX_ESTATE, "show %llu has ended",
                      (unsigned long long)show_id);
    /* From on-sale on, a join finds the pre-queue shuffled, so it can only
     * queue behind it. */
    uint64_t n;
    uint8_t key[16];
    if (rc == 0) rc = frozen(v, now, &n, key);
    if (rc) return rc;
    uint64_t slot = atomic_fetch_add_explicit(&v->words[W_TAIL], 1,
                                              memory_order_acq_rel);
    if (slot >= v->rec.cfg.capacity)
        return tix__err(TIX_EFULL, "the waiting room of show %llu is full (%u)",
                        (unsigned long long)show_id, v->rec.cfg.capacity);
    atomic_store_explicit(slot_word(v, slot), SLOT_JOINED, memory_order_release);
    ticket_print(db, v, show_id, (uint32_t)slot, buf);
    return TIX_OK;
}

int tix_queue_status(tix_db *db, const char *ticket, tix_queue_place *out)
{
    TIX__ARG(out);
    memset(out, 0, sizeof *out);
    TIX__ARG(db);
    tix_id show;
    uint32_t slot;
    uint64_t mac;
    int rc = ticket_parse(ticket, &show, &slot, &mac);
    if (rc) return rc;
    const tix__show_entry *e;
    const tix__queue_view *v = NULL;
    int64_t now = tix_db_now(db);
    rc = queue_of(db, show, now, &e, &v);
    if (rc == TIX_ENOTFOUND || (rc == TIX_ESTATE && v && !v->queued))
        rc = tix__err(TIX_EBADCODE, "not a ticket of a waiting room of this store");
    if (rc == 0) rc = ticket_check(db, v, show, slot, mac);
    tix_queue_place st = {0};
    if (rc == 0) rc = ticket_status(v, slot, now, db->engine->map.epoch, &st);
    if (rc) return rc;
    st.show_id = show;
    *out = st;
    return TIX_OK;
}

int tix_queue_admit(tix_db *db, tix_id show_id, uint32_t n)
{
    TIX__ARG(db);
    if (n == 0 || n > ADMIT_MAX)
        return tix__err(TIX_ERANGE, "admit %u not in 1..%u", n, ADMIT_MAX);
    const tix__show_entry *e;
    const tix__queue_view *v;
    int64_t now = tix_db_now(db);
    int rc = queue_of(db, show_id, now, &e, &v);
    if (rc) return rc;
    if (now < v->rec.cfg.onsale)
        return tix__err(TIX_ESTATE, "the on-sale of show %llu is %lld s ahead",
                        (unsigned long long)show_id,
                        (long long)(v->rec.cfg.onsale - now));
    atomic_fetch_add_explicit(&v->words[W_ADMIT], n, memory_order_acq_rel);
    return TIX_OK;
}
