/*
 * geocode/remark.c — adding remarks to a result while the cascade runs (internal.h).
 */
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "geocode/internal.h"

static void scratch_clear(geo_remark *m)
{
    for (size_t i = 0; i < sizeof m->text / sizeof *m->text; i++)
        free(m->text[i]);
    memset(m, 0, sizeof *m);
}

/* When memory runs out, remarks go to the geocoder's scratch slot, so that the cascade
 * goes on unchanged; geocode_row then reports the failure. */
static geo_remark *scratch(geocoder *g)
{
    g->oom = 1;
    scratch_clear(&g->scratch);
    return &g->scratch;
}

geo_remark *geocode_remark_insert(geocoder *g, geo_result *r, size_t pos, geo_remark_code code,
                          geo_field field)
{
    if (r->nremarks == r->capremarks) {
        size_t cap = r->capremarks ? r->capremarks * 2 : 2;
        geo_remark *grown = realloc(r->remarks, cap * sizeof *grown);
        if (!grown)
            return scratch(g);
        r->remarks = grown;
        r->capremarks = cap;
    }
    if (pos > r->nremarks)
        pos = r->nremarks;
    memmove(r->remarks + pos + 1, r->remarks + pos, (r->nremarks - pos) * sizeof *r->remarks);
    r->nremarks++;
    geo_remark *m = &r->remarks[pos];
    memset(m, 0, sizeof *m);
    m->code = code;
    m->field = field;
    return m;
}

geo_remark *geocode_remark_add(geocoder *g, geo_result *r, geo_remark_code code, geo_field field)
{
    return geocode_remark_insert(g, r, r->nremarks, code, field);
}

void geocode_remark_text(geocoder *g, geo_remark *m, int slot, const char *text)
{
    free(m->text[slot]);
    m->text[slot] = util_strdup(text ? text : "");
    if (!m->text[slot])
        g->oom = 1;
}

void geocode_remark_scratch_free(geocoder *g)
{
    scratch_clear(&g->scratch);
}
