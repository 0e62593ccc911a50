/* tix-bench: clocks, machine facts and file helpers. */
#define _XOPEN_SOURCE 700
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

uint64_t bench_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

double bench_secs(void) { return (double)bench_ns() / 1e9; }

void bench_sleep(double seconds)
{
    double until = bench_secs() + seconds;
    for (double left = seconds; left > 0; left = until - bench_secs()) {
        struct timespec ts = {(time_t)left,
                              (long)((left - (double)(time_t)left) * 1e9)};
        nanosleep(&ts, NULL);
    }
}

int bench_nproc(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}

static void trim(char *s)
{
    size_t n = strlen(s);
    while (n && (s[n - 1] == '\n' || s[n - 1] == ' ' || s[n - 1] == '\t'))
        s[--n] = '\0';
}

void bench_cpu_model(char *buf, size_t cap)
{
    snprintf(buf, cap, "unknown CPU");
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f) return;
    char line[512];
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "model name", 10) == 0) {
            char *colon = strchr(line, ':');
            if (colon) {
                colon++;
                while (*colon == ' ' || *colon == '\t') colon++;
                snprintf(buf, cap, "%s", colon);
                trim(buf);
                break;
            }
        }
    }
    fclose(f);
}

double bench_loadavg(void)
{
    double l = -1;
    FILE *f = fopen("/proc/loadavg", "r");
    if (f) {
        if (fscanf(f, "%lf", &l) != 1) l = -1;
        fclose(f);
    }
    return l;
}

void bench_kernel(char *buf, size_t cap)
{
    struct utsname u;
    if (uname(&u) == 0) snprintf(buf, cap, "%s %s %s", u.sysname, u.release, u.machine);
    else snprintf(buf, cap, "unknown");
}

/* Unescapes the octal escapes (\040) of /proc/self/mountinfo in place. */
static void unescape(char *s)
{
    char *o = s;
    for (char *p = s; *p; p++) {
        if (p[0] == '\\' && p[1] >= '0' && p[1] <= '7' && p[2] && p[3]) {
            *o++ = (char)((p[1] - '0') * 64 + (p[2] - '0') * 8 + (p[3] - '0'));
            p += 3;
        } else {
            *o++ = *p;
        }
    }
    *o = '\0';
}

void bench_fs_type(const char *path, char *buf, size_t cap)
{
    snprintf(buf, cap, "unknown");
    char real[PATH_MAX];
    if (!realpath(path, real)) return;
    FILE *f = fopen("/proc/self/mountinfo", "r");
    size_t best = 0;
    if (f) {
        char line[4096];
        while (fgets(line, sizeof line, f)) {
            /* id parent maj:min root mountpoint opts [optional...] - fstype src */
            char *save = NULL, *tok = strtok_r(line, " ", &save);
            char *mnt = NULL;
            for (int i = 0; tok && i < 4; i++) tok = strtok_r(NULL, " ", &save);
            mnt = tok;
            while (tok && strcmp(tok, "-") != 0) tok = strtok_r(NULL, " ", &save);
            char *type = tok ? strtok_r(NULL, " ", &save) : NULL;
            if (!mnt || !type) continue;
            unescape(mnt);
            size_t n = strlen(mnt);
            int under = strcmp(mnt, "/") == 0 ||
                        (strncmp(real, mnt, n) == 0 &&
                         (real[n] == '/' || real[n] == '\0'));
            if (under && n >= best) {
                best = n;
                snprintf(buf, cap, "%s", type);
            }
        }
        fclose(f);
    }
    if (best == 0) {
        struct statfs sf;
        if (statfs(real, &sf) == 0)
            snprintf(buf, cap, "fs magic 0x%lx", (unsigned long)sf.f_type);
    }
}

static int rm_entry(const char *path, const struct stat *st, int flag,
                    struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path) == 0 || errno == ENOENT ? 0 : -1;
}

int bench_rmtree(const char *path)
{
    return nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

int bench_copy_file(const char *from, const char *to)
{
    int in = open(from, O_RDONLY | O_CLOEXEC);
    if (in < 0) return -1;
    int out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (out < 0) {
        close(in);
        return -1;
    }
    static char buf[1 << 20];
    int rc = 0;
    for (;;) {
        ssize_t got = read(in, buf, sizeof buf);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) {
            rc = got < 0 ? -1 : 0;
            break;
        }
        for (ssize_t off = 0; off < got;) {
            ssize_t put = write(out, buf + off, (size_t)(got - off));
            if (put < 0 && errno == EINTR) continue;
            if (put < 0) {
                rc = -1;
                break;
            }
            off += put;
        }
        if (rc) break;
    }
    if (rc == 0 && fsync(out) != 0) rc = -1;
    close(in);
    if (close(out) != 0) rc = -1;
    return rc;
}

void bench_fatal(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("tix-bench: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}
