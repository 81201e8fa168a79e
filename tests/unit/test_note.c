/*
 * tests/unit/test_note.c — the remark table and its French: every code has a stable id, a
 * classification for validate and a sentence; a note joins its remarks in order.
 */
#include "testutil.h"

#include <stdio.h>

#include "core/util.h"
#include "geocode/geocode.h"
#include "present/note.h"
#include "refdata/refdata.h"

static refdata g_rd;
static ptce_ctx *g_ctx;

static int setup(void **state)
{
    (void)state;
    g_ctx = test_ctx();
    return refdata_load(g_ctx, &g_rd) == PTCE_OK ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    refdata_free(&g_rd);
    ptce_ctx_free(g_ctx);
    return 0;
}

/* A result holding one remark of `code`, every value filled. */
static void one_remark(geo_result *r, geo_remark *m, geo_remark_code code, char *texts[3])
{
    memset(r, 0, sizeof *r);
    r->postcode = r->precision = "";
    memset(m, 0, sizeof *m);
    m->code = code;
    m->field = GEO_FIELD_COMMUNE;
    for (int i = 0; i < 3; i++)
        m->text[i] = texts[i];
    m->commune[0] = refdata_commune(&g_rd, "69123");
    m->commune[1] = refdata_commune(&g_rd, "69266");
    m->dep = refdata_departement(&g_rd, "69");
    m->former = g_rd.nformer ? &g_rd.former[0] : NULL;
    m->num[0] = 12;
    m->num[1] = 3.5;
    m->num[2] = 7;
    r->remarks = m;
    r->nremarks = r->capremarks = 1;
    static const commune *cands[2];
    cands[0] = m->commune[0];
    cands[1] = m->commune[1];
    r->candidates = cands;
    r->ncandidates = 2;
}

static void every_code_is_classified_and_worded(void **state)
{
    (void)state;
    char t0[] = "Vilurbanne", t1[] = "Villeurbanne", t2[] = "Rue de la République";
    char *texts[3] = {t0, t1, t2};
    char *seen[GEO_REMARK_COUNT] = {0};
    for (int c = 0; c < GEO_REMARK_COUNT; c++) {
        geo_remark_code code = (geo_remark_code)c;
        const char *id = geo_remark_id(code);
        assert_true(id[0] != '\0');
        for (int k = 0; k < c; k++)
            assert_string_not_equal(id, geo_remark_id((geo_remark_code)k));
        geo_remark_kind kind = geo_remark_kind_of(code);
        assert_true(kind == GEO_KIND_SILENT || kind == GEO_KIND_WARN || kind == GEO_KIND_REASON);
        /* A remark validate reports comes with what to do; the others have no advice. */
        if (kind == GEO_KIND_WARN)
            assert_int_not_equal(geo_remark_advice(code), GEO_ADVICE_NONE);
        else
            assert_int_equal(geo_remark_advice(code), GEO_ADVICE_NONE);
        assert_true(note_advice_text(geo_remark_advice(code))[0] != '\0');
        geo_result r;
        geo_remark m;
        one_remark(&r, &m, code, texts);
        util_strbuf sb;
        util_sb_init(&sb);
        note_render_remark(&sb, &r, &m);
        assert_false(sb.failed);
        if (!sb.data || !sb.data[0])
            print_message("remark %s has no French\n", id);
        assert_non_null(sb.data);
        assert_true(sb.len > 10);
        assert_true(util_utf8_is_valid(sb.data, sb.len));
        seen[c] = util_sb_take(&sb);
    }
    /* Different codes say different things, but for the reasons that repeat a remark. */
    size_t same = 0;
    for (int c = 0; c < GEO_REMARK_COUNT; c++)
        for (int k = 0; k < c; k++)
            same += strcmp(seen[c], seen[k]) == 0;
    assert_int_equal(same, 0);
    for (int c = 0; c < GEO_REMARK_COUNT; c++)
        free(seen[c]);
    /* Out of range: no id, and validate treats it as something to look at. */
    assert_string_equal(geo_remark_id(GEO_REMARK_COUNT), "");
    assert_int_equal(geo_remark_kind_of(GEO_REMARK_COUNT), GEO_KIND_WARN);
}

static void a_note_joins_its_remarks(void **state)
{
    (void)state;
    geo_remark m[3] = {{.code = GEO_R_OVERRIDE, .num = {4}},
                       {.code = GEO_R_POSTCODE_ZERO},
                       {.code = GEO_R_DECIMAL_COMMA}};
    char note[] = "vu ; confirmé", pc[] = "01000";
    m[0].text[0] = note;
    m[1].text[0] = pc;
    geo_result r = {.remarks = m, .nremarks = 3, .postcode = "", .precision = ""};
    char *s = note_string(&r);
    assert_non_null(s);
    assert_string_equal(s, "correction manuelle (overrides.csv, ligne 4) : vu ; confirmé ; "
                           "zéro initial du code postal rétabli (01000) ; virgule décimale lue "
                           "comme un point");
    free(s);
    geo_result none = {.postcode = "", .precision = ""};
    s = note_string(&none);
    assert_string_equal(s, "");
    free(s);
}

static void quoted_cells_are_cut_between_characters(void **state)
{
    (void)state;
    /* 39 ASCII bytes then "é": a cut at 40 bytes would split it. */
    char x[64], y[] = "1";
    memset(x, 'a', 39);
    memcpy(x + 39, "é", sizeof "é");
    geo_remark m = {.code = GEO_R_XY_UNREADABLE};
    m.text[0] = x;
    m.text[1] = y;
    geo_result r = {.remarks = &m, .nremarks = 1, .postcode = "", .precision = ""};
    char *s = note_string(&r);
    assert_non_null(s);
    assert_true(util_utf8_is_valid(s, strlen(s)));
    /* Cut before the "é", and marked (item 9 of #16). */
    assert_non_null(strstr(s, "« aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa… » ; « 1 »"));
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_code_is_classified_and_worded),
        cmocka_unit_test(a_note_joins_its_remarks),
        cmocka_unit_test(quoted_cells_are_cut_between_characters),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
