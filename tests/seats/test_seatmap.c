/* lib/seats/seatmap.c + lib/seats/engine.c: seats.map header checks and rebuilds,
 * growth without moving, lazy region init, lease repair. */
#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include "db.h"
#include "engine.h"
#include "engine_fixture.h"

static void map_path(fixture *f, char *p, size_t cap)
{
    snprintf(p, cap, "%s/seats.map", f->s.dir);
}

static void reopen(fixture *f)
{
    tix_db_close(f->s.db);
    tix_config cfg;
    tt_config(&cfg);
    assert_ok(tix_db_open(f->s.dir, &cfg, &f->s.db));
}

/* Books seat 5, holds seat 6, closes the store and returns. */
static void book_and_hold(fixture *f)
{
    uint32_t b = 5, h = 6;
    tix_hold *hb = fx_hold(f, &b, 1), *hh = fx_hold(f, &h, 1);
    tix_confirm_opts o = {.user_id = f->user, .payment_ref = "sm"};
    tix_id bid;
    assert_ok(tix_hold_confirm(f->s.db, hb, &o, &bid));
    tix_hold_free(hb);
    tix_hold_free(hh);
}

static void holds_survive_a_clean_reopen(void **state)
{
    fixture *f = *state;
    book_and_hold(f);
    reopen(f);
    assert_false(f->s.db->engine->map.rebuilt);
    assert_int_equal(fx_state(f, 5), TIX_SEAT_BOOKED);
    assert_int_equal(fx_state(f, 6), TIX_SEAT_HELD);
    struct stat st;
    char p[4096];
    map_path(f, p, sizeof p);
    assert_int_equal(stat(p, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
}

static void damage(fixture *f, off_t at, const void *bytes, size_t n)
{
    tix_db_close(f->s.db);
    char p[4096];
    map_path(f, p, sizeof p);
    int fd = open(p, O_WRONLY);
    assert_true(fd >= 0);
    assert_int_equal(pwrite(fd, bytes, n, at), (ssize_t)n);
    close(fd);
    tix_config cfg;
    tt_config(&cfg);
    assert_ok(tix_db_open(f->s.dir, &cfg, &f->s.db));
}

static void corrupt_header_is_rebuilt(void **state)
{
    fixture *f = *state;
    book_and_hold(f);
    damage(f, 0, "XXXX", 4); /* magic */
    assert_true(f->s.db->engine->map.rebuilt);
    assert_int_equal(fx_state(f, 5), TIX_SEAT_BOOKED); /* from LMDB */
    assert_int_equal(fx_state(f, 6), TIX_SEAT_FREE);   /* holds are lost */
    damage(f, 60, "\x01", 1); /* a byte covered by the checksum */
    assert_true(f->s.db->engine->map.rebuilt);
    assert_int_equal(fx_state(f, 5), TIX_SEAT_BOOKED);
}

static void truncated_or_missing_file_is_rebuilt(void **state)
{
    fixture *f = *state;
    book_and_hold(f);
    tix_db_close(f->s.db);
    char p[4096];
    map_path(f, p, sizeof p);
    assert_int_equal(truncate(p, 100), 0);
    tix_config cfg;
    tt_config(&cfg);
    assert_ok(tix_db_open(f->s.dir, &cfg, &f->s.db));
    assert_true(f->s.db->engine->map.rebuilt);
    assert_int_equal(fx_state(f, 5), TIX_SEAT_BOOKED);
    tix_db_close(f->s.db);
    assert_int_equal(unlink(p), 0);
    assert_ok(tix_db_open(f->s.dir, &cfg, &f->s.db));
    assert_true(f->s.db->engine->map.rebuilt);
    assert_int_equal(fx_state(f, 5), TIX_SEAT_BOOKED);
}

static void foreign_file_is_rebuilt(void **state)
{
    fixture *f = *state;
    book_and_hold(f);
    /* Another store's seats.map copied over ours. */
    tt_store other;
    tt_open(&other);
    tix_db_close(other.db);
    tix_db_close(f->s.db);
    char from[4096], to[4096], cmd[9000];
    snprintf(from, sizeof from, "%s/seats.map", other.dir);
    map_path(f, to, sizeof to);
    snprintf(cmd, sizeof cmd, "cp '%s' '%s'", from, to);
    assert_int_equal(system(cmd), 0);
    tix_config cfg;
    tt_config(&cfg);
    assert_ok(tix_db_open(f->s.dir, &cfg, &f->s.db));
    assert_true(f->s.db->engine->map.rebuilt);
    assert_int_equal(fx_state(f, 5), TIX_SEAT_BOOKED);
    other.db = NULL;
    tt_close(&other);
}

static void older_boot_is_rebuilt(void **state)
{
    fixture *f = *state;
    book_and_hold(f);
    tix_db_close(f->s.db);
    /* Rewrite the boot id field (offset 32) and fix the checksum, as if
     * the file were written before a reboot. */
    char p[4096];
    map_path(f, p, sizeof p);
    int fd = open(p, O_RDWR);
    unsigned char hdr[96];
    assert_int_equal(pread(fd, hdr, sizeof hdr, 0), (ssize_t)sizeof hdr);
    hdr[32] ^= 0xFF;
    uint64_t sum = XXH3_64bits(hdr, 88);
    memcpy(hdr + 88, &sum, 8);
    assert_int_equal(pwrite(fd, hdr, sizeof hdr, 0), (ssize_t)sizeof hdr);
    close(fd);
    tix_config cfg;
    tt_config(&cfg);
    assert_ok(tix_db_open(f->s.dir, &cfg, &f->s.db));
    assert_true(f->s.db->engine->map.rebuilt);
    assert_int_equal(fx_state(f, 6), TIX_SEAT_FREE);
    assert_int_equal(fx_state(f, 5), TIX_SEAT_BOOKED);
}

static void dead_confirm_is_repaired(void **state)
{
    fixture *f = *state;
    book_and_hold(f);
    const tix__show_entry *e;
    assert_ok(tix__engine_show(f->s.db, f->show, &e));
    /* Seat 5 (booked) and seat 7 (free in LMDB) left CONFIRMING by a
     * process that died; their lease runs out at map time now + 30. */
    uint32_t lease = tix__engine_now(f->s.db) + 30;
    atomic_store(&e->seats[5], tix__w_make(TIX_W_CONFIRMING, lease, 77));
    atomic_store(&e->seats[7], tix__w_make(TIX_W_CONFIRMING, lease, 77));
    assert_int_equal(fx_state(f, 7), TIX_SEAT_CONFIRMING);
    uint32_t s7 = 7;
    tix_hold *h;
    assert_code(tix_hold_create(f->s.db, f->show, &s7, 1, NULL, &h),
                TIX_ECONFLICT);
    tt_now += 31; /* lease over: whoever meets the word repairs it */
    assert_ok(tix_hold_create(f->s.db, f->show, &s7, 1, NULL, &h));
    assert_int_equal(fx_state(f, 5), TIX_SEAT_BOOKED);
    tix_hold_free(h);
    /* At an exclusive open every leftover CONFIRMING word is repaired at
     * once, lease or not. */
    lease = tix__engine_now(f->s.db) + 30;
    atomic_store(&e->seats[5], tix__w_make(TIX_W_CONFIRMING, lease, 77));
    atomic_store(&e->seats[8], tix__w_make(TIX_W_CONFIRMING, lease, 77));
    reopen(f);
    assert_int_equal(fx_state(f, 5), TIX_SEAT_BOOKED);
    assert_int_equal(fx_state(f, 8), TIX_SEAT_FREE);
}

static void file_grows_without_moving(void **state)
{
    fixture *f = *state;
    const tix__show_entry *first;
    assert_ok(tix__engine_show(f->s.db, f->show, &first));
    uint32_t s0 = 0;
    tix_hold *h0 = fx_hold(f, &s0, 1);
    /* 700 shows x 202 words > the first 1 MiB chunk. */
    tix_id last = 0;
    for (int i = 1; i <= 700; i++) {
        tix_show sh = {.movie_id = f->c.movie, .screen_id = f->c.screen,
                       .start = tt_now + 86400 + i * 4 * 3600};
        assert_ok(tix_show_create(f->s.db, &sh, &last));
    }
    tix_hold *h;
    uint32_t s = 199;
    assert_ok(tix_hold_create(f->s.db, last, &s, 1, NULL, &h));
    struct stat st;
    char p[4096];
    map_path(f, p, sizeof p);
    assert_int_equal(stat(p, &st), 0);
    assert_true(st.st_size > 4096 + (1 << 20));
    /* Old pointers stay valid: the first show still reads its hold. */
    assert_int_equal(tix__w_state(tix__w_load(&first->seats[0])), TIX_W_HELD);
    assert_int_equal(fx_state(f, 0), TIX_SEAT_HELD);
    tix_hold_free(h);
    tix_hold_free(h0);
}

static void reserve_exhaustion_is_efull(void **state)
{
    (void)state;
    tix_config cfg;
    tt_config(&cfg);
    cfg.seatmap_reserve = (size_t)1 << 20; /* 1 MiB: ~130k words */
    char *base = tt_tmpdir();
    tix_db *db;
    assert_ok(tix_db_open(base, &cfg, &db));
    tt_catalog c;
    tt_make_catalog(db, 10, 20, &c);
    tix_id show = 0;
    int rc = TIX_OK;
    tix_hold *h;
    uint32_t seat = 0;
    for (int i = 1; i <= 700 && rc == TIX_OK; i++) {
        tix_show sh = {.movie_id = c.movie, .screen_id = c.screen,
                       .start = tt_now + i * 4 * 3600};
        assert_ok(tix_show_create(db, &sh, &show));
        rc = tix_hold_create(db, show, &seat, 1, NULL, &h);
        if (rc == TIX_OK) tix_hold_free(h);
    }
    assert_int_equal(rc, TIX_EFULL);
    assert_non_null(strstr(tix_errmsg(), "reserve"));
    tix_db_close(db);
    tt_rmrf(base);
    free(base);
}

static void finished_show_regions_are_reused(void **state)
{
    fixture *f = *state;
    /* Book a seat of the fixture show, then let it end and retire. */
    book_and_hold(f);
    const tix__show_entry *old;
    assert_ok(tix__engine_show(f->s.db, f->show, &old));
    uint64_t old_base = old->info.seat_base;
    tix_show *sh;
    assert_ok(tix_show_get(f->s.db, f->show, &sh));
    tt_now = sh->end + 86400; /* reclaim_after defaults to one day */
    tix_show_free(sh);
    tix_show next = {.movie_id = f->c.movie, .screen_id = f->c.screen,
                     .start = tt_now + 3600};
    tix_id id;
    assert_ok(tix_show_create(f->s.db, &next, &id));
    const tix__show_entry *e;
    assert_ok(tix__engine_show(f->s.db, id, &e));
    assert_true(e->info.seat_base == old_base); /* the region came back */
    uint8_t st[200];
    assert_ok(tix_show_seat_states(f->s.db, id, st, 200));
    for (int i = 0; i < 200; i++) assert_int_equal(st[i], TIX_SEAT_FREE);
    /* The retired show refuses seat calls but its bookings stay. */
    uint32_t seat = 9;
    tix_hold *h;
    assert_code(tix_hold_create(f->s.db, f->show, &seat, 1, NULL, &h), TIX_ESTATE);
    assert_code(tix_show_seat_states(f->s.db, f->show, st, 200), TIX_ESTATE);
    tix_booking_list *l;
    assert_ok(tix_booking_list_by_show(f->s.db, f->show, &l));
    assert_int_equal(l->count, 1);
    /* A late refund touches only LMDB, never the reused words. */
    assert_ok(tix_hold_create(f->s.db, id, &seat, 1, NULL, &h));
    assert_ok(tix_booking_cancel(f->s.db, l->items[0].id));
    tix_booking_list_free(l);
    assert_ok(tix_show_seat_states(f->s.db, id, st, 200));
    assert_int_equal(st[5], TIX_SEAT_FREE);
    assert_int_equal(st[9], TIX_SEAT_HELD);
    tix_hold_free(h);
    /* A third show gets fresh space: the free list is empty again. */
    tix_show third = {.movie_id = f->c.movie, .screen_id = f->c.screen,
                      .start = tt_now + 86400};
    assert_ok(tix_show_create(f->s.db, &third, &id));
    assert_ok(tix__engine_show(f->s.db, id, &e));
    assert_true(e->info.seat_base != old_base);
    /* Reopening alone (repair pass over every show) skips retired ones. */
    reopen(f);
    assert_ok(tix_show_seat_states(f->s.db, id, st, 200));
}

/* A rebuild never truncates or rewrites the file in place: another
 * program mapping the old file keeps every page it mapped (a shrunk file
 * would make it SIGBUS), and the store gets a new inode. */
static void rebuild_replaces_by_rename(void **state)
{
    fixture *f = *state;
    book_and_hold(f);
    tix_db_close(f->s.db);
    char p[4096];
    map_path(f, p, sizeof p);
    int fd = open(p, O_RDWR);
    assert_true(fd >= 0);
    struct stat before;
    assert_int_equal(fstat(fd, &before), 0);
    volatile uint8_t *m = mmap(NULL, (size_t)before.st_size,
                               PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    assert_true(m != MAP_FAILED);
    m[0] = 'X'; /* bad magic: the next open rebuilds */
    tix_config cfg;
    tt_config(&cfg);
    assert_ok(tix_db_open(f->s.dir, &cfg, &f->s.db));
    assert_true(f->s.db->engine->map.rebuilt);
    struct stat after, old;
    assert_int_equal(stat(p, &after), 0);
    assert_int_equal(fstat(fd, &old), 0);
    assert_true(after.st_ino != before.st_ino);
    assert_true(old.st_size == before.st_size); /* the old file is intact */
    uint8_t sum = 0;
    for (off_t i = 0; i < before.st_size; i += 4096) sum ^= m[i];
    (void)sum; /* every page read: no SIGBUS */
    assert_int_equal(fx_state(f, 5), TIX_SEAT_BOOKED);
    munmap((void *)m, (size_t)before.st_size);
    close(fd);
}

/* Someone truncates seats.map in place under a running process: a show
 * that process has not touched yet is refused with TIX_ECORRUPT instead
 * of a SIGBUS at its first seat access. */
static void truncated_under_us_is_ecorrupt(void **state)
{
    fixture *f = *state;
    tix_show sh = {.movie_id = f->c.movie, .screen_id = f->c.screen,
                   .start = tt_now + 3 * 86400};
    tix_id later;
    assert_ok(tix_show_create(f->s.db, &sh, &later));
    uint32_t seat = 1;
    tix_hold *h = fx_hold(f, &seat, 1); /* touches the first show only */
    tix_hold_free(h);
    char p[4096];
    map_path(f, p, sizeof p);
    assert_int_equal(truncate(p, 4096), 0); /* header only: an admin error */
    tix_hold *h2 = NULL;
    assert_code(tix_hold_create(f->s.db, later, &seat, 1, NULL, &h2),
                TIX_ECORRUPT);
    assert_null(h2);
    /* the next exclusive open heals it (the region is re-made from LMDB) */
    reopen(f);
    assert_ok(tix_hold_create(f->s.db, later, &seat, 1, NULL, &h2));
    tix_hold_free(h2);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)
    const struct CMUnitTest tests[] = {
        T(holds_survive_a_clean_reopen),
        T(corrupt_header_is_rebuilt),
        T(truncated_or_missing_file_is_rebuilt),
        T(foreign_file_is_rebuilt),
        T(older_boot_is_rebuilt),
        T(dead_confirm_is_repaired),
        T(file_grows_without_moving),
        T(reserve_exhaustion_is_efull),
        T(finished_show_regions_are_reused),
        T(rebuild_replaces_by_rename),
        T(truncated_under_us_is_ecorrupt),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
