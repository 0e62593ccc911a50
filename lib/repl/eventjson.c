/* Outbox events as JSON (eventjson.h). */
#include "eventjson.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

typedef struct jbuf {
    char *p;
    size_t len, cap;
    int oom;
} jbuf;

static void put(jbuf *b, const char *s, size_t n)
{
    if (b->oom) return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 1024;
        while (cap < b->len + n + 1) cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p) {
            b->oom = 1;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = 0;
}

static void putf(jbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void putf(jbuf *b, const char *fmt, ...)
{
    char tmp[96];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    put(b, tmp, n < (int)sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

/* A JSON string; the text is UTF-8 already (validated on input). */
static void str(jbuf *b, const char *s)
{
    put(b, "\"", 1);
    for (const char *run = s;; s++) {
        unsigned char c = (unsigned char)*s;
        if (c >= 0x20 && c != '"' && c != '\\') continue;
        put(b, run, (size_t)(s - run));
        if (!c) break;
        if (c == '"' || c == '\\') {
            char esc[2] = {'\\', (char)c};
            put(b, esc, 2);
        } else {
            putf(b, "\\u%04x", c);
        }
        run = s + 1;
    }
    put(b, "\"", 1);
}

static void key_str(jbuf *b, const char *k, const char *v)
{
    putf(b, ",\"%s\":", k);
    str(b, v ? v : "");
}

static void key_int(jbuf *b, const char *k, int64_t v)
{
    putf(b, ",\"%s\":%" PRId64, k, v);
}

const char *tix__eventjson_kind(tix_event_type t)
{
    switch (t) {
    case TIX_EVENT_BOOKED: return "booked";
    case TIX_EVENT_CANCELLED: return "cancelled";
    case TIX_EVENT_CHECKED_IN: return "checked_in";
    case TIX_EVENT_REVIEWED: return "reviewed";
    case TIX_EVENT_SHOW_CANCELLED: return "show_cancelled";
    case TIX_EVENT_RESCHEDULED: return "rescheduled";
    default: return "other";
    }
}

static void seats_tickets(jbuf *b, const tix_event *ev)
{
    put(b, ",\"seats\":[", 10);
    for (size_t i = 0; i < ev->n_seats; i++) {
        putf(b, "%s{\"seat\":%u,\"row\":", i ? "," : "", ev->seats[i].seat);
        str(b, ev->seats[i].row);
        putf(b, ",\"number\":%u}", ev->seats[i].number);
    }
    put(b, "],\"tickets\":[", 13);
    for (size_t i = 0; i < ev->n_tickets; i++) {
        put(b, i ? ",{\"code\":" : "{\"code\":", i ? 9 : 8);
        str(b, ev->tickets[i].code);
        put(b, ",\"qr\":", 6);
        str(b, ev->tickets[i].qr);
        put(b, "}", 1);
    }
    put(b, "]", 1);
}

int tix__eventjson_encode(const tix_event *ev, const char *store_id,
                          char **out, size_t *len)
{
    jbuf b = {0};
    putf(&b, "{\"seq\":%" PRIu64, ev->seq);
    key_str(&b, "type", tix__eventjson_kind(ev->type));
    key_str(&b, "store", store_id);
    key_int(&b, "at", ev->at);
    key_int(&b, "booking_id", (int64_t)ev->booking_id);
    key_int(&b, "user_id", (int64_t)ev->user_id);
    key_int(&b, "show_id", (int64_t)ev->show_id);
    key_int(&b, "movie_id", (int64_t)ev->movie_id);
    key_int(&b, "review_id", (int64_t)ev->review_id);
    key_str(&b, "user_name", ev->user_name);
    key_str(&b, "user_email", ev->user_email);
    key_str(&b, "user_phone", ev->user_phone);
    key_str(&b, "movie_title", ev->movie_title);
    key_int(&b, "show_start", ev->show_start);
    key_str(&b, "show_local", ev->show_local);
    key_str(&b, "venue_name", ev->venue_name);
    key_str(&b, "venue_address", ev->venue_address);
    key_str(&b, "screen_name", ev->screen_name);
    key_int(&b, "total_minor", ev->total_minor);
    key_str(&b, "currency", ev->currency);
    key_str(&b, "gate", ev->gate);
    key_int(&b, "after_checkin", ev->after_checkin);
    key_int(&b, "old_start", ev->old_start);
    seats_tickets(&b, ev);
    put(&b, "}", 1);
    if (b.oom) {
        free(b.p);
        return tix__err(TIX_ENOMEM, "out of memory");
    }
    *out = b.p;
    *len = b.len;
    return TIX_OK;
}
