/* Seat maps of a show: a terminal view and an SVG picture.
 *
 * Seats are placed by their x/y positions. Smaller y is nearer the screen,
 * so the screen edge is drawn above the seats; a layout whose seats ring an
 * empty middle (a stadium) gets the field drawn in the middle instead. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* Tier colors (cheapest first), and the state colors: distinct from every
 * tier color. */
static const char *const tier_fill[] = {"#43a047", "#1e88e5", "#8e24aa",
                                        "#00897b", "#3949ab", "#d81b60",
                                        "#6d4c41", "#546e7a"};
#define N_TIER_COLORS (sizeof tier_fill / sizeof *tier_fill)
static const int tier_ansi[] = {34, 33, 129, 30, 61, 161, 94, 66};
#define HELD_FILL "#ffb300"
#define BOOKED_FILL "#bdbdbd"
#define BLOCKED_FILL "#424242"
#define ACCESS_STROKE "#0d47a1"

static size_t tier_slot(const cli_show *s, tix_id tier)
{
    for (size_t i = 0; i < s->tiers->count; i++)
        if (s->tiers->items[i].id == tier) return i;
    return 0;
}

static int dbl_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Seat pitch: the median x distance between neighbours in a row. */
static double estimate_pitch(const cli_show *s, size_t n)
{
    double *d = malloc((n ? n : 1) * sizeof *d);
    size_t k = 0;
    if (!d) return 1;
    for (size_t i = 1; i < n; i++) {
        const tix_seat *a = &s->seats->items[i - 1], *b = &s->seats->items[i];
        if (strcmp(a->row, b->row)) continue;
        double dx = hypot(b->x - a->x, b->y - a->y);
        if (dx > 1e-9) d[k++] = dx;
    }
    double p = 1;
    if (k) {
        qsort(d, k, sizeof *d, dbl_cmp);
        p = d[k / 2];
    }
    free(d);
    return p > 0 ? p : 1;
}

typedef struct bbox {
    double x0, x1, y0, y1;
} bbox;

static bbox bounds(const cli_show *s, size_t n)
{
    bbox b = {1e300, -1e300, 1e300, -1e300};
    for (size_t i = 0; i < n; i++) {
        const tix_seat *t = &s->seats->items[i];
        b.x0 = fmin(b.x0, t->x);
        b.x1 = fmax(b.x1, t->x);
        b.y0 = fmin(b.y0, t->y);
        b.y1 = fmax(b.y1, t->y);
    }
    if (n == 0) b = (bbox){0, 0, 0, 0};
    return b;
}

/* 1 when seats surround an empty middle: no seat in the central third and
 * seats in all four quadrants. */
static int is_arena(const cli_show *s, size_t n, bbox b)
{
    double cx = (b.x0 + b.x1) / 2, cy = (b.y0 + b.y1) / 2;
    double hx = (b.x1 - b.x0) / 6, hy = (b.y1 - b.y0) / 6;
    int quad = 0;
    for (size_t i = 0; i < n; i++) {
        const tix_seat *t = &s->seats->items[i];
        if (fabs(t->x - cx) < hx && fabs(t->y - cy) < hy) return 0;
        quad |= 1 << ((t->x > cx) * 2 + (t->y > cy));
    }
    return quad == 15 && n > 0;
}

static size_t seat_n(const seatmap_in *in)
{
    size_t n = in->s->show->seat_count;
    return n < in->s->seats->count ? n : in->s->seats->count;
}

/* ------------------------------------------------------------------------ */
/* Terminal                                                                  */

#define TEXT_MAX_COLS 220
#define TEXT_MAX_ROWS 300

static char glyph(const cli_show *s, const tix_seat *t, uint8_t st)
{
    switch (st) {
    case TIX_SEAT_FREE: {
        if (t->flags & TIX_SEAT_WHEELCHAIR) return 'w';
        if (t->flags & TIX_SEAT_COMPANION) return 'c';
        size_t k = tier_slot(s, t->tier_id);
        return k < 9 ? (char)('1' + k) : (char)('a' + (k - 9) % 26);
    }
    case TIX_SEAT_HELD:
    case TIX_SEAT_CONFIRMING: return 'h';
    case TIX_SEAT_BOOKED: return '#';
    default: return 'x';
    }
}

static const char *ansi(const cli_show *s, const tix_seat *t, uint8_t st,
                        char buf[32])
{
    switch (st) {
    case TIX_SEAT_FREE:
        if (t->flags & (TIX_SEAT_WHEELCHAIR | TIX_SEAT_COMPANION))
            return "\033[1;38;5;27m";
        snprintf(buf, 32, "\033[1;38;5;%dm",
                 tier_ansi[tier_slot(s, t->tier_id) % N_TIER_COLORS]);
        return buf;
    case TIX_SEAT_HELD:
    case TIX_SEAT_CONFIRMING: return "\033[1;38;5;214m";
    case TIX_SEAT_BOOKED: return "\033[38;5;244m";
    default: return "\033[38;5;238m";
    }
}

typedef struct trow {
    const char *label;
    double v;            /* across the rows: y, or the cut's own axis */
    size_t first, count; /* seats are in index order, rows contiguous */
} trow;

static int trow_cmp(const void *a, const void *b)
{
    const trow *x = a, *y = b;
    if (x->v != y->v) return x->v < y->v ? -1 : 1;
    return x->first < y->first ? -1 : x->first > y->first;
}

/* The section of a row labelled BLOCK-ROW ("L07" of "L07-12"): what the
 * SVG names blocks by. */
static int in_section(const char *row, const char *section)
{
    const char *dash = strrchr(row, '-');
    size_t n = strlen(section);
    return dash && (size_t)(dash - row) == n && !strncmp(row, section, n);
}

/* 1 when @p label is one of the comma-separated labels in @p list. */
static int in_list(const char *label, const char *list)
{
    size_t n = strlen(label);
    for (const char *p = list; *p;) {
        size_t k = strcspn(p, ",");
        if (k == n && !strncmp(p, label, n)) return 1;
        p += k + (p[k] == ',');
    }
    return 0;
}

/* Keeps the rows of the cut (--section, --rows A,B or --rows A..F in map
 * order), in place; returns how many. */
static size_t cut_rows(const seatmap_in *in, trow *rows, size_t nr)
{
    size_t k = 0;
    for (size_t r = 0; r < nr; r++)
        if (!in->section || in_section(rows[r].label, in->section))
            rows[k++] = rows[r];
    nr = k;
    if (!in->rows) return nr;
    const char *dots = strstr(in->rows, "..");
    if (!dots) {
        k = 0;
        for (size_t r = 0; r < nr; r++)
            if (in_list(rows[r].label, in->rows)) rows[k++] = rows[r];
        return k;
    }
    char from[64];
    snprintf(from, sizeof from, "%.*s", (int)(dots - in->rows), in->rows);
    const char *to = dots + 2;
    size_t a = nr, b = nr;
    for (size_t r = 0; r < nr; r++) {
        if (a == nr && !strcmp(rows[r].label, from)) a = r;
        if (!strcmp(rows[r].label, to)) b = r;
    }
    if (a == nr || b == nr) return 0;
    if (a > b) { size_t t = a; a = b; b = t; }
    memmove(rows, rows + a, (b - a + 1) * sizeof *rows);
    return b - a + 1;
}

/* The direction seat numbers run in along the rows of @p rows: the x axis
 * for a hall (whichever way it is numbered, as before cuts existed), the
 * block's own axis for a turned stadium block, so its rows print as
 * rows. */
static void row_axis(const cli_show *s, const trow *rows, size_t nr,
                     double *ux, double *uy)
{
    double sx = 0, sy = 0;
    size_t m = 0;
    for (size_t r = 0; r < nr; r++) {
        if (rows[r].count < 2) continue;
        const tix_seat *a = &s->seats->items[rows[r].first];
        const tix_seat *b = &s->seats->items[rows[r].first + rows[r].count - 1];
        double d = hypot(b->x - a->x, b->y - a->y);
        if (d < 1e-9) continue;
        sx += (b->x - a->x) / d;
        sy += (b->y - a->y) / d;
        m++;
    }
    double len = hypot(sx, sy);
    *ux = 1;
    *uy = 0;
    if (m && len > 0.5 * (double)m && fabs(sy) > fabs(sx)) {
        *ux = sx / len;
        *uy = sy / len;
    }
}

/* The seat-number ruler: 1 and every fifth number of the longest row, each
 * ending at its seat's column, none touching the one before. */
static void ruler(const cli_show *s, const trow *rows, size_t nr,
                  const long *col_of, long cols, char *line, int lw)
{
    size_t best = 0;
    for (size_t r = 1; r < nr; r++)
        if (rows[r].count > rows[best].count) best = r;
    memset(line, ' ', (size_t)cols);
    long free_from = 0;
    for (size_t i = rows[best].first; i < rows[best].first + rows[best].count; i++) {
        uint32_t num = s->seats->items[i].number;
        long col = col_of[i];
        if (col < 0 || (num != 1 && num % 5)) continue;
        char d[16];
        int w = snprintf(d, sizeof d, "%u", num);
        long at = col - w + 1;
        if (at < free_from || col >= cols) continue;
        memcpy(line + at, d, (size_t)w);
        free_from = col + 2;
    }
    long end = cols;
    while (end > 0 && line[end - 1] == ' ') end--;
    printf("  %*s%.*s\n", lw, "", (int)end, line);
}

int seatmap_text(const seatmap_in *in, int color, int force)
{
    const cli_show *s = in->s;
    size_t n = seat_n(in);
    if (n == 0) return 0;
    double pitch = estimate_pitch(s, n);
    /* Rows: runs of seats with one label (seats are added row by row). */
    trow *rows = malloc(n * sizeof *rows);
    long *col_of = malloc(n * sizeof *col_of);
    if (!rows || !col_of) {
        free(rows);
        free(col_of);
        return 0;
    }
    size_t nr = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && !strcmp(s->seats->items[j].row, s->seats->items[i].row)) j++;
        rows[nr++] = (trow){s->seats->items[i].row, 0, i, j - i};
        i = j;
    }
    nr = cut_rows(in, rows, nr);
    if (nr == 0) {
        free(rows);
        free(col_of);
        return 2;
    }
    double ux, uy, u0 = 1e300, u1 = -1e300;
    row_axis(s, rows, nr, &ux, &uy);
    for (size_t r = 0; r < nr; r++) {
        double vsum = 0;
        for (size_t i = rows[r].first; i < rows[r].first + rows[r].count; i++) {
            const tix_seat *t = &s->seats->items[i];
            double u = t->x * ux + t->y * uy;
            u0 = fmin(u0, u);
            u1 = fmax(u1, u);
            vsum += t->y * ux - t->x * uy;
        }
        rows[r].v = vsum / (double)rows[r].count;
    }
    long cols = lround((u1 - u0) / pitch) + 1;
    if (!force && (cols > TEXT_MAX_COLS || nr > TEXT_MAX_ROWS)) {
        free(rows);
        free(col_of);
        return 1;
    }
    if (cols > 4000) cols = 4000; /* --map on a huge layout: clip */
    qsort(rows, nr, sizeof *rows, trow_cmp);
    for (size_t r = 0; r < nr; r++)
        for (size_t i = rows[r].first; i < rows[r].first + rows[r].count; i++) {
            const tix_seat *t = &s->seats->items[i];
            long col = lround((t->x * ux + t->y * uy - u0) / pitch);
            col_of[i] = col >= 0 && col < cols ? col : -1;
        }
    char *line = malloc((size_t)cols + 1);
    const char **paint = malloc((size_t)cols * sizeof *paint);
    char (*pbuf)[32] = malloc((size_t)cols * sizeof *pbuf);
    if (!line || !paint || !pbuf) {
        free(line);
        free(paint);
        free(pbuf);
        free(rows);
        free(col_of);
        return 0;
    }
    /* Row labels in a column of their own: 4 wide, or one more than the
     * longest ("L07-12"), so no label runs into its seats. */
    int lw = 4;
    for (size_t r = 0; r < nr; r++) {
        int len = (int)strlen(rows[r].label);
        if (len >= lw) lw = len + 1;
    }
    int width = (int)cols;
    int pad = width > 14 ? (width - 14) / 2 : 0;
    printf("  %*s%*s%s\n", lw, "", pad, "", "---- SCREEN ----");
    ruler(s, rows, nr, col_of, cols, line, lw);
    for (size_t r = 0; r < nr; r++) {
        memset(line, ' ', (size_t)cols);
        for (long k = 0; k < cols; k++) paint[k] = NULL;
        for (size_t i = rows[r].first; i < rows[r].first + rows[r].count; i++) {
            const tix_seat *t = &s->seats->items[i];
            long col = col_of[i];
            if (col < 0) continue;
            line[col] = glyph(s, t, in->states[i]);
            if (color) paint[col] = ansi(s, t, in->states[i], pbuf[col]);
        }
        printf("  %-*s", lw, rows[r].label);
        for (long k = 0; k < cols; k++) {
            if (paint[k]) printf("%s%c\033[0m", paint[k], line[k]);
            else putchar(line[k]);
        }
        putchar('\n');
    }
    if (nr > 12) ruler(s, rows, nr, col_of, cols, line, lw);
    printf("\n  legend:");
    for (size_t t = 0; t < s->tiers->count; t++) {
        char pr[48], cb[32];
        tix_seat fake = {.tier_id = s->tiers->items[t].id};
        if (color)
            printf(" %s%c\033[0m %s (%s)", ansi(s, &fake, TIX_SEAT_FREE, cb),
                   t < 9 ? (char)('1' + t) : (char)('a' + (t - 9) % 26),
                   s->tiers->items[t].name,
                   cli_price(pr, s->tiers->items[t].price_minor,
                             s->tiers->items[t].currency));
        else
            printf(" %c %s (%s)", t < 9 ? (char)('1' + t) : (char)('a' + (t - 9) % 26),
                   s->tiers->items[t].name,
                   cli_price(pr, s->tiers->items[t].price_minor,
                             s->tiers->items[t].currency));
    }
    printf("\n          w wheelchair  c companion  h held  # booked  x "
           "unavailable\n");
    free(line);
    free(paint);
    free(pbuf);
    free(rows);
    free(col_of);
    return 0;
}

/* ------------------------------------------------------------------------ */
/* SVG                                                                       */

/* Up to this many seats each seat is its own element with a tooltip; above
 * it (a stadium) a row's run of seats in one state is one <path>, which
 * keeps 150,000 seats to a few MB and still names every seat (see
 * docs/cli.md). */
#define SVG_EACH_MAX 5000

static void xml_text(FILE *f, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '&': fputs("&amp;", f); break;
        case '"': fputs("&quot;", f); break;
        default:
            if ((unsigned char)*s < 0x20 && *s != '\t' && *s != '\n') break;
            fputc(*s, f);
        }
    }
}

/* Characters, not bytes, of a UTF-8 string (for text width estimates). */
static size_t u8_len(const char *s)
{
    size_t n = 0;
    for (; s && *s; s++) n += ((unsigned char)*s & 0xc0) != 0x80;
    return n;
}

typedef struct svg {
    FILE *f;
    const seatmap_in *in;
    const cli_show *s;
    size_t n;
    bbox b;
    int arena;
    double pitch, k, seat, ox, oy, width, height, mapw, maph, access_w;
} svg;

static const char *state_class(uint8_t st)
{
    switch (st) {
    case TIX_SEAT_FREE: return "free";
    case TIX_SEAT_HELD:
    case TIX_SEAT_CONFIRMING: return "held";
    case TIX_SEAT_BOOKED: return "booked";
    default: return "blocked";
    }
}

static double sx(const svg *g, double x) { return g->ox + (x - g->b.x0) * g->k; }
static double sy(const svg *g, double y) { return g->oy + (y - g->b.y0) * g->k; }

/* Legend entries flow left to right and wrap by their estimated width, so
 * long tier names never run into the next entry. Returns the rows used. */
typedef struct legend_item {
    const char *fill, *stroke;
    int shape; /* 0 rect, 1 circle, 2 dashed rect */
    char text[256];
} legend_item;

static size_t legend_place(const svg *g, const legend_item *it, size_t n,
                           double *xs, size_t *row)
{
    double x = 30, room = g->width - 30;
    size_t r = 0;
    for (size_t i = 0; i < n; i++) {
        double w = 22 + 7.0 * (double)u8_len(it[i].text) + 24;
        if (x > 30 && x + w > room) {
            r++;
            x = 30;
        }
        xs[i] = x;
        row[i] = r;
        x += w;
    }
    return n ? r + 1 : 0;
}

static size_t legend_items(const svg *g, legend_item *it, size_t max)
{
    const cli_show *s = g->s;
    size_t n = 0;
    for (size_t t = 0; t < s->tiers->count && n + 5 < max; t++) {
        char pr[48];
        it[n] = (legend_item){tier_fill[t % N_TIER_COLORS], "#263238", 0, ""};
        snprintf(it[n].text, sizeof it[n].text, "%s %s", s->tiers->items[t].name,
                 cli_price(pr, s->tiers->items[t].price_minor,
                           s->tiers->items[t].currency));
        n++;
    }
    static const legend_item st[] = {{HELD_FILL, "#e65100", 0, "Held"},
                                     {BOOKED_FILL, "#9e9e9e", 0, "Booked"},
                                     {BLOCKED_FILL, "#000000", 0, "Blocked"},
                                     {"#ffffff", ACCESS_STROKE, 1, "Wheelchair"},
                                     {"#ffffff", ACCESS_STROKE, 2, "Companion"}};
    for (size_t i = 0; i < sizeof st / sizeof *st; i++) it[n++] = st[i];
    return n;
}

static void svg_legend(const svg *g, const legend_item *it, size_t n,
                       const double *xs, const size_t *row, double ly)
{
    FILE *f = g->f;
    fputs("<g id=\"legend\" font-size=\"12\" fill=\"#212121\">\n", f);
    for (size_t i = 0; i < n; i++) {
        double x = xs[i], y = ly + 26.0 * (double)row[i];
        if (it[i].shape == 1)
            fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"7\" fill=\"%s\" "
                       "stroke=\"%s\" stroke-width=\"2\"/>",
                    x + 8, y + 8, it[i].fill, it[i].stroke);
        else
            fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"16\" height=\"16\" "
                       "rx=\"3\" fill=\"%s\" stroke=\"%s\"%s/>",
                    x, y, it[i].fill, it[i].stroke,
                    it[i].shape == 2 ? " stroke-width=\"2\" stroke-dasharray=\"2 1.5\"" : "");
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\">", x + 22, y + 13);
        xml_text(f, it[i].text);
        fputs("</text>\n", f);
    }
    fputs("</g>\n", f);
}

static void svg_head(const svg *g)
{
    FILE *f = g->f;
    fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    /* No fixed size: the picture scales to whatever shows it. */
    fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %.0f %.0f\" "
               "font-family=\"DejaVu Sans, Arial, sans-serif\" data-seats=\"%zu\">\n",
            g->width, g->height, g->n);
    fputs("<title>", f);
    xml_text(f, g->in->title);
    fputs("</title>\n", f);
    /* Seat colors by class: tier fill, then state, then accessibility. */
    fprintf(f, "<style>\n.s{stroke:#263238;stroke-width:%.2f}\n", fmax(g->seat / 20, 0.3));
    for (size_t t = 0; t < N_TIER_COLORS; t++)
        fprintf(f, ".t%zu{fill:%s}\n", t + 1, tier_fill[t]);
    fprintf(f, ".held{fill:%s;stroke:#e65100}\n.booked{fill:%s;stroke:#9e9e9e}\n"
               ".blocked{fill:%s;stroke:#000000}\n"
               ".wheelchair,.companion{stroke:%s;stroke-width:%.2f}\n"
               ".companion{stroke-dasharray:2 1.5}\n</style>\n",
            HELD_FILL, BOOKED_FILL, BLOCKED_FILL, ACCESS_STROKE, g->access_w);
    fprintf(f, "<rect width=\"100%%\" height=\"100%%\" fill=\"#ffffff\"/>\n");
    fprintf(f, "<text x=\"%.1f\" y=\"28\" font-size=\"20\" font-weight=\"bold\" "
               "text-anchor=\"middle\" fill=\"#212121\">", g->width / 2);
    xml_text(f, g->in->title);
    fprintf(f, "</text>\n<text x=\"%.1f\" y=\"48\" font-size=\"12\" "
               "text-anchor=\"middle\" fill=\"#616161\">", g->width / 2);
    xml_text(f, g->in->subtitle);
    fputs("</text>\n", f);
}

static void svg_stage(const svg *g)
{
    FILE *f = g->f;
    const bbox b = g->b;
    double k = g->k, seat = g->seat;
    if (g->arena) {
        double cx = g->ox + ((b.x0 + b.x1) / 2 - b.x0) * k + seat / 2;
        double cy = g->oy + ((b.y0 + b.y1) / 2 - b.y0) * k + seat / 2;
        double fw = (b.x1 - b.x0) * k * 0.30, fh = (b.y1 - b.y0) * k * 0.30;
        fprintf(f, "<g id=\"field\"><rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
                   "height=\"%.1f\" rx=\"%.1f\" fill=\"#a5d6a7\" "
                   "stroke=\"#2e7d32\" stroke-width=\"3\"/>\n",
                cx - fw / 2, cy - fh / 2, fw, fh, fh / 6);
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"%.0f\" "
                   "text-anchor=\"middle\" fill=\"#1b5e20\">FIELD</text></g>\n",
                cx, cy + 8, fmax(fh / 8, 14));
        return;
    }
    double x1 = g->ox + g->mapw * 0.1, x2 = g->ox + g->mapw * 0.9 + seat, y = g->oy - 40;
    if (x2 - x1 < 120) {
        x1 = g->width / 2 - 60;
        x2 = g->width / 2 + 60;
    }
    fprintf(f, "<g id=\"screen\"><path d=\"M %.1f %.1f Q %.1f %.1f %.1f "
               "%.1f\" fill=\"none\" stroke=\"#455a64\" stroke-width=\"6\" "
               "stroke-linecap=\"round\"/>\n",
            x1, y, (x1 + x2) / 2, y - 22, x2, y);
    fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"13\" "
               "letter-spacing=\"6\" text-anchor=\"middle\" "
               "fill=\"#455a64\">SCREEN</text></g>\n",
            (x1 + x2) / 2, y + 18);
}

/* Width of the seats of the row starting at @i: as wide as the row's
 * pitch (recliners are wider), at most two normal seats. */
static double row_seat_w(const svg *g, size_t i)
{
    const tix_seat *it = g->s->seats->items;
    double best = 0;
    for (size_t j = i + 1; j < g->n && !strcmp(it[j].row, it[i].row); j++) {
        double d = hypot(it[j].x - it[j - 1].x, it[j].y - it[j - 1].y);
        if (d > 1e-9 && (best == 0 || d < best)) best = d;
    }
    return best > g->pitch ? fmin(best, 2 * g->pitch) * g->k * 0.82 : g->seat;
}

/* One seat as its own element: id, name, state and a tooltip. */
static void svg_seat(const svg *g, size_t i, double rw)
{
    FILE *f = g->f;
    const cli_show *s = g->s;
    const tix_seat *t = &s->seats->items[i];
    uint8_t st = g->in->states[i];
    double seat = g->seat, x = sx(g, t->x), y = sy(g, t->y);
    size_t slot = tier_slot(s, t->tier_id);
    const char *cls = state_class(st);
    int wheel = (t->flags & TIX_SEAT_WHEELCHAIR) != 0;
    int comp = (t->flags & TIX_SEAT_COMPANION) != 0;
    char nm[32], pr[48];
    cli_seat_name(nm, s, (uint32_t)i);
    if (wheel)
        fprintf(f, "<circle class=\"s t%zu %s wheelchair\" cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\"",
                slot % N_TIER_COLORS + 1, cls, x + seat / 2, y + seat / 2,
                seat / 2 - g->access_w / 2);
    else
        fprintf(f, "<rect class=\"s t%zu %s%s\" x=\"%.1f\" y=\"%.1f\" "
                   "width=\"%.1f\" height=\"%.1f\" rx=\"%.1f\"",
                slot % N_TIER_COLORS + 1, cls, comp ? " companion" : "",
                x - (rw - seat) / 2, y, rw, seat, seat / 5);
    fprintf(f, " id=\"s%zu\" data-seat=\"", i);
    xml_text(f, nm);
    fprintf(f, "\" data-state=\"%s\"><title>", cls);
    xml_text(f, nm);
    const tix_tier *tr = slot < s->tiers->count ? &s->tiers->items[slot] : NULL;
    if (tr) {
        fputs(" ", f);
        xml_text(f, tr->name);
        fprintf(f, " %s", cli_price(pr, tr->price_minor, tr->currency));
    }
    fprintf(f, " %s%s</title>%s\n", cls, wheel ? " wheelchair" : comp ? " companion" : "",
            wheel ? "</circle>" : "</rect>");
    if (st == TIX_SEAT_UNAVAILABLE && seat >= 6)
        fprintf(f, "<path d=\"M %.1f %.1f L %.1f %.1f M %.1f %.1f L %.1f "
                   "%.1f\" stroke=\"#ffffff\" stroke-width=\"1.2\"/>\n",
                x + seat * .25, y + seat * .25, x + seat * .75, y + seat * .75,
                x + seat * .75, y + seat * .25, x + seat * .25, y + seat * .75);
}

/* A seat that must stand alone even in a big layout: a wheelchair space
 * or companion seat (their marks), the rest go into runs. */
static int seat_alone(const svg *g, size_t i)
{
    return (g->s->seats->items[i].flags & (TIX_SEAT_WHEELCHAIR | TIX_SEAT_COMPANION)) != 0;
}

/* Seats [i, j) of one row in one state and tier as one <path>, one square
 * per seat in index order; data-seats gives the first and last index, so
 * seat i + m is the path's m-th square. The tooltip names the run. */
static void svg_run(const svg *g, size_t i, size_t j)
{
    FILE *f = g->f;
    const cli_show *s = g->s;
    const tix_seat *it = s->seats->items;
    size_t slot = tier_slot(s, it[i].tier_id);
    const char *cls = state_class(g->in->states[i]);
    double w = g->seat;
    fprintf(f, "<path class=\"s t%zu %s\" id=\"r%zu\" data-seats=\"%zu-%zu\" "
               "data-state=\"%s\" data-row=\"", slot % N_TIER_COLORS + 1, cls, i, i, j - 1, cls);
    xml_text(f, it[i].row);
    fputs("\" d=\"", f);
    for (size_t m = i; m < j; m++)
        fprintf(f, "M%.1f %.1fh%.1fv%.1fh-%.1fz", sx(g, it[m].x), sy(g, it[m].y), w, w, w);
    char a[32], b[32], pr[48];
    fputs("\"><title>", f);
    xml_text(f, cli_seat_name(a, s, (uint32_t)i));
    if (j - i > 1) {
        fputs("\xe2\x80\x93", f);
        xml_text(f, cli_seat_name(b, s, (uint32_t)(j - 1)));
    }
    const tix_tier *tr = slot < s->tiers->count ? &s->tiers->items[slot] : NULL;
    if (tr) {
        fputs(" ", f);
        xml_text(f, tr->name);
        fprintf(f, " %s", cli_price(pr, tr->price_minor, tr->currency));
    }
    fprintf(f, " %s</title></path>\n", cls);
}

static void svg_seats(const svg *g)
{
    const tix_seat *it = g->s->seats->items;
    const uint8_t *st = g->in->states;
    double rw = g->seat;
    fputs("<g id=\"seats\" stroke-width=\"1\">\n", g->f);
    for (size_t i = 0; i < g->n;) {
        int row_start = i == 0 || strcmp(it[i].row, it[i - 1].row);
        if (row_start) rw = row_seat_w(g, i);
        if (g->n <= SVG_EACH_MAX || seat_alone(g, i)) {
            svg_seat(g, i, rw);
            i++;
            continue;
        }
        size_t j = i + 1;
        while (j < g->n && !strcmp(it[j].row, it[i].row) && !seat_alone(g, j) &&
               state_class(st[j]) == state_class(st[i]) && it[j].tier_id == it[i].tier_id)
            j++;
        svg_run(g, i, j);
        i = j;
    }
    fputs("</g>\n", g->f);
}

/* Row labels: left of the rows of a cinema; one seat before each row's
 * first seat, along the row, in a stadium (small: read them zoomed in). */
static void svg_row_labels(const svg *g)
{
    FILE *f = g->f;
    const tix_seat *it = g->s->seats->items;
    double fs = g->arena ? fmax(g->seat * 0.9, 1.2) : 10;
    fprintf(f, "<g id=\"rows\" font-size=\"%.1f\" fill=\"#757575\" text-anchor=\"%s\">\n",
            fs, g->arena ? "middle" : "end");
    for (size_t i = 0; i < g->n; i++) {
        if (i && !strcmp(it[i].row, it[i - 1].row)) continue;
        double x, y;
        if (g->arena) {
            size_t j = i + 1 < g->n && !strcmp(it[i + 1].row, it[i].row) ? i + 1 : i;
            double dx = it[j].x - it[i].x, dy = it[j].y - it[i].y, d = hypot(dx, dy);
            if (d < 1e-9) dx = 1, dy = 0, d = 1;
            x = sx(g, it[i].x - dx / d * g->pitch * 1.2) + g->seat / 2;
            y = sy(g, it[i].y - dy / d * g->pitch * 1.2) + g->seat * 0.75;
        } else {
            x = g->ox - 12 - g->seat * 0.5;
            y = sy(g, it[i].y) + g->seat * 0.75;
        }
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\">", x, y);
        xml_text(f, it[i].row);
        fputs("</text>\n", f);
    }
    fputs("</g>\n", f);
}

/* Sections: rows labelled BLOCK-ROW ("L07-12") group into block L07, named
 * at the middle of its seats. */
static void svg_sections(const svg *g)
{
    const tix_seat *it = g->s->seats->items;
    int open = 0;
    for (size_t i = 0; i < g->n;) {
        const char *dash = strrchr(it[i].row, '-');
        size_t len = dash ? (size_t)(dash - it[i].row) : 0;
        size_t j = i;
        double x = 0, y = 0;
        while (j < g->n && len && !strncmp(it[j].row, it[i].row, len) && it[j].row[len] == '-') {
            x += it[j].x;
            y += it[j].y;
            j++;
        }
        if (j == i) {
            i++;
            continue;
        }
        if (!open++)
            fputs("<g id=\"sections\" font-size=\"11\" font-weight=\"bold\" fill=\"#212121\" "
                  "text-anchor=\"middle\" stroke=\"#ffffff\" stroke-width=\"2.5\" "
                  "paint-order=\"stroke\">\n", g->f);
        fprintf(g->f, "<text x=\"%.1f\" y=\"%.1f\">", sx(g, x / (double)(j - i)),
                sy(g, y / (double)(j - i)) + 4);
        char name[TIX_NAME_MAX + 1];
        snprintf(name, sizeof name, "%.*s", (int)len, it[i].row);
        xml_text(g->f, name);
        fputs("</text>\n", g->f);
        i = j;
    }
    if (open) fputs("</g>\n", g->f);
}

int seatmap_svg(const seatmap_in *in, const char *path)
{
    svg g = {.in = in, .s = in->s, .n = seat_n(in)};
    g.pitch = estimate_pitch(g.s, g.n);
    g.b = bounds(g.s, g.n);
    g.arena = is_arena(g.s, g.n, g.b);
    /* Scale: about 22 px per seat, at most 3000 px of seats across. */
    double span = fmax(g.b.x1 - g.b.x0, g.b.y1 - g.b.y0) + g.pitch;
    g.k = 22.0 / g.pitch;
    if (span * g.k > 3000) g.k = 3000 / span;
    g.seat = fmax(g.pitch * g.k * 0.82, 1.5);
    g.access_w = fmax(g.seat / 8, 1.5);
    double margin = 40, top = g.arena ? 70 : 120;
    g.width = fmax((g.b.x1 - g.b.x0) * g.k + g.seat + 2 * margin + 30, 560);
    g.mapw = (g.b.x1 - g.b.x0) * g.k;
    g.ox = (g.width - g.mapw) / 2;
    g.oy = top;
    g.maph = (g.b.y1 - g.b.y0) * g.k + g.seat;
    legend_item items[64];
    double xs[64];
    size_t rows[64];
    size_t ni = legend_items(&g, items, 64);
    size_t lrows = legend_place(&g, items, ni, xs, rows);
    double ly = g.oy + g.maph + 40;
    g.height = ly + 26.0 * (double)lrows + 20;

    g.f = fopen(path, "w");
    if (!g.f) return errno;
    svg_head(&g);
    svg_stage(&g);
    svg_seats(&g);
    svg_row_labels(&g);
    svg_sections(&g);
    svg_legend(&g, items, ni, xs, rows, ly);
    fputs("</svg>\n", g.f);
    int err = ferror(g.f) ? EIO : 0;
    if (fclose(g.f) != 0 && !err) err = errno;
    return err;
}
