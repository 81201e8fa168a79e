/*
 * model/run.h — one run of the pipeline: the records and what each stage decided.
 *
 *   census → geocode → classify → aggregate → writers
 *
 * Holds: the list of rows (one per census record, in file order, never dropped), the
 * reference data and taxonomy they were resolved against, and the run's options. The
 * order of the stages, and freeing a run, are app/run.h's; this header includes nothing
 * above the floor, so that every stage can read a run.
 * Invariant: nrows == census.nrecords, and every row is either placed (geo.status ==
 * GEO_MATCH) or listed in the rejects with geo's remarks as its reason.
 */
#ifndef PTCE_MODEL_RUN_H
#define PTCE_MODEL_RUN_H

#include "model/placement.h"
#include "model/record.h"
#include "model/sectors.h"
#include "ptce.h"
#include "refdata/refdata.h"

/* The years a PTCE census can speak of (a row's AMI year, --annee): the first PTCE date
 * from the early 2010s; the upper bound only catches typing errors ("2205"). A year outside
 * is a warning of validate and unknown (0) for the map. Documented in the user guide. */
#define PTCE_YEAR_MIN 2010
#define PTCE_YEAR_MAX 2100

typedef struct ptce_row {
    const census_record *rec;
    char *id;                 /* owned: from the census, or derived (id_derived): "auto-" and
                               * 8 hex digits of the folded name, stable across years */
    int id_derived;
    const char *nom;          /* points into the census */
    geo_result geo;
    classification cls;
    long membres;             /* -1 when the census has no number */
    int annee;                /* PTCE_YEAR_MIN…PTCE_YEAR_MAX; 0 when unknown */
} ptce_row;

typedef struct run_options {
    const char *census_path;
    const char *columns;      /* --columns */
    const char *taxonomy_path;/* NULL: the data folder's taxonomie.txt */
    int without_taxonomy;     /* geocoding alone does not need the taxonomy */
    int without_refdata;      /* classifying alone does not need the reference data: run.rd
                               * stays empty (nothing is read or indexed; issue #15) */
    const char *overrides;    /* --overrides: analyst corrections by id, NULL when unused */
    const char *const *ban_paths; /* --ban: national address base files, or folders of
                                   * them (every .csv and .csv.gz inside, in name order) */
    size_t nban;
    census *preread;          /* not NULL: census_path already read with these columns
                               * (census_read), taken over by run_load, which leaves it
                               * zeroed (app/run.c, diff's two years) */
    refdata *shared_refdata;  /* not NULL: the reference data of another run, used instead
                               * of loading it again (the other year of `diff` and
                               * `build --previous`; see ptce_run.rd for the lifetimes) */
} run_options;

typedef struct ptce_run {
    census census;
    /* The reference data the rows' placements point into, never NULL once run_load has
     * returned (an empty one when run_options.without_refdata). Either rd_owned, loaded by
     * run_load and freed by run_free, or another run's (run_options.shared_refdata): that
     * run must outlive this one, and the two runs then share one load — its tables, its
     * polygons parsed on first use — so one run's placement is valid in the other. */
    refdata *rd;
    refdata *rd_owned;        /* NULL when rd is borrowed */
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

#endif
