/*
 * write/print.h — private to the print writers (out_print.c, out_pdf.c, out_png.c): the SVG
 * map read once by librsvg and drawn by cairo into a PDF and a PNG held in memory, so that
 * the PDF and the PNG are the SVG's own drawing; the PNG encoder. These functions touch no
 * ptce_ctx (they may run on the print thread, see carto_print_start): a failure is a status
 * and a French message in a print_failure.
 */
#ifndef PTCE_WRITE_PRINT_H
#define PTCE_WRITE_PRINT_H

#include <cairo.h>
#include <librsvg/rsvg.h>
#include <stddef.h>

#include "core/util.h"
#include "ptce.h"
#include "write/cartography.h"

/* A4 landscape in PostScript points (297 × 210 mm). */
#define PRINT_A4_W_PT (297.0 / 25.4 * 72.0)
#define PRINT_A4_H_PT (210.0 / 25.4 * 72.0)

typedef struct print_failure {
    ptce_status status;       /* PTCE_OK until something fails */
    char message[512];
} print_failure;

/* Sets e (the first failure only is kept); returns its status. */
ptce_status print_fail(print_failure *e, ptce_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* A cairo status in French, for messages: "mémoire insuffisante" for CAIRO_STATUS_NO_MEMORY
 * (so that every out-of-memory message says so), "erreur d'écriture" for a write error,
 * otherwise "erreur de la bibliothèque de dessin cairo". Static text; never NULL. */
const char *print_cairo_text(cairo_status_t status);

/* Reads the SVG document (`len` bytes) into *doc (the caller g_object_unref()s it). */
ptce_status print_parse_svg(const char *svg, size_t len, const char *what, RsvgHandle **doc,
                            print_failure *e);

/* Draws the document to fill a width × height viewport of `cr` (user units). */
ptce_status print_render(RsvgHandle *doc, cairo_t *cr, double width, double height,
                         const char *what, print_failure *e);

/* Appends to `out` the document on one A4-landscape PDF page (metadata from `info`). */
ptce_status print_pdf(RsvgHandle *doc, const carto_print_info *info, const char *what,
                      util_strbuf *out, print_failure *e);

/* A4 at `dpi` (72–1200) as a CAIRO_FORMAT_RGB24 image painted white: the page the PNG is
 * drawn on. NULL when dpi is out of range or cairo fails (print_png says why). */
cairo_surface_t *print_png_page(int dpi);

/* Appends to `out` the document as an A4 PNG image at `dpi` dots per inch, drawn on `page`
 * (print_png_page(dpi), taken over) or, when it is NULL, on a page made here. */
ptce_status print_png(RsvgHandle *doc, int dpi, cairo_surface_t *page, const char *what,
                      util_strbuf *out, print_failure *e);

/* Appends to `out` the PNG file of a cairo CAIRO_FORMAT_RGB24 image (`stride` bytes per
 * row) at `dpi`: 8-bit RGB, the same pixels. Returns 0, or -1 (zlib or memory failure). */
int print_png_encode(const unsigned char *pixels, int width, int height, int stride, int dpi,
                     util_strbuf *out);

#endif
