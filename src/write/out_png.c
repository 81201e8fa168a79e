/*
 * write/out_png.c — the map as a PNG image at a given resolution (300 dpi for print):
 * the pixels librsvg/cairo drew (print_render), encoded here with zlib.
 *
 * Owns: the PNG encoding (print_png_encode). cairo's own encoder (libpng, zlib level 6,
 * adaptive row filters) took longer than the drawing itself on an A4 page at 300 dpi; a map
 * is mostly flat colour, so unfiltered rows at zlib level 1 make a smaller file in about a
 * quarter of the time (docs/performance.md). The chunks are those cairo wrote, plus the
 * physical size: IHDR (8-bit RGB, no interlace), pHYs (pixels per metre, so that print
 * software places the image at its real size), bKGD (white), one IDAT, IEND. Same input,
 * same bytes (no time chunk). Must not: draw (print_render does).
 * Allocation: nothing outlives the call; print_png_encode appends to the caller's util_strbuf.
 */
#include <cairo.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "core/util.h"
#include "write/print.h"

/* zlib settings of the image data (see the header comment). */
#define PNG_ZLIB_LEVEL 1
#define PNG_FILTER_NONE 0

static void be32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

/* One chunk: 4-byte length, type, data, CRC of type and data. */
static void put_chunk(util_strbuf *out, const char type[4], const unsigned char *data, size_t n)
{
    unsigned char head[8], crc_bytes[4];
    be32(head, (uint32_t)n);
    memcpy(head + 4, type, 4);
    uLong crc = crc32(0L, Z_NULL, 0);
    crc = crc32(crc, head + 4, 4);
    if (n)
        crc = crc32(crc, data, (uInt)n);
    be32(crc_bytes, (uint32_t)crc);
    util_sb_append_n(out, (const char *)head, 8);
    if (n)
        util_sb_append_n(out, (const char *)data, n);
    util_sb_append_n(out, (const char *)crc_bytes, 4);
}

/* One row of cairo's RGB24 (a native-endian 32-bit word per pixel, 0x00RRGGBB) as the
 * PNG's R, G, B bytes, into `d` (3 × width bytes). This is on the longest thread of a small
 * build (8.7 million pixels at 300 dpi): with GCC on a little-endian machine four pixels
 * go out as three 4-byte words (a byte swap each, then shifts), about 7 instead of 10
 * instructions a pixel (docs/performance.md); byte by byte otherwise, and for the last
 * pixels of a row. */
static void rgb_row(const uint32_t *src, int width, unsigned char *d)
{
    int x = 0;
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    for (; x + 4 <= width; x += 4, d += 12) {
        /* R | G << 8 | B << 16: the pixel's bytes in memory order */
        uint32_t v0 = __builtin_bswap32(src[x]) >> 8, v1 = __builtin_bswap32(src[x + 1]) >> 8,
                 v2 = __builtin_bswap32(src[x + 2]) >> 8, v3 = __builtin_bswap32(src[x + 3]) >> 8;
        uint32_t w[3] = {v0 | v1 << 24, v1 >> 8 | v2 << 16, v2 >> 16 | v3 << 8};
        memcpy(d, w, sizeof w);
    }
#endif
    for (; x < width; x++) {
        uint32_t p = src[x];
        *d++ = (unsigned char)(p >> 16);
        *d++ = (unsigned char)(p >> 8);
        *d++ = (unsigned char)p;
    }
}

int print_png_encode(const unsigned char *pixels, int width, int height, int stride, int dpi,
                     util_strbuf *out)
{
    if (width <= 0 || height <= 0 || stride < 4 * width)
        return -1;
    static const unsigned char signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    util_sb_append_n(out, (const char *)signature, sizeof signature);
    unsigned char ihdr[13];
    be32(ihdr, (uint32_t)width);
    be32(ihdr + 4, (uint32_t)height);
    ihdr[8] = 8;  /* bits per sample */
    ihdr[9] = 2;  /* colour type: RGB */
    ihdr[10] = 0; /* deflate */
    ihdr[11] = 0; /* adaptive filtering, method 0 */
    ihdr[12] = 0; /* no interlace */
    put_chunk(out, "IHDR", ihdr, sizeof ihdr);
    unsigned char phys[9];
    uint32_t ppm = (uint32_t)lround(dpi / 0.0254);
    be32(phys, ppm);
    be32(phys + 4, ppm);
    phys[8] = 1; /* unit: metre */
    put_chunk(out, "pHYs", phys, sizeof phys);
    static const unsigned char white[6] = {0, 0xFF, 0, 0xFF, 0, 0xFF};
    put_chunk(out, "bKGD", white, sizeof white);

    /* IDAT: its length is written once the stream is complete. */
    size_t idat_at = out->len;
    util_sb_append_n(out, "\0\0\0\0IDAT", 8);
    size_t rowlen = 1 + 3 * (size_t)width;
    unsigned char *row = malloc(rowlen);
    unsigned char *buf = malloc(1 << 16);
    z_stream z;
    memset(&z, 0, sizeof z);
    if (!row || !buf || deflateInit(&z, PNG_ZLIB_LEVEL) != Z_OK) {
        free(row);
        free(buf);
        return -1;
    }
    int zst = Z_OK;
    for (int y = 0; y < height && zst == Z_OK && !out->failed; y++) {
        /* cairo's RGB24: one native-endian 32-bit word per pixel, 0x00RRGGBB. */
        const uint32_t *src = (const uint32_t *)(const void *)(pixels + (size_t)y * (size_t)stride);
        row[0] = PNG_FILTER_NONE;
        rgb_row(src, width, row + 1);
        z.next_in = row;
        z.avail_in = (uInt)rowlen;
        int flush = y == height - 1 ? Z_FINISH : Z_NO_FLUSH;
        do {
            z.next_out = buf;
            z.avail_out = 1 << 16;
            zst = deflate(&z, flush);
            util_sb_append_n(out, (const char *)buf, (size_t)(1 << 16) - z.avail_out);
        } while (z.avail_out == 0 && (zst == Z_OK || zst == Z_BUF_ERROR));
        if (zst == Z_BUF_ERROR)
            zst = Z_OK;
    }
    deflateEnd(&z);
    free(row);
    free(buf);
    if (zst != Z_STREAM_END || out->failed)
        return -1;
    size_t n = out->len - idat_at - 8;
    be32((unsigned char *)out->data + idat_at, (uint32_t)n);
    uLong crc = crc32(0L, Z_NULL, 0);
    crc = crc32(crc, (const unsigned char *)out->data + idat_at + 4, (uInt)(n + 4));
    unsigned char crc_bytes[4];
    be32(crc_bytes, (uint32_t)crc);
    util_sb_append_n(out, (const char *)crc_bytes, 4);
    put_chunk(out, "IEND", NULL, 0);
    return out->failed ? -1 : 0;
}

static void page_size(int dpi, int *w, int *h)
{
    *w = (int)lround(PRINT_A4_W_PT / 72.0 * dpi);
    *h = (int)lround(PRINT_A4_H_PT / 72.0 * dpi);
}

#define PNG_DPI_MIN 72
#define PNG_DPI_MAX 1200

cairo_surface_t *print_png_page(int dpi)
{
    if (dpi < PNG_DPI_MIN || dpi > PNG_DPI_MAX)
        return NULL;
    int w, h;
    page_size(dpi, &w, &h);
    cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h);
    if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
        cairo_surface_destroy(s);
        return NULL;
    }
    cairo_t *cr = cairo_create(s);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    int bad = cairo_status(cr) != CAIRO_STATUS_SUCCESS;
    cairo_destroy(cr);
    if (bad) {
        cairo_surface_destroy(s);
        return NULL;
    }
    return s;
}

ptce_status print_png(RsvgHandle *doc, int dpi, cairo_surface_t *page, const char *what,
                      util_strbuf *out, print_failure *e)
{
    if (dpi < PNG_DPI_MIN || dpi > PNG_DPI_MAX) {
        cairo_surface_destroy(page);
        return print_fail(e, PTCE_ERR_USAGE, "%s : résolution %d ppp hors de %d–%d", what, dpi,
                          PNG_DPI_MIN, PNG_DPI_MAX);
    }
    int w, h;
    page_size(dpi, &w, &h);
    cairo_surface_t *s = page;
    if (s && (cairo_image_surface_get_width(s) != w || cairo_image_surface_get_height(s) != h)) {
        cairo_surface_destroy(s); /* made for another resolution */
        s = NULL;
    }
    if (!s)
        s = print_png_page(dpi);
    if (!s)
        return print_fail(e, PTCE_ERR_MEMORY, "%s : image de %d × %d impossible", what, w, h);
    cairo_t *cr = cairo_create(s);
    cairo_set_source_rgb(cr, 1, 1, 1); /* the state the page was painted with */
    ptce_status st = print_render(doc, cr, w, h, what, e);
    cairo_destroy(cr);
    cairo_surface_flush(s);
    if (!st && print_png_encode(cairo_image_surface_get_data(s), w, h,
                                cairo_image_surface_get_stride(s), dpi, out) != 0)
        st = print_fail(e, PTCE_ERR_MEMORY, "%s : mémoire insuffisante pour encoder l'image", what);
    cairo_surface_destroy(s);
    return st;
}
