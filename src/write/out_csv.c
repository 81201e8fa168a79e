/*
 * write/out_csv.c — CSV for spreadsheets: UTF-8 with a BOM (so that Excel shows accents),
 * `;` separators (French locale), CRLF line ends, formula-like cells defused.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/csvfile.h"
#include "core/ctx.h"
#include "core/util.h"
#include "write/writers.h"

ptce_status writers_write_bytes(ptce_ctx *ctx, outdir *od, const char *name, const char *bytes,
                        size_t len)
{
    char path[4096];
    ptce_status st = outdir_file(ctx, od, name, path, sizeof path);
    if (st)
        return st;
    FILE *f = fopen(path, "wb");
    if (!f)
        return outdir_write_error(ctx, path, errno);
    errno = 0;
    int bad = len && fwrite(bytes, 1, len, f) != len;
    int err = errno;
    if (fclose(f) != 0 && !bad) {
        bad = 1;
        err = errno;
    }
    return bad ? outdir_write_error(ctx, path, err) : PTCE_OK;
}

ptce_status writers_csv(ptce_ctx *ctx, outdir *od, const char *name, const layer *l)
{
    util_strbuf sb;
    util_sb_init(&sb);
    csvfile_begin(&sb);
    for (size_t f = 0; f < l->nfields; f++)
        csvfile_append_cell(&sb, l->fields[f].name, CSVFILE_OUT_SEP, f == 0);
    csvfile_end_row(&sb);
    for (size_t i = 0; i < l->nfeatures; i++) {
        for (size_t f = 0; f < l->nfields; f++) {
            layer_field_value v = {0};
            l->value(l->user, i, f, &v);
            char num[64];
            const char *text = v.text;
            if (v.is_null) {
                text = "";
            } else if (l->fields[f].type == LAYER_FIELD_INTEGER) {
                snprintf(num, sizeof num, "%lld", v.integer);
                text = num;
            } else if (l->fields[f].type == LAYER_FIELD_REAL) {
                snprintf(num, sizeof num, "%.*f", l->fields[f].decimals, v.real);
                for (char *c = num; *c; c++) /* the French decimal comma */
                    if (*c == '.')
                        *c = CSVFILE_OUT_DECIMAL;
                text = num;
            }
            csvfile_append_cell(&sb, text ? text : "", CSVFILE_OUT_SEP, f == 0);
        }
        csvfile_end_row(&sb);
    }
    ptce_status st = sb.failed ? ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante")
                               : writers_write_bytes(ctx, od, name, sb.data, sb.len);
    util_sb_free(&sb);
    return st;
}
