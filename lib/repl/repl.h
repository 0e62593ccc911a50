/* Replication through NATS JetStream (docs/replication.md).
 *
 * Why JetStream and not a protocol of our own: its streams are replicated
 * by Raft, and a publish can name the sequence it expects the stream to be
 * at. The primary publishes each write transaction's redo record (the
 * store's encoding, lib/store/redo.h) from the transaction's precommit with
 * ExpectLastSeq = the sequence its store holds, and commits locally only
 * after the acknowledgement: a primary that lost its place has its writes
 * refused by the stream (JetStream error 10071), so two primaries can never
 * both sell a seat. The group committer's batch is one transaction, so one
 * publish per batch.
 *
 * A record is {magic "TIXREPL1", store identity[16], seq u64, len u64,
 * XXH3 of all that and the operations} then len bytes of operations. The
 * sequence it carries must be the stream's sequence of its message and
 * follow the follower's last one; the identity must be the follower's (a
 * follower is seeded from a backup of the primary, so it has the same).
 * The last sequence a store holds is the META key "repl.seq", written in
 * the same transaction as the record's changes. */
#ifndef TIX_LIB_REPL_H
#define TIX_LIB_REPL_H

#include "db.h"

/* After the seat engine opened (lib/api/open.c): with cfg.repl_urls set,
 * connects, creates the stream and lease bucket if missing, takes the
 * lease (a primary), registers the observer and applies what the stream
 * holds beyond the store. Nothing to do otherwise. */
int tix__repl_open(tix_db *db);
/* Stops renewing and gives up the lease, disconnects. Safe half-opened. */
void tix__repl_close(tix_db *db);

#ifdef TIX_HAVE_NATS
#include <nats/nats.h>
/* For the change feed (feed.c), which shares the store's connection: the
 * connection, the stream's name, its replicas and the ack timeout. Only
 * with db->repl set. */
natsConnection *tix__repl_conn(tix_db *db, const char **stream,
                               unsigned *replicas, uint32_t *timeout_ms);
/* Where the feed keeps its state; @p destroy frees it at close. */
void **tix__repl_feed_slot(tix_db *db, void (*destroy)(void *));
#endif

#endif
