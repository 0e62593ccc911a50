/* Self-test of plshim's durability model: small file scenarios with a
 * known answer, so that a shim bug cannot make tests/powerloss pass
 * vacuously.
 *
 * Each scenario runs in a child exec'd with the shim preloaded, does its
 * writes and syncs, and ends in a power cut at a fixed durability call;
 * the parent then reads the image back byte by byte. TIX_PL_KEEP_PCT 0 or
 * 100 and TIX_PL_TORN_PCT 0 or 100 make the outcome exact.
 *
 * Usage: plshim_selftest   ($TIX_PL_SHIM overrides the shim path,
 * $TIX_TEST_TMP is where the files live). Exit status 0 when all pass. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef PL_SHIM_PATH
#define PL_SHIM_PATH ""
#endif

#define PAGE 4096

/* ---- scenarios (run under the shim) ------------------------------------ */

static int open_in(const char *dir, const char *name, int flags)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    int fd = open(path, flags, 0600);
    if (fd < 0) {
        perror(path);
        _exit(2);
    }
    return fd;
}

static void fill(int fd, char c, size_t len, off_t off)
{
    char buf[2 * PAGE];
    memset(buf, c, sizeof buf);
    if (pwrite(fd, buf, len, off) != (ssize_t)len) _exit(2);
}

/* Every scenario starts from "f": 2 pages of 'a' that the parent wrote
 * (files older than the shim are durable), fsynced once more (sync #1). */
static int base_file(const char *dir)
{
    int fd = open_in(dir, "f", O_RDWR);
    fsync(fd);
    return fd;
}

/* Overwrite page 0 with 'b' and append page 2 of 'c'; cut at sync #2. */
static void sc_pending(const char *dir)
{
    int fd = base_file(dir);
    fill(fd, 'b', PAGE, 0);
    fill(fd, 'c', PAGE, 2 * PAGE);
    fsync(fd);
}

/* A pending 'b' over both pages, then a durable 'd' write in the middle
 * through an O_DSYNC fd (sync #2); cut at sync #3. */
static void sc_dsync(const char *dir)
{
    int fd = base_file(dir);
    int dfd = open_in(dir, "f", O_WRONLY | O_DSYNC);
    fill(fd, 'b', 2 * PAGE, 0);
    fill(dfd, 'd', 100, 1000);
    fdatasync(fd);
}

/* writev at the file position after lseek; cut at sync #2. */
static void sc_writev(const char *dir)
{
    int fd = base_file(dir);
    char x[PAGE], y[PAGE];
    memset(x, 'x', sizeof x);
    memset(y, 'y', sizeof y);
    struct iovec v[2] = {{x, 100}, {y, 200}};
    lseek(fd, PAGE + 10, SEEK_SET);
    if (writev(fd, v, 2) != 300) _exit(2);
    fsync(fd);
}

/* Shrink to one page (pending); cut at sync #2. */
static void sc_truncate(const char *dir)
{
    int fd = base_file(dir);
    if (ftruncate(fd, PAGE)) _exit(2);
    fsync(fd);
}

/* A new file, written and fsynced (sync #2) but its directory never is;
 * cut at sync #3. */
static void sc_created(const char *dir)
{
    int fd = base_file(dir);
    int nfd = open_in(dir, "g", O_RDWR | O_CREAT | O_EXCL);
    fill(nfd, 'n', PAGE, 0);
    fsync(nfd);
    fsync(fd);
}

/* As sc_created, then the directory is fsynced (sync #3); cut at #4. */
static void sc_created_dirsync(const char *dir)
{
    int fd = base_file(dir);
    int nfd = open_in(dir, "g", O_RDWR | O_CREAT | O_EXCL);
    fill(nfd, 'n', PAGE, 0);
    fsync(nfd);
    int dfd = open(dir, O_RDONLY | O_DIRECTORY);
    fsync(dfd);
    fsync(fd);
}

/* lock.mdb and seats.map never reach the image; cut at sync #2. */
static void sc_volatile(const char *dir)
{
    int fd = base_file(dir);
    int l = open_in(dir, "lock.mdb", O_RDWR | O_CREAT);
    fill(l, 'l', PAGE, 0);
    fsync(l);
    fsync(fd);
}

/* ---- expectations (checked by the parent) ------------------------------ */

typedef struct expect {
    const char *file;
    long size;           /* -1: the file must be absent */
    const char *pattern; /* one char per 4 KiB page; '*' = torn page */
    struct { long off, len; char c; } patch; /* bytes that differ */
} expect;

typedef struct scenario {
    const char *name;
    void (*run)(const char *dir);
    unsigned cut_at, keep, torn, lax_dir;
    expect want[2];
} scenario;

static const scenario scenarios[] = {
    {"pending writes lost", sc_pending, 2, 0, 0, 0, {{"f", 2 * PAGE, "aa", {0}}}},
    {"pending writes kept", sc_pending, 2, 100, 0, 0, {{"f", 3 * PAGE, "bac", {0}}}},
    {"pending writes torn", sc_pending, 2, 100, 100, 0, {{"f", -2, "*a*", {0}}}},
    {"O_DSYNC write durable", sc_dsync, 3, 0, 0, 0,
     {{"f", 2 * PAGE, "aa", {1000, 100, 'd'}}}},
    {"O_DSYNC write and kept pending", sc_dsync, 3, 100, 0, 0,
     {{"f", 2 * PAGE, "bb", {1000, 100, 'd'}}}},
    {"writev at lseek position lost", sc_writev, 2, 0, 0, 0, {{"f", 2 * PAGE, "aa", {0}}}},
    {"writev at lseek position kept", sc_writev, 2, 100, 0, 0,
     {{"f", 2 * PAGE, "aa", {PAGE + 10, 300, 'v'}}}},
    {"ftruncate lost", sc_truncate, 2, 0, 0, 0, {{"f", 2 * PAGE, "aa", {0}}}},
    {"ftruncate kept", sc_truncate, 2, 100, 0, 0, {{"f", PAGE, "a", {0}}}},
    {"new file, no directory fsync", sc_created, 3, 0, 0, 0,
     {{"f", 2 * PAGE, "aa", {0}}, {"g", -1, "", {0}}}},
    {"new file, directory fsynced", sc_created_dirsync, 4, 0, 0, 0,
     {{"f", 2 * PAGE, "aa", {0}}, {"g", PAGE, "n", {0}}}},
    {"new file, TIX_PL_LAX_DIR", sc_created, 3, 0, 0, 1,
     {{"f", 2 * PAGE, "aa", {0}}, {"g", PAGE, "n", {0}}}},
    {"lock.mdb left out", sc_volatile, 2, 100, 0, 0,
     {{"f", 2 * PAGE, "aa", {0}}, {"lock.mdb", -1, "", {0}}}},
};
#define N_SCENARIOS (sizeof scenarios / sizeof *scenarios)

static char *slurp(const char *path, long *size)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    *size = ftell(f);
    rewind(f);
    char *buf = malloc((size_t)*size + 1);
    if (buf && fread(buf, 1, (size_t)*size, f) != (size_t)*size) *size = -1;
    fclose(f);
    return buf;
}

/* 'v' in a patch stands for the writev bytes: 100 'x' then 200 'y'. */
static char patched(const expect *e, long i, char dflt)
{
    if (i < e->patch.off || i >= e->patch.off + e->patch.len) return dflt;
    if (e->patch.c != 'v') return e->patch.c;
    return i - e->patch.off < 100 ? 'x' : 'y';
}

/* A torn page of @p n bytes holds whole sectors of the new bytes first,
 * then the old ones ('a'; or nothing: a torn append ends the file). */
static int torn_ok(const char *p, long n, char new_c)
{
    long i = 0;
    while (i < n && p[i] == new_c) i++;
    if (i % 512) return 0;
    for (; i < n; i++)
        if (p[i] != 'a') return 0;
    return 1;
}

static int check_file(const char *image, const expect *e)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", image, e->file);
    long size = -1;
    char *got = slurp(path, &size);
    if (e->size == -1) {
        free(got);
        if (got) fprintf(stderr, "  %s: present, want absent\n", e->file);
        return got != NULL;
    }
    int bad = 0;
    if (!got) {
        fprintf(stderr, "  %s: absent\n", e->file);
        return 1;
    }
    if (e->size >= 0 && size != e->size) {
        fprintf(stderr, "  %s: %ld bytes, want %ld\n", e->file, size, e->size);
        bad = 1;
    }
    for (long i = 0; !bad && i < size; i++) {
        char want = e->pattern[i / PAGE];
        if (want == '*') {
            bad = !torn_ok(got + i, size - i < PAGE ? size - i : PAGE, i ? 'c' : 'b');
            if (bad) fprintf(stderr, "  %s: page at %ld is not a sector-torn prefix\n",
                             e->file, i);
            i += PAGE - 1;
            continue;
        }
        if (got[i] != patched(e, i, want)) {
            fprintf(stderr, "  %s: byte %ld is 0x%02x, want '%c'\n", e->file, i,
                    (unsigned char)got[i], patched(e, i, want));
            bad = 1;
        }
    }
    free(got);
    return bad;
}

/* ---- driver ------------------------------------------------------------ */

static void setenv_u(const char *name, unsigned v)
{
    char buf[16];
    snprintf(buf, sizeof buf, "%u", v);
    setenv(name, buf, 1);
}

static int run_scenario(const char *shim, const char *tmp, size_t k)
{
    const scenario *s = &scenarios[k];
    char dir[512], image[512], cmd[1200];
    snprintf(dir, sizeof dir, "%s/sc%zu", tmp, k);
    snprintf(image, sizeof image, "%s/sc%zu.image", tmp, k);
    snprintf(cmd, sizeof cmd, "rm -rf '%s' '%s'", dir, image);
    if (system(cmd) != 0 || mkdir(dir, 0700)) return 1;
    char f[600], a[2 * PAGE];
    snprintf(f, sizeof f, "%s/f", dir);
    memset(a, 'a', sizeof a);
    FILE *fp = fopen(f, "wb");
    if (!fp || fwrite(a, 1, sizeof a, fp) != sizeof a || fclose(fp)) return 1;
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        setenv("LD_PRELOAD", shim, 1);
        setenv("TIX_PL_DIR", dir, 1);
        setenv("TIX_PL_IMAGE", image, 1);
        setenv_u("TIX_PL_CUT_AT", s->cut_at);
        setenv_u("TIX_PL_KEEP_PCT", s->keep);
        setenv_u("TIX_PL_TORN_PCT", s->torn);
        setenv_u("TIX_PL_LAX_DIR", s->lax_dir);
        char idx[16];
        snprintf(idx, sizeof idx, "%zu", k);
        execl("/proc/self/exe", "plshim_selftest", "--scenario", idx, dir, (char *)NULL);
        _exit(127);
    }
    int status = -1;
    while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    int bad = !WIFEXITED(status) || WEXITSTATUS(status) != 0;
    if (bad) fprintf(stderr, "  scenario ended with status 0x%x\n", status);
    for (int i = 0; !bad && i < 2 && s->want[i].file; i++) bad |= check_file(image, &s->want[i]);
    printf("%-34s %s\n", s->name, bad ? "FAILED" : "ok");
    return bad;
}

int main(int argc, char **argv)
{
    if (argc == 4 && !strcmp(argv[1], "--scenario")) {
        size_t k = strtoul(argv[2], NULL, 10);
        if (k >= N_SCENARIOS) return 2;
        scenarios[k].run(argv[3]);
        fprintf(stderr, "  no power cut happened\n");
        return 3;
    }
    const char *shim = getenv("TIX_PL_SHIM");
    if (!shim || !*shim) shim = PL_SHIM_PATH;
    const char *tmp = getenv("TIX_TEST_TMP");
    if (!tmp || !*tmp) tmp = "/tmp";
    mkdir(tmp, 0700);
    int failed = 0;
    for (size_t k = 0; k < N_SCENARIOS; k++) failed += run_scenario(shim, tmp, k);
    printf("plshim self-test: %zu scenarios, %d failed\n", N_SCENARIOS, failed);
    return failed ? 1 : 0;
}
