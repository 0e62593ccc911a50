/* Operating-system facts the store and the seat map both need. */
#ifndef TIX_LIB_OS_H
#define TIX_LIB_OS_H

#include <stdint.h>

/* Reads the kernel's boot id (16 bytes; zeros when unknown): tells a
 * process crash (same boot, the page cache kept every write) from a
 * machine crash. */
void tix__os_boot_id(uint8_t out[16]);

#endif
