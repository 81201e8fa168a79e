/*
 * aggregate/groups.h — counts by a custom grouping of regions or départements, as networks
 * organise their delegations (PACA with Corse, La Réunion with Mayotte…).
 *
 * The grouping file is a CSV (any encoding and separator core/csvfile.h accepts) whose
 * first column is `code_reg` (or `region`) or `code_dep` (or `departement`) and whose
 * second column is `groupe`. Areas the file does not list form a group of their own (with a
 * warning), so that the groups still add up to the national total.
 */
#ifndef PTCE_AGGREGATE_GROUPS_H
#define PTCE_AGGREGATE_GROUPS_H

#include "aggregate/aggregate.h"

/* A group name is kept whole, however long: two names are two groups whenever they differ
 * (the .dbf alone cuts a name past its 254-byte field, marked "…", with a warning). */
typedef struct group_set {
    aggregate_area_stats *groups;       /* code = group name, nom = group name, parent_code = member codes */
    size_t n;
    char **names;             /* owned */
    char **members;           /* owned: "93,94" */
    GEOSGeometry **geoms;     /* owned: union of the members' polygons (WGS 84) */
    int by_departement;
    ptce_ctx *ctx;
} group_set;

ptce_status group_aggregate(ptce_ctx *ctx, const aggregation *agg, const char *path,
                             group_set *out);
void group_set_free(group_set *g);

#endif
