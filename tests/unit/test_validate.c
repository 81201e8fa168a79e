/*
 * validate: a census with one mistake per line (tests/data/census/a-valider.csv), the two
 * clean census years, files that cannot be read, and the two report formats.
 */
#include "testutil.h"

#include <stdio.h>

#include "app/validate.h"

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

/* Asserts a finding with this severity, line and column whose problem holds `text`. */
static void expect(const validate_report *r, validate_severity sev, size_t line,
                   const char *column, const char *text)
{
    for (size_t i = 0; i < r->nfindings; i++) {
        const validate_finding *f = &r->findings[i];
        if (f->severity == sev && f->line == line && strcmp(f->column, column) == 0 &&
            strstr(f->problem, text) && f->advice[0])
            return;
    }
    dump(r);
    fail_msg("no %s at line %zu, column « %s », with « %s »",
             sev == VALIDATE_ERROR ? "error" : "warning", line, column, text);
}

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
    expect(&r, VALIDATE_ERROR, 3, "Identifiant",
           "l'identifiant « V-01 » est déjà celui de la ligne 2");
    expect(&r, VALIDATE_ERROR, 4, "Nom du PTCE", "nom du PTCE vide");
    expect(&r, VALIDATE_ERROR, 5, "", "aucune information de lieu");
    expect(&r, VALIDATE_ERROR, 6, "Latitude", "latitude « quarante-sept » illisible");
    expect(&r, VALIDATE_ERROR, 7, "Commune", "ne sera pas placé sur la carte");
    expect(&r, VALIDATE_ERROR, 7, "Commune", "Trifouillis-les-Oies");
    expect(&r, VALIDATE_ERROR, 8, "Commune", "lieu ambigu");
    expect(&r, VALIDATE_ERROR, 8, "Commune", "Saint-Denis (93066");
    assert_int_equal(r.nerrors, 6);

    /* Warnings. */
    expect(&r, VALIDATE_WARNING, 9, "Nombre de membres", "« beaucoup » n'est pas un nombre");
    expect(&r, VALIDATE_WARNING, 9, "Année AMI", "année 1999 hors de la période");
    expect(&r, VALIDATE_WARNING, 10, "Nombre de membres", "négatif");
    expect(&r, VALIDATE_WARNING, 11, "Nombre de membres", "très élevé (250000)");
    expect(&r, VALIDATE_WARNING, 11, "Latitude", "hors de France");
    expect(&r, VALIDATE_WARNING, 12, "Code postal",
           "le code postal 75011 n'est pas dans le département 69 (Rhône)");
    expect(&r, VALIDATE_WARNING, 13, "Nom du PTCE", "même nom que la ligne 2");
    expect(&r, VALIDATE_WARNING, 14, "Identifiant", "identifiant vide : « auto-");
    expect(&r, VALIDATE_WARNING, 14, "Code INSEE", "01003");
    expect(&r, VALIDATE_WARNING, 14, "Code INSEE", "ancienne commune");
    expect(&r, VALIDATE_WARNING, 15, "", "12 cellules pour 11 colonnes");
    expect(&r, VALIDATE_WARNING, 16, "Thématique déclarée", "sur 2 lignes (16 à 17)");

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
    strbuf text, csv;
    sb_init(&text);
    sb_init(&csv);
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
    sb_free(&text);
    sb_free(&csv);
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
    expect(&r, VALIDATE_WARNING, 5, "Code INSEE", "49006");
    expect(&r, VALIDATE_WARNING, 12, "Code INSEE", "01003");
    expect(&r, VALIDATE_WARNING, 8, "Identifiant", "identifiant vide");
    assert_int_equal(r.nwarnings, 5);
    validate_report_free(&r);
    assert_int_equal(validate_file(ctx, "annee-2026.csv", NULL, &r), PTCE_OK);
    assert_string_equal(r.encoding, "windows-1252");
    assert_int_equal(r.nerrors, 0);
    expect(&r, VALIDATE_WARNING, 7, "N°", "identifiant vide");
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
    expect(&r, VALIDATE_ERROR, 1, "", "aucune colonne ne donne le nom du PTCE");
    expect(&r, VALIDATE_ERROR, 1, "", "« Structure porteuse »");
    expect(&r, VALIDATE_WARNING, 1, "", "aucune colonne d'identifiant");
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
    expect(&r, VALIDATE_ERROR, 0, "", "aucune ligne de PTCE");
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
    /* validate catches the reader's warnings by borrowing the log; it gives it back. */
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_mistake_found_where_it_is),
        cmocka_unit_test(report_formats),
        cmocka_unit_test(clean_years_have_no_error),
        cmocka_unit_test(header_problems),
        cmocka_unit_test(unreadable_files_are_errors_of_the_call),
        cmocka_unit_test(the_context_is_left_as_it_was),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
