/*
 * geom/simplify.h — simplifying a coverage (polygons that share their borders, like
 * départements) for web maps without opening gaps or overlaps between neighbours.
 *
 * GEOS 3.11 has no coverage simplifier (GEOSCoverageSimplifyVW is 3.12). Simplifying each
 * polygon alone would move a shared border differently on each side, so the shared lines
 * are simplified once: the borders are noded and merged into lines between junctions,
 * each line is simplified (topology-preserving Douglas-Peucker), the faces are rebuilt
 * with GEOSPolygonize and given back to the polygon that contains them; a face in none
 * smaller than 4 × tolerance² (an inlet whose mouth the simplified lines closed) goes to
 * the neighbour it shares most border with, so it does not become a hole between them.
 */
#ifndef PTCE_GEOM_SIMPLIFY_H
#define PTCE_GEOM_SIMPLIFY_H

#include <geos_c.h>
#include <stddef.h>

#include "ptce.h"

/* Writes n new geometries into out (owned by the caller). `tolerance` is in the units of
 * the input (degrees for WGS 84). */
ptce_status simplify_coverage(ptce_ctx *ctx, const GEOSGeometry *const *in, size_t n,
                                   double tolerance, GEOSGeometry **out);

/* Makes polygons that should tile the plane (départements, EPCI, each unioned from
 * communes simplified file by file, so that neighbours disagree by a metre here and
 * there) into an exact coverage: every border is noded once on the grid (GEOSUnaryUnionPrec
 * of the boundaries), the faces are rebuilt (GEOSPolygonize), and each face goes to
 *   - the first input (lowest index) that contains a point inside it: overlaps go to one
 *     side only;
 *   - else, when its area is below `gap_area` (square units of the input), to the input
 *     with which it shares the longest border: a gap between neighbours is closed;
 *   - else to nobody: a real hole (the sea between islands, Llívia, a foreign enclave).
 * Writes n new geometries into out (owned by the caller), their vertices on `grid`. */
ptce_status simplify_clean_coverage(ptce_ctx *ctx, const GEOSGeometry *const *in, size_t n,
                                double gap_area, double grid, GEOSGeometry **out);

#endif
