/* Group commit: a queue, one committer thread per store, one write
 * transaction per batch, then the seat words move to their final state. */
#include "commit.h"

#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "error.h"

struct tix_committer {
    pthread_mutex_t mu;
    pthread_cond_t work; /* queue became non-empty or stop */
    tix_confirm *head, *tail;
    int stop;
    pthread_t thread;
    uint64_t batches, confirms, max_batch;
    tix_db *db;
};

static struct tix_committer *committer_of(tix_db *db)
{
    return db->engine ? atomic_load_explicit(&db->engine->committer,
                                             memory_order_acquire)
                      : NULL;
}

void tix__committer_unref(tix_confirm *c)
{
    if (c && atomic_fetch_sub(&c->refs, 1) == 1) free(c);
}

/* ---- completion: one futex per confirm ------------------------------- *
 * Each waiter sleeps on its own confirm's done word and the committer wakes
 * exactly the confirms of the batch it finished. A shared condition
 * variable with a broadcast woke every waiting client on every batch: with
 * 256 clients in a flash sale that was 256 context switches per batch,
 * most of them only to go back to sleep; perf put half the samples of a
 * confirm run in the kernel, a quarter in scheduling and wake-ups. */

static long futex_call(_Atomic int *word, int op, int val,
                       const struct timespec *abs_monotonic)
{
    return syscall(SYS_futex, (int *)word, op, val, abs_monotonic, NULL,
                   FUTEX_BITSET_MATCH_ANY);
}

static void confirm_mark_done(tix_confirm *c)
{
    if (atomic_exchange_explicit(&c->done, TIX__CONFIRM_DONE,
                                 memory_order_release) == TIX__CONFIRM_SLEEPING)
        futex_call(&c->done, FUTEX_WAKE_BITSET | FUTEX_PRIVATE_FLAG, INT_MAX,
                   NULL);
}

/* ---- after the transaction: move words, report ------------------------ */

static void revert_words(tix_confirm *c)
{
    for (uint32_t i = 0; i < c->n; i++) {
        uint64_t w = c->confirming;
        tix__w_cas(&c->e->seats[c->seats[i]], &w, c->prev[i]);
        tix__engine_hint_clear(c->e, c->seats[i]);
    }
}

/* LMDB refused the confirm: seats.map thought a seat free that LMDB has
 * booked or blocked (a seats.map rebuilt by another process, or a word
 * left stale after a lease ran out). Heal the words so nobody else is
 * offered them -- every seat of ours that LMDB has taken, not only
 * c->conflict_seat, the first one the batch found: we took them all, so
 * they may all be wrong. One read after the commit gives the truth of
 * each; seats LMDB has free are left as they are. Best effort: a failed
 * read leaves the words to the next confirm that meets them. */
static void heal_taken_seats(tix_confirm *c)
{
    MDB_txn *txn;
    if (tix__db_read_begin(c->db, &txn) != TIX_OK) return;
    for (uint32_t i = 0; i < c->n; i++) {
        uint64_t truth;
        if (tix__engine_truth(c->db, txn, c->e, c->seats[i], &truth) != TIX_OK)
            break;
        if (tix__w_state(truth) != TIX_W_BOOKED &&
            tix__w_state(truth) != TIX_W_BLOCKED)
            continue;
        tix_word *p = &c->e->seats[c->seats[i]];
        uint64_t w = tix__w_load(p);
        /* Only FREE and HELD words are wrong here. CONFIRMING: another
         * operation in flight, it consults LMDB; BOOKED/BLOCKED words come
         * from a settle or repair at least as new as our read. */
        while ((tix__w_state(w) == TIX_W_FREE || tix__w_state(w) == TIX_W_HELD) &&
               !tix__w_cas(p, &w, truth)) {
        }
    }
    tix__db_read_end(c->db, txn);
}

static void finish_words(tix_confirm *c)
{
    if (c->result == TIX_OK && !c->dup) {
        uint64_t booked = tix__w_make(TIX_W_BOOKED, 0, (uint32_t)c->booking_id);
        /* Settle, not a plain CAS: if our lease ran out before the commit
         * landed, the word was repaired to FREE meanwhile (see
         * tix__w_settle); the booking is committed, so it must read BOOKED. */
        for (uint32_t i = 0; i < c->n; i++)
            tix__w_settle(&c->e->seats[c->seats[i]], c->confirming,
                          c->prev[i], booked);
        return;
    }
    revert_words(c);
    if (c->result == TIX_ECONFLICT && c->conflict_booking)
        heal_taken_seats(c);
}

static int batch_write(tix_db *db, MDB_txn *txn, void *arg)
{
    for (tix_confirm *c = arg; c; c = c->next) {
        c->result = TIX_OK;
        c->dup = 0;
        c->booking_id = 0;
        c->conflict_booking = 0;
        c->errmsg[0] = '\0';
        int rc = c->write(db, txn, c);
        if (rc) return rc;
    }
    return TIX_OK;
}

struct group {
    tix_confirm *const *cs;
    size_t n;
};

static int group_write(tix_db *db, MDB_txn *txn, void *arg)
{
    const struct group *g = arg;
    for (size_t i = 0; i < g->n; i++) {
        tix_confirm *c = g->cs[i];
        c->next = NULL;
        int rc = batch_write(db, txn, c);
        if (rc) return rc;
        /* A refusal of one part aborts the transaction: nothing of the
         * parts before it may stay. */
        if (c->result) return tix__err(c->result, "%s", c->errmsg);
    }
    return TIX_OK;
}

int tix__committer_run_group(tix_db *db, tix_confirm *const *cs, size_t n)
{
    struct group g = {cs, n};
    int rc = tix__db_write(db, group_write, &g);
    char msg[256];
    snprintf(msg, sizeof msg, "%s", tix_errmsg());
    for (size_t i = 0; i < n; i++) {
        if (rc) {
            if (!cs[i]->result) cs[i]->result = rc;
            if (!cs[i]->errmsg[0]) snprintf(cs[i]->errmsg, sizeof cs[i]->errmsg, "%s", msg);
        }
        finish_words(cs[i]);
    }
    return rc ? tix__err(rc, "%s", msg) : TIX_OK;
}

static void run_batch(tix_db *db, struct tix_committer *cm, tix_confirm *batch)
{
    uint64_t n = 0;
    for (tix_confirm *c = batch; c; c = c->next) n++;
    int rc = tix__db_write(db, batch_write, batch);
    const char *msg = tix_errmsg();
    for (tix_confirm *c = batch; c; c = c->next) {
        if (rc) {
            c->result = rc;
            snprintf(c->errmsg, sizeof c->errmsg, "%s", msg);
        }
        finish_words(c);
    }
    pthread_mutex_lock(&cm->mu);
    cm->batches++;
    cm->confirms += n;
    if (n > cm->max_batch) cm->max_batch = n;
    pthread_mutex_unlock(&cm->mu);
    /* The committer's reference keeps c alive until after the wake. */
    for (tix_confirm *c = batch, *next; c; c = next) {
        next = c->next;
        confirm_mark_done(c);
        tix__committer_unref(c);
    }
}

static void *committer_main(void *arg)
{
    struct tix_committer *cm = arg;
    tix_db *db = cm->db;
    pthread_mutex_lock(&cm->mu);
    for (;;) {
        while (!cm->head && !cm->stop) pthread_cond_wait(&cm->work, &cm->mu);
        if (!cm->head) break; /* stopping and drained */
        tix_confirm *batch = cm->head;
        cm->head = cm->tail = NULL;
        pthread_mutex_unlock(&cm->mu);
        run_batch(db, cm, batch);
        pthread_mutex_lock(&cm->mu);
    }
    pthread_mutex_unlock(&cm->mu);
    return NULL;
}

static int committer_start(tix_db *db)
{
    struct tix_engine *en = db->engine;
    pthread_mutex_lock(&en->lock);
    int rc = TIX_OK;
    /* Under en->lock so only one thread starts it. It is published only
     * after pthread_create succeeded: other threads read the pointer
     * without the lock and start queueing onto it at once, so it must never
     * be taken back (and freed) once visible. */
    if (!atomic_load_explicit(&en->committer, memory_order_relaxed)) {
        struct tix_committer *cm = calloc(1, sizeof *cm);
        if (!cm) {
            rc = tix__err(TIX_ENOMEM, "out of memory");
        } else {
            pthread_mutex_init(&cm->mu, NULL);
            pthread_cond_init(&cm->work, NULL);
            cm->db = db;
            if (pthread_create(&cm->thread, NULL, committer_main, cm) != 0) {
                pthread_mutex_destroy(&cm->mu);
                pthread_cond_destroy(&cm->work);
                free(cm);
                rc = tix__err(TIX_ENOMEM, "cannot start the committer thread");
            } else {
                atomic_store_explicit(&en->committer, cm, memory_order_release);
            }
        }
    }
    pthread_mutex_unlock(&en->lock);
    return rc;
}

int tix__committer_submit(tix_db *db, tix_confirm *c)
{
    struct tix_committer *cm = committer_of(db);
    if (!cm) {
        int rc = committer_start(db);
        if (rc) return rc;
        cm = committer_of(db);
    }
    atomic_fetch_add(&c->refs, 1);
    c->next = NULL;
    pthread_mutex_lock(&cm->mu);
    if (cm->tail) cm->tail->next = c;
    else cm->head = c;
    cm->tail = c;
    pthread_cond_signal(&cm->work);
    pthread_mutex_unlock(&cm->mu);
    return TIX_OK;
}

int tix__committer_wait(tix_db *db, tix_confirm *c, int timeout_ms)
{
    (void)db;
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    if (timeout_ms >= 0) {
        until.tv_sec += timeout_ms / 1000;
        until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
    }
    /* Mark SLEEPING, then sleep while it still says so. FUTEX_WAIT_BITSET
     * takes an absolute CLOCK_MONOTONIC deadline, so spurious wake-ups and
     * EINTR simply loop. */
    for (;;) {
        int v = atomic_load_explicit(&c->done, memory_order_acquire);
        if (v == TIX__CONFIRM_DONE) return TIX_OK;
        if (v == TIX__CONFIRM_PENDING &&
            !atomic_compare_exchange_weak_explicit(
                &c->done, &v, TIX__CONFIRM_SLEEPING, memory_order_acquire,
                memory_order_acquire))
            continue;
        long r = futex_call(&c->done, FUTEX_WAIT_BITSET | FUTEX_PRIVATE_FLAG,
                            TIX__CONFIRM_SLEEPING,
                            timeout_ms < 0 ? NULL : &until);
        if (r == -1 && errno == ETIMEDOUT) {
            if (tix__confirm_is_done(c)) return TIX_OK;
            return tix__err(TIX_ETIMEDOUT, "confirm still in flight");
        }
    }
}

void tix__committer_stop(tix_db *db)
{
    struct tix_committer *cm = committer_of(db);
    if (!cm) return;
    pthread_mutex_lock(&cm->mu);
    cm->stop = 1;
    pthread_cond_signal(&cm->work);
    pthread_mutex_unlock(&cm->mu);
    pthread_join(cm->thread, NULL);
    pthread_mutex_destroy(&cm->mu);
    pthread_cond_destroy(&cm->work);
    free(cm);
    atomic_store_explicit(&db->engine->committer, NULL, memory_order_release);
}

int tix_db_commit_stats(tix_db *db, tix_commit_stats *out)
{
    if (!db || !out) return tix__err(TIX_EINVAL, "NULL argument");
    memset(out, 0, sizeof *out);
    struct tix_committer *cm = committer_of(db);
    if (!cm) return TIX_OK;
    pthread_mutex_lock(&cm->mu);
    out->batches = cm->batches;
    out->confirms = cm->confirms;
    out->max_batch = cm->max_batch;
    pthread_mutex_unlock(&cm->mu);
    return TIX_OK;
}
