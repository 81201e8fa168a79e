/*
 * core/tsv.h — reading the tab-separated reference tables in data/.
 *
 * The tables are written by scripts/update-reference-data: UTF-8, one header line, no
 * quoting, no tab or newline inside a cell. A table is read whole into one buffer and cut
 * in place, so cells are pointers into that buffer and cost no allocation each.
 */
#ifndef PTCE_CORE_TSV_H
#define PTCE_CORE_TSV_H

#include <stddef.h>

#include "ptce.h"

typedef struct tsv_table {
    char *buffer;       /* owned: the file's bytes, cut into NUL-terminated cells */
    size_t ncols;
    size_t nrows;       /* data rows, header excluded */
    char **cells;       /* owned: (nrows + 1) * ncols pointers into buffer; row 0 = header */
} tsv_table;

/* Reads data_dir/name. Fails with PTCE_ERR_DATA when the file is missing or when a row
 * does not have the header's width, or when a required column is missing. `required` is
 * a NULL-terminated list of column names that must be present. */
ptce_status tsv_read(ptce_ctx *ctx, const char *data_dir, const char *name,
                     const char *const *required, tsv_table *out);
void tsv_free(tsv_table *t);

/* Index of a column by header name, -1 when absent. */
int tsv_column(const tsv_table *t, const char *name);

/* Cell of data row `row` (0-based), column `col`. */
static inline const char *tsv_cell(const tsv_table *t, size_t row, int col)
{
    return t->cells[(row + 1) * t->ncols + (size_t)col];
}

#endif
