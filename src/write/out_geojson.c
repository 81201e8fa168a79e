/*
 * write/out_geojson.c — GeoJSON writer, RFC 7946.
 *
 * WGS 84 longitude then latitude, no "crs" member, coordinates rounded to 6 decimals
 * (about 10 cm), outer rings counter-clockwise and holes clockwise, a bbox on the
 * collection and on each polygon feature. The credit line goes in a foreign member
 * "metadata", which RFC 7946 §6.1 allows and readers ignore.
 */
#include <math.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ctx.h"
#include "core/util.h"
#include "write/json.h"
#include "write/writers.h"

#define COORD_DECIMALS 6

static void json_string(util_strbuf *sb, const char *s)
{
    json_append_string(sb, s, JSON_PLAIN);
}

static void json_number(util_strbuf *sb, double v, int decimals)
{
    json_append_number(sb, v, decimals);
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

static void bbox_print(util_strbuf *sb, const bbox *b)
{
    util_sb_append(sb, "\"bbox\":[");
    json_number(sb, b->minx, COORD_DECIMALS);
    util_sb_append_char(sb, ',');
    json_number(sb, b->miny, COORD_DECIMALS);
    util_sb_append_char(sb, ',');
    json_number(sb, b->maxx, COORD_DECIMALS);
    util_sb_append_char(sb, ',');
    json_number(sb, b->maxy, COORD_DECIMALS);
    util_sb_append_char(sb, ']');
}

typedef struct polygon_printer {
    util_strbuf *sb;
    bbox *box;
} polygon_printer;

static int print_ring(void *user, int polygon_index, int is_hole, const double *xs,
                      const double *ys, unsigned n)
{
    polygon_printer *pp = user;
    util_strbuf *sb = pp->sb;
    if (!is_hole) {
        /* A new polygon: close the previous one, open this one. */
        if (polygon_index > 0)
            util_sb_append(sb, "],");
        util_sb_append_char(sb, '[');
    } else {
        util_sb_append_char(sb, ',');
    }
    util_sb_append_char(sb, '[');
    for (unsigned i = 0; i < n; i++) {
        util_sb_append(sb, i ? ",[" : "[");
        json_number(sb, xs[i], COORD_DECIMALS);
        util_sb_append_char(sb, ',');
        json_number(sb, ys[i], COORD_DECIMALS);
        util_sb_append_char(sb, ']');
        bbox_add(pp->box, xs[i], ys[i]);
    }
    util_sb_append_char(sb, ']');
    return 0;
}

/* Polygon layers are always written as MultiPolygon, so that a layer has one geometry type
 * (GDAL reports a mix as "Unknown (any)", and some web clients choke on it). */
static ptce_status print_polygon(ptce_ctx *ctx, util_strbuf *sb, const GEOSGeometry *g, bbox *box)
{
    util_sb_append(sb, "{\"type\":\"MultiPolygon\",\"coordinates\":[");
    polygon_printer pp = {sb, box};
    ptce_status st = geom_visit_rings(ctx, g, GEOM_RINGS_RFC7946, print_ring, &pp);
    util_sb_append(sb, "]]}");
    return st;
}

ptce_status writers_geojson_polygon(ptce_ctx *ctx, const GEOSGeometry *g, util_strbuf *sb)
{
    bbox own = {.empty = 1};
    ptce_status st = print_polygon(ctx, sb, g, &own);
    if (!own.empty) {
        util_sb_append_char(sb, ',');
        bbox_print(sb, &own);
    }
    return st;
}

static void print_properties(util_strbuf *sb, const layer *l, size_t i)
{
    util_sb_append(sb, "\"properties\":{");
    for (size_t f = 0; f < l->nfields; f++) {
        layer_field_value v = {0};
        l->value(l->user, i, f, &v);
        if (f)
            util_sb_append_char(sb, ',');
        json_string(sb, l->fields[f].name);
        util_sb_append_char(sb, ':');
        if (v.is_null || (l->fields[f].type == LAYER_FIELD_TEXT && !v.text))
            util_sb_append(sb, "null");
        else if (l->fields[f].type == LAYER_FIELD_TEXT)
            json_string(sb, v.text);
        else if (l->fields[f].type == LAYER_FIELD_INTEGER)
            util_sb_printf(sb, "%lld", v.integer);
        else
            json_number(sb, v.real, l->fields[f].decimals);
    }
    util_sb_append_char(sb, '}');
}

/* The collection's bbox, before any feature is written: from the points, or from the
 * polygons' envelopes (rounding to the printed decimals is monotonic, so the bbox printed
 * from these still holds every printed coordinate). */
static void collection_bbox(ptce_ctx *ctx, const layer *l, bbox *all)
{
    for (size_t i = 0; i < l->nfeatures; i++) {
        if (l->geometry == LAYER_POINT) {
            double lon, lat;
            l->point(l->user, i, &lon, &lat);
            bbox_add(all, lon, lat);
        } else {
            const GEOSGeometry *g = l->polygon(l->user, i);
            double x0, y0, x1, y1;
            if (GEOSGeom_getXMin_r(ctx->geos, g, &x0) && GEOSGeom_getYMin_r(ctx->geos, g, &y0) &&
                GEOSGeom_getXMax_r(ctx->geos, g, &x1) && GEOSGeom_getYMax_r(ctx->geos, g, &y1)) {
                bbox_add(all, x0, y0);
                bbox_add(all, x1, y1);
            }
        }
    }
}

/* Writes what the buffer holds and empties it. Returns 0 on a write error. */
static int flush_to(FILE *f, util_strbuf *sb)
{
    int ok = !sb->failed && (sb->len == 0 || fwrite(sb->data, 1, sb->len, f) == sb->len);
    sb->len = 0;
    return ok;
}

/* The file is streamed feature by feature through a small buffer: a 200,000-point layer
 * never sits whole in memory. */
ptce_status writers_geojson(ptce_ctx *ctx, outdir *od, const char *subdir, const layer *l,
                          const char *suffix)
{
    char name[300], path[4096];
    snprintf(name, sizeof name, "%s%s%s%s.geojson", subdir, subdir[0] ? "/" : "", l->name,
             suffix);
    ptce_status st = outdir_file(ctx, od, name, path, sizeof path);
    if (st)
        return st;
    FILE *f = fopen(path, "wb");
    if (!f)
        return outdir_write_error(ctx, path, errno);
    errno = 0;
    bbox all = {.empty = 1};
    collection_bbox(ctx, l, &all);
    util_strbuf sb;
    util_sb_init(&sb);
    util_sb_append(&sb, "{\"type\":\"FeatureCollection\",\"name\":");
    json_string(&sb, l->name);
    util_sb_append(&sb, ",\"metadata\":{\"title\":");
    json_string(&sb, l->title ? l->title : l->name);
    util_sb_append(&sb, ",\"systeme\":\"WGS 84 (EPSG:4326), longitude puis latitude\",\"credit\":");
    json_string(&sb, l->credit ? l->credit : "");
    util_sb_append(&sb, "}");
    if (!all.empty) {
        util_sb_append_char(&sb, ',');
        bbox_print(&sb, &all);
    }
    util_sb_append(&sb, ",\"features\":[");
    int io_ok = 1;
    for (size_t i = 0; i < l->nfeatures && !st && io_ok; i++) {
        util_sb_append(&sb, i ? ",\n" : "\n");
        util_sb_append(&sb, "{\"type\":\"Feature\",");
        print_properties(&sb, l, i);
        util_sb_append(&sb, ",\"geometry\":");
        if (l->geometry == LAYER_POINT) {
            double lon, lat;
            l->point(l->user, i, &lon, &lat);
            util_sb_append(&sb, "{\"type\":\"Point\",\"coordinates\":[");
            json_number(&sb, lon, COORD_DECIMALS);
            util_sb_append_char(&sb, ',');
            json_number(&sb, lat, COORD_DECIMALS);
            util_sb_append(&sb, "]}");
        } else {
            size_t n = 0;
            const unsigned char *ready =
                l->polygon_bytes ? l->polygon_bytes(l->user, i, LAYER_POLYGON_GEOJSON, &n) : NULL;
            if (ready)
                util_sb_append_n(&sb, (const char *)ready, n);
            else
                st = writers_geojson_polygon(ctx, l->polygon(l->user, i), &sb);
        }
        util_sb_append_char(&sb, '}');
        if (sb.len > (1u << 20))
            io_ok = flush_to(f, &sb);
    }
    util_sb_append(&sb, "\n]}\n");
    io_ok = io_ok && flush_to(f, &sb);
    if (l->polygon_bytes_done)
        l->polygon_bytes_done(l->user, LAYER_POLYGON_GEOJSON);
    int err = errno;
    if (fclose(f) != 0 && io_ok) {
        io_ok = 0;
        err = errno;
    }
    if (!st && !io_ok)
        st = outdir_write_error(ctx, path, err);
    util_sb_free(&sb);
    return st;
}
