/*
 * core/ctx.h — the context every stage receives, and the helpers that set its error.
 *
 * Owns: the GEOS context handle, the PROJ context, the data folder path, the log stream
 * and the message of the last error. Not for use outside the library: the public view is
 * the opaque ptce_ctx of ptce.h.
 */
#ifndef PTCE_CORE_CTX_H
#define PTCE_CORE_CTX_H

#include <geos_c.h>
#include <proj.h>

#include "ptce.h"

struct ptce_ctx {
    GEOSContextHandle_t geos;
    PJ_CONTEXT *proj;
    char *data_dir;     /* owned; NULL until chosen */
    FILE *log;          /* not owned */
    int quiet;
    char error[2048];
    char geos_error[512]; /* last message GEOS gave its handler */
};

/* Sets the context's message and returns `status`, so that callers can write
 * `return ptce_fail(ctx, PTCE_ERR_INPUT, "…", …);`. */
ptce_status ptce_fail(ptce_ctx *ctx, ptce_status status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Prints a warning line to the log unless the context is quiet. */
void ptce_warn(ptce_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Prints an information line to the log unless the context is quiet. */
void ptce_info(ptce_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
