/* Demo placeholder replaced by the catalog demo. */
#include <stdio.h>
#include "tix.h"
int main(void) { printf("libtix %s\n", tix_version()); return 0; }
