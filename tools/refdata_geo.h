/*
 * tools/refdata_geo.h — the geography half of the data compiler (see refdata_geo.c).
 */
#ifndef PTCE_TOOLS_REFDATA_GEO_H
#define PTCE_TOOLS_REFDATA_GEO_H

#include "ptce.h"

/* Writes communes.tsv, epci.tsv, geom/<name>.geo.gz and the <name>_web_geom.tsv of `out` from the
 * staging tables of `stage`. Returns 0 on success, prints the reason and returns 1 else. */
int compile_geography(ptce_ctx *ctx, const char *stage, const char *out);

#endif
