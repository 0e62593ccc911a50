/* Store commands: init, stats, check, backup, restore. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

/* ------------------------------------------------------------------------ */

static const char init_help[] =
    "usage: tix init [-s DIR] [--json]\n"
    "\n"
    "Creates an empty store in DIR (default $TIX_STORE, else ./tix-store):\n"
    "data.mdb, lock.mdb and seats.map, directory mode 0700.\n"
    "Exit 3 when DIR already holds a store.\n";

int cmd_init(cli *c, int argc, char **argv)
{
    cli_opt opts[] = {{0}};
    const char *pos[1];
    int np, rc = cli_parse(c, "init", init_help, argc, argv, opts, pos, &np, 0);
    if (rc) return rc;
    char probe[PATH_MAX];
    snprintf(probe, sizeof probe, "%s/data.mdb", c->store);
    if (access(probe, F_OK) == 0)
        return cli_error(c, EX_CONFLICT, "TIX_EEXISTS",
                         "%s already holds a store", c->store);
    int trc = tix_db_open(c->store, NULL, &c->db);
    if (trc) return cli_fail(c, trc, "cannot create store %s", c->store);
    if (!c->json) printf("created store %s (libtix %s)\n", c->store, tix_version());
    cli_emit(c, json_pack("{s:s, s:b, s:s}", "store", c->store, "created", 1,
                          "version", tix_version()));
    return EX_OK;
}

/* ------------------------------------------------------------------------ */

static const char stats_help[] =
    "usage: tix stats [-s DIR] [--json]\n"
    "\n"
    "Sizes and usage of the store: data.mdb and its LMDB map, readers,\n"
    "entries and pages of every table, seats.map size and how many of its\n"
    "words belong to live and reclaimed show regions.\n";

static void human(char buf[32], uint64_t b)
{
    const char *u[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    double v = (double)b;
    int i = 0;
    while (v >= 1024 && i < 4) {
        v /= 1024;
        i++;
    }
    snprintf(buf, 32, i ? "%.1f %s" : "%.0f %s", v, u[i]);
}

int cmd_stats(cli *c, int argc, char **argv)
{
    cli_opt opts[] = {{0}};
    const char *pos[1];
    int np, rc = cli_parse(c, "stats", stats_help, argc, argv, opts, pos, &np, 0);
    if (rc) return rc;
    if ((rc = cli_open_reader(c))) return rc;
    tix_db_stats *si = calloc(1, sizeof *si);
    if (!si) return cli_error(c, EX_SYSTEM, "TIX_ENOMEM", "out of memory");
    int trc = tix_db_stat(c->db, si);
    if (trc) {
        free(si);
        return cli_fail(c, trc, "stats");
    }
    uint64_t used = si->pages_used * si->page_size;
    uint64_t words_bytes = 4096 + si->seatmap_words * 8;
    if (c->json) {
        json_t *tables = json_object();
        for (size_t i = 0; i < si->n_tables; i++)
            json_object_set_new(tables, si->tables[i].name,
                                json_pack("{s:I, s:I, s:i}", "entries",
                                          (json_int_t)si->tables[i].entries,
                                          "pages",
                                          (json_int_t)si->tables[i].pages,
                                          "depth", (int)si->tables[i].depth));
        json_t *o = json_pack(
            "{s:s, s:s, s:{s:I, s:I, s:I, s:I, s:I, s:I, s:i, s:i}, "
            "s:{s:I, s:I, s:I, s:I, s:I, s:I, s:I}, s:o}",
            "store", c->store, "version", tix_version(),
            "lmdb", "file_bytes", (json_int_t)si->data_file_bytes,
            "map_size", (json_int_t)si->map_size,
            "map_size_max", (json_int_t)si->map_size_max,
            "page_size", (json_int_t)si->page_size,
            "used_bytes", (json_int_t)used,
            "last_txn", (json_int_t)si->last_txn,
            "readers_max", (int)si->readers_max,
            "readers_used", (int)si->readers_used,
            "seatmap", "file_bytes", (json_int_t)si->seatmap_file_bytes,
            "reserve_bytes", (json_int_t)si->seatmap_reserve,
            "allocated_words", (json_int_t)si->seatmap_words,
            "live_regions", (json_int_t)si->regions_live,
            "live_words", (json_int_t)si->regions_live_words,
            "free_regions", (json_int_t)si->regions_free,
            "free_words", (json_int_t)si->regions_free_words,
            "tables", tables);
        cli_emit(c, o);
    } else {
        char a[32], b[32], d[32];
        human(a, si->data_file_bytes);
        human(b, used);
        human(d, si->map_size);
        printf("store     %s (libtix %s)\n", c->store, tix_version());
        printf("data.mdb  %s on disk, %s in use, map %s", a, b, d);
        if (si->map_size_max) {
            human(a, si->map_size_max);
            printf(" (limit %s)", a);
        }
        printf(", %llu%% used\n",
               si->map_size ? (unsigned long long)(used * 100 / si->map_size) : 0ull);
        printf("          page %llu B, last txn %llu, readers %u of %u\n",
               (unsigned long long)si->page_size,
               (unsigned long long)si->last_txn, si->readers_used,
               si->readers_max);
        human(a, si->seatmap_file_bytes);
        human(b, si->seatmap_reserve);
        human(d, words_bytes);
        printf("seats.map %s on disk (reserve %s); regions use %s:\n", a, b, d);
        printf("          %llu live regions (%llu words), %llu reclaimed "
               "(%llu words free)\n",
               (unsigned long long)si->regions_live,
               (unsigned long long)si->regions_live_words,
               (unsigned long long)si->regions_free,
               (unsigned long long)si->regions_free_words);
        printf("tables    %-22s %10s %8s %5s\n", "", "entries", "pages", "depth");
        for (size_t i = 0; i < si->n_tables; i++)
            printf("          %-22s %10llu %8llu %5u\n", si->tables[i].name,
                   (unsigned long long)si->tables[i].entries,
                   (unsigned long long)si->tables[i].pages,
                   si->tables[i].depth);
    }
    free(si);
    return EX_OK;
}

/* ------------------------------------------------------------------------ */

static const char check_help[] =
    "usage: tix check [-s DIR] [--json] [--max N]\n"
    "\n"
    "Verifies the store while others may keep using it:\n"
    "  - seats.map against LMDB, seat by seat, for every show not yet\n"
    "    reclaimed: booked seats carry their booking, blocked seats a block,\n"
    "    no seat free in LMDB is booked or blocked in the map;\n"
    "  - every index against its table, both ways (places, venues, screens,\n"
    "    tiers, seats by label, users by e-mail, shows by screen/city/venue,\n"
    "    bookings by user/show, payment references, tickets, seat states,\n"
    "    reviews, comments, offers) and the references between records;\n"
    "  - seats.map regions: no overlap, each live show has its region.\n"
    "A difference seen once may be a change caught half way, so a pass that\n"
    "finds problems runs again; only problems every pass saw are reported.\n"
    "\n"
    "  --max N   print at most N problems (default 100; all are counted)\n"
    "\n"
    "Exit 0 when consistent, 6 when any problem was found.\n";

typedef struct check_ctx {
    cli *c;
    json_t *list;
    unsigned long shown, max;
} check_ctx;

static void on_problem(void *arg, const char *msg)
{
    check_ctx *k = arg;
    if (k->shown++ >= k->max) return;
    if (k->c->json) json_array_append_new(k->list, json_string(msg));
    else printf("problem: %s\n", msg);
}

int cmd_check(cli *c, int argc, char **argv)
{
    cli_opt opts[] = {OPT("max", 0, 1), {0}};
    const char *pos[1];
    int np, rc = cli_parse(c, "check", check_help, argc, argv, opts, pos, &np, 0);
    if (rc) return rc;
    uint32_t max = 100;
    if (opts[0].set && (rc = cli_parse_u32(c, "check", "--max", opts[0].val, &max)))
        return rc;
    if ((rc = cli_open_reader(c))) return rc;
    check_ctx k = {c, json_array(), 0, max};
    tix_check_counts n;
    int trc = tix_db_check(c->db, on_problem, &k, &n);
    if (trc) {
        json_decref(k.list);
        return cli_fail(c, trc, "check could not run");
    }
    if (c->json) {
        json_t *o = json_pack(
            "{s:b, s:I, s:{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}, s:o}",
            "consistent", n.problems == 0, "problems", (json_int_t)n.problems,
            "checked", "records", (json_int_t)n.records, "index_entries",
            (json_int_t)n.index_entries, "shows", (json_int_t)n.shows,
            "shows_retired", (json_int_t)n.shows_retired, "seats",
            (json_int_t)n.seats, "held", (json_int_t)n.held, "confirming",
            (json_int_t)n.confirming, "stale", (json_int_t)n.stale, "passes",
            (json_int_t)n.passes, "list", k.list);
        json_object_set_new(o, "seatmap_checked",
                            json_boolean(!c->readonly_open));
        if (n.problems) {
            /* Still one JSON document; the exit code tells. */
            json_object_set_new(o, "ok", json_false());
            json_dumpf(o, stdout, JSON_INDENT(2) | JSON_ENSURE_ASCII);
            fputc('\n', stdout);
            json_decref(o);
        } else {
            cli_emit(c, o);
        }
    } else {
        json_decref(k.list);
        printf("checked %llu records, %llu index entries, %llu seats of %llu "
               "shows (%llu retired)\n",
               (unsigned long long)n.records,
               (unsigned long long)n.index_entries,
               (unsigned long long)n.seats, (unsigned long long)n.shows,
               (unsigned long long)n.shows_retired);
        printf("live holds %llu, in flight %llu, stale leases %llu\n",
               (unsigned long long)n.held, (unsigned long long)n.confirming,
               (unsigned long long)n.stale);
        if (c->readonly_open)
            printf("seats.map not compared: another process holds the store "
                   "in journal mode, so it was opened read-only\n");
        if (n.problems)
            printf("INCONSISTENT: %llu problem%s (after %llu passes)\n",
                   (unsigned long long)n.problems, n.problems == 1 ? "" : "s",
                   (unsigned long long)n.passes);
        else
            printf("consistent\n");
    }
    return n.problems ? EX_CORRUPT : EX_OK;
}

/* ------------------------------------------------------------------------ */

static const char backup_help[] =
    "usage: tix backup [-s DIR] [--json] DEST_DIR\n"
    "\n"
    "Writes a consistent, compacted copy of the store's data.mdb into\n"
    "DEST_DIR (created if missing) while other processes keep selling:\n"
    "one LMDB read snapshot, copied with mdb_env_copy2(MDB_CP_COMPACT),\n"
    "fsynced and renamed into place. seats.map is not copied (holds are\n"
    "never durable; it is rebuilt from LMDB). Restore with `tix restore`.\n"
    "Exit 3 when DEST_DIR already holds a data.mdb.\n";

int cmd_backup(cli *c, int argc, char **argv)
{
    cli_opt opts[] = {{0}};
    const char *pos[2];
    int np, rc = cli_parse(c, "backup", backup_help, argc, argv, opts, pos, &np, 1);
    if (rc) return rc;
    if (np != 1) return cli_usage(c, "backup", "give the destination directory");
    if ((rc = cli_open_reader(c))) return rc;
    int trc = tix_db_backup(c->db, pos[0]);
    if (trc) return cli_fail(c, trc, "backup to %s", pos[0]);
    char path[PATH_MAX];
    struct stat st;
    snprintf(path, sizeof path, "%s/data.mdb", pos[0]);
    long long bytes = stat(path, &st) == 0 ? (long long)st.st_size : -1;
    if (!c->json) printf("backup written to %s (%lld bytes)\n", path, bytes);
    cli_emit(c, json_pack("{s:s, s:s, s:I}", "store", c->store, "backup",
                          path, "bytes", (json_int_t)bytes));
    return EX_OK;
}

/* ------------------------------------------------------------------------ */

static const char restore_help[] =
    "usage: tix restore [-s DIR] [--json] [--force] BACKUP_DIR\n"
    "\n"
    "Makes the store DIR exactly the backup in BACKUP_DIR (made by `tix\n"
    "backup`), through tix_backup_restore(): the backup's data.mdb is copied\n"
    "into a new directory beside DIR, opened read-only to validate it,\n"
    "flushed, and swapped with DIR in one atomic rename; the old store is\n"
    "then deleted, with its journal, snapshots, seats.map and lock.mdb\n"
    "(holds do not survive a restore; the seat map is rebuilt). A crash\n"
    "leaves DIR either the old store or the restored one.\n"
    "\n"
    "  --force   replace an existing store (no process may have it open:\n"
    "            stop every process using it first)\n"
    "\n"
    "Exit 3 when the store exists without --force, or is in use.\n";

int cmd_restore(cli *c, int argc, char **argv)
{
    cli_opt opts[] = {OPT("force", 'f', 0), {0}};
    const char *pos[2];
    int np, rc = cli_parse(c, "restore", restore_help, argc, argv, opts, pos, &np, 1);
    if (rc) return rc;
    if (np != 1) return cli_usage(c, "restore", "give the backup directory");
    const char *from = pos[0];
    char data[PATH_MAX];
    snprintf(data, sizeof data, "%s/data.mdb", c->store);
    int exists = access(data, F_OK) == 0;
    int trc = tix_backup_restore(from, c->store,
                                 opts[0].set ? TIX_RESTORE_REPLACE : 0);
    if (trc == TIX_EEXISTS && exists && !opts[0].set)
        return cli_error(c, EX_CONFLICT, "TIX_EEXISTS",
                         "%s already holds a store (use --force to replace "
                         "it)", c->store);
    if (trc) return cli_fail(c, trc, "cannot restore %s from %s", c->store, from);
    /* Open once: rebuilds seats.map, proves the result opens. */
    if ((rc = cli_open(c, 0))) return rc;
    cli_close(c);
    if (!c->json) printf("restored %s from %s\n", c->store, from);
    cli_emit(c, json_pack("{s:s, s:s, s:b}", "store", c->store, "backup", from,
                          "replaced", exists));
    return EX_OK;
}
