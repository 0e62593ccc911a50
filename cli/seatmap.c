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
    double y;
    size_t first, count; /* seats are in index order, rows contiguous */
} trow;

static int trow_cmp(const void *a, const void *b)
{
    const trow *x = a, *y = b;
    if (x->y != y->y) return x->y < y->y ? -1 : 1;
    return x->first < y->first ? -1 : x->first > y->first;
}

int seatmap_text(const seatmap_in *in, int color, int force)
{
    const cli_show *s = in->s;
    size_t n = seat_n(in);
    if (n == 0) return 0;
    double pitch = estimate_pitch(s, n);
    bbox b = bounds(s, n);
    long cols = lround((b.x1 - b.x0) / pitch) + 1;
    /* Rows: runs of seats with one label (seats are added row by row). */
    trow *rows = malloc(n * sizeof *rows);
    if (!rows) return 0;
    size_t nr = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        double ysum = 0;
        while (j < n && !strcmp(s->seats->items[j].row, s->seats->items[i].row)) {
            ysum += s->seats->items[j].y;
            j++;
        }
        rows[nr++] = (trow){s->seats->items[i].row, ysum / (double)(j - i), i, j - i};
        i = j;
    }
    if (!force && (cols > TEXT_MAX_COLS || nr > TEXT_MAX_ROWS)) {
        free(rows);
        return 1;
    }
    if (cols > 4000) cols = 4000; /* --map on a huge layout: clip */
    qsort(rows, nr, sizeof *rows, trow_cmp);
    char *line = malloc((size_t)cols + 1);
    const char **paint = malloc((size_t)cols * sizeof *paint);
    char (*pbuf)[32] = malloc((size_t)cols * sizeof *pbuf);
    if (!line || !paint || !pbuf) {
        free(line);
        free(paint);
        free(pbuf);
        free(rows);
        return 0;
    }
    int width = (int)cols;
    int pad = width > 14 ? (width - 14) / 2 : 0;
    printf("      %*s%s\n", pad, "", "---- SCREEN ----");
    for (size_t r = 0; r < nr; r++) {
        memset(line, ' ', (size_t)cols);
        for (long k = 0; k < cols; k++) paint[k] = NULL;
        for (size_t i = rows[r].first; i < rows[r].first + rows[r].count; i++) {
            const tix_seat *t = &s->seats->items[i];
            long col = lround((t->x - b.x0) / pitch);
            if (col < 0 || col >= cols) continue;
            line[col] = glyph(s, t, in->states[i]);
            if (color) paint[col] = ansi(s, t, in->states[i], pbuf[col]);
        }
        printf("  %-4s", rows[r].label);
        for (long k = 0; k < cols; k++) {
            if (paint[k]) printf("%s%c\033[0m", paint[k], line[k]);
            else putchar(line[k]);
        }
        putchar('\n');
    }
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
    return 0;
}

/* ------------------------------------------------------------------------ */
/* SVG                                                                       */

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

int seatmap_svg(const seatmap_in *in, const char *path)
{
    const cli_show *s = in->s;
    size_t n = seat_n(in);
    double pitch = estimate_pitch(s, n);
    bbox b = bounds(s, n);
    int arena = is_arena(s, n, b);
    /* Scale: about 22 px per seat, at most 3000 px of seats across. */
    double span = fmax(b.x1 - b.x0, b.y1 - b.y0) + pitch;
    double k = 22.0 / pitch;
    if (span * k > 3000) k = 3000 / span;
    double seat = fmax(pitch * k * 0.82, 1.5);
    double margin = 40, top = arena ? 70 : 120;
    double width = (b.x1 - b.x0) * k + seat + 2 * margin + 30;
    if (width < 560) width = 560;
    double mapw = (b.x1 - b.x0) * k;
    double ox = (width - mapw) / 2, oy = top;
    double maph = (b.y1 - b.y0) * k + seat;
    size_t legend_rows = 2 + (s->tiers->count + 3) / 4;
    double height = oy + maph + 40 + 26.0 * (double)legend_rows + 20;
    int titles = n <= 5000;

    FILE *f = fopen(path, "w");
    if (!f) return errno;
    fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" "
               "height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" "
               "font-family=\"DejaVu Sans, Arial, sans-serif\">\n",
            width, height, width, height);
    fputs("<title>", f);
    xml_text(f, in->title);
    fputs("</title>\n", f);
    /* Seat colors by class: tier fill, then state, then accessibility. */
    double access_w = fmax(seat / 8, 1.5);
    fprintf(f, "<style>\n.s{stroke:#263238;stroke-width:%.2f}\n",
            fmax(seat / 20, 0.3));
    for (size_t t = 0; t < N_TIER_COLORS; t++)
        fprintf(f, ".t%zu{fill:%s}\n", t + 1, tier_fill[t]);
    fprintf(f, ".held{fill:%s;stroke:#e65100}\n.booked{fill:%s;stroke:#9e9e9e}\n"
               ".blocked{fill:%s;stroke:#000000}\n"
               ".wheelchair,.companion{stroke:%s;stroke-width:%.2f}\n"
               ".companion{stroke-dasharray:2 1.5}\n</style>\n",
            HELD_FILL, BOOKED_FILL, BLOCKED_FILL, ACCESS_STROKE, access_w);
    fprintf(f, "<rect width=\"100%%\" height=\"100%%\" fill=\"#ffffff\"/>\n");
    fprintf(f, "<text x=\"%.1f\" y=\"28\" font-size=\"20\" font-weight=\"bold\" "
               "text-anchor=\"middle\" fill=\"#212121\">", width / 2);
    xml_text(f, in->title);
    fprintf(f, "</text>\n<text x=\"%.1f\" y=\"48\" font-size=\"12\" "
               "text-anchor=\"middle\" fill=\"#616161\">", width / 2);
    xml_text(f, in->subtitle);
    fputs("</text>\n", f);

    /* The screen edge (or the field). */
    if (arena) {
        double cx = ox + ((b.x0 + b.x1) / 2 - b.x0) * k + seat / 2;
        double cy = oy + ((b.y0 + b.y1) / 2 - b.y0) * k + seat / 2;
        double fw = (b.x1 - b.x0) * k * 0.30, fh = (b.y1 - b.y0) * k * 0.30;
        fprintf(f, "<g id=\"field\"><rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
                   "height=\"%.1f\" rx=\"%.1f\" fill=\"#a5d6a7\" "
                   "stroke=\"#2e7d32\" stroke-width=\"3\"/>\n",
                cx - fw / 2, cy - fh / 2, fw, fh, fh / 6);
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"%.0f\" "
                   "text-anchor=\"middle\" fill=\"#1b5e20\">FIELD</text></g>\n",
                cx, cy + 8, fmax(fh / 8, 14));
    } else {
        double x1 = ox + mapw * 0.1, x2 = ox + mapw * 0.9 + seat, y = oy - 40;
        if (x2 - x1 < 120) {
            x1 = width / 2 - 60;
            x2 = width / 2 + 60;
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

    /* Seats: as wide as their row's pitch (recliners are wider). */
    double rw = seat;
    fputs("<g id=\"seats\" stroke-width=\"1\">\n", f);
    for (size_t i = 0; i < n; i++) {
        const tix_seat *t = &s->seats->items[i];
        if (i == 0 || strcmp(t->row, s->seats->items[i - 1].row)) {
            double best = 0;
            for (size_t j = i + 1; j < n && !strcmp(s->seats->items[j].row, t->row); j++) {
                double d = hypot(s->seats->items[j].x - s->seats->items[j - 1].x,
                                 s->seats->items[j].y - s->seats->items[j - 1].y);
                if (d > 1e-9 && (best == 0 || d < best)) best = d;
            }
            rw = best > pitch ? fmin(best, 2 * pitch) * k * 0.82 : seat;
        }
        uint8_t st = in->states[i];
        double x = ox + (t->x - b.x0) * k, y = oy + (t->y - b.y0) * k;
        const char *cls;
        size_t slot = tier_slot(s, t->tier_id);
        switch (st) {
        case TIX_SEAT_FREE: cls = "free"; break;
        case TIX_SEAT_HELD:
        case TIX_SEAT_CONFIRMING: cls = "held"; break;
        case TIX_SEAT_BOOKED: cls = "booked"; break;
        default: cls = "blocked";
        }
        int wheel = (t->flags & TIX_SEAT_WHEELCHAIR) != 0;
        int comp = (t->flags & TIX_SEAT_COMPANION) != 0;
        /* Colors come from the classes (see the style sheet above). */
        if (wheel)
            fprintf(f, "<circle class=\"s t%zu %s wheelchair\" cx=\"%.1f\" "
                       "cy=\"%.1f\" r=\"%.1f\">",
                    slot % N_TIER_COLORS + 1, cls, x + seat / 2, y + seat / 2,
                    seat / 2 - access_w / 2);
        else
            fprintf(f, "<rect class=\"s t%zu %s%s\" x=\"%.1f\" y=\"%.1f\" "
                       "width=\"%.1f\" height=\"%.1f\" rx=\"%.1f\">",
                    slot % N_TIER_COLORS + 1, cls, comp ? " companion" : "",
                    x - (rw - seat) / 2, y, rw, seat, seat / 5);
        if (titles) {
            char nm[32], pr[48];
            const tix_tier *tr = slot < s->tiers->count ? &s->tiers->items[slot] : NULL;
            fputs("<title>", f);
            xml_text(f, cli_seat_name(nm, s, (uint32_t)i));
            fputs(" ", f);
            if (tr) {
                xml_text(f, tr->name);
                fprintf(f, " %s", cli_price(pr, tr->price_minor, tr->currency));
            }
            fprintf(f, " %s%s</title>", cls,
                    wheel ? " wheelchair" : comp ? " companion" : "");
        }
        fputs(wheel ? "</circle>\n" : "</rect>\n", f);
        if (st == TIX_SEAT_UNAVAILABLE && seat >= 6)
            fprintf(f, "<path d=\"M %.1f %.1f L %.1f %.1f M %.1f %.1f L %.1f "
                       "%.1f\" stroke=\"#ffffff\" stroke-width=\"1.2\"/>\n",
                    x + seat * .25, y + seat * .25, x + seat * .75, y + seat * .75,
                    x + seat * .75, y + seat * .25, x + seat * .25, y + seat * .75);
    }
    fputs("</g>\n", f);

    /* Row labels left of each row's first seat (small layouts only). */
    if (titles && !arena) {
        fputs("<g id=\"rows\" font-size=\"10\" fill=\"#757575\" "
              "text-anchor=\"end\">\n", f);
        for (size_t i = 0; i < n; i++) {
            const tix_seat *t = &s->seats->items[i];
            if (i && !strcmp(t->row, s->seats->items[i - 1].row)) continue;
            double minx = t->x;
            for (size_t j = i; j < n && !strcmp(s->seats->items[j].row, t->row); j++)
                minx = fmin(minx, s->seats->items[j].x);
            (void)minx; /* labels line up left of the widest row */
            fprintf(f, "<text x=\"%.1f\" y=\"%.1f\">", ox - 12 - seat * 0.5,
                    oy + (t->y - b.y0) * k + seat * 0.75);
            xml_text(f, t->row);
            fputs("</text>\n", f);
        }
        fputs("</g>\n", f);
    }

    /* Legend: tiers, then states. */
    double ly = oy + maph + 40;
    fputs("<g id=\"legend\" font-size=\"12\" fill=\"#212121\">\n", f);
    for (size_t t = 0; t < s->tiers->count; t++) {
        double lx = 30 + (double)(t % 4) * ((width - 60) / 4);
        double yy = ly + 26.0 * (double)(t / 4);
        char pr[48];
        fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"16\" height=\"16\" "
                   "rx=\"3\" fill=\"%s\" stroke=\"#263238\"/>",
                lx, yy, tier_fill[t % N_TIER_COLORS]);
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\">", lx + 22, yy + 13);
        xml_text(f, s->tiers->items[t].name);
        fprintf(f, " %s</text>\n",
                cli_price(pr, s->tiers->items[t].price_minor,
                          s->tiers->items[t].currency));
    }
    double sy = ly + 26.0 * (double)((s->tiers->count + 3) / 4);
    static const struct {
        const char *label, *fill, *stroke;
        int shape; /* 0 rect, 1 circle, 2 dashed rect */
    } st[] = {{"Held", HELD_FILL, "#e65100", 0},
              {"Booked", BOOKED_FILL, "#9e9e9e", 0},
              {"Blocked", BLOCKED_FILL, "#000000", 0},
              {"Wheelchair", "#ffffff", ACCESS_STROKE, 1},
              {"Companion", "#ffffff", ACCESS_STROKE, 2}};
    for (size_t i = 0; i < sizeof st / sizeof *st; i++) {
        double lx = 30 + (double)i * ((width - 60) / 5);
        if (st[i].shape == 1)
            fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"7\" fill=\"%s\" "
                       "stroke=\"%s\" stroke-width=\"2\"/>",
                    lx + 8, sy + 8, st[i].fill, st[i].stroke);
        else
            fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"16\" height=\"16\" "
                       "rx=\"3\" fill=\"%s\" stroke=\"%s\"%s/>",
                    lx, sy, st[i].fill, st[i].stroke,
                    st[i].shape == 2
                        ? " stroke-width=\"2\" stroke-dasharray=\"2 1.5\""
                        : "");
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\">%s</text>\n", lx + 22, sy + 13,
                st[i].label);
    }
    fputs("</g>\n</svg>\n", f);
    int err = ferror(f) ? EIO : 0;
    if (fclose(f) != 0 && !err) err = errno;
    return err;
}
