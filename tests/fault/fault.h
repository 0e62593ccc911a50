/* Fault injection for test_fault, without touching the library sources:
 * the test executable is linked with -Wl,--wrap=<fn> for the allocators,
 * the LMDB calls and the system calls libtix makes, and fault.c defines
 * the __wrap_<fn> functions. They pass every call through to the real
 * function until armed; armed, they count the calls of the chosen kinds
 * and make the Nth fail (or the Nth and every later one) the way the real
 * function fails: NULL for allocators, an LMDB error code for mdb_*
 * (ENOMEM, MDB_MAP_FULL, MDB_TXN_FULL, MDB_PAGE_NOTFOUND, EIO, ENOSPC,
 * MDB_READERS_FULL, ...), -1 with errno for system calls.
 *
 * LMDB semantics are kept: a failed write or page read marks its
 * transaction as failed, so later calls on it return MDB_BAD_TXN and
 * mdb_txn_commit() aborts it and returns MDB_BAD_TXN, as LMDB does; an
 * injected commit failure aborts the transaction (LMDB frees a
 * transaction whose commit failed). The wraps see only calls made from
 * objects linked into the test executable (libtix and the test code),
 * not calls inside liblmdb.so or libc themselves. */
#ifndef TIX_TEST_FAULT_H
#define TIX_TEST_FAULT_H

#include <stddef.h>

enum {
    FAULT_ALLOC = 1, /* malloc calloc realloc strdup vasprintf */
    FAULT_MDB = 2,   /* mdb_* */
    FAULT_SYS = 4,   /* open ftruncate posix_fallocate mmap pwrite pread
                        fsync fopen mkdir rename getrandom pthread_create */
};

/* Fails call number @p nth (1-based) of the kinds in @p kinds, counted
 * from now; with @p persistent every later call of those kinds too.
 * Functions that can fail in several ways fail with their error number
 * @p variant (modulo how many they have), so sweeps with variants 0, 1,
 * 2, ... give every call site every error. */
void fault_arm(unsigned kinds, unsigned long nth, int persistent,
               unsigned variant);
/* Stops injecting (and counting). Poisoned transactions stay poisoned. */
void fault_disarm(void);
/* Calls of the armed kinds counted since fault_arm(). */
unsigned long fault_count(void);
/* Failures injected since fault_arm(). */
unsigned long fault_fired(void);
/* The function of the first injected failure ("" when none) and the
 * error it returned (errno or LMDB code). */
const char *fault_what(void);
int fault_error(void);
/* While paused nothing is counted or injected (for test-side reads). */
void fault_pause(void);
void fault_resume(void);

#endif
