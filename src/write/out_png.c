/*
 * write/out_png.c — the map as a PNG image at a given resolution (300 dpi for print),
 * drawn by librsvg from the SVG document written beside it.
 *
 * Owns: the image surface and the PNG's physical size: cairo writes no resolution, so a
 * pHYs chunk (pixels per metre) is inserted after IHDR, and print software places the
 * image at its real size. Same input, same bytes (no time chunk).
 * Allocation: nothing outlives the call.
 */
#include <cairo.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <zlib.h>

#include "core/ctx.h"
#include "core/util.h"
#include "write/cartography.h"
#include "write/print.h"
#include "write/writers.h"

static cairo_status_t to_strbuf(void *closure, const unsigned char *data, unsigned int length)
{
    util_strbuf *sb = closure;
    util_sb_append_n(sb, (const char *)data, length);
    return sb->failed ? CAIRO_STATUS_NO_MEMORY : CAIRO_STATUS_SUCCESS;
}

static void be32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

/* The pHYs chunk: 4-byte length, type, x and y pixels per metre, unit 1 (metre), CRC. */
static void phys_chunk(unsigned char out[21], int dpi)
{
    uint32_t ppm = (uint32_t)lround(dpi / 0.0254);
    be32(out, 9);
    memcpy(out + 4, "pHYs", 4);
    be32(out + 8, ppm);
    be32(out + 12, ppm);
    out[16] = 1;
    uLong crc = crc32(0L, Z_NULL, 0);
    crc = crc32(crc, out + 4, 13);
    be32(out + 17, (uint32_t)crc);
}

ptce_status carto_png(ptce_ctx *ctx, outdir *od, const char *name, const char *svg, size_t len,
                      int dpi)
{
    if (dpi < 72 || dpi > 1200)
        return ptce_fail(ctx, PTCE_ERR_USAGE, "%s : résolution %d ppp hors de 72–1200", name, dpi);
    int w = (int)lround(PRINT_A4_W_PT / 72.0 * dpi), h = (int)lround(PRINT_A4_H_PT / 72.0 * dpi);
    cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h);
    if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
        cairo_surface_destroy(s);
        return ptce_fail(ctx, PTCE_ERR_MEMORY, "%s : image de %d × %d impossible", name, w, h);
    }
    cairo_t *cr = cairo_create(s);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    ptce_status st = print_render_svg(ctx, svg, len, cr, w, h, name);
    cairo_destroy(cr);
    util_strbuf png;
    util_sb_init(&png);
    if (!st && cairo_surface_write_to_png_stream(s, to_strbuf, &png) != CAIRO_STATUS_SUCCESS)
        st = ptce_fail(ctx, PTCE_ERR_MEMORY, "%s : encodage PNG impossible", name);
    cairo_surface_destroy(s);
    /* Signature (8) + IHDR chunk (25), then the pHYs chunk. */
    if (!st && (png.len < 33 || memcmp(png.data + 12, "IHDR", 4) != 0))
        st = ptce_fail(ctx, PTCE_ERR_LIBRARY, "%s : PNG inattendu de cairo", name);
    if (!st) {
        unsigned char phys[21];
        phys_chunk(phys, dpi);
        util_strbuf out;
        util_sb_init(&out);
        util_sb_append_n(&out, png.data, 33);
        util_sb_append_n(&out, (const char *)phys, sizeof phys);
        util_sb_append_n(&out, png.data + 33, png.len - 33);
        st = out.failed ? ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante")
                        : writers_write_bytes(ctx, od, name, out.data, out.len);
        util_sb_free(&out);
    }
    util_sb_free(&png);
    return st;
}
