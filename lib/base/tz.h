/* Time zones: UTC offsets from the system's tzdata (TZif files under
 * /usr/share/zoneinfo, RFC 8536), read without touching the process's TZ.
 * Nothing is cached and nothing is global: every lookup reads the zone's
 * file into a buffer of the caller's stack and walks it, so any thread may
 * call at any time. The public entry point is tix_tz_offset() (tix.h). */
#ifndef TIX_LIB_TZ_H
#define TIX_LIB_TZ_H

#include <stddef.h>
#include <stdint.h>

#include "tix.h"

/* Where the zone files are (Debian's tzdata). */
#define TIX__TZ_DIR "/usr/share/zoneinfo"
/* Largest zone file read: the biggest "fat" file is under 8 KiB. */
#define TIX__TZ_FILE_MAX (64 * 1024)

/* TIX_OK when @p name is a well-formed zone name (1..TIX_TZ_NAME_MAX bytes
 * of [A-Za-z0-9_+-.] in '/'-separated parts, none "." or ".."); else
 * TIX_EINVAL / TIX_ETOOLONG with a message. Does not look at the disk. */
int tix__tz_name_check(const char *name);

/* UTC offset in seconds at Unix time @p t of the TZif data @p buf[0..len).
 * TIX_ECORRUPT when the data is malformed (the message says how). */
int tix__tz_offset_tzif(const uint8_t *buf, size_t len, int64_t t,
                        int32_t *utoff_sec);

/* UTC offset in seconds at @p t of the POSIX TZ rule @p rule ("GMT0BST,
 * M3.5.0/1,M10.5.0"), as in a TZif footer. TIX_ECORRUPT when malformed. */
int tix__tz_offset_rule(const char *rule, size_t len, int64_t t,
                        int32_t *utoff_sec);

/* Reads zone @p name from directory @p dir and gives its offset at @p t.
 * TIX_EINVAL (bad name, no such zone, not a TZif file), TIX_ECORRUPT
 * (malformed file), TIX_EIO. */
int tix__tz_offset_dir(const char *dir, const char *name, int64_t t,
                       int32_t *utoff_sec);

/* A store's cache of zone files (16 zones, each file looked at again after
 * 10 s so a tzdata upgrade is seen): thread-safe, owned by the handle. */
typedef struct tix__tz_cache tix__tz_cache;
int tix__tz_cache_open(tix__tz_cache **out);
void tix__tz_cache_close(tix__tz_cache *c); /* NULL allowed */
/* As tix_tz_offset(), through the cache (@p c NULL: uncached). */
int tix__tz_cache_offset(tix__tz_cache *c, const char *name, int64_t t,
                         int32_t *utc_offset_min);

/* Writes Unix time @p t at offset @p off_min as ISO 8601 local time with
 * its offset, "2027-07-01T19:30:00+01:00". Returns the length. */
#define TIX__LOCAL_ISO_MAX 40
size_t tix__tz_local_iso(char buf[TIX__LOCAL_ISO_MAX], int64_t t, int32_t off_min);

/* Days from 1970-01-01 to the civil date @p y-@p m-@p d, and back to
 * YYYYMMDD (proleptic Gregorian). */
int64_t tix__tz_days_from_civil(int64_t y, int m, int d);
uint32_t tix__tz_civil_from_days(int64_t z);

#endif
