/*
 * tests/unit/test_present.c — the map's presentation decided in present/: the QGIS
 * project's layer list (present/project.c) as the writer receives it.
 */
#include "testutil.h"

#include <stdio.h>

#include "present/project.h"

static const carto_style_category CATS[] = {{"a", "A", "#111111"}, {"b", "B", "#222222"}};

static void make_styles(choropleth *reg, choropleth *dep, choropleth *grp)
{
    memset(reg, 0, sizeof *reg);
    memset(dep, 0, sizeof *dep);
    memset(grp, 0, sizeof *grp);
    reg->n = 3;
    dep->n = 4;
    grp->n = 2;
}

static const carto_qgs_layer *find(const carto_qgs_layer *l, size_t n, const char *id)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(l[i].id, id) == 0)
            return &l[i];
    return NULL;
}

static void test_project_layers(void **state)
{
    (void)state;
    choropleth reg, dep, grp, epc;
    make_styles(&reg, &dep, &grp);
    memset(&epc, 0, sizeof epc);
    epc.n = 5;
    project_styles st = {.sectors = CATS, .nsectors = 2, .regions = &reg, .deps = &dep,
                         .epci = &epc, .groups = &grp, .true_epsg = 5490, .has_groups = 0};
    carto_qgs_layer l[PROJECT_MAX_LAYERS];
    size_t n = project_layers(&st, l);
    assert_int_equal(n, 8);
    assert_null(find(l, n, "ptce_groupes"));
    /* The layout on top, in Lambert-93, visible; the true positions in the build's CRS. */
    assert_string_equal(l[0].id, "carte_cadres");
    assert_true(l[0].frames);
    for (size_t i = 0; i < n; i++) {
        int layout = strncmp(l[i].source, "./carte/", 8) == 0;
        assert_int_equal(l[i].epsg, layout ? 2154 : 5490);
        assert_string_equal(l[i].group, layout ? "Carte nationale" : "Position réelle");
        /* Exactly one renderer per layer. */
        assert_int_equal((l[i].cats != NULL) + (l[i].classes != NULL) + l[i].frames, 1);
        if (!layout)
            assert_false(l[i].visible);
    }
    const carto_qgs_layer *pts = find(l, n, "ptce_points");
    assert_non_null(pts);
    assert_ptr_equal(pts->cats, CATS);
    assert_int_equal(pts->ncats, 2);
    assert_string_equal(pts->cat_attr, "secteur");
    const carto_qgs_layer *deps = find(l, n, "carte_ptce_departements");
    assert_non_null(deps);
    assert_ptr_equal(deps->classes, dep.classes);
    assert_int_equal(deps->nclasses, 4);
    assert_false(deps->visible);
    assert_string_equal(find(l, n, "ptce_regions")->label_attr, "nom_reg");
    /* The EPCI, in true position, with their own classes. */
    const carto_qgs_layer *e = find(l, n, "ptce_epci");
    assert_non_null(e);
    assert_string_equal(e->source, "./ptce_epci.shp");
    assert_ptr_equal(e->classes, epc.classes);
    assert_int_equal(e->nclasses, 5);

    st.has_groups = 1;
    n = project_layers(&st, l);
    assert_int_equal(n, 9);
    const carto_qgs_layer *g = find(l, n, "ptce_groupes");
    assert_non_null(g);
    assert_ptr_equal(g->classes, grp.classes);
    assert_int_equal(g->nclasses, 2);
    assert_string_equal(g->label_attr, "groupe");
    assert_ptr_equal(g, &l[n - 1]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_project_layers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
