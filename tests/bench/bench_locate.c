/*
 * tests/bench/bench_locate.c — reverse placement throughput on one core, built and run by
 * scripts/bench-locate (not a test: no pass/fail, it prints points per second).
 *
 * Points are drawn (seeded, so every run times the same points) inside the polygons of
 * communes picked at random among all of them, so that every département is visited in
 * proportion to its number of communes; a tenth are then moved 0.01° west (some fall in
 * the sea or across a border). The draw itself is not timed: the points are made first,
 * with GEOS, then refdata_locate() is timed over the array (tolerance 1 km).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/ctx.h"
#include "refdata/refdata.h"

static double clock_of(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double now(void)
{
    return clock_of(CLOCK_MONOTONIC);
}

/* CPU time of this process: what the figure is judged on, since the machine is shared. */
static double cpu(void)
{
    return clock_of(CLOCK_PROCESS_CPUTIME_ID);
}

static uint64_t next(uint64_t *s)
{
    *s = *s * 6364136223846793005ull + 1442695040888963407ull;
    return *s >> 11;
}

int main(int argc, char **argv)
{
    size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 200000;
    ptce_ctx *ctx = ptce_ctx_new(NULL);
    refdata rd;
    if (!ctx || refdata_load(ctx, &rd) != PTCE_OK) {
        fprintf(stderr, "bench_locate: %s\n", ctx ? ptce_ctx_error(ctx) : "no context");
        return 2;
    }
    GEOSContextHandle_t h = ctx->geos;
    refdata_locate_result r;
    double t0 = now(), c0 = cpu();
    if (refdata_locate(ctx, &rd, 2.35, 48.85, 0, &r) != PTCE_OK) {
        fprintf(stderr, "bench_locate: %s\n", ptce_ctx_error(ctx));
        return 2;
    }
    double t_load = now() - t0, c_load = cpu() - c0;
    double *xs = malloc(n * sizeof *xs), *ys = malloc(n * sizeof *ys);
    uint64_t seed = 42;
    for (size_t i = 0; i < n;) {
        const commune *m = &rd.communes[next(&seed) % rd.ncommunes];
        if (strcmp(m->contour, m->insee) != 0)
            continue;
        const GEOSGeometry *g = refdata_commune_geom(ctx, &rd, m);
        double x0, y0, x1, y1;
        GEOSGeom_getXMin_r(h, g, &x0);
        GEOSGeom_getYMin_r(h, g, &y0);
        GEOSGeom_getXMax_r(h, g, &x1);
        GEOSGeom_getYMax_r(h, g, &y1);
        double x = x0 + (x1 - x0) * (double)next(&seed) / 9007199254740992.0;
        double y = y0 + (y1 - y0) * (double)next(&seed) / 9007199254740992.0;
        GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(h, x, y);
        int in = GEOSCovers_r(h, g, pt) == 1;
        GEOSGeom_destroy_r(h, pt);
        if (!in)
            continue;
        xs[i] = i % 10 == 9 ? x - 0.01 : x;
        ys[i] = y;
        i++;
    }
    /* Two passes: the first prepares each commune's polygon the first time a point falls
     * in its box (as a real census does), the second finds them all prepared. */
    for (int pass = 1; pass <= 2; pass++) {
        size_t inside = 0, near = 0, none = 0;
        t0 = now();
        c0 = cpu();
        for (size_t i = 0; i < n; i++) {
            if (refdata_locate(ctx, &rd, xs[i], ys[i], 1000, &r) != PTCE_OK) {
                fprintf(stderr, "bench_locate: %s\n", ptce_ctx_error(ctx));
                return 2;
            }
            inside += r.status == REFDATA_LOCATE_INSIDE;
            near += r.status == REFDATA_LOCATE_NEAR;
            none += r.status == REFDATA_LOCATE_NONE;
        }
        double t = now() - t0, c = cpu() - c0;
        if (pass == 1)
            printf("first call (loads %zu commune polygons and the index): %.0f ms wall, "
                   "%.0f ms CPU\n", rd.ncommunes, t_load * 1000, c_load * 1000);
        printf("pass %d: %zu points in %.3f s wall, %.3f s CPU = %.0f points/s of CPU "
               "(%.0f per wall second; inside %zu, near %zu, none %zu)\n",
               pass, n, t, c, (double)n / c, (double)n / t, inside, near, none);
    }
    free(xs);
    free(ys);
    refdata_free(&rd);
    ptce_ctx_free(ctx);
    return 0;
}
