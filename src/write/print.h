/*
 * write/print.h — private to the print writers (out_pdf.c, out_png.c): drawing the SVG map
 * onto a cairo surface with librsvg, so that the PDF and the PNG are the SVG's own drawing.
 */
#ifndef PTCE_WRITE_PRINT_H
#define PTCE_WRITE_PRINT_H

#include <cairo.h>
#include <stddef.h>

#include "ptce.h"

/* A4 landscape in PostScript points (297 × 210 mm). */
#define PRINT_A4_W_PT (297.0 / 25.4 * 72.0)
#define PRINT_A4_H_PT (210.0 / 25.4 * 72.0)

/* Draws the SVG document (`len` bytes) to fill a width × height viewport of `cr` (user
 * units). Returns PTCE_OK, or an error naming `what` when librsvg cannot read or draw it. */
ptce_status print_render_svg(ptce_ctx *ctx, const char *svg, size_t len, cairo_t *cr,
                             double width, double height, const char *what);

#endif
