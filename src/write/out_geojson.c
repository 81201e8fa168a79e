/*
 * write/out_geojson.c — GeoJSON writer, RFC 7946.
 *
 * WGS 84 longitude then latitude, no "crs" member, coordinates rounded to 6 decimals
 * (about 10 cm), outer rings counter-clockwise and holes clockwise, a bbox on the
 * collection and on each polygon feature. The credit line goes in a foreign member
 * "metadata", which RFC 7946 §6.1 allows and readers ignore.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ctx.h"
#include "core/util.h"
#include "write/writers.h"

#define COORD_DECIMALS 6

static void json_string(strbuf *sb, const char *s)
{
    sb_append_char(sb, '"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"':
            sb_append(sb, "\\\"");
            break;
        case '\\':
            sb_append(sb, "\\\\");
            break;
        case '\n':
            sb_append(sb, "\\n");
            break;
        case '\r':
            sb_append(sb, "\\r");
            break;
        case '\t':
            sb_append(sb, "\\t");
            break;
        default:
            if (*p < 0x20)
                sb_printf(sb, "\\u%04x", *p);
            else
                sb_append_char(sb, (char)*p);
        }
    }
    sb_append_char(sb, '"');
}

/* Fixed decimals, trailing zeros trimmed, "-0" avoided: the same number always prints the
 * same way. Done by hand on the number scaled to an integer: printf is most of the time of
 * writing a large GeoJSON. Values beyond 1e12 (never coordinates or counts) go to printf. */
static void json_number(strbuf *sb, double v, int decimals)
{
    static const double scale[] = {1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9};
    if (decimals < 0 || decimals > 9 || !(fabs(v) < 1e12)) {
        char buf[64];
        snprintf(buf, sizeof buf, "%.*f", decimals, v);
        sb_append(sb, buf);
        return;
    }
    double scaled = fabs(v) * scale[decimals];
    unsigned long long n = (unsigned long long)rint(scaled); /* ties to even, as printf */
    unsigned long long unit = (unsigned long long)scale[decimals];
    unsigned long long ipart = n / unit, fpart = n % unit;
    char buf[48];
    int len = 0;
    if (v < 0 && n != 0)
        buf[len++] = '-';
    char digits[24];
    int nd = 0;
    do {
        digits[nd++] = (char)('0' + ipart % 10);
        ipart /= 10;
    } while (ipart);
    while (nd)
        buf[len++] = digits[--nd];
    if (fpart) {
        int width = decimals;
        while (fpart % 10 == 0) { /* trailing zeros trimmed */
            fpart /= 10;
            width--;
        }
        buf[len++] = '.';
        for (int i = width - 1; i >= 0; i--) {
            buf[len + i] = (char)('0' + fpart % 10);
            fpart /= 10;
        }
        len += width;
    }
    sb_append_n(sb, buf, (size_t)len);
}

typedef struct bbox {
    double minx, miny, maxx, maxy;
    int empty;
} bbox;

static void bbox_add(bbox *b, double x, double y)
{
    if (b->empty) {
        b->minx = b->maxx = x;
        b->miny = b->maxy = y;
        b->empty = 0;
        return;
    }
    if (x < b->minx)
        b->minx = x;
    if (x > b->maxx)
        b->maxx = x;
    if (y < b->miny)
        b->miny = y;
    if (y > b->maxy)
        b->maxy = y;
}

static void bbox_print(strbuf *sb, const bbox *b)
{
    sb_append(sb, "\"bbox\":[");
    json_number(sb, b->minx, COORD_DECIMALS);
    sb_append_char(sb, ',');
    json_number(sb, b->miny, COORD_DECIMALS);
    sb_append_char(sb, ',');
    json_number(sb, b->maxx, COORD_DECIMALS);
    sb_append_char(sb, ',');
    json_number(sb, b->maxy, COORD_DECIMALS);
    sb_append_char(sb, ']');
}

typedef struct polygon_printer {
    strbuf *sb;
    bbox *box;
} polygon_printer;

static int print_ring(void *user, int polygon_index, int is_hole, const double *xs,
                      const double *ys, unsigned n)
{
    polygon_printer *pp = user;
    strbuf *sb = pp->sb;
    if (!is_hole) {
        /* A new polygon: close the previous one, open this one. */
        if (polygon_index > 0)
            sb_append(sb, "],");
        sb_append_char(sb, '[');
    } else {
        sb_append_char(sb, ',');
    }
    sb_append_char(sb, '[');
    for (unsigned i = 0; i < n; i++) {
        sb_append(sb, i ? ",[" : "[");
        json_number(sb, xs[i], COORD_DECIMALS);
        sb_append_char(sb, ',');
        json_number(sb, ys[i], COORD_DECIMALS);
        sb_append_char(sb, ']');
        bbox_add(pp->box, xs[i], ys[i]);
    }
    sb_append_char(sb, ']');
    return 0;
}

/* Polygon layers are always written as MultiPolygon, so that a layer has one geometry type
 * (GDAL reports a mix as "Unknown (any)", and some web clients choke on it). */
static ptce_status print_polygon(ptce_ctx *ctx, strbuf *sb, const GEOSGeometry *g, bbox *box)
{
    sb_append(sb, "{\"type\":\"MultiPolygon\",\"coordinates\":[");
    polygon_printer pp = {sb, box};
    ptce_status st = geom_visit_rings(ctx, g, RINGS_RFC7946, print_ring, &pp);
    sb_append(sb, "]]}");
    return st;
}

static void print_properties(strbuf *sb, const layer *l, size_t i)
{
    sb_append(sb, "\"properties\":{");
    for (size_t f = 0; f < l->nfields; f++) {
        field_value v = {0};
        l->value(l->user, i, f, &v);
        if (f)
            sb_append_char(sb, ',');
        json_string(sb, l->fields[f].name);
        sb_append_char(sb, ':');
        if (v.is_null || (l->fields[f].type == FIELD_TEXT && !v.text))
            sb_append(sb, "null");
        else if (l->fields[f].type == FIELD_TEXT)
            json_string(sb, v.text);
        else if (l->fields[f].type == FIELD_INTEGER)
            sb_printf(sb, "%lld", v.integer);
        else
            json_number(sb, v.real, l->fields[f].decimals);
    }
    sb_append_char(sb, '}');
}

ptce_status geojson_write(ptce_ctx *ctx, outdir *od, const char *subdir, const layer *l,
                          const char *suffix)
{
    char name[300], path[4096];
    snprintf(name, sizeof name, "%s%s%s%s.geojson", subdir, subdir[0] ? "/" : "", l->name,
             suffix);
    ptce_status st = outdir_file(ctx, od, name, path, sizeof path);
    if (st)
        return st;
    strbuf features;
    sb_init(&features);
    bbox all = {.empty = 1};
    for (size_t i = 0; i < l->nfeatures && !st; i++) {
        sb_append(&features, i ? ",\n" : "\n");
        sb_append(&features, "{\"type\":\"Feature\",");
        print_properties(&features, l, i);
        sb_append(&features, ",\"geometry\":");
        if (l->geometry == LAYER_POINT) {
            double lon, lat;
            l->point(l->user, i, &lon, &lat);
            sb_append(&features, "{\"type\":\"Point\",\"coordinates\":[");
            json_number(&features, lon, COORD_DECIMALS);
            sb_append_char(&features, ',');
            json_number(&features, lat, COORD_DECIMALS);
            sb_append(&features, "]}");
            bbox_add(&all, lon, lat);
        } else {
            bbox own = {.empty = 1};
            st = print_polygon(ctx, &features, l->polygon(l->user, i), &own);
            if (!own.empty) {
                sb_append_char(&features, ',');
                bbox_print(&features, &own);
                bbox_add(&all, own.minx, own.miny);
                bbox_add(&all, own.maxx, own.maxy);
            }
        }
        sb_append_char(&features, '}');
    }
    strbuf doc;
    sb_init(&doc);
    sb_append(&doc, "{\"type\":\"FeatureCollection\",\"name\":");
    json_string(&doc, l->name);
    sb_append(&doc, ",\"metadata\":{\"title\":");
    json_string(&doc, l->title ? l->title : l->name);
    sb_append(&doc, ",\"systeme\":\"WGS 84 (EPSG:4326), longitude puis latitude\",\"credit\":");
    json_string(&doc, l->credit ? l->credit : "");
    sb_append(&doc, "}");
    if (!all.empty) {
        sb_append_char(&doc, ',');
        bbox_print(&doc, &all);
    }
    sb_append(&doc, ",\"features\":[");
    sb_append_n(&doc, features.data ? features.data : "", features.len);
    sb_append(&doc, "\n]}\n");
    sb_free(&features);
    if (!st && doc.failed)
        st = ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
    if (!st) {
        FILE *f = fopen(path, "wb");
        if (!f || fwrite(doc.data, 1, doc.len, f) != doc.len)
            st = ptce_fail(ctx, PTCE_ERR_IO, "%s : écriture impossible", path);
        if (f && fclose(f) != 0 && !st)
            st = ptce_fail(ctx, PTCE_ERR_IO, "%s : écriture impossible", path);
    }
    sb_free(&doc);
    return st;
}
