/*
 * pipeline/run.h — one run of the pipeline: the records and what each stage decided.
 *
 *   census → geocode → classify → aggregate → writers
 *
 * Owns: the list of rows (one per census record, in file order, never dropped), the
 * reference data and taxonomy they were resolved against, and the order of the stages.
 * Invariant: nrows == census.nrecords, and every row is either placed (geo.status ==
 * GEO_MATCH) or listed in the rejects with geo.note as its reason.
 */
#ifndef PTCE_PIPELINE_RUN_H
#define PTCE_PIPELINE_RUN_H

#include "census/census.h"
#include "classify/classify.h"
#include "geocode/geocode.h"
#include "ptce.h"
#include "refdata/refdata.h"

typedef struct ptce_row {
    const census_record *rec;
    char *id;                 /* owned: from the census, or derived (id_derived): "auto-" and
                               * 8 hex digits of the folded name, stable across years */
    int id_derived;
    const char *nom;          /* points into the census */
    geo_result geo;
    classification cls;
    long membres;             /* -1 when the census has no number */
    int annee;                /* 0 when unknown */
} ptce_row;

typedef struct run_options {
    const char *census_path;
    const char *columns;      /* --columns */
    const char *taxonomy_path;/* NULL: the data folder's taxonomie.txt */
    int without_taxonomy;     /* geocoding alone does not need the taxonomy */
    const char *overrides;    /* --overrides: analyst corrections by id, NULL when unused */
    const char *const *ban_paths; /* --ban: national address base files, or folders of
                                   * them (every .csv and .csv.gz inside, in name order) */
    size_t nban;
} run_options;

typedef struct ptce_run {
    census census;
    refdata rd;
    taxonomy *tax;
    ptce_row *rows;
    size_t nrows;
    size_t nplaced;
    size_t nambiguous;
    size_t nrejected;
    int has_membres;          /* the census has a members column */
    const char *overrides;    /* from run_options, for run_geocode (not owned) */
    const char *const *ban_paths;
    size_t nban;
} ptce_run;

/* Reads the census, the reference data and the taxonomy. */
ptce_status run_load(ptce_ctx *ctx, const run_options *opts, ptce_run *run);
/* Geocodes every row. */
ptce_status run_geocode(ptce_ctx *ctx, ptce_run *run);
/* Classifies every row. */
ptce_status run_classify(ptce_ctx *ctx, ptce_run *run);
void run_free(ptce_run *run);

#endif
