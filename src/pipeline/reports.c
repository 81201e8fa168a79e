/*
 * pipeline/reports.c — see reports.h.
 *
 * The reports keep the census's separator, so that a report opens like its census did;
 * they are UTF-8 with a BOM whatever the census's encoding was.
 */
#include "pipeline/reports.h"

#include <stdio.h>
#include <string.h>

#include "core/ctx.h"
#include "write/writers.h"

static void header_with(strbuf *sb, const census *c, const char *const *extra, size_t nextra)
{
    sb_append(sb, "\xEF\xBB\xBF");
    for (size_t i = 0; i < c->ncols; i++)
        csv_append_cell(sb, c->header[i], c->separator, i == 0);
    for (size_t i = 0; i < nextra; i++)
        csv_append_cell(sb, extra[i], c->separator, c->ncols == 0 && i == 0);
    sb_append(sb, "\r\n");
}

static void input_cells(strbuf *sb, const census *c, const census_record *r)
{
    for (size_t i = 0; i < c->ncols; i++)
        csv_append_cell(sb, census_cell(c, r, i), c->separator, i == 0);
}

ptce_status report_geocode(ptce_ctx *ctx, const ptce_run *run, strbuf *sb)
{
    static const char *const cols[] = {
        "result_status", "result_insee", "result_commune", "result_postcode",
        "result_departement", "result_region", "result_type", "result_score", "latitude",
        "longitude", "result_precision", "result_note"};
    const census *c = &run->census;
    char sep = c->separator;
    header_with(sb, c, cols, sizeof cols / sizeof *cols);
    for (size_t i = 0; i < run->nrows; i++) {
        const ptce_row *row = &run->rows[i];
        const geo_result *g = &row->geo;
        char score[16] = "", lat[32] = "", lon[32] = "";
        int placed = g->status == GEO_MATCH;
        if (placed) {
            snprintf(score, sizeof score, "%.2f", g->score);
            snprintf(lat, sizeof lat, "%.6f", g->lat);
            snprintf(lon, sizeof lon, "%.6f", g->lon);
        }
        input_cells(sb, c, row->rec);
        csv_append_cell(sb, geo_status_name(g->status), sep, 0);
        csv_append_cell(sb, g->commune ? g->commune->insee : "", sep, 0);
        csv_append_cell(sb, g->commune ? g->commune->nom : "", sep, 0);
        csv_append_cell(sb, g->postcode, sep, 0);
        csv_append_cell(sb, g->dep ? g->dep->code : "", sep, 0);
        csv_append_cell(sb, g->reg ? g->reg->code : "", sep, 0);
        csv_append_cell(sb, geo_type_name(g->type), sep, 0);
        csv_append_cell(sb, score, sep, 0);
        csv_append_cell(sb, lat, sep, 0);
        csv_append_cell(sb, lon, sep, 0);
        csv_append_cell(sb, placed ? g->precision : "", sep, 0);
        csv_append_cell(sb, g->note, sep, 0);
        sb_append(sb, "\r\n");
    }
    return sb->failed ? ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante") : PTCE_OK;
}

ptce_status report_classify(ptce_ctx *ctx, const ptce_run *run, strbuf *sb)
{
    static const char *const cols[] = {"secteur", "secteurs", "secteur_score", "secteur_termes"};
    const census *c = &run->census;
    char sep = c->separator;
    header_with(sb, c, cols, sizeof cols / sizeof *cols);
    for (size_t i = 0; i < run->nrows; i++) {
        const ptce_row *row = &run->rows[i];
        char score[16];
        snprintf(score, sizeof score, "%.2f", row->cls.score);
        input_cells(sb, c, row->rec);
        csv_append_cell(sb, taxonomy_sector_id(run->tax, (size_t)row->cls.primary), sep, 0);
        csv_append_cell(sb, row->cls.sectors_text ? row->cls.sectors_text : "", sep, 0);
        csv_append_cell(sb, score, sep, 0);
        csv_append_cell(sb, row->cls.terms ? row->cls.terms : "", sep, 0);
        sb_append(sb, "\r\n");
    }
    return sb->failed ? ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante") : PTCE_OK;
}
