/*
 * app/run.h — the order of the stages: load (census, reference data, taxonomy), geocode,
 * classify (the classification on a second core while the rows are placed, run.c "a second
 * core"); and freeing what a run holds. The run itself is model/run.h; the stages' own
 * headers come with this one, for the commands that drive them.
 */
#ifndef PTCE_APP_RUN_H
#define PTCE_APP_RUN_H

#include "census/census.h"
#include "classify/classify.h"
#include "geocode/geocode.h"
#include "model/run.h"

/* Reads the census, the reference data (or takes opts->shared_refdata) and the taxonomy. */
ptce_status run_load(ptce_ctx *ctx, const run_options *opts, ptce_run *run);
/* Geocodes every row. */
ptce_status run_geocode(ptce_ctx *ctx, ptce_run *run);
/* Geocodes every row as run_geocode() does, copying the placement (geo_result_copy) of a
 * row of `done` whose place cells (INSEE code, postal code, commune, département, address,
 * latitude, longitude, x, y) are the same texts. Only when the copy is what geocoding
 * would give: `done` uses the same reference data as `run` (run_options.shared_refdata;
 * the copy points into it), the same BAN files, and neither has corrections (--overrides:
 * they are chosen by id); otherwise every row is geocoded. A place kept from one year to
 * the next is then placed once. */
ptce_status run_geocode_reusing(ptce_ctx *ctx, ptce_run *run, const ptce_run *done);
/* Classifies every row. classify_text() depends on the row's declared theme and
 * description and the taxonomy alone, so a row whose two texts are those of an earlier row
 * gets a copy of that row's classification (sectors_classification_copy: a block of its
 * own), which is what classifying would give. A large census (RUN_CLASSIFY_SPLIT_MIN_ROWS
 * in run.c) is cut in two halves at a row the row count alone decides, the second on a
 * thread of its own (run by this one after the first when no thread can be started); the
 * copies are taken within a half. The rows are the same either way, and the failure
 * reported is the first half's, else the second's: the one the row order meets first. */
ptce_status run_classify(ptce_ctx *ctx, ptce_run *run);
/* Classifies every row as run_classify() does, copying the classification of a row of
 * `done` whose declared theme and description are the same texts (else of an earlier row of
 * `run`; one thread). `done` must have been classified with the same taxonomy file (the
 * other year of `diff` or `build --previous`, given the same options): the copy is what
 * classifying would give, and a description kept from one year to the next is classified
 * once. */
ptce_status run_classify_reusing(ptce_ctx *ctx, ptce_run *run, const ptce_run *done);
/* run_geocode_reusing(ctx, run, done) then run_classify_reusing(ctx, run, done) (`done` may
 * be NULL: every row placed and classified), with the classification on a second thread
 * while this one places the rows. That thread writes only the rows' `cls`, reads only their
 * texts, the taxonomy and `done`, and never touches ctx: its failure comes back through a
 * detached context after the join. The status and message are the ones of the one-thread
 * order: a placement failure first (the classification's result is then discarded), else
 * the classification's. When no thread can be started the classification runs here after
 * the placement, as before. Same rows either way. Every thread is joined before any of
 * these functions returns: a run holds no thread. */
ptce_status run_geocode_and_classify(ptce_ctx *ctx, ptce_run *run, const ptce_run *done);
/* diff's two years: run_load(old_opts, old_run), run_geocode_and_classify(old_run, NULL), then
 * run_load(new_opts, new_run) with old_run's reference data (new_opts->shared_refdata is
 * ignored: new_run borrows old_run's, and is freed first) and run_geocode_and_classify(
 * new_run, old_run). The new year's census is read on another thread while the old year
 * is placed and classified; its warnings come after the old year's lines, and the status
 * and message are the ones of that order (an old year's failure first; the new census is
 * then dropped unread as far as the log says). Both runs can be given to run_free()
 * whatever the status (new_run first). */
ptce_status run_two_years(ptce_ctx *ctx, const run_options *old_opts,
                          const run_options *new_opts, ptce_run *old_run, ptce_run *new_run);
void run_free(ptce_run *run);

#endif
