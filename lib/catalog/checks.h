/* The checks a catalog create or update makes before it touches the store,
 * for a caller that validates a whole input first and points at its own
 * fields (cli/import.c). They are the very functions tix_place_create()
 * and the others call, so each rule has one copy. Each returns TIX_OK or
 * the code the create would return, with its detail message and the
 * field at fault (tix__errfield(), error.h: the field's name in the tix_*
 * struct, e.g. "currency"). Private: the CLI links the static library and
 * includes this header. */
#ifndef TIX_LIB_CHECKS_H
#define TIX_LIB_CHECKS_H

#include <stddef.h>
#include <stdint.h>

#include "tix.h"

/* Most seats one screen may have (the public limit of tix_seats_add_rows). */
#define TIX__SCREEN_SEATS_MAX 1000000u

/* Fields: "kind", "name", "utc_offset_min". */
int tix__place_check(const tix_place *in);
/* Fields: "name", "address", "lat", "lon". */
int tix__venue_check(const tix_venue *in);
/* Fields: "name", "ideal_x", "ideal_y". */
int tix__screen_check(const tix_screen *in);
/* Fields: "name", "price_minor", "currency". */
int tix__tier_check(const tix_tier *in);

/* The rows of one tix_seats_add_rows() call on their own: labels, seat
 * numbers, flags and positions, at most TIX__SCREEN_SEATS_MAX seats, and
 * no two seats with the same row label and number, nor at the same
 * position (compared as the seat map keeps positions: 32-bit floats).
 * Fields: "rows", "rows[R].label", "rows[R].seats" and "rows[R].seats[I]",
 * the latter followed by ".number", ".flags", ".x" or ".y" when one field
 * is at fault (a seat that clashes with an earlier one has none). *total
 * (may be NULL) receives the number of seats. */
int tix__rows_check(const tix_row_spec *rows, size_t nrows, uint32_t *total);

#endif
