/*
 * model/remark.c — the table of remark codes; releasing and searching a result's remarks.
 */
#include "model/remark.h"

#include <stdlib.h>
#include <string.h>

#include "model/placement.h"

typedef struct remark_class {
    const char *id;
    geo_remark_kind kind;
    geo_advice advice;
    geo_covered_by cover;
} remark_class;

static const remark_class classes[GEO_REMARK_COUNT] = {
#define GEO_REMARK_CLASS(code, id, kind, advice, cover)                                        \
    [code] = {id, GEO_KIND_##kind, GEO_ADVICE_##advice, GEO_COVER_##cover},
    GEO_REMARKS(GEO_REMARK_CLASS)
#undef GEO_REMARK_CLASS
};

const char *geo_remark_id(geo_remark_code code)
{
    return (unsigned)code < GEO_REMARK_COUNT ? classes[code].id : "";
}

geo_remark_kind geo_remark_kind_of(geo_remark_code code)
{
    return (unsigned)code < GEO_REMARK_COUNT ? classes[code].kind : GEO_KIND_WARN;
}

geo_advice geo_remark_advice(geo_remark_code code)
{
    return (unsigned)code < GEO_REMARK_COUNT ? classes[code].advice : GEO_ADVICE_CHECK_ROW;
}

geo_covered_by geo_remark_covered_by(geo_remark_code code)
{
    return (unsigned)code < GEO_REMARK_COUNT ? classes[code].cover : GEO_COVER_NONE;
}

/* ---- a result's remarks ------------------------------------------------------------------ */

static void remark_clear(geo_remark *m)
{
    for (size_t i = 0; i < sizeof m->text / sizeof *m->text; i++)
        free(m->text[i]);
    memset(m, 0, sizeof *m);
}

void geo_result_free(geo_result *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->nremarks; i++)
        remark_clear(&r->remarks[i]);
    free(r->remarks);
    free(r->candidates);
    memset(r, 0, sizeof *r);
    r->postcode = "";
    r->precision = "";
}

const geo_remark *geo_result_find(const geo_result *r, geo_remark_code code)
{
    for (size_t i = 0; i < r->nremarks; i++)
        if (r->remarks[i].code == code)
            return &r->remarks[i];
    return NULL;
}
