/*
 * geom/simplify.h — simplifying a coverage (polygons that share their borders, like
 * départements) for web maps without opening gaps or overlaps between neighbours.
 *
 * GEOS 3.11 has no coverage simplifier (GEOSCoverageSimplifyVW is 3.12). Simplifying each
 * polygon alone would move a shared border differently on each side, so the shared lines
 * are simplified once: the borders are noded and merged into lines between junctions,
 * each line is simplified (topology-preserving Douglas-Peucker), the faces are rebuilt
 * with GEOSPolygonize and given back to the polygon that contains them.
 */
#ifndef PTCE_GEOM_SIMPLIFY_H
#define PTCE_GEOM_SIMPLIFY_H

#include <geos_c.h>
#include <stddef.h>

#include "ptce.h"

/* Writes n new geometries into out (owned by the caller). `tolerance` is in the units of
 * the input (degrees for WGS 84). */
ptce_status geom_simplify_coverage(ptce_ctx *ctx, const GEOSGeometry *const *in, size_t n,
                                   double tolerance, GEOSGeometry **out);

#endif
