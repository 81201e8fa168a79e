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
#include <stdint.h>

#include "ptce.h"

#define GEOMCODEC_SCALE 1e5 /* units per degree */

/* The encoding of a Polygon or MultiPolygon (other types, and empty ones, give NULL). */
char *geomcodec_encode(GEOSContextHandle_t h, const GEOSGeometry *g);

/* Decodes `len` bytes of one geometry (not NUL-terminated necessarily). NULL when the text
 * is not in the grammar above, or with errno ENOMEM when memory ran out (callers clear errno
 * before the call to tell the two apart). */
GEOSGeometry *geomcodec_decode(GEOSContextHandle_t h, const char *text, size_t len);

/* ---- the decoded form, which the reference-data image stores (refdata/cache.h) ----------
 * The geometry geomcodec_decode() gives, without zlib or text: a geometry is a run of
 * rings; a ring is `n` vertices from `first` in a vertex array, x and y interleaved, the
 * closing vertex included (GEOS copies a ring in one call). GEOMCODEC_RING_SHELL set in
 * `n` marks the shell that begins each polygon; the rings after it, up to the next shell,
 * are its holes. One polygon gives a Polygon, several a MultiPolygon, as the text does.
 * The vertices are the integer units of the text (GEOMCODEC_SCALE per degree), turned into
 * degrees by the very division geomcodec_decode() makes: the same doubles, half the bytes
 * of storing them. */
typedef struct geomcodec_ring {
    uint32_t first, n;
} geomcodec_ring;
#define GEOMCODEC_RING_SHELL 0x80000000u

/* Rings and vertices being gathered, for the image's maker: grown by geomcodec_flatten(),
 * freed by geomcodec_flat_free(). */
typedef struct geomcodec_flat {
    geomcodec_ring *rings;
    int32_t *xy;
    size_t nrings, caprings, nvertices, capvertices;
} geomcodec_flat;

/* Appends the rings and vertices of `g` (a Polygon or MultiPolygon whose every coordinate
 * is on the 1e-5 grid: what geomcodec_decode() returned) to `out`. 0 when `g` is not such a
 * geometry, or memory ran out. */
int geomcodec_flatten(GEOSContextHandle_t h, const GEOSGeometry *g, geomcodec_flat *out);
void geomcodec_flat_free(geomcodec_flat *f);

/* The geometry of `nrings` rings whose vertices are in `xy` (`nvertices` of them): the
 * caller checks the ranges; NULL when they do not form polygons (no shell first, a ring of
 * fewer than 4 vertices, out of `xy`) or, with errno ENOMEM, when memory ran out. */
GEOSGeometry *geomcodec_build(GEOSContextHandle_t h, const geomcodec_ring *rings, size_t nrings,
                              const int32_t *xy, size_t nvertices);

/* Reads a whole gzip file (or a plain one) into memory, NUL-terminated; NULL with errno
 * set when it cannot be read. */
char *geomcodec_read_gz(const char *path, size_t *len);

/* Writes `len` bytes to `path` as gzip at level 9. Returns 0 on success. */
int geomcodec_write_gz(const char *path, const char *data, size_t len);

#endif
