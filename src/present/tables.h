/*
 * present/tables.h — tables without geometry that the reports show beside the layers:
 * the national count per sector.
 *
 * Owns: the sector table's fields and how the aggregates fill it. Its counts add up to
 * the number of placed PTCE (each counts once, by its primary sector).
 */
#ifndef PTCE_PRESENT_TABLES_H
#define PTCE_PRESENT_TABLES_H

#include "aggregate/aggregate.h"
#include "model/sectors.h"
#include "write/layer.h"

typedef struct tables_sector_table {
    layer out;               /* what the writers get (no geometry) */
    const taxonomy *tax;
    long *counts;            /* owned: PTCE per sector, summed over the regions */
    long total;
} tables_sector_table;

/* One row per sector of the taxonomy: secteur, libelle, nb_ptce, part_nat. */
ptce_status tables_sectors(ptce_ctx *ctx, const taxonomy *t, const aggregation *agg,
                           tables_sector_table *out);
void tables_sectors_free(tables_sector_table *s);

#endif
