/*
 * write/out_print.c — the printed map: the SVG document read once by librsvg, then drawn
 * into the PDF (out_pdf.c) and the PNG (out_png.c). Reading the 1 MB document is a tenth of
 * the print cost; it used to be read once per format.
 *
 * Owns: the librsvg handle (freed before returning). Must not: draw anything of its own.
 */
#include <librsvg/rsvg.h>
#include <stdio.h>

#include "core/ctx.h"
#include "write/cartography.h"
#include "write/print.h"
#include "write/writers.h"

ptce_status print_parse_svg(ptce_ctx *ctx, const char *svg, size_t len, const char *what,
                            RsvgHandle **doc)
{
    GError *err = NULL;
    *doc = rsvg_handle_new_from_data((const guint8 *)svg, (gsize)len, &err);
    if (*doc)
        return PTCE_OK;
    ptce_status st = ptce_fail(ctx, PTCE_ERR_LIBRARY, "%s : carte SVG illisible par librsvg (%s)",
                               what, err ? err->message : "?");
    if (err)
        g_error_free(err);
    return st;
}

ptce_status print_render(ptce_ctx *ctx, RsvgHandle *doc, cairo_t *cr, double width,
                         double height, const char *what)
{
    GError *err = NULL;
    RsvgRectangle viewport = {0, 0, width, height};
    gboolean ok = rsvg_handle_render_document(doc, cr, &viewport, &err);
    ptce_status st = PTCE_OK;
    if (!ok)
        st = ptce_fail(ctx, PTCE_ERR_LIBRARY, "%s : dessin impossible (%s)", what,
                       err ? err->message : "?");
    if (err)
        g_error_free(err);
    if (!st && cairo_status(cr) != CAIRO_STATUS_SUCCESS)
        st = ptce_fail(ctx, PTCE_ERR_LIBRARY, "%s : cairo : %s", what,
                       cairo_status_to_string(cairo_status(cr)));
    return st;
}

ptce_status carto_print(ptce_ctx *ctx, outdir *od, const char *pdf_name, const char *png_name,
                        const char *svg, size_t len, const carto_print_info *info, int dpi)
{
    RsvgHandle *doc = NULL;
    ptce_status st = print_parse_svg(ctx, svg, len, pdf_name, &doc);
    if (!st)
        st = print_pdf(ctx, od, pdf_name, doc, info);
    if (!st)
        st = print_png(ctx, od, png_name, doc, dpi);
    if (doc)
        g_object_unref(doc);
    return st;
}
