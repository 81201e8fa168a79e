/*
 * write/print: the PNG encoder of the printed map. An image drawn by cairo (antialiased
 * shapes, text, and noise so that every byte value occurs) is encoded by print_png_encode;
 * the file is read back here (chunks, CRCs, header, resolution, inflated rows) and its
 * pixels compared with the surface's and with those of cairo's own PNG encoder (libpng,
 * filtered rows, unfiltered here), so the change of encoder changes bytes, never pixels.
 * And the page prepared before the map exists draws the same PNG as one made at once.
 */
#include "testutil.h"

#include <cairo.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "core/util.h"
#include "write/print.h"

#define W 61
#define H 37

static uint32_t rd32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* A decoded 8-bit RGB PNG: its rows without filter bytes, its chunk types in order. */
typedef struct decoded {
    int w, h;
    unsigned char *rgb; /* w * 3 bytes per row */
    char types[16][5];
    int ntypes;
    uint32_t ppm_x, ppm_y;
    int filters_used; /* bit f set when some row used filter f */
} decoded;

static int paeth(int a, int b, int c)
{
    int p = a + b - c, pa = abs(p - a), pb = abs(p - b), pc = abs(p - c);
    return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

static void decode(const unsigned char *d, size_t n, decoded *out)
{
    memset(out, 0, sizeof *out);
    assert_true(n > 8);
    assert_memory_equal(d, "\x89PNG\r\n\x1a\n", 8);
    util_strbuf idat;
    util_sb_init(&idat);
    size_t i = 8;
    int bpp = 0;
    while (i + 12 <= n) {
        uint32_t len = rd32(d + i);
        assert_true(i + 12 + len <= n);
        const unsigned char *type = d + i + 4, *data = d + i + 8;
        uLong crc = crc32(crc32(0L, Z_NULL, 0), type, 4 + len);
        assert_int_equal(rd32(data + len), (uint32_t)crc);
        assert_true(out->ntypes < 16);
        memcpy(out->types[out->ntypes], type, 4);
        out->types[out->ntypes++][4] = 0;
        if (memcmp(type, "IHDR", 4) == 0) {
            assert_int_equal(len, 13);
            out->w = (int)rd32(data);
            out->h = (int)rd32(data + 4);
            assert_int_equal(data[8], 8);
            assert_true(data[9] == 2 || data[9] == 6);
            bpp = data[9] == 2 ? 3 : 4;
            assert_int_equal(data[12], 0);
        } else if (memcmp(type, "pHYs", 4) == 0) {
            out->ppm_x = rd32(data);
            out->ppm_y = rd32(data + 4);
            assert_int_equal(data[8], 1);
        } else if (memcmp(type, "IDAT", 4) == 0) {
            util_sb_append_n(&idat, (const char *)data, len);
        }
        i += 12 + len;
    }
    assert_int_equal(i, n);
    assert_false(idat.failed);
    size_t stride = (size_t)out->w * (size_t)bpp;
    uLongf rawlen = (uLongf)((stride + 1) * (size_t)out->h);
    unsigned char *raw = malloc(rawlen + 1);
    assert_non_null(raw);
    uLongf got = rawlen + 1;
    assert_int_equal(uncompress(raw, &got, (const Bytef *)idat.data, (uLong)idat.len), Z_OK);
    assert_int_equal(got, rawlen);
    util_sb_free(&idat);
    unsigned char *cur = malloc(stride), *prev = calloc(stride, 1);
    out->rgb = malloc((size_t)out->w * 3 * (size_t)out->h);
    assert_true(cur && prev && out->rgb);
    for (int y = 0; y < out->h; y++) {
        const unsigned char *line = raw + (size_t)y * (stride + 1);
        int f = line[0];
        assert_true(f >= 0 && f <= 4);
        out->filters_used |= 1 << f;
        for (size_t x = 0; x < stride; x++) {
            int a = x >= (size_t)bpp ? cur[x - (size_t)bpp] : 0, b = prev[x];
            int c = x >= (size_t)bpp ? prev[x - (size_t)bpp] : 0;
            int pred = f == 0 ? 0 : f == 1 ? a : f == 2 ? b : f == 3 ? (a + b) / 2 : paeth(a, b, c);
            cur[x] = (unsigned char)(line[1 + x] + pred);
        }
        for (int x = 0; x < out->w; x++)
            memcpy(out->rgb + ((size_t)y * (size_t)out->w + (size_t)x) * 3,
                   cur + (size_t)x * (size_t)bpp, 3);
        memcpy(prev, cur, stride);
    }
    free(cur);
    free(prev);
    free(raw);
}

static cairo_status_t to_strbuf(void *closure, const unsigned char *data, unsigned int length)
{
    util_sb_append_n(closure, (const char *)data, length);
    return CAIRO_STATUS_SUCCESS;
}

static cairo_surface_t *drawing(void)
{
    cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, W, H);
    cairo_t *cr = cairo_create(s);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    cairo_set_source_rgb(cr, 0.2, 0.5, 0.8);
    cairo_arc(cr, 20.3, 17.7, 13.1, 0, 6.283);
    cairo_fill(cr);
    cairo_set_source_rgba(cr, 0.9, 0.1, 0.3, 0.6);
    cairo_set_line_width(cr, 1.3);
    cairo_move_to(cr, 2.5, 35.2);
    cairo_line_to(cr, 58.7, 3.1);
    cairo_stroke(cr);
    cairo_destroy(cr);
    cairo_surface_flush(s);
    /* Noise in the right half: every byte value, so no encoder shortcut goes unseen. */
    unsigned char *px = cairo_image_surface_get_data(s);
    int stride = cairo_image_surface_get_stride(s);
    uint32_t seed = 12345;
    for (int y = 0; y < H; y++)
        for (int x = W / 2; x < W; x++) {
            seed = seed * 1103515245u + 12345u;
            ((uint32_t *)(void *)(px + (size_t)y * (size_t)stride))[x] = seed >> 8;
        }
    cairo_surface_mark_dirty(s);
    return s;
}

static void png_pixels_are_the_surface_and_cairo_s(void **state)
{
    (void)state;
    cairo_surface_t *s = drawing();
    const unsigned char *px = cairo_image_surface_get_data(s);
    int stride = cairo_image_surface_get_stride(s);

    util_strbuf ours, again, theirs;
    util_sb_init(&ours);
    util_sb_init(&again);
    util_sb_init(&theirs);
    assert_int_equal(print_png_encode(px, W, H, stride, 300, &ours), 0);
    assert_int_equal(print_png_encode(px, W, H, stride, 300, &again), 0);
    assert_int_equal(ours.len, again.len);
    assert_memory_equal(ours.data, again.data, ours.len);
    assert_int_equal(cairo_surface_write_to_png_stream(s, to_strbuf, &theirs),
                     CAIRO_STATUS_SUCCESS);

    decoded a, b;
    decode((const unsigned char *)ours.data, ours.len, &a);
    decode((const unsigned char *)theirs.data, theirs.len, &b);
    assert_int_equal(a.w, W);
    assert_int_equal(a.h, H);
    assert_int_equal(a.ntypes, 5);
    const char *order[] = {"IHDR", "pHYs", "bKGD", "IDAT", "IEND"};
    for (int i = 0; i < 5; i++)
        assert_string_equal(a.types[i], order[i]);
    assert_int_equal(a.ppm_x, 11811); /* 300 dpi = 11,811 pixels per metre */
    assert_int_equal(a.ppm_y, 11811);
    /* The surface's own pixels (0x00RRGGBB words)... */
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            uint32_t p = ((const uint32_t *)(const void *)(px + (size_t)y * (size_t)stride))[x];
            const unsigned char *q = a.rgb + ((size_t)y * W + (size_t)x) * 3;
            assert_int_equal(q[0], (p >> 16) & 0xFF);
            assert_int_equal(q[1], (p >> 8) & 0xFF);
            assert_int_equal(q[2], p & 0xFF);
        }
    /* ... and cairo's encoder, which filters its rows, gives the same ones. */
    assert_int_equal(b.w, W);
    assert_int_equal(b.h, H);
    assert_true(b.filters_used & ~1);
    assert_memory_equal(a.rgb, b.rgb, (size_t)W * H * 3);

    free(a.rgb);
    free(b.rgb);
    util_sb_free(&ours);
    util_sb_free(&again);
    util_sb_free(&theirs);
    cairo_surface_destroy(s);
}

static void png_refuses_a_bad_image(void **state)
{
    (void)state;
    unsigned char px[16] = {0};
    util_strbuf out;
    util_sb_init(&out);
    assert_int_equal(print_png_encode(px, 0, 1, 16, 300, &out), -1);
    assert_int_equal(print_png_encode(px, 4, 1, 15, 300, &out), -1);
    util_sb_free(&out);
}

/* The page prepared beforehand (carto_print_prepare: print_png_page on another thread)
 * gives the PNG the page made at drawing time gives: same bytes, also when the page was
 * made for another resolution (it is replaced). The map leaves most of the page bare, so a
 * page of another colour or state would show. */
static void prepared_page_gives_the_same_png(void **state)
{
    (void)state;
    static const char svg[] =
        "<svg xmlns='http://www.w3.org/2000/svg' width='297mm' height='210mm' "
        "viewBox='0 0 1000 700'><path d='M100 100 L600 120 L300 500 Z' fill='#c33' "
        "stroke='#123' stroke-width='3' fill-opacity='0.6'/><circle cx='700' cy='400' r='80' "
        "fill='none' stroke='#2a6'/><text x='120' y='650' font-size='40' "
        "font-family='sans-serif'>Pôles é 1 234</text></svg>";
    RsvgHandle *doc = NULL;
    print_failure e = {0};
    assert_int_equal(print_parse_svg(svg, sizeof svg - 1, "test", &doc, &e), PTCE_OK);
    util_strbuf made, prepared, other;
    util_sb_init(&made);
    util_sb_init(&prepared);
    util_sb_init(&other);
    /* The reference: the page drawn on as it always was, white paint and drawing through
     * one cairo context. */
    int w = 842, h = 595; /* A4 landscape at 72 dpi */
    cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h);
    cairo_t *cr = cairo_create(s);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    assert_int_equal(print_render(doc, cr, w, h, "test", &e), PTCE_OK);
    cairo_destroy(cr);
    cairo_surface_flush(s);
    util_strbuf ref;
    util_sb_init(&ref);
    assert_int_equal(print_png_encode(cairo_image_surface_get_data(s), w, h,
                                      cairo_image_surface_get_stride(s), 72, &ref), 0);
    cairo_surface_destroy(s);
    assert_int_equal(print_png(doc, 72, NULL, "test", &made, &e), PTCE_OK);
    assert_int_equal(made.len, ref.len);
    assert_memory_equal(made.data, ref.data, ref.len);
    cairo_surface_t *page = print_png_page(72);
    assert_non_null(page);
    assert_int_equal(print_png(doc, 72, page, "test", &prepared, &e), PTCE_OK);
    assert_int_equal(print_png(doc, 72, print_png_page(96), "test", &other, &e), PTCE_OK);
    assert_true(made.len > 1000);
    assert_int_equal(prepared.len, made.len);
    assert_memory_equal(prepared.data, made.data, made.len);
    assert_int_equal(other.len, made.len);
    assert_memory_equal(other.data, made.data, made.len);
    /* Out of range: no page, and the drawing says why (the page handed over is freed). */
    assert_null(print_png_page(20));
    assert_int_equal(print_png(doc, 20, print_png_page(72), "test", &other, &e), PTCE_ERR_USAGE);
    util_sb_free(&ref);
    util_sb_free(&made);
    util_sb_free(&prepared);
    util_sb_free(&other);
    g_object_unref(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(png_pixels_are_the_surface_and_cairo_s),
        cmocka_unit_test(png_refuses_a_bad_image),
        cmocka_unit_test(prepared_page_gives_the_same_png),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
