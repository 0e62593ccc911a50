/* Power-loss test: cut the power under a busy writer, over and over, and
 * prove after every cut that the store kept every promise.
 *
 * tests/crash (SIGKILL) cannot show this: the page cache survives a killed
 * process, so every write() that returned reaches the disk eventually.
 * Here the writer runs under plshim.so (LD_PRELOAD, see plshim.c), which
 * remembers every write no fsync has made durable yet and, at the cut,
 * writes a disk image holding the durable state plus a random, possibly
 * torn, part of the rest, then ends the process at once.
 *
 * Each iteration copies a template store (one screen of 300 seats, two
 * shows, a user, an outbox consumer; every FRESH_EVERY-th time data.mdb
 * alone, so the writer creates the other files, a journal, under the
 * shim), then execs this program in writer mode with the shim preloaded.
 * The writer (tests/util/writer.c, shared with tests/crash) runs, from
 * three threads, explicit and best-available holds, sync and async
 * confirms, releases, cancels, gate check-ins and outbox acks, and
 * reports each step over a pipe only after the call returned TIX_OK
 * (tests/util/invariants.h has the line format). The cut comes at a
 * seeded point: before the Nth durability call, before the Nth tracked
 * write, or N ms after the writer started (inside tix_db_open sometimes).
 *
 * The driver then opens the image (no shim; recovery may run), in a child
 * so that a store damaged enough to fault cannot take the driver down,
 * and checks:
 *  - the store opens;
 *  - every booking reported confirmed is there with its seats, tickets
 *    and payment reference, cancelled when the cancel was reported; every
 *    reported check-in and outbox acknowledgement is there;
 *  - no seat is sold twice; seat rows, seats.map and availability agree;
 *    the outbox has one event per committed change; the library's own
 *    consistency check passes (tt_inv_check with run_check).
 *
 * Environment:
 *   TIX_PL_DURABILITY  full (default), journal, nometa or none. nometa and
 *                      none are expected to fail: they show the test can.
 *   TIX_PL_ITERS       iterations (default 25)
 *   TIX_PL_SEED_BASE   iteration i uses seed base+i (default: from the
 *                      clock, printed); TIX_PL_FIRST skips to iteration i
 *   TIX_PL_SHIM        plshim.so to preload (default: the one built along)
 *   TIX_PL_VERBOSE     print the problems of every failing iteration
 *   TIX_PL_EXPECT_LOSS pass only if some iteration lost or damaged data
 *                      and the harness never failed (for none)
 *   TIX_TEST_TMP       where the stores live
 *   TIX_PL_KEEP_PCT, TIX_PL_TORN_PCT, TIX_PL_LAX_DIR, TIX_PL_MAX_MB
 *                      reach the shim unchanged (see plshim.c)
 * A seed reproduces the cut plan and the choice of surviving writes, not
 * the writer threads' interleaving. Exit status 0 when every iteration
 * passed. A failing iteration's store (the page cache at the cut: what a
 * kill -9 would have left) and image are kept and their path printed. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "invariants.h"
#include "journal.h"
#include "testutil.h"
#include "writer.h"

#define WRITER_SECONDS 10 /* a writer still running then was never cut */
#define BACKSTOP_MS 3000  /* a cut plan that never fires is ended by this */
#define EXIT_NO_CUT 3
/* plshim.c's exit codes */
#define SHIM_EXIT_OVER_BUDGET 86
#define SHIM_EXIT_UNSUPPORTED 87
#define SHIM_EXIT_IMAGE_FAILED 88
#define PRINT_FAILURES 3 /* iterations whose problems are printed */
#define FRESH_EVERY 4    /* see iteration() */

#ifndef PL_SHIM_PATH
#define PL_SHIM_PATH ""
#endif

/* TIX_SYNC_JOURNAL (3) is being added to tix.h; the number keeps this
 * file building against a tix.h without it. */
#define PL_SYNC_JOURNAL ((tix_durability)3)

typedef struct pl_mode {
    const char *name;
    tix_durability durability;
    int syncs; /* LMDB calls fsync in this mode: cuts can count syncs */
} pl_mode;

static const pl_mode modes[] = {
    {"full", TIX_SYNC_FULL, 1},
    {"journal", PL_SYNC_JOURNAL, 1},
    {"nometa", TIX_SYNC_NOMETA, 1},
    {"none", TIX_SYNC_NONE, 0},
};

static const pl_mode *mode_named(const char *name)
{
    for (size_t i = 0; i < sizeof modes / sizeof *modes; i++)
        if (!strcmp(modes[i].name, name)) return &modes[i];
    return NULL;
}

static void store_config(tix_config *cfg, const pl_mode *m)
{
    tt_writer_config(cfg, m->durability);
}

/* ---- the writer (runs under the shim; tests/util/writer.c) ------------ */

/* powerloss --writer STORE MODE ITER SEED FD USER SHOW... */
static int writer_main(int argc, char **argv)
{
    const pl_mode *m = argc == 8 + TT_WRITER_SHOWS ? mode_named(argv[3]) : NULL;
    if (!m) {
        fprintf(stderr, "powerloss: bad writer arguments\n");
        return 2;
    }
    tt_writer w = {.iter = (unsigned)strtoul(argv[4], NULL, 0),
                   .fd = atoi(argv[6]),
                   .user = strtoull(argv[7], NULL, 0),
                   .ref_prefix = "pl"};
    uint64_t seed = strtoull(argv[5], NULL, 0);
    for (int i = 0; i < TT_WRITER_SHOWS; i++) w.shows[i] = strtoull(argv[8 + i], NULL, 0);
    tix_config cfg;
    store_config(&cfg, m);
    int rc = tix_db_open(argv[2], &cfg, &w.db);
    if (rc) {
        tt_writer_fail(&w, "open -> %s: %s", tix_strerror(rc), tix_errmsg());
        _exit(2);
    }
    tt_writer_run(&w, seed, 0, WRITER_SECONDS);
    tt_writer_fail(&w, "writer ran %d s without a power cut", WRITER_SECONDS);
    _exit(EXIT_NO_CUT); /* never closes the store: the power was meant to go */
}

/* ---- the driver: template store and per-iteration files ---------------- */

typedef struct ctx {
    const pl_mode *mode;
    tix_config cfg;
    const char *shim;
    char *base;
    char tmpl[600], tmpl_full[600];
    tix_id shows[TT_WRITER_SHOWS], user;
    unsigned failures;
    int verbose;
    int expect_loss; /* the mode is known to lose data: prove we see it */
} ctx;

static int copy_file(const char *from, const char *to)
{
    int in = open(from, O_RDONLY | O_CLOEXEC);
    int out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    char buf[1 << 16];
    ssize_t n = in < 0 || out < 0 ? -1 : 0;
    while (n == 0 && (n = read(in, buf, sizeof buf)) > 0)
        n = write(out, buf, (size_t)n) == n ? 0 : -1;
    if (in >= 0) close(in);
    if (out >= 0) close(out);
    return n < 0 ? -1 : 0;
}

/* lock.mdb and seats.map are never copied: a reboot loses lock.mdb and
 * libtix rebuilds seats.map from LMDB (the shim leaves them out too). */
static int volatile_name(const char *name)
{
    return !strcmp(name, "lock.mdb") || !strcmp(name, "journal.shm") ||
           !strncmp(name, "seats.map", 9);
}

/* Makes @p store from the data files of @p from (data.mdb, a journal,
 * ...), or from its data.mdb alone. */
static int copy_store(const char *from_dir, const char *store, int data_only)
{
    DIR *d = opendir(from_dir);
    if (!d || mkdir(store, 0700)) {
        if (d) closedir(d);
        return -1;
    }
    int rc = 0;
    struct dirent *e;
    while (!rc && (e = readdir(d))) {
        char from[1024], to[1024];
        struct stat st;
        snprintf(from, sizeof from, "%s/%s", from_dir, e->d_name);
        snprintf(to, sizeof to, "%s/%s", store, e->d_name);
        if (!volatile_name(e->d_name) && (!data_only || !strcmp(e->d_name, "data.mdb")) &&
            !stat(from, &st) && S_ISREG(st.st_mode))
            rc = copy_file(from, to);
    }
    closedir(d);
    return rc;
}

/* The catalog, written in full-sync mode. */
static int make_catalog_store(ctx *c)
{
    tix_config full;
    store_config(&full, mode_named("full"));
    tix_db *db;
    int rc = tix_db_open(c->tmpl_full, &full, &db);
    if (rc) {
        fprintf(stderr, "powerloss: template: %s: %s\n", tix_strerror(rc), tix_errmsg());
        return -1;
    }
    rc = tt_writer_catalog(db, c->shows, &c->user);
    if (rc) fprintf(stderr, "powerloss: template: %s: %s\n", tix_strerror(rc), tix_errmsg());
    tix_db_close(db);
    return rc ? -1 : 0;
}

/* Two templates: the catalog as a full-sync store left it (data.mdb
 * only: a store from before the mode was chosen), and the same once
 * opened and closed in the mode under test (with any journal it keeps).
 * An unsupported mode fails here, clearly. */
static int make_templates(ctx *c)
{
    snprintf(c->tmpl_full, sizeof c->tmpl_full, "%s/catalog", c->base);
    snprintf(c->tmpl, sizeof c->tmpl, "%s/template", c->base);
    if (make_catalog_store(c)) return -1;
    if (copy_store(c->tmpl_full, c->tmpl, 1)) {
        fprintf(stderr, "powerloss: cannot copy %s to %s\n", c->tmpl_full, c->tmpl);
        return -1;
    }
    tix_db *db;
    int rc = tix_db_open(c->tmpl, &c->cfg, &db);
    if (rc) {
        fprintf(stderr, "powerloss: durability '%s': tix_db_open -> %s: %s%s\n",
                c->mode->name, tix_strerror(rc), tix_errmsg(),
                rc == TIX_EINVAL ? " (mode not supported by this build?)" : "");
        return -1;
    }
    tix_db_close(db);
    return 0;
}

/* ---- the driver: one iteration ----------------------------------------- */

/* Where the power goes out. */
typedef struct plan {
    const char *kind; /* "sync", "write" or "timer" */
    uint64_t at;      /* Nth durability call, Nth write, or ms */
    uint64_t seed;
} plan;

/* Mostly at a sync or a write, which reproduce exactly; by timer too,
 * which also lands inside fsyncs, and early, inside tix_db_open and its
 * recovery. Without syncs (none) pending writes pile up: shorter timers
 * keep them under the shim's memory bound. */
static void make_plan(const pl_mode *m, uint64_t seed, plan *p)
{
    uint64_t rng = seed * 2654435761u + 17;
    uint32_t k = (uint32_t)(tt_xorshift(&rng) % 100);
    uint64_t r = tt_xorshift(&rng);
    p->seed = seed;
    if (k < 45 && m->syncs) {
        p->kind = "sync";
        p->at = 1 + r % 400;
    } else if (k < 65) {
        p->kind = "write";
        p->at = 1 + r % 1500;
    } else if (k < 90) {
        p->kind = "timer";
        p->at = 5 + r % (m->syncs ? 400 : 200);
    } else {
        p->kind = "timer";
        p->at = 1 + r % 30;
    }
}

typedef struct iter_paths {
    char dir[640], store[700], image[700], report[700];
} iter_paths;

static void setenv_u64(const char *name, uint64_t v)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%llu", (unsigned long long)v);
    setenv(name, buf, 1);
}

/* In the forked child: set the shim's environment and exec writer mode. */
static void exec_writer(const ctx *c, const iter_paths *ip, const plan *p,
                        unsigned it, int fd)
{
    unsetenv("TIX_PL_CUT_AT");
    unsetenv("TIX_PL_CUT_WRITES");
    setenv("LD_PRELOAD", c->shim, 1);
    setenv("TIX_PL_DIR", ip->store, 1);
    setenv("TIX_PL_IMAGE", ip->image, 1);
    setenv("TIX_PL_REPORT", ip->report, 1);
    setenv_u64("TIX_PL_SEED", p->seed);
    if (!strcmp(p->kind, "timer")) {
        setenv_u64("TIX_PL_CUT_MS", p->at);
    } else {
        setenv_u64(!strcmp(p->kind, "sync") ? "TIX_PL_CUT_AT" : "TIX_PL_CUT_WRITES", p->at);
        setenv_u64("TIX_PL_CUT_MS", BACKSTOP_MS);
    }
    char a_it[16], a_seed[32], a_fd[16], a_user[32], a_show[TT_WRITER_SHOWS][32];
    snprintf(a_it, sizeof a_it, "%u", it);
    snprintf(a_seed, sizeof a_seed, "%llu", (unsigned long long)p->seed);
    snprintf(a_fd, sizeof a_fd, "%d", fd);
    snprintf(a_user, sizeof a_user, "%llu", (unsigned long long)c->user);
    char *argv[9 + TT_WRITER_SHOWS] = {"powerloss", "--writer", (char *)ip->store,
                               (char *)c->mode->name, a_it, a_seed, a_fd, a_user};
    for (int i = 0; i < TT_WRITER_SHOWS; i++) {
        snprintf(a_show[i], sizeof a_show[i], "%llu", (unsigned long long)c->shows[i]);
        argv[8 + i] = a_show[i];
    }
    execv("/proc/self/exe", argv);
    _exit(127);
}

typedef struct iter_result {
    int writer_status;
    int ready;            /* the writer had opened the store */
    size_t bad_lines;     /* F lines or malformed reports */
    char cut[256];        /* the shim's report line */
    /* from the checker */
    int checker_status;
    int open_rc;
    char open_msg[200];
    size_t inv_problems, ledger_problems;
    tt_inv_stats st;
} iter_result;

/* Feeds the writer's reports into @p l until it exits (the cut closes the
 * pipe). Returns -1 when it outlives every deadline. */
static int collect_reports(pid_t pid, int fd, tt_ledger *l, iter_result *r)
{
    tt_reports rep = {0};
    int64_t t0 = tt_mono_ms();
    int rc = 0;
    for (;;) {
        if (tt_mono_ms() - t0 > (WRITER_SECONDS + 10) * 1000) {
            kill(pid, SIGKILL);
            rc = -1;
            break;
        }
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        if (poll(&pfd, 1, 100) <= 0) continue;
        if (!tt_reports_read(&rep, fd, l)) break;
    }
    r->ready = rep.ready;
    r->bad_lines = rep.bad;
    return rc;
}

static void read_text(const char *path, char *out, size_t cap)
{
    out[0] = '\0';
    FILE *f = fopen(path, "r");
    if (!f) return;
    if (fgets(out, (int)cap, f)) out[strcspn(out, "\n")] = '\0';
    fclose(f);
}

static void run_writer(const ctx *c, const iter_paths *ip, const plan *p,
                       unsigned it, tt_ledger *l, iter_result *r)
{
    int pfd[2];
    if (pipe(pfd)) {
        r->writer_status = -1;
        return;
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        close(pfd[0]);
        exec_writer(c, ip, p, it, pfd[1]);
    }
    close(pfd[1]);
    if (pid < 0 || collect_reports(pid, pfd[0], l, r)) r->writer_status = -1;
    close(pfd[0]);
    int status = -1;
    while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (r->writer_status == 0) r->writer_status = status;
    read_text(ip->report, r->cut, sizeof r->cut);
}

/* In the forked checker: opens the image and checks it. */
static void check_image(const ctx *c, const char *image, const tt_ledger *l,
                        int quiet, iter_result *r)
{
    alarm(120); /* a check that hangs is a failure too */
    /* The image is what the disk holds after the machine comes back: a
     * new boot. A journal records the boot its store was written in (a
     * store written in this boot had its page cache survive); make it
     * look written in the last one. Modes without a journal: no-op. */
    if (getenv("TIX_PL_KEEP_ORIG")) { /* debugging: the image as cut */
        char cmd[3000];
        snprintf(cmd, sizeof cmd, "cp -a '%s' '%s.orig'", image, image);
        if (system(cmd) != 0) fprintf(stderr, "powerloss: %s failed\n", cmd);
    }
    (void)tix__journal_test_forget_boot(image);
    tix_db *db;
    r->open_rc = tix_db_open(image, &c->cfg, &db);
    if (r->open_rc) {
        snprintf(r->open_msg, sizeof r->open_msg, "%s", tix_errmsg());
        return;
    }
    tt_inv_opts o = {.run_check = 1, .quiet = quiet};
    r->inv_problems = tt_inv_check(db, &o, &r->st);
    r->ledger_problems = tt_ledger_verify(db, l, quiet);
    tix_db_close(db);
}

/* Runs check_image() in a child: a damaged store may fault the reader. */
static void run_checker(const ctx *c, const iter_paths *ip, const tt_ledger *l,
                        iter_result *r)
{
    int quiet = !c->verbose && (c->expect_loss || c->failures >= PRINT_FAILURES);
    int pfd[2];
    if (pipe(pfd)) {
        r->checker_status = -1;
        return;
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        close(pfd[0]);
        iter_result mine = *r;
        check_image(c, ip->image, l, quiet, &mine);
        ssize_t w = write(pfd[1], &mine, sizeof mine);
        _exit(w == (ssize_t)sizeof mine ? 0 : 1);
    }
    close(pfd[1]);
    iter_result got;
    ssize_t n = pid < 0 ? -1 : read(pfd[0], &got, sizeof got);
    close(pfd[0]);
    int status = -1;
    while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (n == (ssize_t)sizeof got) *r = got;
    r->checker_status = status;
}

/* ---- the driver: verdicts and the loop --------------------------------- */

typedef struct totals {
    unsigned iters, by_kind[3], before_ready, fresh;
    unsigned f_harness, f_open, f_crash, f_lost, f_inv;
    size_t reported, bookings, pending, pending_kib, applied, torn;
    int64_t ms;
} totals;

static unsigned long cut_field(const char *cut, const char *key)
{
    const char *p = strstr(cut, key);
    return p ? strtoul(p + strlen(key), NULL, 10) : 0;
}

static const char *writer_exit_text(int code)
{
    switch (code) {
    case EXIT_NO_CUT: return " (never cut)";
    case SHIM_EXIT_OVER_BUDGET: return " (shim: pending writes over TIX_PL_MAX_MB)";
    case SHIM_EXIT_UNSUPPORTED: return " (shim: an operation it cannot simulate)";
    case SHIM_EXIT_IMAGE_FAILED: return " (shim: the image could not be written)";
    default: return "";
    }
}

/* The harness's own failures: no cut, no image, a writer call failing. */
static int harness_failed(const iter_result *r, char *why, size_t cap)
{
    int ws = r->writer_status;
    if (ws >= 0 && WIFEXITED(ws) && WEXITSTATUS(ws) == 0 && r->cut[0]) {
        if (!r->bad_lines) return 0;
        snprintf(why, cap, "writer reported %zu failures", r->bad_lines);
    } else if (ws >= 0 && WIFSIGNALED(ws)) {
        snprintf(why, cap, "writer killed by signal %d", WTERMSIG(ws));
    } else if (ws >= 0 && WIFEXITED(ws)) {
        snprintf(why, cap, "writer exit %d%s", WEXITSTATUS(ws),
                 writer_exit_text(WEXITSTATUS(ws)));
    } else {
        snprintf(why, cap, "writer hung");
    }
    return 1;
}

/* Why iteration @p r failed ("" when it passed); counts it in @p t. */
static const char *verdict(const iter_result *r, totals *t, char *why, size_t cap)
{
    why[0] = '\0';
    int cs = r->checker_status;
    if (harness_failed(r, why, cap)) {
        t->f_harness++;
    } else if (cs < 0 || !WIFEXITED(cs) || WEXITSTATUS(cs) != 0) {
        t->f_crash++;
        if (cs >= 0 && WIFSIGNALED(cs))
            snprintf(why, cap, "checker died of signal %d reading the image", WTERMSIG(cs));
        else
            snprintf(why, cap, "checker failed");
    } else if (r->open_rc) {
        t->f_open++;
        snprintf(why, cap, "image does not open: %s: %s", tix_strerror(r->open_rc),
                 r->open_msg);
    } else if (r->ledger_problems) {
        t->f_lost++;
        snprintf(why, cap, "%zu reported steps lost (and %zu invariant problems)",
                 r->ledger_problems, r->inv_problems);
    } else if (r->inv_problems) {
        t->f_inv++;
        snprintf(why, cap, "%zu invariant problems", r->inv_problems);
    }
    return why;
}

static void account(const plan *p, const iter_result *r, const tt_ledger *l, totals *t)
{
    t->iters++;
    t->by_kind[!strcmp(p->kind, "sync") ? 0 : !strcmp(p->kind, "write") ? 1 : 2]++;
    t->before_ready += !r->ready;
    t->reported += l->nb;
    t->bookings += r->st.bookings;
    t->pending += cut_field(r->cut, "pending=");
    t->pending_kib += cut_field(r->cut, "pending_kib=");
    t->applied += cut_field(r->cut, "applied=");
    t->torn += cut_field(r->cut, "torn=");
}

static int iteration(ctx *c, unsigned it, uint64_t seed, totals *t)
{
    int64_t t0 = tt_mono_ms();
    iter_paths ip;
    snprintf(ip.dir, sizeof ip.dir, "%s/it%u", c->base, it);
    snprintf(ip.store, sizeof ip.store, "%s/store", ip.dir);
    snprintf(ip.image, sizeof ip.image, "%s/image", ip.dir);
    snprintf(ip.report, sizeof ip.report, "%s/cut.txt", ip.dir);
    /* Every FRESH_EVERY-th store is data.mdb alone: the writer creates
     * the other files (a journal) itself, under the shim. */
    int fresh = it % FRESH_EVERY == FRESH_EVERY - 1;
    if (mkdir(ip.dir, 0700) ||
        copy_store(fresh ? c->tmpl_full : c->tmpl, ip.store, fresh)) {
        fprintf(stderr, "powerloss: cannot make %s\n", ip.store);
        return -1;
    }
    plan p;
    make_plan(c->mode, seed, &p);
    tt_ledger l;
    tt_ledger_init(&l);
    iter_result r = {0};
    run_writer(c, &ip, &p, it, &l, &r);
    if (r.cut[0]) run_checker(c, &ip, &l, &r);
    char why[300];
    verdict(&r, t, why, sizeof why);
    account(&p, &r, &l, t);
    t->fresh += fresh;
    printf("iter %2u seed %llu: %scut %s@%llu%s, %zu reported, image %zu bookings "
           "[%s] %lld ms: %s\n", it, (unsigned long long)seed,
           fresh ? "data.mdb only, " : "", p.kind,
           (unsigned long long)p.at, r.ready ? "" : " (in open)", l.nb,
           r.st.bookings, r.cut, (long long)(tt_mono_ms() - t0), why[0] ? why : "ok");
    fflush(stdout);
    tt_ledger_free(&l);
    if (why[0]) {
        c->failures++;
        fprintf(stderr, "iteration %u failed: %s; kept %s\n", it, why, ip.dir);
    } else {
        tt_rmrf(ip.dir);
    }
    return 0;
}

static unsigned long long env_ull(const char *name, unsigned long long def)
{
    const char *v = getenv(name);
    return v && *v ? strtoull(v, NULL, 0) : def;
}

static void print_totals(const ctx *c, const totals *t)
{
    printf("powerloss[%s]: %u iterations in %lld ms (%u from data.mdb alone; cuts: "
           "%u at a sync, %u at a write, %u by timer, %u of them during open): %zu "
           "bookings reported, %zu in "
           "the images; at the cuts %zu writes pending (%zu KiB), %zu kept, %zu "
           "torn; %u failed (harness %u, no open %u, reader crash %u, lost "
           "reported steps %u, invariants %u)\n",
           c->mode->name, t->iters, (long long)t->ms, t->fresh, t->by_kind[0], t->by_kind[1],
           t->by_kind[2], t->before_ready, t->reported, t->bookings, t->pending,
           t->pending_kib, t->applied, t->torn, c->failures, t->f_harness, t->f_open,
           t->f_crash, t->f_lost, t->f_inv);
}

/* With TIX_PL_EXPECT_LOSS (a mode that does not flush) the run passes
 * when the checks caught lost or damaged data and the harness itself
 * worked: a WILL_FAIL that a broken harness cannot satisfy. */
static int expected_loss_seen(const totals *t)
{
    unsigned caught = t->f_open + t->f_crash + t->f_lost + t->f_inv;
    printf("powerloss: expected losses: %u of %u iterations caught them, %u "
           "harness failures: %s\n", caught, t->iters, t->f_harness,
           caught && !t->f_harness ? "as expected" : "NOT as expected");
    return caught && !t->f_harness;
}

static int setup(ctx *c)
{
    const char *mname = getenv("TIX_PL_DURABILITY");
    c->mode = mode_named(mname && *mname ? mname : "full");
    if (!c->mode) {
        fprintf(stderr, "powerloss: TIX_PL_DURABILITY=%s: want full, journal, "
                "nometa or none\n", mname);
        return -1;
    }
    c->shim = getenv("TIX_PL_SHIM");
    if (!c->shim || !*c->shim) c->shim = PL_SHIM_PATH;
    if (access(c->shim, R_OK)) {
        fprintf(stderr, "powerloss: no shim at '%s' (set TIX_PL_SHIM)\n", c->shim);
        return -1;
    }
    c->verbose = getenv("TIX_PL_VERBOSE") != NULL;
    c->expect_loss = getenv("TIX_PL_EXPECT_LOSS") != NULL;
    store_config(&c->cfg, c->mode);
    c->base = tt_tmpdir();
    return make_templates(c);
}

int main(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "--writer")) return writer_main(argc, argv);
    ctx c = {0};
    if (setup(&c)) return 1;
    unsigned iters = (unsigned)env_ull("TIX_PL_ITERS", 25);
    unsigned first = (unsigned)env_ull("TIX_PL_FIRST", 0);
    uint64_t base = env_ull("TIX_PL_SEED_BASE", (unsigned)time(NULL) ^ (unsigned)getpid());
    printf("powerloss: durability %s, %u iterations, TIX_PL_SEED_BASE=%llu\n",
           c.mode->name, iters, (unsigned long long)base);
    totals t = {0};
    int64_t t0 = tt_mono_ms();
    for (unsigned it = first; it < first + iters; it++)
        if (iteration(&c, it, base + it, &t)) return 1;
    t.ms = tt_mono_ms() - t0;
    print_totals(&c, &t);
    int ok = c.expect_loss ? expected_loss_seen(&t) : !c.failures;
    if (!c.failures || c.expect_loss) tt_rmrf(c.base);
    else fprintf(stderr, "powerloss: failing iterations kept under %s\n", c.base);
    free(c.base);
    return ok ? 0 : 1;
}
