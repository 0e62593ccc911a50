/* Online backup: a consistent, compacted copy of the LMDB data file taken
 * inside one read transaction, so writers in this and other processes go
 * on while it runs (mdb_env_copyfd2 with MDB_CP_COMPACT).
 *
 * The copy is written to <dest>/data.mdb.partial, fsynced, renamed to
 * <dest>/data.mdb and the directory fsynced, so a crash never leaves a
 * data.mdb that is only half written. seats.map is not copied: it holds
 * only live holds (never durable) and a cache of LMDB, and a store opened
 * from the copy rebuilds it. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backup.h"
#include "error.h"

static int errno_err(int e, const char *what, const char *path)
{
    return tix__err(e == ENOSPC ? TIX_EFULL
                    : e == EACCES || e == EPERM || e == EROFS ? TIX_EPERM
                    : e == ENOENT ? TIX_ENOTFOUND
                                  : TIX_EIO,
                    "%s %s: %s", what, path, strerror(e));
}

int tix__backup_fsync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return errno;
    int e = fsync(fd) == 0 ? 0 : errno;
    close(fd);
    return e;
}

static int write_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return w < 0 ? errno : EIO;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static int copy_fds(int in, int out)
{
    static const size_t chunk = 1u << 16;
    char *buf = malloc(chunk);
    if (!buf) return ENOMEM;
    int e = 0;
    for (;;) {
        ssize_t r = read(in, buf, chunk);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) {
            e = r < 0 ? errno : 0;
            break;
        }
        if ((e = write_all(out, buf, (size_t)r))) break;
    }
    free(buf);
    return e;
}

int tix__backup_copy_file(const char *from, const char *to)
{
    int in = open(from, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (in < 0) return errno;
    int out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
                   0600);
    if (out < 0) {
        int e = errno;
        close(in);
        return e;
    }
    int e = copy_fds(in, out);
    if (!e && fsync(out) != 0) e = errno;
    if (close(out) != 0 && !e) e = errno;
    close(in);
    if (e) unlink(to);
    return e;
}

/* Creates @p dir (0700) unless it exists; it must then be a directory that
 * is not the store itself and holds no data.mdb. */
static int prepare_dest(tix_db *db, const char *dir, char *final,
                        char *partial)
{
    struct stat st;
    if (stat(dir, &st) != 0) {
        if (errno != ENOENT) return errno_err(errno, "cannot stat", dir);
        if (mkdir(dir, 0700) != 0 && errno != EEXIST)
            return errno_err(errno, "cannot create", dir);
        if (stat(dir, &st) != 0) return errno_err(errno, "cannot stat", dir);
    }
    if (!S_ISDIR(st.st_mode))
        return tix__err(TIX_EINVAL, "%s is not a directory", dir);
    if (st.st_dev == db->dev && st.st_ino == db->ino)
        return tix__err(TIX_EINVAL, "%s is the store itself", dir);
    if (snprintf(final, PATH_MAX, "%s/data.mdb", dir) >= PATH_MAX ||
        snprintf(partial, PATH_MAX, "%s/data.mdb.partial", dir) >= PATH_MAX)
        return tix__err(TIX_ETOOLONG, "backup path is too long");
    if (stat(final, &st) == 0)
        return tix__err(TIX_EEXISTS, "%s already exists", final);
    if (errno != ENOENT) return errno_err(errno, "cannot stat", final);
    /* A partial file is a copy that died half way: start again. */
    if (unlink(partial) != 0 && errno != ENOENT)
        return errno_err(errno, "cannot remove", partial);
    return TIX_OK;
}

int tix__backup_copy_store(tix_db *db, int fd)
{
    pthread_rwlock_rdlock(&db->txn_lock);
    int rc = mdb_env_copyfd2(db->env, fd, MDB_CP_COMPACT);
    pthread_rwlock_unlock(&db->txn_lock);
    return rc;
}

int tix_db_backup(tix_db *db, const char *dest_dir)
{
    TIX__ARG(db);
    /* A copy sees only committed data, and adopting a map another process
     * grew needs the txn lock the batch holds. */
    int rc = tix__db_batch_refuse(db, "tix_db_backup");
    if (rc) return rc;
    if (!dest_dir || !*dest_dir)
        return tix__err(TIX_EINVAL, "dest_dir is empty");
    if (strlen(dest_dir) > PATH_MAX - 32)
        return tix__err(TIX_ETOOLONG, "dest_dir longer than %d bytes",
                        PATH_MAX - 32);
    char final[PATH_MAX], partial[PATH_MAX];
    rc = prepare_dest(db, dest_dir, final, partial);
    if (rc) return rc;
    int fd = open(partial, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) return errno_err(errno, "cannot create", partial);
    int mrc = 0;
    for (int attempt = 0; attempt < 8; attempt++) {
        mrc = tix__backup_copy_store(db, fd);
        if (mrc != MDB_MAP_RESIZED) break;
        /* Another process grew the map: adopt its size (needs no
         * transaction active in this process) and start over. */
        pthread_rwlock_wrlock(&db->txn_lock);
        mdb_env_set_mapsize(db->env, 0);
        pthread_rwlock_unlock(&db->txn_lock);
        if (ftruncate(fd, 0) != 0 || lseek(fd, 0, SEEK_SET) != 0) {
            mrc = errno;
            break;
        }
    }
    if (mrc) rc = tix__mdb_err(mrc, "backup copy");
    if (rc == TIX_OK && fsync(fd) != 0)
        rc = errno_err(errno, "cannot fsync", partial);
    if (close(fd) != 0 && rc == TIX_OK)
        rc = errno_err(errno, "cannot close", partial);
    if (rc == TIX_OK && rename(partial, final) != 0)
        rc = errno_err(errno, "cannot rename", partial);
    int e = rc == TIX_OK ? tix__backup_fsync_dir(dest_dir) : 0;
    if (e) rc = errno_err(e, "cannot fsync", dest_dir);
    if (rc) unlink(partial);
    return rc;
}
