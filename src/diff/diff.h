/*
 * diff/diff.h — what changed between two census years: new and gone PTCE, moves, renames,
 * sector changes, and rows whose commune was remapped through a merger.
 *
 * Owns: matching the rows of two runs (stable identity across years), the list of
 * changes and its CSV (evolutions.csv), the printed summary, and the previous year's
 * counts per region and département for `build --previous`.
 * Does not read files or geocode: it takes two runs already loaded, geocoded and
 * classified (run_load, run_geocode, run_classify).
 *
 * Matching, in this order, each row matched at most once:
 *  1. same census id (as written, spaces trimmed; derived "auto-" ids are not used here);
 *     when an id is given twice in a year, rows pair up in file order;
 *  2. among the rows left (no census id, or an id absent from the other year), names:
 *     the names are folded (case, accents, punctuation) and cut into words; little words
 *     (le, la, de, du, des, et, en, pour…) and the generic words of PTCE names (pôle,
 *     territorial, coopération, économique, ptce) are dropped. Two words are the same
 *     when equal, or, from 5 letters on, one typo apart (two from 9 letters on).
 *     Similarity = Jaccard index of the word sets (shared / all distinct words); for short
 *     names (12 letters or fewer once the words are joined) it is at least the share of
 *     letters kept by the edit distance of the joined words.
 *     A pair is a candidate when the folded names are equal, or when the similarity is at
 *     least 0.6 and the two rows are in the same département (or one is not placed), or
 *     at least 0.8 across départements.
 *     Candidates are taken best first: same commune or département, then place unknown,
 *     then another département; within that, identical folded names before similar ones,
 *     same commune before same département, higher similarity first; then file order of
 *     the old row, then of the new one. So the result is the same on every run, and a
 *     homonym elsewhere does not take the place of the same PTCE slightly renamed.
 * Rows left unmatched are new (nouveau) or gone (disparu).
 * Identical folded names of the same commune or département (the first classes of that
 * order) are taken first, through an index of folded names by place; then each later group
 * of classes (similar names of the same place; identical, then similar names of an unknown
 * place; of another département) is listed among the rows still free only
 * (take_same_place_names() in diff.c says why the result is the same).
 * The candidate pairs are found through indexes of the new year's names (folded names,
 * pairs of words and their one-typo variants, prefix filtering on pairs; new rows grouped
 * by name and by name and département, each name compared once per old row), not by
 * comparing every pair: the time grows with the rows and the candidates, not with the
 * square of the rows, and the result is that of the full comparison
 * (diff_runs_exhaustive, checked by tests/unit/test_diff.c). The candidates themselves can
 * still be many when thousands of names of one département are alike (docs/performance.md). Identical names of
 * an unknown place or of another département are not listed pair by pair (k homonyms in
 * each year would make k × k pairs): they are taken as one class of the sorted list, in its
 * place, with a cursor per name (take_identical() in diff.c).
 */
#ifndef PTCE_DIFF_H
#define PTCE_DIFF_H

#include <stddef.h>

#include "core/util.h"
#include "model/run.h"

/* Kinds of change, in the order evolutions.csv sorts them within one id. */
typedef enum diff_kind {
    DIFF_NOUVEAU,           /* in the new year only; apres = its commune "Nom (INSEE)" */
    DIFF_DISPARU,           /* in the old year only; avant = its commune */
    DIFF_DEPLACE,           /* commune changed: avant/apres = "Nom (INSEE)" */
    DIFF_RENOMME,           /* folded name changed: avant/apres = the names */
    DIFF_SECTEUR,           /* primary sector changed: avant/apres = sector ids */
    DIFF_COMMUNE_FUSIONNEE, /* the row's INSEE code (or commune name) is a former commune,
                             * read as the commune nouvelle it merged into:
                             * avant = "Ancien nom (code)", apres = "Nom (INSEE)" */
    DIFF_KIND_COUNT
} diff_kind;

/* "nouveau", "disparu", "deplace", "renomme", "secteur", "commune_fusionnee". */
const char *diff_kind_name(diff_kind k);

typedef enum diff_how {
    DIFF_BY_ID,         /* same census id */
    DIFF_BY_NAME,       /* same folded name */
    DIFF_BY_SIMILAR     /* similar name (see above) */
} diff_how;

#define DIFF_NO_ROW ((size_t)-1)

typedef struct diff_pair {
    size_t old_row, new_row;    /* indexes into the runs' rows */
    diff_how how;
    double similarity;          /* 1 for ids and identical names */
} diff_pair;

typedef struct diff_change {
    diff_kind kind;
    char *id;                   /* the new year's id; the old one for disparu */
    char *nom;                  /* the new year's name; the old one for disparu */
    char *avant, *apres;        /* "" when not applicable */
    size_t old_row, new_row;    /* DIFF_NO_ROW when absent */
    char code_reg[4];           /* region of the row (new year's, old for disparu), "" when
                                 * not placed */
    int in_old;                 /* commune_fusionnee: 1 when the former commune is written in
                                 * the old census, 0 in the new one */
} diff_change;

typedef struct diff_result {
    diff_pair *pairs;           /* by new row */
    size_t npairs;
    diff_change *changes;       /* sorted by id, then kind, then rows */
    size_t nchanges;
    size_t count[DIFF_KIND_COUNT];
    size_t nold, nnew;          /* rows of each year */
    size_t by_how[3];           /* pairs per diff_how */
} diff_result;

/* Matches the rows of two runs and lists the changes. The runs must be geocoded and
 * classified; a run without taxonomy gives no sector change. `out` is always initialised
 * and must be freed with diff_result_free. */
ptce_status diff_runs(ptce_ctx *ctx, const ptce_run *old_run, const ptce_run *new_run,
                      diff_result *out);

/* The same result, obtained by testing every old row against every new one: quadratic, the
 * definition that diff_runs' indexes (see diff.c) must reproduce; for tests. */
ptce_status diff_runs_exhaustive(ptce_ctx *ctx, const ptce_run *old_run,
                                 const ptce_run *new_run, diff_result *out);

/* evolutions.csv: UTF-8 with BOM, `;`, CRLF, header id;nom;changement;avant;apres, one
 * line per change in the result's order. */
ptce_status diff_write_csv(ptce_ctx *ctx, const diff_result *d, util_strbuf *out);

/* The printed summary, in French: rows of each year, how they were matched, counts per
 * kind, new and gone per region, rows remapped through a merger, rows matched by name. */
ptce_status diff_format_summary(ptce_ctx *ctx, const diff_result *d, const ptce_run *old_run,
                                const ptce_run *new_run, util_strbuf *out);

void diff_result_free(diff_result *d);

/* The old run's placed rows counted per region and per département of `rd` (which may
 * be another load of the reference data than the old run's: codes are matched, not
 * pointers). per_region has rd->nregions slots, per_dep rd->ndeps, indexed like
 * rd->regions and rd->deps; they are zeroed first. Either may be NULL. Returns the number
 * of placed rows counted (rows whose region or département `rd` does not know are left
 * out of that array). For `build --previous OLD.csv`: nb_prec and evol = nb_ptce - nb_prec. */
size_t diff_previous_counts(const ptce_run *old_run, const refdata *rd, long *per_region,
                            long *per_dep);

/* The same per EPCI of `rd` (per_epci has rd->nepci slots, indexed like rd->epcis, zeroed
 * first): the old run's placed rows whose commune belongs to an EPCI `rd` knows, matched
 * by the EPCI's code. Returns the number counted. */
size_t diff_previous_epci_counts(const ptce_run *old_run, const refdata *rd, long *per_epci);

#endif
