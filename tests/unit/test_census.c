/*
 * The census reader on the exports analysts really send: every file under
 * tests/data/census/ is one messy case (written byte for byte by generer.py there).
 */
#include "testutil.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "census/census.h"
#include "core/util.h"

/* Reads tests/data/census/<name>; asserts success. */
static void read_ok(ptce_ctx *ctx, const char *name, const char *columns, census *c)
{
    char rel[256], path[4096];
    snprintf(rel, sizeof rel, "census/%s", name);
    census_options o = {.columns = columns};
    ptce_status st = census_read(ctx, test_data_path(rel, path, sizeof path), &o, c);
    if (st != PTCE_OK)
        fail_msg("%s: %s", name, ptce_ctx_error(ctx));
}

/* Reads tests/data/census/<name>; asserts the status and that the message holds `want`
 * (and names the file, unless it is about an option). */
static void read_fails(const char *name, const char *columns, ptce_status want_status,
                       const char *want)
{
    ptce_ctx *ctx = test_ctx();
    char rel[256], path[4096];
    snprintf(rel, sizeof rel, "census/%s", name);
    census_options o = {.columns = columns};
    census c;
    ptce_status st = census_read(ctx, test_data_path(rel, path, sizeof path), &o, &c);
    assert_int_equal(st, want_status);
    const char *msg = ptce_ctx_error(ctx);
    if (!strstr(msg, want))
        fail_msg("%s: « %s » not in « %s »", name, want, msg);
    if (want_status != PTCE_ERR_USAGE && !strstr(msg, name))
        fail_msg("%s: the message does not name the file: « %s »", name, msg);
    census_free(&c);
    ptce_ctx_free(ctx);
}

static const char *value(const census *c, size_t rec, census_role role)
{
    return census_value(c, &c->records[rec], role);
}

static const char *header_of(const census *c, census_role role)
{
    return c->role_col[role] >= 0 ? c->header[c->role_col[role]] : "(none)";
}

static void windows_1252_with_french_headers(void **state)
{
    (void)state;
    ptce_ctx *ctx = test_ctx();
    census c;
    read_ok(ctx, "cp1252-pointvirgule.csv", NULL, &c);
    assert_string_equal(c.encoding, "windows-1252");
    assert_int_equal(c.separator, ';');
    assert_int_equal(c.ncols, 10);
    assert_int_equal(c.nrecords, 3);
    /* Headers come back as UTF-8 and every one finds its role. */
    assert_string_equal(header_of(&c, CENSUS_ROLE_ID), "N°");
    assert_string_equal(header_of(&c, CENSUS_ROLE_NOM), "Nom du PTCE");
    assert_string_equal(header_of(&c, CENSUS_ROLE_CODE_POSTAL), "CP");
    assert_string_equal(header_of(&c, CENSUS_ROLE_COMMUNE), "Ville");
    assert_string_equal(header_of(&c, CENSUS_ROLE_INSEE), "Code INSEE");
    assert_string_equal(header_of(&c, CENSUS_ROLE_DEPARTEMENT), "Département");
    assert_string_equal(header_of(&c, CENSUS_ROLE_THEME), "Thématique déclarée");
    assert_string_equal(header_of(&c, CENSUS_ROLE_MEMBRES), "Nombre de membres");
    assert_string_equal(header_of(&c, CENSUS_ROLE_ANNEE), "Année AMI");
    /* 0x80-0x9F are the Windows-1252 characters, not C1 controls. */
    assert_string_equal(value(&c, 0, CENSUS_ROLE_NOM), "Légumerie coopérative de l’Étang");
    assert_string_equal(value(&c, 0, CENSUS_ROLE_ADRESSE), "12 rue de l’Église");
    assert_string_equal(value(&c, 0, CENSUS_ROLE_CODE_POSTAL), "1000");
    assert_string_equal(value(&c, 0, CENSUS_ROLE_INSEE), "01053");
    assert_string_equal(value(&c, 1, CENSUS_ROLE_NOM), "Œuvre commune « Cœur de ville »");
    assert_string_equal(value(&c, 1, CENSUS_ROLE_THEME), "Économie circulaire – réemploi");
    assert_string_equal(value(&c, 2, CENSUS_ROLE_NOM), "Pôle Énergie à 5 €");
    /* CRLF: no \r left in the last cell, lines counted once. */
    assert_string_equal(value(&c, 0, CENSUS_ROLE_ANNEE), "2021");
    assert_string_equal(value(&c, 2, CENSUS_ROLE_ANNEE), "");
    assert_int_equal(c.records[0].line, 2);
    assert_int_equal(c.records[2].line, 4);
    census_free(&c);
    ptce_ctx_free(ctx);
}

static void utf8_bom_commas_quotes_and_line_breaks(void **state)
{
    (void)state;
    ptce_ctx *ctx = test_ctx();
    census c;
    read_ok(ctx, "utf8-bom-virgule.csv", NULL, &c);
    assert_string_equal(c.encoding, "UTF-8 (BOM)");
    assert_int_equal(c.separator, ',');
    assert_string_equal(c.header[0], "Identifiant"); /* the BOM is not part of the name */
    assert_string_equal(header_of(&c, CENSUS_ROLE_ID), "Identifiant");
    assert_int_equal(c.nrecords, 3);
    assert_string_equal(value(&c, 0, CENSUS_ROLE_NOM), "Ressourcerie, atelier et boutique");
    assert_string_equal(value(&c, 0, CENSUS_ROLE_DESCRIPTION), "Collecte, tri, revente");
    assert_string_equal(value(&c, 1, CENSUS_ROLE_NOM), "Le \"Grand\" Pôle");
    assert_string_equal(value(&c, 1, CENSUS_ROLE_DESCRIPTION),
                        "Première ligne\ndeuxième ligne, avec virgule");
    /* Physical lines: the third record starts on line 5, after the two-line cell. */
    assert_int_equal(c.records[0].line, 2);
    assert_int_equal(c.records[1].line, 3);
    assert_int_equal(c.records[2].line, 5);
    assert_string_equal(value(&c, 2, CENSUS_ROLE_DESCRIPTION), "");
    census_free(&c);
    ptce_ctx_free(ctx);
}

static void tab_separated_capital_headers(void **state)
{
    (void)state;
    ptce_ctx *ctx = test_ctx();
    census c;
    read_ok(ctx, "tabulations.tsv", NULL, &c);
    assert_int_equal(c.separator, '\t');
    assert_string_equal(c.encoding, "UTF-8");
    assert_string_equal(header_of(&c, CENSUS_ROLE_ID), "IDENTIFIANT");
    assert_string_equal(header_of(&c, CENSUS_ROLE_NOM), "NOM DU PTCE");
    assert_string_equal(header_of(&c, CENSUS_ROLE_COMMUNE), "VILLE");
    assert_string_equal(header_of(&c, CENSUS_ROLE_CODE_POSTAL), "CP");
    assert_string_equal(header_of(&c, CENSUS_ROLE_DEPARTEMENT), "DEPARTEMENT");
    assert_string_equal(header_of(&c, CENSUS_ROLE_THEME), "THEMATIQUE DECLAREE");
    assert_int_equal(c.nrecords, 2);
    assert_string_equal(value(&c, 0, CENSUS_ROLE_NOM), "Pôle Alimentaire; Sud, Ouest");
    assert_string_equal(value(&c, 1, CENSUS_ROLE_THEME), "Réemploi; réparation");
    census_free(&c);
    ptce_ctx_free(ctx);
}

static void header_synonyms_in_any_case_and_accents(void **state)
{
    (void)state;
    ptce_ctx *ctx = test_ctx();
    census c;
    read_ok(ctx, "synonymes.csv", NULL, &c);
    assert_string_equal(header_of(&c, CENSUS_ROLE_ID), "nº");
    assert_string_equal(header_of(&c, CENSUS_ROLE_NOM), "NOM DU PTCE");
    assert_string_equal(header_of(&c, CENSUS_ROLE_COMMUNE), "ville");
    assert_string_equal(header_of(&c, CENSUS_ROLE_CODE_POSTAL), "cp");
    assert_string_equal(header_of(&c, CENSUS_ROLE_INSEE), "CODE INSEE");
    /* Decomposed accents (NFD) fold like composed ones. */
    assert_string_equal(header_of(&c, CENSUS_ROLE_DEPARTEMENT), "DE\xCC\x81PARTEMENT");
    assert_string_equal(header_of(&c, CENSUS_ROLE_THEME), "Thématique Déclarée");
    /* A synonym followed by more words. */
    assert_string_equal(header_of(&c, CENSUS_ROLE_LATITUDE), "Latitude (WGS84)");
    assert_string_equal(header_of(&c, CENSUS_ROLE_LONGITUDE), "Longitude (WGS84)");
    assert_string_equal(header_of(&c, CENSUS_ROLE_MEMBRES), "Nb. membres");
    /* The exact "Année" wins over "Année de création". */
    assert_string_equal(header_of(&c, CENSUS_ROLE_ANNEE), "Année");
    /* An e-mail address is not a postal address. */
    assert_int_equal(c.role_col[CENSUS_ROLE_ADRESSE], -1);
    assert_string_equal(value(&c, 0, CENSUS_ROLE_ID), "S1");
    assert_string_equal(value(&c, 0, CENSUS_ROLE_LATITUDE), "46,99");
    census_free(&c);
    ptce_ctx_free(ctx);
}

static void columns_that_only_look_like_a_role(void **state)
{
    (void)state;
    ptce_ctx *ctx = test_ctx();
    census c;
    read_ok(ctx, "faux-amis.csv", NULL, &c);
    assert_string_equal(header_of(&c, CENSUS_ROLE_NOM), "Nom du PTCE");
    assert_string_equal(header_of(&c, CENSUS_ROLE_COMMUNE), "Commune");
    assert_int_equal(c.role_col[CENSUS_ROLE_ID], -1);      /* not "Numéro de téléphone" */
    assert_int_equal(c.role_col[CENSUS_ROLE_ADRESSE], -1); /* not "Adresse e-mail" */
    assert_int_equal(c.role_col[CENSUS_ROLE_ANNEE], -1);   /* not "Année de création" */
    census_free(&c);
    ptce_ctx_free(ctx);
}

static void columns_option_maps_any_header(void **state)
{
    (void)state;
    ptce_ctx *ctx = test_ctx();
    census c;
    /* Without the option: only the obvious columns. */
    read_ok(ctx, "colonnes.csv", NULL, &c);
    assert_int_equal(c.role_col[CENSUS_ROLE_NOM], -1);
    assert_int_equal(c.role_col[CENSUS_ROLE_COMMUNE], -1);
    assert_string_equal(header_of(&c, CENSUS_ROLE_CODE_POSTAL), "CP siège");
    assert_string_equal(header_of(&c, CENSUS_ROLE_THEME), "Domaine d'action");
    census_free(&c);
    /* Header names compared folded: case and accents do not matter, spaces around '='. */
    read_ok(ctx, "colonnes.csv",
            "nom=Structure porteuse, commune = LIEU D'IMPLANTATION,membres=effectif", &c);
    assert_string_equal(header_of(&c, CENSUS_ROLE_NOM), "Structure porteuse");
    assert_string_equal(header_of(&c, CENSUS_ROLE_COMMUNE), "Lieu d'implantation");
    assert_string_equal(header_of(&c, CENSUS_ROLE_MEMBRES), "Effectif");
    assert_string_equal(value(&c, 0, CENSUS_ROLE_NOM), "Pôle des Colonnes");
    assert_string_equal(value(&c, 0, CENSUS_ROLE_COMMUNE), "Nevers");
    census_free(&c);
    /* A column moved to another role leaves its first role. */
    read_ok(ctx, "colonnes.csv", "description=Domaine d'action", &c);
    assert_int_equal(c.role_col[CENSUS_ROLE_THEME], -1);
    assert_string_equal(header_of(&c, CENSUS_ROLE_DESCRIPTION), "Domaine d'action");
    census_free(&c);
    ptce_ctx_free(ctx);
    read_fails("colonnes.csv", "nom", PTCE_ERR_USAGE, "rôle=Nom de colonne");
    read_fails("colonnes.csv", "ville=Lieu d'implantation", PTCE_ERR_USAGE,
               "rôle « ville » inconnu");
    read_fails("colonnes.csv", "commune=Ville", PTCE_ERR_USAGE,
               "la colonne « Ville » n'existe pas");
}

static void empty_lines_are_ignored(void **state)
{
    (void)state;
    ptce_ctx *ctx = test_ctx();
    census c;
    read_ok(ctx, "lignes-vides.csv", NULL, &c);
    assert_int_equal(c.nrecords, 3);
    assert_int_equal(c.records[0].line, 2);
    assert_int_equal(c.records[1].line, 5);
    assert_int_equal(c.records[2].line, 8);
    assert_string_equal(value(&c, 1, CENSUS_ROLE_NOM), "Deuxième");
    assert_string_equal(value(&c, 2, CENSUS_ROLE_COMMUNE), "Sens");
    /* Blank lines 3, 7, 9, 10 and the rows of empty cells on lines 4 and 6. */
    assert_int_equal(c.empty_lines, 6);
    census_free(&c);
    ptce_ctx_free(ctx);
}

static void more_cells_than_header_warned(void **state)
{
    (void)state;
    char *log = NULL;
    size_t loglen = 0;
    FILE *mem = open_memstream(&log, &loglen);
    assert_non_null(mem);
    ptce_ctx *ctx = ptce_ctx_new(mem);
    assert_non_null(ctx);
    const char *dir = getenv("PTCE_MAP_DATA");
    if (dir)
        assert_int_equal(ptce_ctx_set_data_dir(ctx, dir), PTCE_OK);
    census c;
    read_ok(ctx, "cellules-en-trop.csv", NULL, &c);
    assert_int_equal(c.nrecords, 4);
    assert_int_equal(c.warnings, 2);
    assert_int_equal(c.ncols, 3);
    assert_string_equal(value(&c, 0, CENSUS_ROLE_COMMUNE), "Nevers");
    /* A short row is padded with empty cells. */
    assert_string_equal(value(&c, 1, CENSUS_ROLE_COMMUNE), "");
    /* The extra cells are dropped; the next rows keep their own cells. */
    assert_string_equal(value(&c, 2, CENSUS_ROLE_NOM), "Trois");
    assert_string_equal(value(&c, 2, CENSUS_ROLE_COMMUNE), "et quart");
    assert_string_equal(value(&c, 3, CENSUS_ROLE_ID), "X4");
    assert_string_equal(value(&c, 3, CENSUS_ROLE_COMMUNE), "Auxerre");
    /* The warnings are records of the census: kind, line, values. */
    assert_int_equal(c.nwarns, 2);
    assert_int_equal(c.warns[0].kind, CENSUS_WIDE_ROW);
    assert_int_equal(c.warns[0].line, 2);
    assert_int_equal(c.warns[0].n[0], 4);
    assert_int_equal(c.warns[0].n[1], 3);
    assert_int_equal(c.warns[1].kind, CENSUS_WIDE_ROW);
    assert_int_equal(c.warns[1].line, 4);
    assert_int_equal(c.warns[1].n[0], 6);
    census_free(&c);
    ptce_ctx_free(ctx);
    fclose(mem);
    /* …and still printed to the log, one line each. */
    size_t nlines = 0;
    for (const char *p = log; (p = strchr(p, '\n')) != NULL; p++)
        nlines++;
    assert_int_equal(nlines, 2);
    assert_non_null(strstr(log, "cellules-en-trop.csv, ligne 2 : "));
    assert_non_null(strstr(log, "cellules-en-trop.csv, ligne 4 : "));
    free(log);
}

static void duplicate_columns_are_warning_records(void **state)
{
    (void)state;
    ptce_ctx *ctx = test_ctx();
    /* Twelve columns named "Commune" after the first: ten listed, then a count. */
    util_strbuf sb;
    util_sb_init(&sb);
    util_sb_append(&sb, "Nom;Commune");
    for (int i = 0; i < 12; i++)
        util_sb_append(&sb, ";commune");
    util_sb_append(&sb, "\nA;Lyon\n");
    census c;
    assert_int_equal(census_parse(ctx, "doublons.csv", sb.data, sb.len, NULL, &c), PTCE_OK);
    assert_int_equal(c.nwarns, 11);
    for (size_t i = 0; i < 10; i++) {
        assert_int_equal(c.warns[i].kind, CENSUS_DUPLICATE_COLUMN);
        assert_int_equal(c.warns[i].line, 1);
        assert_int_equal(c.warns[i].n[0], 2);
        assert_int_equal(c.warns[i].n[1], 3 + i);
    }
    assert_int_equal(c.warns[10].kind, CENSUS_MORE_DUPLICATES);
    assert_int_equal(c.warns[10].n[0], 2);
    /* Its French names the column as written. */
    util_strbuf text;
    util_sb_init(&text);
    census_warning_text(&c, &c.warns[0], &text);
    assert_non_null(strstr(text.data, "« Commune »"));
    util_sb_free(&text);
    util_sb_free(&sb);
    census_free(&c);
    ptce_ctx_free(ctx);
}

static void unbalanced_quote_is_an_error_with_its_line(void **state)
{
    (void)state;
    read_fails("guillemet-ouvert.csv", NULL, PTCE_ERR_INPUT, "ligne 3 : guillemet ouvert");
}

static void quotes_inside_unquoted_cells_are_kept(void **state)
{
    (void)state;
    ptce_ctx *ctx = test_ctx();
    static const char text[] = "id;nom\n1;Le \"Petit\" Pôle\n2;Pôle 3\"\n";
    census c;
    assert_int_equal(census_parse(ctx, "guillemets.csv", text, sizeof text - 1, NULL, &c),
                     PTCE_OK);
    assert_int_equal(c.nrecords, 2);
    assert_string_equal(value(&c, 0, CENSUS_ROLE_NOM), "Le \"Petit\" Pôle");
    assert_string_equal(value(&c, 1, CENSUS_ROLE_NOM), "Pôle 3\"");
    census_free(&c);
    ptce_ctx_free(ctx);
}

/* Two columns for one role: the more usual name wins wherever it stands, and the other
 * column is said (a theme lost behind "Secteur d'activité" gave every row a wrong sector). */
static void the_more_usual_header_wins_and_the_other_is_said(void **state)
{
    (void)state;
    ptce_ctx *ctx = test_ctx();
    ctx->quiet = 1;
    static const char text[] = "nom;Secteur d'activité;Ville;Commune;Thématique déclarée\n"
                               "P;ESS;Lyon 3;Villeurbanne;Alimentation\n";
    census c;
    assert_int_equal(census_parse(ctx, "roles.csv", text, sizeof text - 1, NULL, &c), PTCE_OK);
    assert_string_equal(value(&c, 0, CENSUS_ROLE_THEME), "Alimentation");
    assert_string_equal(value(&c, 0, CENSUS_ROLE_COMMUNE), "Villeurbanne");
    size_t twice = 0;
    for (size_t i = 0; i < c.nwarns; i++)
        if (c.warns[i].kind == CENSUS_ROLE_TWO_COLUMNS) {
            twice++;
            assert_int_equal(c.warns[i].line, 1);
            assert_true((c.warns[i].n[0] == 5 && c.warns[i].n[1] == 2) ||
                        (c.warns[i].n[0] == 4 && c.warns[i].n[1] == 3));
        }
    assert_int_equal(twice, 2);
    census_free(&c);
    /* One column per role: nothing said. */
    static const char plain[] = "nom;Commune;Thématique\nP;Lyon;Alimentation\n";
    assert_int_equal(census_parse(ctx, "plain.csv", plain, sizeof plain - 1, NULL, &c), PTCE_OK);
    for (size_t i = 0; i < c.nwarns; i++)
        assert_int_not_equal(c.warns[i].kind, CENSUS_ROLE_TWO_COLUMNS);
    census_free(&c);
    ptce_ctx_free(ctx);
}

/* --columns gives a role to a column the header's name gave to another role: that role
 * has no column any more, and it is said (it was lost in silence: `--columns nom=Commune`
 * left every row without its commune). A role that --columns also places is not. */
static void a_role_left_without_column_by_columns_is_said(void **state)
{
    (void)state;
    ptce_ctx *ctx = test_ctx();
    ctx->quiet = 1;
    static const char text[] = "id;nom;Commune;Colonne 4\nA;P;Lyon;Rennes\n";
    census_options o = {.columns = "nom=Commune"};
    census c;
    assert_int_equal(census_parse(ctx, "r.csv", text, sizeof text - 1, &o, &c), PTCE_OK);
    assert_string_equal(value(&c, 0, CENSUS_ROLE_NOM), "Lyon");
    size_t said = 0;
    for (size_t i = 0; i < c.nwarns; i++)
        if (c.warns[i].kind == CENSUS_ROLE_GIVEN_AWAY) {
            said++;
            assert_int_equal(c.warns[i].line, 1);
            assert_int_equal(c.warns[i].n[0], 3);
            assert_int_equal(c.warns[i].n[1], CENSUS_ROLE_COMMUNE);
            util_strbuf sb;
            util_sb_init(&sb);
            census_warning_text(&c, &c.warns[i], &sb);
            assert_non_null(strstr(sb.data, "« Commune » était lue comme « commune »"));
            assert_non_null(strstr(sb.data, "--columns commune=NOM"));
            util_sb_free(&sb);
        }
    assert_int_equal(said, 1);
    census_free(&c);
    o.columns = "nom=Commune,commune=Colonne 4";
    assert_int_equal(census_parse(ctx, "r.csv", text, sizeof text - 1, &o, &c), PTCE_OK);
    assert_string_equal(value(&c, 0, CENSUS_ROLE_COMMUNE), "Rennes");
    for (size_t i = 0; i < c.nwarns; i++)
        assert_int_not_equal(c.warns[i].kind, CENSUS_ROLE_GIVEN_AWAY);
    census_free(&c);
    ptce_ctx_free(ctx);
}

/* An Excel export with a title, a date and a blank line above the header: the header is
 * found (the first line naming known columns), said with its line, and every record keeps
 * the line it has in the file; the separator is the header's, not the title's. */
static void title_rows_above_the_header(void **state)
{
    (void)state;
    ptce_ctx *ctx = test_ctx();
    static const char *const files[] = {
        "\xEF\xBB\xBFRecensement des PTCE, \xC3\xA9" "dition 2026;;;\r\nExtrait le 3 mars;;;\r\n"
        ";;;\r\nIdentifiant;Nom du PTCE;Commune;Code postal\r\nP1;Alpha;Lyon;69003\r\n"
        "P2;B\xC3\xAAta;Brest;29200\r\n",
        "Recensement 2026\n\nid,nom,commune,code postal\nP1,Alpha,Lyon,69003\nP2,Bêta,Brest,"
        "29200\n",
    };
    static const size_t header_lines[] = {4, 3}, skipped[] = {2, 1};
    for (size_t f = 0; f < 2; f++) {
        census c;
        assert_int_equal(census_parse(ctx, "titre.csv", files[f], strlen(files[f]), NULL, &c),
                         PTCE_OK);
        assert_int_equal(c.ncols, 4);
        assert_int_equal(c.nrecords, 2);
        assert_int_equal(c.records[0].line, header_lines[f] + 1);
        assert_int_equal(c.records[1].line, header_lines[f] + 2);
        assert_string_equal(value(&c, 0, CENSUS_ROLE_COMMUNE), "Lyon");
        assert_string_equal(value(&c, 1, CENSUS_ROLE_NOM), "Bêta");
        assert_string_equal(value(&c, 1, CENSUS_ROLE_CODE_POSTAL), "29200");
        size_t said = 0;
        for (size_t i = 0; i < c.nwarns; i++)
            if (c.warns[i].kind == CENSUS_HEADER_BELOW) {
                said++;
                assert_int_equal(c.warns[i].line, header_lines[f]);
                assert_int_equal(c.warns[i].n[0], header_lines[f]);
                assert_int_equal(c.warns[i].n[1], skipped[f]);
            }
        assert_int_equal(said, 1);
        if (f == 0)
            assert_string_equal(c.encoding, "UTF-8 (BOM)");
        census_free(&c);
    }
    /* A header that names known columns on line 1 stays the header, and a file whose first
     * line names none and no line below does either keeps its first line (nothing said). */
    static const char plain[] = "Commune;Code postal\nLyon;69003\n";
    census c;
    assert_int_equal(census_parse(ctx, "plain.csv", plain, sizeof plain - 1, NULL, &c), PTCE_OK);
    assert_int_equal(c.nwarns, 0);
    assert_int_equal(c.records[0].line, 2);
    census_free(&c);
    static const char odd[] = "Ville du PTCE;Truc\nLyon;x\nBrest;y\n";
    assert_int_equal(census_parse(ctx, "odd.csv", odd, sizeof odd - 1, NULL, &c), PTCE_OK);
    assert_int_equal(c.nwarns, 0);
    assert_int_equal(c.nrecords, 2);
    census_free(&c);
    ptce_ctx_free(ctx);
}

static void utf16_refused_with_a_clear_message(void **state)
{
    (void)state;
    read_fails("utf16.csv", NULL, PTCE_ERR_INPUT, "UTF-16");
    read_fails("utf16-sans-bom.csv", NULL, PTCE_ERR_INPUT, "UTF-16");
    read_fails("utf16.csv", NULL, PTCE_ERR_INPUT, "CSV UTF-8");
}

static void nul_byte_refused_with_its_line(void **state)
{
    (void)state;
    read_fails("octet-nul.csv", NULL, PTCE_ERR_INPUT, "ligne 3, caractère 6 : octet nul");
}

static void empty_files_refused(void **state)
{
    (void)state;
    read_fails("vide.csv", NULL, PTCE_ERR_INPUT, "fichier vide");
    read_fails("bom-seul.csv", NULL, PTCE_ERR_INPUT, "fichier vide");
}

static void header_only_gives_no_record(void **state)
{
    (void)state;
    ptce_ctx *ctx = test_ctx();
    census c;
    read_ok(ctx, "entete-seul.csv", NULL, &c);
    assert_int_equal(c.nrecords, 0);
    assert_int_equal(c.ncols, 3);
    assert_string_equal(header_of(&c, CENSUS_ROLE_NOM), "Nom du PTCE");
    census_free(&c);
    ptce_ctx_free(ctx);
}

static void lone_cr_line_ends_count_lines(void **state)
{
    (void)state;
    ptce_ctx *ctx = test_ctx();
    census c;
    read_ok(ctx, "mac-cr.csv", NULL, &c);
    assert_int_equal(c.nrecords, 2);
    assert_int_equal(c.records[0].line, 2);
    assert_int_equal(c.records[1].line, 3);
    assert_string_equal(value(&c, 1, CENSUS_ROLE_COMMUNE), "Sens");
    census_free(&c);
    ptce_ctx_free(ctx);
}

static void missing_file_and_folder(void **state)
{
    (void)state;
    ptce_ctx *ctx = test_ctx();
    census c;
    assert_int_equal(census_read(ctx, "/nonexistent/recensement.csv", NULL, &c), PTCE_ERR_INPUT);
    assert_non_null(strstr(ptce_ctx_error(ctx), "/nonexistent/recensement.csv"));
    census_free(&c);
    char path[4096];
    assert_int_equal(census_read(ctx, test_data_path("census", path, sizeof path), NULL, &c),
                     PTCE_ERR_INPUT);
    assert_non_null(strstr(ptce_ctx_error(ctx), "dossier"));
    census_free(&c);
    ptce_ctx_free(ctx);
}

/* A file past UTIL_READ_MAX is refused by its size, before any of it is read: a sparse
 * file of 1 Gio + 1 byte (no disk used), and the message names it and says why. */
static void file_past_the_size_bound_is_refused(void **state)
{
    (void)state;
    ptce_ctx *ctx = test_ctx();
    char path[] = "/tmp/ptce-huge-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(ftruncate(fd, (off_t)UTIL_READ_MAX + 1), 0);
    close(fd);
    census c;
    assert_int_equal(census_read(ctx, path, NULL, &c), PTCE_ERR_INPUT);
    assert_non_null(strstr(ptce_ctx_error(ctx), path));
    assert_non_null(strstr(ptce_ctx_error(ctx), "trop gros"));
    census_free(&c);
    size_t len = 0;
    errno = 0;
    assert_null(util_read_file(path, &len));
    assert_int_equal(errno, EFBIG);
    unlink(path);
    ptce_ctx_free(ctx);
}

static void separator_ties_and_quoted_headers(void **state)
{
    (void)state;
    ptce_ctx *ctx = test_ctx();
    census c;
    /* A separator inside a quoted header does not count. */
    static const char quoted[] = "\"Nom, raison sociale\";Commune\nPôle A;Nevers\n";
    assert_int_equal(census_parse(ctx, "q.csv", quoted, sizeof quoted - 1, NULL, &c), PTCE_OK);
    assert_int_equal(c.separator, ';');
    assert_string_equal(header_of(&c, CENSUS_ROLE_NOM), "Nom, raison sociale");
    census_free(&c);
    /* One column, no separator at all: still one record per line. */
    static const char single[] = "Nom\nPôle A\nPôle B\n";
    assert_int_equal(census_parse(ctx, "s.csv", single, sizeof single - 1, NULL, &c), PTCE_OK);
    assert_int_equal(c.nrecords, 2);
    assert_string_equal(value(&c, 1, CENSUS_ROLE_NOM), "Pôle B");
    census_free(&c);
    /* Last line without a line break. */
    static const char noeol[] = "id,nom\r\n1,Un\r\n2,Deux";
    assert_int_equal(census_parse(ctx, "n.csv", noeol, sizeof noeol - 1, NULL, &c), PTCE_OK);
    assert_int_equal(c.separator, ',');
    assert_int_equal(c.nrecords, 2);
    assert_string_equal(value(&c, 1, CENSUS_ROLE_NOM), "Deux");
    assert_int_equal(c.records[1].line, 3);
    census_free(&c);
    ptce_ctx_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(windows_1252_with_french_headers),
        cmocka_unit_test(utf8_bom_commas_quotes_and_line_breaks),
        cmocka_unit_test(tab_separated_capital_headers),
        cmocka_unit_test(header_synonyms_in_any_case_and_accents),
        cmocka_unit_test(columns_that_only_look_like_a_role),
        cmocka_unit_test(columns_option_maps_any_header),
        cmocka_unit_test(empty_lines_are_ignored),
        cmocka_unit_test(more_cells_than_header_warned),
        cmocka_unit_test(duplicate_columns_are_warning_records),
        cmocka_unit_test(unbalanced_quote_is_an_error_with_its_line),
        cmocka_unit_test(quotes_inside_unquoted_cells_are_kept),
        cmocka_unit_test(the_more_usual_header_wins_and_the_other_is_said),
        cmocka_unit_test(a_role_left_without_column_by_columns_is_said),
        cmocka_unit_test(title_rows_above_the_header),
        cmocka_unit_test(utf16_refused_with_a_clear_message),
        cmocka_unit_test(nul_byte_refused_with_its_line),
        cmocka_unit_test(empty_files_refused),
        cmocka_unit_test(header_only_gives_no_record),
        cmocka_unit_test(lone_cr_line_ends_count_lines),
        cmocka_unit_test(missing_file_and_folder),
        cmocka_unit_test(file_past_the_size_bound_is_refused),
        cmocka_unit_test(separator_ties_and_quoted_headers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
