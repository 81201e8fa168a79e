/*
 * geom/simplify.c — see simplify.h.
 */
#include "geom/simplify.h"

#include <stdint.h>
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

/* ---- faces in no polygon ---------------------------------------------------------------- */

typedef struct candidates {
    size_t *idx;
    size_t n, cap;
} candidates;

static void collect_candidate(void *item, void *userdata)
{
    candidates *c = userdata;
    if (c->n == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 16;
        size_t *ni = realloc(c->idx, cap * sizeof *ni);
        if (!ni)
            return;
        c->idx = ni;
        c->cap = cap;
    }
    c->idx[c->n++] = (size_t)(uintptr_t)item - 1;
}

static int cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return x < y ? -1 : x > y;
}

/* The input a gap face shares the longest border with, or (size_t)-1: measured as the area
 * of the input within a thin buffer (`width`) of the face, which does not depend on the
 * face's edges lying exactly on the input's. */
static size_t longest_border(GEOSContextHandle_t h, const GEOSGeometry *face, double width,
                             const GEOSGeometry *const *in, const candidates *cand)
{
    GEOSGeometry *halo = GEOSBuffer_r(h, face, width, 4);
    size_t best = (size_t)-1;
    double best_area = 0;
    for (size_t k = 0; halo && k < cand->n; k++) {
        GEOSGeometry *shared = GEOSIntersection_r(h, halo, in[cand->idx[k]]);
        double area = 0;
        if (shared) {
            GEOSArea_r(h, shared, &area);
            GEOSGeom_destroy_r(h, shared);
        }
        if (area > best_area) {
            best_area = area;
            best = cand->idx[k];
        }
    }
    if (halo)
        GEOSGeom_destroy_r(h, halo);
    return best;
}

ptce_status simplify_coverage(ptce_ctx *ctx, const GEOSGeometry *const *in, size_t n,
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
    candidates cand = {0};
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
        size_t owner = (size_t)-1;
        for (size_t i = 0; inside && i < n; i++)
            if (GEOSPreparedContains_r(h, prepared[i], inside) == 1) {
                owner = i;
                break;
            }
        if (inside)
            GEOSGeom_destroy_r(h, inside);
        /* A face in no polygon narrower than the tolerance is an inlet the simplified lines
         * closed (an estuary's mouth): it goes to the neighbour it shares most border with,
         * rather than becoming a hole between them. */
        double area = 0;
        if (owner == (size_t)-1 && GEOSArea_r(h, face, &area) && area < 4 * tolerance * tolerance) {
            cand.n = 0;
            for (size_t i = 0; i < n; i++)
                if (GEOSPreparedIntersects_r(h, prepared[i], face) == 1)
                    collect_candidate((void *)(uintptr_t)(i + 1), &cand);
            owner = longest_border(h, face, tolerance / 100, in, &cand);
        }
        if (owner != (size_t)-1)
            owned[owner][counts[owner]++] = GEOSGeom_clone_r(h, face);
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
    free(cand.idx);
    GEOSGeom_destroy_r(h, faces);
    if (st)
        for (size_t i = 0; i < n; i++)
            if (out[i]) {
                GEOSGeom_destroy_r(h, out[i]);
                out[i] = NULL;
            }
    return st;
}

ptce_status simplify_clean_coverage(ptce_ctx *ctx, const GEOSGeometry *const *in, size_t n,
                                double gap_area, double grid, GEOSGeometry **out)
{
    GEOSContextHandle_t h = ctx->geos;
    memset(out, 0, n * sizeof *out);
    GEOSGeometry **borders = calloc(n ? n : 1, sizeof *borders);
    if (!borders)
        return ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
    for (size_t i = 0; i < n; i++)
        borders[i] = GEOSBoundary_r(h, in[i]);
    GEOSGeometry *all = GEOSGeom_createCollection_r(h, GEOS_GEOMETRYCOLLECTION, borders,
                                                    (unsigned)n);
    free(borders);
    /* Noded on the grid: every face vertex is on it, so the faces' unions need no snapping
     * (snapping each polygon afterwards could collapse a sliver on one side only). */
    GEOSGeometry *noded = all ? GEOSUnaryUnionPrec_r(h, all, grid) : NULL;
    if (all)
        GEOSGeom_destroy_r(h, all);
    const GEOSGeometry *noded_array[1] = {noded};
    GEOSGeometry *faces = noded ? GEOSPolygonize_r(h, noded_array, 1) : NULL;
    if (noded)
        GEOSGeom_destroy_r(h, noded);
    if (!faces)
        return ptce_fail(ctx, PTCE_ERR_LIBRARY, "GEOS : nettoyage de la couverture impossible "
                                                "(%s)", ctx->geos_error);
    int nfaces = GEOSGetNumGeometries_r(h, faces);
    GEOSSTRtree *tree = GEOSSTRtree_create_r(h, 10);
    const GEOSPreparedGeometry **prepared = calloc(n ? n : 1, sizeof *prepared);
    int *owner = calloc((size_t)(nfaces ? nfaces : 1), sizeof *owner);
    unsigned *counts = calloc(n ? n : 1, sizeof *counts);
    candidates cand = {0};
    ptce_status st = PTCE_OK;
    if (!tree || !prepared || !owner || !counts)
        st = ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
    for (size_t i = 0; i < n && !st; i++) {
        prepared[i] = GEOSPrepare_r(h, in[i]);
        GEOSSTRtree_insert_r(h, tree, in[i], (void *)(uintptr_t)(i + 1));
    }
    for (int f = 0; f < nfaces && !st; f++) {
        const GEOSGeometry *face = GEOSGetGeometryN_r(h, faces, f);
        cand.n = 0;
        GEOSSTRtree_query_r(h, tree, face, collect_candidate, &cand);
        if (cand.n > 1)
            qsort(cand.idx, cand.n, sizeof *cand.idx, cmp_size);
        owner[f] = -1;
        GEOSGeometry *inside = GEOSPointOnSurface_r(h, face);
        for (size_t k = 0; inside && k < cand.n; k++)
            if (GEOSPreparedContains_r(h, prepared[cand.idx[k]], inside) == 1) {
                owner[f] = (int)cand.idx[k];
                break;
            }
        if (inside)
            GEOSGeom_destroy_r(h, inside);
        double area = 0;
        if (owner[f] < 0 && GEOSArea_r(h, face, &area) && area < gap_area) {
            size_t best = longest_border(h, face, 2 * grid, in, &cand);
            if (best != (size_t)-1)
                owner[f] = (int)best;
        }
        if (owner[f] >= 0)
            counts[owner[f]]++;
    }
    for (size_t i = 0; i < n && !st; i++) {
        GEOSGeometry **mine = calloc(counts[i] ? counts[i] : 1, sizeof *mine);
        if (!mine) {
            st = ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
            break;
        }
        unsigned k = 0;
        for (int f = 0; f < nfaces; f++)
            if (owner[f] == (int)i)
                mine[k++] = GEOSGeom_clone_r(h, GEOSGetGeometryN_r(h, faces, f));
        GEOSGeometry *coll = GEOSGeom_createCollection_r(h, GEOS_GEOMETRYCOLLECTION, mine, k);
        free(mine);
        /* The faces are an exact coverage: the coverage union is fast and exact. */
        GEOSGeometry *uni = coll ? GEOSCoverageUnion_r(h, coll) : NULL;
        if (!uni && coll)
            uni = GEOSUnaryUnion_r(h, coll);
        if (coll)
            GEOSGeom_destroy_r(h, coll);
        out[i] = uni;
        if (!out[i] || GEOSisEmpty_r(h, out[i]))
            st = ptce_fail(ctx, PTCE_ERR_LIBRARY, "GEOS : polygone %zu vide après nettoyage (%s)",
                           i, ctx->geos_error);
    }
    for (size_t i = 0; i < n; i++)
        if (prepared && prepared[i])
            GEOSPreparedGeom_destroy_r(h, prepared[i]);
    if (tree)
        GEOSSTRtree_destroy_r(h, tree);
    free(prepared);
    free(owner);
    free(counts);
    free(cand.idx);
    GEOSGeom_destroy_r(h, faces);
    if (st)
        for (size_t i = 0; i < n; i++)
            if (out[i]) {
                GEOSGeom_destroy_r(h, out[i]);
                out[i] = NULL;
            }
    return st;
}
