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
 *    been set to allocated memory.
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

/* ------------------------------------------------------------------------ */
/** @name Store */
/**@{*/

/** An open store. Opaque; thread-safe. */
typedef struct tix_db tix_db;

/** How durable a committed write transaction is. */
typedef enum tix_durability {
    TIX_SYNC_FULL = 0,   /**< fsync data and meta on every commit (default). */
    TIX_SYNC_NOMETA = 1, /**< Skip the meta-page fsync: a crash may lose the
                            last commit, never corrupts. */
    TIX_SYNC_NONE = 2    /**< No fsync: fast, for tests; an OS crash may lose
                            recent commits. */
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
    tix_durability durability; /**< Commit durability (TIX_SYNC_FULL). */
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
 * @return TIX_OK; TIX_EINVAL (NULL or empty path, bad config value);
 *   TIX_EBUSY (this process already has the store open);
 *   TIX_ENOTFOUND (TIX_OPEN_NOCREATE and no store); TIX_EPERM (no access);
 *   TIX_EVERSION (store written by an unknown format version);
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

/** Forces an fsync of the store (useful after TIX_SYNC_NONE writes).
 *  @return TIX_OK, TIX_EIO. */
TIX_API int tix_db_sync(tix_db *db);
/**@}*/

/* ------------------------------------------------------------------------ */
/** @name Limits shared by every table */
/**@{*/
#define TIX_NAME_MAX 128      /**< Bytes in a name/title (1..128). */
#define TIX_ADDRESS_MAX 512   /**< Bytes in an address. */
#define TIX_TEXT_MAX 4096     /**< Bytes in a synopsis or long text. */
#define TIX_LIST_MAX 32       /**< Items in a string list. */
#define TIX_ROW_LABEL_MAX 8   /**< Bytes in a seat row label. */
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

/** A place. A country has no parent, a state's parent is a country, a
 *  city's parent is a state. Names are unique among siblings (the same
 *  name under two parents is fine: São Paulo the state and the city). */
typedef struct tix_place {
    tix_id id;              /**< Set by the library. */
    tix_place_kind kind;
    tix_id parent_id;       /**< 0 for a country. */
    const char *name;       /**< 1..TIX_NAME_MAX bytes of UTF-8. */
    int32_t utc_offset_min; /**< Local time offset in minutes, -720..840;
                               what matters is the city's (shows use it). */
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
 *   TIX_ERANGE (utc offset); TIX_EPERM (read-only).
 */
TIX_API int tix_place_create(tix_db *db, const tix_place *in, tix_id *id_out);
/** Reads place @p id into a new record (free with tix_place_free()).
 *  *out is NULL after a failure.
 *  @return TIX_OK, TIX_ENOTFOUND, TIX_EINVAL (NULL db or out). */
TIX_API int tix_place_get(tix_db *db, tix_id id, tix_place **out);
/** Renames place in->id or changes its offset. Places never move:
 *  in->kind and in->parent_id must equal the stored ones (TIX_EINVAL
 *  otherwise). TIX_ENOTFOUND when there is no place in->id; other errors
 *  as for tix_place_create(). */
TIX_API int tix_place_update(tix_db *db, const tix_place *in);
/** Lists the children of @p parent_id (0 = countries), by name (byte
 *  order of the UTF-8). A parent without children, or an unknown one,
 *  gives an empty list. Free with tix_place_list_free(). */
TIX_API int tix_place_list_by_parent(tix_db *db, tix_id parent_id, tix_place_list **out);
TIX_API void tix_place_free(tix_place *p);           /**< NULL allowed. */
TIX_API void tix_place_list_free(tix_place_list *l); /**< NULL allowed. */
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
TIX_API int tix_venue_get(tix_db *db, tix_id id, tix_venue **out);
/** Updates name, address, lat/lon of venue in->id. Venues never move:
 *  in->city_id must equal the stored city (TIX_EINVAL otherwise).
 *  TIX_ENOTFOUND when there is no venue in->id; other errors as for
 *  tix_venue_create(). */
TIX_API int tix_venue_update(tix_db *db, const tix_venue *in);
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
TIX_API int tix_screen_get(tix_db *db, tix_id id, tix_screen **out);
/** Updates name and ideal point of screen in->id. in->venue_id must
 *  equal the stored venue (TIX_EINVAL otherwise); seat_count is ignored.
 *  TIX_ENOTFOUND when there is no screen in->id. */
TIX_API int tix_screen_update(tix_db *db, const tix_screen *in);
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

/** Creates a tier. @return TIX_OK; TIX_ERANGE (negative price);
 *  TIX_EINVAL (currency not three A-Z letters); TIX_ENOTFOUND (screen);
 *  TIX_EEXISTS; string errors. */
TIX_API int tix_tier_create(tix_db *db, const tix_tier *in, tix_id *id_out);
TIX_API int tix_tier_get(tix_db *db, tix_id id, tix_tier **out);
/** Updates name, price and currency of tier in->id. in->screen_id must
 *  equal the stored screen (TIX_EINVAL otherwise). TIX_ENOTFOUND when
 *  there is no tier in->id; other errors as for tix_tier_create(). */
TIX_API int tix_tier_update(tix_db *db, const tix_tier *in);
/** Lists the tiers of a screen by price, cheapest first (equal prices by
 *  name); empty for an unknown screen. */
TIX_API int tix_tier_list_by_screen(tix_db *db, tix_id screen_id, tix_tier_list **out);
TIX_API void tix_tier_free(tix_tier *t);
TIX_API void tix_tier_list_free(tix_tier_list *l);
/**@}*/

/* ------------------------------------------------------------------------ */
/** @name Seats */
/**@{*/

#define TIX_SEAT_AISLE 0x1u      /**< Seat next to an aisle. */
#define TIX_SEAT_WHEELCHAIR 0x2u /**< Wheelchair space. */
#define TIX_SEAT_COMPANION 0x4u  /**< Companion seat of a wheelchair space. */
#define TIX_SEAT_BLOCKED 0x8u    /**< Never for sale (pillar, camera). */

/** One seat of a row in a layout. */
typedef struct tix_seat_spec {
    uint32_t number;  /**< Seat number within the row, >= 1; (row label,
                         number) is unique within the screen. */
    double x, y;      /**< Position on the seat map; finite. */
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
 * given (rows in order, seats of a row in order).
 * @param first_index_out receives the index of the first new seat (may be
 *   NULL).
 * @return TIX_OK; TIX_ENOTFOUND (screen, or a seat's tier_id unknown);
 *   TIX_EINVAL (rows NULL, tier of another screen, unknown flags, number
 *   0, NULL seats); TIX_ERANGE (nrows 0, a row with zero seats, x/y not
 *   finite, or more than 1,000,000 seats per screen); TIX_EEXISTS (row
 *   label + number already present, or twice in @p rows); TIX_EBUSY (the
 *   screen already has shows: its layout is frozen); string errors for
 *   labels.
 */
TIX_API int tix_seats_add_rows(tix_db *db, tix_id screen_id,
                               const tix_row_spec *rows, size_t nrows,
                               uint32_t *first_index_out);
/** Lists every seat of a screen in index order, so items[i].index == i;
 *  empty for an unknown screen or one without seats. */
TIX_API int tix_seat_list_by_screen(tix_db *db, tix_id screen_id, tix_seat_list **out);
TIX_API void tix_seat_list_free(tix_seat_list *l);
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
} tix_show;

typedef struct tix_show_list {
    size_t count;
    tix_show items[];
} tix_show_list;

/**
 * Schedules a show. Only movie_id, screen_id and start are read from
 * @p in; the library sets end (start + the movie's duration), venue, city,
 * local_date (the date of start at the city's utc_offset_min) and
 * seat_count. Its seat layout is the screen's at this moment; the
 * screen's layout is frozen from then on.
 *
 * Two shows on one screen must be at least the cleaning buffer
 * (#tix_config.show_buffer seconds) apart: a show ending at 12:00 allows
 * the next to start at 12:15 with the default 900 s, not at 12:14:59.
 * @param id_out receives the new id (may be NULL).
 * @return TIX_OK; TIX_ENOTFOUND (movie or screen); TIX_ERANGE (start not
 *   in 2000-01-01T00:00Z..2100-01-01T00:00Z, the end excluded);
 *   TIX_EINVAL (NULL db or in, screen without seats); TIX_EOVERLAP (the
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
/**@}*/

/* ------------------------------------------------------------------------ */
/** @name Users */
/**@{*/

/** A customer. E-mail addresses are unique, compared ignoring ASCII case
 *  (other bytes compare exactly); the spelling given is kept. */
typedef struct tix_user {
    tix_id id;
    const char *name;       /**< 1..TIX_NAME_MAX bytes. */
    const char *email;      /**< local@domain, 3..254 bytes: one '@', both
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
/**@}*/

/* ------------------------------------------------------------------------ */
/** @name Holds
 * A hold reserves seats of one show for a while, all or nothing, without
 * any lock: each seat is one compare-and-swap in the shared seats.map.
 * Only the holder (whoever has the handle, which carries a 128-bit random
 * token) can extend, release or confirm it. */
/**@{*/

/** A hold handle. Opaque; owned by the caller, free with tix_hold_free().
 *  A handle is plain data: any thread or process of the same store may use
 *  it, and tix_hold_to_string() turns it into text for a web page. */
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
                                1..TIX_REQUEST_KEY_MAX bytes, or NULL. */
} tix_hold_opts;

/**
 * Holds seats @p seats[0..n) of a show, all or nothing.
 *
 * @param seats seat indexes (see tix_seat_list_by_screen()); any order,
 *   no duplicates.
 * @param opts NULL for defaults.
 * @param out receives the handle.
 * @return TIX_OK; TIX_ECONFLICT (a seat is held, booked or blocked; the
 *   detail names it, nothing is held); TIX_ENOTFOUND (show); TIX_EINVAL
 *   (n == 0, seat index out of range, duplicate seat, bad request key);
 *   TIX_ELIMIT (more than hold_max_seats); TIX_ERANGE (ttl above
 *   hold_ttl_max); TIX_ESTATE (the show has ended); TIX_ENOMEM; TIX_EFULL.
 */
TIX_API int tix_hold_create(tix_db *db, tix_id show_id, const uint32_t *seats,
                            size_t n, const tix_hold_opts *opts,
                            tix_hold **out);

/** Flags of tix_best_opts. */
#define TIX_BEST_ACCESSIBLE 0x1u /**< Use wheelchair/companion seats (only
                                    those are considered when set). */
#define TIX_BEST_ANY_TIER 0x2u   /**< Ignore tier; nearest the ideal point. */

/** Options of tix_hold_best(); zero-initialise for the defaults. */
typedef struct tix_best_opts {
    tix_id tier_id;          /**< Tier to pick from; 0 = cheapest tier with
                                room (unless TIX_BEST_ANY_TIER). */
    uint32_t flags;          /**< TIX_BEST_* */
    uint32_t ttl;            /**< As in tix_hold_opts. */
    const char *request_key; /**< As in tix_hold_opts. */
} tix_best_opts;

/**
 * Finds and holds @p n adjacent seats in one row: free seats of the tier,
 * with consecutive numbers, nearest the screen's ideal point, never leaving
 * a single free seat stranded between taken seats or a row end.
 * Wheelchair and companion seats are used only with TIX_BEST_ACCESSIBLE.
 * Retries on a lost race.
 * @return TIX_OK; TIX_ECONFLICT when no such seats exist
 *   (sold out for this request); TIX_ENOTFOUND (show, tier of another
 *   screen); TIX_ELIMIT; TIX_EINVAL (n == 0, unknown flags); as
 *   tix_hold_create() otherwise.
 */
TIX_API int tix_hold_best(tix_db *db, tix_id show_id, uint32_t n,
                          const tix_best_opts *opts, tix_hold **out);

/** Extends a live hold to @p ttl seconds from now (0 = default ttl).
 *  @return TIX_OK; TIX_EEXPIRED (the hold is gone; nothing changes);
 *  TIX_ERANGE (ttl above hold_ttl_max). */
TIX_API int tix_hold_extend(tix_db *db, tix_hold *hold, uint32_t ttl);

/** Releases the seats of a hold. Seats no longer held by it (expired and
 *  taken by someone else) are left alone, so releasing twice is harmless.
 *  The handle stays allocated; free it with tix_hold_free().
 *  @return TIX_OK; TIX_ENOTFOUND (show); TIX_EINVAL. */
TIX_API int tix_hold_release(tix_db *db, const tix_hold *hold);

/** Writes the hold as a printable string (URL-safe, no spaces) into
 *  @p buf of @p cap bytes. @return TIX_OK, TIX_ETOOLONG (buffer small). */
TIX_API int tix_hold_to_string(const tix_hold *hold, char *buf, size_t cap);

/** Parses a string from tix_hold_to_string() into a new handle.
 *  @return TIX_OK; TIX_EBADCODE (malformed, truncated or altered). */
TIX_API int tix_hold_from_string(const char *s, tix_hold **out);

TIX_API tix_id tix_hold_show(const tix_hold *hold);     /**< Show of hold. */
TIX_API size_t tix_hold_count(const tix_hold *hold);    /**< Seats held. */
/** Seat index @p i (0..count-1, ascending). */
TIX_API uint32_t tix_hold_seat(const tix_hold *hold, size_t i);
/** When the hold runs out (seconds since the epoch, store clock). */
TIX_API int64_t tix_hold_expires(const tix_hold *hold);
TIX_API void tix_hold_free(tix_hold *hold); /**< NULL allowed. */
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
TIX_API void tix_avail_free(tix_avail *a);

/** Fills @p states[i] with the tix_seat_state of seat i, for drawing a
 *  seat map. @p cap must be at least the show's seat_count.
 *  @return TIX_OK; TIX_ENOTFOUND; TIX_ERANGE (cap too small). */
TIX_API int tix_show_seat_states(tix_db *db, tix_id show_id, uint8_t *states,
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
    const char *offer_code;   /**< Optional offer code (NULL = none). */
} tix_confirm_opts;

/**
 * Confirms a hold after payment and returns the booking id. Blocks until
 * the booking is durable (per the store's durability mode).
 *
 * If the hold ran out but all its seats are still free (a late payment
 * callback), they are booked anyway. The same payment reference returns
 * the booking already made for it.
 *
 * @return TIX_OK; TIX_EEXPIRED (the hold ran out and a seat was taken
 *   meanwhile; nothing booked); TIX_ECONFLICT (a seat belongs to another
 *   live hold: forged or foreign handle); TIX_ENOTFOUND (show, user);
 *   TIX_EINVAL (payment ref); TIX_EIO / TIX_EFULL (commit failed; nothing
 *   booked, the hold stays).
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
    int64_t total_minor;   /**< Sum of the seat prices. */
    char currency[4];
    size_t n_seats;
    const tix_booked_seat *seats;
    size_t n_tickets;
    const tix_ticket *tickets;
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

/** Cancels (refunds) a booking: it is kept with status cancelled, its
 *  seats are free again and its tickets no longer check in.
 *  @return TIX_OK; TIX_ENOTFOUND; TIX_EALREADY (already cancelled);
 *  TIX_EBUSY (a seat is in another confirm or cancel right now). */
TIX_API int tix_booking_cancel(tix_db *db, tix_id booking_id);

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
 *   TIX_EINVAL (gate name).
 */
TIX_API int tix_ticket_checkin(tix_db *db, const char *code, const char *gate,
                               tix_checkin *out);
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


#ifdef __cplusplus
}
#endif
#endif /* TIX_H */
