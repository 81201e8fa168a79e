/*
 * refdata/shapes.h — the commune polygons and their spatial index, private to refdata/.
 *
 * Owns: one GEOS polygon per commune that has its own (indexed like rd->communes), their
 * prepared geometries (made on first use) and a GEOS STRtree over them. Loaded from
 * data/geom/communes-*.geo.gz by refdata_shapes_get() on the first reverse lookup, freed by
 * refdata_free(). The public API is refdata_locate() and friends in refdata.h.
 */
#ifndef PTCE_REFDATA_SHAPES_H
#define PTCE_REFDATA_SHAPES_H

#include "refdata/refdata.h"

/* Frees rd->shapes (nothing when never loaded). */
void refdata_shapes_free(refdata *rd);

#endif
