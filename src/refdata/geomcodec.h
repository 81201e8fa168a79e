/*
 * refdata/geomcodec.h — the compact text encoding of the polygons stored in data/geom/.
 *
 * Why not WKT: the 35,000 IGN commune polygons hold 2.2 million vertices; as WKT they
 * would weigh about 50 MB. Coordinates are integers at 1e-5 degree (about 1 m, the
 * precision IGN's file was published at, so the encoding is lossless for it), and every
 * vertex after a ring's first is written as the difference to the previous one, which
 * gzip then packs well (about 8 MB for all communes). It stays text: `zcat` shows one
 * polygon per line, and a rerun of the data compiler writes the same bytes.
 *
 * Grammar of one geometry (a Polygon or a MultiPolygon):
 *     geometry := polygon (';' polygon)*
 *     polygon  := ring ('|' ring)*          first ring the shell, then the holes
 *     ring     := X ',' Y (' ' DX ',' DY)*   integers, 1e-5 degree; the closing vertex
 *                                            (equal to the first) is not written
 * One file line is `CODE <TAB> geometry`. Files are gzip streams (zlib gzopen: no time
 * stamp in the header, so the bytes do not depend on when they were written).
 *
 * Owns nothing: every function returns memory owned by the caller (free() for text,
 * GEOSGeom_destroy_r for geometries). Must not be given coordinates off the 1e-5 grid to
 * encode (they are rounded; the compiler snaps to the grid first so what it tests is what
 * it writes).
 */
#ifndef PTCE_REFDATA_GEOMCODEC_H
#define PTCE_REFDATA_GEOMCODEC_H

#include <geos_c.h>
#include <stddef.h>

#include "ptce.h"

#define GEOMCODEC_SCALE 1e5 /* units per degree */

/* The encoding of a Polygon or MultiPolygon (other types, and empty ones, give NULL). */
char *geomcodec_encode(GEOSContextHandle_t h, const GEOSGeometry *g);

/* Decodes `len` bytes of one geometry (not NUL-terminated necessarily). NULL when the text
 * is not in the grammar above, or with errno ENOMEM when memory ran out (callers clear errno
 * before the call to tell the two apart). */
GEOSGeometry *geomcodec_decode(GEOSContextHandle_t h, const char *text, size_t len);

/* Reads a whole gzip file (or a plain one) into memory, NUL-terminated; NULL with errno
 * set when it cannot be read. */
char *geomcodec_read_gz(const char *path, size_t *len);

/* Writes `len` bytes to `path` as gzip at level 9. Returns 0 on success. */
int geomcodec_write_gz(const char *path, const char *data, size_t len);

#endif
