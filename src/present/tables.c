/*
 * present/tables.c — see tables.h.
 */
#include "present/tables.h"

#include <stdlib.h>
#include <string.h>

#include "core/ctx.h"

enum { S_ID, S_LABEL, S_COUNT, S_SHARE, S_NFIELDS };

static const layer_field_def sector_fields[S_NFIELDS] = {
    [S_ID] = {"secteur", LAYER_FIELD_TEXT, 32, 0},
    [S_LABEL] = {"libelle", LAYER_FIELD_TEXT, 80, 0},
    [S_COUNT] = {"nb_ptce", LAYER_FIELD_INTEGER, 9, 0},
    [S_SHARE] = {"part_nat", LAYER_FIELD_REAL, 7, 2},
};

static void sector_value(void *user, size_t i, size_t f, layer_field_value *v)
{
    tables_sector_table *s = user;
    switch (f) {
    case S_ID: v->text = sectors_id(s->tax, i); break;
    case S_LABEL: v->text = sectors_label(s->tax, i); break;
    case S_COUNT: v->integer = s->counts[i]; break;
    case S_SHARE: v->real = s->total ? 100.0 * (double)s->counts[i] / (double)s->total : 0; break;
    }
    v->is_null = (f == S_ID || f == S_LABEL) && !v->text;
}

ptce_status tables_sectors(ptce_ctx *ctx, const taxonomy *t, const aggregation *agg,
                           tables_sector_table *out)
{
    memset(out, 0, sizeof *out);
    size_t n = agg->nsectors;
    out->tax = t;
    out->counts = calloc(n ? n : 1, sizeof *out->counts);
    if (!out->counts)
        return ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
    for (size_t r = 0; r < agg->nregions; r++)
        for (size_t s = 0; s < n; s++)
            out->counts[s] += agg->regions[r].by_sector[s];
    for (size_t s = 0; s < n; s++)
        out->total += out->counts[s];
    out->out = (layer){.name = "secteurs", .title = "PTCE par secteur",
                       .fields = sector_fields, .nfields = S_NFIELDS, .nfeatures = n,
                       .user = out, .value = sector_value};
    return PTCE_OK;
}

void tables_sectors_free(tables_sector_table *s)
{
    free(s->counts);
    memset(s, 0, sizeof *s);
}
