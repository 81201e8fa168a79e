/*
 * write/polygon_bytes.c — a polygon's geometry in each format the writers can take it in
 * ready-made (layer_polygon_format), and the fingerprint of those formatters.
 *
 * Owns: the dispatch to the one formatter of each format (out_geojson.c, out_gpkg.c,
 * out_web.c) and the test polygon of the fingerprint. Must not: format anything itself.
 * Allocation: the caller's buffer; the test polygon is made and freed here.
 */
#include <stdint.h>

#include "core/ctx.h"
#include "write/cartography.h"
#include "write/writers.h"

ptce_status writers_polygon_bytes(ptce_ctx *ctx, const GEOSGeometry *g, layer_polygon_format format,
                                  util_strbuf *sb)
{
    switch (format) {
    case LAYER_POLYGON_GEOJSON: return writers_geojson_polygon(ctx, g, sb);
    case LAYER_POLYGON_GPKG_WGS84: return writers_gpkg_polygon(ctx, g, GEOM_EPSG_WGS84, sb);
    case LAYER_POLYGON_WEB: return carto_web_polygon(ctx, g, CARTO_WEB_POLYGON_DECIMALS, sb);
    case LAYER_POLYGON_FORMATS: break;
    }
    return ptce_fail(ctx, PTCE_ERR_USAGE, "format de géométrie inconnu (%d)", (int)format);
}

/* Two polygons, the first with a hole; rings in both orientations; vertices 0.4 m apart
 * (the web map's rounding drops some); values that sit on a rounding tie at 6 and at 3
 * decimals, negative ones, and more digits than any format keeps. */
static const char probe_wkt[] =
    "MULTIPOLYGON(((2.1234565 48.8500005, 2.1234565 48.9, 2.2 48.9, 2.2000004 48.9000003, "
    "2.2 48.85, 2.1234565 48.8500005), (2.15 48.86, 2.16 48.86, 2.1500001 48.87, "
    "2.15 48.86)), ((-61.0005 14.4, -60.8 14.4, -60.8 14.8123456789, -61.0005 14.4)))";

ptce_status writers_polygon_stamp(ptce_ctx *ctx, uint64_t *stamp)
{
    GEOSWKTReader *r = GEOSWKTReader_create_r(ctx->geos);
    GEOSGeometry *g = r ? GEOSWKTReader_read_r(ctx->geos, r, probe_wkt) : NULL;
    if (r)
        GEOSWKTReader_destroy_r(ctx->geos, r);
    if (!g)
        return ptce_fail(ctx, PTCE_ERR_LIBRARY, "GEOS : polygone de contrôle illisible (%s)",
                         ctx->geos_error);
    util_strbuf sb;
    util_sb_init(&sb);
    ptce_status st = PTCE_OK;
    uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a */
    for (int f = 0; f < LAYER_POLYGON_FORMATS && !st; f++) {
        sb.len = 0;
        st = writers_polygon_bytes(ctx, g, (layer_polygon_format)f, &sb);
        if (!st && sb.failed)
            st = ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
        for (size_t i = 0; !st && i < sb.len; i++)
            h = (h ^ (unsigned char)sb.data[i]) * 0x100000001b3ull;
        h = (h ^ (uint64_t)(f + 1) << 8 ^ sb.len) * 0x100000001b3ull;
    }
    util_sb_free(&sb);
    GEOSGeom_destroy_r(ctx->geos, g);
    if (!st)
        *stamp = h;
    return st;
}
