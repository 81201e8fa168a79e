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

int geo_result_copy(geo_result *dst, const geo_result *src)
{
    *dst = *src;
    dst->remarks = NULL;
    dst->nremarks = dst->capremarks = 0;
    dst->candidates = NULL;
    dst->ncandidates = 0;
    /* The retained postal code may live in the result itself (postcode_buf). */
    if (src->postcode == src->postcode_buf)
        dst->postcode = dst->postcode_buf;
    if (src->ncandidates) {
        if (!(dst->candidates = malloc(src->ncandidates * sizeof *dst->candidates)))
            goto oom;
        memcpy(dst->candidates, src->candidates, src->ncandidates * sizeof *dst->candidates);
        dst->ncandidates = src->ncandidates;
    }
    if (src->nremarks) {
        if (!(dst->remarks = malloc(src->nremarks * sizeof *dst->remarks)))
            goto oom;
        dst->capremarks = src->nremarks;
        for (size_t i = 0; i < src->nremarks; i++) {
            geo_remark *m = &dst->remarks[dst->nremarks++];
            *m = src->remarks[i];
            for (size_t k = 0; k < sizeof m->text / sizeof *m->text; k++)
                m->text[k] = NULL;
            for (size_t k = 0; k < sizeof m->text / sizeof *m->text; k++) {
                const char *t = src->remarks[i].text[k];
                if (!t)
                    continue;
                size_t n = strlen(t) + 1;
                if (!(m->text[k] = malloc(n)))
                    goto oom;
                memcpy(m->text[k], t, n);
            }
        }
    }
    return 0;
oom:
    geo_result_free(dst);
    return -1;
}

const geo_remark *geo_result_find(const geo_result *r, geo_remark_code code)
{
    for (size_t i = 0; i < r->nremarks; i++)
        if (r->remarks[i].code == code)
            return &r->remarks[i];
    return NULL;
}
