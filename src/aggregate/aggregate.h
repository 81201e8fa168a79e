/*
 * aggregate/aggregate.h — counts and rates per region, per département and per EPCI.
 *
 * Owns: turning placed rows into per-area figures: PTCE count, count per sector, members
 * summed, population (COG), PTCE per 100,000 inhabitants, share of the national total.
 * Does not project or draw.
 *
 * Invariant: the counts of all regions add up to the number of placed rows, and so do the
 * counts of all départements (a row placed only by its département counts there too). The
 * counts of all EPCI add up to the rows placed in a commune that belongs to one
 * (`total_epci`): a row placed only by its département, or in one of the four island
 * communes outside any EPCI, counts in no EPCI.
 */
#ifndef PTCE_AGGREGATE_H
#define PTCE_AGGREGATE_H

#include <stddef.h>

#include "model/run.h"

typedef struct aggregate_area_stats {
    const char *code;
    const char *nom;
    const char *parent_code;  /* the region of a département; "" for a region; the EPCI's
                                 type (CC, CA, CU, ME, MET69) for an EPCI */
    long population;
    long count;
    long *by_sector;          /* owned; one per taxonomy sector */
    long membres;             /* summed over rows that give it */
    double per_100k;          /* count per 100,000 inhabitants */
    double share;             /* percentage of the national count */
    long previous;            /* count in the previous census (with --previous) */
    void *geom;               /* the area's WGS 84 polygon (GEOSGeometry *), not owned */
} aggregate_area_stats;

typedef struct aggregation {
    aggregate_area_stats *regions;      /* all 18, by code */
    size_t nregions;
    aggregate_area_stats *deps;         /* all 101, by code */
    size_t ndeps;
    aggregate_area_stats *epci;         /* all 1,255, by code (geometry: the web variant, ~500 m) */
    size_t nepci;
    long total_epci;          /* placed rows in a commune of an EPCI */
    size_t nsectors;
    long total;               /* placed rows */
    int has_previous;         /* `previous` is filled (build --previous) */
} aggregation;

ptce_status aggregate_run(ptce_ctx *ctx, ptce_run *run, aggregation *out);
void aggregate_free(aggregation *a);

#endif
