/*
 * app/reports.h — the row-by-row CSV reports of `geocode` and `classify`: every input
 * row, in input order, its columns unchanged, followed by what the stage decided.
 */
#ifndef PTCE_APP_REPORTS_H
#define PTCE_APP_REPORTS_H

#include <stdbool.h>

#include "core/util.h"
#include "app/run.h"

/* result_status, result_insee, result_commune, result_postcode, result_departement,
 * result_region, result_type, result_score, latitude, longitude, result_precision,
 * result_note (in the spirit of the national address service's CSV geocoding). */
ptce_status reports_geocode(ptce_ctx *ctx, const ptce_run *run, util_strbuf *out);

/* secteur, secteurs, secteur_score, secteur_termes. */
/* With `explain`, a last column secteur_explication says, per sector, the score and the terms
 * with their weights (classify_explain). */
ptce_status reports_classify(ptce_ctx *ctx, const ptce_run *run, bool explain, util_strbuf *out);

/* synthese.csv: the table behind the map, one row per region and a national total: count,
 * count per sector (sector labels as headers), members, population, rate, share. */
struct aggregation;
/* Rates and shares with a decimal comma (French spreadsheets), codes as they are. */
ptce_status reports_synthese(ptce_ctx *ctx, const ptce_run *run, const struct aggregation *agg,
                            util_strbuf *out);

/* synthese_departements.csv: the same, one row per département (101) and the total. */
ptce_status reports_synthese_departements(ptce_ctx *ctx, const ptce_run *run,
                                         const struct aggregation *agg, util_strbuf *out);

#endif
