/* The redo journal behind TIX_SYNC_JOURNAL.
 *
 * Why: an LMDB commit flushes twice and writes ~3.4 scattered pages per
 * confirm (copy-on-write of leaves with random keys); on the benchmark
 * machine that made durable confirms slower than Redis's one appended AOF
 * line. In journal mode LMDB runs with MDB_NOSYNC and every write
 * transaction first appends its puts and deletes (a redo record) to the
 * file `journal` and flushes only that: one small sequential flush per
 * group-committed batch.
 *
 * Why nothing acknowledged is lost:
 *  - a process crash (kill -9, abort) keeps every LMDB write in the page
 *    cache, so LMDB is consistent; replay adds the records it lacks;
 *  - a machine crash can leave the unflushed LMDB torn. So a background
 *    thread copies LMDB to `snapshot.mdb` now and then (a consistent
 *    read-transaction copy, flushed, renamed into place) and records in
 *    the journal header the txnid the copy holds and where replay starts.
 *    The header also names the boot (kernel boot id) the store was written
 *    in; an open in another boot puts the snapshot back, then replays.
 * Records carry their LMDB txnid, this open's random "life" nonce and a
 * checksum; replay stops at the first record that is torn, stale or out of
 * sequence. A clean close flushes LMDB and marks the journal clean.
 *
 * Journal mode needs the store to itself: every read-write open takes a
 * flock on `journal` (exclusive in journal mode, shared otherwise), so a
 * process in another mode gets TIX_EBUSY instead of writing around the
 * journal. Any open finds and replays a journal left by a crash. */
#ifndef TIX_LIB_JOURNAL_H
#define TIX_LIB_JOURNAL_H

#include "db.h"

/* Before LMDB is opened: opens and locks `journal`; after a machine
 * crash puts the snapshot back in place of data.mdb. */
int tix__journal_open(tix_db *db);

/* After LMDB and the tables are open: replays what a crash left, then in
 * journal mode takes the first snapshot and starts the snapshot thread;
 * in other modes marks the journal clean. */
int tix__journal_start(tix_db *db);

/* At close: stops the snapshot thread, flushes LMDB and marks the journal
 * clean, and releases everything. Safe on a half-opened store. */
void tix__journal_close(tix_db *db);

/* Takes a snapshot now (tix_db_sync in journal mode). */
int tix__journal_sync(tix_db *db);

/* The write path: tix__journal_open registers the journal as a store
 * transaction observer (lib/store/db.h). It holds its writer mutex from before
 * mdb_txn_begin to after the record is settled (LMDB releases its writer
 * lock inside mdb_txn_commit, and the next writer must not see the ring
 * before the last one has settled its record); logs every change; before
 * mdb_txn_commit appends the redo record and flushes the journal (a
 * failure aborts the transaction); after it, makes the record count or
 * wipes it. */

/* Checkpoints this handle made (tix_db_stat, tests). */
uint64_t tix__journal_checkpoints(const tix_db *db);

/* Whether the journal of the closed store in @p store_dir holds records a
 * crash left (its data.mdb alone is not the store's state). 0 when there is
 * no journal. */
int tix__journal_pending(const char *store_dir);

/* ---- for tests ----------------------------------------------------------
 * Ring size and snapshot threshold of journals opened from now on (0 =
 * default). Not thread-safe: call before opening. */
void tix__journal_tune(uint64_t ring_bytes, uint64_t snap_bytes);
/* Makes the journal of a closed store look written before another boot,
 * as after a power cut: the next open restores the snapshot. */
int tix__journal_test_forget_boot(const char *store_dir);
/* The journal header: *active (needs recovery), the snapshot's txnid and
 * where replay starts. */
int tix__journal_test_state(const char *store_dir, int *active,
                            uint64_t *snap_txnid, uint64_t *replay_off);

#endif
