/* What the library asks of the operating system beyond files and memory. */
#include "os.h"

#include <stdio.h>
#include <string.h>

void tix__os_boot_id(uint8_t out[16])
{
    memset(out, 0, 16);
    FILE *f = fopen("/proc/sys/kernel/random/boot_id", "r");
    if (!f) return;
    char text[64] = {0};
    if (fgets(text, sizeof text, f)) {
        int k = 0;
        for (char *p = text; *p && k < 32; p++) {
            int v = (*p >= '0' && *p <= '9')   ? *p - '0'
                    : (*p >= 'a' && *p <= 'f') ? *p - 'a' + 10
                                               : -1;
            if (v < 0) continue;
            out[k / 2] = (uint8_t)(out[k / 2] << 4 | v);
            k++;
        }
    }
    fclose(f);
}

