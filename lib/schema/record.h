/* The catalog's one record mechanism: a descriptor per record type (its
 * fields in wire order, per version; its unique indexes; its rules) drives
 * create, update, get, list and the checker's index verification, the way
 * SQLite's schema drives index upkeep and integrity_check. The public API
 * stays typed: tix_venue_create is a one-line call of tix__rec_create with
 * the venue descriptor.
 *
 * Hot paths (seat words, holds, confirm, tickets, outbox events, journal
 * records) stay hand-written; this is for the tables people edit.
 *
 * A record is stored as a codec record (codec.h) of the descriptor's tag
 * and version: the fields in order, each as its kind says. A field added
 * later carries the version that added it (since); an older record decodes
 * with that field zero. Fields are never removed or reordered. */
#ifndef TIX_LIB_RECORD_H
#define TIX_LIB_RECORD_H

#include "table.h"

/* Wire form <- C type of a field. */
typedef enum tix__fkind {
    TIX__F_ID = 1,  /* u64 <- tix_id */
    TIX__F_ENUM8,   /* u8 <- an int-sized enum */
    TIX__F_U32,     /* u32 <- uint32_t */
    TIX__F_I64_32,  /* i64 <- int32_t */
    TIX__F_I64,     /* i64 <- int64_t */
    TIX__F_F64,     /* f64 <- double */
    TIX__F_CSTR,    /* string with its NUL <- const char *: readers can hand
                       it out as a C string inside LMDB memory (peek) */
    TIX__F_STR,     /* string <- const char * */
    TIX__F_STRLIST, /* string list <- const char *const *, count at n_off */
    TIX__F_CODE3    /* 3 raw bytes <- char[4] (ISO codes) */
} tix__fkind;

/* What an input value must be (validate.h). */
typedef enum tix__fcheck {
    TIX__C_NONE = 0,
    TIX__C_NAME,   /* 1..TIX_NAME_MAX bytes, one line */
    TIX__C_TEXT,   /* lo..hi bytes, one line */
    TIX__C_LINES,  /* lo..hi bytes, may span lines */
    TIX__C_LIST,   /* up to TIX_LIST_MAX items of 1..hi bytes */
    TIX__C_REAL,   /* finite, lo..hi */
    TIX__C_FINITE, /* finite */
    TIX__C_RANGE   /* an integer in lo..hi (also checked when decoded: a
                      stored value outside is TIX_ECORRUPT) */
} tix__fcheck;

typedef struct tix__field {
    const char *name; /* as messages call it: "venue lat", "email" */
    uint8_t kind, check;
    uint8_t since;    /* record version that added it; 0 = the first */
    uint8_t fixed;    /* cannot change on update */
    uint16_t off;     /* offsetof the C member */
    uint16_t n_off;   /* STRLIST: offsetof its size_t count */
    double lo, hi;
    int ref;          /* ID: the table it must name a record of (0 = no
                         check here; the rules hook may check more) */
    int code;         /* RANGE: the code of an input outside lo..hi when
                         not TIX_ERANGE (a kind out of its enum: EINVAL) */
    const char *member; /* its C member, for tix_errfield(): "lat" */
} tix__field;

/* A unique index: key -> record id (8 bytes, big-endian). The key is the
 * owner id (be64) then the string, when the index has an owner (names
 * unique among siblings, listed by owner in name order), or the string
 * alone, ASCII lower-cased when @p fold (e-mail addresses). */
typedef struct tix__rindex {
    int table;
    int8_t owner;           /* field index of the owner id, or -1 */
    int8_t str;             /* field index of the keyed string */
    uint8_t fold;
    const char *owner_noun; /* "city": "city 3 already has a venue ..." */
} tix__rindex;

#define TIX__REC_KEY_MAX 511 /* LMDB's default key limit */

/* One entry a record has in one of its indexes. Each module builds its
 * records' entries with the key builders its writes use, and tix check
 * verifies exactly those: no key shape is written down twice. */
typedef struct tix__ixentry {
    int index;                       /* the index table */
    uint8_t key[TIX__REC_KEY_MAX + 1];
    size_t klen;
    int val_is_id;                   /* value = the record's id (be64) */
    uint8_t val[16];                 /* otherwise the value, vlen bytes */
    size_t vlen;
} tix__ixentry;
#define TIX__REC_SIZE_MAX 256 /* largest public struct a descriptor serves */

typedef struct tix__rectype {
    const char *what;   /* "venue" */
    int table;          /* primary: id (be64) -> record */
    uint8_t tag, version;
    size_t size;        /* sizeof the public struct */
    const tix__field *fields; /* fields[0] is the record's own id */
    uint8_t n_fields;
    const tix__rindex *indexes;
    uint8_t n_indexes;
    /* tix__rec_decode bound to this descriptor, for the store's list
     * builders (TIX__REC_DECODER defines it). */
    tix_decode_fn decode;
    /* Input rules beyond the field table; may be NULL. */
    int (*check)(const void *in);
    /* Rules that read other records (a parent's kind, a city); run by
     * every write and by tix check. May be NULL. */
    int (*rules)(tix_db *db, MDB_txn *txn, const void *rec);
    /* Runs in the write just before @p rec is stored (@p old is NULL on a
     * create): keeps derived state (search words, geo cells) and may set
     * members the caller does not own. May be NULL. */
    int (*on_put)(tix_db *db, MDB_txn *txn, const void *old, void *rec);
    /* Runs in tix__rec_delete's write before @p old goes: drops the
     * derived state on_put made. May be NULL. */
    int (*on_delete)(tix_db *db, MDB_txn *txn, const void *old);
} tix__rectype;

/* Defines `static int fn(...)`: tix__rec_decode with descriptor @p type. */
#define TIX__REC_DECODER(fn, type)                                        \
    static int fn(const MDB_val *val, void *item, tix_bump *b)            \
    {                                                                     \
        return tix__rec_decode(&(type), val, item, b);                    \
    }

/* ---- the calls behind the typed API ---- */

/* Validates @p in, then in one write: rules, a new id, the indexes, the
 * hook, the record. *id_out (may be NULL) receives the id. */
int tix__rec_create(tix_db *db, const tix__rectype *t, const void *in,
                    tix_id *id_out);
/* Replaces record in->id (fixed fields must not change); TIX_ENOTFOUND
 * when it does not exist. */
int tix__rec_update(tix_db *db, const tix__rectype *t, const void *in);
/* One record as one block (free() it). */
int tix__rec_get(tix_db *db, const tix__rectype *t, tix_id id, void **out);
/* The records under @p owner in index @p ix (ordered by name). */
int tix__rec_list_owned(tix_db *db, const tix__rectype *t, int ix,
                        tix_id owner, void **out);
/* A page of every record above @p after_id, in id order (limit 0 = all). */
int tix__rec_list_page(tix_db *db, const tix__rectype *t, tix_id after_id,
                       size_t limit, void **out);
/* The record whose key in unique index @p ix (without owner) is @p s;
 * TIX_ENOTFOUND when none. */
int tix__rec_find(tix_db *db, const tix__rectype *t, int ix, const char *s,
                  void **out);

/* ---- deletes ---- */

/* Whether anything refers to record @p id of type @p t: TIX_OK when
 * nothing of the caller's layer does, else TIX_EBUSY naming one referrer
 * ("venue 3 has screens (screen 7)"), or another error. */
typedef int (*tix__rec_refs_fn)(tix_db *db, MDB_txn *txn,
                                const tix__rectype *t, tix_id id);
/* Registers @p fn, run by every delete (process-wide, from lib/api/open.c
 * before any store opens): how layers above the catalog (bookings,
 * reviews) keep a record they name from going. */
void tix__rec_on_delete(tix__rec_refs_fn fn);
/* Deletes record @p id, its index entries and (t->on_delete) its derived
 * state in one write, once every registered tix__rec_refs_fn found no
 * referrer. TIX_ENOTFOUND, TIX_EBUSY. */
int tix__rec_delete(tix_db *db, const tix__rectype *t, tix_id id);
/* TIX_EBUSY when a key of table @p table has @p id (be64) at byte @p at:
 * a seek when @p at is 0, else a walk of the whole table (for tables
 * without an index on the id; deletes are rare admin work). The referrer
 * named is the be64 at key byte @p id_at, or the 8-byte value when
 * @p id_at < 0; @p children ("screens") and @p noun ("screen", NULL to
 * name none) word the message. */
int tix__rec_refs_key(tix_db *db, MDB_txn *txn, const tix__rectype *t,
                      tix_id id, int table, size_t at, int id_at,
                      const char *children, const char *noun);
/* TIX_EBUSY when a record of type @p rt has @p id in ID field @p field
 * (a walk of its whole table), naming that record. */
int tix__rec_refs_field(tix_db *db, MDB_txn *txn, const tix__rectype *t,
                        tix_id id, const tix__rectype *rt, int field,
                        const char *children);
/* The TIX_EBUSY of a referrer found otherwise; @p noun NULL names none. */
int tix__rec_refs_busy(const tix__rectype *t, tix_id id, const char *children,
                       const char *noun, tix_id ref);

/* ---- record access for other modules ---- */

/* Decodes @p val into the struct @p item, strings copied into @p b. */
int tix__rec_decode(const tix__rectype *t, const MDB_val *val, void *item,
                    tix_bump *b);
/* Reads record @p id into @p rec without copying: CSTR fields point into
 * LMDB memory (valid while @p txn is, and until it writes); STR and
 * STRLIST fields are NULL / 0. TIX_ENOTFOUND names the record. */
int tix__rec_peek(tix_db *db, MDB_txn *txn, const tix__rectype *t, tix_id id,
                  void *rec);
/* The id and key record @p rec has in index @p ix; returns the key length
 * (0 when it has none). */
size_t tix__rec_key(const tix__rectype *t, int ix, const void *rec,
                    uint8_t key[TIX__REC_KEY_MAX]);
/* The index entries of @p rec (t->n_indexes of them). */
size_t tix__rec_entries(const tix__rectype *t, const void *rec,
                        tix__ixentry *out);
/* Stores @p rec as it is, without indexes or hooks: for a member another
 * module owns (a screen's seat count). */
int tix__rec_put(tix_db *db, MDB_txn *txn, const tix__rectype *t,
                 const void *rec);
/* The rules a stored record must keep: its references exist, and
 * t->rules. Writes run them; so does tix check. */
int tix__rec_rules(tix_db *db, MDB_txn *txn, const tix__rectype *t,
                   const void *rec);
/* Checks @p in against the field table and t->check; tix_errfield()
 * names the member at fault. */
int tix__rec_check(const tix__rectype *t, const void *in);
/* tix__rec_check for a public tix_<noun>_validate(). */
int tix__rec_validate(const tix__rectype *t, const void *in);

#endif
