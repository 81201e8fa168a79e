/*
 * Invariants of the reference data in data/: what every later stage relies on.
 */
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <unistd.h>

#include "refdata/cache.h"
#include "refdata/refdata.h"
#include "text/fold.h"

#include "refdata_fixture.h"

static void counts_of_the_2026_cog(void **state)
{
    (void)state;
    size_t com = 0, arm = 0;
    for (size_t i = 0; i < rd.ncommunes; i++)
        if (rd.communes[i].kind == COMMUNE_CURRENT)
            com++;
        else
            arm++;
    /* COG 2026: 34,875 communes in the 18 regions (34,746 metropolitan + 129 DROM). */
    assert_int_equal(com, 34875);
    assert_int_equal(arm, 20 + 9 + 16);
    assert_int_equal(rd.ndeps, 101);
    assert_int_equal(rd.nregions, 18);
    assert_string_equal(rd.cog_year, "2026");
    assert_non_null(strstr(rd.credit, "GeoNames (CC BY 4.0)"));
}

static void every_commune_has_a_departement_a_region_and_a_point(void **state)
{
    (void)state;
    for (size_t i = 0; i < rd.ncommunes; i++) {
        const commune *m = &rd.communes[i];
        const departement *d = refdata_departement(&rd, m->dep);
        assert_non_null(d);
        assert_string_equal(d->reg, m->reg);
        assert_non_null(refdata_region(&rd, m->reg));
        assert_true(isfinite(m->lat) && isfinite(m->lon));
        assert_true(m->lat > -22 && m->lat < 52 && m->lon > -62 && m->lon < 56);
    }
}

/* The points must fall in or near their département's polygon: the polygons are
 * generalised (Natural Earth 10 m), so a few kilometres of tolerance are allowed. */
static void points_fall_in_or_near_their_departement(void **state)
{
    (void)state;
    GEOSContextHandle_t h = ctx->geos;
    size_t far = 0;
    for (size_t i = 0; i < rd.ncommunes; i++) {
        const commune *m = &rd.communes[i];
        departement *d = (departement *)refdata_departement(&rd, m->dep);
        const GEOSGeometry *poly = refdata_departement_geom(ctx, &rd, d);
        assert_non_null(poly);
        GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(h, m->lon, m->lat);
        double dist = 0;
        assert_int_equal(GEOSDistance_r(h, poly, pt, &dist), 1);
        GEOSGeom_destroy_r(h, pt);
        if (dist > 0.1) { /* about 8–11 km */
            far++;
            print_message("%s %s (%s) is %.3f° from its département\n", m->insee, m->nom, m->dep,
                          dist);
        }
    }
    assert_true(far <= 5);
}

static void polygons_are_valid(void **state)
{
    (void)state;
    GEOSContextHandle_t h = ctx->geos;
    for (size_t i = 0; i < rd.ndeps; i++) {
        const GEOSGeometry *g = refdata_departement_geom(ctx, &rd, &rd.deps[i]);
        assert_non_null(g);
        assert_int_equal(GEOSisValid_r(h, g), 1);
    }
    for (size_t i = 0; i < rd.nregions; i++) {
        const GEOSGeometry *g = refdata_region_geom(ctx, &rd, &rd.regions[i]);
        assert_non_null(g);
        assert_int_equal(GEOSisValid_r(h, g), 1);
        assert_true(rd.regions[i].population > 0);
        assert_true(rd.regions[i].ndeps >= 1);
    }
}

/* A region is the union of its départements: same area within 0.5 % (slivers closed). */
static void regions_are_unions_of_their_departements(void **state)
{
    (void)state;
    GEOSContextHandle_t h = ctx->geos;
    for (size_t r = 0; r < rd.nregions; r++) {
        double sum = 0, area = 0;
        for (size_t i = 0; i < rd.ndeps; i++)
            if (!strcmp(rd.deps[i].reg, rd.regions[r].code)) {
                double a;
                GEOSArea_r(h, refdata_departement_geom(ctx, &rd, &rd.deps[i]), &a);
                sum += a;
            }
        GEOSArea_r(h, refdata_region_geom(ctx, &rd, &rd.regions[r]), &area);
        assert_true(fabs(area - sum) / sum < 0.005);
    }
}

/* Real enclaves survive the union: the Enclave des Papes (Vaucluse, in Drôme) makes a hole
 * in Auvergne-Rhône-Alpes. */
static void real_enclaves_stay_holes(void **state)
{
    (void)state;
    GEOSContextHandle_t h = ctx->geos;
    region *ara = (region *)refdata_region(&rd, "84");
    const GEOSGeometry *g = refdata_region_geom(ctx, &rd, ara);
    GEOSGeometry *valreas = GEOSGeom_createPointFromXY_r(h, 4.99, 44.38);
    assert_int_equal(GEOSContains_r(h, g, valreas), 0);
    GEOSGeometry *lyon = GEOSGeom_createPointFromXY_r(h, 4.85, 45.76);
    assert_int_equal(GEOSContains_r(h, g, lyon), 1);
    GEOSGeom_destroy_r(h, valreas);
    GEOSGeom_destroy_r(h, lyon);
}

/* Neighbouring regions share their borders: the union of all regions has no small holes
 * (gaps between neighbours) — only the real ones, like Llívia, are larger than 1e-4 sq°. */
static void no_gaps_between_regions(void **state)
{
    (void)state;
    GEOSContextHandle_t h = ctx->geos;
    GEOSGeometry **parts = calloc(rd.nregions, sizeof *parts);
    for (size_t r = 0; r < rd.nregions; r++)
        parts[r] = GEOSGeom_clone_r(h, refdata_region_geom(ctx, &rd, &rd.regions[r]));
    GEOSGeometry *coll = GEOSGeom_createCollection_r(h, GEOS_GEOMETRYCOLLECTION, parts,
                                                     (unsigned)rd.nregions);
    free(parts);
    GEOSGeometry *all = GEOSUnaryUnionPrec_r(h, coll, 1e-6);
    assert_non_null(all);
    size_t small_holes = 0;
    for (int i = 0; i < GEOSGetNumGeometries_r(h, all); i++) {
        const GEOSGeometry *p = GEOSGetGeometryN_r(h, all, i);
        for (int k = 0; k < GEOSGetNumInteriorRings_r(h, p); k++) {
            GEOSGeometry *ring = GEOSGeom_createPolygon_r(
                h, GEOSGeom_clone_r(h, GEOSGetInteriorRingN_r(h, p, k)), NULL, 0);
            double a;
            GEOSArea_r(h, ring, &a);
            if (a < 1e-4)
                small_holes++;
            GEOSGeom_destroy_r(h, ring);
        }
    }
    GEOSGeom_destroy_r(h, all);
    GEOSGeom_destroy_r(h, coll);
    assert_int_equal(small_holes, 0);
}

/* The web variants are valid, lighter, and still a coverage: no overlap between neighbours. */
static void web_polygons_are_a_lighter_coverage(void **state)
{
    (void)state;
    GEOSContextHandle_t h = ctx->geos;
    GEOSGeometry **parts = calloc(rd.ndeps, sizeof *parts);
    double sum = 0;
    int full = 0, web = 0;
    for (size_t i = 0; i < rd.ndeps; i++) {
        const GEOSGeometry *g = refdata_departement_web_geom(ctx, &rd, &rd.deps[i]);
        assert_non_null(g);
        assert_int_equal(GEOSisValid_r(h, g), 1);
        double a;
        GEOSArea_r(h, g, &a);
        sum += a;
        web += GEOSGetNumCoordinates_r(h, g);
        full += GEOSGetNumCoordinates_r(h, refdata_departement_geom(ctx, &rd, &rd.deps[i]));
        parts[i] = GEOSGeom_clone_r(h, g);
    }
    assert_true(web < full * 0.8);
    GEOSGeometry *coll = GEOSGeom_createCollection_r(h, GEOS_GEOMETRYCOLLECTION, parts,
                                                     (unsigned)rd.ndeps);
    free(parts);
    GEOSGeometry *u = GEOSUnaryUnion_r(h, coll);
    double ua;
    GEOSArea_r(h, u, &ua);
    assert_true(fabs(ua - sum) / sum < 1e-6);
    GEOSGeom_destroy_r(h, u);
    GEOSGeom_destroy_r(h, coll);
    for (size_t r = 0; r < rd.nregions; r++)
        assert_int_equal(GEOSisValid_r(h, refdata_region_web_geom(ctx, &rd, &rd.regions[r])), 1);
}

static void stored_keys_are_what_text_fold_makes(void **state)
{
    (void)state;
    for (size_t i = 0; i < rd.ncommunes; i++) {
        char *key = text_fold(rd.communes[i].nom);
        assert_non_null(key);
        assert_string_equal(key, rd.communes[i].key);
        free(key);
    }
}

static void former_communes_point_to_current_ones(void **state)
{
    (void)state;
    assert_true(rd.nformer > 2000);
    for (size_t i = 0; i < rd.nformer; i++)
        assert_non_null(rd.former[i].current);
    /* 01015 is both Arboys en Bugey and its délégée Arbignieu: the current commune wins. */
    const commune *m = refdata_commune(&rd, "01015");
    assert_non_null(m);
    assert_string_equal(m->nom, "Arboys en Bugey");
}

static void postal_codes_and_homonyms(void **state)
{
    (void)state;
    const postal_entry *first;
    size_t n = refdata_postal(&rd, "75011", &first);
    assert_int_equal(n, 1);
    assert_string_equal(first->commune->insee, "75111");
    const name_entry *names;
    n = refdata_names(&rd, "saint denis", &names);
    int saw93 = 0, saw974 = 0;
    for (size_t i = 0; i < n; i++) {
        saw93 |= !strcmp(names[i].commune->insee, "93066");
        saw974 |= !strcmp(names[i].commune->insee, "97411");
    }
    assert_true(saw93 && saw974);
    const char *nom = NULL;
    assert_string_equal(refdata_outside_collectivity(&rd, "97701", &nom), "977");
}

/* The binary image gives exactly what the tables give, and a stale image is ignored. */
static void binary_image_matches_the_tables(void **state)
{
    (void)state;
    char dir[] = "/tmp/ptce-image-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char image[4096];
    snprintf(image, sizeof image, "%s/refdata.bin", dir);
    refdata tables;
    assert_int_equal(refdata_load_tables(ctx, &tables), PTCE_OK);
    const char *data = ptce_data_dir(ctx);
    assert_int_equal(refdata_cache_write(ctx, &tables, data, image), PTCE_OK);
    refdata img;
    memset(&img, 0, sizeof img);
    img.geos = ctx->geos;
    assert_int_equal(refdata_cache_read(ctx, data, image, &img), 1);
    assert_int_equal(img.ncommunes, tables.ncommunes);
    assert_int_equal(img.nnames, tables.nnames);
    assert_int_equal(img.npostal, tables.npostal);
    assert_int_equal(img.nformer, tables.nformer);
    for (size_t i = 0; i < tables.ncommunes; i += 97) {
        assert_string_equal(img.communes[i].insee, tables.communes[i].insee);
        assert_string_equal(img.communes[i].nom, tables.communes[i].nom);
        assert_true(img.communes[i].lat == tables.communes[i].lat);
        assert_int_equal(img.communes[i].precision, tables.communes[i].precision);
    }
    for (size_t i = 0; i < tables.nnames; i += 101) {
        assert_string_equal(img.names[i].key, tables.names[i].key);
        assert_string_equal(img.names[i].commune->insee, tables.names[i].commune->insee);
        assert_int_equal(img.names[i].source, tables.names[i].source);
    }
    for (size_t i = 0; i < tables.npostal; i += 89)
        assert_string_equal(img.postal[i].commune->insee, tables.postal[i].commune->insee);
    assert_string_equal(img.regions[5].wkt, tables.regions[5].wkt);
    refdata_free(&img);
    /* An image of other tables (here: a truncated one) is stale, never trusted. */
    FILE *f = fopen(image, "r+b");
    assert_non_null(f);
    assert_int_equal(ftruncate(fileno(f), 4096), 0);
    fclose(f);
    memset(&img, 0, sizeof img);
    assert_int_equal(refdata_cache_read(ctx, data, image, &img), 0);
    assert_null(img.communes);
    unlink(image);
    rmdir(dir);
    refdata_free(&tables);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(counts_of_the_2026_cog),
        cmocka_unit_test(every_commune_has_a_departement_a_region_and_a_point),
        cmocka_unit_test(points_fall_in_or_near_their_departement),
        cmocka_unit_test(polygons_are_valid),
        cmocka_unit_test(regions_are_unions_of_their_departements),
        cmocka_unit_test(real_enclaves_stay_holes),
        cmocka_unit_test(no_gaps_between_regions),
        cmocka_unit_test(web_polygons_are_a_lighter_coverage),
        cmocka_unit_test(stored_keys_are_what_text_fold_makes),
        cmocka_unit_test(former_communes_point_to_current_ones),
        cmocka_unit_test(postal_codes_and_homonyms),
        cmocka_unit_test(binary_image_matches_the_tables),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
