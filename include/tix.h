/**
 * @file tix.h
 * @brief libtix — an embedded seat-inventory database engine.
 *
 * libtix keeps the whole inventory of a ticketing business (places, venues,
 * screens, price tiers, seats, movies, shows, users) in one store directory
 * and sells its seats safely under heavy concurrency.
 *
 * Conventions (they hold for every call unless its comment says otherwise):
 *  - Every call returns an `int`: #TIX_OK (0) or a negative `TIX_E*` code.
 *    tix_strerror() names a code; tix_errmsg() gives the calling thread's
 *    detail message for the last failure.
 *  - On failure nothing in the store has changed and no output pointer has
 *    been set to allocated memory. Each write is its own transaction,
 *    unless the calling thread groups catalog writes in a batch
 *    (tix_db_begin(), "Batches").
 *  - Strings passed in are UTF-8, NUL-terminated and copied; the library
 *    never keeps a caller's pointer after a call returns.
 *  - Anything the library allocates for the caller is released with the
 *    matching `_free` function. Records come back as one allocation: the
 *    struct and every string it points to, so one `_free` releases all.
 *  - One #tix_db may be used from many threads at once; several processes
 *    may open the same store directory at once.
 *  - The library never prints, never exits and never aborts on bad input.
 */
#ifndef TIX_H
#define TIX_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** @name Version */
/**@{*/
#define TIX_VERSION_MAJOR 0
#define TIX_VERSION_MINOR 1
#define TIX_VERSION_PATCH 0
/** Version as one number: major*10000 + minor*100 + patch. */
#define TIX_VERSION_NUMBER \
    (TIX_VERSION_MAJOR * 10000 + TIX_VERSION_MINOR * 100 + TIX_VERSION_PATCH)
#define TIX__STR2(x) #x
#define TIX__STR(x) TIX__STR2(x)
/** Version as a string, "major.minor.patch". */
#define TIX_VERSION_STRING                                                     \
    TIX__STR(TIX_VERSION_MAJOR) "." TIX__STR(TIX_VERSION_MINOR) "." TIX__STR( \
        TIX_VERSION_PATCH)
/**@}*/

/** Marks the public symbols; everything else in the library is hidden. */
#if defined(TIX_STATIC_DEFINE)
#define TIX_API
#elif defined(__GNUC__) && __GNUC__ >= 4
#define TIX_API __attribute__((visibility("default")))
#else
#define TIX_API
#endif

/** @name Error codes
 * Every call returns #TIX_OK or one of these negative codes. */
/**@{*/
#define TIX_OK 0          /**< Success. */
#define TIX_EINVAL -1     /**< An argument is invalid (see tix_errmsg()). */
#define TIX_ENOTFOUND -2  /**< No record with that id or key. */
#define TIX_EEXISTS -3    /**< A unique name or key is already taken. */
#define TIX_ECONFLICT -4  /**< A seat is held or booked by someone else. */
#define TIX_EEXPIRED -5   /**< The hold or lease has run out. */
#define TIX_EFULL -6      /**< The store reached its size limit. */
#define TIX_ECORRUPT -7   /**< A record or file failed its checks. */
#define TIX_EIO -8        /**< The operating system reported an I/O error. */
#define TIX_ENOMEM -9     /**< Out of memory. */
#define TIX_EBUSY -10     /**< Resource in use (store already open, ...). */
#define TIX_ETOOLONG -11  /**< A string or list exceeds its limit. */
#define TIX_EUTF8 -12     /**< A string is not valid UTF-8. */
#define TIX_ERANGE -13    /**< A number is out of its allowed range. */
#define TIX_EOVERLAP -14  /**< A show overlaps another on the same screen. */
#define TIX_EPERM -15     /**< Not permitted (read-only store, ...). */
#define TIX_EALREADY -16  /**< Already done (ticket already checked in). */
#define TIX_EBADCODE -17  /**< A code or handle is malformed or forged. */
#define TIX_EVERSION -18  /**< File or record from an unknown version. */
#define TIX_EAGAIN -19    /**< Not ready yet; try again (async confirm). */
#define TIX_ELIMIT -20    /**< A configured limit was reached. */
#define TIX_ESTATE -21    /**< Wrong state for this operation. */
#define TIX_ETIMEDOUT -22 /**< A wait timed out. */
#define TIX_EPRICE -23    /**< The price computed at commit differs from the
                             amount (or currency) the caller expected. */
#define TIX_ECHECKEDIN -24 /**< A ticket of the booking was already checked
                             in (cancel refused without
                             #TIX_CANCEL_AFTER_CHECKIN). */
#define TIX_EFENCED -25   /**< Replication: this store is not the primary of
                             its stream (another primary wrote after it, or
                             holds the lease); it may only follow. */
#define TIX_EREPL -26     /**< Replication: JetStream did not acknowledge
                             the write (unreachable, timed out, refused);
                             nothing was committed locally. */
/**@}*/

/** Identifier of every record. Ids start at 1; 0 means "none". */
typedef uint64_t tix_id;

/** Returns the library version string, e.g. "0.1.0". Never fails. */
TIX_API const char *tix_version(void);

/** Returns a static English name for an error code ("TIX_ENOTFOUND: not
 *  found"); unknown codes give "unknown error". Never returns NULL. */
TIX_API const char *tix_strerror(int code);

/** Returns the calling thread's detail message for the most recent failed
 *  call ("" when none). The text stays valid until the thread's next libtix
 *  call. Never returns NULL. */
TIX_API const char *tix_errmsg(void);

/** The input field the calling thread's last error is about, as it is
 *  named in the tix_* struct of the call ("name", "currency", "lat",
 *  "rows[2].seats[5].number"), or "" when the error is about no one field.
 *  Lets a caller that validates its own input (an import, a form) point
 *  at the part at fault. Owned by the library, valid until the next call
 *  on this thread. */
TIX_API const char *tix_errfield(void);

/* ------------------------------------------------------------------------ */
/** @name Store */
/**@{*/

/** An open store. Opaque; thread-safe. */
typedef struct tix_db tix_db;

/** How durable a committed write transaction is. */
typedef enum tix_durability {
    TIX_SYNC_FULL = 0,   /**< fsync data and meta on every commit. Slower
                            than the journal; any number of processes in
                            this mode (not beside journal-mode ones). */
    TIX_SYNC_NOMETA = 1, /**< Skip the meta-page fsync: a crash may lose the
                            last commit, never corrupts. */
    TIX_SYNC_NONE = 2,   /**< No fsync: fast, for tests; an OS crash may lose
                            recent commits. */
    TIX_SYNC_JOURNAL = 3 /**< The default (tix_config_init()). As durable
                            as TIX_SYNC_FULL, one small flush per commit:
                            each commit appends its changes to the file
                            `journal`, shared by every journal-mode process
                            that has the store open, and flushes only that.
                            LMDB is flushed at checkpoints in the
                            background (about once a second while writes
                            come: what changed, never a copy of the
                            store). Any number of journal-mode processes
                            may have the store open read-write; a
                            read-write open in another mode meanwhile gets
                            TIX_EBUSY. See docs/design.md, "Journal". */
} tix_durability;

/** Clock: returns the current time in seconds since the Unix epoch. */
typedef int64_t (*tix_clock_fn)(void *ctx);

/** Open flags for #tix_config.flags. */
#define TIX_OPEN_READONLY 0x1u /**< Open read-only; writes give TIX_EPERM. */
#define TIX_OPEN_NOCREATE 0x2u /**< Fail with TIX_ENOTFOUND if no store. */

/** Store options. Always initialise with tix_config_init(), then change the
 *  fields you need. */
typedef struct tix_config {
    size_t map_size;          /**< Initial LMDB map size in bytes (64 MiB). */
    size_t map_size_max;      /**< Growth limit; 0 = no limit. A map that
                                 cannot grow further gives TIX_EFULL. */
    unsigned max_readers;     /**< Concurrent read transactions (512). */
    tix_durability durability; /**< Commit durability (TIX_SYNC_JOURNAL). */
    uint32_t hold_ttl_default; /**< Hold lifetime when 0 is passed (600 s). */
    uint32_t hold_ttl_max;     /**< Longest hold lifetime allowed (3600 s). */
    uint32_t hold_max_seats;   /**< Most seats in one hold (10). */
    uint32_t confirm_lease;    /**< Lease of a confirm in flight (30 s). */
    uint32_t show_buffer;      /**< Cleaning gap between shows (900 s). */
    size_t seatmap_reserve;    /**< Address space reserved for seats.map
                                  (1 GiB); the file grows inside it. */
    uint32_t reclaim_after;    /**< Seconds after a show ends when its
                                  seats.map region is reused (86400). From
                                  then on the show's seat calls give
                                  TIX_ESTATE; its bookings stay readable. */
    tix_clock_fn clock;        /**< Clock; NULL = system real-time clock. */
    void *clock_ctx;           /**< Passed to @ref clock. */
    unsigned flags;            /**< TIX_OPEN_* flags. */
    uint32_t review_text_max;  /**< Longest review or comment text, in bytes
                                  (2000; 1..65536). */
    uint32_t search_min_chars; /**< Fewest letters or digits a title search
                                  needs (3; 1..32). */
    int64_t fee_per_seat_minor; /**< Convenience fee per seat, in minor
                                  units of the seats' currency, added by
                                  tix_price_quote() and by every confirm
                                  (0; 0..10^12). The booking records the
                                  fee it was charged. */
    /* Replication through NATS JetStream (docs/replication.md). All zero
     * (the default): the store is not replicated. */
    const char *repl_urls;     /**< NATS servers, comma-separated
                                  ("nats://10.0.0.1:4222,nats://..."); NULL:
                                  no replication. Needs a libtix built with
                                  TIX_REPL (else TIX_EINVAL). */
    const char *repl_stream;   /**< The store's JetStream stream ("TIX");
                                  letters, digits, '-' and '_'. */
    unsigned repl_role;        /**< #TIX_REPL_PRIMARY (0 means it) or
                                  #TIX_REPL_FOLLOWER. */
    unsigned repl_replicas;    /**< Replicas of the stream and the lease
                                  bucket when open creates them (3; 1..5). */
    uint32_t repl_lease_ms;    /**< The primary's lease: a key with this TTL
                                  (5000 ms; 500..600000), renewed every
                                  third of it. */
    uint32_t repl_timeout_ms;  /**< How long a write waits for JetStream's
                                  acknowledgement (2000 ms; 50..60000). */
} tix_config;

/** Fills @p cfg with the defaults listed in #tix_config. Never fails. */
TIX_API void tix_config_init(tix_config *cfg);

/**
 * Opens (and by default creates) the store in directory @p path.
 *
 * The directory is created with mode 0700 and its files with 0600. Stale
 * reader slots left by dead processes are cleared (mdb_reader_check).
 *
 * @param path directory of the store.
 * @param cfg  options, or NULL for the defaults.
 * @param out  receives the handle; close it with tix_db_close().
 * A store left by a crash in TIX_SYNC_JOURNAL is recovered by the first
 * read-write open (in any mode): its journal is replayed, after a machine
 * crash on top of the last checkpoint.
 *
 * @return TIX_OK; TIX_EINVAL (NULL or empty path, bad config value);
 *   TIX_EBUSY (this process already has the store open; or another
 *   process has it open read-write in journal mode and this open is
 *   read-write in another mode, or the other way round; or a read-only
 *   open of a store that a machine crash left needing recovery);
 *   TIX_ENOTFOUND (TIX_OPEN_NOCREATE and no store); TIX_EPERM (no access);
 *   TIX_EVERSION (store written by an unknown format version, or a
 *   journal that an earlier libtix left needing its own recovery);
 *   TIX_ECORRUPT; TIX_EIO; TIX_ENOMEM.
 */
TIX_API int tix_db_open(const char *path, const tix_config *cfg,
                        tix_db **out);

/** Closes the store and frees @p db. NULL is allowed. Waits for confirms
 *  in flight to finish. Handles and records obtained from @p db stay
 *  valid (they own their memory) but must not be used with it again. */
TIX_API void tix_db_close(tix_db *db);

/** Returns the store directory path. Owned by @p db. */
TIX_API const char *tix_db_path(const tix_db *db);

/** Returns the current time by the store's clock (seconds since epoch). */
TIX_API int64_t tix_db_now(const tix_db *db);

/** Forces an fsync of the store (useful after TIX_SYNC_NONE writes). In
 *  TIX_SYNC_JOURNAL every commit is already durable; this makes a
 *  checkpoint now (waiting for one another process is making), which
 *  shortens the replay after a crash.
 *  @return TIX_OK, TIX_EIO, TIX_EFULL. */
TIX_API int tix_db_sync(tix_db *db);
/**@}*/

/* ------------------------------------------------------------------------ */
/** @name Batches
 * A batch makes several catalog writes one transaction, like SQLite's
 * BEGIN / COMMIT / ROLLBACK: a venue with its screens, tiers and seats is
 * either all in the store or not at all (`tix import` loads a layout
 * file this way).
 *
 * - **What joins.** While the calling thread has a batch open on @p db,
 *   its creates and updates of places, venues, screens, tiers, seats,
 *   movies, shows and users join the batch instead of committing each:
 *   nothing of them is durable, or visible to other threads and
 *   processes, until the outermost tix_db_commit(), and then all of it is
 *   at once (one LMDB commit, one flush). Ids are handed out as usual;
 *   after a rollback they mean nothing and are given out again.
 * - **Reads** by the same thread see the batch's writes (a screen created
 *   in the batch can be listed and get its tiers and seats); other
 *   threads and processes see the store as it was before the batch.
 * - **A failed call inside** changes nothing, as outside a batch: it
 *   returns its error and the batch stays open with everything done
 *   before it, so the caller may go on, commit, or roll back.
 * - **Calls that do not join** are refused with TIX_ESTATE and change
 *   nothing while the thread has a batch open on the store: every seat
 *   call of every show (holds, best available, extend, release,
 *   availability and seat states, quotes, confirms, cancels, check-ins,
 *   admin blocks), the other writes (offers, reviews, comments, the
 *   outbox's consumers), tix_db_sync() and tix_db_backup(). Seats.map and
 *   the seat engine's caches would keep what a rollback undoes, and a
 *   confirm is committed by another thread, which would wait for this one.
 * - **Other writers wait.** A batch holds the store's single write lock
 *   from begin to the end of the outermost level: writes from other
 *   threads and processes (confirms included, and another tix_db_begin)
 *   block until then. Keep batches short, and never make the batch's
 *   thread wait for another thread that writes to the same store: that
 *   thread waits for the batch (a deadlock).
 * - **Thread affinity.** A batch belongs to the thread that began it:
 *   commit and roll back on that thread; other threads' calls never join
 *   it. A thread may have one batch per open store. A thread that exits
 *   with a batch open has it rolled back; tix_db_close() on that thread
 *   rolls it back too (close the store only after every other thread's
 *   batch has ended).
 * - **Nesting.** tix_db_begin() inside an open batch opens a nested level
 *   (a savepoint), at most 32 deep: tix_db_commit() of a nested level
 *   keeps its writes in the level above (still not durable), and
 *   tix_db_rollback() undoes only what was done since it began. Commit
 *   and rollback always end the innermost level.
 * - **Map size.** The LMDB map cannot grow while a batch is open: a write
 *   that runs out of map inside a batch fails with TIX_EFULL (and changes
 *   nothing); the rollback (or commit) that ends the batch then grows the
 *   map, so running the batch again can fit. Start with a larger
 *   #tix_config.map_size for very large batches.
 */
/**@{*/

/**
 * Begins a batch on the calling thread, or a nested level inside the
 * thread's open batch. Waits while another thread or process writes.
 * @return TIX_OK; TIX_EINVAL (NULL db); TIX_EPERM (read-only store);
 *   TIX_ELIMIT (nested 32 deep); TIX_ENOMEM; TIX_EIO.
 */
TIX_API int tix_db_begin(tix_db *db);

/**
 * Ends the innermost level of the calling thread's batch, keeping its
 * writes. For the outermost level this commits the batch: every write in
 * it is durable (per the store's durability mode) when this returns. On
 * failure the batch is rolled back and ended (outermost level: the store
 * is exactly as before tix_db_begin(); nested level: its writes are
 * dropped and the level above stays open).
 * @return TIX_OK; TIX_ESTATE (no batch open on this thread); TIX_EINVAL
 *   (NULL db); TIX_EIO, TIX_EFULL, TIX_ENOMEM (the commit failed).
 */
TIX_API int tix_db_commit(tix_db *db);

/**
 * Ends the innermost level of the calling thread's batch, undoing every
 * write made since it began. For the outermost level the store is left
 * exactly as it was before tix_db_begin(), byte for byte.
 * @return TIX_OK; TIX_ESTATE (no batch open on this thread); TIX_EINVAL
 *   (NULL db).
 */
TIX_API int tix_db_rollback(tix_db *db);
/**@}*/

/* ------------------------------------------------------------------------ */
/** @name Limits shared by every table */
/**@{*/
#define TIX_NAME_MAX 128      /**< Bytes in a name/title (1..128). */
#define TIX_ADDRESS_MAX 512   /**< Bytes in an address. */
#define TIX_TEXT_MAX 4096     /**< Bytes in a synopsis or long text. */
#define TIX_LIST_MAX 32       /**< Items in a string list. */
#define TIX_ROW_LABEL_MAX 8   /**< Bytes in a seat row label. */
#define TIX_SCREEN_SEATS_MAX 1000000u /**< Seats one screen may have. */
/**@}*/

/* ------------------------------------------------------------------------ */
/** @name Places: country -> state -> city */
/**@{*/

/** Kind of a place. */
typedef enum tix_place_kind {
    TIX_PLACE_COUNTRY = 1,
    TIX_PLACE_STATE = 2,
    TIX_PLACE_CITY = 3
} tix_place_kind;

/** Longest IANA time-zone name, in bytes. */
#define TIX_TZ_NAME_MAX 64

/** A place. A country has no parent, a state's parent is a country, a
 *  city's parent is a state. Names are unique among siblings (the same
 *  name under two parents is fine: São Paulo the state and the city).
 *
 *  Local time is the city's: with a time zone, its offset at each instant
 *  comes from the system's tzdata (summer time included: London is +01:00
 *  in July, +00:00 in January); without one, utc_offset_min is used all
 *  year. Show dates (#tix_show.local_date), listings and the local times
 *  of outbox events follow it. */
typedef struct tix_place {
    tix_id id;              /**< Set by the library. */
    tix_place_kind kind;
    tix_id parent_id;       /**< 0 for a country. */
    const char *name;       /**< 1..TIX_NAME_MAX bytes of UTF-8. */
    int32_t utc_offset_min; /**< Fixed local time offset in minutes,
                               -720..840: the fallback when time_zone is
                               empty. */
    const char *time_zone;  /**< IANA time-zone name ("Europe/London",
                               "Asia/Kolkata"), 1..#TIX_TZ_NAME_MAX bytes,
                               that must exist in the system's tzdata
                               (/usr/share/zoneinfo); NULL or "" = none.
                               Read back as "" when none, or NULL for a
                               place stored before zones existed (record
                               version 1). */
} tix_place;

/** A list of places; one allocation, free with tix_place_list_free(). */
typedef struct tix_place_list {
    size_t count;
    tix_place items[];
} tix_place_list;

/**
 * Creates a place from @p in (its id field is ignored).
 * @param id_out receives the new id (may be NULL).
 * @return TIX_OK; TIX_EINVAL (bad kind, parent of the wrong kind);
 *   TIX_ENOTFOUND (parent_id unknown); TIX_EEXISTS (sibling with that
 *   name); TIX_ETOOLONG / TIX_EUTF8 / TIX_EINVAL for a bad name;
 *   TIX_ERANGE (utc offset); TIX_EINVAL (time_zone malformed or not in
 *   the system's tzdata); TIX_ETOOLONG (time_zone longer than
 *   #TIX_TZ_NAME_MAX); TIX_EPERM (read-only).
 */
TIX_API int tix_place_create(tix_db *db, const tix_place *in, tix_id *id_out);
/** Checks @p in as tix_place_create() would before it reads the store
 *  (kind, name, offset, time zone), writing nothing and needing no store.
 *  The same codes as the create; tix_errfield() names the field. */
TIX_API int tix_place_validate(const tix_place *in);
/** Reads place @p id into a new record (free with tix_place_free()).
 *  *out is NULL after a failure.
 *  @return TIX_OK, TIX_ENOTFOUND, TIX_EINVAL (NULL db or out). */
TIX_API int tix_place_get(tix_db *db, tix_id id, tix_place **out);
/** Renames place in->id or changes its offset or time zone (shows
 *  already scheduled keep their local_date). Places never move:
 *  in->kind and in->parent_id must equal the stored ones (TIX_EINVAL
 *  otherwise). TIX_ENOTFOUND when there is no place in->id; other errors
 *  as for tix_place_create(). */
TIX_API int tix_place_update(tix_db *db, const tix_place *in);
/** Deletes place @p id (and its index entry) in one transaction, when
 *  nothing refers to it: child places, venues in it (a city), users whose
 *  home city it is.
 *  @return TIX_OK; TIX_ENOTFOUND; TIX_EBUSY naming one referrer ("place 3
 *  has venues (venue 7)"; nothing changed). Inside a batch
 *  (tix_db_begin) it is part of the batch, like a create. */
TIX_API int tix_place_delete(tix_db *db, tix_id id);
/** Lists the children of @p parent_id (0 = countries), by name (byte
 *  order of the UTF-8). A parent without children, or an unknown one,
 *  gives an empty list. Free with tix_place_list_free(). */
TIX_API int tix_place_list_by_parent(tix_db *db, tix_id parent_id, tix_place_list **out);
TIX_API void tix_place_free(tix_place *p);           /**< NULL allowed. */
TIX_API void tix_place_list_free(tix_place_list *l); /**< NULL allowed. */

/** Gives the UTC offset, in minutes east of UTC, of IANA time zone
 *  @p zone at Unix time @p t, read from the system's tzdata (TZif files
 *  under /usr/share/zoneinfo; the process's TZ is neither read nor
 *  changed, so any thread may call at any time). Times past the file's
 *  last transition follow its POSIX rule.
 *  @return TIX_OK; TIX_EINVAL (NULL argument, malformed name, no such
 *  zone); TIX_ETOOLONG (name); TIX_ECORRUPT (the zone file is
 *  malformed); TIX_EIO. */
TIX_API int tix_tz_offset(const char *zone, int64_t t,
                          int32_t *utc_offset_min);

/** Gives the local UTC offset of place @p place_id at Unix time @p t: its
 *  time zone's when it has one, else its fixed utc_offset_min.
 *  @return TIX_OK; TIX_ENOTFOUND (no such place); TIX_EINVAL (NULL
 *  argument); errors of tix_tz_offset(). */
TIX_API int tix_place_utc_offset(tix_db *db, tix_id place_id, int64_t t,
                                 int32_t *utc_offset_min);
/**@}*/

/* ------------------------------------------------------------------------ */
/** @name Venues, screens, price tiers */
/**@{*/

/** A venue (theatre, stadium) in a city. Names unique within a city. */
typedef struct tix_venue {
    tix_id id;
    tix_id city_id;      /**< Must be a city. */
    const char *name;    /**< 1..TIX_NAME_MAX bytes. */
    const char *address; /**< 0..TIX_ADDRESS_MAX bytes (NULL = ""); may
                            span lines. */
    double lat;          /**< -90..90, finite. */
    double lon;          /**< -180..180, finite. */
} tix_venue;

typedef struct tix_venue_list {
    size_t count;
    tix_venue items[];
} tix_venue_list;

/** Creates a venue. @return TIX_OK; TIX_ENOTFOUND (no such city);
 *  TIX_EINVAL (city_id is not a city); TIX_EEXISTS; TIX_ERANGE (lat/lon
 *  out of range, NaN or infinite); string errors as for places. */
TIX_API int tix_venue_create(tix_db *db, const tix_venue *in, tix_id *id_out);
/** Checks @p in as tix_venue_create() would before it reads the store
 *  (name, address, lat, lon); tix_errfield() names the field. */
TIX_API int tix_venue_validate(const tix_venue *in);
TIX_API int tix_venue_get(tix_db *db, tix_id id, tix_venue **out);
/** Updates name, address, lat/lon of venue in->id. Venues never move:
 *  in->city_id must equal the stored city (TIX_EINVAL otherwise).
 *  TIX_ENOTFOUND when there is no venue in->id; other errors as for
 *  tix_venue_create(). */
TIX_API int tix_venue_update(tix_db *db, const tix_venue *in);
/** Deletes venue @p id (its name entry and its position in the
 *  nearby index) when it has no screens; as tix_place_delete(). */
TIX_API int tix_venue_delete(tix_db *db, tix_id id);
/** Lists the venues of a city by name; empty for an unknown city. */
TIX_API int tix_venue_list_by_city(tix_db *db, tix_id city_id, tix_venue_list **out);
TIX_API void tix_venue_free(tix_venue *v);
TIX_API void tix_venue_list_free(tix_venue_list *l);

/** A screen (auditorium, stand) in a venue. Names unique in a venue. */
typedef struct tix_screen {
    tix_id id;
    tix_id venue_id;
    const char *name;
    double ideal_x;      /**< Best viewing point, used by best-available;
                            finite, in seat map coordinates. */
    double ideal_y;
    uint32_t seat_count; /**< Set by the library (ignored on input). */
} tix_screen;

typedef struct tix_screen_list {
    size_t count;
    tix_screen items[];
} tix_screen_list;

/** Creates a screen with no seats (add them with tix_seats_add_rows()).
 *  @return TIX_OK; TIX_ENOTFOUND (no such venue); TIX_EEXISTS; TIX_ERANGE
 *  (ideal point not finite); string errors as for places. */
TIX_API int tix_screen_create(tix_db *db, const tix_screen *in,
                              tix_id *id_out);
/** Checks @p in as tix_screen_create() would before it reads the store
 *  (name, ideal point); tix_errfield() names the field. */
TIX_API int tix_screen_validate(const tix_screen *in);
TIX_API int tix_screen_get(tix_db *db, tix_id id, tix_screen **out);
/** Updates name and ideal point of screen in->id. in->venue_id must
 *  equal the stored venue (TIX_EINVAL otherwise); seat_count is ignored.
 *  TIX_ENOTFOUND when there is no screen in->id. */
TIX_API int tix_screen_update(tix_db *db, const tix_screen *in);
/** Deletes screen @p id when it has no shows, seats, areas or tiers;
 *  as tix_place_delete(). Seats cannot be removed one by one, so a
 *  screen with a layout stays. */
TIX_API int tix_screen_delete(tix_db *db, tix_id id);
/** Lists the screens of a venue by name; empty for an unknown venue. */
TIX_API int tix_screen_list_by_venue(tix_db *db, tix_id venue_id,
                            tix_screen_list **out);
TIX_API void tix_screen_free(tix_screen *s);
TIX_API void tix_screen_list_free(tix_screen_list *l);

/** A price tier of a screen. Names unique in a screen. */
typedef struct tix_tier {
    tix_id id;
    tix_id screen_id;
    const char *name;
    int64_t price_minor;  /**< Price in minor units (cents, paise), >= 0. */
    char currency[4];     /**< ISO 4217 code: three letters A-Z and a NUL. */
} tix_tier;

typedef struct tix_tier_list {
    size_t count;
    tix_tier items[];
} tix_tier_list;

/** Creates a tier. Every tier of a screen has the same currency: a
 *  booking adds up the prices of its seats, which two currencies could not
 *  be (every such confirm would fail).
 *  @return TIX_OK; TIX_ERANGE (negative price); TIX_EINVAL (currency not
 *  three A-Z letters, not an active ISO 4217 code (see
 *  tix_currency_exponent()), or not the currency of the screen's other
 *  tiers); TIX_ENOTFOUND (screen); TIX_EEXISTS; string errors. */
TIX_API int tix_tier_create(tix_db *db, const tix_tier *in, tix_id *id_out);
/** Checks @p in as tix_tier_create() would before it reads the store
 *  (name, price, currency code); tix_errfield() names the field. */
TIX_API int tix_tier_validate(const tix_tier *in);
TIX_API int tix_tier_get(tix_db *db, tix_id id, tix_tier **out);
/** Updates name, price and currency of tier in->id. in->screen_id must
 *  equal the stored screen (TIX_EINVAL otherwise). The currency may change
 *  only when no other tier of the screen has another one (so a screen
 *  with several tiers keeps its currency). TIX_ENOTFOUND when there is no
 *  tier in->id; other errors as for tix_tier_create(). */
TIX_API int tix_tier_update(tix_db *db, const tix_tier *in);
/** Deletes tier @p id when no seat (nor area place) of its screen has
 *  it; as tix_place_delete(). */
TIX_API int tix_tier_delete(tix_db *db, tix_id id);
/** Lists the tiers of a screen by price, cheapest first (equal prices by
 *  name); empty for an unknown screen. */
TIX_API int tix_tier_list_by_screen(tix_db *db, tix_id screen_id, tix_tier_list **out);
TIX_API void tix_tier_free(tix_tier *t);
TIX_API void tix_tier_list_free(tix_tier_list *l);
/**@}*/

/* ------------------------------------------------------------------------ */
/** @name Money
 * Amounts are integers in the minor unit of their currency, as ISO 4217
 * defines it: 1800 JPY is 1800 yen (no minor unit), 1800 EUR is 18.00
 * euros, 1800 KWD is 1.800 dinars. The library knows every active ISO 4217
 * code that has a minor unit; tiers accept only those. */
/**@{*/

/** Longest text tix_money_format() writes, NUL included. */
#define TIX_MONEY_TEXT_MAX 32

/** Returns the number of decimals of currency @p code (0 for JPY, KRW,
 *  ...; 2 for EUR, INR, USD, ...; 3 for BHD, JOD, KWD, OMR, TND, ...; 4 for
 *  CLF, UYW), or TIX_EINVAL when @p code is NULL, not three letters A-Z
 *  or not an active ISO 4217 currency (the detail says which). Thread-safe;
 *  needs no store. */
TIX_API int tix_currency_exponent(const char *code);

/** Writes @p amount_minor of @p currency as "<code> <amount>" with the
 *  currency's decimals: "JPY 1800", "EUR 18.00", "KWD 1.800",
 *  "USD -0.50". At most #TIX_MONEY_TEXT_MAX bytes with the NUL.
 *  @return TIX_OK; TIX_EINVAL (unknown currency, NULL or empty buffer);
 *  TIX_ETOOLONG (@p cap too small; @p buf unchanged). */
TIX_API int tix_money_format(int64_t amount_minor, const char *currency,
                             char *buf, size_t cap);

/** Parses an amount written in units of @p currency ("18", "18.5",
 *  "18.50", "-3") into minor units (1850 for EUR "18.50"; 18 for JPY
 *  "18"). No more decimals than the currency has; no exponent, spaces or
 *  thousands separators.
 *  @return TIX_OK; TIX_EINVAL (unknown currency, malformed text, too many
 *  decimals, NULL argument); TIX_ERANGE (does not fit an int64_t). */
TIX_API int tix_money_parse(const char *text, const char *currency,
                            int64_t *amount_minor);
/**@}*/

/* ------------------------------------------------------------------------ */
/** @name Seats */
/**@{*/

#define TIX_SEAT_AISLE 0x1u      /**< Seat next to an aisle. */
#define TIX_SEAT_WHEELCHAIR 0x2u /**< Wheelchair space. */
#define TIX_SEAT_COMPANION 0x4u  /**< Companion seat of a wheelchair space. */
#define TIX_SEAT_BLOCKED 0x8u    /**< Never for sale (pillar, camera). */
#define TIX_SEAT_STANDING 0x10u  /**< A place of a general-admission area
                                    (see tix_area_create()): it has no
                                    position and no neighbours. Set by the
                                    library only; tix_seats_add_rows()
                                    refuses it. */

/** One seat of a row in a layout. */
typedef struct tix_seat_spec {
    uint32_t number;  /**< Seat number within the row, >= 1; (row label,
                         number) is unique within the screen. */
    double x, y;      /**< Position on the seat map; finite, and unique
                         within the screen as the seat map keeps it
                         (rounded to 32-bit floats; -0 is 0). */
    tix_id tier_id;   /**< Tier of the same screen. */
    uint32_t flags;   /**< TIX_SEAT_* */
} tix_seat_spec;

/** One row of a layout. */
typedef struct tix_row_spec {
    const char *label;          /**< 1..TIX_ROW_LABEL_MAX bytes of UTF-8.
                                   A label may recur (in this call or a
                                   later one) as long as its seat numbers
                                   do not. */
    const tix_seat_spec *seats; /**< At least one seat. */
    size_t count;
} tix_row_spec;

/** A seat as stored. Seats of a screen are numbered 0..seat_count-1 in the
 *  order they were added; that index names a seat in holds and maps. */
typedef struct tix_seat {
    uint32_t index;
    const char *row;
    uint32_t number;
    double x, y;
    tix_id tier_id;
    uint32_t flags;
} tix_seat;

typedef struct tix_seat_list {
    size_t count;
    tix_seat items[];
} tix_seat_list;

/**
 * Adds rows of seats to a screen in one transaction (all or nothing).
 * The new seats get the indexes seat_count, seat_count+1, ... in the order
 * given (rows in order, seats of a row in order). No two seats of a screen
 * may be at the same position: the call reads the positions of the
 * screen's seats so far, so add a screen's seats in few calls.
 * @param first_index_out receives the index of the first new seat (may be
 *   NULL).
 * @return TIX_OK; TIX_ENOTFOUND (screen, or a seat's tier_id unknown);
 *   TIX_EINVAL (rows NULL, tier of another screen, unknown flags, number
 *   0, NULL seats); TIX_ERANGE (nrows 0, a row with zero seats, x/y not
 *   finite, or more than 1,000,000 seats per screen); TIX_EEXISTS (row
 *   label + number already present, or twice in @p rows; a seat at the
 *   position of another, the message names both); TIX_EBUSY (the
 *   screen already has shows: its layout is frozen); string errors for
 *   labels.
 */
TIX_API int tix_seats_add_rows(tix_db *db, tix_id screen_id,
                               const tix_row_spec *rows, size_t nrows,
                               uint32_t *first_index_out);
/** Checks rows as tix_seats_add_rows() would before it reads the store:
 *  labels, numbers, flags, positions, the seat limit, and no two seats of
 *  @p rows with one label and number or at one position.
 *  tix_errfield() names "rows[R].label", "rows[R].seats[I]" (two seats
 *  clash) or "rows[R].seats[I].number" (one field). *total (may be NULL)
 *  receives the number of seats. */
TIX_API int tix_seat_rows_validate(const tix_row_spec *rows, size_t nrows,
                                   uint32_t *total);
/** Lists every seat of a screen in index order, so items[i].index == i;
 *  empty for an unknown screen or one without seats. */
TIX_API int tix_seat_list_by_screen(tix_db *db, tix_id screen_id, tix_seat_list **out);
TIX_API void tix_seat_list_free(tix_seat_list *l);
/**@}*/

/* ------------------------------------------------------------------------ */
/** @name General-admission areas
 * A standing zone, a lawn, a concert floor: @p capacity places of one price
 * tier, sold by count rather than by seat, beside the seated tiers of the
 * same screen. Each place is a seat of the screen (flag
 * #TIX_SEAT_STANDING, row label = the area's name, numbers 1..capacity,
 * no position), so holds, confirms, cancels, check-in, availability, seat
 * history and repair after a crash treat places exactly as seats; a
 * booking may mix both. Best available never offers places, and seat maps
 * do not draw them. Places of an area are interchangeable: hold them by
 * count with tix_hold_areas(). */
/**@{*/

/** A general-admission area of a screen. */
typedef struct tix_area {
    tix_id id;
    tix_id screen_id;
    tix_id tier_id;      /**< Price tier of its places: a tier of the same
                            screen (it may also price seats). */
    const char *name;    /**< 1..TIX_ROW_LABEL_MAX bytes, one line: printed
                            as the row of its tickets ("FLOOR-1204"), so no
                            seat row of the screen may have the same label,
                            and no other area the same name. */
    uint32_t capacity;   /**< Places, 1..TIX_SCREEN_SEATS_MAX less the
                            screen's seats so far. */
    uint32_t first_seat; /**< Set by the library: the places are seats
                            first_seat .. first_seat + capacity - 1. */
} tix_area;

typedef struct tix_area_list {
    size_t count;
    tix_area items[];
} tix_area_list;

/** Creates an area and its @p capacity places on a screen that has no
 *  shows yet (a layout is frozen by its first show), in one transaction.
 *  in->first_seat and in->id are ignored; *id_out (may be NULL) receives
 *  the id. Places count against TIX_SCREEN_SEATS_MAX like seats.
 *  @return TIX_OK; TIX_ENOTFOUND (screen, tier); TIX_EINVAL (tier of
 *  another screen, NULL argument, name with control characters);
 *  TIX_ERANGE (capacity 0 or past the seat limit); TIX_ETOOLONG (name
 *  longer than TIX_ROW_LABEL_MAX); TIX_EUTF8; TIX_EEXISTS (an area of the
 *  screen has that name, or a seat row that label); TIX_EBUSY (the screen
 *  has shows). On error nothing is written. */
TIX_API int tix_area_create(tix_db *db, const tix_area *in, tix_id *id_out);
/** Checks @p in as tix_area_create() would before it reads the store;
 *  tix_errfield() names the field. */
TIX_API int tix_area_validate(const tix_area *in);
/** @return TIX_OK; TIX_ENOTFOUND. Free with tix_area_free(). */
TIX_API int tix_area_get(tix_db *db, tix_id id, tix_area **out);
/** Lists the areas of a screen by name; empty for an unknown screen. */
TIX_API int tix_area_list_by_screen(tix_db *db, tix_id screen_id,
                                    tix_area_list **out);
TIX_API void tix_area_free(tix_area *a);           /**< NULL allowed. */
TIX_API void tix_area_list_free(tix_area_list *l); /**< NULL allowed. */
/**@}*/

/* ------------------------------------------------------------------------ */
/** @name Movies and events */
/**@{*/

/** A movie or event. String lists hold up to TIX_LIST_MAX items of
 *  1..TIX_NAME_MAX bytes (media paths up to TIX_ADDRESS_MAX), single-line
 *  UTF-8; a list pointer may be NULL when its count is 0. Lists read back
 *  are never NULL and are also NULL-terminated. */
typedef struct tix_movie {
    tix_id id;
    const char *title;            /**< 1..TIX_NAME_MAX bytes. */
    uint32_t duration_min;        /**< 1..1440 minutes. */
    const char *certificate;      /**< e.g. "U/A"; 0..16 bytes (NULL = ""). */
    const char *synopsis;         /**< 0..TIX_TEXT_MAX bytes, may span lines
                                     (NULL = ""). */
    const char *const *languages; size_t n_languages;
    const char *const *genres;    size_t n_genres;
    const char *const *cast;      size_t n_cast;
    const char *const *crew;      size_t n_crew;
    const char *const *media;     size_t n_media; /**< Poster/trailer paths. */
} tix_movie;

typedef struct tix_movie_list {
    size_t count;
    tix_movie items[];
} tix_movie_list;

/**
 * Creates a movie from @p in (its id field is ignored).
 * @param id_out receives the new id (may be NULL).
 * @return TIX_OK; TIX_ERANGE (duration_min not 1..1440); TIX_EINVAL (NULL
 *   db or in, empty title or list item, control characters, NULL list with
 *   a non-zero count); TIX_ETOOLONG (a string or list over its limit);
 *   TIX_EUTF8; TIX_EPERM (read-only store).
 */
TIX_API int tix_movie_create(tix_db *db, const tix_movie *in, tix_id *id_out);
/** Reads movie @p id into a new record (free with tix_movie_free()).
 *  @return TIX_OK, TIX_ENOTFOUND, TIX_EINVAL (NULL db or out). */
TIX_API int tix_movie_get(tix_db *db, tix_id id, tix_movie **out);
/** Replaces every field of movie in->id. Shows already scheduled keep
 *  their times; a new duration applies to shows created afterwards.
 *  Same errors as tix_movie_create(), plus TIX_ENOTFOUND. */
TIX_API int tix_movie_update(tix_db *db, const tix_movie *in);
/** Deletes movie @p id (and its title search words) when it has no
 *  shows and no reviews; as tix_place_delete(). The shows are found by a
 *  walk of every show: an admin call, not a hot path. */
TIX_API int tix_movie_delete(tix_db *db, tix_id id);
/** Lists movies by id, at most @p limit (0 = all) starting after
 *  @p after_id: pass the last id of a page to get the next one. */
TIX_API int tix_movie_list_all(tix_db *db, tix_id after_id, size_t limit,
                           tix_movie_list **out);
TIX_API void tix_movie_free(tix_movie *m);
TIX_API void tix_movie_list_free(tix_movie_list *l);
/**@}*/

/* ------------------------------------------------------------------------ */
/** @name Shows */
/**@{*/

/** A show: a movie on a screen at a time. */
typedef struct tix_show {
    tix_id id;
    tix_id movie_id;
    tix_id screen_id;
    int64_t start;        /**< Seconds since the Unix epoch (UTC). */
    int64_t end;          /**< Set by the library: start + duration. */
    tix_id venue_id;      /**< Set by the library. */
    tix_id city_id;       /**< Set by the library. */
    uint32_t local_date;  /**< Set by the library: YYYYMMDD in city time. */
    uint32_t seat_count;  /**< Set by the library. */
    uint32_t flags;       /**< Input of tix_show_create(): TIX_SHOW_*
                             flags, not stored. Read back: #TIX_SHOW_CANCELLED
                             or 0. */
} tix_show;

/** Flag of #tix_show.flags: schedule a show whose start is already past
 *  (importing history, an admin's correction). Such a show sells nothing
 *  once it has ended. */
#define TIX_SHOW_ALLOW_PAST 0x1u
/** Flag of #tix_show.flags read back: tix_show_cancel() cancelled it. Not
 *  an input of tix_show_create(). */
#define TIX_SHOW_CANCELLED 0x2u

typedef struct tix_show_list {
    size_t count;
    tix_show items[];
} tix_show_list;

/**
 * Schedules a show. Only movie_id, screen_id, start and flags are read
 * from @p in; the library sets end (start + the movie's duration), venue,
 * city, local_date (the date of start in the city's local time: its time
 * zone, else its utc_offset_min) and seat_count. The start must not be
 * before now (the store's clock) unless flags has #TIX_SHOW_ALLOW_PAST:
 * a show scheduled in the past could never be sold. Its seat layout is the screen's at this moment; the
 * screen's layout is frozen from then on.
 *
 * Two shows on one screen must be at least the cleaning buffer
 * (#tix_config.show_buffer seconds) apart: a show ending at 12:00 allows
 * the next to start at 12:15 with the default 900 s, not at 12:14:59.
 * @param id_out receives the new id (may be NULL).
 * @return TIX_OK; TIX_ENOTFOUND (movie or screen); TIX_ERANGE (start not
 *   in 2000-01-01T00:00Z..2100-01-01T00:00Z, the end excluded; or start
 *   before now without #TIX_SHOW_ALLOW_PAST);
 *   TIX_EINVAL (NULL db or in, screen without seats, unknown flags, the
 *   city's time zone no longer in the system's tzdata); TIX_EOVERLAP (the
 *   screen has a show whose time, widened by the cleaning buffer,
 *   overlaps; the message names it); TIX_EPERM (read-only store).
 */
TIX_API int tix_show_create(tix_db *db, const tix_show *in, tix_id *id_out);
/** Reads show @p id. @return TIX_OK, TIX_ENOTFOUND, TIX_EINVAL. */
TIX_API int tix_show_get(tix_db *db, tix_id id, tix_show **out);
/** Lists shows of @p movie_id (0 = every movie) in a city on a local date
 *  (YYYYMMDD), by start time (ties by id). An unknown city, or one without
 *  shows that day, gives an empty list.
 *  @return TIX_OK; TIX_EINVAL (NULL db or out, @p date not a calendar
 *  date). */
TIX_API int tix_show_list_by_city(tix_db *db, tix_id city_id, uint32_t date,
                                  tix_id movie_id, tix_show_list **out);
/** Lists shows at a venue on a local date, by start time (ties by id).
 *  Same results as tix_show_list_by_city(). */
TIX_API int tix_show_list_by_venue(tix_db *db, tix_id venue_id,
                                   uint32_t date, tix_show_list **out);
TIX_API void tix_show_free(tix_show *s);
TIX_API void tix_show_list_free(tix_show_list *l);

/**
 * Per-customer caps: at most @p max_seats seats booked per user for show
 * @p show_id (tix_show_set_user_cap), or for all shows of a movie together
 * (tix_movie_set_user_cap); 0 removes the cap. Both may apply to one
 * confirm. Seats already booked count: setting a cap recounts them (a walk
 * of the show's bookings; for a movie, of its shows'), so a cap set below
 * what a user already has lets that user book nothing more.
 *
 * The count is checked and raised inside the transaction that writes the
 * booking, so concurrent confirms by one user, from any thread or process,
 * can never pass a cap together: the one that would go past it fails with
 * TIX_ELIMIT (see tix_hold_confirm()). A cancel gives its seats back. A
 * hold may ask early (tix_hold_opts.user_id), but only the confirm is
 * authoritative.
 * @return TIX_OK; TIX_ENOTFOUND (show, movie); TIX_ERANGE (@p max_seats
 *   above 100000); TIX_EINVAL (NULL db); TIX_EPERM (read-only store).
 */
TIX_API int tix_show_set_user_cap(tix_db *db, tix_id show_id,
                                  uint32_t max_seats);
TIX_API int tix_movie_set_user_cap(tix_db *db, tix_id movie_id,
                                   uint32_t max_seats);

/** The caps on a show and what one user has booked under them. */
typedef struct tix_user_caps {
    uint32_t show_cap;     /**< 0 = none. */
    uint32_t show_booked;  /**< Seats of the show the user has booked. */
    uint32_t movie_cap;    /**< 0 = none. */
    uint32_t movie_booked; /**< Seats of the movie's shows booked. */
} tix_user_caps;

/** Reads the caps of show @p show_id and its movie, and the seats user
 *  @p user_id has booked under each (0 when the scope has no cap, or
 *  @p user_id is 0).
 *  @return TIX_OK; TIX_ENOTFOUND (show, user); TIX_EINVAL (NULL db or
 *  out). On error *out is zeroed. */
TIX_API int tix_user_caps_get(tix_db *db, tix_id show_id, tix_id user_id,
                              tix_user_caps *out);
/**@}*/

/* ------------------------------------------------------------------------ */
/** @name Users */
/**@{*/

/** A customer. E-mail addresses are unique, compared ignoring ASCII case
 *  (other bytes compare exactly); the spelling given is kept. */
typedef struct tix_user {
    tix_id id;
    const char *name;       /**< 1..TIX_NAME_MAX bytes. */
    const char *email;      /**< local\@domain, 3..254 bytes: one '@', both
                               parts non-empty, a dot inside the domain,
                               no spaces or control characters. */
    const char *phone;      /**< "" (or NULL) or + and 7..15 digits
                               (E.164). */
    tix_id home_city_id;    /**< 0 or a city. */
    const char *const *languages; size_t n_languages;
    const char *const *genres;    size_t n_genres;
} tix_user;

typedef struct tix_user_list {
    size_t count;
    tix_user items[];
} tix_user_list;

/**
 * Creates a user from @p in (its id field is ignored).
 * @param id_out receives the new id (may be NULL).
 * @return TIX_OK; TIX_EEXISTS (the e-mail, in any ASCII case, belongs to
 *   another user); TIX_ENOTFOUND (home_city_id unknown); TIX_EINVAL (NULL
 *   db or in, malformed e-mail or phone, home_city_id not a city, empty
 *   name or list item); TIX_ETOOLONG; TIX_EUTF8; TIX_EPERM (read-only).
 */
TIX_API int tix_user_create(tix_db *db, const tix_user *in, tix_id *id_out);
/** Reads user @p id. @return TIX_OK, TIX_ENOTFOUND, TIX_EINVAL. */
TIX_API int tix_user_get(tix_db *db, tix_id id, tix_user **out);
/** Finds a user by e-mail, ignoring ASCII case.
 *  @return TIX_OK, TIX_ENOTFOUND, TIX_EINVAL (NULL argument). */
TIX_API int tix_user_find_email(tix_db *db, const char *email,
                                tix_user **out);
/** Replaces every field of user in->id; a new e-mail frees the old one.
 *  Same errors as tix_user_create(), plus TIX_ENOTFOUND (no user in->id). */
TIX_API int tix_user_update(tix_db *db, const tix_user *in);
/** Deletes user @p id (and its e-mail entry) when it has no bookings
 *  (cancelled ones count: they are the accounts), reviews, votes or
 *  comments; as tix_place_delete(). */
TIX_API int tix_user_delete(tix_db *db, tix_id id);
/** Lists users by id, at most @p limit (0 = all) starting after
 *  @p after_id. */
TIX_API int tix_user_list_all(tix_db *db, tix_id after_id, size_t limit,
                          tix_user_list **out);
TIX_API void tix_user_free(tix_user *u);
TIX_API void tix_user_list_free(tix_user_list *l);
/**@}*/

/* ------------------------------------------------------------------------ */
/** @name Seat states
 * What a seat of a show looks like right now. A hold or confirm lease that
 * has run out counts as free: expiry is lazy, no sweeper thread runs. */
/**@{*/
typedef enum tix_seat_state {
    TIX_SEAT_FREE = 0,       /**< For sale. */
    TIX_SEAT_HELD = 1,       /**< Held by a live hold. */
    TIX_SEAT_CONFIRMING = 2, /**< A confirm or cancel is being committed. */
    TIX_SEAT_BOOKED = 3,     /**< Sold. */
    TIX_SEAT_UNAVAILABLE = 4 /**< Blocked by layout or by an admin. */
} tix_seat_state;

/** What happened to a seat, as its history records it. */
typedef enum tix_seat_event_type {
    TIX_SEAT_EVENT_BOOKED = 1,     /**< A confirm booked it. */
    TIX_SEAT_EVENT_CANCELLED = 2,  /**< Its booking was cancelled. */
    TIX_SEAT_EVENT_CHECKED_IN = 3, /**< Its ticket was checked in. */
    TIX_SEAT_EVENT_BLOCKED = 4,    /**< An admin blocked it. */
    TIX_SEAT_EVENT_UNBLOCKED = 5,  /**< An admin unblocked it. */
    TIX_SEAT_EVENT_CHANNEL = 6     /**< tix_channel_assign() or
                                        tix_channel_assign_tier() moved it to
                                        channel_id (0: the public pool). */
} tix_seat_event_type;

/** Most events a seat's history keeps (the newest). */
#define TIX_SEAT_HISTORY_MAX 16

typedef struct tix_seat_event {
    tix_seat_event_type type;
    int64_t at;                  /**< Store clock, Unix seconds. */
    tix_id booking_id;           /**< Booked, cancelled, checked in; else 0. */
    tix_id user_id;              /**< The booking's user; else 0. */
    char gate[TIX_NAME_MAX + 1]; /**< Checked in: the gate; else "". */
    tix_id channel_id;           /**< TIX_SEAT_EVENT_CHANNEL: the channel it
                                      moved to (0 = public pool); else 0. */
} tix_seat_event;

/** A seat's state now and its recorded history, oldest first. */
typedef struct tix_seat_history {
    tix_id show_id;
    uint32_t seat;
    tix_seat_state state;   /**< Now, from seats.map (holds included). */
    int64_t held_until;     /**< state HELD or CONFIRMING: when that runs
                               out; else 0. */
    size_t count;           /**< 0..TIX_SEAT_HISTORY_MAX */
    tix_seat_event items[];
} tix_seat_history;

/**
 * What happened to seat @p seat of show @p show_id, for support staff: the
 * seat's state now (a live hold shows as TIX_SEAT_HELD with its end; holds
 * are not durable, so past holds are not recorded) and its durable events
 * with their times, oldest first: booked and cancelled (with booking and
 * user), checked in (with the gate), blocked and unblocked by an admin,
 * moved to a sales channel or back to the pool (with the channel). Each
 * event is written in the transaction of its change, so the history
 * never shows a change that did not commit. Bounded: a seat keeps its
 * TIX_SEAT_HISTORY_MAX newest events.
 * @return TIX_OK; TIX_ENOTFOUND (show); TIX_EINVAL (NULL db or out, seat
 *   out of range). Free with tix_seat_history_free().
 */
TIX_API int tix_seat_history_get(tix_db *db, tix_id show_id, uint32_t seat,
                                 tix_seat_history **out);
TIX_API void tix_seat_history_free(tix_seat_history *h);
/**@}*/

/* ------------------------------------------------------------------------ */
/** @name Holds
 * A hold reserves seats of one show for a while, all or nothing, without
 * any lock: each seat is one compare-and-swap in the shared seats.map.
 * Only the holder (whoever has the handle, which carries a 128-bit random
 * hold id) can extend, release or confirm it.
 *
 * Handles are authenticated: every field (show, expiry, hold id, seats)
 * is covered by a MAC keyed by the store's secret, so a handle that comes
 * back as text (through a browser or a payment gateway) is refused with
 * TIX_EBADCODE when it was edited, made by hand, or issued by another
 * store. seats.map holds only a keyed 32-bit tag of the hold id. */
/**@{*/

/** A hold handle. Opaque; owned by the caller, free with tix_hold_free().
 *  A handle is plain data: any thread or process of the same store may use
 *  it, and tix_hold_to_string() turns it into text for a web page. A handle
 *  parsed by tix_hold_from_string() is authenticated when it is first used
 *  with the store (extend, release, confirm); until then its accessors
 *  report what the text claims. */
typedef struct tix_hold tix_hold;

/** Longest string tix_hold_to_string() writes, NUL included. */
#define TIX_HOLD_STRING_MAX 1500
/** Longest client request key. */
#define TIX_REQUEST_KEY_MAX 128

/** Options of a hold; zero-initialise for the defaults. */
typedef struct tix_hold_opts {
    uint32_t ttl;            /**< Seconds; 0 = config hold_ttl_default. */
    const char *request_key; /**< Optional idempotency key: the same key for
                                the same show and seats gives back the same
                                hold instead of a conflict (a double click).
                                The same key with other seats, while its
                                hold lives, is TIX_EEXISTS and changes
                                nothing. A keyed request reads every seat
                                word of the show once or twice (about 0.1 ms
                                for 150,000 seats), so keep keys for
                                user-facing requests. 1..TIX_REQUEST_KEY_MAX
                                bytes, or NULL. */
    tix_id user_id;          /**< Optional: the buyer. When set, a hold that
                                would take the user past a per-customer cap
                                (tix_show_set_user_cap()) is refused early,
                                TIX_ELIMIT. Advisory: the confirm checks
                                again. 0 = no check (no LMDB read). */
    tix_id channel;          /**< The sales channel the hold is made
                                through (tix_channel_create()), 0 = none.
                                A hold sees the public pool (seats in no
                                channel) and the seats of its own channel;
                                a seat of another channel is TIX_EPERM
                                until that channel is released. The
                                handle carries it and the booking records
                                it. At most #TIX_CHANNEL_MAX. */
    const char *queue_ticket; /**< On a show with a waiting room
                                (tix_queue_set()): the buyer's ticket from
                                tix_queue_join(), which must be admitted;
                                see "Waiting room". Ignored on a show
                                without a queue. NULL = none. */
    uint32_t flags;          /**< TIX_HOLD_* flags. */
} tix_hold_opts;

/** Flag of tix_hold_opts.flags: the caller is the box office (or another
 *  trusted seller) and may hold seats of a queued show without a queue
 *  ticket. Say so only for callers you trust: the web never should. */
#define TIX_HOLD_BOX_OFFICE 0x1u

/**
 * Holds seats @p seats[0..n) of a show, all or nothing.
 *
 * @param seats seat indexes (see tix_seat_list_by_screen()); any order,
 *   no duplicates.
 * @param opts NULL for defaults.
 * @param out receives the handle.
 * @return TIX_OK; TIX_ECONFLICT (a seat is held, booked or blocked; the
 *   detail names it, nothing is held); TIX_ENOTFOUND (show); TIX_EINVAL
 *   (n == 0, seat index out of range, duplicate seat, empty or control
 *   characters in the request key); TIX_ETOOLONG (request key longer than
 *   TIX_REQUEST_KEY_MAX); TIX_EUTF8 (request key not UTF-8); TIX_EEXISTS
 *   (the request key names another live request); TIX_ELIMIT (more than
 *   hold_max_seats; with opts->user_id, past the user's per-customer cap);
 *   TIX_ENOTFOUND (opts->user_id names no user); TIX_ERANGE (ttl above
 *   hold_ttl_max); TIX_ESTATE (the
 *   show has ended); TIX_EBUSY (requests with the same key kept racing);
 *   TIX_ENOMEM; TIX_EFULL. On a show with a waiting room (tix_queue_set()):
 *   TIX_EPERM (no opts->queue_ticket and no #TIX_HOLD_BOX_OFFICE),
 *   TIX_EAGAIN (the ticket is not admitted yet, or the sale has not
 *   opened), TIX_EEXPIRED (the ticket's window has ended), TIX_EBADCODE
 *   (not a ticket of this queue), TIX_EINVAL (a ticket of another show,
 *   unknown opts->flags).
 */
TIX_API int tix_hold_create(tix_db *db, tix_id show_id, const uint32_t *seats,
                            size_t n, const tix_hold_opts *opts,
                            tix_hold **out);

/** Flags of tix_best_opts. */
#define TIX_BEST_ACCESSIBLE 0x1u /**< Use wheelchair/companion seats (only
                                    those are considered when set). */
#define TIX_BEST_ANY_TIER 0x2u   /**< Ignore tier; nearest the ideal point. */
#define TIX_BEST_BOX_OFFICE 0x4u /**< As #TIX_HOLD_BOX_OFFICE. */

/** Options of tix_hold_best(); zero-initialise for the defaults. */
typedef struct tix_best_opts {
    tix_id tier_id;          /**< Tier to pick from; 0 = cheapest tier with
                                room (unless TIX_BEST_ANY_TIER). */
    uint32_t flags;          /**< TIX_BEST_* */
    uint32_t ttl;            /**< As in tix_hold_opts. */
    const char *request_key; /**< As in tix_hold_opts. */
    tix_id user_id;          /**< As in tix_hold_opts. */
    uint32_t companions;     /**< With TIX_BEST_ACCESSIBLE: companion seats
                                (TIX_SEAT_COMPANION) to take beside the @p n
                                wheelchair seats (TIX_SEAT_WHEELCHAIR), in
                                the same row and run, all or nothing; see
                                tix_hold_best(). 0 = the n seats may be
                                any accessible seats. */
    tix_id channel;          /**< As in tix_hold_opts: only seats this
                                channel may sell are picked. */
    const char *queue_ticket; /**< As in tix_hold_opts. */
} tix_best_opts;

/**
 * Finds and holds @p n adjacent seats in one row: free seats of the tier,
 * with consecutive numbers, nearest the screen's ideal point. It avoids
 * leaving a single free seat stranded between its seats and a seat it may
 * not take (taken, another tier, accessible or not), an aisle or a row
 * end; when every window of @p n seats would strand one, it takes the one
 * that strands fewest (nearest the ideal point among equals) instead of
 * refusing, so any mix of party sizes can sell a show out. With tier_id 0
 * and no TIX_BEST_ANY_TIER, the cheapest tier with @p n adjacent free
 * seats is used, even where that strands a seat and a dearer tier would
 * not.
 * Wheelchair and companion seats are used only with TIX_BEST_ACCESSIBLE
 * (the same rules apply among them). Retries on a lost race.
 *
 * Companion seats: with TIX_BEST_ACCESSIBLE and opts->companions = C, the
 * hold is @p n wheelchair seats (TIX_SEAT_WHEELCHAIR) and exactly C
 * companion seats (TIX_SEAT_COMPANION) beside them: n + C free seats with
 * consecutive numbers in one row of the tier, in any order among
 * themselves (W C, C W, C W W C ...). All or nothing: when no row has
 * such a run the request fails and holds nothing, even if wheelchair
 * seats alone are free. The hold then has n + C seats (at most
 * hold_max_seats), and a per-customer cap counts them all.
 *
 * A show or tier that is sold out for a request is refused in O(1): a
 * search that found nothing leaves a hint in this process (the longest
 * free run it saw, valid until the earliest hold expiry there and at most
 * a second), and requests longer than that run fail at once with
 * TIX_ECONFLICT ("sold out ...") until it ends or a seat of the tier is
 * freed in this process.
 *
 * Each process remembers for a moment which rows were too full (at most a
 * second, and never past a hold expiring there), so a seat that another
 * process releases or cancels may be offered up to a second later; seats
 * freed in this process are seen at once (unless another thread's search
 * was reading that row at the same moment: then within a second too). It
 * never offers a seat that is not free.
 * @return TIX_OK; TIX_ECONFLICT when no row has @p n adjacent free
 *   seats of the tier (sold out for this request), or no n wheelchair
 *   seats with their C companions; TIX_ENOTFOUND (show, tier of another
 *   screen, opts->user_id); TIX_ELIMIT (n + companions above
 *   hold_max_seats; past a per-customer cap with opts->user_id);
 *   TIX_EINVAL (n == 0, unknown flags, companions without
 *   TIX_BEST_ACCESSIBLE); as tix_hold_create() otherwise.
 */
TIX_API int tix_hold_best(tix_db *db, tix_id show_id, uint32_t n,
                          const tix_best_opts *opts, tix_hold **out);

/** How many places of one general-admission area a hold takes. */
typedef struct tix_area_take {
    tix_id area_id; /**< An area of the show's screen. */
    uint32_t count; /**< Places, >= 1. */
} tix_area_take;

/**
 * Holds @p count places of each of @p areas[0..nareas) and the seats
 * @p seats[0..nseats) of a show, all or nothing, in one hold: the seats
 * exactly as tix_hold_create() takes them, the places by count, any free
 * places of each area (the caller does not choose). The handle lists the
 * places it got among its seats (tix_hold_seat(); a place is in its
 * area's first_seat .. first_seat + capacity - 1), and from then on it is
 * an ordinary hold: extend, release, confirm, and the booking's tickets,
 * cancel and check-in are those of seats. Lock-free like every hold (one
 * compare-and-swap per place, from a random place of the area so buyers
 * spread out), shared by every process of the store, and expiring without
 * a sweeper; no area is ever oversold, whatever runs at the same time.
 * Free places are taken before places of holds that ran out, so a late
 * payment of an expired hold keeps its places while others are free.
 * @param seats NULL when @p nseats is 0; no duplicates.
 * @param opts as for tix_hold_create(), except that request_key is not
 *   supported yet (TIX_EINVAL).
 * @return TIX_OK; TIX_ECONFLICT (an area has fewer free places than asked,
 *   the detail says how many it has; or a seat is taken; nothing is held);
 *   TIX_ENOTFOUND (show; an area that is not of the show's screen;
 *   opts->user_id); TIX_EINVAL (nothing asked, a count of 0, an area
 *   listed twice, NULL @p areas with @p nareas > 0, a seat as for
 *   tix_hold_create(), a request key); TIX_ELIMIT (places and seats
 *   together above hold_max_seats; a per-customer cap); TIX_ERANGE (ttl);
 *   TIX_ESTATE (the show has ended); TIX_ENOMEM.
 */
TIX_API int tix_hold_areas(tix_db *db, tix_id show_id, const uint32_t *seats,
                           size_t nseats, const tix_area_take *areas,
                           size_t nareas, const tix_hold_opts *opts,
                           tix_hold **out);

/** Extends a live hold to @p ttl seconds from now (0 = default ttl).
 *  The handle's expiry changes, so print it again if it travels as text.
 *  @return TIX_OK; TIX_EEXPIRED (the hold is gone; nothing changes);
 *  TIX_ERANGE (ttl above hold_ttl_max); TIX_ESTATE (the show has ended);
 *  TIX_EBADCODE (a handle this store did not issue); TIX_ENOTFOUND. */
TIX_API int tix_hold_extend(tix_db *db, tix_hold *hold, uint32_t ttl);

/** Releases the seats of a hold. Seats no longer held by it (expired and
 *  taken by someone else) are left alone, so releasing twice is harmless.
 *  A released hold is dead: it can never be confirmed, even while its
 *  seats are still free. The handle stays allocated; free it with
 *  tix_hold_free().
 *  @return TIX_OK; TIX_ENOTFOUND (show); TIX_EBADCODE (a handle this store
 *  did not issue); TIX_EINVAL. */
TIX_API int tix_hold_release(tix_db *db, const tix_hold *hold);
/** tix_hold_release() that says what it did: *released (may be NULL)
 *  receives the number of seats it freed, 0 when the hold had already
 *  been released, confirmed, or run out and lost its seats. */
TIX_API int tix_hold_release_ex(tix_db *db, const tix_hold *hold,
                                size_t *released);

/** Writes the hold as a printable string (URL-safe, no spaces) into
 *  @p buf of @p cap bytes. @return TIX_OK, TIX_ETOOLONG (buffer small). */
TIX_API int tix_hold_to_string(const tix_hold *hold, char *buf, size_t cap);

/** Parses a string from tix_hold_to_string() into a new handle. Only the
 *  form is checked here (no store is named); the MAC is checked by every
 *  call that uses the handle with a store. Handles printed by libtix
 *  before 0.2 ("H1...") are refused.
 *  @return TIX_OK; TIX_EBADCODE (malformed or truncated). */
TIX_API int tix_hold_from_string(const char *s, tix_hold **out);

TIX_API tix_id tix_hold_show(const tix_hold *hold);     /**< Show of hold. */
TIX_API size_t tix_hold_count(const tix_hold *hold);    /**< Seats held. */
/** Seat index @p i (0..count-1, ascending). */
TIX_API uint32_t tix_hold_seat(const tix_hold *hold, size_t i);
/** When the hold runs out (seconds since the epoch, store clock). */
TIX_API int64_t tix_hold_expires(const tix_hold *hold);
/** The 32-bit tag the seat map keeps for @p hold in store @p db: what
 *  tix_show_live_holds() lists it by. 0 for NULL arguments. */
TIX_API uint32_t tix_hold_tag(tix_db *db, const tix_hold *hold);
TIX_API void tix_hold_free(tix_hold *hold); /**< NULL allowed. */
/**@}*/

/* ------------------------------------------------------------------------ */
/** @name Waiting room
 * A fair queue in front of a big on-sale (Queue-it, Ticketmaster's Smart
 * Queue). A show may have a queue (tix_queue_set()). Buyers join it
 * (tix_queue_join()) and get an opaque queue ticket, a short string
 * authenticated with the store's secret like a hold handle, so it can be
 * neither forged nor guessed. Everyone who joined before the on-sale time
 * is in the pre-queue; at on-sale the pre-queue is shuffled with a key
 * drawn from the kernel's randomness at that moment, so arriving early,
 * or with a thousand browser tabs at once, buys no place. Whoever joins
 * after on-sale queues behind the pre-queue, first come first served.
 *
 * Admission is a counter: the first `admitted` places of the order are
 * in. It grows by itself at the queue's rate (admissions per second from
 * on-sale, computed from the clock when read: nothing runs in the
 * background) and by tix_queue_admit() (say, as seats free up). On a
 * queued show every hold (tix_hold_create(), tix_hold_best()) needs the
 * buyer's ticket, admitted, in its options, unless it says
 * #TIX_HOLD_BOX_OFFICE (#TIX_BEST_BOX_OFFICE). A ticket's first admitted
 * hold starts its shopping window (tix_queue_config.window).
 *
 * The queue lives in seats.map, shared by every process of the machine:
 * a join is one atomic add, a position one keyed permutation, O(1) each.
 * Like holds it is not durable: the configuration is in LMDB, but the
 * tickets issued are lost (and refused, TIX_EBADCODE) when seats.map is
 * rebuilt, after a reboot. */
/**@{*/

/** A show's waiting room. */
typedef struct tix_queue_config {
    int64_t onsale;    /**< When the pre-queue is shuffled and admission
                          starts (seconds since the epoch, store clock). */
    uint32_t rate;     /**< Admissions per second from on-sale; 0 = only
                          tix_queue_admit() admits. */
    uint32_t capacity; /**< Most tickets the queue ever issues
                          (1..TIX_QUEUE_CAPACITY_MAX); 4 bytes of seats.map
                          each, reserved when the queue is made. */
    uint32_t window;   /**< Seconds an admitted ticket may hold seats after
                          its first admitted hold (0 = no limit). */
} tix_queue_config;

/** Largest tix_queue_config.capacity. */
#define TIX_QUEUE_CAPACITY_MAX 200000000u
/** Room for a queue ticket, NUL included. */
#define TIX_QUEUE_TICKET_MAX 32

/**
 * Puts a waiting room in front of show @p show_id, or changes its rate,
 * window and on-sale time. A new queue is empty and issues fresh tickets
 * (a removed queue's tickets never come back to life). On an existing one
 * the capacity cannot change, and the on-sale time only while it is still
 * ahead (the pre-queue is shuffled at on-sale); a rate change after
 * on-sale keeps the places already admitted and applies from now on.
 * Every process sees the change at its next hold.
 * @return TIX_OK; TIX_ENOTFOUND (show); TIX_ERANGE (capacity 0 or above
 *   TIX_QUEUE_CAPACITY_MAX, rate above 10^6, window above 86400, on-sale
 *   outside 2000..2100); TIX_ESTATE (the show has ended; a capacity
 *   change; an on-sale change once it passed); TIX_EFULL (seats.map has
 *   no room); TIX_EINVAL (NULL db or cfg); TIX_EPERM (read-only store).
 */
TIX_API int tix_queue_set(tix_db *db, tix_id show_id,
                          const tix_queue_config *cfg);
/** Takes the waiting room away: holds on the show no longer need a
 *  ticket, and its tickets are refused from then on.
 *  @return TIX_OK; TIX_ENOTFOUND (show, or no queue); TIX_EINVAL;
 *  TIX_EPERM. */
TIX_API int tix_queue_remove(tix_db *db, tix_id show_id);

/** The state of a show's waiting room. */
typedef struct tix_queue_info {
    tix_id show_id;
    tix_queue_config config;
    uint64_t joined;   /**< Tickets issued. */
    uint64_t prequeue; /**< Tickets shuffled at on-sale (0 before). */
    uint64_t admitted; /**< Places admitted so far (may exceed joined). */
    int shuffled;      /**< 1 from on-sale on. */
} tix_queue_info;

/** Reads the waiting room of show @p show_id into @p out.
 *  @return TIX_OK; TIX_ENOTFOUND (show, or no queue); TIX_ESTATE (the
 *  show's seat map was retired); TIX_EINVAL; TIX_EPERM. */
TIX_API int tix_queue_get(tix_db *db, tix_id show_id, tix_queue_info *out);

/** Joins the waiting room of show @p show_id: writes a new ticket, a
 *  printable string of under TIX_QUEUE_TICKET_MAX bytes, into @p buf.
 *  O(1): one atomic add in shared memory, no LMDB write.
 *  @return TIX_OK; TIX_ESTATE (the show has no queue, or has ended);
 *  TIX_EFULL (the queue issued its capacity); TIX_ETOOLONG (@p cap below
 *  TIX_QUEUE_TICKET_MAX); TIX_ENOTFOUND (show); TIX_EINVAL; TIX_EPERM. */
TIX_API int tix_queue_join(tix_db *db, tix_id show_id, char *buf, size_t cap);

/** States of a queue ticket (tix_queue_place.state). */
typedef enum tix_queue_state {
    TIX_QUEUE_PREQUEUE = 0, /**< Before on-sale: not placed yet. */
    TIX_QUEUE_WAITING = 1,  /**< Placed; not admitted yet. */
    TIX_QUEUE_ADMITTED = 2, /**< May hold seats (within its window). */
    TIX_QUEUE_EXPIRED = 3   /**< Was admitted; its window has ended. */
} tix_queue_state;

/** Where a ticket stands. */
typedef struct tix_queue_place {
    tix_id show_id;
    tix_queue_state state;
    uint64_t position;    /**< 0-based place in the admission order (0
                             before on-sale). */
    uint64_t ahead;       /**< Places still to be admitted before this one
                             (0 once admitted). */
    int64_t wait;         /**< Expected seconds until admission: 0 once
                             admitted; before on-sale at least the time
                             to on-sale; -1 when unknown (no rate). */
    int64_t window_end;   /**< End of the shopping window once it started
                             (seconds since the epoch), else 0. */
} tix_queue_place;

/** Reads where queue ticket @p ticket stands. Reading changes nothing.
 *  @return TIX_OK; TIX_EBADCODE (not a ticket of this store's queue:
 *  malformed, edited, of a removed queue, or issued before seats.map was
 *  rebuilt); TIX_ESTATE (the show has ended); TIX_EINVAL; TIX_EPERM. */
TIX_API int tix_queue_status(tix_db *db, const char *ticket,
                             tix_queue_place *out);

/** Admits @p n more places of show @p show_id's queue at once, on top of
 *  its rate: call it as seats free up. Only from on-sale on.
 *  @return TIX_OK; TIX_ESTATE (before on-sale, or no queue); TIX_ERANGE
 *  (@p n 0 or above 10^9); TIX_ENOTFOUND (show); TIX_EINVAL; TIX_EPERM. */
TIX_API int tix_queue_admit(tix_db *db, tix_id show_id, uint32_t n);
/**@}*/

/* ------------------------------------------------------------------------ */
/** @name Availability */
/**@{*/

/** Seat counts of one tier (or of the whole show). */
typedef struct tix_counts {
    tix_id tier_id; /**< 0 for the whole show. */
    uint32_t total, free, held, booked, unavailable;
} tix_counts;

/** Availability of a show: totals and one entry per tier, cheapest first.
 *  One allocation; free with tix_avail_free(). */
typedef struct tix_avail {
    tix_id show_id;
    tix_counts all;
    size_t n_tiers;
    tix_counts tiers[];
} tix_avail;

/** Counts seats of a show by state, per tier. Seats in confirm count as
 *  held. @return TIX_OK; TIX_ENOTFOUND. */
TIX_API int tix_show_availability(tix_db *db, tix_id show_id,
                                  tix_avail **out);
/** Counts the places of general-admission area @p area_id in a show by
 *  state (out->tier_id is the area's tier; places in confirm count as
 *  held), straight from the seat words: about 0.3 ms for 100,000 places.
 *  @return TIX_OK; TIX_ENOTFOUND (show, or an area not of its screen);
 *  TIX_EINVAL (NULL argument). */
TIX_API int tix_area_availability(tix_db *db, tix_id show_id, tix_id area_id,
                                  tix_counts *out);
TIX_API void tix_avail_free(tix_avail *a);

/** Fills @p states[i] with the tix_seat_state of seat i, for drawing a
 *  seat map. @p cap must be at least the show's seat_count.
 *  @return TIX_OK; TIX_ENOTFOUND; TIX_ERANGE (cap too small). */
TIX_API int tix_show_seat_states(tix_db *db, tix_id show_id, uint8_t *states,
                                 size_t cap);

/** A live hold on a show as the seat map has it. The map keeps no hold
 *  handle, only a 32-bit tag of the hold's secret token (see
 *  tix_hold_tag()), so this names a hold without giving the power to
 *  release or confirm it. */
typedef struct tix_live_hold {
    uint32_t tag;        /**< The hold's tag; tix_hold_tag() of its handle. */
    int confirming;      /**< 1 while a confirm of it is committing. */
    int64_t expires_at;  /**< Unix seconds: its earliest seat's end. */
    size_t n_seats;
    const uint32_t *seats; /**< Seat indexes, ascending (in the list's block). */
} tix_live_hold;

/** The live holds of a show; one allocation, free with
 *  tix_live_hold_list_free(). */
typedef struct tix_live_hold_list {
    size_t count;   /**< Holds, soonest expiry first (ties by tag). */
    size_t n_seats; /**< Seats held in all. */
    tix_live_hold items[];
} tix_live_hold_list;

/** Lists the holds of show @p show_id that have not run out, grouping its
 *  held seats (and seats in confirm) by hold. One lock-free pass over the
 *  show's seat words: a hold taken or released meanwhile may or may not be
 *  seen, each seat is seen once. Holds that ran out are left out (their
 *  seats are free).
 *  @return TIX_OK; TIX_ENOTFOUND (show); TIX_EINVAL (NULL db or out);
 *  TIX_ENOMEM. */
TIX_API int tix_show_live_holds(tix_db *db, tix_id show_id,
                                tix_live_hold_list **out);
TIX_API void tix_live_hold_list_free(tix_live_hold_list *l); /**< NULL ok. */
/**@}*/

/* ------------------------------------------------------------------------ */
/** @name Sales channels
 * Seats of a show can be set aside for a named sales channel (the box
 * office, the theater's own app, an aggregator). A seat in a channel can be
 * held only through that channel (tix_hold_opts.channel,
 * tix_best_opts.channel); seats in no channel form the public pool, which
 * every hold sees. A channel's unsold seats go back to the pool at a
 * release time set per show, or at once (tix_channel_release()); seats it
 * already holds or sold stay its own.
 *
 * The hold path pays one byte read per seat for this, beside its CAS, in a
 * byte array kept in seats.map next to the seat words: no lock, no LMDB
 * read. Assignments live in LMDB and seats.map is rebuilt from them. Shows
 * created by libtix before channels existed have no room for that array:
 * assigning their seats is TIX_ESTATE (every seat stays public). */
/**@{*/

/** The highest channel id: a store has at most this many channels. */
#define TIX_CHANNEL_MAX 255

typedef struct tix_channel {
    tix_id id;
    const char *name; /**< 1..TIX_NAME_MAX bytes, unique in the store. */
} tix_channel;

typedef struct tix_channel_list {
    size_t count;
    tix_channel items[];
} tix_channel_list;

/** Creates a channel (in->id is ignored).
 *  @return TIX_OK; TIX_EEXISTS (name taken); TIX_ELIMIT (already
 *  #TIX_CHANNEL_MAX channels); TIX_EINVAL, TIX_ETOOLONG, TIX_EUTF8 (name);
 *  TIX_EPERM (read-only store). */
TIX_API int tix_channel_create(tix_db *db, const tix_channel *in,
                               tix_id *id_out);
/** @return TIX_OK; TIX_ENOTFOUND. Free with tix_channel_free(). */
TIX_API int tix_channel_get(tix_db *db, tix_id id, tix_channel **out);
/** The channel named @p name. @return TIX_OK; TIX_ENOTFOUND. */
TIX_API int tix_channel_find(tix_db *db, const char *name, tix_channel **out);
/** Every channel, by id. */
TIX_API int tix_channel_list_all(tix_db *db, tix_channel_list **out);
TIX_API void tix_channel_free(tix_channel *c);
TIX_API void tix_channel_list_free(tix_channel_list *l);

/**
 * Assigns seats @p seats[0..n) of a show to channel @p channel, or back to
 * the public pool with @p channel 0. All or nothing. A seat must be free
 * while it moves (held, booked and blocked seats are refused), so no hold
 * ever straddles a move.
 * @return TIX_OK; TIX_ENOTFOUND (show, channel); TIX_EINVAL (n == 0, a seat
 *   out of range or listed twice); TIX_ELIMIT (n above 100000);
 *   TIX_ECONFLICT (a seat is held, booked or blocked; nothing moved);
 *   TIX_ESTATE (the channel was already released for this show, the show
 *   has ended, or the show predates channels); TIX_EPERM (read-only).
 */
TIX_API int tix_channel_assign(tix_db *db, tix_id show_id, tix_id channel,
                               const uint32_t *seats, size_t n);
/**
 * Assigns @p count seats of tier @p tier_id (a share of the tier) to
 * @p channel: the free public seats of the tier nearest the screen's ideal
 * point, row by row.
 * @return as tix_channel_assign(); TIX_ENOTFOUND also for a tier without
 *   seats in the show; TIX_ECONFLICT when fewer than @p count such seats
 *   are free (nothing moved).
 */
TIX_API int tix_channel_assign_tier(tix_db *db, tix_id show_id,
                                    tix_id channel, tix_id tier_id,
                                    uint32_t count);
/**
 * Sets when @p channel's unsold seats of a show go back to the public
 * pool: at Unix time @p at, or now with @p at 0. Until then the time may be
 * moved; once it has passed the release is final. No sweeper runs: every
 * hold compares the time with its clock reading.
 * @return TIX_OK; TIX_ENOTFOUND (show, channel); TIX_ERANGE (@p at in the
 *   past, or after the show's end); TIX_EALREADY (already released);
 *   TIX_ESTATE (show predates channels); TIX_EPERM (read-only).
 */
TIX_API int tix_channel_release(tix_db *db, tix_id show_id, tix_id channel,
                                int64_t at);

/** Availability of one channel of a show (channel 0: the public pool). */
typedef struct tix_channel_counts {
    tix_id channel_id;  /**< 0 = public pool. */
    int64_t release_at; /**< When its unsold seats go back to the pool
                           (Unix seconds); 0 = no time set. */
    int released;       /**< 1 once release_at has passed: its free seats
                           are counted in the pool's entry. */
    tix_counts counts;  /**< tier_id 0; the channel's seats by state. */
} tix_channel_counts;

/** Per-channel availability of a show: items[0] is the public pool, then
 *  one entry per channel with seats or a release time in the show, by id. */
typedef struct tix_channel_avail {
    tix_id show_id;
    size_t count;
    tix_channel_counts items[];
} tix_channel_avail;

/** Counts a show's seats per channel, from the seat words (no LMDB read
 *  for the counts). @return TIX_OK; TIX_ENOTFOUND. */
TIX_API int tix_channel_availability(tix_db *db, tix_id show_id,
                                     tix_channel_avail **out);
TIX_API void tix_channel_avail_free(tix_channel_avail *a);
/** Fills @p channels[i] with the channel of seat i (0 = public pool, also
 *  once its channel was released). @p cap must be at least the show's
 *  seat_count. @return TIX_OK; TIX_ENOTFOUND; TIX_ERANGE (cap). */
TIX_API int tix_channel_seats(tix_db *db, tix_id show_id, uint8_t *channels,
                              size_t cap);
/**@}*/

/* ------------------------------------------------------------------------ */
/** @name Bookings and confirm
 * Confirm turns a hold into a booking after payment. Confirms from every
 * thread are group-committed: one LMDB write transaction (one fsync) per
 * batch. */
/**@{*/

/** Options of a confirm. */
typedef struct tix_confirm_opts {
    tix_id user_id;           /**< Customer; must exist. */
    const char *payment_ref;  /**< 1..TIX_NAME_MAX bytes, unique: the same
                                 reference always returns the same booking. */
    uint32_t seats_per_ticket; /**< Seats per ticket; 0 = one ticket. */
    const char *offer_code;   /**< Optional offer code (NULL or "" = none);
                                 see "Offers and price quotes". Checked
                                 and counted inside the commit. */
    const char *expected_currency; /**< Optional: the currency the payment
                                 gateway charged in (ISO 4217, e.g. "INR").
                                 When set, the confirm books only if the
                                 price computed at commit is exactly
                                 expected_total_minor in this currency
                                 (TIX_EPRICE otherwise, nothing booked).
                                 NULL = no check. */
    int64_t expected_total_minor; /**< The amount charged, minor units
                                 (>= 0); read only with expected_currency. */
} tix_confirm_opts;

/**
 * Confirms a hold after payment and returns the booking id. Blocks until
 * the booking is durable (per the store's durability mode).
 *
 * The confirm re-checks what tix_hold_create() checked: the handle is this
 * store's (its MAC), it has at most hold_max_seats seats, and the show
 * has not ended.
 *
 * If the hold ran out but none of its seats was taken since (each still
 * carries the hold's tag: a late payment callback), they are booked
 * anyway. A hold that was released, or has already booked, never books
 * again, even when its seats are free.
 *
 * The same payment reference with the same hold, user and seats returns
 * the booking already made for it (its offer use is not counted again):
 * that is a retry. The same reference with anything else is TIX_EEXISTS
 * and reveals nothing of the booking it names.
 *
 * With an offer code the booking is priced as tix_price_quote() would
 * price it at commit time, records the offer, discount and fees, and
 * counts one use of the offer in the same transaction. An offer refused
 * at commit (gone past its limit since the quote, say) fails this confirm
 * alone: nothing is booked and the hold stays, so the caller may confirm
 * again without the code.
 *
 * @return TIX_OK; TIX_EBADCODE (a handle this store did not issue, or
 *   edited); TIX_EEXPIRED (the hold ran out and a seat was taken
 *   meanwhile; nothing booked; or the offer is outside its validity
 *   window); TIX_ESTATE (the hold was released or has already booked
 *   under another payment reference; or the show has ended);
 *   TIX_ECONFLICT (a seat belongs to another live hold);
 *   TIX_EEXISTS (the payment reference belongs to another booking);
 *   TIX_EPRICE (expected amount or currency differs; nothing booked, the
 *   hold stays); TIX_ENOTFOUND (show, user, offer code);
 *   TIX_ELIMIT (more than hold_max_seats; the offer's total or per-user
 *   uses are spent; the seats would take the user past the show's or the
 *   movie's per-customer cap, tix_show_set_user_cap(): the detail names
 *   the cap and the seats the user has; nothing booked, the hold stays);
 *   TIX_EINVAL (user 0, empty payment ref or one with
 *   control characters, malformed offer code or expected currency, no seat
 *   in the offer's scope); TIX_ETOOLONG (payment ref longer than
 *   TIX_NAME_MAX, offer code); TIX_EUTF8 (payment ref not UTF-8);
 *   TIX_ERANGE (the price overflows; a negative expected amount);
 *   TIX_EIO / TIX_EFULL (commit failed; nothing booked, the hold stays).
 */
TIX_API int tix_hold_confirm(tix_db *db, const tix_hold *hold,
                             const tix_confirm_opts *opts, tix_id *booking_id);

/** A confirm in flight (asynchronous form). */
typedef struct tix_confirm tix_confirm;

/** Starts a confirm and returns at once; the seats are already reserved
 *  for it. Poll or wait for the result, then free it. Errors found before
 *  queueing are returned here (and *out is NULL).
 *  @return as tix_hold_confirm(). */
TIX_API int tix_confirm_submit(tix_db *db, const tix_hold *hold,
                               const tix_confirm_opts *opts,
                               tix_confirm **out);
/** @return TIX_EAGAIN while in flight, else the confirm's result (TIX_OK
 *  and *booking_id set, or its error). Never blocks. */
TIX_API int tix_confirm_poll(tix_confirm *c, tix_id *booking_id);
/** Waits up to @p timeout_ms (-1 = forever) for the result.
 *  @return the result, or TIX_ETIMEDOUT. */
TIX_API int tix_confirm_wait(tix_confirm *c, int timeout_ms,
                             tix_id *booking_id);
/** Frees a confirm. Freeing one still in flight is allowed: it completes
 *  in the background. NULL allowed. */
TIX_API void tix_confirm_free(tix_confirm *c);

/**@}*/

/* ------------------------------------------------------------------------ */
/** @name Multi-show holds
 * A season ticket or festival pass: one hold over seats of several shows,
 * taken all or nothing and confirmed all or nothing. The group is an array
 * of ordinary per-show handles (each one prints, extends and releases like
 * any hold); tix_hold_group_confirm() books them in one LMDB transaction as
 * one booking per show, all linked by tix_booking.group_id. One booking
 * per show rather than one booking over several shows keeps every booking
 * on one show, so cancel, check-in, caps, the seat log, the outbox and
 * tix_db_check treat the parts like any booking (a part can be cancelled
 * alone). */
/**@{*/

/** One show's part of a multi-show hold. */
typedef struct tix_hold_part {
    tix_id show_id;
    const uint32_t *seats;
    size_t n_seats;
} tix_hold_part;

/**
 * Holds every part, all or nothing: when one part cannot be held, the
 * parts already taken are released and nothing is held.
 * @param opts as for tix_hold_create(), applied to every part (a request
 *   key is then per show: the same key over the same parts gives back the
 *   same holds).
 * @param out receives @p n handles, out[i] for parts[i]; free each with
 *   tix_hold_free().
 * @return TIX_OK; TIX_EINVAL (n == 0, n above 64, a show listed twice);
 *   the error of the first part that failed, as tix_hold_create().
 */
TIX_API int tix_hold_group_create(tix_db *db, const tix_hold_part *parts,
                                  size_t n, const tix_hold_opts *opts,
                                  tix_hold **out);

/**
 * Confirms holds of several shows as one purchase: one booking per hold,
 * written in one LMDB transaction with their tickets, seat-log entries and
 * outbox events; per-customer caps count the seats of every part. All or
 * nothing: a part that cannot be booked fails them all and every hold
 * keeps its seats. The first part's booking takes @p o->payment_ref; part
 * i (from 1) takes "<payment_ref>#<i+1>", so the reference must leave room
 * for that suffix. A retry with the same reference and holds returns the
 * same bookings. Not group-committed with other confirms: one transaction
 * (one fsync) per call.
 * @param booking_ids receives @p n ids (booking_ids[i] for holds[i]); the
 *   group id is booking_ids[0].
 * @return TIX_OK; TIX_EINVAL (n == 0, n above 64, a show twice, as
 *   tix_confirm_submit()); TIX_ETOOLONG (payment_ref leaves no room for
 *   the suffix); any error of tix_hold_confirm() for the part at fault.
 */
TIX_API int tix_hold_group_confirm(tix_db *db, tix_hold *const *holds,
                                   size_t n, const tix_confirm_opts *o,
                                   tix_id *booking_ids);
/**@}*/

/** @name Bookings */
/**@{*/

/** Booking status. */
typedef enum tix_booking_status {
    TIX_BOOKING_CONFIRMED = 1,
    TIX_BOOKING_CANCELLED = 2
} tix_booking_status;

/** A seat of a booking and what was paid for it. */
typedef struct tix_booked_seat {
    uint32_t seat;       /**< Seat index. */
    tix_id tier_id;
    int64_t price_minor; /**< Price paid, minor units. */
} tix_booked_seat;

/** Printable ticket code: 20 symbols of Crockford base32 (100 random bits)
 *  plus a check symbol. */
#define TIX_TICKET_CODE_LEN 21

/** A ticket: a code for one or more seats of a booking. */
typedef struct tix_ticket {
    char code[TIX_TICKET_CODE_LEN + 1]; /**< NUL-terminated. */
    size_t n_seats;
    const uint32_t *seats;  /**< Seat indexes. */
    int64_t checked_in_at;  /**< 0 = not yet. */
    const char *gate;       /**< "" until checked in. */
} tix_ticket;

/** A booking; one allocation, free with tix_booking_free(). */
typedef struct tix_booking {
    tix_id id;
    tix_id user_id;
    tix_id show_id;
    tix_booking_status status;
    int64_t created_at;
    int64_t cancelled_at;  /**< 0 unless cancelled. */
    const char *payment_ref;
    int64_t total_minor;   /**< Amount paid: the seat prices, minus
                              discount_minor, plus fee_minor. */
    char currency[4];
    size_t n_seats;
    const tix_booked_seat *seats; /**< price_minor is the tier price,
                                     before any discount. */
    size_t n_tickets;
    const tix_ticket *tickets;
    tix_id offer_id;        /**< Offer used at confirm; 0 = none. */
    int64_t discount_minor; /**< Discount the offer gave (0 = none). */
    int64_t fee_minor;      /**< Convenience fees charged. */
    int cancelled_after_checkin; /**< 1 when the booking was cancelled with
                                    #TIX_CANCEL_AFTER_CHECKIN while a
                                    ticket had been checked in; else 0. */
    tix_id channel_id;      /**< The sales channel of its hold; 0 = none. */
    tix_id group_id;        /**< Bookings made together by
                               tix_hold_group_confirm() share it (the id of
                               the first of them); 0 = booked alone. */
} tix_booking;

typedef struct tix_booking_list {
    size_t count;
    tix_booking items[];
} tix_booking_list;

TIX_API int tix_booking_get(tix_db *db, tix_id id, tix_booking **out);
/** Finds the booking made with a payment reference. */
TIX_API int tix_booking_find_payment(tix_db *db, const char *payment_ref,
                                     tix_booking **out);
/** Lists the bookings of a user, oldest first. */
TIX_API int tix_booking_list_by_user(tix_db *db, tix_id user_id,
                                     tix_booking_list **out);
/** Lists the bookings of a show, oldest first. */
TIX_API int tix_booking_list_by_show(tix_db *db, tix_id show_id,
                                     tix_booking_list **out);
TIX_API void tix_booking_free(tix_booking *b);
TIX_API void tix_booking_list_free(tix_booking_list *l);

/** Moves show @p show_id to start at @p new_start (Unix seconds, not in
 *  the past, within the years tix_show_create() takes), its length kept:
 *  the same overlap rule as tix_show_create() (cleaning buffer included;
 *  the show itself aside), its listings, local date and seats.map region
 *  follow. Holds and bookings stay; one RESCHEDULED outbox event per live
 *  booking (with old_start) tells the buyers, in the same transaction.
 *  Every process's seat engine rereads the show's times on its next call
 *  on the show (a shared generation in seats.map), so "has ended" checks
 *  use the new end everywhere. The same start again is TIX_OK and changes
 *  nothing. Refused inside a batch (TIX_ESTATE).
 *  @return TIX_OK; TIX_ENOTFOUND; TIX_ESTATE (cancelled or ended show);
 *  TIX_EOVERLAP (another show of the screen is in the way, named);
 *  TIX_ERANGE (start in the past or out of range); TIX_EPERM (read-only
 *  handle). */
TIX_API int tix_show_reschedule(tix_db *db, tix_id show_id, int64_t new_start);

/** Longest reason tix_show_cancel() takes, in bytes. */
#define TIX_SHOW_REASON_MAX 512

/** Cancels show @p show_id: every seat of it is taken off sale (BLOCKED in
 *  seats.map and in the store, so a reopen or a rebuilt seats.map keeps it
 *  so), every live booking is refunded as tix_booking_cancel_ex() with
 *  #TIX_CANCEL_AFTER_CHECKIN does (one CANCELLED event each), the show is
 *  recorded cancelled (#TIX_SHOW_CANCELLED in tix_show.flags) and one
 *  SHOW_CANCELLED event carries @p reason (NULL = ""; one line, up to
 *  #TIX_SHOW_REASON_MAX bytes). All of it is one transaction. From then on
 *  holds on the show fail: TIX_ESTATE ("show N is cancelled") in every
 *  process that loads the show after the cancel, TIX_ECONFLICT (seats
 *  blocked) in a process that had it loaded before; tix_seats_unblock()
 *  refuses with TIX_ESTATE.
 *  A live hold or a running confirm on a seat refuses the cancel (nothing
 *  changes): release it or let it expire, then cancel again.
 *  @return TIX_OK; TIX_ENOTFOUND; TIX_EALREADY (already cancelled);
 *  TIX_ESTATE (the show has ended); TIX_EBUSY (a seat is held or being
 *  confirmed, named in the detail); TIX_EINVAL, TIX_ETOOLONG, TIX_EUTF8
 *  (reason). */
TIX_API int tix_show_cancel(tix_db *db, tix_id show_id, const char *reason);

/** Flag of tix_booking_cancel_ex(): refund even when a ticket of the
 *  booking was already checked in (the customer was let in). The booking
 *  and its CANCELLED event record that this override was used. */
#define TIX_CANCEL_AFTER_CHECKIN 0x1u

/** Cancels (refunds) a booking: it is kept with status cancelled, its
 *  seats are free again and its tickets no longer check in. An offer use
 *  the booking counted is given back (total and per user). A booking one
 *  of whose tickets was checked in is refused (the check is made in the
 *  cancel's own transaction, so a check-in racing it cannot slip by).
 *  Same as tix_booking_cancel_ex() with no flags.
 *  @return TIX_OK; TIX_ENOTFOUND; TIX_EALREADY (already cancelled);
 *  TIX_ECHECKEDIN (a ticket was checked in; nothing changed);
 *  TIX_EBUSY (a seat is in another confirm or cancel right now). */
TIX_API int tix_booking_cancel(tix_db *db, tix_id booking_id);

/** Cancels a booking with TIX_CANCEL_* @p flags: #TIX_CANCEL_AFTER_CHECKIN
 *  allows the refund of a booking with a checked-in ticket.
 *  @return as tix_booking_cancel(); TIX_EINVAL (unknown flags). */
TIX_API int tix_booking_cancel_ex(tix_db *db, tix_id booking_id,
                                  unsigned flags);

/** Writes the QR payload of ticket @p i of a booking into @p buf
 *  ("tix1:<code>:<show>:<seat,seat,...>").
 *  @return TIX_OK; TIX_EINVAL (i out of range); TIX_ETOOLONG. */
TIX_API int tix_ticket_qr(const tix_booking *b, size_t i, char *buf,
                          size_t cap);

/** Result of a check-in. */
typedef struct tix_checkin {
    tix_id booking_id;
    tix_id show_id;
    size_t n_seats;        /**< Seats on the ticket. */
    int64_t checked_in_at; /**< When (this or the first) check-in happened. */
    char gate[TIX_NAME_MAX + 1]; /**< Gate of this or the first check-in. */
} tix_checkin;

/**
 * Checks a ticket in at a gate. Succeeds once per ticket.
 * @param code the ticket code; case, spaces and dashes are ignored.
 * @param out receives details (may be NULL); on TIX_EALREADY it holds the
 *   first check-in's time and gate.
 * @return TIX_OK; TIX_EBADCODE (malformed or wrong check symbol — rejected
 *   without touching the store); TIX_ENOTFOUND (no such ticket);
 *   TIX_EALREADY (already checked in); TIX_ESTATE (booking cancelled);
 *   TIX_EINVAL (empty gate name, or one with control characters);
 *   TIX_ETOOLONG (gate longer than TIX_NAME_MAX); TIX_EUTF8 (gate not
 *   UTF-8).
 */
TIX_API int tix_ticket_checkin(tix_db *db, const char *code, const char *gate,
                               tix_checkin *out);
/**@}*/

/* ------------------------------------------------------------------------ */
/** @name Outbox
 * Every booking, cancel, check-in and review appends an event to the
 * notification outbox in the same transaction as the change, so an event
 * exists exactly when its change committed (never for a rolled-back one).
 * An event carries what a notification worker needs, copied as it was at
 * the time of the change: the user's contact, the show, venue and screen,
 * the seats by row and number, the ticket codes and their QR payloads.
 *
 * Workers read through named consumers ("email", "sms", ...). Each keeps
 * its own cursor in the store: the sequence number of the last event it
 * acknowledged. Reading never moves the cursor, so events read but not
 * acknowledged (the worker crashed) are read again: delivery is at least
 * once, and a worker should make its effects idempotent on tix_event.seq.
 * Consumers are independent, and cursors survive crashes and reopen.
 * Events every consumer acknowledged are deleted by tix_outbox_trim(). */
/**@{*/

/** What an event announces. */
typedef enum tix_event_type {
    TIX_EVENT_BOOKED = 1,     /**< A confirm committed a booking. */
    TIX_EVENT_CANCELLED = 2,  /**< A booking was cancelled (refunded). */
    TIX_EVENT_CHECKED_IN = 3, /**< A ticket was checked in at a gate. */
    TIX_EVENT_REVIEWED = 4,   /**< A review was written, changed or deleted. */
    TIX_EVENT_SHOW_CANCELLED = 5, /**< tix_show_cancel() called a show off. */
    TIX_EVENT_RESCHEDULED = 6 /**< tix_show_reschedule() moved a booking's
                                 show. */
} tix_event_type;

/** Longest consumer name in bytes; names are 1..64 of [a-z0-9_-]. */
#define TIX_CONSUMER_NAME_MAX 64
/** Most events one tix_outbox_read() returns. */
#define TIX_OUTBOX_READ_MAX 1024

/** A seat named in an event. */
typedef struct tix_event_seat {
    uint32_t seat;   /**< Seat index. */
    const char *row; /**< Row label ("" in version 1 events). */
    uint32_t number; /**< Seat number in the row (0 in version 1 events). */
} tix_event_seat;

/** A ticket named in an event. */
typedef struct tix_event_ticket {
    char code[TIX_TICKET_CODE_LEN + 1]; /**< Ticket code, NUL-terminated. */
    const char *qr; /**< QR payload, as tix_ticket_qr() writes it
                       ("tix1:<code>:<show>:<seat,...>"); "" in version 1
                       events. */
} tix_event_ticket;

/**
 * One outbox event. Which fields are set depends on the type:
 *  - BOOKED: booking, user, show (and its movie), seats, every ticket,
 *    total_minor = amount paid.
 *  - CANCELLED: booking, user, show, seats, every ticket (now void),
 *    total_minor = amount of the booking, after_checkin.
 *  - CHECKED_IN: booking, user, show, the ticket and its seats, gate.
 *  - REVIEWED: user, movie, review (no show, seats or tickets).
 *  - SHOW_CANCELLED: show (and its movie), gate = the reason given (may be
 *    ""); each refund of the cancel is a CANCELLED event before it.
 *  - RESCHEDULED: booking, user, show; show_start and show_local are the
 *    new start, old_start the one the buyer booked (one event per live
 *    booking of the show).
 * Unset ids are 0, unset strings "", unset counts 0 (arrays then non-NULL
 * but empty). Events stored by libtix before record version 2 carry only
 * ids, seat indexes, ticket codes and the gate (version == 1).
 */
typedef struct tix_event {
    uint64_t seq;          /**< Sequence number, increasing; the key to
                              acknowledge. */
    tix_event_type type;
    unsigned version;      /**< Record version the event was stored with. */
    int64_t at;            /**< When the change happened (store clock). */
    tix_id booking_id, user_id, show_id, movie_id, review_id;
    const char *user_name, *user_email, *user_phone; /**< Contact. */
    const char *movie_title;
    int64_t show_start;    /**< 0 without a show. */
    const char *venue_name, *venue_address, *screen_name;
    int64_t total_minor;   /**< See the list above; 0 otherwise. */
    char currency[4];      /**< Of total_minor; "" when none. */
    size_t n_seats;
    const tix_event_seat *seats;
    size_t n_tickets;
    const tix_event_ticket *tickets;
    const char *gate;      /**< CHECKED_IN: the gate; SHOW_CANCELLED: the
                              reason. */
    const char *show_local; /**< show_start in the city's local time at the
                              time of the event, ISO 8601 with its offset
                              ("2027-07-01T19:30:00+01:00"); "" without a
                              show, and in events before version 3. */
    int after_checkin;     /**< CANCELLED: 1 when the refund overrode a
                              check-in (#TIX_CANCEL_AFTER_CHECKIN). */
    int64_t old_start;     /**< RESCHEDULED: the start before the move; 0
                              otherwise and in events before version 4. */
} tix_event;

/** Events in sequence order; one allocation, free with
 *  tix_event_list_free(). */
typedef struct tix_event_list {
    size_t count;
    tix_event items[];
} tix_event_list;

/** A consumer and its cursor. */
typedef struct tix_consumer {
    const char *name;
    uint64_t acked;        /**< Last acknowledged sequence number (0 =
                              none). */
    int64_t created_at;    /**< When it was registered. */
    int64_t acked_at;      /**< Last acknowledgement that moved the
                              cursor (0 = never). */
} tix_consumer;

/** Consumers by name; one allocation, free with tix_consumer_list_free(). */
typedef struct tix_consumer_list {
    size_t count;
    tix_consumer items[];
} tix_consumer_list;

/** Flag of tix_outbox_register(): start after the newest event instead of
 *  at the oldest event still stored. */
#define TIX_CONSUMER_FROM_END 0x1u

/**
 * Registers consumer @p name. By default its cursor starts before the
 * oldest event still in the outbox, so it reads everything retained; with
 * #TIX_CONSUMER_FROM_END it reads only events appended afterwards.
 * @param flags 0 or TIX_CONSUMER_FROM_END.
 * @return TIX_OK; TIX_EINVAL (NULL db, empty name, a byte outside
 *   [a-z0-9_-], unknown flags); TIX_ETOOLONG (name above
 *   TIX_CONSUMER_NAME_MAX bytes); TIX_EEXISTS (already registered);
 *   TIX_EPERM (read-only store).
 */
TIX_API int tix_outbox_register(tix_db *db, const char *name, unsigned flags);

/** Removes consumer @p name and its cursor; events only it had not
 *  acknowledged become trimmable.
 *  @return TIX_OK; TIX_ENOTFOUND (not registered); name errors as for
 *  tix_outbox_register(); TIX_EPERM. */
TIX_API int tix_outbox_unregister(tix_db *db, const char *name);

/** Lists the registered consumers by name (free with
 *  tix_consumer_list_free()); *out is NULL after a failure.
 *  @return TIX_OK; TIX_EINVAL (NULL argument). */
TIX_API int tix_outbox_consumers(tix_db *db, tix_consumer_list **out);

/**
 * Reads up to @p max events after the cursor of consumer @p name, oldest
 * first, without moving the cursor: reading again before tix_outbox_ack()
 * returns the same events. An empty list means the consumer is up to
 * date. Free the list with tix_event_list_free(); *out is NULL after a
 * failure.
 * @param max 1..TIX_OUTBOX_READ_MAX.
 * @return TIX_OK; TIX_ENOTFOUND (consumer not registered); TIX_ERANGE
 *   (max out of range); name errors as for tix_outbox_register();
 *   TIX_ECORRUPT; TIX_ENOMEM.
 */
TIX_API int tix_outbox_read(tix_db *db, const char *name, size_t max,
                            tix_event_list **out);

/**
 * Acknowledges every event up to and including @p seq for consumer
 * @p name (the cursor moves to @p seq). Acknowledging at or below the
 * cursor (an old or repeated ack, 0 included) changes nothing and returns
 * TIX_OK, so workers may ack out of order.
 * @return TIX_OK; TIX_ENOTFOUND (consumer not registered); TIX_ERANGE
 *   (@p seq is beyond the newest event); name errors; TIX_EPERM.
 */
TIX_API int tix_outbox_ack(tix_db *db, const char *name, uint64_t seq);

/**
 * Blocks until consumer @p name has an event after its cursor, or
 * @p timeout_ms passes (-1 = no limit, 0 = just check). Commits of this
 * process wake waiters at once; events appended by other processes are
 * noticed by polling every 50 ms.
 * @return TIX_OK (an event is ready: call tix_outbox_read());
 *   TIX_ETIMEDOUT; TIX_ENOTFOUND (not registered, or unregistered while
 *   waiting); TIX_EINVAL (timeout below -1); name errors.
 */
TIX_API int tix_outbox_wait(tix_db *db, const char *name, int timeout_ms);

/**
 * Deletes the events every registered consumer has acknowledged. With no
 * consumer registered nothing is deleted (events wait for a first
 * consumer). Works in transactions of a bounded size, so a long outbox
 * never makes one huge transaction; after a failure the batches already
 * committed stay deleted (they were acknowledged by everyone anyway).
 * @param removed receives how many events were deleted (may be NULL).
 * @return TIX_OK; TIX_EINVAL (NULL db); TIX_EPERM.
 */
TIX_API int tix_outbox_trim(tix_db *db, uint64_t *removed);

/** Reads event @p seq (free with tix_event_free()); *out is NULL after a
 *  failure. @return TIX_OK; TIX_ENOTFOUND (no such event, or trimmed);
 *  TIX_EINVAL (NULL argument). */
TIX_API int tix_outbox_get(tix_db *db, uint64_t seq, tix_event **out);

TIX_API void tix_event_free(tix_event *ev);              /**< NULL allowed. */
TIX_API void tix_event_list_free(tix_event_list *l);     /**< NULL allowed. */
TIX_API void tix_consumer_list_free(tix_consumer_list *l); /**< NULL allowed. */
/**@}*/

/* ------------------------------------------------------------------------ */
/** @name Offers and price quotes
 * An offer is a discount code limited to one movie, venue, screen or price
 * tier. Prices are integers in minor units of the seats' currency; offers
 * carry no currency of their own.
 *
 * How a price is made, for a show and seats (quote and confirm alike):
 *  - subtotal: the sum of the seats' tier prices;
 *  - discount: only seats in the offer's scope count. A percent offer
 *    takes percent/100 of those seats' prices, rounded down once on their
 *    sum; an amount offer takes amount_minor per seat, at most the seat's
 *    price. Then the cap (if any) limits the discount;
 *  - fee: #tix_config.fee_per_seat_minor times the number of seats,
 *    whether or not an offer is used;
 *  - total = subtotal - discount + fee.
 *
 * A use is counted when a confirm with the code commits, atomically with
 * the booking, against the total and the per-user limit; a code past its
 * limit is refused at confirm even if it was fine when quoted. Cancelling
 * a booking gives its use back. */
/**@{*/

/** What an offer applies to. */
typedef enum tix_offer_scope {
    TIX_OFFER_MOVIE = 1,  /**< Every show of a movie. */
    TIX_OFFER_VENUE = 2,  /**< Every show at a venue. */
    TIX_OFFER_SCREEN = 3, /**< Every show on a screen. */
    TIX_OFFER_TIER = 4    /**< Seats of one price tier. */
} tix_offer_scope;

/** Length limits of an offer code: 3..32 of [A-Z0-9-]. Input ignores
 *  ASCII case; codes are stored and shown upper-case. */
#define TIX_OFFER_CODE_MIN 3
#define TIX_OFFER_CODE_MAX 32

/** An offer. As input, id, uses and created_at are ignored. */
typedef struct tix_offer {
    tix_id id;
    const char *code;        /**< Unique, ignoring case. */
    tix_offer_scope scope;
    tix_id scope_id;         /**< The movie, venue, screen or tier. */
    uint32_t percent;        /**< 1..100, or 0 for an amount offer. */
    int64_t amount_minor;    /**< > 0 per seat, or 0 for a percent offer. */
    int64_t cap_minor;       /**< Most discount per booking; 0 = no cap. */
    int64_t valid_from;      /**< Usable from this time (inclusive) ... */
    int64_t valid_until;     /**< ... until this one (exclusive); 0 = no
                                end. */
    uint32_t max_uses;       /**< Uses in total; 0 = unlimited. */
    uint32_t max_uses_per_user; /**< Uses per user; 0 = unlimited. */
    uint32_t uses;           /**< Set by the library: uses so far. */
    int64_t created_at;      /**< Set by the library. */
} tix_offer;

typedef struct tix_offer_list {
    size_t count;
    tix_offer items[];
} tix_offer_list;

/**
 * Creates an offer from @p in.
 * @param id_out receives the new id (may be NULL).
 * @return TIX_OK; TIX_EINVAL (NULL db or in, code shorter than 3 or with
 *   a byte outside [A-Za-z0-9-], unknown scope, scope_id 0, both percent
 *   and amount_minor set); TIX_ETOOLONG (code above 32 bytes);
 *   TIX_ERANGE (percent above 100, neither percent nor amount_minor,
 *   negative amount or cap, valid_until not after valid_from);
 *   TIX_ENOTFOUND (scope_id does not exist); TIX_EEXISTS (code taken, in
 *   any case); TIX_EPERM (read-only store).
 */
TIX_API int tix_offer_create(tix_db *db, const tix_offer *in, tix_id *id_out);
/** Reads offer @p id (free with tix_offer_free()).
 *  @return TIX_OK, TIX_ENOTFOUND, TIX_EINVAL (NULL db or out). */
TIX_API int tix_offer_get(tix_db *db, tix_id id, tix_offer **out);
/** Finds an offer by code, ignoring case.
 *  @return TIX_OK; TIX_ENOTFOUND; TIX_EINVAL / TIX_ETOOLONG (malformed
 *  code or NULL argument). */
TIX_API int tix_offer_find_code(tix_db *db, const char *code, tix_offer **out);
/** Lists offers by id, at most @p limit (0 = all) after @p after_id.
 *  Free with tix_offer_list_free(); *out is NULL after a failure.
 *  @return TIX_OK; TIX_EINVAL (NULL db or out). */
TIX_API int tix_offer_list_all(tix_db *db, tix_id after_id, size_t limit,
                               tix_offer_list **out);
TIX_API void tix_offer_free(tix_offer *o);           /**< NULL allowed. */
TIX_API void tix_offer_list_free(tix_offer_list *l); /**< NULL allowed. */

/** A seat of a quote. */
typedef struct tix_quote_seat {
    uint32_t seat;       /**< Seat index, in the order given. */
    tix_id tier_id;
    int64_t price_minor; /**< The tier price. */
    int in_scope;        /**< 1 when the offer applies to this seat. */
} tix_quote_seat;

/** A price quote; one allocation, free with tix_quote_free(). */
typedef struct tix_quote {
    tix_id show_id;
    tix_id offer_id;         /**< 0 without an offer. */
    char currency[4];
    int64_t subtotal_minor;  /**< Sum of the seat prices. */
    int64_t discount_minor;
    int64_t fee_minor;
    int64_t total_minor;     /**< subtotal - discount + fee. */
    size_t n_seats;
    tix_quote_seat seats[];
} tix_quote;

/**
 * Prices seats @p seats[0..n) of a show, optionally with an offer code,
 * as a confirm would charge them now (see the section comment). Reads
 * only: nothing is held and no use is counted, so a later confirm can
 * still be refused (TIX_ELIMIT) when the last use went meanwhile. Seat
 * states are not looked at.
 * @param offer_code NULL (or "") for no offer.
 * @param user_id 0, or the customer: then the per-user limit is checked.
 * @param out receives the quote; *out is NULL after a failure.
 * @return TIX_OK; TIX_ENOTFOUND (show, user, or no offer with that code);
 *   TIX_EEXPIRED (outside the offer's validity window); TIX_ELIMIT (the
 *   offer's total or per-user uses are spent, or n above hold_max_seats);
 *   TIX_EINVAL (NULL seats with n > 0, n == 0, seat index out of range,
 *   duplicate seat, seats in two currencies, malformed code, no seat in
 *   the offer's scope); TIX_ETOOLONG (code); TIX_ERANGE (total
 *   overflows).
 */
TIX_API int tix_price_quote(tix_db *db, tix_id show_id, const uint32_t *seats,
                            size_t n, const char *offer_code, tix_id user_id,
                            tix_quote **out);
TIX_API void tix_quote_free(tix_quote *q); /**< NULL allowed. */
/**@}*/

/* ------------------------------------------------------------------------ */
/** @name Admin */
/**@{*/

/** Blocks seats of a show (not for sale), all or nothing.
 *  @return TIX_OK; TIX_ECONFLICT (a seat is held or booked); TIX_EINVAL;
 *  TIX_ENOTFOUND. */
TIX_API int tix_seats_block(tix_db *db, tix_id show_id, const uint32_t *seats,
                            size_t n);
/** Unblocks seats blocked by tix_seats_block(). Seats blocked by the
 *  layout (TIX_SEAT_BLOCKED) stay blocked.
 *  @return TIX_OK; TIX_ESTATE (a seat is not admin-blocked). */
TIX_API int tix_seats_unblock(tix_db *db, tix_id show_id,
                              const uint32_t *seats, size_t n);
/**@}*/

/* ------------------------------------------------------------------------ */
/** @name Reviews, comments, upvotes and rating summaries
 * One review per user per movie: a rating 1..10 and an optional text. The
 * movie's rating summary (count, mean, histogram) is updated in the same
 * transaction as every review change, so it is always exact. Every review
 * create, update and delete also appends a review event to the
 * notification outbox in that transaction. */
/**@{*/

/** Lowest and highest rating of a review. */
#define TIX_RATING_MIN 1
#define TIX_RATING_MAX 10

/** A review. As input only movie_id, user_id, rating and text are read. */
typedef struct tix_review {
    tix_id id;
    tix_id movie_id;
    tix_id user_id;
    uint32_t rating;     /**< TIX_RATING_MIN..TIX_RATING_MAX. */
    const char *text;    /**< 0..#tix_config.review_text_max bytes of UTF-8;
                            may span lines (NULL = ""). */
    int64_t created_at;  /**< Set by the library: first written. */
    int64_t updated_at;  /**< Set by the library: last written. */
    uint32_t helpful;    /**< Set by the library: upvotes. */
    int verified;        /**< Set by the library when read: 1 if the user
                            holds a confirmed (not cancelled) booking for
                            the movie right now, else 0. */
} tix_review;

/** Longest cursor string of a review page, NUL included. */
#define TIX_REVIEW_CURSOR_MAX 48
/** Most reviews in one page; a limit of 0 means 20. */
#define TIX_REVIEW_PAGE_MAX 100

/** Orders of tix_review_list_by_movie(). */
typedef enum tix_review_order {
    TIX_REVIEWS_NEWEST = 0,  /**< Newest first (by creation; an update does
                                not move a review). */
    TIX_REVIEWS_HELPFUL = 1  /**< Most upvotes first, then newest first. */
} tix_review_order;

/** A page of reviews; one allocation, free with tix_review_list_free(). */
typedef struct tix_review_list {
    size_t count;
    tix_review items[];
} tix_review_list;

/**
 * Writes the review of user in->user_id for movie in->movie_id: creates it,
 * or, when the user already reviewed the movie, replaces its rating and
 * text (keeping its id, creation time and upvotes). The movie's rating
 * summary and an outbox event are written in the same transaction.
 * @param id_out receives the review id (may be NULL).
 * @return TIX_OK; TIX_ERANGE (rating not 1..10); TIX_ETOOLONG (text over
 *   review_text_max); TIX_EUTF8; TIX_EINVAL (NULL db or in, control
 *   characters other than tab/newline); TIX_ENOTFOUND (movie_id or user_id
 *   unknown); TIX_EPERM (read-only store).
 */
TIX_API int tix_review_create(tix_db *db, const tix_review *in,
                              tix_id *id_out);
/** Reads review @p id (free with tix_review_free()).
 *  @return TIX_OK; TIX_ENOTFOUND; TIX_EINVAL (NULL db or out). */
TIX_API int tix_review_get(tix_db *db, tix_id id, tix_review **out);
/** Reads the review user @p user_id wrote for movie @p movie_id.
 *  @return TIX_OK; TIX_ENOTFOUND (no such review); TIX_EINVAL. */
TIX_API int tix_review_find(tix_db *db, tix_id user_id, tix_id movie_id,
                            tix_review **out);
/** Deletes a review with its comments and upvotes; updates the rating
 *  summary and appends an outbox event in the same transaction.
 *  @return TIX_OK; TIX_ENOTFOUND; TIX_EINVAL; TIX_EPERM. */
TIX_API int tix_review_delete(tix_db *db, tix_id id);

/**
 * Lists the reviews of a movie, a page at a time.
 *
 * The cursor is a position in the order, not an offset: reviews written
 * while a reader pages never make it see a review twice or skip one that
 * existed when it started (new reviews sort before the position already
 * reached); deleted ones just stop appearing. In #TIX_REVIEWS_HELPFUL
 * order a review whose upvotes change while it is paged moves, and may
 * then be seen twice or not at all.
 * @param cursor NULL or "" for the first page, else a @p next_cursor of the
 *   same movie and order.
 * @param limit reviews per page, 0 = 20, at most #TIX_REVIEW_PAGE_MAX.
 * @param out receives the page; free with tix_review_list_free().
 * @param next_cursor receives the cursor of the next page, or "" when this
 *   page is the last; it may be the same buffer as @p cursor.
 * @return TIX_OK (an unknown movie gives an empty page); TIX_EBADCODE
 *   (malformed cursor); TIX_EINVAL (cursor of another movie or order,
 *   unknown order, NULL db, out or next_cursor); TIX_ERANGE (limit).
 */
TIX_API int tix_review_list_by_movie(tix_db *db, tix_id movie_id,
                                     tix_review_order order,
                                     const char *cursor, size_t limit,
                                     tix_review_list **out,
                                     char next_cursor[TIX_REVIEW_CURSOR_MAX]);

/** Upvotes ("helpful") review @p review_id as user @p user_id. Idempotent:
 *  a second upvote by the same user changes nothing and returns TIX_OK.
 *  @return TIX_OK; TIX_ENOTFOUND (review or user); TIX_EINVAL (a user
 *  upvoting their own review); TIX_EPERM. */
TIX_API int tix_review_upvote(tix_db *db, tix_id review_id, tix_id user_id);
/** Withdraws an upvote. Idempotent: no upvote to withdraw gives TIX_OK.
 *  @return TIX_OK; TIX_ENOTFOUND (review or user); TIX_EPERM. */
TIX_API int tix_review_unvote(tix_db *db, tix_id review_id, tix_id user_id);
TIX_API void tix_review_free(tix_review *r);          /**< NULL allowed. */
TIX_API void tix_review_list_free(tix_review_list *l); /**< NULL allowed. */

/** A comment on a review. Threads are one level deep: a comment either
 *  answers the review (parent_id 0) or replies to such a top-level comment
 *  of the same review; a reply cannot be replied to. */
typedef struct tix_comment {
    tix_id id;
    tix_id review_id;
    tix_id parent_id;   /**< 0 or a top-level comment of the same review. */
    tix_id user_id;
    const char *text;   /**< 1..#tix_config.review_text_max bytes of
                           UTF-8; may span lines. */
    int64_t created_at; /**< Set by the library. */
} tix_comment;

typedef struct tix_comment_list {
    size_t count;
    tix_comment items[];
} tix_comment_list;

/** Adds a comment (only review_id, parent_id, user_id and text are read).
 *  @return TIX_OK; TIX_ENOTFOUND (review_id, parent_id or user_id
 *  unknown); TIX_EINVAL (parent of another review, parent that is itself
 *  a reply, empty text, control characters); TIX_ETOOLONG; TIX_EUTF8;
 *  TIX_EPERM. */
TIX_API int tix_comment_create(tix_db *db, const tix_comment *in,
                               tix_id *id_out);
/** Deletes a comment; deleting a top-level comment deletes its replies.
 *  @return TIX_OK; TIX_ENOTFOUND; TIX_EINVAL (NULL db); TIX_EPERM. */
TIX_API int tix_comment_delete(tix_db *db, tix_id id);
/** Lists the comments of a review thread by thread: each top-level comment
 *  (oldest first) followed by its replies (oldest first). An unknown review
 *  gives an empty list. Free with tix_comment_list_free().
 *  @return TIX_OK; TIX_EINVAL (NULL db or out). */
TIX_API int tix_comment_list_by_review(tix_db *db, tix_id review_id,
                                       tix_comment_list **out);
TIX_API void tix_comment_list_free(tix_comment_list *l); /**< NULL allowed. */

/** Ratings of a movie. Exact: kept in the transaction of every change. */
typedef struct tix_rating_summary {
    tix_id movie_id;
    uint64_t count;     /**< Reviews. */
    uint64_t sum;       /**< Sum of their ratings. */
    double mean;        /**< sum / count; 0 when there are none. */
    uint64_t histogram[TIX_RATING_MAX]; /**< [r-1]: reviews rating r. */
} tix_rating_summary;

/** Fills @p out with the rating summary of movie @p movie_id (no
 *  allocation). @return TIX_OK; TIX_ENOTFOUND (no such movie);
 *  TIX_EINVAL (NULL db or out). */
TIX_API int tix_rating_summary_get(tix_db *db, tix_id movie_id,
                                   tix_rating_summary *out);
/**@}*/

/* ------------------------------------------------------------------------ */
/** @name Title search
 * Movies by word prefix. Titles and queries are folded the same way: ASCII
 * letters lower-cased; Latin-1 and Latin Extended-A letters (À..ÿ,
 * Ā..ſ) reduced to their ASCII base letters (é → e, ß → ss, Æ → ae,
 * Ł → l); combining accents and apostrophes dropped; Greek and Cyrillic
 * capitals lower-cased; every other script kept byte for byte. Anything
 * else (spaces, punctuation, symbols) separates words. */
/**@{*/

/** Days of bookings that make a movie's popularity (today included, UTC
 *  days): search and recommendations rank by bookings in this window. */
#define TIX_POPULARITY_DAYS 7
/** Most hits one search returns; a limit of 0 means 20. */
#define TIX_SEARCH_LIMIT_MAX 1000

/** Options of tix_movie_search(); zero-initialise for the defaults. */
typedef struct tix_search_opts {
    tix_id city_id; /**< 0 = anywhere; else only movies with a show in
                       this city on @ref date. */
    uint32_t date;  /**< Local date YYYYMMDD; read only with city_id. */
    size_t limit;   /**< Hits wanted: 0 = 20, at most
                       #TIX_SEARCH_LIMIT_MAX. */
} tix_search_opts;

/** A search hit. */
typedef struct tix_search_hit {
    tix_id movie_id;
    const char *title;
    uint32_t popularity; /**< Confirmed bookings in the last
                            #TIX_POPULARITY_DAYS days. */
} tix_search_hit;

typedef struct tix_search_result {
    size_t count;
    tix_search_hit items[];
} tix_search_result;

/**
 * Finds movies whose title has, for every word of @p query, a word
 * starting with it ("dark kn" finds "The Dark Knight"), most popular
 * first (ties by id).
 * @return TIX_OK (possibly no hits); TIX_EINVAL (the query has fewer than
 *   #tix_config.search_min_chars letters or digits once folded — the
 *   message says so; NULL db, query or out; city_id not a city; date not a
 *   YYYYMMDD calendar date); TIX_ENOTFOUND (city_id unknown); TIX_EUTF8;
 *   TIX_ETOOLONG (query over TIX_NAME_MAX bytes); TIX_ERANGE (limit).
 */
TIX_API int tix_movie_search(tix_db *db, const char *query,
                             const tix_search_opts *opts,
                             tix_search_result **out);
TIX_API void tix_search_result_free(tix_search_result *r); /**< NULL ok. */
/**@}*/

/* ------------------------------------------------------------------------ */
/** @name Recommendations
 * Upcoming movies for a user, scored as documented at tix_recommend(). */
/**@{*/

/** Why a movie was recommended (its largest score component). */
typedef enum tix_reason {
    TIX_REASON_SHOWING = 0,     /**< Nothing stronger: it is showing soon. */
    TIX_REASON_GENRE = 1,       /**< A genre the user likes. */
    TIX_REASON_LANGUAGE = 2,    /**< A language the user watches. */
    TIX_REASON_ALSO_BOOKED = 3, /**< People who booked a movie the user
                                   booked also booked this one. */
    TIX_REASON_POPULAR = 4      /**< Many recent bookings. */
} tix_reason;

/** Options of tix_recommend(); zero-initialise for the defaults. */
typedef struct tix_recommend_opts {
    tix_id city_id; /**< 0 = the user's home city. */
    uint32_t days;  /**< Shows starting within this many days from now:
                       0 = 7, at most 30. */
    size_t limit;   /**< Picks wanted: 0 = 10, at most 100. */
} tix_recommend_opts;

/** One pick with its score and explanation. */
typedef struct tix_recommendation {
    tix_id movie_id;
    const char *title;
    int64_t score;             /**< Sum of the four points below. */
    int64_t genre_points;
    int64_t language_points;
    int64_t also_booked_points;
    int64_t popularity_points;
    tix_reason reason;         /**< The largest positive component. */
    const char *reason_text;   /**< e.g. "Because you like Drama". */
    tix_id reason_movie_id;    /**< TIX_REASON_ALSO_BOOKED: the movie the
                                  user booked; else 0. */
    tix_id next_show_id;       /**< Its first show in the window. */
    int64_t next_show_start;
} tix_recommendation;

typedef struct tix_recommendation_list {
    size_t count;
    tix_recommendation items[];
} tix_recommendation_list;

/**
 * Recommends movies with shows in a city in the next days to user
 * @p user_id, best first (ties by movie id: the result is deterministic).
 * Movies the user holds a confirmed booking for, or has reviewed, are left
 * out.
 *
 * Score, in integer points. Genres and languages are compared folded as
 * in title search. Each feature f (a genre or a language) has a weight
 *   w(f) = 3 * [f is in the user's profile]
 *        + 2 * (movies with f the user has a confirmed booking for)
 *        + sum over the user's reviews of movies with f of (rating - 5)
 * and, for a candidate movie Y,
 *   genre_points       = 10 * sum of w(g) over Y's genres
 *   language_points    = 10 * sum of w(l) over Y's languages
 *   also_booked_points =  8 * bitlen(C), C = sum over the user's last 8
 *                        distinct booked movies X of the users who booked
 *                        both X and Y
 *   popularity_points  =  4 * bitlen(P), P = bookings of Y in the last
 *                        #TIX_POPULARITY_DAYS days
 *   score = the sum of the four,
 * where bitlen(n) is the number of binary digits of n (0 for 0, 1 for 1,
 * 2 for 2..3, 3 for 4..7, ...), a cheap integer logarithm so that counts
 * in the thousands do not drown taste. The reason is the largest positive
 * component (ties: genre, language, also booked, popular), or
 * #TIX_REASON_SHOWING when none is positive.
 *
 * @param opts NULL for the defaults.
 * @param out receives the list; free with tix_recommendation_list_free().
 * @return TIX_OK; TIX_ENOTFOUND (user or city_id unknown); TIX_EINVAL
 *   (no city: the user has no home city and opts->city_id is 0; city_id
 *   not a city; NULL db or out); TIX_ERANGE (days or limit).
 */
TIX_API int tix_recommend(tix_db *db, tix_id user_id,
                          const tix_recommend_opts *opts,
                          tix_recommendation_list **out);
/** Frees a list from tix_recommend(). NULL allowed. */
TIX_API void tix_recommendation_list_free(tix_recommendation_list *l);
/**@}*/

/* ------------------------------------------------------------------------ */
/** @name Venues nearby */
/**@{*/

/** Largest search radius, km (a little over half the Earth's
 *  circumference: every venue). */
#define TIX_NEARBY_RADIUS_MAX 20100.0

/** A venue and its distance from the point searched. */
typedef struct tix_venue_near {
    tix_venue venue;
    double distance_km; /**< Great-circle (haversine, R = 6371.0088 km). */
} tix_venue_near;

typedef struct tix_venue_near_list {
    size_t count;
    tix_venue_near items[];
} tix_venue_near_list;

/**
 * Lists the venues within @p radius_km of (@p lat, @p lon), nearest first
 * (ties by id). A grid index keeps the search to the cells the circle
 * touches; it does not read every venue.
 * @param limit most venues returned; 0 = all within the radius.
 * @return TIX_OK; TIX_ERANGE (lat not in -90..90, lon not in -180..180,
 *   radius not in (0, TIX_NEARBY_RADIUS_MAX], any of them NaN or
 *   infinite); TIX_EINVAL (NULL db or out).
 */
TIX_API int tix_venue_nearby(tix_db *db, double lat, double lon,
                             double radius_km, size_t limit,
                             tix_venue_near_list **out);
TIX_API void tix_venue_near_list_free(tix_venue_near_list *l); /**< NULL ok. */
/**@}*/


/* ------------------------------------------------------------------------ */
/** @name Checking and measuring a store
 *  What `tix check`, `tix stats` and tix-bench read, the way mdb_env_stat
 *  and sqlite3_db_status serve LMDB's and SQLite's tools. */
/**@{*/

/** What tix_db_check() looked at and found. */
typedef struct tix_check_counts {
    uint64_t records;        /**< Primary records read. */
    uint64_t index_entries;  /**< Index entries verified. */
    uint64_t shows;          /**< Shows whose seats.map region was compared. */
    uint64_t shows_retired;  /**< Shows past reclaim_after: no region. */
    uint64_t seats;          /**< Seat words compared with LMDB. */
    uint64_t held;           /**< Seats under a live hold. */
    uint64_t confirming;     /**< Seats in a confirm/cancel/block in flight. */
    uint64_t stale;          /**< CONFIRMING words whose lease ran out (the
                                  next process to touch them repairs them). */
    uint64_t passes;         /**< Passes run (1 when nothing was found). */
    uint64_t problems;       /**< Problems reported. */
} tix_check_counts;

/** Receives one problem of a check as a one-line description (owned by
 *  the library, valid during the call). */
typedef void (*tix_check_fn)(void *ctx, const char *problem);

/**
 * Checks the store's consistency while other threads and processes keep
 * writing: every index against its primary table both ways (the same key
 * builders the writers use), every reference, the seats of each screen,
 * bookings against seat states and tickets, the seats.map regions, and
 * seats.map against LMDB seat by seat. A difference seen once may be a
 * write caught half way, so a pass that finds problems is repeated (up to
 * three) and only problems every pass found are reported.
 *
 * The seats.map part needs a read-write handle: on a read-only one every
 * show counts as retired.
 *
 * @param fn  called once per problem; may be NULL.
 * @param out receives the counts; may be NULL.
 * @return TIX_OK when the check ran, whatever it found (see
 *   out->problems); TIX_EINVAL (NULL db), TIX_ENOMEM, TIX_EIO when it
 *   could not run. The store is never changed.
 */
TIX_API int tix_db_check(tix_db *db, tix_check_fn fn, void *ctx,
                         tix_check_counts *out);

#define TIX_STAT_TABLES_MAX 64 /**< Tables tix_db_stat() reports at most. */

/** One LMDB table of a store. */
typedef struct tix_table_stat {
    char name[64];
    uint64_t entries;
    uint64_t pages;   /**< Branch + leaf + overflow pages. */
    unsigned depth;
} tix_table_stat;

/** Sizes and usage of a store. */
typedef struct tix_db_stats {
    uint64_t data_file_bytes;    /**< data.mdb on disk. */
    uint64_t map_size;           /**< LMDB map size now. */
    uint64_t map_size_max;       /**< Configured growth limit, 0 = none. */
    uint64_t page_size;
    uint64_t pages_used;         /**< Last page number + 1. */
    uint64_t last_txn;           /**< Id of the last committed transaction. */
    unsigned readers_max, readers_used;
    uint64_t seatmap_file_bytes; /**< seats.map on disk. */
    uint64_t seatmap_reserve;    /**< Address space reserved for it. */
    uint64_t seatmap_words;      /**< Words allocated to regions so far. */
    uint64_t regions_live, regions_live_words; /**< Regions of shows. */
    uint64_t regions_free, regions_free_words; /**< Reclaimed, reusable. */
    size_t n_tables;
    tix_table_stat tables[TIX_STAT_TABLES_MAX];
} tix_db_stats;

/** Fills @p out (about 5 KB: allocate it or keep it static).
 *  @return TIX_OK; TIX_EINVAL (NULL argument); TIX_EIO. */
TIX_API int tix_db_stat(tix_db *db, tix_db_stats *out);

/** Counters of the group committer (TIX_SYNC_FULL and TIX_SYNC_JOURNAL
 *  confirms are written in batches), since the store was opened by this
 *  process. */
typedef struct tix_commit_stats {
    uint64_t batches;   /**< Write transactions the committer made. */
    uint64_t confirms;  /**< Confirms in them. */
    uint64_t max_batch; /**< Largest batch. */
} tix_commit_stats;

/** Fills @p out; all zero when no confirm went through the committer.
 *  @return TIX_OK; TIX_EINVAL (NULL argument). */
TIX_API int tix_db_commit_stats(tix_db *db, tix_commit_stats *out);
/**@}*/

/* ------------------------------------------------------------------------ */
/** @name Backup */
/**@{*/

/**
 * Writes a consistent, compacted copy of the store's data to directory
 * @p dest_dir while other threads and processes keep reading and writing.
 *
 * The copy is one LMDB read snapshot (mdb_env_copy2 with MDB_CP_COMPACT:
 * free pages are left out), written to `data.mdb.partial`, fsynced and
 * renamed to `data.mdb`, so @p dest_dir never holds a half-written
 * `data.mdb`. seats.map is not copied: holds are never durable, and a
 * store opened from the copy rebuilds its seat map from LMDB. Restore it
 * with tix_backup_restore() (or `tix restore`), never by copying files into
 * a store: the store's journal would be replayed over it.
 *
 * @param dest_dir directory of the copy; created (mode 0700) if missing.
 *   It must not be the store itself nor already hold a `data.mdb`.
 * @return TIX_OK; TIX_EINVAL (NULL db, empty @p dest_dir, @p dest_dir is
 *   not a directory or is the store); TIX_EEXISTS (`data.mdb` already in
 *   @p dest_dir); TIX_ETOOLONG (path); TIX_EPERM (no access);
 *   TIX_EFULL (no space left); TIX_EIO.
 */
TIX_API int tix_db_backup(tix_db *db, const char *dest_dir);

/** Flag of tix_backup_restore(): replace the store that is there. */
#define TIX_RESTORE_REPLACE 0x1u

/**
 * Makes the store in @p store_dir exactly the backup in @p backup_dir (a
 * directory written by tix_db_backup()), replacing the whole store
 * directory at once, whatever mode and crash left it.
 *
 * The backup's `data.mdb` is copied into a new sibling directory
 * `.<name>.restore` (beside @p store_dir), opened read-only to prove it is
 * a store this library reads, flushed, and swapped with @p store_dir in one
 * atomic rename (Linux renameat2 RENAME_EXCHANGE); then the old store is
 * deleted. Nothing of the old store survives: not its journal, snapshots,
 * seats.map (rebuilt at the next open), lock.mdb, nor live holds. A crash
 * at any point leaves @p store_dir whole, either the old store or the
 * restored one, never a mix; the sibling a crash leaves behind is removed
 * by the next restore. The new directory takes the old one's mode (and
 * owner, when run as root). Files that are not a store's and sat in the old
 * directory are not carried over; they stay in the sibling.
 *
 * No process, this one included, may have the store open: read-write opens
 * that start meanwhile fail with TIX_EBUSY, and an open that raced the swap
 * fails with TIX_EBUSY too (open again). The backup directory is only read
 * (nothing is created in it). The parent directory of @p store_dir must be
 * writable and on a file system that can exchange directories (ext4, xfs,
 * btrfs, tmpfs). There is no tix_db handle involved: call it with every
 * handle on the store closed.
 *
 * @param backup_dir directory holding the backup's `data.mdb`.
 * @param store_dir  the store; created if missing (its parent must exist).
 * @param flags      0, or TIX_RESTORE_REPLACE to replace an existing store.
 * @return TIX_OK; TIX_EINVAL (empty path, unknown flag, @p store_dir is not
 *   a directory or holds files but no store, @p backup_dir is the store or
 *   a store a crash left with its journal not replayed); TIX_ENOTFOUND (no
 *   `data.mdb` in @p backup_dir, or no parent of @p store_dir); TIX_EEXISTS
 *   (a store is there and no TIX_RESTORE_REPLACE; or the sibling left by
 *   an earlier restore holds files of something else); TIX_EBUSY (the
 *   store or the backup is open, in this or another process, or another
 *   restore of it is running); TIX_ECORRUPT, TIX_EVERSION (the backup is
 *   not a store, or one of a newer format); TIX_ETOOLONG (path);
 *   TIX_EPERM (no access); TIX_EFULL (no space left); TIX_EIO (I/O, or
 *   the file system cannot exchange directories). On failure the store is
 *   unchanged.
 */
TIX_API int tix_backup_restore(const char *backup_dir, const char *store_dir,
                               unsigned flags);
/**@}*/

/* ------------------------------------------------------------------------ */
/** @name Replication (docs/replication.md)
 * A store opened with #tix_config.repl_urls is replicated through a NATS
 * JetStream stream: the primary publishes every write transaction's redo
 * record (one per group-committed batch of confirms) with the stream's
 * expected last sequence and commits locally only once JetStream has
 * acknowledged it, so a confirm that returned TIX_OK is in the stream. A
 * primary whose place in the stream was taken (another primary wrote after
 * it) has its writes refused by the stream itself: TIX_EFENCED. A follower
 * applies the stream's records to its own store and serves reads; holds
 * are not replicated. The primary holds a lease (a key with a TTL in a
 * JetStream KV bucket) that tix_replica_promote() waits out. */
/**@{*/

#define TIX_REPL_PRIMARY 1u  /**< #tix_config.repl_role: sells. */
#define TIX_REPL_FOLLOWER 2u /**< #tix_config.repl_role: applies the stream. */

/** What tix_replica_status() reports. */
typedef struct tix_replica_info {
    unsigned role;          /**< TIX_REPL_PRIMARY or TIX_REPL_FOLLOWER, as
                                 the handle is now (a primary that found its
                                 lease taken opens as a follower). */
    int fenced;             /**< 1: writes are refused (TIX_EFENCED) until
                                 tix_replica_promote(). */
    uint64_t applied_seq;   /**< The last stream sequence this store holds. */
    uint64_t stream_seq;    /**< The stream's last sequence, asked now. */
    uint64_t lag;           /**< stream_seq - applied_seq. */
    char stream[64];        /**< The stream's name. */
    char lease_holder[256]; /**< Who holds the primary lease ("" none). */
} tix_replica_info;

/**
 * Follower: applies the stream's new records to the store, in order, until
 * @p timeout_ms passed (0: only the records the stream holds now). Each
 * record is checked (its store id, its sequence, its checksum); a torn,
 * foreign or replayed one is refused with TIX_ECORRUPT and the follower
 * stops: every later call returns the same error.
 *
 * @param applied receives how many records were applied (may be NULL).
 * @return TIX_OK; TIX_EINVAL (NULL db); TIX_ESTATE (the store is not
 *   replicated, or is the primary); TIX_ECORRUPT; TIX_EREPL (JetStream
 *   unreachable); TIX_EFULL; TIX_EIO.
 */
TIX_API int tix_replica_follow(tix_db *db, uint32_t timeout_ms,
                               uint64_t *applied);

/**
 * Makes the store the primary of its stream: waits up to @p wait_ms for the
 * current primary's lease to lapse and takes it, applies what the stream
 * holds beyond this store, repairs the seat map from LMDB and starts
 * renewing the lease. Also how a fenced primary reconciles with the stream.
 * TIX_OK at once when the handle already is an unfenced primary.
 *
 * @return TIX_OK; TIX_EINVAL (NULL db); TIX_ESTATE (not replicated, or a
 *   stopped follower); TIX_EBUSY (the lease is still held: the detail names
 *   its holder); TIX_EREPL; TIX_ECORRUPT.
 */
TIX_API int tix_replica_promote(tix_db *db, uint32_t wait_ms);

/**
 * Reports the handle's role, its place in the stream and the lag.
 * @return TIX_OK; TIX_EINVAL (NULL argument); TIX_ESTATE (the store is not
 *   replicated); TIX_EREPL (JetStream unreachable: the fields known locally
 *   are filled in, stream_seq and lag are 0).
 */
TIX_API int tix_replica_status(tix_db *db, tix_replica_info *out);

/**
 * The change feed on JetStream: publishes the outbox events that the feed
 * stream `<repl_stream>_FEED` does not hold yet, each as one JSON object
 * (docs/replication.md, "The change feed") on the subject
 * `tix.<repl_stream>.feed.<kind>` (booked, cancelled, checked_in,
 * reviewed) with the message id `<store id>-<seq>`; then waits up to
 * @p timeout_ms for more (0: returns once the feed is current). At least
 * once, in order and without gaps: the feed keeps its place in its stream,
 * not in the store, so it runs on a follower as well as on the primary,
 * and the server drops a message it already has. Notification workers and
 * BI read the stream with any NATS client.
 * @param sent receives how many events were published (may be NULL).
 * @return TIX_OK; TIX_EINVAL (NULL db); TIX_ESTATE (the store is not
 *   replicated); TIX_EREPL (JetStream unreachable or refusing; the next
 *   call resumes after the last event the stream holds); TIX_ECORRUPT.
 */
TIX_API int tix_feed_publish(tix_db *db, uint32_t timeout_ms, uint64_t *sent);

/** A relay of the change feed to Kafka (librdkafka). */
typedef struct tix_kafka_relay tix_kafka_relay;

/**
 * Opens a relay of the store's outbox events to Kafka: the same JSON as
 * tix_feed_publish(), to topic `<topic_prefix>.<kind>`, keyed
 * `<store id>-<seq>`, with an idempotent producer (acks=all). It reads
 * through the outbox consumer @p consumer (registered if missing) and
 * acknowledges a batch once every message of it was delivered: at least
 * once. The store must take writes (a primary, or not replicated). Needs a
 * libtix built with librdkafka (TIX_KAFKA); Debian packages no Kafka
 * broker, so the tests use librdkafka's mock cluster.
 * @param brokers Kafka bootstrap servers ("host:9092,...").
 * @param topic_prefix NULL for "tix".
 * @param consumer NULL for "kafka".
 * @return TIX_OK; TIX_EINVAL (NULL or empty brokers, bad prefix or
 *   consumer name, a librdkafka setting refused); TIX_ESTATE (built
 *   without librdkafka); TIX_EPERM (read-only store); TIX_EREPL.
 */
TIX_API int tix_kafka_relay_open(tix_db *db, const char *brokers,
                                 const char *topic_prefix, const char *consumer,
                                 tix_kafka_relay **out);

/**
 * Relays what is pending, then waits up to @p timeout_ms for more events
 * and relays those (0: does not wait).
 * @param sent receives how many events were delivered (may be NULL).
 * @return TIX_OK; TIX_EINVAL; TIX_EREPL (a delivery failed or timed out:
 *   nothing of the batch was acknowledged, the next run sends it again);
 *   TIX_EFENCED (a follower cannot move its cursor).
 */
TIX_API int tix_kafka_relay_run(tix_kafka_relay *k, uint32_t timeout_ms,
                                uint64_t *sent);

/** Flushes (up to 2 s) and frees the relay. NULL is allowed. */
TIX_API void tix_kafka_relay_close(tix_kafka_relay *k);

/** The shard map (docs/scaling.md, "Placement"), in a JetStream KV bucket
 *  every router reads: a venue code's shard is its override, if any, else
 *  jump_consistent_hash(XXH3_64bits(code), shards). */
typedef struct tix_placement tix_placement;

/** Connects to NATS at @p urls (comma-separated) and opens the bucket
 *  @p bucket (NULL: "tix_placement"), creating it if missing.
 *  @return TIX_OK; TIX_EINVAL (NULL argument); TIX_EREPL (NATS);
 *  TIX_ESTATE (built without NATS). */
TIX_API int tix_placement_open(const char *urls, const char *bucket,
                               tix_placement **out);
/** Sets the number of shards (1..65536): TIX_ERANGE; TIX_EREPL. Shards are
 *  numbered, added at the end and never removed from the middle. */
TIX_API int tix_placement_set_shards(tix_placement *p, uint32_t shards);
/** Pins @p venue_code ([a-z0-9_-], 1..200 bytes) to @p shard, or removes
 *  its override when @p shard < 0. @return TIX_OK; TIX_EINVAL (code);
 *  TIX_ERANGE (no such shard); TIX_ESTATE (no number of shards yet);
 *  TIX_EREPL. */
TIX_API int tix_placement_override(tix_placement *p, const char *venue_code,
                                   int64_t shard);
/** The shard that sells @p venue_code; *overridden (may be NULL) says
 *  whether an override decided. @return TIX_OK; TIX_EINVAL; TIX_ESTATE (no
 *  number of shards yet); TIX_ECORRUPT (a value that is not a number);
 *  TIX_EREPL. */
TIX_API int tix_placement_shard_of(tix_placement *p, const char *venue_code,
                                   uint32_t *shard, int *overridden);
/** Closes @p p. NULL is allowed. */
TIX_API void tix_placement_close(tix_placement *p);
/**@}*/

#ifdef __cplusplus
}
#endif
#endif /* TIX_H */
