/*
 * refdata/shapes.h — the commune polygons and their spatial index, private to refdata/.
 *
 * Owns: one GEOS polygon per commune that has its own (indexed like rd->communes), their
 * prepared geometries (made on first use) and one GEOS STRtree per département. A
 * département's communes are read from data/geom/communes-<dep>.geo.gz (through
 * refdata/geofile.h: the image's decoded copy when it holds the file) by the first lookup
 * whose box meets the département's box (its polygon's, which holds its communes' boxes:
 * checked as they are read), so a census whose coordinates fall in a few départements reads
 * a few files, not 101; the search for the nearest commune beyond 200 km reads them all.
 * Freed by refdata_free(). The public API is refdata_locate() and friends in refdata.h.
 */
#ifndef PTCE_REFDATA_SHAPES_H
#define PTCE_REFDATA_SHAPES_H

#include "refdata/refdata.h"

/* Frees rd->shapes (nothing when never loaded). */
void refdata_shapes_free(refdata *rd);

/* How many départements' commune polygons have been read so far (0 before any lookup). */
size_t refdata_shapes_departements_read(const refdata *rd);
/* Of them, how many were read from the image's decoded copy (refdata/geofile.h). */
size_t refdata_shapes_departements_from_image(const refdata *rd);

#endif
