/* Copying a store and making a directory entry durable: shared by the
 * online backup (tix_db_backup) and the journal's snapshots. */
#ifndef TIX_LIB_BACKUP_H
#define TIX_LIB_BACKUP_H

#include "db.h"

/* One consistent, compacted copy of LMDB into @p fd, under the
 * transaction lock (no map growth, which remaps LMDB, meanwhile).
 * Returns an LMDB/errno code; MDB_MAP_RESIZED: adopt the size, retry. */
int tix__backup_copy_store(tix_db *db, int fd);

/* fsync of directory @p dir, so a file created or renamed in it keeps
 * its name after a crash. Returns 0 or an errno value. */
int tix__backup_fsync_dir(const char *dir);

/* Copies file @p from to a new file @p to (0600; it must not exist) and
 * flushes it. Returns 0 or an errno value; on failure @p to is removed. */
int tix__backup_copy_file(const char *from, const char *to);

#endif
