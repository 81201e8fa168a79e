/*
 * aggregate/aggregate.c — see aggregate.h.
 */
#include "aggregate/aggregate.h"

#include <stdlib.h>
#include <string.h>

#include "core/ctx.h"

static ptce_status init_area(ptce_ctx *ctx, aggregate_area_stats *a, const char *code, const char *nom,
                             const char *parent, long population, size_t nsectors)
{
    a->code = code;
    a->nom = nom;
    a->parent_code = parent;
    a->population = population;
    a->by_sector = calloc(nsectors ? nsectors : 1, sizeof *a->by_sector);
    return a->by_sector ? PTCE_OK : ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
}

static void count_row(aggregate_area_stats *a, const ptce_row *row)
{
    a->count++;
    /* Per-sector counts use the primary sector, so that they add up to the count. */
    a->by_sector[row->cls.primary]++;
    if (row->membres >= 0)
        a->membres += row->membres;
}

static void finish(aggregate_area_stats *areas, size_t n, long total)
{
    for (size_t i = 0; i < n; i++) {
        aggregate_area_stats *a = &areas[i];
        a->per_100k = a->population > 0 ? a->count * 100000.0 / (double)a->population : 0;
        a->share = total > 0 ? a->count * 100.0 / (double)total : 0;
    }
}

ptce_status aggregate_run(ptce_ctx *ctx, ptce_run *run, aggregation *out)
{
    memset(out, 0, sizeof *out);
    refdata *rd = run->rd;
    out->nsectors = sectors_count(run->tax);
    out->regions = calloc(rd->nregions, sizeof *out->regions);
    out->deps = calloc(rd->ndeps, sizeof *out->deps);
    out->epci = calloc(rd->nepci ? rd->nepci : 1, sizeof *out->epci);
    if (!out->regions || !out->deps || !out->epci)
        return ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
    out->nregions = rd->nregions;
    out->ndeps = rd->ndeps;
    out->nepci = rd->nepci;
    ptce_status st = PTCE_OK;
    for (size_t i = 0; i < rd->nregions && !st; i++)
        st = init_area(ctx, &out->regions[i], rd->regions[i].code, rd->regions[i].nom, "",
                       rd->regions[i].population, out->nsectors);
    for (size_t i = 0; i < rd->ndeps && !st; i++)
        st = init_area(ctx, &out->deps[i], rd->deps[i].code, rd->deps[i].nom, rd->deps[i].reg,
                       rd->deps[i].population, out->nsectors);
    for (size_t i = 0; i < rd->nepci && !st; i++)
        st = init_area(ctx, &out->epci[i], rd->epcis[i].code, rd->epcis[i].nom,
                       rd->epcis[i].type, rd->epcis[i].population, out->nsectors);
    if (st)
        return st;
    /* Areas are in the same order as the reference arrays, so a pointer difference gives
     * the index without a search. */
    for (size_t i = 0; i < run->nrows; i++) {
        const ptce_row *row = &run->rows[i];
        if (row->geo.status != GEO_MATCH || !row->geo.reg || !row->geo.dep)
            continue;
        count_row(&out->regions[row->geo.reg - rd->regions], row);
        count_row(&out->deps[row->geo.dep - rd->deps], row);
        out->total++;
        const epci *e = row->geo.commune ? row->geo.commune->epci_area : NULL;
        if (e) {
            count_row(&out->epci[e - rd->epcis], row);
            out->total_epci++;
        }
    }
    finish(out->regions, out->nregions, out->total);
    finish(out->deps, out->ndeps, out->total);
    finish(out->epci, out->nepci, out->total);
    for (size_t i = 0; i < rd->nregions && !st; i++) {
        out->regions[i].geom = (void *)refdata_region_geom(ctx, rd, &rd->regions[i]);
        if (!out->regions[i].geom)
            st = ptce_ctx_status(ctx, PTCE_ERR_DATA);
    }
    for (size_t i = 0; i < rd->ndeps && !st; i++) {
        out->deps[i].geom = (void *)refdata_departement_geom(ctx, rd, &rd->deps[i]);
        if (!out->deps[i].geom)
            st = ptce_ctx_status(ctx, PTCE_ERR_DATA);
    }
    /* The EPCI layer is drawn from the web variant: the full polygons hold a million
     * vertices, which would triple the time of a small build for no visible difference. */
    for (size_t i = 0; i < rd->nepci && !st; i++) {
        out->epci[i].geom = (void *)refdata_epci_web_geom(ctx, rd, &rd->epcis[i]);
        if (!out->epci[i].geom)
            st = ptce_ctx_status(ctx, PTCE_ERR_DATA);
    }
    return st;
}

void aggregate_free(aggregation *a)
{
    for (size_t i = 0; i < a->nregions; i++)
        free(a->regions[i].by_sector);
    for (size_t i = 0; i < a->ndeps; i++)
        free(a->deps[i].by_sector);
    for (size_t i = 0; i < a->nepci; i++)
        free(a->epci[i].by_sector);
    free(a->epci);
    free(a->regions);
    free(a->deps);
    memset(a, 0, sizeof *a);
}
