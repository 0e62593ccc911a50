/* Money: ISO 4217 minor units (tix_currency_exponent and the formatter are
 * public, in tix.h); the table walk is for tests. */
#ifndef TIX_LIB_MONEY_H
#define TIX_LIB_MONEY_H

#include <stddef.h>

#include "tix.h"

/* Number of codes in the table, and code @p i of it (sorted; NULL past the
 * end). */
size_t tix__money_currency_count(void);
const char *tix__money_currency_code(size_t i);

#endif
