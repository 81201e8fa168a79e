/*
 * write/print.h — private to the print writers (out_print.c, out_pdf.c, out_png.c): the SVG
 * map read once by librsvg and drawn onto a cairo surface per format, so that the PDF and
 * the PNG are the SVG's own drawing; the PNG encoder.
 */
#ifndef PTCE_WRITE_PRINT_H
#define PTCE_WRITE_PRINT_H

#include <cairo.h>
#include <librsvg/rsvg.h>
#include <stddef.h>

#include "core/util.h"
#include "ptce.h"
#include "write/cartography.h"
#include "write/outdir.h"

/* A4 landscape in PostScript points (297 × 210 mm). */
#define PRINT_A4_W_PT (297.0 / 25.4 * 72.0)
#define PRINT_A4_H_PT (210.0 / 25.4 * 72.0)

/* Reads the SVG document (`len` bytes) into *doc (the caller g_object_unref()s it).
 * Returns PTCE_OK, or an error naming `what` when librsvg cannot read it. */
ptce_status print_parse_svg(ptce_ctx *ctx, const char *svg, size_t len, const char *what,
                            RsvgHandle **doc);

/* Draws the document to fill a width × height viewport of `cr` (user units). */
ptce_status print_render(ptce_ctx *ctx, RsvgHandle *doc, cairo_t *cr, double width,
                         double height, const char *what);

/* NAME: the document on one A4-landscape PDF page; NAME: the document as an A4 image at
 * `dpi` dots per inch. */
ptce_status print_pdf(ptce_ctx *ctx, outdir *od, const char *name, RsvgHandle *doc,
                          const carto_print_info *info);
ptce_status print_png(ptce_ctx *ctx, outdir *od, const char *name, RsvgHandle *doc,
                          int dpi);

/* Appends to `out` the PNG file of a cairo CAIRO_FORMAT_RGB24 image (`stride` bytes per
 * row) at `dpi`: 8-bit RGB, the same pixels. Returns 0, or -1 (zlib or memory failure). */
int print_png_encode(const unsigned char *pixels, int width, int height, int stride, int dpi,
                     util_strbuf *out);

#endif
