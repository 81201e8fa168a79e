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
 */
#ifndef PTCE_REFDATA_CACHE_H
#define PTCE_REFDATA_CACHE_H

#include "refdata/refdata.h"

/* Writes the image of `rd`, made from the tables of `data_dir`. */
ptce_status refdata_cache_write(ptce_ctx *ctx, const refdata *rd, const char *data_dir,
                                const char *path);

/* Loads the image at `path` into rd (arrays only: communes, former communes, postal codes,
 * départements, regions, names) if it matches the tables of `data_dir`. Returns 1 when
 * loaded, 0 when the image is absent or stale (rd untouched), minus the status on a real
 * error (message set: -PTCE_ERR_MEMORY, -PTCE_ERR_DATA). */
int refdata_cache_read(ptce_ctx *ctx, const char *data_dir, const char *path, refdata *rd);

#endif
