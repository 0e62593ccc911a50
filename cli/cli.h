/* The `tix` command-line tool: shared state, options, output and exit
 * codes. Every command is one cmd_*() function taking the arguments after
 * its name. */
#ifndef TIX_CLI_H
#define TIX_CLI_H

#include <jansson.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "tix.h"

/* Exit codes (documented in `tix --help` and docs/cli.md). */
enum {
    EX_OK = 0,        /* success */
    EX_USAGE = 1,     /* bad command line */
    EX_NOTFOUND = 2,  /* TIX_ENOTFOUND: no such store, show, seat, ... */
    EX_CONFLICT = 3,  /* TIX_ECONFLICT, TIX_EEXISTS, TIX_EOVERLAP,
                         TIX_EALREADY, TIX_EBUSY */
    EX_INVALID = 4,   /* bad input: TIX_EINVAL, TIX_ERANGE, TIX_ETOOLONG,
                         TIX_EUTF8, TIX_EBADCODE; layout validation */
    EX_STATE = 5,     /* TIX_EEXPIRED, TIX_ESTATE, TIX_ELIMIT,
                         TIX_ETIMEDOUT, TIX_EAGAIN, TIX_EFENCED */
    EX_CORRUPT = 6,   /* TIX_ECORRUPT, TIX_EVERSION; `tix check` found an
                         inconsistency */
    EX_SYSTEM = 7     /* TIX_EIO, TIX_ENOMEM, TIX_EFULL, TIX_EPERM, other
                         operating-system errors */
};

typedef struct cli {
    const char *prog;   /* "tix" */
    const char *store;  /* store directory */
    int json;           /* --json */
    int color;          /* ANSI colors on stdout: -1 auto, 0 off, 1 on */
    tix_db *db;         /* opened by cli_open() */
    int readonly_open;  /* cli_open_reader fell back to read-only */
} cli;

/* One option of a command. has_arg: 0 flag, 1 value, 2 repeatable value
 * (values collected in vals). After parsing: set counts occurrences, val is
 * the last value. */
typedef struct cli_opt {
    const char *name;   /* long name without "--" */
    char shortc;        /* 0 = none */
    int has_arg;
    int set;
    const char *val;
    const char *vals[32];
    int nvals;
} cli_opt;

/* Parses @p argv[0..argc) (the words after the command name) into @p opts
 * (terminated by a NULL name) and positional words (at most @p maxpos).
 * Common options are always understood: --json, -s/--store DIR,
 * --color/--no-color, -h/--help (prints @p help and returns -1: the caller
 * exits 0). Returns 0, -1 (help printed) or EX_USAGE (message printed). */
int cli_parse(cli *c, const char *cmd, const char *help, int argc,
              char **argv, cli_opt *opts, const char **pos, int *npos,
              int maxpos);

cli_opt *cli_find(cli_opt *opts, const char *name);
#define OPT(n, s, a) {.name = (n), .shortc = (s), .has_arg = (a)}

/* Opens the store (@p flags TIX_OPEN_*; TIX_OPEN_NOCREATE is added).
 * Returns EX_OK or the exit code after printing the error. */
int cli_open(cli *c, unsigned flags);
/* Opens the store for a command that only reads (stats, check, backup):
 * read-write when it can, else read-only when another process holds it in
 * journal mode, so these run alongside every mode. */
int cli_open_reader(cli *c);
void cli_close(cli *c);

/* Exit code of a libtix result. */
int cli_exit_code(int rc);

/* Reports a failed libtix call: "tix: <what>: TIX_E...: <errmsg>", or in
 * JSON mode an {"ok": false, "error": {...}} object on stderr. Returns the
 * exit code. */
int cli_fail(cli *c, int rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Same with an explicit exit code and message (no libtix code). */
int cli_error(cli *c, int exit_code, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* A usage error for command @p cmd (exit 1). */
int cli_usage(cli *c, const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* JSON mode: prints {"ok": false, "error": @p err} on stderr, adding the
 * "status" (libtix code) and "detail" fields every error carries when
 * @p err lacks them; releases @p err. */
void cli_emit_error(cli *c, json_t *err);
/* 1 when @p s is valid UTF-8 (no overlong forms or surrogates). */
int cli_utf8_valid(const char *s);

/* JSON mode: prints @p obj with "ok": true added, and releases it. Text
 * mode: releases it. */
void cli_emit(cli *c, json_t *obj);

/* `tix NOUN delete ID`: @p del (tix_place_delete, ...) on the id, its
 * outcome printed. */
int cli_delete(cli *c, const char *noun, const char *word,
               int (*del)(tix_db *db, tix_id id));

/* Parsing helpers: return 0 on success, else EX_USAGE (message printed). */
int cli_parse_id(cli *c, const char *cmd, const char *what, const char *s,
                 tix_id *out);
int cli_parse_u32(cli *c, const char *cmd, const char *what, const char *s,
                  uint32_t *out);
int cli_parse_i64(cli *c, const char *cmd, const char *what, const char *s,
                  int64_t *out);

/* Formatting: "INR 250.00"; "2026-12-01 18:30 +05:30". */
const char *cli_price(char buf[48], int64_t minor, const char *currency);
const char *cli_time(char buf[48], int64_t t, int32_t utc_offset_min);
const char *cli_iso(char buf[48], int64_t t); /* UTC, ISO 8601 */
/* Parses Unix seconds or YYYY-MM-DDTHH:MM[:SS][Z|+HH:MM]; *zoned 0 when no
 * zone was given (then *t is local). 0, -1 malformed, -2 no real time. */
int cli_parse_time(const char *s, int64_t *t, int *zoned);

/* Seat lookup for a show: its screen's seats (items[i].index == i). */
typedef struct cli_show {
    tix_show *show;
    tix_seat_list *seats;
    tix_tier_list *tiers;
} cli_show;
int cli_show_load(cli *c, tix_id show_id, cli_show *out);
void cli_show_free(cli_show *s);
/* Parses a seat given as "A5", "A:5", "A-5" or "@17" (index) against the
 * show's seats. Returns 0 or the exit code (message printed). */
int cli_seat_parse(cli *c, const char *cmd, const cli_show *s,
                   const char *word, uint32_t *index);
/* "A5" style name of seat @p index ("A-5" when the row ends in a digit). */
const char *cli_seat_name(char buf[32], const cli_show *s, uint32_t index);
/* JSON array of seats {index,row,number}. */
json_t *cli_seats_json(const cli_show *s, const uint32_t *idx, size_t n);
/* Local time offset of a city at Unix time @p t: its time zone's (summer
 * time included) or its fixed offset; 0 when unknown. */
int32_t cli_city_offset(cli *c, tix_id city_id, int64_t t);

/* A city by id or by name (searched through countries and states; the
 * exact name first, else in any ASCII case). An id that is not a city's
 * is an error. Returns 0 or the exit code (message printed). */
int cli_find_city(cli *c, const char *cmd, const char *s, tix_id *out);

/* Commands. */
int cmd_init(cli *c, int argc, char **argv);
int cmd_import(cli *c, int argc, char **argv);
int cmd_movie(cli *c, int argc, char **argv);
int cmd_user(cli *c, int argc, char **argv);
int cmd_show(cli *c, int argc, char **argv);
int cmd_area(cli *c, int argc, char **argv);
int cmd_place(cli *c, int argc, char **argv);
int cmd_venue(cli *c, int argc, char **argv);
int cmd_screen(cli *c, int argc, char **argv);
int cmd_tier(cli *c, int argc, char **argv);
int cmd_holds(cli *c, int argc, char **argv);
int cmd_seats(cli *c, int argc, char **argv);
int cmd_hold(cli *c, int argc, char **argv);
int cmd_release(cli *c, int argc, char **argv);
int cmd_confirm(cli *c, int argc, char **argv);
int cmd_cancel(cli *c, int argc, char **argv);
int cmd_booking(cli *c, int argc, char **argv);
int cmd_checkin(cli *c, int argc, char **argv);
int cmd_block(cli *c, int argc, char **argv);
int cmd_unblock(cli *c, int argc, char **argv);
int cmd_seat_history(cli *c, int argc, char **argv);
int cmd_channel(cli *c, int argc, char **argv);
int cmd_hold_group(cli *c, int argc, char **argv);
int cmd_outbox(cli *c, int argc, char **argv);
int cmd_stats(cli *c, int argc, char **argv);
int cmd_check(cli *c, int argc, char **argv);
int cmd_backup(cli *c, int argc, char **argv);
int cmd_restore(cli *c, int argc, char **argv);
int cmd_queue(cli *c, int argc, char **argv);
int cmd_replica(cli *c, int argc, char **argv);
int cmd_feed(cli *c, int argc, char **argv);
int cmd_placement(cli *c, int argc, char **argv);

/* Seat maps (cli/seatmap.c). */
typedef struct seatmap_in {
    const cli_show *s;
    const uint8_t *states; /* tix_seat_state per seat */
    const char *title;
    const char *subtitle;
    /* Terminal cut, NULL for all: rows of section BLOCK ("L07" of rows
     * "L07-1".."L07-20"); rows "A,B,C" or "A..F" (in map order). */
    const char *section;
    const char *rows;
} seatmap_in;
/* Writes an SVG picture to @p path. 0 or errno. */
int seatmap_svg(const seatmap_in *in, const char *path);
/* Prints the terminal view with a seat-number ruler; @p color 1 for ANSI
 * colors. Returns 0; 1 when the layout (or its cut) is too large for a
 * terminal, 2 when the cut has no rows (nothing printed either way). */
int seatmap_text(const seatmap_in *in, int color, int force);

#endif
