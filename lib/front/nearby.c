/* Venues near a point (see nearby.h). */
#include "nearby.h"
#include "tables.h"

#include <math.h> /* isnan: a macro, no libm */
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "table.h"
#include "validate.h"
#include "venue.h"

#define GEO_VERSION 1
#define LEVELS 4
#define KEY_LEN 17 /* level, lat cell, lon cell, id */
#define EARTH_KM 6371.0088
#define MICRO 1000000.0
/* Latitude rows (one key range each) a search may read: finer cells read
 * fewer venues outside the circle, at one cursor seek a row. */
#define ROWS_WANTED 32

static const double pi = 3.14159265358979323846;

/* ---- the little trigonometry needed ------------------------------------
 * libtix links no libm (its users need not add -lm), so the haversine is
 * computed with these. Arguments here stay within |x| <= 3.2 (sin, cos)
 * and 0..1 (asin), where they agree with libm to about 1e-15. */

static double m_sqrt(double x)
{
    if (!(x > 0)) return 0;
    uint64_t u;
    memcpy(&u, &x, sizeof u);
    u = (u >> 1) + (UINT64_C(0x3FF0000000000000) >> 1); /* ~6% off */
    double y;
    memcpy(&y, &u, sizeof y);
    for (int i = 0; i < 6; i++) y = 0.5 * (y + x / y); /* Newton */
    return y;
}

/* Taylor series x - x^3/3! + ... to the x^29 term (error < 1e-16 for
 * |x| <= 3.2). */
static double m_sin(double x)
{
    double term = x, sum = x, x2 = x * x;
    for (int n = 1; n <= 14; n++) {
        term *= -x2 / ((2.0 * n) * (2.0 * n + 1));
        sum += term;
    }
    return sum;
}

static double m_cos(double x)
{
    double term = 1, sum = 1, x2 = x * x;
    for (int n = 1; n <= 14; n++) {
        term *= -x2 / ((2.0 * n - 1) * (2.0 * n));
        sum += term;
    }
    return sum;
}

/* asin of 0 <= x <= 1: its series up to 1/2, and
 * asin(x) = pi/2 - 2 asin(sqrt((1 - x) / 2)) above. */
static double m_asin(double x)
{
    if (x > 0.5) return pi / 2 - 2 * m_asin(m_sqrt((1 - x) / 2));
    double term = x, sum = x, x2 = x * x;
    for (int n = 1; n <= 40; n++) {
        term *= x2 * (2.0 * n - 1) * (2.0 * n - 1) / ((2.0 * n) * (2.0 * n + 1));
        sum += term;
    }
    return sum;
}

/* Cell size of each level in micro-degrees. */
static const uint32_t cell_size[LEVELS] = {10000, 100000, 1000000, 10000000};

/* Micro-degrees above the minimum (-90 or -180), clamped to 0..max. */
static uint32_t micro(double deg, double min, double max)
{
    double v = (deg - min) * MICRO, top = (max - min) * MICRO;
    return v < 0 ? 0 : v > top ? (uint32_t)top : (uint32_t)v; /* floor */
}

static void cell_key(uint8_t k[KEY_LEN], int level, uint32_t lat_cell,
                     uint32_t lon_cell, tix_id id)
{
    k[0] = (uint8_t)level;
    tix__be32_put(k + 1, lat_cell);
    tix__be32_put(k + 5, lon_cell);
    tix__be64_put(k + 9, id);
}

static void venue_key(uint8_t k[KEY_LEN], int level, double lat, double lon,
                      tix_id id)
{
    cell_key(k, level, micro(lat, -90, 90) / cell_size[level],
             micro(lon, -180, 180) / cell_size[level], id);
}

int tix__nearby_put(tix_db *db, MDB_txn *txn, tix_id id, double lat,
                    double lon)
{
    tix_enc e;
    tix__enc_init(&e, TIX_REC_GEO, GEO_VERSION);
    tix__enc_f64(&e, lat);
    tix__enc_f64(&e, lon);
    int rc = tix__enc_finish(&e);
    for (int l = 0; l < LEVELS && rc == TIX_OK; l++) {
        uint8_t k[KEY_LEN];
        venue_key(k, l, lat, lon, id);
        rc = tix__db_put(db, txn, TIX_T_VENUES_BY_CELL, k, KEY_LEN, e.buf, e.len,
                      0, "venue position");
    }
    tix__enc_free(&e);
    return rc;
}

static int forget(tix_db *db, MDB_txn *txn, tix_id id, double lat,
                  double lon)
{
    int rc = TIX_OK;
    for (int l = 0; l < LEVELS && rc == TIX_OK; l++) {
        uint8_t k[KEY_LEN];
        venue_key(k, l, lat, lon, id);
        rc = tix__db_del(db, txn, TIX_T_VENUES_BY_CELL, k, KEY_LEN,
                      "venue position");
        if (rc == TIX_ENOTFOUND) rc = TIX_OK; /* indexed before: fine */
    }
    return rc;
}

int tix__nearby_move(tix_db *db, MDB_txn *txn, tix_id id, double old_lat,
                     double old_lon, double lat, double lon)
{
    if (old_lat == lat && old_lon == lon) return TIX_OK;
    int rc = forget(db, txn, id, old_lat, old_lon);
    return rc ? rc : tix__nearby_put(db, txn, id, lat, lon);
}

double tix__nearby_km(double lat1, double lon1, double lat2, double lon2)
{
    double r = pi / 180;
    double dlat = (lat2 - lat1) * r, dlon = (lon2 - lon1) * r;
    /* One longitude difference over 180 degrees is the shorter way round
     * the other side: wrap it so the series stay in their range. */
    if (dlon > pi) dlon -= 2 * pi;
    if (dlon < -pi) dlon += 2 * pi;
    double sl = m_sin(dlat / 2), so = m_sin(dlon / 2);
    double a = sl * sl + m_cos(lat1 * r) * m_cos(lat2 * r) * so * so;
    if (a > 1) a = 1;
    return 2 * EARTH_KM * m_asin(m_sqrt(a));
}

/* ---- search ------------------------------------------------------------- */

typedef struct near_hit {
    tix_id id;
    double km;
} near_hit;

typedef struct nearby_q {
    tix_db *db;
    MDB_txn *txn;
    double lat, lon, radius;
    double lat_lo, lat_hi; /* the circle's latitude band */
    int level;
    near_hit *hits;
    size_t n, cap;
} nearby_q;

/* Reads one latitude row of cells from lon cell @p lo to @p hi. */
static int scan_row(nearby_q *q, uint32_t lat_cell, uint32_t lo, uint32_t hi)
{
    MDB_cursor *cur;
    int mrc = mdb_cursor_open(q->txn, q->db->dbi[TIX_T_VENUES_BY_CELL], &cur);
    if (mrc) return tix__mdb_err(mrc, "venue positions");
    uint8_t from[KEY_LEN];
    cell_key(from, q->level, lat_cell, lo, 0);
    MDB_val k = {KEY_LEN, from}, v;
    int rc = TIX_OK;
    mrc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
    while (rc == TIX_OK && mrc == 0) {
        const uint8_t *kp = k.mv_data;
        if (k.mv_size != KEY_LEN || kp[0] != q->level ||
            tix__be32_get(kp + 1) != lat_cell || tix__be32_get(kp + 5) > hi)
            break;
        tix_dec d;
        double lat = 0, lon = 0;
        rc = tix__dec_init(&d, v.mv_data, v.mv_size, TIX_REC_GEO, GEO_VERSION);
        if (rc == TIX_OK) {
            lat = tix__dec_f64(&d);
            lon = tix__dec_f64(&d);
            rc = tix__dec_finish(&d);
        }
        if (rc == TIX_OK && lat >= q->lat_lo && lat <= q->lat_hi &&
            tix__nearby_km(q->lat, q->lon, lat, lon) <= q->radius) {
            rc = tix__table_vec_reserve((void **)&q->hits, &q->cap, q->n + 1,
                                  sizeof *q->hits);
            if (rc == TIX_OK)
                q->hits[q->n++] = (near_hit){
                    tix__be64_get(kp + 9),
                    tix__nearby_km(q->lat, q->lon, lat, lon)};
        }
        if (rc == TIX_OK) mrc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
    }
    mdb_cursor_close(cur);
    if (rc) return rc;
    return mrc && mrc != MDB_NOTFOUND ? tix__mdb_err(mrc, "venue positions")
                                      : TIX_OK;
}

/* Longitude half-width (degrees) of the circle's bounding box, or a value
 * of 180 or more when it spans every longitude (it reaches a pole). */
static double lon_halfwidth(double lat, double rdeg)
{
    if (lat + rdeg >= 90 || lat - rdeg <= -90) return 180;
    if (rdeg >= 90) return 180;
    double s = m_sin(rdeg * pi / 180) / m_cos(lat * pi / 180);
    if (s >= 1) return 180;
    return m_asin(s) * 180 / pi + 1e-6; /* a hair wider than exact */
}

/* Reads every cell row the circle touches. */
static int scan_cells(nearby_q *q)
{
    double rdeg = q->radius / (EARTH_KM * pi / 180) + 1e-6;
    q->level = LEVELS - 1;
    for (int l = 0; l < LEVELS; l++)
        if (2 * rdeg * MICRO / cell_size[l] <= ROWS_WANTED) {
            q->level = l;
            break;
        }
    uint32_t size = cell_size[q->level];
    q->lat_lo = q->lat - rdeg;
    q->lat_hi = q->lat + rdeg;
    uint32_t lat_lo = micro(q->lat - rdeg, -90, 90) / size;
    uint32_t lat_hi = micro(q->lat + rdeg, -90, 90) / size;
    double dlon = lon_halfwidth(q->lat, rdeg);
    /* Longitude cells: one range, or two when the box crosses the
     * antimeridian (merged into all cells if they meet, so no cell is
     * read twice). */
    uint32_t top = micro(180, -180, 180) / size;
    uint32_t cells[2][2] = {{0, top}, {1, 0}}; /* second empty: lo > hi */
    if (dlon < 180) {
        double lo = q->lon - dlon, hi = q->lon + dlon;
        cells[0][0] = micro(lo, -180, 180) / size; /* clamped at -180 */
        cells[0][1] = micro(hi, -180, 180) / size; /* clamped at 180 */
        if (lo < -180) {
            cells[1][0] = micro(lo + 360, -180, 180) / size;
            cells[1][1] = top;
        } else if (hi > 180) {
            cells[1][0] = 0;
            cells[1][1] = micro(hi - 360, -180, 180) / size;
        }
        if (cells[1][0] <= cells[1][1] && cells[1][0] <= cells[0][1] &&
            cells[1][1] >= cells[0][0]) { /* they meet: read every cell */
            cells[0][0] = 0;
            cells[0][1] = top;
            cells[1][0] = 1;
            cells[1][1] = 0;
        }
    }
    int rc = TIX_OK;
    for (uint32_t row = lat_lo; row <= lat_hi && rc == TIX_OK; row++)
        for (int r = 0; r < 2 && rc == TIX_OK; r++)
            if (cells[r][0] <= cells[r][1])
                rc = scan_row(q, row, cells[r][0], cells[r][1]);
    return rc;
}

static int by_distance(const void *a, const void *b)
{
    const near_hit *x = a, *y = b;
    if (x->km != y->km) return x->km < y->km ? -1 : 1;
    return x->id < y->id ? -1 : x->id > y->id;
}

static int nearby_txn(nearby_q *q, size_t limit, tix_venue_near_list **out)
{
    int rc = scan_cells(q);
    if (rc) return rc;
    if (q->n) qsort(q->hits, q->n, sizeof *q->hits, by_distance);
    size_t n = limit && limit < q->n ? limit : q->n;
    tix_id *ids = malloc((n ? n : 1) * sizeof *ids);
    if (!ids) return tix__err(TIX_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) ids[i] = q->hits[i].id;
    rc = tix__db_list_build(q->db, q->txn, TIX_T_VENUES, ids, n,
                         sizeof(tix_venue_near), tix__venue_decode,
                         (void **)out);
    free(ids);
    if (rc) return rc;
    for (size_t i = 0; i < n; i++) (*out)->items[i].distance_km = q->hits[i].km;
    return TIX_OK;
}

int tix_venue_nearby(tix_db *db, double lat, double lon, double radius_km,
                     size_t limit, tix_venue_near_list **out)
{
    if (out) *out = NULL;
    TIX__ARG(db);
    TIX__ARG(out);
    int rc = tix__validate_real("lat", lat, -90, 90);
    if (rc == TIX_OK) rc = tix__validate_real("lon", lon, -180, 180);
    if (rc == TIX_OK)
        rc = tix__validate_real("radius_km", radius_km, 0, TIX_NEARBY_RADIUS_MAX);
    if (rc == TIX_OK && radius_km <= 0)
        rc = tix__err(TIX_ERANGE, "radius_km must be above 0");
    if (rc) return rc;
    nearby_q q = {.db = db, .lat = lat, .lon = lon, .radius = radius_km};
    if ((rc = tix__db_read_begin(db, &q.txn))) return rc;
    rc = nearby_txn(&q, limit, out);
    tix__db_read_end(db, q.txn);
    free(q.hits);
    return rc;
}

void tix_venue_near_list_free(tix_venue_near_list *l) { free(l); }

int tix__nearby_index(tix_db *db, MDB_txn *txn, tix_id venue,
                      const double *old, double lat, double lon)
{
    if (isnan(lat)) return forget(db, txn, venue, old[0], old[1]);
    return old ? tix__nearby_move(db, txn, venue, old[0], old[1], lat, lon)
               : tix__nearby_put(db, txn, venue, lat, lon);
}
