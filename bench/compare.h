/* tix-bench compare: libtix side by side with SQLite, PostgreSQL and Redis
 * seat tables in one run (bench/compare.c). */
#ifndef TIX_BENCH_COMPARE_H
#define TIX_BENCH_COMPARE_H

/* 1 when the command line asks for the comparison: first argument
 * "compare", or a --peers / --scenarios option anywhere. */
int bench_compare_wanted(int argc, char **argv);
/* Runs the comparison; returns the process exit code. */
int bench_compare_main(int argc, char **argv);

#endif
