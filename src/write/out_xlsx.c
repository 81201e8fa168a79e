/*
 * write/out_xlsx.c — the spreadsheet writer (Office Open XML, through libxlsxwriter).
 *
 * Owns: how a layer's attributes become one worksheet — a bold header row of the caller's
 * French headings, frozen; one row per feature; text fields as text cells (so that codes
 * such as "01" or "2A" keep their form), integer and real fields as numbers with a number
 * format of the field's decimals (Excel shows them with the reader's decimal separator);
 * NULL as an empty cell; column widths from the longest value, within bounds; an
 * autofilter on the header.
 * Must not: decide which sheets, headings or figures there are (the caller does).
 * Allocation: nothing outlives the call.
 *
 * Determinism: libxlsxwriter writes the creation date into docProps/core.xml; the caller
 * gives a fixed one (`created`), never "now", so the same input gives the same bytes.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xlsxwriter.h>

#include "core/ctx.h"
#include "core/util.h"
#include "write/writers.h"

#define XLSX_MIN_WIDTH 6.0
#define XLSX_MAX_WIDTH 60.0
#define XLSX_MAX_CELL 32767 /* characters in an Excel cell */
#define XLSX_MAX_ROWS 1048575

/* Characters (not bytes) of a UTF-8 string. */
static size_t utf8_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

static ptce_status xlsx_fail(ptce_ctx *ctx, const char *path, const char *what, lxw_error e)
{
    return ptce_fail(ctx, PTCE_ERR_IO, "%s : écriture du classeur impossible (%s : %s)", path,
                     what, lxw_strerror(e));
}

/* A sheet name Excel accepts: 31 characters at most, none of []:*?/\ . */
static ptce_status check_sheet_name(ptce_ctx *ctx, const char *path, const char *name)
{
    if (!name || !*name || utf8_chars(name) > 31 || strpbrk(name, "[]:*?/\\"))
        return ptce_fail(ctx, PTCE_ERR_USAGE, "%s : nom de feuille « %s » invalide", path,
                         name ? name : "");
    return PTCE_OK;
}

/* At least the length of "%.*f" of finite x: the sign (printed for -0 too), the digits of
 * floor(|x|) + 1 (rounding can carry into one more digit, never two), the point and d
 * decimals. Below 1e15 every power of ten and floor(|x|) + 1 are exact doubles; above, no
 * bound (the caller prints). */
static double number_width_bound(double x, int d)
{
    double a = floor(fabs(x)) + 1;
    if (!(a < 1e15))
        return HUGE_VAL;
    int digits = 1;
    for (double p = 10; p <= a; p *= 10)
        digits++;
    return (double)((signbit(x) ? 1 : 0) + digits + (d > 0 ? d + 1 : 0));
}

static ptce_status write_sheet(ptce_ctx *ctx, lxw_workbook *wb, const char *path,
                               const writers_xlsx_sheet *s, lxw_format *bold, lxw_format **number_formats)
{
    const layer *l = s->l;
    lxw_worksheet *ws = workbook_add_worksheet(wb, s->name);
    if (!ws)
        return ptce_fail(ctx, PTCE_ERR_USAGE, "%s : feuille « %s » refusée", path, s->name);
    if (l->nfeatures > XLSX_MAX_ROWS || l->nfields > 16384)
        return ptce_fail(ctx, PTCE_ERR_USAGE, "%s : feuille « %s » trop grande pour un classeur",
                         path, s->name);
    double *widths = calloc(l->nfields ? l->nfields : 1, sizeof *widths);
    if (!widths)
        return ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
    ptce_status st = PTCE_OK;
    for (size_t f = 0; f < l->nfields; f++) {
        const char *h = s->headers && s->headers[f] ? s->headers[f] : l->fields[f].name;
        lxw_error e = worksheet_write_string(ws, 0, (lxw_col_t)f, h, bold);
        if (e) {
            free(widths);
            return xlsx_fail(ctx, path, s->name, e);
        }
        widths[f] = (double)utf8_chars(h) + 2;
    }
    util_strbuf cut;
    util_sb_init(&cut);
    for (size_t i = 0; i < l->nfeatures && !st; i++) {
        lxw_row_t row = (lxw_row_t)i + 1;
        for (size_t f = 0; f < l->nfields; f++) {
            const layer_field_def *fd = &l->fields[f];
            layer_field_value v = {0};
            l->value(l->user, i, f, &v);
            lxw_error e = LXW_NO_ERROR;
            double w = 0;
            if (v.is_null || (fd->type == LAYER_FIELD_TEXT && !v.text)) {
                continue;
            } else if (fd->type == LAYER_FIELD_TEXT) {
                const char *t = v.text;
                size_t chars = utf8_chars(t);
                if (chars > XLSX_MAX_CELL) {
                    /* Excel's limit; cut at a character boundary. */
                    size_t bytes = 0, k = 0;
                    while (t[bytes] && k < XLSX_MAX_CELL) {
                        bytes++;
                        while (((unsigned char)t[bytes] & 0xC0) == 0x80)
                            bytes++;
                        k++;
                    }
                    cut.len = 0;
                    util_sb_append_n(&cut, t, bytes);
                    t = cut.failed ? "" : cut.data;
                    chars = XLSX_MAX_CELL;
                }
                e = worksheet_write_string(ws, row, (lxw_col_t)f, t, NULL);
                w = (double)chars;
            } else {
                int d = fd->type == LAYER_FIELD_INTEGER ? 0 : fd->decimals;
                if (d < 0)
                    d = 0;
                if (d > 6)
                    d = 6;
                double x = fd->type == LAYER_FIELD_INTEGER ? (double)v.integer : v.real;
                if (!isfinite(x))
                    continue;
                e = worksheet_write_number(ws, row, (lxw_col_t)f, x, number_formats[d]);
                /* The width is that of "%.*f"; printing it is only needed when it could
                 * widen the column: past the first rows, it seldom can. */
                if (number_width_bound(x, d) + 2 > widths[f]) {
                    char buf[64];
                    w = (double)snprintf(buf, sizeof buf, "%.*f", d, x);
                }
            }
            if (e) {
                st = xlsx_fail(ctx, path, s->name, e);
                break;
            }
            if (w + 2 > widths[f])
                widths[f] = w + 2;
        }
    }
    util_sb_free(&cut);
    for (size_t f = 0; f < l->nfields && !st; f++) {
        double w = fmin(XLSX_MAX_WIDTH, fmax(XLSX_MIN_WIDTH, widths[f]));
        lxw_error e = worksheet_set_column(ws, (lxw_col_t)f, (lxw_col_t)f, w, NULL);
        if (e)
            st = xlsx_fail(ctx, path, s->name, e);
    }
    free(widths);
    if (st)
        return st;
    worksheet_freeze_panes(ws, 1, 0);
    if (l->nfields > 0) {
        lxw_error e = worksheet_autofilter(ws, 0, 0, (lxw_row_t)l->nfeatures,
                                           (lxw_col_t)(l->nfields - 1));
        if (e)
            return xlsx_fail(ctx, path, s->name, e);
    }
    return PTCE_OK;
}

ptce_status writers_xlsx(ptce_ctx *ctx, outdir *od, const char *name, const writers_xlsx_document *doc)
{
    if (doc->created <= 0)
        return ptce_fail(ctx, PTCE_ERR_USAGE, "%s : date de création manquante", name);
    char path[4096];
    ptce_status st = outdir_file(ctx, od, name, path, sizeof path);
    if (st)
        return st;
    for (size_t i = 0; i < doc->nsheets && !st; i++)
        st = check_sheet_name(ctx, path, doc->sheets[i].name);
    if (st)
        return st;
    lxw_workbook_options opts = {.constant_memory = LXW_FALSE, .tmpdir = od->tmp};
    lxw_workbook *wb = workbook_new_opt(path, &opts);
    if (!wb)
        return ptce_fail(ctx, PTCE_ERR_IO, "%s : création du classeur impossible", path);
    lxw_doc_properties props = {.title = (char *)doc->title, .author = (char *)doc->author,
                                .comments = (char *)doc->comments, .created = doc->created};
    lxw_error e = workbook_set_properties(wb, &props);
    if (e)
        st = xlsx_fail(ctx, path, "propriétés", e);
    lxw_format *bold = workbook_add_format(wb);
    format_set_bold(bold);
    format_set_text_wrap(bold);
    format_set_align(bold, LXW_ALIGN_VERTICAL_TOP);
    lxw_format *numbers[7];
    static const char *const num_formats[7] = {"0", "0.0", "0.00", "0.000", "0.0000", "0.00000",
                                               "0.000000"};
    for (int d = 0; d < 7; d++) {
        numbers[d] = workbook_add_format(wb);
        format_set_num_format(numbers[d], num_formats[d]);
    }
    for (size_t i = 0; i < doc->nsheets && !st; i++)
        st = write_sheet(ctx, wb, path, &doc->sheets[i], bold, numbers);
    e = workbook_close(wb);
    if (e && !st)
        st = xlsx_fail(ctx, path, "fermeture", e);
    return st;
}
