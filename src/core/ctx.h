/*
 * core/ctx.h — the context every stage receives, and the helpers that set its error.
 *
 * Owns: the GEOS context handle, the PROJ context, the data folder path, the log stream
 * and the message of the last error. Not for use outside the library: the public view is
 * the opaque ptce_ctx of ptce.h (which also declares ptce_fail, ptce_errno_text, ptce_warn, ptce_info and
 * ptce_print_for_terminal, the helpers a program on the library uses too).
 */
#ifndef PTCE_CORE_CTX_H
#define PTCE_CORE_CTX_H

#include <geos_c.h>
#include <proj.h>

#include "ptce.h"

struct ptce_ctx {
    GEOSContextHandle_t geos;
    PJ_CONTEXT *proj;
    char *data_dir;     /* owned; NULL until chosen with --data */
    char found_dir[4200]; /* the one found otherwise ("" until looked for): no allocation */
    FILE *log;          /* not owned */
    int quiet;
    char error[2048];
    ptce_status status;   /* of the last ptce_fail(): what `error` is about */
    char geos_error[512]; /* last message GEOS gave its handler */
    char *deferred;       /* a deferred context's log lines (ptce_ctx_init_deferred), owned */
    size_t ndeferred;
};

/* The message of a file that could not be read (util_read_file's errno): PTCE_ERR_MEMORY
 * for ENOMEM (exit 5: the file is not at fault), otherwise `status` with "PATH : lecture
 * impossible (<French reason>)." Returns the status set. */
ptce_status ptce_fail_read(ptce_ctx *ctx, ptce_status status, const char *path, int err);

/* A context for work done on another thread that may fail but uses none of a context's
 * resources (classify_text: only ptce_fail on a memory failure): no GEOS or PROJ handle, no
 * data folder, quiet, no log — such work must not warn, a warning would be lost. It lives
 * in the caller's memory and holds nothing to free; the caller hands its failure to the
 * real context after the join (ptce_ctx_take_failure). */
void ptce_ctx_init_detached(ptce_ctx *ctx);

/* Hands `st`, the status of work done with the detached context `from`, to ctx: PTCE_OK
 * leaves ctx untouched; a failure sets ctx's status and message to `from`'s, as if the
 * work had failed there. Returns `st`. */
ptce_status ptce_ctx_take_failure(ptce_ctx *ctx, const ptce_ctx *from, ptce_status st);

/* A detached context whose log lines are kept in memory instead of printed: for work on
 * another thread that may warn (reading a census), the lines the parent would print
 * (its quietness) in the order they were made. ptce_ctx_end_deferred() prints them to the
 * parent's log (`print`) or drops them, and frees them; the failure is handed over with
 * ptce_ctx_take_failure(). -1 without memory: nothing to end, do the work on the parent. */
int ptce_ctx_init_deferred(ptce_ctx *ctx, const ptce_ctx *parent);
void ptce_ctx_end_deferred(ptce_ctx *parent, ptce_ctx *ctx, int print);

/* The status of the last ptce_fail(), for a caller of a function that returns NULL with
 * the message set (a memory failure is not turned into `otherwise`); `otherwise` when none. */
ptce_status ptce_ctx_status(const ptce_ctx *ctx, ptce_status otherwise);

#endif
