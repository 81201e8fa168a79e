/*
 * write/out_svg.c — the national map as an SVG picture for the annual report.
 *
 * An A4-landscape page (297 × 210 mm, 4 SVG units per millimetre): the title and subtitle
 * at the top, the map on the left, the legends (classes, then sectors) on the right, the
 * note on the overseas insets and the credit line at the bottom. The layout's coordinates
 * (metres, y up) are scaled uniformly into the map box (y down) and printed with one
 * decimal, consecutive points that round to the same place dropped. Fonts are generic
 * (sans-serif) so that any browser or rsvg-convert draws it.
 */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/ctx.h"
#include "core/util.h"
#include "geom/geom.h"
#include "write/cartography.h"
#include "write/qgis_xml.h"
#include "write/writers.h"

#define SVG_W 1188.0
#define SVG_H 840.0
#define MAP_X 24.0
#define MAP_Y 104.0
#define MAP_W 800.0
#define MAP_H 680.0
#define LEGEND_X 856.0
#define LEGEND_TOP 128.0
#define LEGEND_BOTTOM 790.0

#define NO_CLASS_COLOR "#d9d9d9"
#define NO_SECTOR_COLOR "#808080"

/* Layout metres to SVG units. `view`, when `viewed`: the clip rectangle the drawing is seen
 * through (tenths of a unit, x0 y0 x1 y1); a ring wholly outside it, margin included, is not
 * written (see ring_to_path). */
typedef struct svg_tx {
    double xmin, ymax, scale, ox, oy;
    int viewed;
    long long view[4];
} svg_tx;

/* How far a ring's drawing reaches beyond its vertices, in tenths of a unit: half the widest
 * stroke (1.2 for region borders), a miter join at the default limit of 4 on the frames'
 * 0.9 stroke (1.8) and a pixel of antialiasing at 300 dpi (0.34), rounded up generously. */
#define VIEW_MARGIN_TENTHS 50

static svg_tx make_tx(const double e[4])
{
    double w = e[2] - e[0], h = e[3] - e[1];
    double s = fmin(MAP_W / w, MAP_H / h);
    svg_tx t = {e[0], e[3], s, MAP_X + (MAP_W - w * s) / 2, MAP_Y + (MAP_H - h * s) / 2, 0,
                {0, 0, 0, 0}};
    return t;
}

/* Tenths of an SVG unit, clamped far outside the page so that the integer cannot overflow. */
static long long tenths(double v)
{
    if (!(v > -1e9))
        v = -1e9;
    if (v > 1e9)
        v = 1e9;
    return llround(v * 10);
}

static void tx_tenths(const svg_tx *t, double x, double y, long long *sx, long long *sy)
{
    *sx = tenths(t->ox + (x - t->xmin) * t->scale);
    *sy = tenths(t->oy + (t->ymax - y) * t->scale);
}

/* A number of tenths with one decimal, ".0" left out. */
static void put_tenths(util_strbuf *sb, long long v)
{
    /* Digits by hand: printf here was most of the time of writing the map. */
    char buf[32];
    int n = sizeof buf;
    unsigned long long u = v < 0 ? (unsigned long long)-v : (unsigned long long)v;
    if (u % 10) {
        buf[--n] = (char)('0' + u % 10);
        buf[--n] = '.';
    }
    u /= 10;
    do {
        buf[--n] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        buf[--n] = '-';
    util_sb_append_n(sb, buf + n, sizeof buf - (size_t)n);
}

static void num(util_strbuf *sb, double v)
{
    put_tenths(sb, tenths(v));
}

/* Validated "#rrggbb" in lower case; NULL gives `fallback`. 0 when the colour is invalid. */
static int color_text(const char *color, const char *fallback, char out[8])
{
    unsigned char rgb[3];
    if (!qgis_xml_color_parse(color ? color : fallback, rgb))
        return 0;
    snprintf(out, 8, "#%02x%02x%02x", rgb[0], rgb[1], rgb[2]);
    return 1;
}

/* ---- polygons to path data ---- */

typedef struct path_builder {
    util_strbuf *sb;
    const svg_tx *tx;
} path_builder;

static int ring_to_path(void *user, int polygon_index, int is_hole, const double *xs,
                        const double *ys, unsigned n)
{
    (void)polygon_index;
    (void)is_hole;
    path_builder *pb = user;
    util_strbuf *sb = pb->sb;
    size_t start = sb->len;
    long long first_x = 0, first_y = 0, last_x = 0, last_y = 0;
    long long bx0 = 0, by0 = 0, bx1 = 0, by1 = 0; /* box of the vertices written */
    unsigned kept = 0;
    for (unsigned i = 0; i < n; i++) {
        long long x, y;
        tx_tenths(pb->tx, xs[i], ys[i], &x, &y);
        if (kept && x == last_x && y == last_y)
            continue;
        if (kept && i == n - 1 && x == first_x && y == first_y)
            continue; /* the closing point: Z draws it */
        util_sb_append(sb, kept == 0 ? "M" : kept == 1 ? "L" : " ");
        put_tenths(sb, x);
        util_sb_append_char(sb, ' ');
        put_tenths(sb, y);
        if (kept == 0) {
            first_x = bx0 = bx1 = x;
            first_y = by0 = by1 = y;
        }
        bx0 = x < bx0 ? x : bx0;
        bx1 = x > bx1 ? x : bx1;
        by0 = y < by0 ? y : by0;
        by1 = y > by1 ? y : by1;
        last_x = x;
        last_y = y;
        kept++;
    }
    /* A ring wholly outside the view (its holes lie within its box, so they go with it)
     * changes no pixel of the clipped drawing: the zoom inset would otherwise carry every
     * outline of the country. */
    const long long *v = pb->tx->view;
    bool unseen = pb->tx->viewed &&
                  (bx1 < v[0] - VIEW_MARGIN_TENTHS || bx0 > v[2] + VIEW_MARGIN_TENTHS ||
                   by1 < v[1] - VIEW_MARGIN_TENTHS || by0 > v[3] + VIEW_MARGIN_TENTHS);
    if (kept < 3 || unseen) {
        /* Smaller than a tenth of a unit, or out of view: nothing to draw. */
        sb->len = start;
        if (sb->data)
            sb->data[start] = '\0';
    } else {
        util_sb_append_char(sb, 'Z');
    }
    return 0;
}

/* Appends <path …attrs d="…"/> for a (Multi)Polygon; nothing when it is too small to see. */
static ptce_status polygon_path(ptce_ctx *ctx, util_strbuf *sb, util_strbuf *scratch, const svg_tx *tx,
                                const GEOSGeometry *g, const char *attrs)
{
    scratch->len = 0;
    if (scratch->data)
        scratch->data[0] = '\0';
    path_builder pb = {scratch, tx};
    ptce_status status = geom_visit_rings(ctx, g, GEOM_RINGS_SHAPEFILE, ring_to_path, &pb);
    if (!status && scratch->failed) /* not "too small to see": the polygon would be lost */
        status = ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
    if (status || scratch->len == 0)
        return status;
    util_sb_printf(sb, "    <path%s d=\"", attrs);
    util_sb_append_n(sb, scratch->data, scratch->len);
    util_sb_append(sb, "\"/>\n");
    return PTCE_OK;
}

/* ---- text ---- */

static void text_open(util_strbuf *sb, int indent, double x, double y, const char *style)
{
    for (int i = 0; i < indent; i++)
        util_sb_append_char(sb, ' ');
    util_sb_append(sb, "<text x=\"");
    num(sb, x);
    util_sb_append(sb, "\" y=\"");
    num(sb, y);
    util_sb_printf(sb, "\"%s>", style);
}

static void text_line(util_strbuf *sb, int indent, double x, double y, const char *style,
                      const char *text)
{
    text_open(sb, indent, x, y, style);
    qgis_xml_escape(sb, text);
    util_sb_append(sb, "</text>\n");
}

/* ---- checks ---- */

static ptce_status check_map(ptce_ctx *ctx, const char *name, const carto_svg_map *m)
{
    if (!name || !*name)
        return ptce_fail(ctx, PTCE_ERR_USAGE, "carte SVG : nom de fichier vide.");
    const double *e = m->extent;
    if (!isfinite(e[0]) || !isfinite(e[1]) || !isfinite(e[2]) || !isfinite(e[3]) ||
        e[2] <= e[0] || e[3] <= e[1])
        return ptce_fail(ctx, PTCE_ERR_USAGE, "%s : emprise de la carte invalide.", name);
    if ((m->nareas && !m->areas) || (m->noutlines && !m->outlines) ||
        (m->npoints && !m->points) || (m->nframes && !m->frames) ||
        (m->nclasses && !m->classes) || (m->ncats && !m->cats))
        return ptce_fail(ctx, PTCE_ERR_USAGE, "%s : une liste annoncée est absente.", name);
    char c[8];
    for (size_t i = 0; i < m->nareas; i++) {
        if (!m->areas[i].geom)
            return ptce_fail(ctx, PTCE_ERR_USAGE, "%s : la zone n° %zu n'a pas de géométrie.",
                             name, i + 1);
        if (!color_text(m->areas[i].color, NO_CLASS_COLOR, c))
            return ptce_fail(ctx, PTCE_ERR_USAGE,
                             "%s : couleur « %s » invalide pour la zone n° %zu (attendu : "
                             "#rrvvbb).", name, m->areas[i].color, i + 1);
    }
    for (size_t i = 0; i < m->noutlines; i++)
        if (!m->outlines[i].geom)
            return ptce_fail(ctx, PTCE_ERR_USAGE,
                             "%s : le contour n° %zu n'a pas de géométrie.", name, i + 1);
    for (size_t i = 0; i < m->nframes; i++)
        if (!m->frames[i].geom)
            return ptce_fail(ctx, PTCE_ERR_USAGE,
                             "%s : l'encadré n° %zu n'a pas de géométrie.", name, i + 1);
    for (size_t i = 0; i < m->npoints; i++) {
        if (!isfinite(m->points[i].x) || !isfinite(m->points[i].y))
            return ptce_fail(ctx, PTCE_ERR_USAGE,
                             "%s : le point n° %zu a des coordonnées invalides.", name, i + 1);
        if (!color_text(m->points[i].color, NO_SECTOR_COLOR, c))
            return ptce_fail(ctx, PTCE_ERR_USAGE,
                             "%s : couleur « %s » invalide pour le point n° %zu (attendu : "
                             "#rrvvbb).", name, m->points[i].color, i + 1);
    }
    for (size_t i = 0; i < m->nclasses; i++)
        if (!color_text(m->classes[i].color, NULL, c))
            return ptce_fail(ctx, PTCE_ERR_USAGE,
                             "%s : couleur « %s » invalide pour la classe « %s » (attendu : "
                             "#rrvvbb).", name, m->classes[i].color ? m->classes[i].color : "",
                             m->classes[i].label ? m->classes[i].label : "");
    for (size_t i = 0; i < m->ncats; i++)
        if (!color_text(m->cats[i].color, NULL, c))
            return ptce_fail(ctx, PTCE_ERR_USAGE,
                             "%s : couleur « %s » invalide pour la catégorie « %s » (attendu : "
                             "#rrvvbb).", name, m->cats[i].color ? m->cats[i].color : "",
                             m->cats[i].value ? m->cats[i].value : "");
    return PTCE_OK;
}

/* ---- drawing ---- */

/* The layout's zoomed part: a transformation from `src` into `dst`, then the page's. */
static svg_tx zoom_tx(const svg_tx *page, const carto_svg_zoom *z)
{
    double k = fmin((z->dst[2] - z->dst[0]) / (z->src[2] - z->src[0]),
                    (z->dst[3] - z->dst[1]) / (z->src[3] - z->src[1]));
    /* Centred in dst. */
    double cx = (z->dst[0] + z->dst[2]) / 2, cy = (z->dst[1] + z->dst[3]) / 2;
    double sx0 = cx - (z->src[2] - z->src[0]) * k / 2, sy1 = cy + (z->src[3] - z->src[1]) * k / 2;
    svg_tx t = {z->src[0], z->src[3], page->scale * k,
                page->ox + (sx0 - page->xmin) * page->scale,
                page->oy + (page->ymax - sy1) * page->scale, 0, {0, 0, 0, 0}};
    return t;
}

static double zoom_factor(const carto_svg_zoom *z)
{
    return fmin((z->dst[2] - z->dst[0]) / (z->src[2] - z->src[0]),
                (z->dst[3] - z->dst[1]) / (z->src[3] - z->src[1]));
}

/* Diagonal grey hatching over an area: parallel lines across its box, clipped to it (a
 * clip path is drawn much faster than a pattern by librsvg at print resolution). */
static ptce_status hatch_area(ptce_ctx *ctx, util_strbuf *sb, util_strbuf *scratch, const svg_tx *tx,
                              const GEOSGeometry *g, const char *id, size_t index)
{
    double x0, y0, x1, y1;
    if (!GEOSGeom_getXMin_r(ctx->geos, g, &x0) || !GEOSGeom_getYMin_r(ctx->geos, g, &y0) ||
        !GEOSGeom_getXMax_r(ctx->geos, g, &x1) || !GEOSGeom_getYMax_r(ctx->geos, g, &y1))
        return PTCE_OK; /* empty: nothing to hatch */
    long long sx0, sy0, sx1, sy1;
    tx_tenths(tx, x0, y1, &sx0, &sy0);
    tx_tenths(tx, x1, y0, &sx1, &sy1);
    char clip[64];
    snprintf(clip, sizeof clip, "hachures%s-%zu", id, index);
    size_t start = sb->len;
    util_sb_printf(sb, "    <clipPath id=\"%s\">\n", clip);
    size_t opened = sb->len;
    ptce_status st = polygon_path(ctx, sb, scratch, tx, g, "");
    if (st)
        return st;
    if (sb->len == opened) {
        /* Too small or out of view (see ring_to_path): no hatching to see either. */
        sb->len = start;
        if (sb->data)
            sb->data[start] = '\0';
        return PTCE_OK;
    }
    util_sb_append(sb, "    </clipPath>\n");
    util_sb_printf(sb, "    <path clip-path=\"url(#%s)\" fill=\"none\" stroke=\"#8c8c8c\" "
                  "stroke-width=\"0.8\" d=\"", clip);
    /* Lines x - y = c every 6 units, from the box's top-left to its bottom-right. */
    double bx0 = sx0 / 10.0, by0 = sy0 / 10.0, bx1 = sx1 / 10.0, by1 = sy1 / 10.0;
    double h = by1 - by0;
    for (double c = bx0 - h; c <= bx1; c += 6) {
        util_sb_append_char(sb, 'M');
        num(sb, c);
        util_sb_append_char(sb, ' ');
        num(sb, by1);
        util_sb_append_char(sb, 'L');
        num(sb, c + h);
        util_sb_append_char(sb, ' ');
        num(sb, by0);
    }
    util_sb_append(sb, "\"/>\n");
    return PTCE_OK;
}

/* Region fills, département outlines, region borders (heavier), points: the map's content
 * through one transformation (the page's or a zoom's). Only points inside `only` (layout
 * coordinates; NULL for all) are drawn. */
static ptce_status draw_content(ptce_ctx *ctx, util_strbuf *sb, const carto_svg_map *m, const svg_tx *tx,
                                const double *only, const char *id)
{
    util_strbuf scratch;
    util_sb_init(&scratch);
    ptce_status status = PTCE_OK;
    char c[8], attrs[96];
    util_sb_printf(sb, "   <g id=\"zones%s\" stroke=\"none\" fill-rule=\"evenodd\">\n", id);
    for (size_t i = 0; i < m->nareas && !status; i++) {
        color_text(m->areas[i].color, NO_CLASS_COLOR, c);
        snprintf(attrs, sizeof attrs, " fill=\"%s\"", c);
        status = polygon_path(ctx, sb, &scratch, tx, m->areas[i].geom, attrs);
        if (!status && m->areas[i].hatched)
            status = hatch_area(ctx, sb, &scratch, tx, m->areas[i].geom, id, i);
    }
    util_sb_append(sb, "   </g>\n");
    util_sb_printf(sb, "   <g id=\"departements%s\" fill=\"none\" stroke=\"#ffffff\" "
                  "stroke-width=\"0.5\" stroke-linejoin=\"round\" stroke-opacity=\"0.9\">\n", id);
    for (size_t i = 0; i < m->noutlines && !status; i++)
        status = polygon_path(ctx, sb, &scratch, tx, m->outlines[i].geom, "");
    util_sb_append(sb, "   </g>\n");
    util_sb_printf(sb, "   <g id=\"limites-regions%s\" fill=\"none\" stroke=\"#4d4d4d\" "
                  "stroke-width=\"1.2\" stroke-linejoin=\"round\">\n", id);
    for (size_t i = 0; i < m->nareas && !status; i++)
        status = polygon_path(ctx, sb, &scratch, tx, m->areas[i].geom, "");
    util_sb_append(sb, "   </g>\n");
    util_sb_printf(sb, "   <g id=\"ptce%s\" stroke=\"#ffffff\" stroke-width=\"0.6\">\n", id);
    for (size_t i = 0; i < m->npoints && !status; i++) {
        const carto_svg_point *p = &m->points[i];
        if (only && (p->x < only[0] || p->x > only[2] || p->y < only[1] || p->y > only[3]))
            continue;
        long long x, y;
        tx_tenths(tx, p->x, p->y, &x, &y);
        color_text(p->color, NO_SECTOR_COLOR, c);
        util_sb_append(sb, "    <circle cx=\"");
        put_tenths(sb, x);
        util_sb_append(sb, "\" cy=\"");
        put_tenths(sb, y);
        if (m->points[i].hollow) /* a ring in the sector's colour */
            util_sb_printf(sb, "\" r=\"2.6\" fill=\"#ffffff\" stroke=\"%s\" stroke-width=\"1.4\"/>\n",
                      c);
        else
            util_sb_printf(sb, "\" r=\"3.2\" fill=\"%s\"/>\n", c);
    }
    util_sb_append(sb, "   </g>\n");
    util_sb_free(&scratch);
    return status;
}

/* A round length of kilometres whose bar is between lo and hi SVG units long at `per_km`
 * units per kilometre. */
static double nice_km(double per_km, double lo, double hi)
{
    static const double steps[] = {1, 2, 5, 10, 20, 25, 50, 100, 150, 200, 250, 300, 500, 1000};
    double best = steps[0];
    for (size_t i = 0; i < sizeof steps / sizeof *steps; i++) {
        double w = steps[i] * per_km;
        if (w >= lo && w <= hi)
            return steps[i];
        if (w < lo)
            best = steps[i];
    }
    return best;
}

/* A scale bar: two alternating segments, "0" and "N km" under it, at (x, y) = its left
 * end's top. */
static void scale_bar(util_strbuf *sb, double x, double y, double per_km, double lo, double hi,
                      double font)
{
    double km = nice_km(per_km, lo, hi), w = km * per_km;
    char label[32];
    snprintf(label, sizeof label, "%g km", km);
    util_sb_append(sb, "   <g class=\"echelle\">\n");
    util_sb_append(sb, "    <rect x=\"");
    num(sb, x);
    util_sb_append(sb, "\" y=\"");
    num(sb, y);
    util_sb_append(sb, "\" width=\"");
    num(sb, w / 2);
    util_sb_append(sb, "\" height=\"4\" fill=\"#333333\"/>\n    <rect x=\"");
    num(sb, x + w / 2);
    util_sb_append(sb, "\" y=\"");
    num(sb, y);
    util_sb_append(sb, "\" width=\"");
    num(sb, w / 2);
    util_sb_append(sb, "\" height=\"4\" fill=\"#ffffff\" stroke=\"#333333\" stroke-width=\"0.6\"/>\n");
    char style[96];
    snprintf(style, sizeof style, " font-size=\"%.1f\" fill=\"#333333\" text-anchor=\"middle\"",
             font);
    text_line(sb, 4, x, y + 4 + font + 1, style, "0");
    text_line(sb, 4, x + w, y + 4 + font + 1, style, label);
    util_sb_append(sb, "   </g>\n");
}

/* "1 : 5 000 000": the representative fraction, rounded to two significant digits, with
 * French thin spaces between thousands. */
static void scale_fraction(char *out, size_t size, double denominator)
{
    double mag = pow(10, floor(log10(denominator)) - 1);
    long long d = llround(round(denominator / mag) * mag);
    char digits[24], grouped[48];
    snprintf(digits, sizeof digits, "%lld", d);
    size_t n = strlen(digits), k = 0;
    for (size_t i = 0; i < n && k + 4 < sizeof grouped; i++) {
        if (i > 0 && (n - i) % 3 == 0) {
            grouped[k++] = '\xE2'; /* U+202F narrow no-break space */
            grouped[k++] = '\x80';
            grouped[k++] = '\xAF';
        }
        grouped[k++] = digits[i];
    }
    grouped[k] = '\0';
    snprintf(out, size, "1 : %s", grouped);
}

/* SVG units are quarter millimetres of the A4 page. */
#define SVG_UNITS_PER_MM 4.0

static ptce_status draw_map(ptce_ctx *ctx, util_strbuf *sb, const carto_svg_map *m, const svg_tx *tx)
{
    util_sb_append(sb, "  <g clip-path=\"url(#carte)\">\n");
    svg_tx seen = *tx; /* the map as seen through its clip (#carte) */
    seen.viewed = 1;
    seen.view[0] = tenths(MAP_X);
    seen.view[1] = tenths(MAP_Y);
    seen.view[2] = tenths(MAP_X + MAP_W);
    seen.view[3] = tenths(MAP_Y + MAP_H);
    ptce_status status = draw_content(ctx, sb, m, &seen, NULL, "");
    util_strbuf scratch;
    util_sb_init(&scratch);
    util_sb_append(sb, "   <g id=\"encadres\" fill=\"none\" stroke=\"#8c8c8c\" stroke-width=\"0.9\">\n");
    for (size_t i = 0; i < m->nframes && !status; i++)
        status = polygon_path(ctx, sb, &scratch, &seen, m->frames[i].geom, "");
    util_sb_append(sb, "   </g>\n  </g>\n");
    util_sb_free(&scratch);
    if (status)
        return status;

    /* The frames' names just above their top-left corners (outside the clip, so that a
     * frame at the top of the map keeps its name), and a scale bar inside each. */
    double per_km = tx->scale * 1000;
    util_sb_append(sb, "  <g id=\"noms-encadres\" font-size=\"11\" fill=\"#555555\">\n");
    for (size_t i = 0; i < m->nframes; i++) {
        double x0, y1, y0;
        if (!GEOSGeom_getXMin_r(ctx->geos, m->frames[i].geom, &x0) ||
            !GEOSGeom_getYMax_r(ctx->geos, m->frames[i].geom, &y1) ||
            !GEOSGeom_getYMin_r(ctx->geos, m->frames[i].geom, &y0))
            continue;
        long long sx, sy, sy0;
        tx_tenths(tx, x0, y1, &sx, &sy);
        tx_tenths(tx, x0, y0, &sx, &sy0);
        if (m->frames[i].label && *m->frames[i].label)
            text_line(sb, 3, sx / 10.0, sy / 10.0 - 4, "", m->frames[i].label);
        if (m->frames[i].scale > 0)
            scale_bar(sb, sx / 10.0 + 4, sy0 / 10.0 - 16, per_km * m->frames[i].scale, 18, 40,
                      7);
    }
    util_sb_append(sb, "  </g>\n");

    /* Region labels: name and count, with a white halo. */
    if (m->nlabels) {
        util_sb_append(sb, "  <g id=\"etiquettes\" font-size=\"10\" fill=\"#1a1a1a\" "
                      "text-anchor=\"middle\" stroke=\"#ffffff\" stroke-width=\"2.4\" "
                      "stroke-linejoin=\"round\" paint-order=\"stroke\">\n");
        for (size_t i = 0; i < m->nlabels; i++) {
            const carto_svg_label *l = &m->labels[i];
            if (!isfinite(l->x) || !isfinite(l->y) || !l->text)
                continue;
            long long sx, sy;
            tx_tenths(tx, l->x, l->y, &sx, &sy);
            double x = sx / 10.0, y = sy / 10.0;
            text_line(sb, 3, x, l->sub ? y - 2 : y + 3, " font-weight=\"bold\"", l->text);
            if (l->sub)
                text_line(sb, 3, x, y + 9, " font-size=\"9\"", l->sub);
        }
        util_sb_append(sb, "  </g>\n");
    }

    /* The zoom inset. */
    if (m->zoom) {
        const carto_svg_zoom *z = m->zoom;
        svg_tx zt = zoom_tx(tx, z);
        long long x0, y0, x1, y1;
        tx_tenths(tx, z->dst[0], z->dst[3], &x0, &y0);
        tx_tenths(tx, z->dst[2], z->dst[1], &x1, &y1);
        zt.viewed = 1; /* seen through #zoom-clip */
        zt.view[0] = x0;
        zt.view[1] = y0;
        zt.view[2] = x1;
        zt.view[3] = y1;
        util_sb_append(sb, "  <clipPath id=\"zoom-clip\"><rect x=\"");
        put_tenths(sb, x0);
        util_sb_append(sb, "\" y=\"");
        put_tenths(sb, y0);
        util_sb_append(sb, "\" width=\"");
        put_tenths(sb, x1 - x0);
        util_sb_append(sb, "\" height=\"");
        put_tenths(sb, y1 - y0);
        util_sb_append(sb, "\"/></clipPath>\n  <g id=\"zoom\">\n   <rect x=\"");
        put_tenths(sb, x0);
        util_sb_append(sb, "\" y=\"");
        put_tenths(sb, y0);
        util_sb_append(sb, "\" width=\"");
        put_tenths(sb, x1 - x0);
        util_sb_append(sb, "\" height=\"");
        put_tenths(sb, y1 - y0);
        util_sb_append(sb, "\" fill=\"#ffffff\"/>\n   <g clip-path=\"url(#zoom-clip)\">\n");
        status = draw_content(ctx, sb, m, &zt, z->src, "-zoom");
        util_sb_append(sb, "   </g>\n   <rect x=\"");
        put_tenths(sb, x0);
        util_sb_append(sb, "\" y=\"");
        put_tenths(sb, y0);
        util_sb_append(sb, "\" width=\"");
        put_tenths(sb, x1 - x0);
        util_sb_append(sb, "\" height=\"");
        put_tenths(sb, y1 - y0);
        util_sb_append(sb, "\" fill=\"none\" stroke=\"#8c8c8c\" stroke-width=\"0.9\"/>\n");
        if (z->label)
            text_line(sb, 3, x0 / 10.0, y0 / 10.0 - 4, " font-size=\"11\" fill=\"#555555\"",
                      z->label);
        scale_bar(sb, x0 / 10.0 + 4, y1 / 10.0 - 16, per_km * zoom_factor(z), 18, 40, 7);
        util_sb_append(sb, "  </g>\n");
        if (status)
            return status;
    }

    /* Metropolitan France's scale bar and fraction, bottom right of the map box. */
    char fraction[80], style[64];
    scale_fraction(fraction, sizeof fraction, 1000.0 * SVG_UNITS_PER_MM / tx->scale);
    double bx = MAP_X + MAP_W - 150;
    scale_bar(sb, bx, MAP_Y + MAP_H - 34, per_km, 60, 130, 9);
    snprintf(style, sizeof style, " font-size=\"9\" fill=\"#333333\"");
    char line[128];
    snprintf(line, sizeof line, "France m\xC3\xA9tropolitaine : %s (A4)", fraction);
    text_line(sb, 3, bx, MAP_Y + MAP_H - 40, style, line);
    return PTCE_OK;
}

static void draw_legends(util_strbuf *sb, const carto_svg_map *m)
{
    /* Rows shrink when there are many entries, so the legends stay on the page. */
    int headings = (m->nclasses ? 1 : 0) + (m->ncats ? 1 : 0);
    size_t rows = m->nclasses + m->ncats + (m->hollow_label ? 1 : 0);
    double avail = LEGEND_BOTTOM - LEGEND_TOP - headings * 40.0;
    double row = rows ? fmin(24.0, avail / (double)rows) : 24.0;
    if (row < 10)
        row = 10;
    double font = fmin(13.0, row * 0.62);
    double y = LEGEND_TOP;
    char c[8], style[96];
    snprintf(style, sizeof style, " font-size=\"%.1f\"", font);

    util_sb_append(sb, "  <g id=\"legende\" fill=\"#222222\">\n");
    if (m->nclasses) {
        text_line(sb, 3, LEGEND_X, y, " font-size=\"15\" font-weight=\"bold\"",
                  m->classes_title ? m->classes_title : "");
        y += 14;
        for (size_t i = 0; i < m->nclasses; i++) {
            color_text(m->classes[i].color, NULL, c);
            for (int pass = 0; pass < (m->classes[i].hatched ? 2 : 1); pass++) {
                util_sb_append(sb, "   <rect x=\"");
                num(sb, LEGEND_X);
                util_sb_append(sb, "\" y=\"");
                num(sb, y);
                util_sb_append(sb, "\" width=\"26\" height=\"");
                num(sb, row * 0.68);
                if (pass == 0)
                    util_sb_printf(sb, "\" fill=\"%s\" stroke=\"#b4b4b4\" stroke-width=\"0.5\"/>\n",
                              c);
                else
                    util_sb_append(sb, "\" fill=\"none\" stroke=\"none\"/>\n");
            }
            if (m->classes[i].hatched) {
                /* The same hatching as on the map, inside the swatch. */
                util_sb_append(sb, "   <g transform=\"translate(");
                num(sb, LEGEND_X);
                util_sb_append_char(sb, ' ');
                num(sb, y);
                util_sb_append(sb, ") scale(1 ");
                qgis_xml_number(sb, row * 0.68 / 16, 3);
                util_sb_append(sb, ")\" clip-path=\"url(#legende-hachures)\"><path fill=\"none\" "
                              "stroke=\"#8c8c8c\" stroke-width=\"0.8\" d=\"");
                for (int k = -16; k <= 26; k += 6)
                    util_sb_printf(sb, "M%d 16L%d 0", k, k + 16);
                util_sb_append(sb, "\"/></g>\n");
            }
            text_line(sb, 3, LEGEND_X + 36, y + row * 0.34 + font * 0.36, style,
                      m->classes[i].label);
            y += row;
        }
        y += 26;
    }
    if (m->ncats) {
        text_line(sb, 3, LEGEND_X, y, " font-size=\"15\" font-weight=\"bold\"",
                  "Secteurs d'activit\xC3\xA9");
        y += 14;
        for (size_t i = 0; i < m->ncats; i++) {
            color_text(m->cats[i].color, NULL, c);
            double r = fmin(5.0, row * 0.25);
            util_sb_append(sb, "   <circle cx=\"");
            num(sb, LEGEND_X + 13);
            util_sb_append(sb, "\" cy=\"");
            num(sb, y + row * 0.34);
            util_sb_append(sb, "\" r=\"");
            num(sb, r);
            util_sb_printf(sb, "\" fill=\"%s\" stroke=\"#ffffff\" stroke-width=\"0.6\"/>\n", c);
            const char *label = m->cats[i].label ? m->cats[i].label : m->cats[i].value;
            text_line(sb, 3, LEGEND_X + 36, y + row * 0.34 + font * 0.36, style, label);
            y += row;
        }
    }
    if (m->hollow_label) {
        double r = fmin(5.0, row * 0.25);
        util_sb_append(sb, "   <circle cx=\"");
        num(sb, LEGEND_X + 13);
        util_sb_append(sb, "\" cy=\"");
        num(sb, y + row * 0.34);
        util_sb_append(sb, "\" r=\"");
        num(sb, r * 0.8);
        util_sb_append(sb, "\" fill=\"#ffffff\" stroke=\"#555555\" stroke-width=\"1.4\"/>\n");
        text_line(sb, 3, LEGEND_X + 36, y + row * 0.34 + font * 0.36, style, m->hollow_label);
    }
    util_sb_append(sb, "  </g>\n");
}

static ptce_status svg_document(ptce_ctx *ctx, util_strbuf *sb, const carto_svg_map *m)
{
    svg_tx tx = make_tx(m->extent);
    util_sb_append(sb, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    util_sb_append(sb, "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"297mm\" "
                  "height=\"210mm\" viewBox=\"0 0 1188 840\" font-family=\"");
    qgis_xml_escape(sb, m->font && *m->font ? m->font : "sans-serif");
    util_sb_append(sb, "\">\n  <title>");
    qgis_xml_escape(sb, m->title);
    util_sb_append(sb, "</title>\n");
    if (m->subtitle && *m->subtitle) {
        util_sb_append(sb, "  <desc>");
        qgis_xml_escape(sb, m->subtitle);
        util_sb_append(sb, "</desc>\n");
    }
    util_sb_append(sb, "  <defs>\n    <clipPath id=\"carte\">\n      <rect x=\"");
    num(sb, MAP_X);
    util_sb_append(sb, "\" y=\"");
    num(sb, MAP_Y);
    util_sb_append(sb, "\" width=\"");
    num(sb, MAP_W);
    util_sb_append(sb, "\" height=\"");
    num(sb, MAP_H);
    util_sb_append(sb, "\"/>\n    </clipPath>\n    <clipPath id=\"legende-hachures\">\n"
                  "      <rect x=\"0\" y=\"0\" width=\"26\" height=\"16\"/>\n    </clipPath>\n"
                  "  </defs>\n");
    util_sb_append(sb, "  <rect width=\"1188\" height=\"840\" fill=\"#ffffff\"/>\n");

    ptce_status status = draw_map(ctx, sb, m, &tx);
    if (status)
        return status;

    if (m->title && *m->title)
        text_line(sb, 2, MAP_X + 8, 56, " font-size=\"30\" font-weight=\"bold\" fill=\"#222222\"",
                  m->title);
    if (m->subtitle && *m->subtitle)
        text_line(sb, 2, MAP_X + 8, 86, " font-size=\"17\" fill=\"#555555\"", m->subtitle);
    draw_legends(sb, m);
    if (m->nframes)
        text_line(sb, 2, MAP_X + 8, MAP_Y + MAP_H + 16,
                  " font-size=\"12\" font-style=\"italic\" fill=\"#555555\"",
                  "D\xC3\xA9partements et r\xC3\xA9gions d'outre-mer rapproch\xC3\xA9s, "
                  "\xC3\xA9" "chelles diff\xC3\xA9rentes (barre d'\xC3\xA9" "chelle dans chaque "
                  "encart)");
    if (m->production && *m->production)
        text_line(sb, 2, MAP_X + 8, SVG_H - 20, " font-size=\"11\" fill=\"#444444\"",
                  m->production);
    if (m->credit && *m->credit)
        /* 9 px: the credit line names five sources and ran past the A4 page's edge at 11. */
        text_line(sb, 2, MAP_X + 8, SVG_H - 6, " font-size=\"9\" fill=\"#666666\"", m->credit);
    util_sb_append(sb, "</svg>\n");
    return PTCE_OK;
}

ptce_status carto_svg_render(ptce_ctx *ctx, const carto_svg_map *m, util_strbuf *out)
{
    ptce_status status = check_map(ctx, "carte SVG", m);
    if (!status)
        status = svg_document(ctx, out, m);
    if (!status && out->failed)
        status = ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
    return status;
}

ptce_status carto_svg(ptce_ctx *ctx, outdir *od, const char *name, const carto_svg_map *m)
{
    ptce_status status = check_map(ctx, name, m);
    if (status)
        return status;
    util_strbuf sb;
    util_sb_init(&sb);
    status = svg_document(ctx, &sb, m);
    if (!status)
        status = sb.failed ? ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante")
                           : writers_write_bytes(ctx, od, name, sb.data, sb.len);
    util_sb_free(&sb);
    return status;
}
