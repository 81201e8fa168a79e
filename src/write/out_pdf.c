/*
 * write/out_pdf.c — the map as a print-ready PDF: one A4-landscape page, vector, fonts
 * embedded (as subsets, by cairo), drawn by librsvg from the very SVG document written
 * beside it, so the SVG, the PDF and the PNG agree.
 *
 * Owns: the PDF surface and its metadata (title, author, creation date). Must not: draw
 * anything of its own. Determinism: cairo would stamp the PDF with the current time; the
 * creation and modification dates are set to the caller's date instead.
 * Allocation: nothing outlives the call.
 */
#include <cairo-pdf.h>
#include <stdio.h>
#include <string.h>

#include "core/ctx.h"
#include "write/cartography.h"
#include "write/print.h"
#include "write/writers.h"

ptce_status print_pdf(ptce_ctx *ctx, outdir *od, const char *name, RsvgHandle *doc,
                          const carto_print_info *info)
{
    char path[4096];
    ptce_status st = outdir_file(ctx, od, name, path, sizeof path);
    if (st)
        return st;
    cairo_surface_t *s = cairo_pdf_surface_create(path, PRINT_A4_W_PT, PRINT_A4_H_PT);
    if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
        st = ptce_fail(ctx, PTCE_ERR_IO, "%s : création du PDF impossible (%s)", path,
                       cairo_status_to_string(cairo_surface_status(s)));
        cairo_surface_destroy(s);
        return st;
    }
    if (info->title)
        cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_TITLE, info->title);
    if (info->author)
        cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_AUTHOR, info->author);
    if (info->creator)
        cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATOR, info->creator);
    cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATE_DATE, info->date);
    cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_MOD_DATE, info->date);
    cairo_t *cr = cairo_create(s);
    st = print_render(ctx, doc, cr, PRINT_A4_W_PT, PRINT_A4_H_PT, path);
    cairo_destroy(cr);
    cairo_surface_finish(s);
    if (!st && cairo_surface_status(s) != CAIRO_STATUS_SUCCESS)
        st = ptce_fail(ctx, PTCE_ERR_IO, "%s : écriture du PDF impossible (%s)", path,
                       cairo_status_to_string(cairo_surface_status(s)));
    cairo_surface_destroy(s);
    return st;
}
