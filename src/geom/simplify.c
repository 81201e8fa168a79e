/*
 * geom/simplify.c — see simplify.h.
 */
#include "geom/simplify.h"

#include <stdlib.h>
#include <string.h>

#include "core/ctx.h"

/* All the borders of the coverage, noded (each shared border once), merged into lines
 * that run from junction to junction. */
static GEOSGeometry *coverage_lines(GEOSContextHandle_t h, const GEOSGeometry *const *in,
                                    size_t n)
{
    GEOSGeometry **borders = calloc(n ? n : 1, sizeof *borders);
    if (!borders)
        return NULL;
    for (size_t i = 0; i < n; i++)
        borders[i] = GEOSBoundary_r(h, in[i]);
    GEOSGeometry *all = GEOSGeom_createCollection_r(h, GEOS_GEOMETRYCOLLECTION, borders,
                                                    (unsigned)n);
    free(borders);
    if (!all)
        return NULL;
    GEOSGeometry *noded = GEOSUnaryUnion_r(h, all);
    GEOSGeom_destroy_r(h, all);
    if (!noded)
        return NULL;
    GEOSGeometry *merged = GEOSLineMerge_r(h, noded);
    GEOSGeom_destroy_r(h, noded);
    return merged;
}

ptce_status geom_simplify_coverage(ptce_ctx *ctx, const GEOSGeometry *const *in, size_t n,
                                   double tolerance, GEOSGeometry **out)
{
    GEOSContextHandle_t h = ctx->geos;
    memset(out, 0, n * sizeof *out);
    GEOSGeometry *lines = coverage_lines(h, in, n);
    if (!lines)
        return ptce_fail(ctx, PTCE_ERR_LIBRARY, "GEOS : bordures illisibles (%s)", ctx->geos_error);
    int nlines = GEOSGetNumGeometries_r(h, lines);
    GEOSGeometry **simple = calloc((size_t)(nlines ? nlines : 1), sizeof *simple);
    if (!simple) {
        GEOSGeom_destroy_r(h, lines);
        return ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
    }
    for (int i = 0; i < nlines; i++)
        simple[i] = GEOSTopologyPreserveSimplify_r(h, GEOSGetGeometryN_r(h, lines, i), tolerance);
    GEOSGeom_destroy_r(h, lines);
    /* Node again: two simplified borders may now cross. */
    GEOSGeometry *coll = GEOSGeom_createCollection_r(h, GEOS_GEOMETRYCOLLECTION, simple,
                                                     (unsigned)nlines);
    free(simple);
    GEOSGeometry *noded = coll ? GEOSUnaryUnion_r(h, coll) : NULL;
    if (coll)
        GEOSGeom_destroy_r(h, coll);
    if (!noded)
        return ptce_fail(ctx, PTCE_ERR_LIBRARY, "GEOS : simplification impossible (%s)",
                         ctx->geos_error);
    const GEOSGeometry *noded_array[1] = {noded};
    GEOSGeometry *faces = GEOSPolygonize_r(h, noded_array, 1);
    GEOSGeom_destroy_r(h, noded);
    if (!faces)
        return ptce_fail(ctx, PTCE_ERR_LIBRARY, "GEOS : reconstruction impossible (%s)",
                         ctx->geos_error);

    /* Give each face to the polygon that contains a point inside it. */
    int nfaces = GEOSGetNumGeometries_r(h, faces);
    GEOSGeometry ***owned = calloc(n ? n : 1, sizeof *owned);
    unsigned *counts = calloc(n ? n : 1, sizeof *counts);
    const GEOSPreparedGeometry **prepared = calloc(n ? n : 1, sizeof *prepared);
    ptce_status st = PTCE_OK;
    if (!owned || !counts || !prepared)
        st = ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
    for (size_t i = 0; i < n && !st; i++) {
        prepared[i] = GEOSPrepare_r(h, in[i]);
        owned[i] = calloc((size_t)(nfaces ? nfaces : 1), sizeof **owned);
        if (!prepared[i] || !owned[i])
            st = ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
    }
    for (int f = 0; f < nfaces && !st; f++) {
        const GEOSGeometry *face = GEOSGetGeometryN_r(h, faces, f);
        GEOSGeometry *inside = GEOSPointOnSurface_r(h, face);
        for (size_t i = 0; inside && i < n; i++)
            if (GEOSPreparedContains_r(h, prepared[i], inside) == 1) {
                owned[i][counts[i]++] = GEOSGeom_clone_r(h, face);
                break;
            }
        if (inside)
            GEOSGeom_destroy_r(h, inside);
    }
    for (size_t i = 0; i < n && !st; i++) {
        if (counts[i] == 0) {
            /* Too small to keep its own face (a tiny island): simplify it alone. */
            out[i] = GEOSTopologyPreserveSimplify_r(h, in[i], tolerance);
        } else {
            /* The collection takes the faces; the array stays ours. */
            GEOSGeometry *parts = GEOSGeom_createCollection_r(h, GEOS_GEOMETRYCOLLECTION,
                                                              owned[i], counts[i]);
            free(owned[i]);
            owned[i] = NULL;
            counts[i] = 0;
            out[i] = parts ? GEOSUnaryUnion_r(h, parts) : NULL;
            if (parts)
                GEOSGeom_destroy_r(h, parts);
        }
        if (!out[i])
            st = ptce_fail(ctx, PTCE_ERR_LIBRARY, "GEOS : simplification impossible (%s)",
                           ctx->geos_error);
    }
    for (size_t i = 0; i < n; i++) {
        if (prepared && prepared[i])
            GEOSPreparedGeom_destroy_r(h, prepared[i]);
        if (owned && owned[i]) {
            for (unsigned k = 0; k < counts[i]; k++)
                GEOSGeom_destroy_r(h, owned[i][k]);
            free(owned[i]);
        }
    }
    free(prepared);
    free(owned);
    free(counts);
    GEOSGeom_destroy_r(h, faces);
    if (st)
        for (size_t i = 0; i < n; i++)
            if (out[i]) {
                GEOSGeom_destroy_r(h, out[i]);
                out[i] = NULL;
            }
    return st;
}
