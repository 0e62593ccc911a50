/* The files of a store directory, named in one place. The store layer
 * creates, locks and replaces them; the layers above (seats.map is the
 * seat engine's) take their names from here, so that restore and open,
 * which must tell a store from a directory of something else, know every
 * file a store can hold. */
#ifndef TIX_LIB_FILES_H
#define TIX_LIB_FILES_H

#define TIX__FILE_DATA "data.mdb"
#define TIX__FILE_LOCK "lock.mdb"
#define TIX__FILE_SEATMAP "seats.map"
#define TIX__FILE_JOURNAL "journal"
/* The journal ring's state, shared by the processes that have the store
 * open (rebuilt by the first; a reboot makes it stale). */
#define TIX__FILE_JOURNAL_SHM "journal.shm"
/* Snapshot files an earlier version's journal mode left (removed when
 * the journal is marked clean), %u is 0 or 1. */
#define TIX__FILE_SNAPSHOT_FMT "snapshot.%u.mdb"
/* Temporaries a crash can leave: an earlier version's snapshot put back
 * (then renamed over data.mdb), a seats.map rebuilt (seats.map.<pid>). */
#define TIX__FILE_DATA_RESTORE "data.mdb.restore"

/* Whether @p name is a file libtix makes in a store directory. */
int tix__store_file(const char *name);

/* What a directory holds, as far as opening or replacing a store goes. */
enum tix__dir_kind {
    TIX__DIR_ABSENT,  /* no such directory */
    TIX__DIR_EMPTY,   /* nothing, or only runtime files without data.mdb */
    TIX__DIR_STORE,   /* data.mdb (other files may sit beside it) */
    TIX__DIR_FOREIGN, /* files that are not a store's, and no data.mdb */
};

/* Classifies @p dir into *kind. TIX_EINVAL when it is not a directory;
 * TIX_EPERM, TIX_EIO when it cannot be read. Creates nothing. */
int tix__store_dir_kind(const char *dir, int *kind);

/* Removes the store files of @p dir and then @p dir, unless files of
 * something else remain in it. 0, or an errno value (ENOTEMPTY: other
 * files remain; ENOENT is not an error). */
int tix__store_dir_remove(const char *dir);

#endif
