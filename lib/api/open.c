/* Opening and closing a store: the store layer and the subsystems that
 * layers above it attach to the handle, from one table opened in order and
 * closed in reverse (nginx modules' init/exit hooks, in a table). The
 * store never calls up into them; they register what they need to hear
 * (lib/store/db.h, transaction observers). */
#include <pthread.h>
#include <stddef.h>

#include "commit.h"
#include "db.h"
#include "engine.h"
#include "error.h"
#include "tables.h"
#include "journal.h"
#include "movie.h"
#include "nearby.h"
#include "outbox.h"
#include "refs.h"
#include "repl.h"
#include "review.h"
#include "booking.h"
#include "search.h"
#include "tz.h"
#include "venue.h"

typedef struct subsystem {
    const char *name;
    int (*open)(tix_db *db);   /* NULL: nothing to open */
    void (*close)(tix_db *db); /* NULL: nothing to close; safe on a
                                  half-opened handle */
} subsystem;

/* Order matters: the journal recovers data.mdb before LMDB opens it, and
 * replays into it (tix__db_write) once the tables are open; the committer
 * stops before the engine whose seat words it settles, and the journal
 * flushes LMDB before LMDB closes. tix__journal_close is idempotent, so it
 * closes the journal whether or not it got to start. */
static int tz_open(tix_db *db) { return tix__tz_cache_open(&db->tz); }

static void tz_close(tix_db *db)
{
    tix__tz_cache_close(db->tz);
    db->tz = NULL;
}

static const subsystem subsystems[] = {
    {"time zones", tz_open, tz_close},
    {"outbox notifier", tix__outbox_notify_init, tix__outbox_notify_destroy},
    {"journal recovery", tix__journal_open, tix__journal_close},
    {"LMDB", tix__db_env_open, tix__db_env_close},
    {"journal", tix__journal_start, tix__journal_close},
    {"seat engine", tix__engine_open, tix__engine_close},
    /* After the engine: a follower repairs the seat words it applies. */
    {"replication", tix__repl_open, tix__repl_close},
    {"group committer", NULL, tix__committer_stop},
};
#define N_SUBSYSTEMS (sizeof subsystems / sizeof subsystems[0])

/* What the layers above hand the ones below, once for the process (plain
 * functions and data, the same for every store): the schema's tables to
 * the store, the derived indexes to the catalog. */
static pthread_once_t hooks_once = PTHREAD_ONCE_INIT;

static void register_hooks(void)
{
    tix__schema_register();
    tix__movie_on_title(tix__search_index_title);
    tix__venue_on_move(tix__nearby_index);
    tix__rec_on_delete(tix__refs_catalog);
    tix__rec_on_delete(tix__booking_refs);
    tix__rec_on_delete(tix__review_refs);
}

static void close_from(tix_db *db, size_t n)
{
    while (n-- > 0)
        if (subsystems[n].close) subsystems[n].close(db);
}

int tix_db_open(const char *path, const tix_config *cfg, tix_db **out)
{
    TIX__ARG(out);
    *out = NULL;
    pthread_once(&hooks_once, register_hooks);
    tix_db *db;
    int rc = tix__db_new(path, cfg, &db);
    if (rc) return rc;
    size_t i = 0;
    for (; i < N_SUBSYSTEMS; i++)
        if (subsystems[i].open && (rc = subsystems[i].open(db))) break;
    if (rc) {
        close_from(db, i + 1); /* the failed one too: it may be half open */
        tix__db_free(db);
        return rc;
    }
    *out = db;
    return TIX_OK;
}

void tix_db_close(tix_db *db)
{
    if (!db) return;
    tix__db_batch_abandon(db); /* this thread's batch, if it left one open */
    close_from(db, N_SUBSYSTEMS);
    tix__db_free(db);
}

int tix_db_sync(tix_db *db)
{
    TIX__ARG(db);
    if (db->readonly) return TIX_OK;
    /* A journal snapshot takes the write lock the batch holds. */
    int rc = tix__db_batch_refuse(db, "tix_db_sync");
    if (rc) return rc;
    if (db->cfg.durability == TIX_SYNC_JOURNAL) return tix__journal_sync(db);
    return tix__db_env_sync(db);
}
