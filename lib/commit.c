/* Group commit: a queue, one committer thread per store, one write
 * transaction per batch, then the seat words move to their final state. */
#include "commit.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "error.h"

struct tix_committer {
    pthread_mutex_t mu;
    pthread_cond_t work; /* queue became non-empty or stop */
    pthread_cond_t done; /* some confirm finished */
    tix_confirm *head, *tail;
    int stop;
    pthread_t thread;
    uint64_t batches, confirms, max_batch;
};

void tix__confirm_unref(tix_confirm *c)
{
    if (c && atomic_fetch_sub(&c->refs, 1) == 1) free(c);
}

/* ---- after the transaction: move words, report ------------------------ */

static void revert_words(tix_confirm *c)
{
    for (uint32_t i = 0; i < c->n; i++) {
        uint64_t w = c->confirming;
        tix__w_cas(&c->e->seats[c->seats[i]], &w, c->prev[i]);
    }
}

static void finish_words(tix_confirm *c)
{
    if (c->result == TIX_OK && !c->dup) {
        uint64_t booked = tix__w_make(TIX_W_BOOKED, 0, (uint32_t)c->booking_id);
        /* Settle, not a plain CAS: if our lease ran out before the commit
         * landed, the word was repaired to FREE meanwhile (see
         * tix__w_settle); the booking is committed, so it must read BOOKED. */
        for (uint32_t i = 0; i < c->n; i++)
            tix__w_settle(&c->e->seats[c->seats[i]], c->confirming, booked);
        return;
    }
    revert_words(c);
    if (c->result == TIX_ECONFLICT && c->conflict_booking) {
        /* seats.map thought the seat free but LMDB has it booked: heal the
         * word so nobody else is offered it. */
        uint64_t w = tix__w_load(&c->e->seats[c->conflict_seat]);
        uint64_t truth = c->conflict_booking == TIX_SEAT_STATE_BLOCKED
                             ? tix__w_make(TIX_W_BLOCKED, 0, 0)
                             : tix__w_make(TIX_W_BOOKED, 0,
                                           (uint32_t)c->conflict_booking);
        if (tix__w_state(w) != TIX_W_CONFIRMING)
            tix__w_cas(&c->e->seats[c->conflict_seat], &w, truth);
    }
}

static int batch_write(tix_db *db, MDB_txn *txn, void *arg)
{
    for (tix_confirm *c = arg; c; c = c->next) {
        c->result = TIX_OK;
        c->dup = 0;
        c->booking_id = 0;
        c->conflict_booking = 0;
        c->errmsg[0] = '\0';
        int rc = tix__confirm_write(db, txn, c);
        if (rc) return rc;
    }
    return TIX_OK;
}

static void run_batch(tix_db *db, struct tix_committer *cm, tix_confirm *batch)
{
    uint64_t n = 0;
    for (tix_confirm *c = batch; c; c = c->next) n++;
    int rc = tix__write(db, batch_write, batch);
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
    for (tix_confirm *c = batch, *next; c; c = next) {
        next = c->next;
        atomic_store_explicit(&c->done, 1, memory_order_release);
        tix__confirm_unref(c);
    }
    pthread_cond_broadcast(&cm->done);
    pthread_mutex_unlock(&cm->mu);
}

static void *committer_main(void *arg)
{
    tix_db *db = arg;
    struct tix_committer *cm = db->engine->committer;
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
    if (!en->committer) {
        struct tix_committer *cm = calloc(1, sizeof *cm);
        if (!cm) {
            rc = tix__err(TIX_ENOMEM, "out of memory");
        } else {
            pthread_mutex_init(&cm->mu, NULL);
            pthread_cond_init(&cm->work, NULL);
            pthread_condattr_t ca;
            pthread_condattr_init(&ca);
            pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
            pthread_cond_init(&cm->done, &ca);
            pthread_condattr_destroy(&ca);
            en->committer = cm;
            if (pthread_create(&cm->thread, NULL, committer_main, db) != 0) {
                en->committer = NULL;
                free(cm);
                rc = tix__err(TIX_ENOMEM, "cannot start the committer thread");
            }
        }
    }
    pthread_mutex_unlock(&en->lock);
    return rc;
}

int tix__committer_submit(tix_db *db, tix_confirm *c)
{
    if (!db->engine->committer) {
        int rc = committer_start(db);
        if (rc) return rc;
    }
    struct tix_committer *cm = db->engine->committer;
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
    if (atomic_load_explicit(&c->done, memory_order_acquire)) return TIX_OK;
    struct tix_committer *cm = db->engine->committer;
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
    int rc = TIX_OK;
    pthread_mutex_lock(&cm->mu);
    while (!atomic_load_explicit(&c->done, memory_order_acquire)) {
        if (timeout_ms < 0) {
            pthread_cond_wait(&cm->done, &cm->mu);
        } else if (pthread_cond_timedwait(&cm->done, &cm->mu, &until) ==
                   ETIMEDOUT) {
            if (!atomic_load(&c->done)) rc = TIX_ETIMEDOUT;
            break;
        }
    }
    pthread_mutex_unlock(&cm->mu);
    return rc == TIX_OK ? rc : tix__err(rc, "confirm still in flight");
}

void tix__committer_stop(tix_db *db)
{
    struct tix_committer *cm = db->engine ? db->engine->committer : NULL;
    if (!cm) return;
    pthread_mutex_lock(&cm->mu);
    cm->stop = 1;
    pthread_cond_signal(&cm->work);
    pthread_mutex_unlock(&cm->mu);
    pthread_join(cm->thread, NULL);
    pthread_mutex_destroy(&cm->mu);
    pthread_cond_destroy(&cm->work);
    pthread_cond_destroy(&cm->done);
    free(cm);
    db->engine->committer = NULL;
}

void tix__committer_stats(tix_db *db, uint64_t *batches, uint64_t *confirms,
                          uint64_t *max_batch)
{
    struct tix_committer *cm = db->engine ? db->engine->committer : NULL;
    *batches = *confirms = *max_batch = 0;
    if (!cm) return;
    pthread_mutex_lock(&cm->mu);
    *batches = cm->batches;
    *confirms = cm->confirms;
    *max_batch = cm->max_batch;
    pthread_mutex_unlock(&cm->mu);
}
