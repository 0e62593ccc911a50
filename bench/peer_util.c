/* tix-bench compare: helpers shared by the peers (tokens, clocks, running
 * server programs as another user). */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "peer.h"

uint64_t peer_token(void)
{
    static _Thread_local uint64_t pool[64];
    static _Thread_local int left;
    for (;;) {
        if (!left) {
            ssize_t got = getrandom(pool, sizeof pool, 0);
            if (got != (ssize_t)sizeof pool) {
                /* getrandom never fails for 512 bytes short of a signal;
                 * fall back to a clock mix rather than die. */
                for (int i = 0; i < 64; i++)
                    pool[i] = ((uint64_t)clock() << 32) ^ (uint64_t)time(NULL) ^
                              ((uint64_t)i * 0x9E3779B97F4A7C15ull);
            }
            left = 64;
        }
        uint64_t t = pool[--left] & 0x7FFFFFFFFFFFFFFFull; /* fits a bigint */
        if (t) return t;
    }
}

int64_t peer_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static pid_t spawn(const char *user, const char *const argv[], const char *log)
{
    struct passwd *pw = NULL;
    if (user && !(pw = getpwnam(user))) {
        errno = ENOENT;
        return -1;
    }
    pid_t pid = fork();
    if (pid != 0) return pid;
    /* child: become the user first, so that files it creates are its own */
    setsid(); /* no signals from the bench's terminal */
    if (pw) {
        if (setgroups(0, NULL) != 0 || setgid(pw->pw_gid) != 0 ||
            setuid(pw->pw_uid) != 0)
            _exit(126);
        setenv("HOME", pw->pw_dir, 1);
        setenv("USER", pw->pw_name, 1);
        setenv("LOGNAME", pw->pw_name, 1);
    }
    int fd = open(log ? log : "/dev/null", O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
        dup2(fd, 1);
        dup2(fd, 2);
        if (fd > 2) close(fd);
    }
    int nul = open("/dev/null", O_RDONLY);
    if (nul >= 0) {
        dup2(nul, 0);
        if (nul > 0) close(nul);
    }
    setenv("LC_ALL", "C", 1);
    execv(argv[0], (char *const *)argv);
    _exit(127);
}

int peer_run(const char *user, const char *const argv[], const char *log)
{
    pid_t pid = spawn(user, argv, log);
    if (pid < 0) return -1;
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR) return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

int peer_spawn(const char *user, const char *const argv[], const char *log)
{
    return (int)spawn(user, argv, log);
}

const char *peer_which(const char *const cands[])
{
    for (size_t i = 0; cands[i]; i++)
        if (access(cands[i], X_OK) == 0) return cands[i];
    return NULL;
}

void peer_log_tail(const char *log, char *buf, size_t cap)
{
    if (!cap) return;
    buf[0] = '\0';
    FILE *f = fopen(log, "r");
    if (!f) return;
    char all[8192];
    size_t n = 0;
    int ch;
    while ((ch = fgetc(f)) != EOF) {
        if (n == sizeof all - 1) {
            memmove(all, all + 4096, n - 4096);
            n -= 4096;
        }
        all[n++] = (char)ch;
    }
    all[n] = '\0';
    fclose(f);
    /* last 3 lines, joined with " | " */
    int lines = 0;
    size_t start = n;
    while (start > 0) {
        if (all[start - 1] == '\n' && start != n && ++lines == 3) break;
        start--;
    }
    size_t o = 0;
    for (size_t i = start; i < n && o + 4 < cap; i++) {
        if (all[i] == '\n') {
            if (i + 1 < n) {
                buf[o++] = ' ';
                buf[o++] = '|';
                buf[o++] = ' ';
            }
        } else {
            buf[o++] = all[i];
        }
    }
    buf[o] = '\0';
}
