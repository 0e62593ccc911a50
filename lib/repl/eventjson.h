/* An outbox event as one JSON object: the payload of the change feed's
 * messages, on JetStream (feed.c) and Kafka (kafka.c), so that a
 * notification worker or a BI job reads them without libtix. */
#ifndef TIX_LIB_EVENTJSON_H
#define TIX_LIB_EVENTJSON_H

#include <stddef.h>

#include "tix.h"

/* The event kind as a subject or topic token: "booked", "cancelled",
 * "checked_in", "reviewed" ("other" for a type this version lacks). */
const char *tix__eventjson_kind(tix_event_type t);

/* Writes @p ev as JSON, with "store" the hex of @p store_id[16], into a
 * malloc'ed NUL-terminated *out of *len bytes. TIX_ENOMEM. */
int tix__eventjson_encode(const tix_event *ev, const char *store_id,
                          char **out, size_t *len);

#endif
