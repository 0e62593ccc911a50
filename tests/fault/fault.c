/* The __wrap_* functions of test_fault: see fault.h. */
#include "fault.h"

#include <errno.h>
#include <fcntl.h>
#include <lmdb.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

/* ---- the switch ---------------------------------------------------------- */

static _Atomic unsigned armed_kinds;
static _Atomic int paused;
static _Atomic unsigned long calls, fired, target;
static _Atomic int persistent;
static _Atomic unsigned variant;
static _Atomic int first_error;
static char first_what[64];
static pthread_mutex_t what_mu = PTHREAD_MUTEX_INITIALIZER;

void fault_arm(unsigned kinds, unsigned long nth, int pers, unsigned var)
{
    atomic_store(&variant, var);
    atomic_store(&armed_kinds, 0);
    atomic_store(&calls, 0);
    atomic_store(&fired, 0);
    atomic_store(&target, nth);
    atomic_store(&persistent, pers);
    atomic_store(&first_error, 0);
    pthread_mutex_lock(&what_mu);
    first_what[0] = '\0';
    pthread_mutex_unlock(&what_mu);
    atomic_store(&armed_kinds, kinds);
}

void fault_disarm(void) { atomic_store(&armed_kinds, 0); }
unsigned long fault_count(void) { return atomic_load(&calls); }
unsigned long fault_fired(void) { return atomic_load(&fired); }
const char *fault_what(void) { return first_what; }
int fault_error(void) { return atomic_load(&first_error); }
void fault_pause(void) { atomic_store(&paused, 1); }
void fault_resume(void) { atomic_store(&paused, 0); }

/* Counts a call of @p kind; returns 1 when this one must fail. */
static int hit(unsigned kind)
{
    if (!(atomic_load(&armed_kinds) & kind) || atomic_load(&paused)) return 0;
    unsigned long n = atomic_fetch_add(&calls, 1) + 1, t = atomic_load(&target);
    return n == t || (atomic_load(&persistent) && n > t);
}

/* Records an injected failure and returns @p err. */
static int inject(const char *what, int err)
{
    if (atomic_fetch_add(&fired, 1) == 0) {
        pthread_mutex_lock(&what_mu);
        snprintf(first_what, sizeof first_what, "%s", what);
        pthread_mutex_unlock(&what_mu);
        atomic_store(&first_error, err);
    }
    return err;
}

/* One of @p n errors, chosen by the variant of the sweep. */
static int pick(const int *errs, int n)
{
    return errs[atomic_load(&variant) % (unsigned)n];
}

/* ---- allocators ---------------------------------------------------------- */

void *__real_malloc(size_t n);
void *__real_calloc(size_t k, size_t n);
void *__real_realloc(void *p, size_t n);
char *__real_strdup(const char *s);
int __real_vasprintf(char **out, const char *fmt, va_list ap);

void *__wrap_malloc(size_t n)
{
    if (hit(FAULT_ALLOC)) {
        errno = inject("malloc", ENOMEM);
        return NULL;
    }
    return __real_malloc(n);
}

void *__wrap_calloc(size_t k, size_t n)
{
    if (hit(FAULT_ALLOC)) {
        errno = inject("calloc", ENOMEM);
        return NULL;
    }
    return __real_calloc(k, n);
}

void *__wrap_realloc(void *p, size_t n)
{
    if (hit(FAULT_ALLOC)) {
        errno = inject("realloc", ENOMEM);
        return NULL;
    }
    return __real_realloc(p, n);
}

char *__wrap_strdup(const char *s)
{
    if (hit(FAULT_ALLOC)) {
        errno = inject("strdup", ENOMEM);
        return NULL;
    }
    return __real_strdup(s);
}

int __wrap_vasprintf(char **out, const char *fmt, va_list ap)
{
    if (hit(FAULT_ALLOC)) {
        errno = inject("vasprintf", ENOMEM);
        return -1;
    }
    return __real_vasprintf(out, fmt, ap);
}

/* ---- LMDB ------------------------------------------------------------------
 * A transaction that had a write or page read fail is poisoned, like
 * LMDB's MDB_TXN_ERROR flag: later calls on it give MDB_BAD_TXN. */

#define POISON_MAX 64
static MDB_txn *poisoned[POISON_MAX];
static pthread_mutex_t poison_mu = PTHREAD_MUTEX_INITIALIZER;

static void poison(MDB_txn *t)
{
    pthread_mutex_lock(&poison_mu);
    for (int i = 0; i < POISON_MAX; i++)
        if (!poisoned[i] || poisoned[i] == t) {
            poisoned[i] = t;
            break;
        }
    pthread_mutex_unlock(&poison_mu);
}

static int is_poisoned(MDB_txn *t)
{
    int r = 0;
    pthread_mutex_lock(&poison_mu);
    for (int i = 0; i < POISON_MAX && !r; i++) r = poisoned[i] == t;
    pthread_mutex_unlock(&poison_mu);
    return r;
}

static void unpoison(MDB_txn *t)
{
    pthread_mutex_lock(&poison_mu);
    for (int i = 0; i < POISON_MAX; i++)
        if (poisoned[i] == t) poisoned[i] = NULL;
    pthread_mutex_unlock(&poison_mu);
}

int __real_mdb_env_create(MDB_env **env);
int __real_mdb_env_open(MDB_env *env, const char *path, unsigned flags,
                        mdb_mode_t mode);
int __real_mdb_dbi_open(MDB_txn *txn, const char *name, unsigned flags,
                        MDB_dbi *dbi);
int __real_mdb_txn_begin(MDB_env *env, MDB_txn *parent, unsigned flags,
                         MDB_txn **txn);
int __real_mdb_txn_commit(MDB_txn *txn);
void __real_mdb_txn_abort(MDB_txn *txn);
int __real_mdb_get(MDB_txn *txn, MDB_dbi dbi, MDB_val *k, MDB_val *v);
int __real_mdb_put(MDB_txn *txn, MDB_dbi dbi, MDB_val *k, MDB_val *v,
                   unsigned flags);
int __real_mdb_del(MDB_txn *txn, MDB_dbi dbi, MDB_val *k, MDB_val *v);
int __real_mdb_cursor_open(MDB_txn *txn, MDB_dbi dbi, MDB_cursor **cur);
int __real_mdb_cursor_get(MDB_cursor *cur, MDB_val *k, MDB_val *v,
                          MDB_cursor_op op);
int __real_mdb_cursor_del(MDB_cursor *cur, unsigned flags);

int __wrap_mdb_env_create(MDB_env **env)
{
    if (hit(FAULT_MDB)) return inject("mdb_env_create", ENOMEM);
    return __real_mdb_env_create(env);
}

int __wrap_mdb_env_open(MDB_env *env, const char *path, unsigned flags,
                        mdb_mode_t mode)
{
    static const int e[] = {EIO, ENOMEM, EACCES, ENOSPC};
    if (hit(FAULT_MDB)) return inject("mdb_env_open", pick(e, 4));
    return __real_mdb_env_open(env, path, flags, mode);
}

int __wrap_mdb_dbi_open(MDB_txn *txn, const char *name, unsigned flags,
                        MDB_dbi *dbi)
{
    static const int e[] = {MDB_DBS_FULL, ENOMEM, MDB_CORRUPTED};
    if (is_poisoned(txn)) return MDB_BAD_TXN;
    if (hit(FAULT_MDB)) {
        poison(txn);
        return inject("mdb_dbi_open", pick(e, 3));
    }
    return __real_mdb_dbi_open(txn, name, flags, dbi);
}

int __wrap_mdb_txn_begin(MDB_env *env, MDB_txn *parent, unsigned flags,
                         MDB_txn **txn)
{
    static const int e[] = {ENOMEM, MDB_READERS_FULL, EIO};
    if (hit(FAULT_MDB)) return inject("mdb_txn_begin", pick(e, 3));
    return __real_mdb_txn_begin(env, parent, flags, txn);
}

int __wrap_mdb_txn_commit(MDB_txn *txn)
{
    static const int e[] = {EIO, ENOSPC, MDB_MAP_FULL};
    if (is_poisoned(txn)) {
        unpoison(txn);
        __real_mdb_txn_abort(txn);
        return MDB_BAD_TXN;
    }
    if (hit(FAULT_MDB)) {
        __real_mdb_txn_abort(txn); /* LMDB frees a txn whose commit failed */
        return inject("mdb_txn_commit", pick(e, 3));
    }
    return __real_mdb_txn_commit(txn);
}

void __wrap_mdb_txn_abort(MDB_txn *txn)
{
    unpoison(txn);
    __real_mdb_txn_abort(txn);
}

int __wrap_mdb_get(MDB_txn *txn, MDB_dbi dbi, MDB_val *k, MDB_val *v)
{
    static const int e[] = {MDB_PAGE_NOTFOUND, MDB_CORRUPTED, EIO};
    if (is_poisoned(txn)) return MDB_BAD_TXN;
    if (hit(FAULT_MDB)) {
        poison(txn);
        return inject("mdb_get", pick(e, 3));
    }
    return __real_mdb_get(txn, dbi, k, v);
}

int __wrap_mdb_put(MDB_txn *txn, MDB_dbi dbi, MDB_val *k, MDB_val *v,
                   unsigned flags)
{
    static const int e[] = {MDB_MAP_FULL, MDB_TXN_FULL, ENOMEM};
    if (is_poisoned(txn)) return MDB_BAD_TXN;
    if (hit(FAULT_MDB)) {
        poison(txn);
        return inject("mdb_put", pick(e, 3));
    }
    return __real_mdb_put(txn, dbi, k, v, flags);
}

int __wrap_mdb_del(MDB_txn *txn, MDB_dbi dbi, MDB_val *k, MDB_val *v)
{
    static const int e[] = {MDB_MAP_FULL, MDB_PAGE_NOTFOUND, ENOMEM};
    if (is_poisoned(txn)) return MDB_BAD_TXN;
    if (hit(FAULT_MDB)) {
        poison(txn);
        return inject("mdb_del", pick(e, 3));
    }
    return __real_mdb_del(txn, dbi, k, v);
}

int __wrap_mdb_cursor_open(MDB_txn *txn, MDB_dbi dbi, MDB_cursor **cur)
{
    if (is_poisoned(txn)) return MDB_BAD_TXN;
    if (hit(FAULT_MDB)) return inject("mdb_cursor_open", ENOMEM);
    return __real_mdb_cursor_open(txn, dbi, cur);
}

int __wrap_mdb_cursor_get(MDB_cursor *cur, MDB_val *k, MDB_val *v,
                          MDB_cursor_op op)
{
    static const int e[] = {MDB_PAGE_NOTFOUND, MDB_CORRUPTED, EIO};
    MDB_txn *txn = mdb_cursor_txn(cur);
    if (is_poisoned(txn)) return MDB_BAD_TXN;
    if (hit(FAULT_MDB)) {
        poison(txn);
        return inject("mdb_cursor_get", pick(e, 3));
    }
    return __real_mdb_cursor_get(cur, k, v, op);
}

int __wrap_mdb_cursor_del(MDB_cursor *cur, unsigned flags)
{
    static const int e[] = {MDB_MAP_FULL, ENOMEM, MDB_PAGE_NOTFOUND};
    MDB_txn *txn = mdb_cursor_txn(cur);
    if (is_poisoned(txn)) return MDB_BAD_TXN;
    if (hit(FAULT_MDB)) {
        poison(txn);
        return inject("mdb_cursor_del", pick(e, 3));
    }
    return __real_mdb_cursor_del(cur, flags);
}

/* ---- system calls --------------------------------------------------------- */

int __real_open(const char *path, int flags, ...);
int __real_ftruncate(int fd, off_t len);
void *__real_mmap(void *addr, size_t len, int prot, int flags, int fd,
                  off_t off);
ssize_t __real_pwrite(int fd, const void *buf, size_t n, off_t off);
ssize_t __real_pread(int fd, void *buf, size_t n, off_t off);
int __real_fsync(int fd);
int __real_fdatasync(int fd);
int __real_flock(int fd, int op);
int __real_posix_fallocate(int fd, off_t off, off_t len);
FILE *__real_fopen(const char *path, const char *mode);
int __real_mkdir(const char *path, mode_t mode);
int __real_rename(const char *from, const char *to);
ssize_t __real_getrandom(void *buf, size_t n, unsigned flags);
int __real_pthread_create(pthread_t *t, const pthread_attr_t *a,
                          void *(*fn)(void *), void *arg);

#define SYS_FAIL(name, err, ret)                                              \
    do {                                                                      \
        if (hit(FAULT_SYS)) {                                                 \
            errno = inject(name, err);                                        \
            return ret;                                                       \
        }                                                                     \
    } while (0)

int __wrap_open(const char *path, int flags, ...)
{
    static const int e[] = {EIO, EMFILE, ENOSPC, EACCES};
    mode_t mode = 0;
    if (flags & O_CREAT) {
        va_list ap;
        va_start(ap, flags);
        mode = (mode_t)va_arg(ap, int);
        va_end(ap);
    }
    SYS_FAIL("open", pick(e, 4), -1);
    return __real_open(path, flags, mode);
}

int __wrap_ftruncate(int fd, off_t len)
{
    static const int e[] = {ENOSPC, EIO, EFBIG};
    SYS_FAIL("ftruncate", pick(e, 3), -1);
    return __real_ftruncate(fd, len);
}

void *__wrap_mmap(void *addr, size_t len, int prot, int flags, int fd,
                  off_t off)
{
    SYS_FAIL("mmap", ENOMEM, MAP_FAILED);
    return __real_mmap(addr, len, prot, flags, fd, off);
}

ssize_t __wrap_pwrite(int fd, const void *buf, size_t n, off_t off)
{
    static const int e[] = {EIO, ENOSPC};
    SYS_FAIL("pwrite", pick(e, 2), -1);
    return __real_pwrite(fd, buf, n, off);
}

ssize_t __wrap_pread(int fd, void *buf, size_t n, off_t off)
{
    SYS_FAIL("pread", EIO, -1);
    return __real_pread(fd, buf, n, off);
}

int __wrap_posix_fallocate(int fd, off_t off, off_t len)
{
    static const int e[] = {ENOSPC, EIO, EFBIG};
    if (hit(FAULT_SYS)) return inject("posix_fallocate", pick(e, 3));
    return __real_posix_fallocate(fd, off, len);
}

int __wrap_fsync(int fd)
{
    SYS_FAIL("fsync", EIO, -1);
    return __real_fsync(fd);
}

/* The journal's flush (TIX_SYNC_JOURNAL) */
int __wrap_fdatasync(int fd)
{
    static const int e[] = {EIO, ENOSPC};
    SYS_FAIL("fdatasync", pick(e, 2), -1);
    return __real_fdatasync(fd);
}

int __wrap_flock(int fd, int op)
{
    static const int e[] = {ENOLCK, EWOULDBLOCK};
    SYS_FAIL("flock", pick(e, 2), -1);
    return __real_flock(fd, op);
}

FILE *__wrap_fopen(const char *path, const char *mode)
{
    SYS_FAIL("fopen", EMFILE, NULL);
    return __real_fopen(path, mode);
}

int __wrap_mkdir(const char *path, mode_t mode)
{
    static const int e[] = {ENOSPC, EACCES, EIO};
    SYS_FAIL("mkdir", pick(e, 3), -1);
    return __real_mkdir(path, mode);
}

int __wrap_rename(const char *from, const char *to)
{
    SYS_FAIL("rename", EIO, -1);
    return __real_rename(from, to);
}

ssize_t __wrap_getrandom(void *buf, size_t n, unsigned flags)
{
    SYS_FAIL("getrandom", ENOSYS, -1);
    return __real_getrandom(buf, n, flags);
}

int __wrap_pthread_create(pthread_t *t, const pthread_attr_t *a,
                          void *(*fn)(void *), void *arg)
{
    if (hit(FAULT_SYS)) return inject("pthread_create", EAGAIN);
    return __real_pthread_create(t, a, fn, arg);
}
