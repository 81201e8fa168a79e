/*
 * aggregate/: counts, members, rates and shares per region and département, and custom
 * groups, from a small census run through the real stages.
 */
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <unistd.h>

#include "aggregate/aggregate.h"
#include "aggregate/groups.h"
#include "app/run.h"

static char census_path[64];

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static int setup(void **state)
{
    (void)state;
    snprintf(census_path, sizeof census_path, "/tmp/ptce-agg-%ld.csv", (long)getpid());
    write_file(census_path,
               "Nom;Code INSEE;Thématique déclarée;Nombre de membres\n"
               "Un;75056;Économie circulaire, ressourcerie;10\n"   /* Paris, 11 */
               "Deux;93066;Alimentation durable;5\n"               /* Saint-Denis, 11 */
               "Trois;13055;Ressourcerie;\n"                       /* Marseille, 93 */
               "Quatre;2A004;Agriculture paysanne;7\n"             /* Ajaccio, 94 */
               "Cinq;97411;Recyclerie;3\n"                         /* Saint-Denis, 04 */
               "Six;;;\n");                                        /* nowhere: rejected */
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    unlink(census_path);
    return 0;
}

static void run_stages(ptce_ctx *ctx, ptce_run *run, aggregation *agg)
{
    run_options ro = {.census_path = census_path};
    assert_int_equal(run_load(ctx, &ro, run), PTCE_OK);
    assert_int_equal(run_geocode(ctx, run), PTCE_OK);
    assert_int_equal(run_classify(ctx, run), PTCE_OK);
    assert_int_equal(aggregate_run(ctx, run, agg), PTCE_OK);
}

static const aggregate_area_stats *area(const aggregate_area_stats *a, size_t n, const char *code)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(a[i].code, code))
            return &a[i];
    fail_msg("no area %s", code);
    return NULL;
}

static void counts_add_up_and_rates_follow_population(void **state)
{
    (void)state;
    ptce_ctx *ctx = test_ctx();
    ptce_run run;
    aggregation agg;
    run_stages(ctx, &run, &agg);
    assert_int_equal(agg.nregions, 18);
    assert_int_equal(agg.ndeps, 101);
    assert_int_equal(agg.total, 5);
    long sum_r = 0, sum_d = 0, sum_s = 0;
    for (size_t i = 0; i < agg.nregions; i++) {
        sum_r += agg.regions[i].count;
        for (size_t s = 0; s < agg.nsectors; s++)
            sum_s += agg.regions[i].by_sector[s];
    }
    for (size_t i = 0; i < agg.ndeps; i++)
        sum_d += agg.deps[i].count;
    assert_int_equal(sum_r, 5);
    assert_int_equal(sum_d, 5);
    assert_int_equal(sum_s, 5);
    const aggregate_area_stats *idf = area(agg.regions, agg.nregions, "11");
    assert_int_equal(idf->count, 2);
    assert_int_equal(idf->membres, 15);
    assert_true(fabs(idf->per_100k - 2 * 100000.0 / (double)idf->population) < 1e-9);
    assert_true(fabs(idf->share - 40.0) < 1e-9);
    const aggregate_area_stats *d93 = area(agg.deps, agg.ndeps, "93");
    assert_int_equal(d93->count, 1);
    assert_string_equal(d93->parent_code, "11");
    /* Marseille has no members given: it adds nothing, it does not break the sum. */
    assert_int_equal(area(agg.regions, agg.nregions, "93")->membres, 0);
    assert_int_equal(area(agg.regions, agg.nregions, "04")->count, 1);
    aggregate_free(&agg);
    run_free(&run);
    ptce_ctx_free(ctx);
}

static void groups_merge_regions_and_keep_the_total(void **state)
{
    (void)state;
    ptce_ctx *ctx = test_ctx();
    ptce_run run;
    aggregation agg;
    run_stages(ctx, &run, &agg);
    char path[64];
    snprintf(path, sizeof path, "/tmp/ptce-groups-%ld.csv", (long)getpid());
    write_file(path, "code_reg;groupe\n93;Sud-Est\n94;Sud-Est\n4;Océan Indien\n06;Océan Indien\n");
    group_set g;
    assert_int_equal(group_aggregate(ctx, &agg, path, &g), PTCE_OK);
    assert_int_equal(g.n, 16); /* 18 regions, two pairs merged */
    long total = 0;
    for (size_t i = 0; i < g.n; i++)
        total += g.groups[i].count;
    assert_int_equal(total, 5);
    assert_string_equal(g.groups[0].code, "Sud-Est");
    assert_int_equal(g.groups[0].count, 2);
    assert_string_equal(g.groups[0].parent_code, "93,94");
    assert_int_equal(GEOSisValid_r(ctx->geos, g.geoms[0]), 1);
    group_set_free(&g);

    write_file(path, "code_reg;groupe\n93;A\n99;B\n");
    assert_int_equal(group_aggregate(ctx, &agg, path, &g), PTCE_ERR_INPUT);
    assert_non_null(strstr(ptce_ctx_error(ctx), "ligne 3, colonne 1"));
    group_set_free(&g);
    write_file(path, "code_reg;groupe\n93;A\n93;B\n");
    assert_int_equal(group_aggregate(ctx, &agg, path, &g), PTCE_ERR_INPUT);
    assert_non_null(strstr(ptce_ctx_error(ctx), "déjà dans le groupe"));
    group_set_free(&g);
    write_file(path, "code;groupe\n93;A\n");
    assert_int_equal(group_aggregate(ctx, &agg, path, &g), PTCE_ERR_INPUT);
    assert_non_null(strstr(ptce_ctx_error(ctx), "code_reg ou code_dep"));
    group_set_free(&g);

    /* The one CSV reader: a separator inside quotes stays in the name, CRLF and a BOM are
     * read, a Windows-1252 name is decoded. */
    write_file(path, "\xEF\xBB\xBF" "code_reg;groupe\r\n93;\"Sud; Est\"\r\n94;\"Sud; Est\"\r\n");
    assert_int_equal(group_aggregate(ctx, &agg, path, &g), PTCE_OK);
    assert_string_equal(g.groups[0].code, "Sud; Est");
    assert_string_equal(g.groups[0].parent_code, "93,94");
    group_set_free(&g);
    write_file(path, "code_reg,groupe\n93,M\xE9" "diterran\xE9" "e\n");
    assert_int_equal(group_aggregate(ctx, &agg, path, &g), PTCE_OK);
    assert_string_equal(g.groups[0].code, "Méditerranée");
    group_set_free(&g);
    /* Item 9 of #16: names are kept whole, however long; three names with a common
     * 130-byte prefix (multibyte) are three groups, not one. */
    char content[2048], prefix[160] = "D\xC3\xA9l\xC3\xA9gation ";
    while (strlen(prefix) < 130)
        strcat(prefix, "\xC3\xA9");
    snprintf(content, sizeof content, "code_reg;groupe\n93;%sA\n94;%sB\n11;%sC\n", prefix,
             prefix, prefix);
    write_file(path, content);
    assert_int_equal(group_aggregate(ctx, &agg, path, &g), PTCE_OK);
    size_t found = 0;
    for (size_t i = 0; i < g.n; i++)
        if (!strncmp(g.groups[i].code, prefix, strlen(prefix))) {
            found++;
            assert_int_equal(strlen(g.groups[i].code), strlen(prefix) + 1);
        }
    assert_int_equal(found, 3);
    group_set_free(&g);
    write_file(path, "code_reg;groupe\n9300000000000000000000093;A\n");
    assert_int_equal(group_aggregate(ctx, &agg, path, &g), PTCE_ERR_INPUT);
    assert_non_null(strstr(ptce_ctx_error(ctx), "ligne 2, colonne 1 : « 9300000000000000000000093 »"));
    group_set_free(&g);
    write_file(path, "\n\r\n");
    assert_int_equal(group_aggregate(ctx, &agg, path, &g), PTCE_ERR_INPUT);
    assert_non_null(strstr(ptce_ctx_error(ctx), "fichier vide"));
    group_set_free(&g);
    unlink(path);
    aggregate_free(&agg);
    run_free(&run);
    ptce_ctx_free(ctx);
}

/* An area the file leaves out is a group of its own, and the warning says so in French
 * that agrees with it: « la région … elle forme », « le département … il forme ». */
static void groups_warn_of_each_area_left_alone(void **state)
{
    (void)state;
    char logbuf[65536] = "";
    FILE *log = fmemopen(logbuf, sizeof logbuf - 1, "w");
    assert_non_null(log);
    ptce_ctx *ctx = ptce_ctx_new(log);
    assert_non_null(ctx);
    const char *dir = getenv("PTCE_MAP_DATA");
    if (dir)
        assert_int_equal(ptce_ctx_set_data_dir(ctx, dir), PTCE_OK);
    ptce_run run;
    aggregation agg;
    run_stages(ctx, &run, &agg);
    char path[64];
    snprintf(path, sizeof path, "/tmp/ptce-groups-alone-%ld.csv", (long)getpid());
    group_set g;
    write_file(path, "code_reg;groupe\n93;Sud-Est\n94;Sud-Est\n");
    assert_int_equal(group_aggregate(ctx, &agg, path, &g), PTCE_OK);
    group_set_free(&g);
    write_file(path, "code_dep;groupe\n13;Provence\n84;Provence\n");
    assert_int_equal(group_aggregate(ctx, &agg, path, &g), PTCE_OK);
    group_set_free(&g);
    fflush(log);
    assert_non_null(strstr(logbuf, "la région 84 (Auvergne-Rhône-Alpes) n'est dans aucun "
                                   "groupe ; elle forme un groupe à elle seule"));
    assert_non_null(strstr(logbuf, "le département 01 (Ain) n'est dans aucun groupe ; il "
                                   "forme un groupe à lui seul"));
    assert_null(strstr(logbuf, "la région 84 (Auvergne-Rhône-Alpes) n'est dans aucun groupe ; il"));
    unlink(path);
    aggregate_free(&agg);
    run_free(&run);
    ptce_ctx_free(ctx);
    fclose(log);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(counts_add_up_and_rates_follow_population),
        cmocka_unit_test(groups_merge_regions_and_keep_the_total),
        cmocka_unit_test(groups_warn_of_each_area_left_alone),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
