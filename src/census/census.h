/*
 * census/census.h — from the bytes of a census file to records.
 *
 * Owns: encoding (UTF-8 with or without BOM, Windows-1252), separator detection (; , tab),
 * quoting (libcsv), header synonyms, the physical line of every record for messages.
 * Does not know about communes or sectors: a record is text cells plus a line number
 * (the table itself is model/record.h).
 *
 * Invariant: every non-empty data row of the file becomes exactly one record, in file
 * order. A row with fewer cells than the header is padded with empty cells. A row with
 * more keeps the first ncols: its extra cells have no column to go to and are dropped, never
 * silently — the row carries a CENSUS_WIDE_ROW warning record (line, cells, header width)
 * that the log and validate report with the advice to quote the cell holding a separator.
 */
#ifndef PTCE_CENSUS_H
#define PTCE_CENSUS_H

#include <stddef.h>

#include "core/util.h"
#include "model/record.h"
#include "ptce.h"

/* Options for reading. `columns` is the --columns text: "role=Header name" pairs separated
 * by commas, e.g. "commune=Ville du siège,code_postal=CP siège". NULL when unused. */
typedef struct census_options {
    const char *columns;
} census_options;

/* Reads a census file. On failure returns an error whose message names the file, the
 * line and, where it helps, the column, and says what to do. */
ptce_status census_read(ptce_ctx *ctx, const char *path, const census_options *opts,
                        census *out);

/* Checks a --columns value without any census: "rôle=Colonne,…" pairs, known roles, each
 * role once, no column named for two roles. PTCE_ERR_USAGE with the message otherwise.
 * Called again by the reader; the CLI calls it first, so that a usage error is reported
 * as one (exit 1) whatever else fails later. */
ptce_status census_check_columns(ptce_ctx *ctx, const char *columns);

/* Same as census_read, from bytes in memory (used by the fuzzers and tests); `name` goes
 * in messages. */
ptce_status census_parse(ptce_ctx *ctx, const char *name, const char *bytes, size_t len,
                         const census_options *opts, census *out);

/* Both record their warnings in out->warns (model/record.h) and also print them to the
 * context's log unless it is quiet. This is their French, for the log and for anyone who
 * quotes them: the message without "FILE, ligne N : ". */
void census_warning_text(const census *c, const census_warning *w, util_strbuf *sb);

#endif
