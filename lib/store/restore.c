/* tix_backup_restore: see restore.h for the design. */
#include "restore.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backup.h"
#include "db.h"
#include "error.h"
#include "files.h"
#include "journal.h"

static int (*test_hook)(int step);

void tix__restore_test_hook(int (*fn)(int step)) { test_hook = fn; }

static int step(int s)
{
    if (test_hook && test_hook(s))
        return tix__err(TIX_EIO, "restore stopped at step %d (test hook)", s);
    return TIX_OK;
}

typedef struct restore {
    char store[PATH_MAX];  /* absolute, symbolic links resolved */
    char parent[PATH_MAX];
    char tmp[PATH_MAX];    /* <parent>/.<name>.restore */
    char backup[PATH_MAX]; /* <backup_dir>/data.mdb */
    int kind;              /* enum tix__dir_kind of the store */
    struct stat st;        /* the store directory, unless TIX__DIR_ABSENT */
    int lock_fd;           /* the store's journal, flocked exclusively */
    int lock_made;         /* ... and created by us */
    int src_fd;            /* the backup's journal, if it has one */
} restore;

/* @p dir/@p name into @p out (PATH_MAX); an over-long result is empty,
 * which every call then fails on (plan_paths already bounds the parts). */
static void in_dir(char *out, const char *dir, const char *name)
{
    if (snprintf(out, PATH_MAX, "%s/%s", dir, name) >= PATH_MAX) out[0] = '\0';
}

static int sys_err(int e, const char *what, const char *path)
{
    return tix__mdb_err(e, path ? path : what);
}

/* ---- paths ------------------------------------------------------------- */

/* The store's absolute path: the directory itself, or for a new store its
 * existing parent and its name. */
static int resolve_store(restore *r, const char *dir)
{
    char in[PATH_MAX];
    size_t n = strlen(dir);
    while (n > 1 && dir[n - 1] == '/') n--;
    memcpy(in, dir, n);
    in[n] = '\0';
    if (realpath(in, r->store)) return TIX_OK;
    if (errno != ENOENT) return sys_err(errno, NULL, dir);
    char *slash = strrchr(in, '/');
    const char *name = slash ? slash + 1 : in;
    const char *up = slash ? (slash == in ? "/" : in) : ".";
    if (slash) *slash = '\0';
    if (!*name || !strcmp(name, ".") || !strcmp(name, ".."))
        return tix__err(TIX_EINVAL, "store path %s has no name", dir);
    char parent[PATH_MAX];
    if (!realpath(up, parent))
        return tix__err(TIX_ENOTFOUND, "parent directory of %s: %s", dir,
                        strerror(errno));
    if (snprintf(r->store, PATH_MAX, "%s/%s", strcmp(parent, "/") ? parent : "",
                 name) >= PATH_MAX)
        return tix__err(TIX_ETOOLONG, "store path is too long");
    return TIX_OK;
}

static int plan_paths(restore *r, const char *backup_dir, const char *store_dir)
{
    int rc = resolve_store(r, store_dir);
    if (rc) return rc;
    char *slash = strrchr(r->store, '/');
    if (slash == r->store && !slash[1])
        return tix__err(TIX_EINVAL, "cannot restore over /");
    size_t plen = slash == r->store ? 1 : (size_t)(slash - r->store);
    memcpy(r->parent, r->store, plen);
    r->parent[plen] = '\0';
    if (snprintf(r->tmp, PATH_MAX, "%.*s/.%s.restore", (int)(slash - r->store),
                 r->store, slash + 1) >= PATH_MAX ||
        snprintf(r->backup, PATH_MAX, "%s/" TIX__FILE_DATA, backup_dir) >=
            PATH_MAX)
        return tix__err(TIX_ETOOLONG, "path is too long");
    return TIX_OK;
}

/* ---- who else has it open ---------------------------------------------- */

/* Whether a process holds LMDB's lock on @p dir's lock.mdb: every process
 * with the environment open keeps a shared lock on its first byte. */
static int lmdb_users(const char *dir)
{
    char path[PATH_MAX];
    in_dir(path, dir, TIX__FILE_LOCK);
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) return 0;
    struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_len = 1};
    int live = fcntl(fd, F_OFD_GETLK, &fl) == 0 && fl.l_type != F_UNLCK;
    close(fd);
    return live;
}

static int in_use(const char *dir, const struct stat *st)
{
    char data[PATH_MAX];
    in_dir(data, dir, TIX__FILE_DATA);
    if (tix__db_open_here(st->st_dev, st->st_ino))
        return tix__err(TIX_EBUSY, "%s is open in this process: close it "
                                   "first", dir);
    if (lmdb_users(dir) || tix__db_nolock_reader(data, -1))
        return tix__err(TIX_EBUSY, "%s is open in another process: stop it "
                                   "first", dir);
    return TIX_OK;
}

/* Takes @p dir's journal flock exclusively, so that no read-write open
 * starts until it is released (they try without waiting), and proves that
 * no handle is open. With @p create the journal is made when missing. */
static int keep_out(const char *dir, const struct stat *st, int create,
                    int *fd, int *made)
{
    char path[PATH_MAX];
    in_dir(path, dir, TIX__FILE_JOURNAL);
    *made = 0;
    int mode = (create ? O_RDWR : O_RDONLY) | O_CLOEXEC | O_NOFOLLOW;
    *fd = open(path, mode);
    if (*fd < 0 && errno == ENOENT && create) {
        *fd = open(path, mode | O_CREAT | O_EXCL, 0600);
        *made = *fd >= 0;
        if (*fd < 0 && errno == EEXIST) *fd = open(path, mode);
    }
    if (*fd < 0 && (create || errno != ENOENT)) return sys_err(errno, NULL, path);
    int rc = in_use(dir, st);
    if (rc == TIX_OK && *fd >= 0 && flock(*fd, LOCK_EX | LOCK_NB) != 0)
        rc = errno == EWOULDBLOCK
                 ? tix__err(TIX_EBUSY, "%s is open in another process: stop "
                                       "it first", dir)
                 : sys_err(errno, NULL, path);
    if (rc == TIX_OK) rc = in_use(dir, st); /* one may have come in between */
    return rc;
}

/* ---- checks before anything is written --------------------------------- */

static int check_backup(restore *r, const char *backup_dir)
{
    struct stat st;
    if (stat(backup_dir, &st) != 0)
        return tix__err(TIX_ENOTFOUND, "backup %s: %s", backup_dir,
                        strerror(errno));
    if (!S_ISDIR(st.st_mode))
        return tix__err(TIX_EINVAL, "backup %s is not a directory", backup_dir);
    if (r->kind != TIX__DIR_ABSENT && st.st_dev == r->st.st_dev &&
        st.st_ino == r->st.st_ino)
        return tix__err(TIX_EINVAL, "backup %s is the store itself", backup_dir);
    if (access(r->backup, R_OK) != 0)
        return tix__err(TIX_ENOTFOUND, "%s holds no backup (no readable "
                                       "data.mdb)", backup_dir);
    int made, rc = keep_out(backup_dir, &st, 0, &r->src_fd, &made);
    if (rc) return rc;
    /* A store directory that a crash left in journal mode: its data.mdb
     * lacks the journal's records. */
    if (tix__journal_pending(backup_dir))
        return tix__err(TIX_EINVAL, "%s is a store left by a crash, its "
                                    "journal not yet replayed: open it once, "
                                    "or copy it with tix_db_backup",
                        backup_dir);
    return TIX_OK;
}

static int check_store(restore *r, unsigned flags)
{
    int rc = tix__store_dir_kind(r->store, &r->kind);
    if (rc) return rc;
    if (r->kind == TIX__DIR_FOREIGN)
        return tix__err(TIX_EINVAL, "%s holds files but no store: it is not "
                                    "replaced", r->store);
    if (r->kind == TIX__DIR_STORE && !(flags & TIX_RESTORE_REPLACE))
        return tix__err(TIX_EEXISTS, "%s already holds a store "
                                     "(TIX_RESTORE_REPLACE replaces it)",
                        r->store);
    if (r->kind != TIX__DIR_ABSENT && stat(r->store, &r->st) != 0)
        return sys_err(errno, NULL, r->store);
    return TIX_OK;
}

/* The sibling left by a restore that crashed: old or new store, either way
 * not the store (the swap is atomic), so it goes. */
static int clear_sibling(const restore *r)
{
    char path[PATH_MAX];
    in_dir(path, r->tmp, TIX__FILE_JOURNAL);
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    /* The old store of a restore still removing it holds this lock. */
    if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) != 0) {
        close(fd);
        return tix__err(TIX_EBUSY, "another restore of %s is running",
                        r->store);
    }
    int e = tix__store_dir_remove(r->tmp);
    if (fd >= 0) close(fd);
    if (e == ENOTEMPTY)
        return tix__err(TIX_EEXISTS, "%s, left by an earlier restore, holds "
                                     "files that are not a store's: move "
                                     "them away",
                        r->tmp);
    return e ? sys_err(e, NULL, r->tmp) : TIX_OK;
}

/* ---- building the new store beside the old ----------------------------- */

/* Opens @p dir read-only: it is a store of a format this library reads. */
static int validate(const char *dir, const char *backup_dir)
{
    tix_config c;
    tix_config_init(&c);
    c.flags = TIX_OPEN_READONLY | TIX_OPEN_NOCREATE;
    tix_db *db;
    int rc = tix__db_new(dir, &c, &db);
    if (rc) return rc;
    rc = tix__db_env_open(db);
    tix__db_env_close(db);
    tix__db_free(db);
    if (rc == TIX_OK) return TIX_OK;
    char why[512];
    snprintf(why, sizeof why, "%s", tix_errmsg());
    return tix__err(rc == TIX_ENOTFOUND ? TIX_ECORRUPT : rc,
                    "backup %s is not a usable store: %s", backup_dir, why);
}

/* The new directory takes the old one's mode and, when we may, owner, so a
 * restore run as root leaves the store usable by its service account. */
static void adopt_owner(const restore *r, const char *data)
{
    if (r->kind == TIX__DIR_ABSENT) return;
    if (chmod(r->tmp, r->st.st_mode & 07777) != 0) { /* best effort */ }
    if (geteuid() != 0) return;
    if (chown(r->tmp, r->st.st_uid, r->st.st_gid) != 0 ||
        chown(data, r->st.st_uid, r->st.st_gid) != 0) { /* best effort */ }
}

static int build(const restore *r, const char *backup_dir)
{
    if (mkdir(r->tmp, 0700) != 0)
        return errno == EEXIST
                   ? tix__err(TIX_EBUSY, "another restore of %s is running",
                              r->store)
                   : sys_err(errno, NULL, r->tmp);
    char data[PATH_MAX];
    in_dir(data, r->tmp, TIX__FILE_DATA);
    int e = tix__backup_copy_file(r->backup, data);
    if (e) return sys_err(e, NULL, r->backup);
    adopt_owner(r, data);
    int rc = step(TIX__RESTORE_COPIED);
    if (rc == TIX_OK) rc = validate(r->tmp, backup_dir);
    if (rc == TIX_OK && (e = tix__backup_fsync_dir(r->tmp))) rc = sys_err(e, NULL, r->tmp);
    if (rc == TIX_OK && (e = tix__backup_fsync_dir(r->parent)))
        rc = sys_err(e, NULL, r->parent);
    return rc;
}

/* ---- the swap ---------------------------------------------------------- */

static int swap(const restore *r)
{
    int exchange = r->kind != TIX__DIR_ABSENT;
    int ok = exchange ? renameat2(AT_FDCWD, r->tmp, AT_FDCWD, r->store,
                                  RENAME_EXCHANGE) == 0
                      : rename(r->tmp, r->store) == 0;
    if (!ok) {
        int e = errno;
        if (e == EEXIST || e == ENOTEMPTY)
            return tix__err(TIX_EBUSY, "%s was created meanwhile", r->store);
        if (e == EINVAL || e == ENOSYS || e == EOPNOTSUPP)
            return tix__err(TIX_EIO, "the file system of %s cannot swap two "
                                     "directories atomically "
                                     "(renameat2 RENAME_EXCHANGE)",
                            r->store);
        if (e == EBUSY)
            return tix__err(TIX_EBUSY, "cannot swap %s with %s: %s (a mount "
                                       "point?)", r->tmp, r->store, strerror(e));
        return sys_err(e, NULL, r->store);
    }
    int e = tix__backup_fsync_dir(r->parent);
    return e ? sys_err(e, NULL, r->parent) : TIX_OK;
}

/* After the swap the sibling holds the old store. Files of something else
 * that sat beside it stay there (documented in tix.h). */
static void drop_old(const restore *r)
{
    if (r->kind == TIX__DIR_ABSENT) return;
    (void)tix__store_dir_remove(r->tmp);
    (void)tix__backup_fsync_dir(r->parent);
}

static void release(restore *r, int failed)
{
    if (failed && r->lock_made) {
        char path[PATH_MAX];
        in_dir(path, r->store, TIX__FILE_JOURNAL);
        unlink(path);
    }
    if (r->lock_fd >= 0) close(r->lock_fd);
    if (r->src_fd >= 0) close(r->src_fd);
}

static int check_args(const char *backup_dir, const char *store_dir,
                      unsigned flags)
{
    if (!backup_dir || !*backup_dir)
        return tix__err(TIX_EINVAL, "backup_dir is empty");
    if (!store_dir || !*store_dir)
        return tix__err(TIX_EINVAL, "store_dir is empty");
    if (flags & ~TIX_RESTORE_REPLACE)
        return tix__err(TIX_EINVAL, "unknown restore flags 0x%x", flags);
    if (strlen(backup_dir) > PATH_MAX - 32 || strlen(store_dir) > PATH_MAX - 32)
        return tix__err(TIX_ETOOLONG, "path longer than %d bytes",
                        PATH_MAX - 32);
    return TIX_OK;
}

static int run(restore *r, const char *backup_dir, unsigned flags)
{
    int rc = check_store(r, flags);
    if (rc == TIX_OK) rc = check_backup(r, backup_dir);
    if (rc == TIX_OK && r->kind != TIX__DIR_ABSENT)
        rc = keep_out(r->store, &r->st, 1, &r->lock_fd, &r->lock_made);
    if (rc == TIX_OK) rc = clear_sibling(r);
    if (rc) return rc;
    rc = build(r, backup_dir);
    if (rc == TIX_OK) rc = step(TIX__RESTORE_BUILT);
    /* A read-only open takes no journal lock, so one may have come in
     * while the copy ran; after this check only one that completes within
     * the rename itself could still be reading the old store. */
    if (rc == TIX_OK && r->kind != TIX__DIR_ABSENT) rc = in_use(r->store, &r->st);
    if (rc == TIX_OK) rc = swap(r);
    if (rc) {
        (void)tix__store_dir_remove(r->tmp);
        return rc;
    }
    (void)step(TIX__RESTORE_SWAPPED);
    drop_old(r);
    (void)step(TIX__RESTORE_DONE);
    return TIX_OK;
}

int tix_backup_restore(const char *backup_dir, const char *store_dir,
                       unsigned flags)
{
    int rc = check_args(backup_dir, store_dir, flags);
    if (rc) return rc;
    restore *r = calloc(1, sizeof *r);
    if (!r) return tix__err(TIX_ENOMEM, "out of memory");
    r->lock_fd = r->src_fd = -1;
    rc = plan_paths(r, backup_dir, store_dir);
    if (rc == TIX_OK) rc = run(r, backup_dir, flags);
    release(r, rc != TIX_OK);
    free(r);
    return rc;
}
