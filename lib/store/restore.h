/* Restoring a backup (tix_backup_restore in tix.h): the whole store
 * directory is replaced, never a file at a time.
 *
 * The backup's data.mdb is copied into a sibling directory
 * <parent>/.<name>.restore, opened read-only to prove it is a store of a
 * format this library reads, flushed, and then swapped with the store
 * directory in one renameat2(RENAME_EXCHANGE). Whatever mode left the old
 * store (a journal with records, snapshots, seats.map, lock.mdb), none of
 * its files reaches the new one, and a crash at any point leaves the store
 * directory whole, old or new: the sibling is always disposable, and the
 * next restore removes it.
 *
 * Nobody may have the store open. Every read-write handle holds a flock on
 * `journal` (journal.h), every LMDB reader a lock on lock.mdb, a read-only
 * handle without lock.mdb an OFD lock on data.mdb (db.c); restore takes the
 * journal's flock exclusively (read-write opens then fail with TIX_EBUSY)
 * and tests the other two. An open that raced the swap notices that its
 * path names another directory (tix__db_same_dir) and fails with
 * TIX_EBUSY rather than mixing the files of two stores. */
#ifndef TIX_LIB_RESTORE_H
#define TIX_LIB_RESTORE_H

/* ---- for tests: where a restore can be stopped ---- */
enum tix__restore_step {
    TIX__RESTORE_COPIED = 1, /* data.mdb copied, not yet validated */
    TIX__RESTORE_BUILT,      /* the new directory is complete and flushed */
    TIX__RESTORE_SWAPPED,    /* swapped, the old store not yet removed */
    TIX__RESTORE_DONE,       /* the old store removed */
};
/* @p fn is called at every step; a non-zero return before the swap makes
 * the restore fail there with TIX_EIO (after the swap it is ignored). A
 * test may also end the process in it to simulate a crash. NULL: none.
 * Not thread-safe: set it before restoring. */
void tix__restore_test_hook(int (*fn)(int step));

#endif
