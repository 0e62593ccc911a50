/* tix-disk-probe: what one durable commit costs on this file system, by
 * the shape of its writes. It backs the analysis in BENCHMARKS.md: a
 * confirm waits for a flush on every system, and how much a flush costs
 * depends on how many pages it carries and whether the file grows.
 *
 *   append     write N pages at the end of the file, fdatasync
 *              (an AOF or WAL that grows)
 *   overwrite  write N pages into a file filled with zeros beforehand,
 *              fdatasync (a preallocated log)
 *   lmdb-like  write N pages, one in three at a random place in the
 *              written part and the rest appended, fdatasync, then a
 *              120-byte meta write through an O_DSYNC descriptor (the
 *              shape of an LMDB commit with MDB_NOMETASYNC unset)
 *
 * usage: tix-disk-probe [DIR] [ROUNDS]   (DIR defaults to $TMPDIR or /tmp)
 * Prints microseconds per commit (median of ROUNDS, default 200) for N in
 * 1, 4, 16, 64. The probe file is removed afterwards. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum shape { APPEND, OVERWRITE, LMDB_LIKE };
static const char *const shape_names[] = {"append", "overwrite", "lmdb-like"};

static double now_us(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static int write_page(int fd, const char *page, off_t pgno)
{
    return pwrite(fd, page, 4096, pgno * 4096) == 4096 ? 0 : -1;
}

/* Median microseconds per commit of @p pages pages in shape @p s; -1 with
 * errno set on failure. */
static double probe(const char *path, enum shape s, int pages, int rounds)
{
    static char page[4096];
    memset(page, 'x', sizeof page);
    unlink(path);
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    int mfd = fd < 0 ? -1 : open(path, O_RDWR | O_DSYNC);
    off_t total = (off_t)rounds * pages + 16, next = 16;
    int ok = 0;
    double median = -1;
    if (mfd < 0) goto out;
    if (s == OVERWRITE) {
        for (off_t p = 0; p < total; p++)
            if (write_page(fd, page, p)) goto out;
        if (fsync(fd)) goto out;
    }
    double *t = calloc((size_t)rounds, sizeof *t);
    if (!t) goto out;
    srand(7);
    for (int r = 0; r < rounds; r++) {
        double t0 = now_us();
        for (int i = 0; i < pages; i++) {
            off_t p = next++;
            if (s == LMDB_LIKE && i % 3 == 0) p = 16 + rand() % (next - 16);
            if (write_page(fd, page, p)) { free(t); goto out; }
        }
        if (fdatasync(fd)) { free(t); goto out; }
        if (s == LMDB_LIKE && pwrite(mfd, page, 120, 32) != 120) { free(t); goto out; }
        t[r] = now_us() - t0;
    }
    qsort(t, (size_t)rounds, sizeof *t, cmp_double);
    median = t[rounds / 2];
    free(t);
    ok = 1;
out:;
    int err = ok ? 0 : errno ? errno : EIO; /* a short write sets none */
    if (fd >= 0) close(fd);
    if (mfd >= 0) close(mfd);
    unlink(path);
    errno = err;
    return ok ? median : -1;
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : getenv("TMPDIR");
    if (!dir || !*dir) dir = "/tmp";
    int rounds = argc > 2 ? atoi(argv[2]) : 200;
    if (rounds < 10 || rounds > 100000) {
        fprintf(stderr, "tix-disk-probe: ROUNDS must be 10..100000\n");
        return 2;
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/tix-disk-probe.%d", dir, (int)getpid());
    static const int sizes[] = {1, 4, 16, 64};
    printf("fdatasync cost per commit in %s, median of %d (microseconds)\n",
           dir, rounds);
    printf("%-10s %8s %8s %8s %8s\n", "pages", "1", "4", "16", "64");
    for (int s = APPEND; s <= LMDB_LIKE; s++) {
        printf("%-10s", shape_names[s]);
        for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
            errno = 0;
            double us = probe(path, (enum shape)s, sizes[i], rounds);
            if (us < 0) {
                fprintf(stderr, "\ntix-disk-probe: %s: %s\n", path, strerror(errno));
                return 1;
            }
            printf(" %8.0f", us);
            fflush(stdout);
        }
        printf("\n");
    }
    return 0;
}
