/*
 * write/out_pdf.c — the map as a print-ready PDF: one A4-landscape page, vector, fonts
 * embedded (as subsets, by cairo), drawn by librsvg from the very SVG document written
 * beside it, so the SVG, the PDF and the PNG agree.
 *
 * Owns: the PDF surface and its metadata (title, author, creation date). Must not: draw
 * anything of its own, touch the ptce_ctx (print.h). Determinism: cairo would stamp the PDF
 * with the current time; the creation and modification dates are set to the caller's date
 * instead. Allocation: the bytes are appended to the caller's buffer.
 */
#include <cairo-pdf.h>
#include <stdio.h>
#include <string.h>

#include "write/print.h"

static cairo_status_t to_strbuf(void *closure, const unsigned char *data, unsigned int length)
{
    util_strbuf *sb = closure;
    util_sb_append_n(sb, (const char *)data, length);
    return sb->failed ? CAIRO_STATUS_NO_MEMORY : CAIRO_STATUS_SUCCESS;
}

ptce_status print_pdf(RsvgHandle *doc, const carto_print_info *info, const char *what,
                      util_strbuf *out, print_failure *e)
{
    cairo_surface_t *s = cairo_pdf_surface_create_for_stream(to_strbuf, out, PRINT_A4_W_PT,
                                                             PRINT_A4_H_PT);
    if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
        ptce_status st = print_fail(e, PTCE_ERR_IO, "%s : création du PDF impossible (%s)", what,
                                    print_cairo_text(cairo_surface_status(s)));
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
    ptce_status st = print_render(doc, cr, PRINT_A4_W_PT, PRINT_A4_H_PT, what, e);
    cairo_destroy(cr);
    cairo_surface_finish(s);
    if (!st && (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS || out->failed))
        st = print_fail(e, PTCE_ERR_MEMORY, "%s : écriture du PDF impossible (%s)", what,
                        print_cairo_text(cairo_surface_status(s)));
    cairo_surface_destroy(s);
    return st;
}
