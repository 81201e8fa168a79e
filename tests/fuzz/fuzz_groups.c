/*
 * fuzz_groups — reading a user's grouping file (--groups): census_read() on a path, then
 * group_aggregate() checking codes, names and duplicates and summing the areas.
 *
 * The aggregation it groups is built once from the real region and département codes,
 * with small squares for polygons, so that the unions of each input stay cheap.
 */
#include "fuzz_common.h"

#include <geos_c.h>

#include "aggregate/groups.h"
#include "core/ctx.h"
#include "refdata/refdata.h"

#define NSECTORS 3

static ptce_ctx *ctx;
static refdata rd;
static aggregation agg;
static fuzz_file scratch;
static long total_regions, total_deps;

static void fill_area(aggregate_area_stats *a, const char *code, const char *nom, const char *parent,
                      long population, double x, double y)
{
    a->code = code;
    a->nom = nom;
    a->parent_code = parent;
    a->population = population;
    a->count = (long)(x + y) % 7;
    a->membres = a->count * 3;
    a->by_sector = calloc(NSECTORS, sizeof *a->by_sector);
    if (!a->by_sector)
        abort();
    a->by_sector[0] = a->count;
    a->geom = GEOSGeom_createRectangle_r(ctx->geos, x, y, x + 1, y + 1);
    if (!a->geom)
        abort();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    ctx = fuzz_context();
    if (refdata_load(ctx, &rd) != PTCE_OK) {
        fprintf(stderr, "fuzz_groups: %s\n", ptce_ctx_error(ctx));
        abort();
    }
    agg.nsectors = NSECTORS;
    agg.nregions = rd.nregions;
    agg.ndeps = rd.ndeps;
    agg.regions = calloc(rd.nregions, sizeof *agg.regions);
    agg.deps = calloc(rd.ndeps, sizeof *agg.deps);
    if (!agg.regions || !agg.deps)
        abort();
    /* Regions side by side on a line; each département a square of its region's column. */
    for (size_t i = 0; i < rd.nregions; i++) {
        fill_area(&agg.regions[i], rd.regions[i].code, rd.regions[i].nom, "",
                  rd.regions[i].population, (double)i, 0);
        total_regions += agg.regions[i].count;
    }
    for (size_t i = 0; i < rd.ndeps; i++) {
        size_t r = 0;
        while (r < rd.nregions && strcmp(rd.regions[r].code, rd.deps[i].reg) != 0)
            r++;
        fill_area(&agg.deps[i], rd.deps[i].code, rd.deps[i].nom, rd.deps[i].reg,
                  rd.deps[i].population, (double)r, 1.0 + (double)(i % 5));
        total_deps += agg.deps[i].count;
    }
    agg.total = total_regions;
    fuzz_file_open(&scratch);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_file_set(&scratch, data, size);
    group_set g;
    ptce_status st = group_aggregate(ctx, &agg, scratch.path, &g);
    fuzz_touch(ptce_ctx_error(ctx));
    if (st == PTCE_OK) {
        /* Every area is in exactly one group: the groups add up to the national total. */
        long total = 0;
        for (size_t i = 0; i < g.n; i++) {
            total += g.groups[i].count;
            fuzz_touch(g.groups[i].code);
            fuzz_touch(g.groups[i].nom);
            fuzz_touch(g.groups[i].parent_code);
        }
        if (total != (g.by_departement ? total_deps : total_regions))
            abort();
    }
    group_set_free(&g);
    return 0;
}
