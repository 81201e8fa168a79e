/*
 * write/out_print.c — the printed map: the SVG document read by librsvg, then drawn
 * into the PDF (out_pdf.c) and the PNG (out_png.c), both held in memory and written by the
 * caller's thread.
 *
 * The drawing is most of a small build's time (a 300 dpi A4 image and a vector PDF of every
 * outline), and it needs nothing but the SVG text: carto_print_start() copies what it needs
 * into a job and draws on a thread of its own while the build writes its other files;
 * carto_print_finish() waits for it and writes the two files (carto_print_wait() only
 * waits, for a caller about to need much memory: the document's tree and the surfaces are
 * freed, and handed back to the system, when the drawing ends). A small map's PDF and PNG
 * are drawn on two threads at once, each from its own librsvg handle; a large one's on one
 * thread, one after the other (PRINT_SPLIT_MAX_BYTES). Only these threads use librsvg and
 * cairo meanwhile (the caller draws nothing else), each on its own handle and surface, and
 * they touch neither the ptce_ctx nor the output folder: a failure is a status and a
 * message (print_failure) that carto_print_finish() hands to the context, the PDF's first.
 * When no thread can be started, the drawing is done at once on the caller's thread: same
 * bytes either way. carto_print_prepare() starts, earlier still, what needs no map
 * (fontconfig's configuration, the PNG's white page); the job waits for it before
 * it starts drawing, and the PNG's drawing takes the page over.
 *
 * Owns: the job (the SVG copy, the librsvg handle, the PDF and PNG bytes, the preparation
 * handed to it), freed by carto_print_finish(); a preparation never handed to a job is
 * freed by carto_print_prep_free(). Must not: draw anything of its own.
 */
#include <fontconfig/fontconfig.h>
#include <librsvg/rsvg.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ctx.h"
#include "write/cartography.h"
#include "write/print.h"
#include "write/writers.h"

ptce_status print_fail(print_failure *e, ptce_status st, const char *fmt, ...)
{
    if (e->status)
        return e->status;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->message, sizeof e->message, fmt, ap);
    va_end(ap);
    e->status = st;
    return st;
}

const char *print_cairo_text(cairo_status_t status)
{
    switch (status) {
    case CAIRO_STATUS_NO_MEMORY:
        return "mémoire insuffisante";
    case CAIRO_STATUS_WRITE_ERROR:
        return "erreur d'écriture";
    default:
        return "erreur de la bibliothèque de dessin cairo";
    }
}

ptce_status print_parse_svg(const char *svg, size_t len, const char *what, RsvgHandle **doc,
                            print_failure *e)
{
    GError *err = NULL;
    *doc = rsvg_handle_new_from_data((const guint8 *)svg, (gsize)len, &err);
    if (*doc)
        return PTCE_OK;
    ptce_status st = print_fail(e, PTCE_ERR_LIBRARY, "%s : carte SVG illisible par librsvg (%s)",
                                what, err ? err->message : "?");
    if (err)
        g_error_free(err);
    return st;
}

ptce_status print_render(RsvgHandle *doc, cairo_t *cr, double width, double height,
                         const char *what, print_failure *e)
{
    GError *err = NULL;
    RsvgRectangle viewport = {0, 0, width, height};
    gboolean ok = rsvg_handle_render_document(doc, cr, &viewport, &err);
    ptce_status st = PTCE_OK;
    if (!ok)
        st = print_fail(e, PTCE_ERR_LIBRARY, "%s : dessin impossible (%s)", what,
                        err ? err->message : "?");
    if (err)
        g_error_free(err);
    if (!st && cairo_status(cr) != CAIRO_STATUS_SUCCESS)
        st = print_fail(e, PTCE_ERR_LIBRARY, "%s : cairo : %s", what,
                        print_cairo_text(cairo_status(cr)));
    return st;
}

/* Up to this size of SVG the PDF and the PNG are drawn on two threads at once, each from
 * its own reading of the SVG (a handle is not shared between threads): on two cores the
 * PNG (the larger drawing, then its encoding) no longer waits for the PDF. The extra
 * reading is a few percent of the drawing; past this size (a census of thousands of
 * points) it would hold a second librsvg tree of every point, so one thread draws both. */
#define PRINT_SPLIT_MAX_BYTES (4u << 20)

struct carto_print_prep {
    pthread_t thread;
    int running;            /* the thread is to be joined */
    int dpi;
    cairo_surface_t *page;  /* the PNG's white page, or NULL (print_png makes it) */
};

static void *prep_run(void *arg)
{
    carto_print_prep *p = arg;
    FcInit(); /* fontconfig's default configuration, loaded once for the process */
    p->page = print_png_page(p->dpi);
    return NULL;
}

carto_print_prep *carto_print_prepare(int dpi)
{
    carto_print_prep *p = calloc(1, sizeof *p);
    if (!p)
        return NULL; /* an advance only: the job makes everything itself */
    p->dpi = dpi;
    p->running = pthread_create(&p->thread, NULL, prep_run, p) == 0;
    if (!p->running) {
        free(p);
        return NULL;
    }
    return p;
}

/* The page made beforehand (NULL if none), once the preparation is over; frees `p`. */
static cairo_surface_t *prep_take_page(carto_print_prep *p)
{
    if (!p)
        return NULL;
    if (p->running)
        pthread_join(p->thread, NULL);
    cairo_surface_t *page = p->page;
    free(p);
    return page;
}

void carto_print_prep_free(carto_print_prep *prep)
{
    cairo_surface_t *page = prep_take_page(prep);
    if (page)
        cairo_surface_destroy(page);
}

struct carto_print_job {
    cairo_surface_t *page;  /* the preparation's white page, taken by draw_png (or NULL) */
    char *svg;
    size_t len;
    char *title, *author, *creator, *date;
    char *pdf_name, *png_name;
    int dpi;
    util_strbuf pdf, png;
    print_failure err_pdf, err_png; /* the PDF's failure is reported first */
    pthread_t thread[2];
    int threaded[2];
};

static char *dup_or_null(const char *s)
{
    return s ? util_strdup(s) : NULL;
}

static void job_free(carto_print_job *j)
{
    if (j->page)
        cairo_surface_destroy(j->page);
    free(j->svg);
    free(j->title);
    free(j->author);
    free(j->creator);
    free(j->date);
    free(j->pdf_name);
    free(j->png_name);
    util_sb_free(&j->pdf);
    util_sb_free(&j->png);
    free(j);
}


static void draw_pdf(carto_print_job *j, RsvgHandle *doc)
{
    carto_print_info info = {.title = j->title, .author = j->author, .creator = j->creator,
                             .date = j->date};
    print_pdf(doc, &info, j->pdf_name, &j->pdf, &j->err_pdf);
}

static void draw_png(carto_print_job *j, RsvgHandle *doc)
{
    cairo_surface_t *page = j->page;
    j->page = NULL;
    print_png(doc, j->dpi, page, j->png_name, &j->png, &j->err_png);
}

/* One of the two files alone, from its own reading of the SVG. */
static void draw_alone(carto_print_job *j, int png)
{
    print_failure *err = png ? &j->err_png : &j->err_pdf;
    RsvgHandle *doc = NULL;
    if (!print_parse_svg(j->svg, j->len, png ? j->png_name : j->pdf_name, &doc, err)) {
        if (png)
            draw_png(j, doc);
        else
            draw_pdf(j, doc);
    }
    if (doc)
        g_object_unref(doc);
    util_memory_trim();
}

static void *job_pdf(void *arg)
{
    draw_alone(arg, 0);
    return NULL;
}

static void *job_png(void *arg)
{
    draw_alone(arg, 1);
    return NULL;
}

/* Both from one reading of the SVG, the PDF first (no PNG once the PDF failed). */
static void *job_both(void *arg)
{
    carto_print_job *j = arg;
    RsvgHandle *doc = NULL;
    if (!print_parse_svg(j->svg, j->len, j->pdf_name, &doc, &j->err_pdf)) {
        draw_pdf(j, doc);
        if (!j->err_pdf.status)
            draw_png(j, doc);
    }
    if (doc)
        g_object_unref(doc);
    free(j->svg); /* librsvg keeps its own tree, not the text */
    j->svg = NULL;
    util_memory_trim();
    return NULL;
}

/* Runs fn on a thread of its own, or at once on this one when no thread can be started. */
static void job_spawn(carto_print_job *j, int k, void *(*fn)(void *))
{
    j->threaded[k] = pthread_create(&j->thread[k], NULL, fn, j) == 0;
    if (!j->threaded[k])
        fn(j);
}

ptce_status carto_print_start(ptce_ctx *ctx, const char *pdf_name, const char *png_name,
                              const char *svg, size_t len, const carto_print_info *info, int dpi,
                              carto_print_prep *prep, carto_print_job **job)
{
    *job = NULL;
    carto_print_job *j = calloc(1, sizeof *j);
    if (!j) {
        carto_print_prep_free(prep);
        return ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
    }
    /* The preparation is over before either drawing starts: its FcInit() and the drawing
     * threads' first fontconfig calls are ordered by this join, not by fontconfig's own
     * lazy initialisation (ThreadSanitizer reported the PDF thread reading what the
     * preparing thread had written when the PNG's drawing took the page over instead).
     * On a small build the preparation ends long before the SVG exists (it started when
     * the census was read), so the join does not usually wait. */
    j->page = prep_take_page(prep);
    util_sb_init(&j->pdf);
    util_sb_init(&j->png);
    j->svg = malloc(len ? len : 1);
    if (j->svg)
        memcpy(j->svg, svg, len);
    j->len = len;
    j->dpi = dpi;
    j->title = dup_or_null(info->title);
    j->author = dup_or_null(info->author);
    j->creator = dup_or_null(info->creator);
    j->date = dup_or_null(info->date);
    j->pdf_name = util_strdup(pdf_name);
    j->png_name = util_strdup(png_name);
    if (!j->svg || !j->date || !j->pdf_name || !j->png_name ||
        (info->title && !j->title) || (info->author && !j->author) ||
        (info->creator && !j->creator)) {
        job_free(j);
        return ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
    }
    if (len <= PRINT_SPLIT_MAX_BYTES) {
        job_spawn(j, 0, job_png); /* the longer of the two starts first */
        job_spawn(j, 1, job_pdf);
    } else {
        job_spawn(j, 0, job_both);
    }
    *job = j;
    return PTCE_OK;
}

void carto_print_wait(carto_print_job *job)
{
    for (int k = 0; job && k < 2; k++)
        if (job->threaded[k]) {
            pthread_join(job->thread[k], NULL);
            job->threaded[k] = 0;
        }
}

ptce_status carto_print_finish(ptce_ctx *ctx, outdir *od, carto_print_job *job)
{
    if (!job)
        return PTCE_OK;
    carto_print_wait(job);
    ptce_status st = PTCE_OK;
    if (od) {
        if (job->err_pdf.status)
            st = ptce_fail(ctx, job->err_pdf.status, "%s", job->err_pdf.message);
        else if (job->err_png.status)
            st = ptce_fail(ctx, job->err_png.status, "%s", job->err_png.message);
        else
            st = writers_write_bytes(ctx, od, job->pdf_name, job->pdf.data, job->pdf.len);
        if (!st)
            st = writers_write_bytes(ctx, od, job->png_name, job->png.data, job->png.len);
    }
    job_free(job);
    return st;
}

ptce_status carto_print(ptce_ctx *ctx, outdir *od, const char *pdf_name, const char *png_name,
                        const char *svg, size_t len, const carto_print_info *info, int dpi)
{
    carto_print_job *job;
    ptce_status st = carto_print_start(ctx, pdf_name, png_name, svg, len, info, dpi, NULL, &job);
    if (st)
        return st;
    return carto_print_finish(ctx, od, job);
}
