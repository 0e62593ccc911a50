/* tix-bench: the header, the tables, the target summary and the JSON. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "bench.h"

/* "12,345,678" */
static const char *fmt_int(char *buf, size_t cap, double v)
{
    char raw[32];
    snprintf(raw, sizeof raw, "%.0f", v < 0 ? 0 : v);
    size_t n = strlen(raw), o = 0;
    for (size_t i = 0; i < n && o + 2 < cap; i++) {
        if (i && (n - i) % 3 == 0) buf[o++] = ',';
        buf[o++] = raw[i];
    }
    buf[o] = '\0';
    return buf;
}

/* "5.12M/s", "48.3k/s" */
static const char *fmt_rate(char *buf, size_t cap, double v)
{
    if (v >= 1e6) snprintf(buf, cap, "%.2fM/s", v / 1e6);
    else if (v >= 1e3) snprintf(buf, cap, "%.1fk/s", v / 1e3);
    else snprintf(buf, cap, "%.0f/s", v);
    return buf;
}

/* "[3.59M..4.59M]" over the repeats, "" for one run. */
static const char *fmt_range(char *buf, size_t cap, const bench_result *r)
{
    if (r->repeats <= 1) {
        snprintf(buf, cap, "-");
        return buf;
    }
    char lo[32], hi[32];
    fmt_rate(lo, sizeof lo, r->rate_min);
    fmt_rate(hi, sizeof hi, r->rate_max);
    lo[strlen(lo) - 2] = hi[strlen(hi) - 2] = '\0'; /* drop "/s" */
    snprintf(buf, cap, "[%s..%s]", lo, hi);
    return buf;
}

static const char *status(const bench_result *r)
{
    if (!r->target) return "";
    return r->rate >= r->target ? "MET" : "NOT MET";
}

void bench_print_header(const bench_info *in)
{
    printf("tix-bench: libtix %s seat engine\n", in->version);
    printf("machine    : %d CPU(s) online, %s, %s; load average %.2f\n",
           in->nproc, in->cpu, in->kernel, in->load_start);
    printf("stores     : %s (file system: %s)\n", in->dir, in->fs);
    printf("durability : confirms %s; holds and availability never touch "
           "LMDB\n",
           strcmp(in->sync, "full") == 0
               ? "TIX_SYNC_FULL (fsync data + meta per commit)"
           : strcmp(in->sync, "nometa") == 0
               ? "TIX_SYNC_NOMETA (--confirm-sync nometa: no meta fsync)"
               : "TIX_SYNC_NONE (--confirm-sync none: no fsync, NOT durable)");
    printf("run        : %.2g s per step%s; threads %s; confirm clients %s",
           in->seconds, in->quick ? " (--quick)" : "", in->threads_text,
           in->confirm_threads_text);
    if (in->repeat > 1)
        printf("; every step %d times, median shown with [min..max]",
               in->repeat);
    printf("\n");
    printf("data       : hold show %u seats; availability show %u seats, "
           "%u taken; confirm pool %u seats per run\n",
           in->hold_seats, in->avail_seats, in->avail_taken, in->confirm_pool);
}

static int last_group = -1;

void bench_print_row(const bench_result *r)
{
    char a[32], b[32], c[48];
    int group = r->kind == K_CONFIRM || r->kind == K_ASYNC;
    if (group != last_group) {
        last_group = group;
        if (!group)
            printf("\n%-40s %4s %13s %13s %9s %6s %-17s %s\n", "scenario", "thr",
                   "ops/s", "ops/s/thread", "conflicts", "errors", " range",
                   "target");
        else
            printf("\nconfirms, 1-2 seats each, fresh store per row; latency "
                   "= the confirm call (async: submit to poll)\n"
                   "%-8s %11s %10s %7s %7s %7s %8s %6s %5s %6s %-5s %-17s %s\n",
                   "clients", "confirms/s", "seats/s", "p50 ms", "p99 ms",
                   "max ms", "batches", "mean", "max", "errors", "check",
                   "range", "target");
    }
    char target[96] = "";
    if (r->target)
        snprintf(target, sizeof target, "%s  %s", r->target_text, status(r));
    if (!group) {
        printf("%-40s %4d %13s %13s %9llu %6llu  %-16s %s\n", r->label,
               r->threads, fmt_int(a, sizeof a, r->rate),
               fmt_int(b, sizeof b, r->rate / r->threads),
               (unsigned long long)r->conflicts, (unsigned long long)r->errors,
               fmt_range(c, sizeof c, r), target);
    } else {
        char who[16];
        if (r->kind == K_ASYNC) snprintf(who, sizeof who, "1x%d", r->inflight);
        else snprintf(who, sizeof who, "%d%s", r->threads,
                      strcmp(r->name, "confirm_repl") ? "" : " repl");
        double mean = r->batches ? (double)r->batch_confirms / (double)r->batches : 0;
        printf("%-8s %11s %10s %7.2f %7.2f %7.1f %8llu %6.1f %5llu %6llu %-5s %-17s %s\n",
               who, fmt_int(a, sizeof a, r->rate),
               fmt_int(b, sizeof b, r->secs > 0 ? (double)r->seats / r->secs : 0),
               r->p50_ms, r->p99_ms, r->max_ms, (unsigned long long)r->batches,
               mean, (unsigned long long)r->max_batch,
               (unsigned long long)r->errors, r->verified ? "ok" : "FAIL",
               fmt_range(c, sizeof c, r), target);
    }
    if (r->first_error[0]) printf("    first error: %s\n", r->first_error);
    if (r->exhausted)
        printf("    seat pool used up before the end: rate is over %.2f s "
               "(raise --confirm-pool)\n", r->secs);
    fflush(stdout);
}

void bench_print_summary(const bench_result *r, size_t n)
{
    printf("\ntargets\n");
    for (size_t i = 0; i < n; i++) {
        if (!r[i].target) continue;
        char a[32];
        printf("  %-40s %10s  target %-34s %s\n", r[i].label,
               fmt_rate(a, sizeof a, r[i].rate), r[i].target_text, status(&r[i]));
    }
    for (size_t i = 0; i < n; i++)
        if ((r[i].kind == K_SOLDOUT || r[i].kind == K_GA) && !r[i].verified)
            printf("  WARNING: %s with %d thread(s): a seat was sold or a "
                   "released seat was not found\n", r[i].label, r[i].threads);
        else if (r[i].kind == K_QUEUE && !r[i].verified)
            printf("  WARNING: %s: %s\n", r[i].label,
                   r[i].first_error[0] ? r[i].first_error : "a join failed");
        else if ((r[i].kind == K_CONFIRM || r[i].kind == K_ASYNC) && !r[i].verified)
            printf("  WARNING: %s with %d client(s): booked seats in the store "
                   "differ from seats confirmed\n", r[i].label, r[i].threads);
}

static void json_str(const char *s)
{
    putchar('"');
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\') printf("\\%c", ch);
        else if (ch < 0x20) printf("\\u%04x", ch);
        else putchar(ch);
    }
    putchar('"');
}

static void json_num(double v)
{
    if (isfinite(v)) printf("%.6g", v);
    else printf("null");
}

void bench_print_json(const bench_info *in, const bench_result *r, size_t n)
{
    printf("{\"tool\":\"tix-bench\",\"version\":");
    json_str(in->version);
    printf(",\"machine\":{\"nproc\":%d,\"cpu\":", in->nproc);
    json_str(in->cpu);
    printf(",\"kernel\":");
    json_str(in->kernel);
    printf(",\"load_start\":");
    json_num(in->load_start);
    printf(",\"load_end\":");
    json_num(in->load_end);
    printf(",\"fs\":");
    json_str(in->fs);
    printf(",\"dir\":");
    json_str(in->dir);
    printf("},\"config\":{\"seconds\":");
    json_num(in->seconds);
    printf(",\"quick\":%s,\"repeat\":%d,\"threads\":",
           in->quick ? "true" : "false", in->repeat);
    json_str(in->threads_text);
    printf(",\"confirm_threads\":");
    json_str(in->confirm_threads_text);
    printf(",\"confirm_durability\":");
    json_str(in->sync);
    printf(",\"hold_show_seats\":%u,"
           "\"avail_show_seats\":%u,\"avail_show_taken\":%u,"
           "\"confirm_pool_seats\":%u},\"results\":[",
           in->hold_seats, in->avail_seats, in->avail_taken, in->confirm_pool);
    for (size_t i = 0; i < n; i++) {
        const bench_result *x = &r[i];
        printf("%s{\"scenario\":", i ? "," : "");
        json_str(x->name);
        printf(",\"threads\":%d,\"ops\":%llu,\"seconds\":", x->threads,
               (unsigned long long)x->ops);
        json_num(x->secs);
        printf(",\"ops_per_s\":");
        json_num(x->rate);
        printf(",\"ops_per_s_per_thread\":");
        json_num(x->rate / x->threads);
        printf(",\"ops_per_s_min\":");
        json_num(x->rate_min);
        printf(",\"ops_per_s_max\":");
        json_num(x->rate_max);
        printf(",\"conflicts\":%llu,\"errors\":%llu",
               (unsigned long long)x->conflicts, (unsigned long long)x->errors);
        if (x->kind == K_CONFIRM || x->kind == K_ASYNC) {
            if (x->kind == K_ASYNC) printf(",\"inflight\":%d", x->inflight);
            printf(",\"seats\":%llu,\"p50_ms\":", (unsigned long long)x->seats);
            json_num(x->p50_ms);
            printf(",\"p99_ms\":");
            json_num(x->p99_ms);
            printf(",\"max_ms\":");
            json_num(x->max_ms);
            printf(",\"batches\":%llu,\"mean_batch\":",
                   (unsigned long long)x->batches);
            json_num(x->batches ? (double)x->batch_confirms / (double)x->batches : 0);
            printf(",\"max_batch\":%llu,\"pool_exhausted\":%s,\"verified\":%s",
                   (unsigned long long)x->max_batch,
                   x->exhausted ? "true" : "false",
                   x->verified ? "true" : "false");
        }
        if (x->first_error[0]) {
            printf(",\"first_error\":");
            json_str(x->first_error);
        }
        if (x->target) {
            printf(",\"target\":");
            json_num(x->target);
            printf(",\"target_text\":");
            json_str(x->target_text);
            printf(",\"met\":%s", x->rate >= x->target ? "true" : "false");
        }
        putchar('}');
    }
    printf("]}\n");
}
