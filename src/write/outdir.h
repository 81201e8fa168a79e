/*
 * write/outdir.h — writing a set of output files all or nothing.
 *
 * Every file of a run is written into a private temporary folder inside the target
 * folder. When the whole run succeeded, and the target holds nothing but the files this
 * run writes (the usual rerun), the finished folder is exchanged with the target in one
 * atomic rename: a run killed at any moment leaves all the previous outputs or all the new
 * ones. When the target also holds other files (they are never touched), the outputs are
 * renamed into it one by one after a check that each can be; a run killed during those
 * renames (a few milliseconds) can leave a mix. A failed run leaves the previous outputs as
 * they were, and at worst a hidden .ptce-map-tmp-* folder, which the next run removes. A
 * symlink in place of an output is replaced, never followed.
 */
#ifndef PTCE_WRITE_OUTDIR_H
#define PTCE_WRITE_OUTDIR_H

#include <stddef.h>

#include "ptce.h"

typedef struct outdir {
    char *final;      /* target folder */
    char *tmp;        /* temporary folder inside it */
    char **names;     /* relative names of the files written, in order */
    size_t nnames;
    int created_final;
} outdir;

/* Creates the target folder when missing and a fresh temporary folder inside it. */
ptce_status outdir_open(ptce_ctx *ctx, const char *final, outdir *out);

/* Registers `name` (may hold sub-folders, "carte/x.shp", "web/lib/x.js") and writes its temporary
 * path into buf. Returns PTCE_OK or an error. */
ptce_status outdir_file(ptce_ctx *ctx, outdir *od, const char *name, char *buf, size_t size);

/* Moves every registered file into place and removes the temporary folder. */
ptce_status outdir_commit(ptce_ctx *ctx, outdir *od);

/* Removes the temporary folder and what it holds; the target is left as it was. */
void outdir_abort(outdir *od);

/* Writes one file all or nothing: a temporary file beside it, renamed over it at the end.
 * "-" writes to standard output. */
ptce_status write_file_atomic(ptce_ctx *ctx, const char *path, const char *bytes, size_t len);

#endif
