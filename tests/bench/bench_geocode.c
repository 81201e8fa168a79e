/*
 * tests/bench/bench_geocode.c — geocoding throughput on one core, built and run by
 * scripts/bench-geocode (not a test: no pass/fail, it prints lookups per second).
 *
 * Three workloads over every current commune of the reference data, in a fixed order:
 *   exact INSEE   the INSEE code alone;
 *   exact name+CP the official name and one of its postal codes;
 *   fuzzy         the name with one typing error (two letters swapped, or one replaced)
 *                 and the département code, so that the cascade has to scan the area.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/ctx.h"
#include "geocode/geocode.h"
#include "refdata/refdata.h"

typedef struct bench_row {
    char insee[6];
    char name[128];
    char postcode[6];
    char typo[128];
    char dep[4];
} bench_row;

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* One typing error, deterministic: letters i and i+1 swapped, or letter i replaced. */
static void make_typo(const char *name, size_t k, char *out, size_t size)
{
    snprintf(out, size, "%s", name);
    size_t n = strlen(out);
    if (n < 6)
        return;
    size_t i = 1 + k % (n - 3);
    while (i + 1 < n && !(out[i] >= 'a' && out[i] <= 'z' && out[i + 1] >= 'a' && out[i + 1] <= 'z'))
        i++;
    if (i + 1 >= n)
        return;
    if (k % 2 == 0 && out[i] != out[i + 1]) {
        char c = out[i];
        out[i] = out[i + 1];
        out[i + 1] = c;
    } else {
        out[i] = out[i] == 'x' ? 'z' : 'x';
    }
}

typedef enum workload { W_INSEE, W_NAME_CP, W_FUZZY } workload;

static double run(geocoder *g, const bench_row *rows, size_t n, workload w, size_t total,
                  size_t *matched)
{
    geo_result r;
    *matched = 0;
    double t0 = now_seconds();
    for (size_t k = 0; k < total; k++) {
        const bench_row *b = &rows[k % n];
        geocode_input in = {.id = "", .insee = "", .postcode = "", .commune = "", .departement = "",
                        .address = "", .latitude = "", .longitude = "", .x = "", .y = ""};
        if (w == W_INSEE) {
            in.insee = b->insee;
        } else if (w == W_NAME_CP) {
            in.commune = b->name;
            in.postcode = b->postcode;
        } else {
            in.commune = b->typo;
            in.departement = b->dep;
        }
        ptce_status st = geocode_row(g, &in, &r);
        *matched += r.status == GEO_MATCH;
        geo_result_free(&r);
        if (st != PTCE_OK)
            return -1;
    }
    return (double)total / (now_seconds() - t0);
}

int main(int argc, char **argv)
{
    double seconds = argc > 1 ? atof(argv[1]) : 1.0;
    ptce_ctx *ctx = ptce_ctx_new(NULL);
    if (!ctx)
        return 1;
    ptce_ctx_set_quiet(ctx, 1);
    refdata rd;
    if (refdata_load(ctx, &rd) != PTCE_OK) {
        fprintf(stderr, "%s\n", ptce_ctx_error(ctx));
        return 1;
    }
    geocoder *g;
    if (geocode_new(ctx, &rd, &g) != PTCE_OK) {
        fprintf(stderr, "%s\n", ptce_ctx_error(ctx));
        return 1;
    }
    bench_row *rows = calloc(rd.ncommunes, sizeof *rows);
    size_t n = 0, ntypo = 0;
    for (size_t i = 0; i < rd.ncommunes; i++) {
        const commune *m = &rd.communes[i];
        if (m->kind != REFDATA_COMMUNE_CURRENT)
            continue;
        bench_row *b = &rows[n++];
        snprintf(b->insee, sizeof b->insee, "%s", m->insee);
        snprintf(b->name, sizeof b->name, "%s", m->nom);
        snprintf(b->postcode, sizeof b->postcode, "%.5s", m->postcodes);
        snprintf(b->dep, sizeof b->dep, "%s", m->dep);
        make_typo(m->nom, i, b->typo, sizeof b->typo);
        ntypo += strcmp(b->typo, b->name) != 0;
    }
    static const char *const names[] = {"exact INSEE", "exact nom + code postal",
                                        "approché (faute + département)"};
    printf("geocode_row, un cœur, %zu communes (%zu noms fautifs)\n", n, ntypo);
    for (int w = 0; w < 3; w++) {
        size_t matched;
        /* Calibrate on one pass, then run for about `seconds`. */
        double rate = run(g, rows, n, (workload)w, n, &matched);
        size_t total = (size_t)(rate * seconds);
        if (total < n)
            total = n;
        rate = run(g, rows, n, (workload)w, total, &matched);
        printf("%-32s %10.0f recherches/s  (%zu recherches, %.1f %% placées)\n", names[w], rate,
               total, 100.0 * (double)matched / (double)total);
    }
    free(rows);
    geocode_free(g);
    refdata_free(&rd);
    ptce_ctx_free(ctx);
    return 0;
}
