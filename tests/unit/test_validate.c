/*
 * validate: a census with one mistake per line (tests/data/census/a-valider.csv), the two
 * clean census years, files that cannot be read, and the two report formats.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "app/validate.h"
#include "geocode/geocode.h"

static ptce_status validate_file(ptce_ctx *ctx, const char *name, const char *columns,
                                 validate_report *rep)
{
    char rel[128], path[4096];
    snprintf(rel, sizeof rel, "census/%s", name);
    run_options ro = {.census_path = test_data_path(rel, path, sizeof path), .columns = columns};
    return validate_census(ctx, &ro, rep);
}

static void dump(const validate_report *r)
{
    for (size_t i = 0; i < r->nfindings; i++)
        print_message("  %s l.%zu [%s] %s\n",
                      r->findings[i].severity == VALIDATE_ERROR ? "E" : "W",
                      r->findings[i].line, r->findings[i].column, r->findings[i].problem);
}

/* Asserts a finding with this severity, line, column, source and code, with advice; when
 * `value` is not NULL, the problem quotes it (a value of the census, not a wording). */
static void expect(const validate_report *r, validate_severity sev, size_t line,
                   const char *column, validate_source src, int code, const char *value)
{
    for (size_t i = 0; i < r->nfindings; i++) {
        const validate_finding *f = &r->findings[i];
        if (f->severity == sev && f->line == line && strcmp(f->column, column) == 0 &&
            f->source == src && f->code == code && (!value || strstr(f->problem, value)) &&
            f->advice[0])
            return;
    }
    dump(r);
    fail_msg("no %s at line %zu, column « %s », source %d code %d%s%s",
             sev == VALIDATE_ERROR ? "error" : "warning", line, column, (int)src, code,
             value ? " with " : "", value ? value : "");
}

#define CHECK(c) VALIDATE_CHECK, VALIDATE_CHECK_##c
#define REMARK(c) VALIDATE_REMARK, GEO_R_##c
#define CENSUS(c) VALIDATE_CENSUS, CENSUS_##c

static size_t count_at(const validate_report *r, validate_severity sev, size_t line)
{
    size_t n = 0;
    for (size_t i = 0; i < r->nfindings; i++)
        n += r->findings[i].severity == sev && r->findings[i].line == line;
    return n;
}

static void every_mistake_found_where_it_is(void **state)
{
    (void)state;
    ptce_ctx *ctx = test_ctx();
    validate_report r;
    assert_int_equal(validate_file(ctx, "a-valider.csv", NULL, &r), PTCE_OK);
    assert_int_equal(r.nrows, 15);
    assert_int_equal(r.wide_rows, 1);
    assert_string_equal(r.encoding, "UTF-8 (BOM)");

    /* Errors. */
    expect(&r, VALIDATE_ERROR, 3, "Identifiant", CHECK(DUPLICATE_ID), "V-01");
    expect(&r, VALIDATE_ERROR, 4, "Nom du PTCE", CHECK(EMPTY_NAME), NULL);
    expect(&r, VALIDATE_ERROR, 5, "", CHECK(NO_PLACE), NULL);
    expect(&r, VALIDATE_ERROR, 6, "Latitude", CHECK(LAT_UNREADABLE), "quarante-sept");
    expect(&r, VALIDATE_ERROR, 7, "Commune", REMARK(NAME_NOT_FOUND_NO_AREA),
           "Trifouillis-les-Oies");
    expect(&r, VALIDATE_ERROR, 8, "Commune", REMARK(AMBIG_NAME), "93066");
    assert_int_equal(r.nerrors, 6);

    /* Warnings. */
    expect(&r, VALIDATE_WARNING, 9, "Nombre de membres", CHECK(MEMBERS_NOT_NUMBER), "beaucoup");
    expect(&r, VALIDATE_WARNING, 9, "Année AMI", CHECK(YEAR_OUT_OF_RANGE), "1999");
    expect(&r, VALIDATE_WARNING, 10, "Nombre de membres", CHECK(MEMBERS_NEGATIVE), "-3");
    expect(&r, VALIDATE_WARNING, 11, "Nombre de membres", CHECK(MEMBERS_HIGH), "250000");
    /* New York: the geocoder ignores the point, and validate says so from its remark. */
    expect(&r, VALIDATE_WARNING, 11, "Latitude", REMARK(COORD_OUTSIDE), NULL);
    expect(&r, VALIDATE_WARNING, 12, "Code postal", CHECK(POSTCODE_NOT_IN_DEP), "75011");
    expect(&r, VALIDATE_WARNING, 13, "Nom du PTCE", CHECK(SAME_NAME), NULL);
    expect(&r, VALIDATE_WARNING, 14, "Identifiant", CHECK(DERIVED_ID), "auto-");
    expect(&r, VALIDATE_WARNING, 14, "Code INSEE", REMARK(INSEE_FORMER), "01003");
    expect(&r, VALIDATE_WARNING, 15, "", CENSUS(WIDE_ROW), NULL);
    expect(&r, VALIDATE_WARNING, 16, "Thématique déclarée", CHECK(SWALLOWED_ROWS), NULL);

    /* One finding per problem: the geocoder's own remark on the coordinates of lines 6
     * and 11 is not repeated, the clean line 2 has nothing, the swallowed line 17 is not
     * a row. */
    assert_int_equal(count_at(&r, VALIDATE_WARNING, 6), 0);
    assert_int_equal(count_at(&r, VALIDATE_WARNING, 11), 2);
    assert_int_equal(count_at(&r, VALIDATE_ERROR, 2) + count_at(&r, VALIDATE_WARNING, 2), 0);
    assert_int_equal(count_at(&r, VALIDATE_ERROR, 17) + count_at(&r, VALIDATE_WARNING, 17), 0);
    assert_int_equal(r.nwarnings, 11);
    assert_int_equal(r.nfindings, r.nerrors + r.nwarnings);

    /* Sorted: errors first, then by line. */
    for (size_t i = 1; i < r.nfindings; i++) {
        const validate_finding *a = &r.findings[i - 1], *b = &r.findings[i];
        assert_true(a->severity < b->severity ||
                    (a->severity == b->severity && a->line <= b->line));
    }
    assert_int_equal(r.nplaced, 12);
    assert_int_equal(r.nambiguous, 1);
    assert_int_equal(r.nrejected, 2);
    validate_report_free(&r);
    ptce_ctx_free(ctx);
}

static void report_formats(void **state)
{
    (void)state;
    ptce_ctx *ctx = test_ctx();
    validate_report r;
    assert_int_equal(validate_file(ctx, "a-valider.csv", NULL, &r), PTCE_OK);
    util_strbuf text, csv;
    util_sb_init(&text);
    util_sb_init(&csv);
    assert_int_equal(validate_format_text(ctx, &r, &text), PTCE_OK);
    assert_int_equal(validate_format_csv(ctx, &r, &csv), PTCE_OK);
    const char *t = text.data;
    /* Errors come before warnings; every line names file, line and column. */
    const char *errors = strstr(t, "ERREURS (6)");
    const char *warnings = strstr(t, "AVERTISSEMENTS (11)");
    assert_non_null(errors);
    assert_non_null(warnings);
    assert_true(errors < warnings);
    assert_non_null(strstr(t, "a-valider.csv, ligne 12, colonne « Code postal » : le code postal "
                              "75011 n'est pas dans le département 69 (Rhône)"));
    assert_non_null(strstr(t, "a-valider.csv, ligne 5 : aucune information de lieu"));
    assert_non_null(strstr(t, "    → Que faire : "));
    assert_non_null(strstr(t, "doublon ?\n")); /* no full stop after a question mark */
    assert_non_null(strstr(t, "Bilan : 15 lignes lues ; 6 erreurs, 11 avertissements ; "
                              "12 PTCE seront placés sur la carte, 1 ambigu, 2 rejetés."));
    /* The CSV: BOM, header, one CRLF line per finding, quoted where needed. */
    const char *c = csv.data;
    assert_memory_equal(c, "\xEF\xBB\xBFligne;colonne;gravite;probleme;conseil\r\n", 42);
    assert_non_null(strstr(c, "\r\n3;Identifiant;erreur;l'identifiant « V-01 » est déjà celui "
                              "de la ligne 2 (« Ressourcerie du Val »);Donnez à chaque PTCE"));
    assert_non_null(strstr(c, "\r\n15;;avertissement;12 cellules pour 11 colonnes"));
    size_t lines = 0;
    for (const char *p = c; (p = strstr(p, "\r\n")) != NULL; p += 2)
        lines++;
    assert_int_equal(lines, 1 + r.nfindings);
    util_sb_free(&text);
    util_sb_free(&csv);
    validate_report_free(&r);
    ptce_ctx_free(ctx);
}

static void clean_years_have_no_error(void **state)
{
    (void)state;
    ptce_ctx *ctx = test_ctx();
    validate_report r;
    assert_int_equal(validate_file(ctx, "annee-2025.csv", NULL, &r), PTCE_OK);
    assert_int_equal(r.nerrors, 0);
    /* Three rows without id, two former INSEE codes. */
    expect(&r, VALIDATE_WARNING, 5, "Code INSEE", REMARK(INSEE_FORMER), "49006");
    expect(&r, VALIDATE_WARNING, 12, "Code INSEE", REMARK(INSEE_FORMER), "01003");
    expect(&r, VALIDATE_WARNING, 8, "Identifiant", CHECK(DERIVED_ID), NULL);
    assert_int_equal(r.nwarnings, 5);
    validate_report_free(&r);
    assert_int_equal(validate_file(ctx, "annee-2026.csv", NULL, &r), PTCE_OK);
    assert_string_equal(r.encoding, "windows-1252");
    assert_int_equal(r.nerrors, 0);
    expect(&r, VALIDATE_WARNING, 7, "N°", CHECK(DERIVED_ID), NULL);
    assert_int_equal(r.nplaced, 12);
    validate_report_free(&r);
    ptce_ctx_free(ctx);
}

static void header_problems(void **state)
{
    (void)state;
    ptce_ctx *ctx = test_ctx();
    validate_report r;
    /* No name column, no id column. */
    assert_int_equal(validate_file(ctx, "colonnes.csv", NULL, &r), PTCE_OK);
    expect(&r, VALIDATE_ERROR, 1, "", CHECK(NO_NAME_COLUMN), "Structure porteuse");
    expect(&r, VALIDATE_WARNING, 1, "", CHECK(NO_ID_COLUMN), NULL);
    validate_report_free(&r);
    /* The same with --columns: the name is found, the row placed. */
    assert_int_equal(validate_file(ctx, "colonnes.csv",
                                   "nom=Structure porteuse,commune=Lieu d'implantation", &r),
                     PTCE_OK);
    assert_int_equal(r.nerrors, 0);
    assert_int_equal(r.nplaced, 1);
    validate_report_free(&r);
    /* Header only: nothing to map is an error. */
    assert_int_equal(validate_file(ctx, "entete-seul.csv", NULL, &r), PTCE_OK);
    expect(&r, VALIDATE_ERROR, 0, "", CHECK(NO_ROWS), NULL);
    validate_report_free(&r);
    ptce_ctx_free(ctx);
}

static void unreadable_files_are_errors_of_the_call(void **state)
{
    (void)state;
    ptce_ctx *ctx = test_ctx();
    validate_report r;
    assert_int_equal(validate_file(ctx, "guillemet-ouvert.csv", NULL, &r), PTCE_ERR_INPUT);
    assert_non_null(strstr(ptce_ctx_error(ctx), "guillemet-ouvert.csv, ligne 3"));
    validate_report_free(&r);
    assert_int_equal(validate_file(ctx, "utf16.csv", NULL, &r), PTCE_ERR_INPUT);
    assert_non_null(strstr(ptce_ctx_error(ctx), "UTF-16"));
    validate_report_free(&r);
    assert_int_equal(validate_file(ctx, "absent.csv", NULL, &r), PTCE_ERR_INPUT);
    validate_report_free(&r);
    assert_int_equal(validate_file(ctx, "colonnes.csv", "nom=Pas de colonne", &r),
                     PTCE_ERR_USAGE);
    validate_report_free(&r);
    ptce_ctx_free(ctx);
}

static void the_context_is_left_as_it_was(void **state)
{
    (void)state;
    /* validate reads the census quietly (its warnings are records); the context is given
     * back as it was. */
    char *log = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&log, &len);
    assert_non_null(mem);
    ptce_ctx *ctx = ptce_ctx_new(mem);
    assert_non_null(ctx);
    const char *dir = getenv("PTCE_MAP_DATA");
    if (dir)
        assert_int_equal(ptce_ctx_set_data_dir(ctx, dir), PTCE_OK);
    validate_report r;
    assert_int_equal(validate_file(ctx, "a-valider.csv", NULL, &r), PTCE_OK);
    assert_ptr_equal(ctx->log, mem);
    assert_int_equal(ctx->quiet, 0);
    validate_report_free(&r);
    ptce_warn(ctx, "après");
    ptce_ctx_free(ctx);
    fclose(mem);
    /* Nothing of the census went to the log: the findings say it all. */
    assert_string_equal(log, "attention : après\n");
    free(log);
}

/* validate and geocode agree on what coordinates become: a Lambert-93 pair given the wrong
 * way round is placed and said so (not "ignored"), and at the edges of France's extents
 * validate reports exactly the remarks the geocoder makes, because it reads them. */
static void validate_and_geocode_agree_on_coordinates(void **state)
{
    (void)state;
    static const struct probe {
        const char *lat, *lon, *x, *y;
        int outside; /* 1: beyond France's extents, 0: inside them, -1: not a box probe */
    } probes[] = {
        {"", "", "842667", "6519924", -1},   /* Lyon in Lambert-93 */
        {"", "", "6519924", "842667", -1},   /* the same, X and Y swapped */
        {"4,8357", "45,7640", "", "", -1},   /* latitude and longitude swapped */
        {"41,19", "9,2", "", "", 1},         /* south of Corsica: below the box */
        {"41,21", "9,2", "", "", 0},         /* inside the box, at sea */
        {"51,31", "2,5", "", "", 1},         /* north of Dunkerque: above the box */
        {"51,03", "2,37", "", "", 0},        /* Dunkerque */
        {"47,0", "-5,81", "", "", 1},        /* west of Brittany: beyond the box */
        {"43,7", "9,81", "", "", 1},         /* east of Corsica: beyond the box */
        {"45,764", "4,8357", "", "", -1},    /* Lyon itself */
    };
    size_t n = sizeof probes / sizeof *probes;
    char dir[] = "/tmp/ptce-validate-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[128];
    snprintf(path, sizeof path, "%s/coordonnees.csv", dir);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs("Identifiant;Nom du PTCE;Commune;Code postal;Latitude;Longitude;X;Y\n", f);
    for (size_t i = 0; i < n; i++)
        fprintf(f, "P%zu;Pôle %zu;Lyon;69001;%s;%s;%s;%s\n", i, i, probes[i].lat,
                probes[i].lon, probes[i].x, probes[i].y);
    fclose(f);

    ptce_ctx *ctx = test_ctx();
    validate_report rep;
    run_options ro = {.census_path = path};
    assert_int_equal(validate_census(ctx, &ro, &rep), PTCE_OK);
    refdata rd;
    assert_int_equal(refdata_load(ctx, &rd), PTCE_OK);
    geocoder *g;
    assert_int_equal(geocode_new(ctx, &rd, &g), PTCE_OK);
    for (size_t i = 0; i < n; i++) {
        size_t line = i + 2;
        geocode_input in = {.id = "", .insee = "", .postcode = "69001", .commune = "Lyon",
                        .departement = "", .address = "", .latitude = probes[i].lat,
                        .longitude = probes[i].lon, .x = probes[i].x, .y = probes[i].y};
        geo_result r;
        assert_int_equal(geocode_row(g, &in, &r), PTCE_OK);
        assert_int_equal(r.status, GEO_MATCH);
        /* What the geocoder says that a person should see, in order… */
        int expected[8], nexp = 0;
        for (size_t k = 0; k < r.nremarks && nexp < 8; k++)
            if (geo_remark_kind_of(r.remarks[k].code) != GEO_KIND_SILENT)
                expected[nexp++] = (int)r.remarks[k].code;
        /* …is what validate reports for the line, and validate adds nothing of its own
         * about these well-formed cells. */
        int got[8], ngot = 0;
        for (size_t k = 0; k < rep.nfindings; k++) {
            const validate_finding *fi = &rep.findings[k];
            if (fi->line != line)
                continue;
            assert_int_equal(fi->source, VALIDATE_REMARK);
            assert_int_equal(fi->severity, VALIDATE_WARNING);
            if (ngot < 8)
                got[ngot++] = fi->code;
        }
        if (ngot != nexp)
            dump(&rep);
        assert_int_equal(ngot, nexp);
        for (int k = 0; k < nexp; k++)
            assert_int_equal(got[k], expected[k]);
        int ignored_outside = geo_result_find(&r, GEO_R_COORD_OUTSIDE) != NULL;
        if (probes[i].outside >= 0)
            assert_int_equal(ignored_outside, probes[i].outside);
        if (i == 1) {
            /* The swapped pair: converted and used as the point, and said so. */
            const geo_remark *m = geo_result_find(&r, GEO_R_XY_SWAPPED);
            assert_non_null(m);
            assert_true(m->num[0] == 842667 && m->num[1] == 6519924);
            assert_int_equal(r.type, GEO_TYPE_COORDINATES);
            assert_null(geo_result_find(&r, GEO_R_XY_OUT_OF_ZONE));
            expect(&rep, VALIDATE_WARNING, line, "X", REMARK(XY_SWAPPED), NULL);
        }
        if (i == 2)
            expect(&rep, VALIDATE_WARNING, line, "Latitude", REMARK(LATLON_SWAPPED), NULL);
        geo_result_free(&r);
    }
    assert_int_equal(rep.nplaced, n);
    geocode_free(g);
    refdata_free(&rd);
    validate_report_free(&rep);
    ptce_ctx_free(ctx);
    unlink(path);
    rmdir(dir);
}

/* A spreadsheet export: a title above the header, coordinates in degrees-minutes-seconds
 * and with hemisphere letters, codes as numbers. What is unambiguous is no error; two
 * latitude letters are, at their line and column; the header's line is said; every line
 * number is the file's. */
static void spreadsheet_export(void **state)
{
    (void)state;
    char path[] = "/tmp/ptce-validate-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    static const char text[] =
        "Recensement 2026;;;;;\n"
        "Identifiant;Nom du PTCE;Commune;Code INSEE;Latitude;Longitude\n"
        "E1;Alpha;Lyon;69123.0;45°45'N;4°50'E\n"
        "E2;Bêta;Brest;;48.39 N;4.49 O\n"
        "E3;Gamma;Paris;;48.85 N;2.35 N\n"
        "E4;Delta;Rennes;;48,11;-1,68\n";
    assert_int_equal(write(fd, text, sizeof text - 1), (ssize_t)(sizeof text - 1));
    close(fd);
    ptce_ctx *ctx = test_ctx();
    validate_report r;
    run_options ro = {.census_path = path};
    assert_int_equal(validate_census(ctx, &ro, &r), PTCE_OK);
    unlink(path);
    assert_int_equal(r.nrows, 4);
    expect(&r, VALIDATE_WARNING, 2, "", CENSUS(HEADER_BELOW), NULL);
    expect(&r, VALIDATE_ERROR, 5, "Longitude", CHECK(LATLON_SAME_AXIS), "2.35 N");
    assert_int_equal(count_at(&r, VALIDATE_ERROR, 3) + count_at(&r, VALIDATE_ERROR, 4) +
                         count_at(&r, VALIDATE_ERROR, 6), 0);
    assert_int_equal(r.nerrors, 1);
    assert_int_equal(r.nplaced, 4);
    validate_report_free(&r);
    ptce_ctx_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_mistake_found_where_it_is),
        cmocka_unit_test(report_formats),
        cmocka_unit_test(clean_years_have_no_error),
        cmocka_unit_test(header_problems),
        cmocka_unit_test(unreadable_files_are_errors_of_the_call),
        cmocka_unit_test(the_context_is_left_as_it_was),
        cmocka_unit_test(validate_and_geocode_agree_on_coordinates),
        cmocka_unit_test(spreadsheet_export),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
