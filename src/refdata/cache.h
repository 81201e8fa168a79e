/*
 * refdata/cache.h — a binary image of the loaded reference data, so that start-up does not
 * parse and sort 6 MB of text on every run.
 *
 * The image (refdata.bin) is made at build time by `ptce-refdata-compile --cache` from the
 * TSV tables, and installed beside them. It holds the arrays already sorted and the
 * strings in one block; loading it is one mmap and a pass that turns offsets into
 * pointers. It is only a cache: it records a stamp of every byte of every table it was
 * made from (and their sizes), and when a table no longer matches (data/ updated, one
 * commune corrected by hand in the middle of a table, image from another machine),
 * refdata_load() silently reads the tables instead. The image is
 * native-endian and not meant to be committed.
 *
 * It can also hold the output bytes of the reference polygons (refdata_cache_prebuilt): made by
 * the writers' formatters, which refdata does not know (the compiler passes them), and
 * handed out by refdata_polygon_bytes(). They live in the mapping: nothing to free.
 */
#ifndef PTCE_REFDATA_CACHE_H
#define PTCE_REFDATA_CACHE_H

#include <stdint.h>

#include "core/util.h"
#include "refdata/refdata.h"

/* The output bytes of the reference polygons that an image can hold beside the tables:
 * for each set (refdata_polygon_set), each area and each of `nformats` formats, the bytes
 * the writers give for it (what refdata_polygon_bytes() returns once the image is loaded).
 * refdata does not know the formats: the maker is given the formatter. */
typedef ptce_status (*refdata_cache_polygon_formatter)(ptce_ctx *ctx, const GEOSGeometry *g,
                                                       int format, util_strbuf *out);
typedef struct refdata_cache_prebuilt {
    uint64_t stamp;                   /* the formatters' fingerprint */
    size_t nformats;
    size_t count[REFDATA_POLYGON_SETS];
    uint64_t *spans[REFDATA_POLYGON_SETS]; /* as refdata.prebuilt_spans; owned */
    util_strbuf bytes;
} refdata_cache_prebuilt;

/* Formats every polygon of every set of `rd` (parsing them) with `format`, whose
 * fingerprint is `stamp`. refdata_cache_prebuilt_free() frees it, even after a failure. */
ptce_status refdata_cache_prebuilt_make(ptce_ctx *ctx, refdata *rd,
                                        refdata_cache_polygon_formatter format, size_t nformats,
                                        uint64_t stamp, refdata_cache_prebuilt *out);
void refdata_cache_prebuilt_free(refdata_cache_prebuilt *pb);

/* Writes the image of `rd`, made from the tables of `data_dir`, with the polygons' bytes
 * `pb` (NULL: none; a run then formats them). */
ptce_status refdata_cache_write(ptce_ctx *ctx, const refdata *rd, const char *data_dir,
                                const char *path, const refdata_cache_prebuilt *pb);

/* Loads the image at `path` into rd (arrays only: communes, former communes, postal codes,
 * départements, regions, names) if it matches the tables of `data_dir`. Returns 1 when
 * loaded, 0 when the image is absent or stale (rd untouched), minus the status on a real
 * error (message set: -PTCE_ERR_MEMORY, -PTCE_ERR_DATA). */
int refdata_cache_read(ptce_ctx *ctx, const char *data_dir, const char *path, refdata *rd);

#endif
