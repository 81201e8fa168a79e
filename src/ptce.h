/*
 * ptce.h — the public face of libptce, the library behind `ptce-map`.
 *
 * A run goes through the stages in one direction:
 *
 *   census file → census (records) → geocode → classify → aggregate → writers → files
 *
 * Everything a stage needs travels in a ptce_ctx: the GEOS and PROJ handles, the folder of
 * reference data, and the last error message. There is no global mutable state, so two
 * contexts can live side by side (tests do that).
 *
 * Errors: every function that can fail returns a ptce_status. PTCE_OK is 0; anything else
 * comes with a message, in French for users, read with ptce_ctx_error(). Nothing below
 * main() ever exits the process.
 */
#ifndef PTCE_H
#define PTCE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

typedef enum ptce_status {
    PTCE_OK = 0,
    PTCE_ERR_USAGE = 1,   /* the caller asked for something that cannot be: bad option */
    PTCE_ERR_INPUT = 2,   /* the census or another user file cannot be read as asked */
    PTCE_ERR_DATA = 3,    /* the reference data is missing or damaged */
    PTCE_ERR_IO = 4,      /* reading or writing a file failed */
    PTCE_ERR_MEMORY = 5,  /* out of memory */
    PTCE_ERR_LIBRARY = 6  /* GEOS, PROJ or shapelib refused an operation */
} ptce_status;

typedef struct ptce_ctx ptce_ctx;

/* Creates a context with its GEOS and PROJ handles. Returns NULL only when memory or one
 * of the libraries cannot be initialised. `log` receives warnings and summaries (stderr
 * when NULL). */
ptce_ctx *ptce_ctx_new(FILE *log);
void ptce_ctx_free(ptce_ctx *ctx);

/* The message of the last failure, "" when none. Owned by the context. */
const char *ptce_ctx_error(const ptce_ctx *ctx);

/* Where the reference data lives. Without a call, ptce_data_dir() looks in order at
 * $PTCE_MAP_DATA, ../share/ptce-map beside the executable, the configured install folder,
 * then the source tree's data/. NULL when none holds the data. */
ptce_status ptce_ctx_set_data_dir(ptce_ctx *ctx, const char *dir);
const char *ptce_data_dir(ptce_ctx *ctx);

/* Quiet contexts print no warnings or summaries (errors still travel as messages). */
void ptce_ctx_set_quiet(ptce_ctx *ctx, int quiet);

/* Versions, for --version and the outputs' metadata. */
const char *ptce_version(void);
const char *ptce_geos_version(void);
const char *ptce_proj_version(void);

/* Sets the context's message and returns `status`, so that callers can write
 * `return ptce_fail(ctx, PTCE_ERR_INPUT, "…", …);`. */
ptce_status ptce_fail(ptce_ctx *ctx, ptce_status status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The French words for a system error (ENOSPC "disque plein", EACCES "permission refusée",
 * EROFS, EDQUOT, EFBIG, ENOENT, EEXIST, ENOTDIR, EISDIR, ENAMETOOLONG, EMFILE, ENOMEM…), so
 * that no English strerror() ends up inside a French sentence; strerror() for the rare
 * others. The one table of them: every message about a failed system call uses it. */
const char *ptce_errno_text(int err);

/* Prints prefix, then text escaped for a terminal (util_sb_append_for_terminal), then a
 * line feed: how the CLI prints the context's error and its own lines that quote input. */
void ptce_print_for_terminal(FILE *f, const char *prefix, const char *text);

/* Prints a warning line to the log unless the context is quiet. */
void ptce_warn(ptce_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Prints an information line to the log unless the context is quiet. */
void ptce_info(ptce_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
