/*
 * core/tsv.c — see tsv.h.
 */
#include "core/tsv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/ctx.h"
#include "core/util.h"

ptce_status tsv_read(ptce_ctx *ctx, const char *data_dir, const char *name,
                     const char *const *required, tsv_table *out)
{
    memset(out, 0, sizeof *out);
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", data_dir, name);
    size_t len;
    out->buffer = util_read_file(path, &len);
    if (!out->buffer && errno == ENOMEM)
        return ptce_fail_read(ctx, PTCE_ERR_DATA, path, errno);
    if (!out->buffer)
        return ptce_fail(ctx, PTCE_ERR_DATA,
                         "%s : donnée de référence illisible (%s). Relancez scripts/setup ou "
                         "indiquez --data.", path, ptce_errno_text(errno));
    /* Count lines and header columns to size the cell array once. */
    size_t lines = 0;
    for (size_t i = 0; i < len; i++)
        lines += out->buffer[i] == '\n';
    if (len > 0 && out->buffer[len - 1] != '\n')
        lines++;
    size_t ncols = 1;
    for (const char *p = out->buffer; *p && *p != '\n'; p++)
        ncols += *p == '\t';
    if (lines == 0) {
        tsv_free(out);
        return ptce_fail(ctx, PTCE_ERR_DATA, "%s : fichier vide", path);
    }
    out->ncols = ncols;
    out->cells = malloc(lines * ncols * sizeof *out->cells);
    if (!out->cells) {
        tsv_free(out);
        return ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
    }
    size_t row = 0;
    char *p = out->buffer;
    char *end = out->buffer + len;
    while (p < end) {
        size_t col = 0;
        char *cell = p;
        for (;;) {
            if (p == end || *p == '\n' || *p == '\t') {
                char sep = p == end ? '\n' : *p;
                if (col >= ncols) {
                    tsv_free(out);
                    return ptce_fail(ctx, PTCE_ERR_DATA, "%s, ligne %zu : plus de %zu colonnes",
                                     path, row + 1, ncols);
                }
                out->cells[row * ncols + col++] = cell;
                if (p < end)
                    *p = '\0';
                p++;
                cell = p;
                if (sep == '\n')
                    break;
            } else {
                p++;
            }
        }
        if (col != ncols) {
            tsv_free(out);
            return ptce_fail(ctx, PTCE_ERR_DATA, "%s, ligne %zu : %zu colonnes au lieu de %zu",
                             path, row + 1, col, ncols);
        }
        row++;
    }
    out->nrows = row - 1;
    for (const char *const *r = required; r && *r; r++)
        if (tsv_column(out, *r) < 0) {
            tsv_free(out);
            return ptce_fail(ctx, PTCE_ERR_DATA, "%s : colonne « %s » manquante", path, *r);
        }
    return PTCE_OK;
}

void tsv_free(tsv_table *t)
{
    free(t->buffer);
    free(t->cells);
    memset(t, 0, sizeof *t);
}

int tsv_column(const tsv_table *t, const char *name)
{
    for (size_t i = 0; i < t->ncols; i++)
        if (strcmp(t->cells[i], name) == 0)
            return (int)i;
    return -1;
}
