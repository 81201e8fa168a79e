/*
 * Former communes and former names, over the whole reference data (never one example):
 *  - every named former commune (déléguée, associée, a code gone in a merger named from the
 *    IGN 2018 file, the 2018 name of a commune that kept its code) whose name designates
 *    one commune only is found from its name and département, with the former-commune
 *    remark; a former name shared by former communes of several current ones is ambiguous;
 *  - an INSEE code with the 2018 name of its commune, or with a part of its name (its first
 *    words, alone or with its postal code), is placed on that code, never called ambiguous.
 */
#include "testutil.h"

#include <stdio.h>

#include "geocode/geocode.h"
#include "refdata/refdata.h"
#include "remarks.h"

static ptce_ctx *g_ctx;
static refdata g_rd;
static geocoder *g_geo;

static int setup(void **state)
{
    (void)state;
    g_ctx = test_ctx();
    assert_int_equal(refdata_load(g_ctx, &g_rd), PTCE_OK);
    assert_int_equal(geocode_new(g_ctx, &g_rd, &g_geo), PTCE_OK);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    geocode_free(g_geo);
    refdata_free(&g_rd);
    ptce_ctx_free(g_ctx);
    return 0;
}

static void geocode(const char *insee, const char *postcode, const char *name, const char *dep,
                    geo_result *res)
{
    geocode_input in = {.id = "", .insee = insee, .postcode = postcode, .commune = name,
                        .departement = dep, .address = "", .latitude = "", .longitude = "",
                        .x = "", .y = ""};
    assert_int_equal(geocode_row(g_geo, &in, res), PTCE_OK);
}

/* The current communes a folded name designates (own, former, La Poste names; only
 * through former communes when `former_only`), and whether one of them bears it as its
 * own current name. */
static size_t communes_of_key(const char *key, int former_only, const commune **one,
                              int *current_name)
{
    const refdata_name_entry *first;
    size_t n = refdata_names(&g_rd, key, &first), distinct = 0;
    *current_name = 0;
    *one = NULL;
    for (size_t i = 0; i < n; i++) {
        *current_name |= first[i].source == REFDATA_NAME_COMMUNE;
        if (former_only && first[i].source != REFDATA_NAME_FORMER)
            continue;
        int seen = 0;
        for (size_t k = 0; k < i && !seen; k++)
            seen = first[k].commune == first[i].commune &&
                   (!former_only || first[k].source == REFDATA_NAME_FORMER);
        if (!seen) {
            distinct++;
            *one = first[i].commune;
        }
    }
    return distinct;
}

static void former_names_lead_to_their_current_commune(void **state)
{
    (void)state;
    size_t tried = 0, wrong = 0, tried_kind[4] = {0};
    for (size_t i = 0; i < g_rd.nformer; i++) {
        const refdata_former_commune *f = &g_rd.former[i];
        if (!f->nom[0] || strcmp(f->key, f->current->key) == 0 ||
            f->current->kind != REFDATA_COMMUNE_CURRENT)
            continue;
        const commune *only;
        int current_name;
        if (communes_of_key(f->key, 0, &only, &current_name) != 1 || current_name)
            continue;
        geo_result res;
        geocode("", "", f->nom, f->current->dep, &res);
        tried++;
        tried_kind[f->kind]++;
        if (res.status != GEO_MATCH || res.commune != f->current ||
            remark_count(&res, GEO_R_FORMER_COMMUNE) != 1 || !res.former) {
            wrong++;
            print_message("%s %s (%s) → %s %s (%s)\n", f->code, f->nom, f->current->insee,
                          geo_status_name(res.status), res.commune ? res.commune->insee : "",
                          remark_ids(&res));
        }
        geo_result_free(&res);
    }
    print_message("%zu former names (%zu COMD, %zu COMA, %zu ANC, %zu NOM)\n", tried,
                  tried_kind[REFDATA_FORMER_DELEGUEE], tried_kind[REFDATA_FORMER_ASSOCIEE],
                  tried_kind[REFDATA_FORMER_CODE], tried_kind[REFDATA_FORMER_NAME]);
    /* The codes gone in mergers and the 2018 names have names now (from the IGN file). */
    assert_true(tried_kind[REFDATA_FORMER_CODE] > 50);
    assert_true(tried_kind[REFDATA_FORMER_NAME] > 50);
    assert_int_equal(wrong, 0);
}

/* A former name that former communes of two current communes share, and that no current
 * commune bears: nothing tells which, the row is ambiguous with both. */
static void shared_former_names_are_ambiguous(void **state)
{
    (void)state;
    size_t tried = 0, wrong = 0;
    for (size_t i = 0; i < g_rd.nformer; i++) {
        const refdata_former_commune *f = &g_rd.former[i];
        if (!f->nom[0])
            continue;
        const commune *only;
        int current_name;
        if (communes_of_key(f->key, 1, &only, &current_name) < 2 || current_name)
            continue;
        geo_result res;
        geocode("", "", f->nom, "", &res);
        tried++;
        int has_current = 0;
        for (size_t k = 0; k < res.ncandidates; k++)
            has_current |= res.candidates[k] == f->current;
        if (res.status != GEO_AMBIGUOUS || !has_current) {
            wrong++;
            print_message("%s %s: %s (%s)\n", f->code, f->nom, geo_status_name(res.status),
                          remark_ids(&res));
        }
        geo_result_free(&res);
    }
    print_message("%zu shared former names\n", tried);
    assert_true(tried > 0);
    assert_int_equal(wrong, 0);
}

/* Its code and its 2018 name: the commune of the code, saying the name is its former. */
static void code_with_its_2018_name_is_placed(void **state)
{
    (void)state;
    size_t tried = 0, wrong = 0;
    for (size_t i = 0; i < g_rd.nformer; i++) {
        const refdata_former_commune *f = &g_rd.former[i];
        if (f->kind != REFDATA_FORMER_NAME)
            continue;
        geo_result res;
        geocode(f->code, "", f->nom, "", &res);
        tried++;
        if (res.status != GEO_MATCH || res.commune != f->current ||
            remark_count(&res, GEO_R_INSEE_NAME_MISMATCH) > 0) {
            wrong++;
            print_message("%s %s: %s (%s)\n", f->code, f->nom, geo_status_name(res.status),
                          remark_ids(&res));
        }
        geo_result_free(&res);
    }
    assert_true(tried > 50);
    assert_int_equal(wrong, 0);
}

static int little_word(const char *w, size_t n)
{
    static const char *const little[] = {"le", "la", "les", "l", "saint", "sainte", "saints",
                                         "saintes", "st", "ste", NULL};
    for (size_t i = 0; little[i]; i++)
        if (strlen(little[i]) == n && strncmp(w, little[i], n) == 0)
            return 1;
    return 0;
}

/* Its code and the first word of its name ("Bourg" with 01053), with and without its
 * postal code: placed on the code, whatever other communes bear that word as their name. */
static void code_with_part_of_its_name_is_placed(void **state)
{
    (void)state;
    size_t tried = 0, wrong = 0;
    for (size_t i = 0; i < g_rd.ncommunes; i++) {
        const commune *m = &g_rd.communes[i];
        if (m->kind != REFDATA_COMMUNE_CURRENT)
            continue;
        size_t n = strcspn(m->nom, " -'");
        if (!m->nom[n] || n < 4 || n > 60 || little_word(m->key, n))
            continue;
        char word[64];
        memcpy(word, m->nom, n);
        word[n] = '\0';
        char postcode[6] = "";
        if (strlen(m->postcodes) >= 5) {
            memcpy(postcode, m->postcodes, 5);
            postcode[5] = '\0';
        }
        for (int with_cp = 0; with_cp < 2; with_cp++) {
            geo_result res;
            geocode(m->insee, with_cp ? postcode : "", word, "", &res);
            tried++;
            if (res.status != GEO_MATCH || res.commune != m) {
                if (wrong++ < 20)
                    print_message("%s %s + « %s »%s: %s (%s)\n", m->insee, m->nom, word,
                                  with_cp ? " + postal code" : "", geo_status_name(res.status),
                                  remark_ids(&res));
            }
            geo_result_free(&res);
        }
    }
    print_message("%zu rows (code + first word of the name)\n", tried);
    assert_true(tried > 5000);
    assert_int_equal(wrong, 0);
}

/* A name that is no part of the code's commune stays what it was: the code's commune,
 * said not to match ("Saint" is not a part worth taking: only little words). */
static void code_with_unrelated_name_is_not_called_a_part(void **state)
{
    (void)state;
    geo_result res;
    const commune *m = refdata_commune(&g_rd, "01053");
    assert_non_null(m);
    geocode("01053", "", "Saint", "", &res);
    assert_int_equal(remark_count(&res, GEO_R_INSEE_NAME_PART), 0);
    geo_result_free(&res);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(former_names_lead_to_their_current_commune),
        cmocka_unit_test(shared_former_names_are_ambiguous),
        cmocka_unit_test(code_with_its_2018_name_is_placed),
        cmocka_unit_test(code_with_part_of_its_name_is_placed),
        cmocka_unit_test(code_with_unrelated_name_is_not_called_a_part),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
