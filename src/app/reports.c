/*
 * app/reports.c — see reports.h.
 *
 * The reports keep the census's separator, so that a report opens like its census did;
 * they are UTF-8 with a BOM whatever the census's encoding was.
 */
#include "app/reports.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aggregate/aggregate.h"
#include "classify/classify.h"
#include "core/ctx.h"
#include "present/note.h"
#include "write/writers.h"

static void header_with(util_strbuf *sb, const census *c, const char *const *extra, size_t nextra)
{
    csvfile_begin(sb);
    for (size_t i = 0; i < c->ncols; i++)
        csvfile_append_cell(sb, c->header[i], c->separator, i == 0);
    for (size_t i = 0; i < nextra; i++)
        csvfile_append_cell(sb, extra[i], c->separator, c->ncols == 0 && i == 0);
    csvfile_end_row(sb);
}

static void input_cells(util_strbuf *sb, const census *c, const census_record *r)
{
    for (size_t i = 0; i < c->ncols; i++)
        csvfile_append_cell(sb, census_cell(c, r, i), c->separator, i == 0);
}

ptce_status reports_geocode(ptce_ctx *ctx, const ptce_run *run, util_strbuf *sb)
{
    static const char *const cols[] = {
        "result_status", "result_insee", "result_commune", "result_postcode",
        "result_departement", "result_region", "result_type", "result_score", "latitude",
        "longitude", "result_precision", "result_note"};
    const census *c = &run->census;
    char sep = c->separator;
    header_with(sb, c, cols, sizeof cols / sizeof *cols);
    util_strbuf note;
    util_sb_init(&note);
    for (size_t i = 0; i < run->nrows; i++) {
        const ptce_row *row = &run->rows[i];
        const geo_result *g = &row->geo;
        char score[48] = "", lat[48] = "", lon[48] = "";
        int placed = g->status == GEO_MATCH;
        if (placed) {
            util_format_printf(score, sizeof score, g->score, 2);
            util_format_printf(lat, sizeof lat, g->lat, 6);
            util_format_printf(lon, sizeof lon, g->lon, 6);
        }
        input_cells(sb, c, row->rec);
        csvfile_append_cell(sb, geo_status_name(g->status), sep, 0);
        csvfile_append_cell(sb, g->commune ? g->commune->insee : "", sep, 0);
        csvfile_append_cell(sb, g->commune ? g->commune->nom : "", sep, 0);
        csvfile_append_cell(sb, g->postcode, sep, 0);
        csvfile_append_cell(sb, g->dep ? g->dep->code : "", sep, 0);
        csvfile_append_cell(sb, g->reg ? g->reg->code : "", sep, 0);
        csvfile_append_cell(sb, geo_type_name(g->type), sep, 0);
        csvfile_append_cell(sb, score, sep, 0);
        csvfile_append_cell(sb, lat, sep, 0);
        csvfile_append_cell(sb, lon, sep, 0);
        csvfile_append_cell(sb, placed ? g->precision : "", sep, 0);
        note.len = 0;
        if (note.data)
            note.data[0] = '\0';
        note_render(&note, g);
        csvfile_append_cell(sb, note.data ? note.data : "", sep, 0);
        csvfile_end_row(sb);
    }
    sb->failed |= note.failed;
    util_sb_free(&note);
    return sb->failed ? ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante") : PTCE_OK;
}

ptce_status reports_classify(ptce_ctx *ctx, const ptce_run *run, bool explain, util_strbuf *sb)
{
    static const char *const cols[] = {"secteur", "secteurs", "secteur_score", "secteur_termes",
                                       "secteur_explication"};
    const census *c = &run->census;
    char sep = c->separator;
    header_with(sb, c, cols, explain ? 5 : 4);
    for (size_t i = 0; i < run->nrows; i++) {
        const ptce_row *row = &run->rows[i];
        char score[48];
        util_format_printf(score, sizeof score, row->cls.score, 2);
        input_cells(sb, c, row->rec);
        csvfile_append_cell(sb, sectors_id(run->tax, (size_t)row->cls.primary), sep, 0);
        csvfile_append_cell(sb, row->cls.sectors_text ? row->cls.sectors_text : "", sep, 0);
        csvfile_append_cell(sb, score, sep, 0);
        csvfile_append_cell(sb, row->cls.terms ? row->cls.terms : "", sep, 0);
        if (explain) {
            util_strbuf why;
            util_sb_init(&why);
            ptce_status st = classify_explain(ctx, run->tax, census_value(c, row->rec, CENSUS_ROLE_THEME),
                                              census_value(c, row->rec, CENSUS_ROLE_DESCRIPTION), &why);
            if (st != PTCE_OK) {
                util_sb_free(&why);
                return st;
            }
            csvfile_append_cell(sb, why.data ? why.data : "", sep, 0);
            util_sb_free(&why);
        }
        csvfile_end_row(sb);
    }
    return sb->failed ? ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante") : PTCE_OK;
}

static void synthese_row(util_strbuf *sb, const char *code, const char *nom, long count,
                         const long *by_sector, size_t ns, long membres, int has_membres,
                         long population, double total)
{
    char num[64];
    csvfile_append_cell(sb, code, CSVFILE_OUT_SEP, 1);
    csvfile_append_cell(sb, nom, CSVFILE_OUT_SEP, 0);
    snprintf(num, sizeof num, "%ld", count);
    csvfile_append_cell(sb, num, CSVFILE_OUT_SEP, 0);
    for (size_t s = 0; s < ns; s++) {
        snprintf(num, sizeof num, "%ld", by_sector[s]);
        csvfile_append_cell(sb, num, CSVFILE_OUT_SEP, 0);
    }
    snprintf(num, sizeof num, "%ld", membres);
    csvfile_append_cell(sb, has_membres ? num : "", CSVFILE_OUT_SEP, 0);
    snprintf(num, sizeof num, "%ld", population);
    csvfile_append_cell(sb, num, CSVFILE_OUT_SEP, 0);
    csvfile_append_decimal(sb, population > 0 ? count * 100000.0 / (double)population : 0, 3,
                       CSVFILE_OUT_SEP, 0);
    csvfile_append_decimal(sb, total > 0 ? count * 100.0 / total : 0, 2, CSVFILE_OUT_SEP, 0);
    csvfile_end_row(sb);
}

/* One row per area (regions or départements), then the national total. */
static ptce_status synthese_table(ptce_ctx *ctx, const ptce_run *run, const aggregation *agg,
                                  const aggregate_area_stats *areas, size_t n, const char *code_col,
                                  const char *name_col, util_strbuf *sb)
{
    size_t ns = agg->nsectors;
    csvfile_begin(sb);
    csvfile_append_cell(sb, code_col, CSVFILE_OUT_SEP, 1);
    csvfile_append_cell(sb, name_col, CSVFILE_OUT_SEP, 0);
    csvfile_append_cell(sb, "nb_ptce", CSVFILE_OUT_SEP, 0);
    for (size_t s = 0; s < ns; s++)
        csvfile_append_cell(sb, sectors_label(run->tax, s), CSVFILE_OUT_SEP, 0);
    csvfile_append_cell(sb, "membres", CSVFILE_OUT_SEP, 0);
    csvfile_append_cell(sb, "population", CSVFILE_OUT_SEP, 0);
    csvfile_append_cell(sb, "ptce_pour_100000_hab", CSVFILE_OUT_SEP, 0);
    csvfile_append_cell(sb, "part_nationale_pct", CSVFILE_OUT_SEP, 0);
    csvfile_end_row(sb);
    long *total = calloc(ns ? ns : 1, sizeof *total);
    if (!total)
        return ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
    long membres = 0, population = 0, count = 0;
    for (size_t r = 0; r < n; r++) {
        const aggregate_area_stats *a = &areas[r];
        synthese_row(sb, a->code, a->nom, a->count, a->by_sector, ns, a->membres,
                     run->has_membres, a->population, (double)agg->total);
        for (size_t s = 0; s < ns; s++)
            total[s] += a->by_sector[s];
        membres += a->membres;
        population += a->population;
        count += a->count;
    }
    synthese_row(sb, "", "France entière", count, total, ns, membres, run->has_membres,
                 population, (double)agg->total);
    free(total);
    return sb->failed ? ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante") : PTCE_OK;
}

ptce_status reports_synthese(ptce_ctx *ctx, const ptce_run *run, const aggregation *agg,
                            util_strbuf *sb)
{
    return synthese_table(ctx, run, agg, agg->regions, agg->nregions, "code_reg", "region", sb);
}

ptce_status reports_synthese_departements(ptce_ctx *ctx, const ptce_run *run,
                                         const aggregation *agg, util_strbuf *sb)
{
    return synthese_table(ctx, run, agg, agg->deps, agg->ndeps, "code_dep", "departement", sb);
}
