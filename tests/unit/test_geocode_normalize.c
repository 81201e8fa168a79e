/*
 * The normalisations the geocoding cascade relies on: postal codes, INSEE codes,
 * départements, name variants, street addresses, foreign markers, and the fast fold that
 * must give exactly what text_fold() gives.
 */
#include "testutil.h"

#include <ctype.h>
#include <math.h>

#include <stdio.h>

#include "geocode/geocode.h"
#include "geocode/internal.h"
#include "refdata/refdata.h"
#include "text/fold.h"

static ptce_ctx *g_ctx;
static refdata g_rd;

static int setup(void **state)
{
    (void)state;
    g_ctx = test_ctx();
    assert_int_equal(refdata_load(g_ctx, &g_rd), PTCE_OK);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    refdata_free(&g_rd);
    ptce_ctx_free(g_ctx);
    return 0;
}

/* ---- postal codes ---------------------------------------------------------------------- */

static void check_postcode(const char *text, const char *expected, int zero, int cedex)
{
    char out[6];
    int z = -1, c = -1;
    int ok = geocode_clean_postcode(text, out, &z, &c);
    if (expected) {
        if (!ok)
            print_message("postal code « %s » refused\n", text);
        assert_true(ok);
        assert_string_equal(out, expected);
        assert_int_equal(z, zero);
    } else {
        if (ok)
            print_message("postal code « %s » read as %s\n", text, out);
        assert_false(ok);
    }
    assert_int_equal(c, cedex);
}

static void postcodes(void **state)
{
    (void)state;
    check_postcode("69002", "69002", 0, 0);
    check_postcode("1000", "01000", 1, 0);
    check_postcode(" 69 002 ", "69002", 0, 0);
    check_postcode("75008 CEDEX 08", "75008", 0, 1);
    check_postcode("31035 cedex", "31035", 0, 1);
    check_postcode("69002 Lyon", "69002", 0, 0);
    check_postcode("F-69002", "69002", 0, 0);
    check_postcode("CP 20000", "20000", 0, 0);
    check_postcode("97400", "97400", 0, 0);
    check_postcode("", NULL, 0, 0);
    check_postcode("   ", NULL, 0, 0);
    check_postcode("7500O", NULL, 0, 0);   /* a letter O for a zero */
    check_postcode("ABC12", NULL, 0, 0);
    check_postcode("123456", NULL, 0, 0);
    check_postcode("00000", NULL, 0, 0);
    check_postcode("99999", NULL, 0, 0);
    check_postcode("999", NULL, 0, 0);
    check_postcode("CH-1201", NULL, 0, 0); /* Swiss */
    check_postcode("B-1000", NULL, 0, 0);  /* Belgian */
    check_postcode("4000-322", NULL, 0, 0); /* Portuguese */
    check_postcode("NC", NULL, 0, 0);
    /* Exported as numbers by a spreadsheet. */
    check_postcode("69002.0", "69002", 0, 0);
    check_postcode("1000,00", "01000", 1, 0);
    check_postcode("1000.5", NULL, 0, 0);
    check_postcode("69002.01", NULL, 0, 0);
}

/* The geocoder's reading of "this postal code serves that département", which validate
 * asks instead of keeping its own copy: La Poste's communes first, the prefix otherwise. */
static void postcode_in_departement(void **state)
{
    (void)state;
    assert_true(geocode_postcode_in_departement(&g_rd, "69002", 0, "69"));
    assert_false(geocode_postcode_in_departement(&g_rd, "69002", 0, "01"));
    assert_true(geocode_postcode_in_departement(&g_rd, "01000", 0, "01"));
    /* Corsica: the communes decide between 2A and 2B, not the prefix "20". */
    assert_true(geocode_postcode_in_departement(&g_rd, "20000", 0, "2A"));
    assert_false(geocode_postcode_in_departement(&g_rd, "20000", 0, "2B"));
    /* A CEDEX code is not in La Poste's list of communes: its prefix speaks. */
    assert_true(geocode_postcode_in_departement(&g_rd, "75700", 1, "75"));
    assert_false(geocode_postcode_in_departement(&g_rd, "75700", 1, "92"));
    /* Nor is a code nobody uses. */
    assert_true(geocode_postcode_in_departement(&g_rd, "69999", 0, "69"));
    assert_false(geocode_postcode_in_departement(&g_rd, "69999", 0, "38"));
}

static void check_insee(const char *text, const char *expected, int zero)
{
    char out[6];
    int z = -1;
    int ok = refdata_clean_insee(text, out, &z);
    if (expected) {
        assert_true(ok);
        assert_string_equal(out, expected);
        assert_int_equal(z, zero);
    } else {
        assert_false(ok);
        assert_int_equal(z, 0);
    }
}

static void insee_codes(void **state)
{
    (void)state;
    check_insee("69123", "69123", 0);
    check_insee("1053", "01053", 1);
    check_insee(" 01053 ", "01053", 0);
    check_insee("2a004", "2A004", 0);
    check_insee("2B033", "2B033", 0);
    check_insee("97411", "97411", 0);
    check_insee("'01053", "01053", 0);
    check_insee("A004", NULL, 0);
    check_insee("123456", NULL, 0);
    check_insee("ZZZZZ", NULL, 0);
    check_insee("2C004", NULL, 0);
    check_insee("", NULL, 0);
    check_insee("12", NULL, 0);
    /* Exported as numbers by a spreadsheet: only decimals that are all zeros. */
    check_insee("56152.0", "56152", 0);
    check_insee("1053.0", "01053", 1);
    check_insee(" 1053,00 ", "01053", 1);
    check_insee("1053.5", NULL, 0);
    check_insee("56152.", NULL, 0);
    check_insee("56152.0.0", NULL, 0);
    char digits[6];
    assert_true(refdata_code_number("56152.0", digits));
    assert_string_equal(digits, "56152");
    assert_false(refdata_code_number("56152", digits));
    assert_false(refdata_code_number("2A004.0", digits));
}

/* ---- coordinate cells ------------------------------------------------------------------ */

static void check_coord(const char *text, int ok, double value, geocode_axis axis,
                        unsigned how)
{
    double v = -999;
    geocode_axis ax = GEOCODE_AXIS_NONE;
    unsigned h = 0;
    int got = geocode_read_coordinate(text, &v, &ax, &h);
    if (got != ok)
        print_message("« %s »: %s\n", text, got ? "read" : "refused");
    assert_int_equal(got, ok);
    if (!ok)
        return;
    if (fabs(v - value) > 1e-9 || ax != axis || h != how)
        print_message("« %s »: %.9f axis %d how %u\n", text, v, (int)ax, h);
    assert_true(fabs(v - value) < 1e-9);
    assert_int_equal(ax, axis);
    assert_int_equal(h, how);
}

static void coordinate_cells(void **state)
{
    (void)state;
    const geocode_axis NO = GEOCODE_AXIS_NONE, LAT = GEOCODE_AXIS_LATITUDE,
                       LON = GEOCODE_AXIS_LONGITUDE;
    const unsigned C = GEOCODE_READ_COMMA, S = GEOCODE_READ_SPACES,
                   H = GEOCODE_READ_HEMISPHERE, D = GEOCODE_READ_DMS;
    check_coord("48.8566", 1, 48.8566, NO, 0);
    check_coord("-1.5", 1, -1.5, NO, 0);
    check_coord(" 48,8566 ", 1, 48.8566, NO, C);
    check_coord("4.88566E+01", 1, 48.8566, NO, 0);
    /* No-break, narrow no-break and thin spaces, around or between digit groups. */
    check_coord("\xC2\xA0" "48,85\xC2\xA0", 1, 48.85, NO, C | S);
    check_coord("652\xE2\x80\xAF" "345,5", 1, 652345.5, NO, C | S);
    check_coord("6\xE2\x80\x89" "862\xE2\x80\x89" "000", 1, 6862000, NO, S);
    check_coord("652 345", 1, 652345, NO, S);
    /* Hemisphere letters: S, O and W are negative. */
    check_coord("48.85 N", 1, 48.85, LAT, H);
    check_coord("48.85N", 1, 48.85, LAT, H);
    check_coord("2,35 E", 1, 2.35, LON, C | H);
    check_coord("2,35 O", 1, -2.35, LON, C | H);
    check_coord("W 1.5", 1, -1.5, LON, H);
    check_coord("21.1 s", 1, -21.1, LAT, H);
    /* Degrees, minutes, seconds. */
    check_coord("48°51'24\"N", 1, 48 + 51 / 60.0 + 24 / 3600.0, LAT, D | H);
    check_coord("48° 51′ 24″ N", 1, 48 + 51 / 60.0 + 24 / 3600.0, LAT, D | H);
    check_coord("2°21'E", 1, 2.35, LON, D | H);
    check_coord("1°30'O", 1, -1.5, LON, D | H);
    check_coord("48°51,5'", 1, 48 + 51.5 / 60.0, NO, D | C);
    check_coord("-1°30'", 1, -1.5, NO, D);
    check_coord("48°", 1, 48, NO, D);
    check_coord("48''51", 0, 0, NO, 0);
    /* Refused: not one unambiguous number. */
    check_coord("", 0, 0, NO, 0);
    check_coord("abc", 0, 0, NO, 0);
    check_coord("1.234,5", 0, 0, NO, 0);
    check_coord("48,85,2", 0, 0, NO, 0);
    check_coord("48 85", 0, 0, NO, 0);      /* a space is no decimal separator */
    check_coord("48.8566 2.3522", 0, 0, NO, 0);
    check_coord("-2.35 E", 0, 0, NO, 0);    /* a sign and a letter */
    check_coord("48°61'N", 0, 0, NO, 0);    /* 61 minutes */
    check_coord("48°51'60\"N", 0, 0, NO, 0);
    check_coord("48.5°30'", 0, 0, NO, 0);   /* decimals before minutes */
    check_coord("N", 0, 0, NO, 0);
    check_coord("48.85 X", 0, 0, NO, 0);
    check_coord("nan", 0, 0, NO, 0);
    check_coord("1e999", 0, 0, NO, 0);
    check_coord("12 34 56", 0, 0, NO, 0);
}

static void check_dep(const char *text, const char *code)
{
    const departement *d = geocode_parse_departement(&g_rd, text);
    if (code) {
        if (!d)
            print_message("département « %s » not read\n", text);
        assert_non_null(d);
        assert_string_equal(d->code, code);
    } else {
        if (d)
            print_message("« %s » read as département %s\n", text, d->code);
        assert_null(d);
    }
}

static void departements(void **state)
{
    (void)state;
    check_dep("01", "01");
    check_dep("1", "01");
    check_dep("2a", "2A");
    check_dep("2B", "2B");
    check_dep("971", "971");
    check_dep("974 - La Réunion", "974");
    check_dep("La Réunion", "974");
    check_dep("Ain", "01");
    check_dep("AIN", "01");
    check_dep("13 - Bouches-du-Rhône", "13");
    check_dep("Bouches du Rhone", "13");
    check_dep("Corse-du-Sud", "2A");
    check_dep("HAUTE-CORSE", "2B");
    check_dep("Seine-Saint-Denis", "93");
    check_dep("Côtes-d’Armor", "22");
    check_dep("99", NULL);
    check_dep("20", NULL);
    check_dep("", NULL);
    check_dep("Bavière", NULL);
    check_dep("975", NULL); /* Saint-Pierre-et-Miquelon: outside the 18 regions */
    check_dep("Seine-St-Denis", "93");
    check_dep("Réunion (La)", "974");
    check_dep("Côtes d'Armor", "22");
    check_dep("Côtes-du-Nord", "22");
    check_dep("Bouches du Rhône", "13");
    check_dep("Ain (01)", "01");
    check_dep("Gard - 30", "30");
    check_dep("Gard (31)", NULL); /* a name and another département's code */
    check_dep("Territoire de Belfort", "90");
    check_dep("13.0", "13");   /* exported as numbers */
    check_dep("1,00", "01");
}

/* Every département's name written the ways censuses write it: capitals, no accents,
 * spaces for hyphens, St/Ste, the article after the name or left out, the code after. */
static void replace_word(char *s, size_t size, const char *from, const char *to)
{
    char out[256];
    size_t len = 0, fl = strlen(from);
    for (const char *p = s; *p && len + 1 < sizeof out;) {
        if (strncmp(p, from, fl) == 0) {
            len += (size_t)snprintf(out + len, sizeof out - len, "%s", to);
            p += fl;
        } else {
            out[len++] = *p++;
        }
    }
    out[len < sizeof out ? len : sizeof out - 1] = '\0';
    size_t n = strlen(out) < size ? strlen(out) : size - 1;
    memcpy(s, out, n);
    s[n] = '\0';
}

static void every_departement_name_variant(void **state)
{
    (void)state;
    size_t tried = 0;
    for (size_t i = 0; i < g_rd.ndeps; i++) {
        const departement *d = &g_rd.deps[i];
        char v[12][200];
        int n = 0;
        snprintf(v[n++], 200, "%s", d->nom);
        snprintf(v[n++], 200, "%s", d->key);            /* lower case, no accents, spaces */
        snprintf(v[n], 200, "%s", d->key);
        for (char *p = v[n]; *p; p++)
            *p = (char)toupper((unsigned char)*p);
        n++;
        snprintf(v[n], 200, "%s", d->nom);
        replace_word(v[n++], 200, "-", " ");
        snprintf(v[n], 200, "%s", d->nom);
        replace_word(v[n], 200, "Saint-", "St-");
        replace_word(v[n++], 200, "Sainte-", "Ste-");
        snprintf(v[n], 200, "%s", d->nom);
        replace_word(v[n], 200, "Saint", "St.");
        replace_word(v[n++], 200, "-", " ");
        snprintf(v[n++], 200, "%s (%s)", d->nom, d->code);
        snprintf(v[n++], 200, "%s - %s", d->code, d->nom);
        /* The article after the name, or left out. */
        static const char *const articles[] = {"La ", "Le ", "Les ", "L'"};
        for (size_t a = 0; a < 4; a++) {
            size_t al = strlen(articles[a]);
            if (strncmp(d->nom, articles[a], al) == 0) {
                char art[8];
                snprintf(art, sizeof art, "%.*s", (int)(al - (articles[a][al - 1] == ' ')),
                         articles[a]);
                snprintf(v[n++], 200, "%s (%s)", d->nom + al, art);
                snprintf(v[n++], 200, "%s", d->nom + al);
            }
        }
        for (int k = 0; k < n; k++) {
            check_dep(v[k], d->code);
            tried++;
        }
    }
    print_message("%zu département names\n", tried);
    assert_true(tried > 808);
}

/* ---- name variants --------------------------------------------------------------------- */

static int has_variant(const char *name, const char *key)
{
    char keys[8][128];
    int n = geocode_name_variants(name, keys, 8);
    for (int i = 0; i < n; i++)
        if (strcmp(keys[i], key) == 0)
            return 1;
    print_message("« %s »: no variant « %s » among %d:", name, key, n);
    for (int i = 0; i < n; i++)
        print_message(" [%s]", keys[i]);
    print_message("\n");
    return 0;
}

static void first_variant(const char *name, const char *key)
{
    char keys[8][128];
    int n = geocode_name_variants(name, keys, 8);
    assert_true(n >= 1);
    assert_string_equal(keys[0], key);
}

static void name_variants(void **state)
{
    (void)state;
    first_variant("Saint-Étienne", "saint etienne");
    first_variant("SAINT ETIENNE", "saint etienne");
    first_variant("saint\xe2\x80\x99\xc3\xa9tienne", "saint etienne");
    first_variant("Sainte-Foy-le\xcc\x80s-Lyon", "sainte foy les lyon"); /* NFD accent */
    assert_true(has_variant("St-Jean-de-Luz", "saint jean de luz"));
    assert_true(has_variant("Ste Foy les Lyon", "sainte foy les lyon"));
    assert_true(has_variant("Mt-de-Marsan", "mont de marsan"));
    assert_true(has_variant("Villeneuve s/ Lot", "villeneuve sur lot"));
    assert_true(has_variant("Villeneuve-S/Lot", "villeneuve sur lot"));
    assert_true(has_variant("Chalon-s-Saône", "chalon sur saone"));
    /* "s/s" is "sous", "s/" before a word starting with s is still "sur". */
    assert_true(has_variant("Fontenay-s/s-Bois", "fontenay sous bois"));
    assert_true(has_variant("FONTENAY S/S BOIS", "fontenay sous bois"));
    assert_true(has_variant("Fontenay s/s/ Bois", "fontenay sous bois"));
    assert_true(has_variant("Neuilly s/Seine", "neuilly sur seine"));
    assert_true(has_variant("Bar s/ Aube", "bar sur aube"));
    assert_true(has_variant("Villeneuve-lez-Avignon", "villeneuve les avignon"));
    assert_true(has_variant("Grosbois-lès-Tichey", "grosbois lez tichey"));
    assert_false(has_variant("Les Andelys", "lez andelys")); /* the article stays */
    assert_true(has_variant("N.-D.-de-Monts", "notre dame de monts"));
    assert_true(has_variant("Mans (Le)", "le mans"));
    assert_true(has_variant("Mans, Le", "le mans"));
    assert_true(has_variant("MANS LE", "le mans"));
    assert_true(has_variant("Abergement-Clémenciat (L')", "l abergement clemenciat"));
    assert_true(has_variant("Sables-d'Olonne (Les)", "les sables d olonne"));
    first_variant("PARIS 16EME", "paris 16e arrondissement");
    first_variant("Paris 1er", "paris 1er arrondissement");
    first_variant("Lyon 3ème", "lyon 3e arrondissement");
    first_variant("Marseille VIIIe arrondissement", "marseille 8e arrondissement");
    first_variant("Paris XXe arr.", "paris 20e arrondissement");
    first_variant("Lyon Cedex 03", "lyon");
    first_variant("69002 Lyon", "lyon");
    first_variant("Lyon 69002", "lyon");
    /* Not arrondissements: out of range, or another city. */
    assert_false(has_variant("Lyon 12e", "lyon 12e arrondissement"));
    first_variant("Paris 75", "paris 75");
    char keys[2][128];
    assert_int_equal(geocode_name_variants("", keys, 2), 0);
    assert_int_equal(geocode_name_variants(" - ", keys, 2), 0);
    assert_int_equal(geocode_name_variants("St Jean (Le)", keys, 1), 1);
    assert_int_equal(geocode_name_variants("St Jean (Le)", keys, 0), 0);
    /* Very long input: keys stay within their 128 bytes. */
    char longname[600];
    memset(longname, 'a', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    char k8[8][128];
    int n = geocode_name_variants(longname, k8, 8);
    for (int i = 0; i < n; i++)
        assert_true(strlen(k8[i]) < 128);
}

/* ---- the fast fold --------------------------------------------------------------------- */

static void same_fold(const char *s, size_t size)
{
    char a[256], b[256];
    assert_true(size <= sizeof a);
    size_t na = text_fold_into(s, a, size);
    size_t nb = text_fold_unicode_into(s, b, size);
    if (na != nb || strcmp(a, b) != 0)
        print_message("fold of « %s » (size %zu): text_fold_into « %s », text_fold_unicode_into « %s »\n", s, size, a,
                      b);
    assert_int_equal(na, nb);
    assert_string_equal(a, b);
}

static void fast_fold_agrees(void **state)
{
    (void)state;
    /* Every commune and former commune name of the reference data. */
    for (size_t i = 0; i < g_rd.ncommunes; i++)
        same_fold(g_rd.communes[i].nom, 128);
    for (size_t i = 0; i < g_rd.nformer; i++)
        same_fold(g_rd.former[i].nom, 128);
    /* Every Latin-1 letter and sign, alone and between letters. */
    for (unsigned c = 0xA0; c <= 0xFF; c++) {
        char s[16];
        snprintf(s, sizeof s, "a%c%cb", (char)(0xC0 | (c >> 6)), (char)(0x80 | (c & 0x3F)));
        same_fold(s, 64);
        snprintf(s, sizeof s, "%c%c", (char)(0xC0 | (c >> 6)), (char)(0x80 | (c & 0x3F)));
        same_fold(s, 64);
    }
    static const char *const tricky[] = {
        "", " ", "  a  ", "C\xc5\x93ur-\xc5\x92uvre", "Stra\xc3\x9f" "e", "L\xe2\x80\x99Isle",
        "\xc2\xab Lyon \xc2\xbb", "caf\xc3\xa9\xe2\x80\x94" "bar", "\xe2\x82\xac 12", "12\xc2\xa0" "rue",
        "\xf0\x9f\x98\x80 smile", "Montr\xe9" "al", /* Windows-1252 byte */
        "\xc3", "ab\xc3", "Z\xc3\xbc" "rich", "\xc3\x98" "rsted", "D\xc3\xa9" "partement",
        "l'\xc3\x8ele-d'Yeu", "A\xcc\x81" "b", "\xc2\xb2\xc2\xb3", "x\xc3\x97y", "MA\xc3\x8f" "S"};
    for (size_t i = 0; i < sizeof tricky / sizeof *tricky; i++)
        for (size_t size = 1; size <= 40; size += 3)
            same_fold(tricky[i], size);
}

/* ---- streets and foreign markers ------------------------------------------------------- */

static void check_street(const char *address, int number, const char *rep, const char *key)
{
    geocode_street s;
    int ok = geocode_parse_street(address, &s);
    if (!key) {
        if (ok)
            print_message("« %s » read as street « %s »\n", address, s.key);
        assert_false(ok);
        assert_string_equal(s.key, "");
        return;
    }
    if (!ok || strcmp(s.key, key) != 0 || s.number != number || strcmp(s.rep, rep) != 0)
        print_message("« %s »: got %d « %s » « %s »\n", address, s.number, s.rep, s.key);
    assert_true(ok);
    assert_int_equal(s.number, number);
    assert_string_equal(s.rep, rep);
    assert_string_equal(s.key, key);
}

static void streets(void **state)
{
    (void)state;
    check_street("12 rue de la République 69002 Lyon", 12, "", "rue republique");
    check_street("12 bis r. de la Republique, 69002 LYON", 12, "bis", "rue republique");
    check_street("12b, rue de la République", 12, "bis", "rue republique");
    check_street("3 av. du Gal de Gaulle", 3, "", "avenue general gaulle");
    check_street("Bd Victor Hugo", 0, "", "boulevard victor hugo");
    check_street("chem. des Vignes", 0, "", "chemin vignes");
    check_street("Maison des associations, 4 pl de la Mairie, 01000 Bourg", 4, "",
                 "place mairie");
    check_street("BP 38", 0, "", NULL);
    check_street("BP 123 31035 Toulouse Cedex", 0, "", NULL);
    check_street("N° 7 imp. des Artisans", 7, "", "impasse artisans");
    check_street("12-14 rue du Lot", 12, "", "rue lot");
    check_street("5 St Jean", 5, "", "saint jean");
    check_street("Le Bourg", 0, "", NULL);
    check_street("", 0, "", NULL);
    check_street("rue", 0, "", "rue");
    assert_int_equal(geocode_street_key("Rue de la République", (char[128]){0}, 128), 14);
    char k[128];
    geocode_street_key("RUE DU DOCTEUR DOLARD", k, sizeof k);
    assert_string_equal(k, "rue docteur dolard");
    geocode_street_key("R DU DR DOLARD", k, sizeof k);
    assert_string_equal(k, "rue docteur dolard");
}

/* ---- qualifiers ------------------------------------------------------------------------ */

static void check_qualifier(const char *text, int short_codes, geocode_qualifier_kind kind,
                            const char *first_dep, int ndeps)
{
    geocode_qualifier q;
    geocode_qualifier_kind k = geocode_read_qualifier(&g_rd, text, short_codes, &q);
    if (k != kind)
        print_message("« %s »: kind %d, expected %d\n", text, (int)k, (int)kind);
    assert_int_equal(k, kind);
    assert_int_equal(q.kind, kind);
    if (kind == GEOCODE_QUAL_AREA) {
        assert_int_equal(q.ndeps, ndeps);
        assert_string_equal(q.deps[0]->code, first_dep);
        assert_true(ndeps == 1 ? q.dep == q.deps[0] : q.dep == NULL);
    }
    if (kind == GEOCODE_QUAL_POSTCODE)
        assert_string_equal(q.postcode, first_dep);
}

static void qualifiers(void **state)
{
    (void)state;
    check_qualifier("France", 0, GEOCODE_QUAL_FRANCE, NULL, 0);
    check_qualifier(" FRANCE ", 0, GEOCODE_QUAL_FRANCE, NULL, 0);
    check_qualifier("République Française", 0, GEOCODE_QUAL_FRANCE, NULL, 0);
    check_qualifier("fr", 0, GEOCODE_QUAL_FRANCE, NULL, 0);
    check_qualifier("Suisse", 0, GEOCODE_QUAL_FOREIGN, NULL, 0);
    check_qualifier("Genève Suisse", 0, GEOCODE_QUAL_NONE, NULL, 0); /* a place, not a country */
    check_qualifier("Guadeloupe", 0, GEOCODE_QUAL_AREA, "971", 1);
    check_qualifier("la Martinique", 0, GEOCODE_QUAL_AREA, "972", 1);
    check_qualifier("Réunion", 0, GEOCODE_QUAL_AREA, "974", 1);
    check_qualifier("Île de la Réunion", 0, GEOCODE_QUAL_AREA, "974", 1);
    check_qualifier("Guyane française", 0, GEOCODE_QUAL_AREA, "973", 1);
    check_qualifier("976", 0, GEOCODE_QUAL_AREA, "976", 1);
    check_qualifier("DOM", 0, GEOCODE_QUAL_AREA, "971", 5);
    check_qualifier("DOM-TOM", 0, GEOCODE_QUAL_AREA, "971", 5);
    check_qualifier("Antilles", 0, GEOCODE_QUAL_AREA, "971", 2);
    check_qualifier("Océan Indien", 0, GEOCODE_QUAL_AREA, "974", 2);
    check_qualifier("Haute-Loire", 0, GEOCODE_QUAL_AREA, "43", 1);
    check_qualifier("dépt 43", 0, GEOCODE_QUAL_AREA, "43", 1);
    check_qualifier("Département de la Haute-Loire", 0, GEOCODE_QUAL_AREA, "43", 1);
    check_qualifier("Bretagne", 0, GEOCODE_QUAL_AREA, "22", 4);
    check_qualifier("Région Bretagne", 0, GEOCODE_QUAL_AREA, "22", 4);
    check_qualifier("Corse", 0, GEOCODE_QUAL_AREA, "2A", 2);
    check_qualifier("20", 1, GEOCODE_QUAL_AREA, "2A", 2);
    check_qualifier("PACA", 0, GEOCODE_QUAL_AREA, "04", 6);
    check_qualifier("1", 1, GEOCODE_QUAL_AREA, "01", 1);
    check_qualifier("1", 0, GEOCODE_QUAL_NONE, NULL, 0);     /* one digit as a trailing word */
    check_qualifier("43 rue Pasteur", 1, GEOCODE_QUAL_NONE, NULL, 0);
    check_qualifier("43100", 0, GEOCODE_QUAL_POSTCODE, "43100", 0);
    check_qualifier("1000", 0, GEOCODE_QUAL_POSTCODE, "01000", 0);
    check_qualifier("31035 Cedex 2", 0, GEOCODE_QUAL_POSTCODE, "31035", 0);
    check_qualifier("00000", 0, GEOCODE_QUAL_NONE, NULL, 0);
    check_qualifier("123456", 0, GEOCODE_QUAL_NONE, NULL, 0);
    check_qualifier("Le", 0, GEOCODE_QUAL_NONE, NULL, 0);    /* "Mans (Le)" */
    check_qualifier("Ville", 0, GEOCODE_QUAL_NONE, NULL, 0); /* "Château-Chinon (Ville)" */
    check_qualifier("", 0, GEOCODE_QUAL_NONE, NULL, 0);
    check_qualifier("Bavière", 0, GEOCODE_QUAL_NONE, NULL, 0);
}

static void foreign_markers(void **state)
{
    (void)state;
    assert_string_equal(geocode_foreign_country("geneve suisse"), "Suisse");
    assert_string_equal(geocode_foreign_country("belgique"), "Belgique");
    assert_string_equal(geocode_foreign_country("londres royaume uni"), "Royaume-Uni");
    assert_null(geocode_foreign_country("allemagne en provence"));
    assert_null(geocode_foreign_country("lyon"));
    assert_null(geocode_foreign_country("suissesse"));
    assert_string_equal(geocode_foreign_postcode("CH-1201 Genève"), "Suisse");
    assert_string_equal(geocode_foreign_postcode("rue X, B-1000 Bruxelles"), "Belgique");
    assert_string_equal(geocode_foreign_postcode("AD500"), "Andorre");
    assert_null(geocode_foreign_postcode("F-69002"));
    assert_null(geocode_foreign_postcode("Bâtiment A-12"));
    assert_null(geocode_foreign_postcode("69002"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(postcodes), cmocka_unit_test(postcode_in_departement),        cmocka_unit_test(insee_codes),
        cmocka_unit_test(departements),     cmocka_unit_test(name_variants),
        cmocka_unit_test(every_departement_name_variant), cmocka_unit_test(coordinate_cells),
        cmocka_unit_test(fast_fold_agrees), cmocka_unit_test(streets),
        cmocka_unit_test(foreign_markers), cmocka_unit_test(qualifiers)};
    return cmocka_run_group_tests(tests, setup, teardown);
}
