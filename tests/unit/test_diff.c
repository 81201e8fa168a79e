/*
 * diff: the matching rules on hand-made rows, then two census years written for the test
 * (tests/data/census/annee-2025.csv, UTF-8 with BOM; annee-2026.csv, Windows-1252) with
 * every kind of change, compared with the exact expected evolutions.csv.
 */
#include "testutil.h"

#include <stdint.h>
#include <stdio.h>

#include "core/util.h"
#include "diff/diff.h"
#include "app/run.h"

/* ---- hand-made runs: only what the matching reads ------------------------------------- */

typedef struct fake_row {
    const char *id;        /* NULL: derived */
    const char *nom;
    const char *dep;       /* NULL: not placed */
    const char *insee;     /* NULL: placed on the département only */
} fake_row;

typedef struct fake_run {
    ptce_run run;
    census_record recs[16];
    departement deps[16];
    commune communes[16];
    refdata rd;            /* empty: the fake placements point into the arrays above */
} fake_run;

static void fake_make(fake_run *f, const fake_row *rows, size_t n)
{
    memset(f, 0, sizeof *f);
    assert_true(n <= 16);
    for (int r = 0; r < CENSUS_ROLE_COUNT; r++)
        f->run.census.role_col[r] = -1;
    f->run.rd = &f->rd;
    f->run.rows = calloc(n + 1, sizeof *f->run.rows);
    assert_non_null(f->run.rows);
    f->run.nrows = n;
    for (size_t i = 0; i < n; i++) {
        ptce_row *row = &f->run.rows[i];
        f->recs[i].line = i + 2;
        row->rec = &f->recs[i];
        row->nom = rows[i].nom;
        char buf[64];
        if (rows[i].id) {
            row->id = util_strdup(rows[i].id);
        } else {
            snprintf(buf, sizeof buf, "auto-%zu", i);
            row->id = util_strdup(buf);
            row->id_derived = 1;
        }
        row->cls.primary = -1;
        row->geo.status = rows[i].dep ? GEO_MATCH : GEO_REJECT;
        if (rows[i].dep) {
            f->deps[i].code = rows[i].dep;
            f->deps[i].nom = rows[i].dep;
            row->geo.dep = &f->deps[i];
        }
        if (rows[i].insee) {
            f->communes[i].insee = rows[i].insee;
            f->communes[i].nom = rows[i].insee;
            f->communes[i].parent = "";
            f->communes[i].dep = rows[i].dep;
            row->geo.commune = &f->communes[i];
        }
    }
}

static void fake_free(fake_run *f)
{
    for (size_t i = 0; i < f->run.nrows; i++)
        free(f->run.rows[i].id);
    free(f->run.rows);
}

/* The new row matched with old row `o`, DIFF_NO_ROW if none. */
static size_t partner(const diff_result *d, size_t o)
{
    for (size_t k = 0; k < d->npairs; k++)
        if (d->pairs[k].old_row == o)
            return d->pairs[k].new_row;
    return DIFF_NO_ROW;
}

static void diff_fakes(const fake_row *a, size_t na, const fake_row *b, size_t nb,
                       diff_result *d, fake_run *fa, fake_run *fb)
{
    ptce_ctx *ctx = test_ctx();
    fake_make(fa, a, na);
    fake_make(fb, b, nb);
    assert_int_equal(diff_runs(ctx, &fa->run, &fb->run, d), PTCE_OK);
    ptce_ctx_free(ctx);
}

static void ids_first_then_names(void **state)
{
    (void)state;
    static const fake_row a[] = {
        {"P1", "Ressourcerie du Val", "25", "25056"},
        {"P2", "Légumerie", "84", "84046"},
        {NULL, "Atelier Textile des Monts", "69", "69238"},
        {"P9", "Recyclerie des Deux Rives", "67", "67482"},
    };
    static const fake_row b[] = {
        {NULL, "ATELIER TEXTILE DES MONTS DU LYONNAIS", "69", "69238"},
        {"P2", "Tout autre nom", "84", "84046"}, /* same id: matched whatever the name */
        {"P1", "Ressourcerie du Val", "25", "25056"},
        {"X4", "Recyclerie des deux rives", "67", "67482"}, /* id changed */
    };
    diff_result d;
    fake_run fa, fb;
    diff_fakes(a, 4, b, 4, &d, &fa, &fb);
    assert_int_equal(d.npairs, 4);
    assert_int_equal(partner(&d, 0), 2);
    assert_int_equal(partner(&d, 1), 1);
    assert_int_equal(partner(&d, 2), 0);
    assert_int_equal(partner(&d, 3), 3);
    assert_int_equal(d.by_how[DIFF_BY_ID], 2);
    assert_int_equal(d.by_how[DIFF_BY_NAME], 1);
    assert_int_equal(d.by_how[DIFF_BY_SIMILAR], 1);
    /* Pairs come by new row. */
    for (size_t k = 1; k < d.npairs; k++)
        assert_true(d.pairs[k - 1].new_row < d.pairs[k].new_row);
    assert_int_equal(d.count[DIFF_NOUVEAU], 0);
    assert_int_equal(d.count[DIFF_DISPARU], 0);
    assert_int_equal(d.count[DIFF_RENOMME], 2);
    diff_result_free(&d);
    fake_free(&fa);
    fake_free(&fb);
}

static void generic_words_do_not_make_a_match(void **state)
{
    (void)state;
    static const fake_row a[] = {
        {NULL, "Pôle territorial de coopération économique Sud Aveyron", "12", "12145"},
        {NULL, "PTCE du Pays Nord", "59", "59350"},
        {NULL, "Ressourcerie", "31", "31555"},
    };
    static const fake_row b[] = {
        {NULL, "Pôle territorial de coopération économique Nord Aveyron", "12", "12096"},
        {NULL, "PTCE du Pays Sud", "59", "59350"},
        {NULL, "Ressourcerie Créative", "31", "31555"},
    };
    diff_result d;
    fake_run fa, fb;
    diff_fakes(a, 3, b, 3, &d, &fa, &fb);
    assert_int_equal(d.npairs, 0);
    assert_int_equal(d.count[DIFF_NOUVEAU], 3);
    assert_int_equal(d.count[DIFF_DISPARU], 3);
    diff_result_free(&d);
    fake_free(&fa);
    fake_free(&fb);
}

static void typos_and_short_names(void **state)
{
    (void)state;
    static const fake_row a[] = {
        {NULL, "Resourcerie Créative", "31", "31555"},
        {NULL, "Fab Lab", "35", "35288"},
        {NULL, "Agora", "44", "44109"},
    };
    static const fake_row b[] = {
        {NULL, "Ressourcerie créative", "31", "31555"},
        {NULL, "Fablab", "35", "35288"},
        {NULL, "Aurora", "44", "44109"}, /* two letters out of six: another PTCE */
    };
    diff_result d;
    fake_run fa, fb;
    diff_fakes(a, 3, b, 3, &d, &fa, &fb);
    assert_int_equal(partner(&d, 0), 0);
    assert_int_equal(partner(&d, 1), 1);
    assert_int_equal(partner(&d, 2), DIFF_NO_ROW);
    assert_int_equal(d.by_how[DIFF_BY_SIMILAR], 2);
    diff_result_free(&d);
    fake_free(&fa);
    fake_free(&fb);
}

/* The word rule's boundary, where names are too long for the joined-words edit distance:
 * from 5 letters a word one typo away is the same word, below 5 it is another word. */
static void five_letter_words_take_one_typo(void **state)
{
    (void)state;
    static const fake_row a[] = {
        {NULL, "Atelier Velos Solidaires Quimper", "29", "29232"},
        {NULL, "Atelier Cafe Solidaire Brest", "29", "29019"},
    };
    static const fake_row b[] = {
        {NULL, "Atelier Velas Solidaires Quimper", "29", "29232"},
        {NULL, "Atelier Cafa Solidaire Brest", "29", "29019"},
    };
    diff_result d;
    fake_run fa, fb;
    diff_fakes(a, 2, b, 2, &d, &fa, &fb);
    assert_int_equal(d.npairs, 2);
    assert_int_equal(d.by_how[DIFF_BY_SIMILAR], 2);
    for (size_t k = 0; k < d.npairs; k++) {
        assert_int_equal(d.pairs[k].old_row, d.pairs[k].new_row);
        /* velos ~ velas: 4 words of 4 shared; cafe, cafa: 3 of 5. */
        double want = d.pairs[k].old_row == 0 ? 1.0 : 0.6;
        assert_true(d.pairs[k].similarity > want - 1e-9 && d.pairs[k].similarity < want + 1e-9);
    }
    diff_result_free(&d);
    fake_free(&fa);
    fake_free(&fb);
}

static void place_decides_between_homonyms(void **state)
{
    (void)state;
    /* Two "Recyclerie Solidaire" both years, in different départements, listed in opposite
     * orders: each pairs with the one of its own département. */
    static const fake_row a[] = {
        {NULL, "Recyclerie Solidaire", "29", "29019"},
        {NULL, "Recyclerie Solidaire", "13", "13055"},
        {NULL, "Atelier Vélo Solidaire", "33", "33063"},
    };
    static const fake_row b[] = {
        {NULL, "Recyclerie Solidaire", "13", "13055"},
        {NULL, "Recyclerie Solidaire", "29", "29232"}, /* moved within its département */
        {NULL, "Atelier Vélo Solidaire", "69", "69123"}, /* a homonym far away */
        {NULL, "Atelier du Vélo Solidaire", "33", "33063"},
    };
    diff_result d;
    fake_run fa, fb;
    diff_fakes(a, 3, b, 4, &d, &fa, &fb);
    assert_int_equal(partner(&d, 0), 1);
    assert_int_equal(partner(&d, 1), 0);
    /* The same place, slightly renamed, is preferred to the same name elsewhere. */
    assert_int_equal(partner(&d, 2), 3);
    assert_int_equal(d.count[DIFF_DEPLACE], 1);
    assert_int_equal(d.count[DIFF_NOUVEAU], 1);
    diff_result_free(&d);
    fake_free(&fa);
    fake_free(&fb);
}

static void across_departements_needs_a_closer_name(void **state)
{
    (void)state;
    static const fake_row a[] = {
        {NULL, "Atelier Vélo Solidaire Réparation", "33", "33063"},
        {NULL, "Maison de l'Économie Solidaire du Pays Basque", "64", "64102"},
    };
    static const fake_row b[] = {
        /* 3 words of 4 shared (0.75): not enough across départements */
        {NULL, "Atelier Vélo Solidaire", "69", "69123"},
        /* moved to the next département, name unchanged but for an article */
        {NULL, "Maison Économie Solidaire Pays Basque", "40", "40088"},
    };
    diff_result d;
    fake_run fa, fb;
    diff_fakes(a, 2, b, 2, &d, &fa, &fb);
    assert_int_equal(partner(&d, 0), DIFF_NO_ROW);
    assert_int_equal(partner(&d, 1), 1);
    assert_int_equal(d.count[DIFF_DEPLACE], 1);
    assert_int_equal(d.count[DIFF_RENOMME], 1);
    diff_result_free(&d);
    fake_free(&fa);
    fake_free(&fb);
}

static void duplicate_ids_pair_in_file_order(void **state)
{
    (void)state;
    static const fake_row a[] = {
        {"D1", "Premier", "58", "58194"},
        {"D1", "Second", "58", "58194"},
        {"D2", "Troisième", "58", "58194"},
    };
    static const fake_row b[] = {
        {"D1", "Second", "58", "58194"},
        {"D2", "Troisième", "58", "58194"},
    };
    diff_result d;
    fake_run fa, fb;
    diff_fakes(a, 3, b, 2, &d, &fa, &fb);
    /* Each row matched at most once: the first D1 takes the only new D1. */
    assert_int_equal(partner(&d, 0), 0);
    assert_int_equal(partner(&d, 1), DIFF_NO_ROW);
    assert_int_equal(partner(&d, 2), 1);
    assert_int_equal(d.count[DIFF_DISPARU], 1);
    assert_int_equal(d.count[DIFF_RENOMME], 1);
    diff_result_free(&d);
    fake_free(&fa);
    fake_free(&fb);
}

static void unplaced_rows_match_by_name_without_moving(void **state)
{
    (void)state;
    static const fake_row a[] = {{NULL, "Pôle des Possibles", NULL, NULL},
                                 {"U2", "Pôle Départemental", "58", NULL}};
    static const fake_row b[] = {{NULL, "Pôle des Possibles !", "21", "21231"},
                                 {"U2", "Pôle Départemental", "58", "58194"}};
    diff_result d;
    fake_run fa, fb;
    diff_fakes(a, 2, b, 2, &d, &fa, &fb);
    assert_int_equal(partner(&d, 0), 0);
    assert_int_equal(d.by_how[DIFF_BY_NAME], 1); /* punctuation folds away */
    /* Not placed last year: no move. Placed on the département, then in one of its
     * communes: not a move either. */
    assert_int_equal(d.count[DIFF_DEPLACE], 0);
    assert_int_equal(d.nchanges, 0);
    diff_result_free(&d);
    fake_free(&fa);
    fake_free(&fb);
}

/* A merged commune is read from the placement's former-commune field, whatever its
 * remarks say: the wording of the notes plays no part. */
static void merged_commune_from_the_placement_field(void **state)
{
    (void)state;
    static const fake_row a[] = {{"M1", "Pôle des Deux Vallées", "49", "49023"},
                                 {"M2", "Pôle du Bocage", "49", "49023"}};
    static const fake_row b[] = {{"M1", "Pôle des Deux Vallées", "49", "49023"},
                                 {"M2", "Pôle du Bocage", "49", "49023"}};
    diff_result d;
    fake_run fa, fb;
    ptce_ctx *ctx = test_ctx();
    fake_make(&fa, a, 2);
    fake_make(&fb, b, 2);
    /* M1 is written with a former commune in the new year (by its name), M2 with a code
     * listed without a name; neither row has a remark. */
    refdata_former_commune andreze = {.code = "49006", .nom = "Andrezé", .key = "andreze",
                              .current = fb.run.rows[0].geo.commune};
    refdata_former_commune unnamed = {.code = "49018", .nom = "", .key = "",
                              .current = fb.run.rows[1].geo.commune};
    fb.run.rows[0].geo.former = &andreze;
    fb.run.rows[1].geo.former = &unnamed;
    assert_int_equal(fb.run.rows[0].geo.nremarks, 0);
    assert_int_equal(diff_runs(ctx, &fa.run, &fb.run, &d), PTCE_OK);
    assert_int_equal(d.count[DIFF_COMMUNE_FUSIONNEE], 2);
    assert_int_equal(d.nchanges, 2);
    assert_int_equal(d.changes[0].kind, DIFF_COMMUNE_FUSIONNEE);
    assert_string_equal(d.changes[0].id, "M1");
    assert_string_equal(d.changes[0].avant, "Andrezé (49006)");
    assert_int_equal(d.changes[0].in_old, 0);
    assert_string_equal(d.changes[1].id, "M2");
    assert_string_equal(d.changes[1].avant, "ancienne commune (49018)");
    diff_result_free(&d);
    /* Without the field, nothing is merged. */
    fb.run.rows[0].geo.former = NULL;
    fb.run.rows[1].geo.former = NULL;
    assert_int_equal(diff_runs(ctx, &fa.run, &fb.run, &d), PTCE_OK);
    assert_int_equal(d.count[DIFF_COMMUNE_FUSIONNEE], 0);
    diff_result_free(&d);
    fake_free(&fa);
    fake_free(&fb);
    ptce_ctx_free(ctx);
}

/* ---- two real census years ------------------------------------------------------------ */

/* ---- the indexes give the result of the full comparison ------------------------------- */

typedef struct big_fakes {
    fake_row *rows;
    char (*names)[96];
    char (*insee)[8];
    size_t n;
} big_fakes;

static uint32_t next_rand(uint64_t *s)
{
    *s = *s * 6364136223846793005u + 1442695040888963407u;
    return (uint32_t)(*s >> 33);
}

/* Names drawn from few words, with typos, swapped or dropped words, fillers, short joined
 * names, homonyms in other départements and rows not placed: every way a pair becomes a
 * candidate, and many near misses around the 0.6 and 0.8 thresholds. */
static void big_make(big_fakes *b, size_t n, uint64_t seed)
{
    static const char *const words[] = {
        "Ressourcerie", "Légumerie", "Solidaire", "Circulaire", "Fabrique", "Tiers-Lieu",
        "Énergie", "Atelier", "Vélo", "Matériaux", "Mobilités", "Bois", "Numérique",
        "Textile", "Alimentaire", "Agora", "Fab", "Lab", "Eco", "Lieu", "Maison", "Rives"};
    static const char *const fillers[] = {"du Pays de", "de la", "et", "Pôle", "PTCE", "des"};
    static const char *const deps[] = {"29", "13", "33", "69", NULL};
    const size_t nw = sizeof words / sizeof *words;
    b->n = n;
    b->rows = calloc(n, sizeof *b->rows);
    b->names = calloc(n, sizeof *b->names);
    b->insee = calloc(n, sizeof *b->insee);
    assert_true(b->rows && b->names && b->insee);
    uint64_t s = seed;
    for (size_t i = 0; i < n; i++) {
        char *out = b->names[i];
        size_t len = 0, k = 1 + next_rand(&s) % 4;
        for (size_t w = 0; w < k; w++) {
            const char *word = words[next_rand(&s) % nw];
            if (next_rand(&s) % 5 == 0)
                len += (size_t)snprintf(out + len, 96 - len, "%s ", fillers[next_rand(&s) % 6]);
            len += (size_t)snprintf(out + len, 96 - len, "%s%s", word,
                                    w + 1 < k && next_rand(&s) % 6 ? " " : "");
        }
        /* A typo: one letter dropped, doubled or replaced. */
        size_t t = next_rand(&s) % 4, at = len > 2 ? 1 + next_rand(&s) % (len - 2) : 0;
        if (t == 1 && at && (unsigned char)out[at] < 0x80) {
            memmove(out + at, out + at + 1, len - at);
            len--;
        } else if (t == 2 && at && len + 1 < 96 && (unsigned char)out[at] < 0x80) {
            memmove(out + at + 1, out + at, len - at + 1);
            len++;
        } else if (t == 3 && at && (unsigned char)out[at] < 0x80) {
            out[at] = "aeiourst"[next_rand(&s) % 8];
        }
        const char *dep = deps[next_rand(&s) % 5];
        snprintf(b->insee[i], sizeof b->insee[i], "%s%03u", dep ? dep : "00",
                 next_rand(&s) % 3);
        b->rows[i] = (fake_row){NULL, out, dep, dep && next_rand(&s) % 4 ? b->insee[i] : NULL};
    }
}

static void big_run(big_fakes *b, ptce_run *run, departement *deps, commune *communes)
{
    memset(run, 0, sizeof *run);
    for (int r = 0; r < CENSUS_ROLE_COUNT; r++)
        run->census.role_col[r] = -1;
    run->rows = calloc(b->n + 1, sizeof *run->rows);
    assert_non_null(run->rows);
    run->nrows = b->n;
    for (size_t i = 0; i < b->n; i++) {
        ptce_row *row = &run->rows[i];
        row->nom = b->rows[i].nom;
        row->id = util_strdup("auto");
        row->id_derived = 1;
        row->cls.primary = -1;
        row->geo.status = b->rows[i].dep ? GEO_MATCH : GEO_REJECT;
        if (b->rows[i].dep) {
            deps[i] = (departement){.code = b->rows[i].dep, .nom = b->rows[i].dep};
            row->geo.dep = &deps[i];
        }
        if (b->rows[i].insee) {
            communes[i] = (commune){.insee = b->rows[i].insee, .nom = b->rows[i].insee,
                                    .parent = "", .dep = b->rows[i].dep};
            row->geo.commune = &communes[i];
        }
    }
}

static void indexes_give_the_full_comparison(void **state)
{
    (void)state;
    enum { N = 700 };
    /* 4 seeds in ctest; PTCE_TEST_DIFF_SEEDS=N runs seeds 1..N (by hand, after a change to
     * the matching). */
    uint64_t seeds = 4;
    const char *env = getenv("PTCE_TEST_DIFF_SEEDS");
    if (env && strtoull(env, NULL, 10) > 0)
        seeds = strtoull(env, NULL, 10);
    for (uint64_t seed = 1; seed <= seeds; seed++) {
        big_fakes a, b;
        big_make(&a, N, seed);
        big_make(&b, N, seed); /* the same draw: most names come back, changed or not */
        for (size_t i = 0; i < N; i += 3)    /* and a third drawn afresh */
            b.rows[i] = a.rows[(i * 7 + 1) % N];
        big_fakes c;
        big_make(&c, N / 3, seed + 100);
        for (size_t i = 0; i < N / 3; i++)
            b.rows[(i * 3 + 1) % N] = c.rows[i];
        ptce_run ra, rb;
        departement *da = calloc(N, sizeof *da), *db = calloc(N, sizeof *db);
        commune *ca = calloc(N, sizeof *ca), *cb = calloc(N, sizeof *cb);
        assert_true(da && db && ca && cb);
        big_run(&a, &ra, da, ca);
        big_run(&b, &rb, db, cb);
        ptce_ctx *ctx = test_ctx();
        diff_result fast, full;
        assert_int_equal(diff_runs(ctx, &ra, &rb, &fast), PTCE_OK);
        assert_int_equal(diff_runs_exhaustive(ctx, &ra, &rb, &full), PTCE_OK);
        assert_true(full.by_how[DIFF_BY_SIMILAR] > 20); /* the test exercises similar names */
        assert_true(full.by_how[DIFF_BY_NAME] > 20);
        assert_int_equal(fast.npairs, full.npairs);
        for (size_t k = 0; k < full.npairs; k++) {
            assert_int_equal(fast.pairs[k].old_row, full.pairs[k].old_row);
            assert_int_equal(fast.pairs[k].new_row, full.pairs[k].new_row);
            assert_int_equal(fast.pairs[k].how, full.pairs[k].how);
            assert_true(fast.pairs[k].similarity == full.pairs[k].similarity);
        }
        assert_int_equal(fast.nchanges, full.nchanges);
        for (int k = 0; k < DIFF_KIND_COUNT; k++)
            assert_int_equal(fast.count[k], full.count[k]);
        diff_result_free(&fast);
        diff_result_free(&full);
        ptce_ctx_free(ctx);
        for (size_t i = 0; i < N; i++) {
            free(ra.rows[i].id);
            free(rb.rows[i].id);
        }
        free(ra.rows);
        free(rb.rows);
        free(da);
        free(db);
        free(ca);
        free(cb);
        free(a.rows);
        free(a.names);
        free(a.insee);
        free(b.rows);
        free(b.names);
        free(b.insee);
        free(c.rows);
        free(c.names);
        free(c.insee);
    }
}

static void load_year(ptce_ctx *ctx, const char *name, ptce_run *run)
{
    char rel[128], path[4096];
    snprintf(rel, sizeof rel, "census/%s", name);
    run_options ro = {.census_path = test_data_path(rel, path, sizeof path)};
    ptce_status st = run_load(ctx, &ro, run);
    if (!st)
        st = run_geocode(ctx, run);
    if (!st)
        st = run_classify(ctx, run);
    if (st)
        fail_msg("%s: %s", name, ptce_ctx_error(ctx));
}

static const char *id_of(const ptce_run *run, const char *nom)
{
    for (size_t i = 0; i < run->nrows; i++)
        if (strcmp(run->rows[i].nom, nom) == 0)
            return run->rows[i].id;
    fail_msg("no row named %s", nom);
    return "";
}

static const char expected_evolutions[] =
    "\xEF\xBB\xBFid;nom;changement;avant;apres\r\n"
    "PTCE-002;Légumerie Solidaire de la Plaine;renomme;Légumerie de la Plaine;"
    "Légumerie Solidaire de la Plaine\r\n"
    "PTCE-003;Pôle Bois Énergie des Hautes-Vosges;deplace;Épinal (88160);Gérardmer (88196)\r\n"
    "PTCE-003;Pôle Bois Énergie des Hautes-Vosges;renomme;Pôle Bois Énergie des Vosges;"
    "Pôle Bois Énergie des Hautes-Vosges\r\n"
    "PTCE-004;Coopérative des Mauges;commune_fusionnee;Andrezé (49006);"
    "Beaupréau-en-Mauges (49023)\r\n"
    "PTCE-005;Tiers-lieu du Numérique;secteur;numerique;alimentation_agriculture\r\n"
    "PTCE-006;Fabrique à Projets du Littoral;disparu;La Rochelle (17300);\r\n"
    "PTCE-012;Énergies Citoyennes du Pays de Francheleins;commune_fusionnee;"
    "ancienne commune (01003);Francheleins (01165)\r\n"
    "PTCE-020;Cité du Goût et des Saveurs;nouveau;;Saint-Denis (97411)\r\n"
    "PTCE-021;Mobilités Partagées du Grand Ouest;nouveau;;Nantes (44109)\r\n";

/* The rows whose ids are derived from their names, sorted by those ids. */
typedef struct derived_line {
    const char *name;   /* the row giving the id */
    const char *line;   /* the rest of the line */
} derived_line;

static const derived_line expected_derived[] = {
    {"Pôle territorial de coopération économique Nord Aveyron",
     ";Pôle territorial de coopération économique Nord Aveyron;nouveau;;Espalion (12096)\r\n"},
    {"Atelier Textile des Monts du Lyonnais",
     ";Atelier Textile des Monts du Lyonnais;renomme;Atelier Textile des Monts;"
     "Atelier Textile des Monts du Lyonnais\r\n"},
    {"Ressourcerie créative",
     ";Ressourcerie créative;renomme;Resourcerie Créative;Ressourcerie créative\r\n"},
    {"Pôle territorial de coopération économique Sud Aveyron",
     ";Pôle territorial de coopération économique Sud Aveyron;disparu;Millau (12145);\r\n"},
};

static int cmp_derived(const void *a, const void *b)
{
    return strcmp(((const char *const *)a)[0], ((const char *const *)b)[0]);
}

static void two_census_years(void **state)
{
    (void)state;
    ptce_ctx *ctx = test_ctx();
    ptce_run old_run, new_run;
    load_year(ctx, "annee-2025.csv", &old_run);
    load_year(ctx, "annee-2026.csv", &new_run);
    assert_string_equal(old_run.census.encoding, "UTF-8 (BOM)");
    assert_string_equal(new_run.census.encoding, "windows-1252");
    assert_int_equal(old_run.nplaced, 11);
    assert_int_equal(new_run.nplaced, 12);

    diff_result d;
    assert_int_equal(diff_runs(ctx, &old_run, &new_run, &d), PTCE_OK);
    assert_int_equal(d.npairs, 9);
    assert_int_equal(d.by_how[DIFF_BY_ID], 6);
    assert_int_equal(d.by_how[DIFF_BY_NAME], 1);
    assert_int_equal(d.by_how[DIFF_BY_SIMILAR], 2);
    assert_int_equal(d.count[DIFF_NOUVEAU], 3);
    assert_int_equal(d.count[DIFF_DISPARU], 2);
    assert_int_equal(d.count[DIFF_DEPLACE], 1);
    assert_int_equal(d.count[DIFF_RENOMME], 4);
    assert_int_equal(d.count[DIFF_SECTEUR], 1);
    assert_int_equal(d.count[DIFF_COMMUNE_FUSIONNEE], 2);

    /* The exact file: census ids first, then derived ids, each sorted. */
    char *rows[4][2];
    for (size_t i = 0; i < 4; i++) {
        const char *name = expected_derived[i].name;
        int in_new = 0;
        for (size_t j = 0; j < new_run.nrows; j++)
            in_new |= strcmp(new_run.rows[j].nom, name) == 0;
        rows[i][0] = (char *)id_of(in_new ? &new_run : &old_run, name);
        rows[i][1] = (char *)expected_derived[i].line;
    }
    qsort(rows, 4, sizeof rows[0], cmp_derived);
    util_strbuf want;
    util_sb_init(&want);
    util_sb_append(&want, expected_evolutions);
    for (size_t i = 0; i < 4; i++) {
        util_sb_append(&want, rows[i][0]);
        util_sb_append(&want, rows[i][1]);
    }
    util_strbuf got;
    util_sb_init(&got);
    assert_int_equal(diff_write_csv(ctx, &d, &got), PTCE_OK);
    assert_string_equal(got.data, want.data);

    /* The same input gives the same file. */
    diff_result again;
    assert_int_equal(diff_runs(ctx, &old_run, &new_run, &again), PTCE_OK);
    util_strbuf got2;
    util_sb_init(&got2);
    assert_int_equal(diff_write_csv(ctx, &again, &got2), PTCE_OK);
    assert_string_equal(got.data, got2.data);

    /* The summary: counts, regions, merged communes with their census line, name matches. */
    util_strbuf sum;
    util_sb_init(&sum);
    assert_int_equal(diff_format_summary(ctx, &d, &old_run, &new_run, &sum), PTCE_OK);
    assert_string_equal(id_of(&new_run, "Recyclerie des Deux Rives"), "PTCE-2026-04");
    const char *needles[] = {
        "présents les deux années : 9 (6 par identifiant, 1 par nom identique, 2 par nom proche)",
        "nouveau               3",
        "commune_fusionnee     2",
        "La Réunion : 1 nouveau, 0 disparu\n",
        "Occitanie : 1 nouveau, 1 disparu\n",
        "Nouvelle-Aquitaine : 0 nouveau, 1 disparu\n",
        "PTCE-004 « Coopérative des Mauges » (", "annee-2025.csv, ligne 5) : Andrezé (49006) → "
        "Beaupréau-en-Mauges (49023)",
        "ligne 12) : ancienne commune (01003) → Francheleins (01165)",
        "PTCE-011 « Recyclerie des Deux Rives » → PTCE-2026-04 « Recyclerie des Deux Rives » "
        "(nom identique)",
        "(nom proche, similarité 0,75)",
    };
    for (size_t i = 0; i < sizeof needles / sizeof *needles; i++)
        if (!strstr(sum.data, needles[i]))
            fail_msg("« %s » not in the summary:\n%s", needles[i], sum.data);

    util_sb_free(&want);
    util_sb_free(&got);
    util_sb_free(&got2);
    util_sb_free(&sum);
    diff_result_free(&again);
    diff_result_free(&d);
    run_free(&new_run);
    run_free(&old_run);
    ptce_ctx_free(ctx);
}

/* The classification of a row given the same theme and description as a row of the other
 * year is copied (run_classify_reusing): it must be what classifying gives, field by field,
 * in a block of its own. */
static void assert_same_classification(const classification *a, const classification *b)
{
    assert_int_equal(a->primary, b->primary);
    assert_int_equal(a->runner_up, b->runner_up);
    assert_true(a->score == b->score);
    assert_int_equal(a->nsectors, b->nsectors);
    assert_memory_equal(a->sectors, b->sectors, a->nsectors * sizeof *a->sectors);
    assert_int_equal(a->nscores, b->nscores);
    assert_memory_equal(a->scores, b->scores, a->nscores * sizeof *a->scores);
    assert_string_equal(a->sectors_text, b->sectors_text);
    assert_string_equal(a->terms, b->terms);
}

static const char *cell(const ptce_run *run, size_t i, census_role role)
{
    const char *v = census_value(&run->census, run->rows[i].rec, role);
    return v ? v : "";
}

static void other_year_classification_reused(void **state)
{
    (void)state;
    ptce_ctx *ctx = test_ctx();
    ptce_run old_run, new_run, twin;
    load_year(ctx, "annee-2025.csv", &old_run);
    load_year(ctx, "annee-2026.csv", &new_run);
    load_year(ctx, "annee-2026.csv", &twin);
    char path[4096];
    run_options ro = {.census_path = test_data_path("census/annee-2026.csv", path, sizeof path)};

    /* Reusing the other year: every row as classifying gives it, in a block of its own. */
    ptce_run again;
    assert_int_equal(run_load(ctx, &ro, &again), PTCE_OK);
    assert_int_equal(run_classify_reusing(ctx, &again, &old_run), PTCE_OK);
    assert_int_equal(again.nrows, new_run.nrows);
    for (size_t i = 0; i < again.nrows; i++) {
        assert_same_classification(&again.rows[i].cls, &new_run.rows[i].cls);
        for (size_t j = 0; j < old_run.nrows; j++)
            assert_ptr_not_equal(again.rows[i].cls.scores, old_run.rows[j].cls.scores);
    }
    run_free(&again);

    /* Copied, not classified again: each row of the twin census is marked, and a row takes
     * the mark of the first twin row with its theme and description. */
    assert_true(twin.nrows > 5);
    for (size_t i = 0; i < twin.nrows; i++)
        twin.rows[i].cls.score = -1.0 - (double)i;
    assert_int_equal(run_load(ctx, &ro, &again), PTCE_OK);
    assert_int_equal(run_classify_reusing(ctx, &again, &twin), PTCE_OK);
    for (size_t i = 0; i < again.nrows; i++) {
        size_t first = 0;
        while (strcmp(cell(&twin, first, CENSUS_ROLE_THEME), cell(&again, i, CENSUS_ROLE_THEME)) ||
               strcmp(cell(&twin, first, CENSUS_ROLE_DESCRIPTION),
                      cell(&again, i, CENSUS_ROLE_DESCRIPTION)))
            first++;
        assert_true(again.rows[i].cls.score == -1.0 - (double)first);
        assert_string_equal(again.rows[i].cls.terms, new_run.rows[i].cls.terms);
    }
    run_free(&again);

    /* A zeroed classification copies as zeroed. */
    classification zero = {0}, out;
    assert_int_equal(sectors_classification_copy(&out, &zero), 0);
    assert_null(out.scores);
    run_free(&twin);
    run_free(&new_run);
    run_free(&old_run);
    ptce_ctx_free(ctx);
}

/* ---- the other year's placements ------------------------------------------------------ */

static void assert_same_string(const char *a, const char *b)
{
    if (!a || !b)
        assert_ptr_equal(a, b);
    else
        assert_string_equal(a, b);
}

/* Field by field, and owned apart: `a`, copied from `src`, shares none of its memory. */
static void assert_same_placement(const geo_result *a, const geo_result *b, const geo_result *src)
{
    assert_int_equal(a->status, b->status);
    assert_int_equal(a->type, b->type);
    assert_memory_equal(&a->score, &b->score, sizeof a->score);
    assert_ptr_equal(a->commune, b->commune);
    assert_ptr_equal(a->dep, b->dep);
    assert_ptr_equal(a->reg, b->reg);
    assert_string_equal(a->postcode, b->postcode);
    if (b->postcode == b->postcode_buf) /* a code kept in the result itself */
        assert_ptr_equal(a->postcode, a->postcode_buf);
    assert_memory_equal(&a->lat, &b->lat, sizeof a->lat);
    assert_memory_equal(&a->lon, &b->lon, sizeof a->lon);
    assert_int_equal(a->accuracy, b->accuracy);
    assert_string_equal(a->precision, b->precision);
    assert_ptr_equal(a->former, b->former);
    assert_int_equal(a->ncandidates, b->ncandidates);
    assert_int_equal(a->candidates_overflow, b->candidates_overflow);
    if (a->ncandidates) {
        assert_memory_equal(a->candidates, b->candidates, a->ncandidates * sizeof *a->candidates);
        assert_ptr_not_equal(a->candidates, src->candidates);
    }
    assert_int_equal(a->nremarks, b->nremarks);
    if (a->nremarks)
        assert_ptr_not_equal(a->remarks, src->remarks);
    for (size_t k = 0; k < a->nremarks; k++) {
        const geo_remark *ma = &a->remarks[k], *mb = &b->remarks[k];
        assert_int_equal(ma->code, mb->code);
        assert_int_equal(ma->field, mb->field);
        for (size_t t = 0; t < 3; t++) {
            assert_same_string(ma->text[t], mb->text[t]);
            if (ma->text[t] && k < src->nremarks)
                assert_ptr_not_equal(ma->text[t], src->remarks[k].text[t]);
        }
        assert_ptr_equal(ma->commune[0], mb->commune[0]);
        assert_ptr_equal(ma->commune[1], mb->commune[1]);
        assert_ptr_equal(ma->dep, mb->dep);
        assert_ptr_equal(ma->former, mb->former);
        assert_memory_equal(ma->num, mb->num, sizeof ma->num);
    }
}

static void load_census_at(ptce_ctx *ctx, const char *path, refdata *shared, ptce_run *run)
{
    run_options ro = {.census_path = path, .without_taxonomy = 1, .shared_refdata = shared};
    if (run_load(ctx, &ro, run))
        fail_msg("%s: %s", path, ptce_ctx_error(ctx));
}

/* The first row of `other` whose place cells are the texts of row i of `run`; other->nrows
 * when none. */
static size_t first_with_place_cells(const ptce_run *other, const ptce_run *run, size_t i)
{
    static const census_role roles[] = {
        CENSUS_ROLE_INSEE,    CENSUS_ROLE_CODE_POSTAL, CENSUS_ROLE_COMMUNE,
        CENSUS_ROLE_DEPARTEMENT, CENSUS_ROLE_ADRESSE, CENSUS_ROLE_LATITUDE,
        CENSUS_ROLE_LONGITUDE, CENSUS_ROLE_X,         CENSUS_ROLE_Y};
    size_t first = 0;
    for (; first < other->nrows; first++) {
        size_t r = 0;
        while (r < sizeof roles / sizeof *roles &&
               !strcmp(cell(other, first, roles[r]), cell(run, i, roles[r])))
            r++;
        if (r == sizeof roles / sizeof *roles)
            break;
    }
    return first;
}

/* How many rows of `run` carry the mark of the first row of `marked` with their place
 * cells (the placements of `marked` have score -1 - row index); fails on a row that
 * carries another mark. */
static size_t rows_with_first_mark(const ptce_run *run, const ptce_run *marked)
{
    size_t n = 0;
    for (size_t i = 0; i < run->nrows; i++) {
        if (run->rows[i].geo.score >= 0)
            continue;
        size_t first = first_with_place_cells(marked, run, i);
        assert_true(first < marked->nrows);
        assert_true(run->rows[i].geo.score == -1.0 - (double)first);
        n++;
    }
    return n;
}

static void other_year_placement_reused(void **state)
{
    (void)state;
    ptce_ctx *ctx = test_ctx();
    char cases[4096], coords[4096], sample[4096], y25[4096], y26[4096];
    test_data_path("geocode-cases.csv", cases, sizeof cases);
    test_data_path("coordinate-cases.csv", coords, sizeof coords);
    snprintf(sample, sizeof sample, "%s/sample/census-sample.csv", getenv("PTCE_MAP_DATA"));
    test_data_path("census/annee-2025.csv", y25, sizeof y25);
    test_data_path("census/annee-2026.csv", y26, sizeof y26);
    /* (the other year, this year): every row of a census kept, and two real years. */
    const char *pairs[][2] = {{cases, cases}, {coords, coords}, {sample, sample}, {y25, y26}};
    for (size_t p = 0; p < sizeof pairs / sizeof *pairs; p++) {
        ptce_run done, placed, again;
        load_census_at(ctx, pairs[p][0], NULL, &done);
        assert_int_equal(run_geocode(ctx, &done), PTCE_OK);
        /* This year placed by the geocoder, and again with the other year's placements:
         * each row the same, field by field (the pointers into the one reference data
         * included), its remarks and candidates its own. */
        load_census_at(ctx, pairs[p][1], done.rd, &placed);
        assert_int_equal(run_geocode(ctx, &placed), PTCE_OK);
        load_census_at(ctx, pairs[p][1], done.rd, &again);
        assert_int_equal(run_geocode_reusing(ctx, &again, &done), PTCE_OK);
        assert_int_equal(again.nrows, placed.nrows);
        assert_true(again.nrows > 5);
        geo_result none = {.postcode = "", .precision = ""};
        for (size_t i = 0; i < again.nrows; i++) {
            size_t j = first_with_place_cells(&done, &again, i);
            assert_same_placement(&again.rows[i].geo, &placed.rows[i].geo,
                                  j < done.nrows ? &done.rows[j].geo : &none);
        }
        assert_int_equal(again.nplaced, placed.nplaced);
        assert_int_equal(again.nambiguous, placed.nambiguous);
        assert_int_equal(again.nrejected, placed.nrejected);
        run_free(&again);

        /* Copied, not placed again: each placement of the other year is marked, and a row
         * takes the mark of the first row with its place cells. */
        for (size_t i = 0; i < done.nrows; i++)
            done.rows[i].geo.score = -1.0 - (double)i;
        load_census_at(ctx, pairs[p][1], done.rd, &again);
        assert_int_equal(run_geocode_reusing(ctx, &again, &done), PTCE_OK);
        size_t copied = rows_with_first_mark(&again, &done);
        if (pairs[p][0] == pairs[p][1])
            assert_int_equal(copied, again.nrows);
        else
            assert_true(copied > 0 && copied < again.nrows);
        run_free(&again);

        /* Not copied: another load of the reference data (the placements point into
         * done's), or corrections (chosen by the row's id). */
        if (p + 1 < sizeof pairs / sizeof *pairs) {
            run_free(&placed);
            run_free(&done);
            continue;
        }
        load_census_at(ctx, pairs[p][1], NULL, &again);
        assert_int_equal(run_geocode_reusing(ctx, &again, &done), PTCE_OK);
        assert_int_equal(rows_with_first_mark(&again, &done), 0);
        run_free(&again);
        char ov[4096];
        run_options ro = {.census_path = pairs[p][1], .without_taxonomy = 1,
                          .shared_refdata = done.rd,
                          .overrides = test_data_path("geocode-overrides.csv", ov, sizeof ov)};
        assert_int_equal(run_load(ctx, &ro, &again), PTCE_OK);
        assert_int_equal(run_geocode_reusing(ctx, &again, &done), PTCE_OK);
        assert_int_equal(rows_with_first_mark(&again, &done), 0);
        run_free(&again);

        run_free(&placed);
        run_free(&done); /* last: the others used its reference data */
    }

    /* A result with nothing owned copies as such. */
    geo_result empty = {.status = GEO_REJECT, .postcode = "", .precision = ""}, out;
    assert_int_equal(geo_result_copy(&out, &empty), 0);
    assert_null(out.remarks);
    assert_null(out.candidates);
    geo_result_free(&out);
    ptce_ctx_free(ctx);
}

static void previous_counts_per_region_and_departement(void **state)
{
    (void)state;
    ptce_ctx *ctx = test_ctx();
    ptce_run old_run;
    load_year(ctx, "annee-2025.csv", &old_run);
    /* Another load of the reference data, as build --previous would have. */
    refdata rd;
    assert_int_equal(refdata_load(ctx, &rd), PTCE_OK);
    long *reg = calloc(rd.nregions, sizeof *reg), *dep = calloc(rd.ndeps, sizeof *dep);
    assert_non_null(reg);
    assert_non_null(dep);
    reg[0] = 99; /* zeroed first */
    assert_int_equal(diff_previous_counts(&old_run, &rd, reg, dep), 11);
    long sum_reg = 0, sum_dep = 0;
    for (size_t i = 0; i < rd.nregions; i++)
        sum_reg += reg[i];
    for (size_t i = 0; i < rd.ndeps; i++)
        sum_dep += dep[i];
    assert_int_equal(sum_reg, 11);
    assert_int_equal(sum_dep, 11);
    static const struct { const char *code; long n; } want_reg[] = {
        {"27", 1}, {"93", 1}, {"44", 2}, {"52", 1}, {"53", 1}, {"75", 1}, {"84", 2}, {"76", 2},
        {"11", 0}, {"04", 0}};
    for (size_t i = 0; i < sizeof want_reg / sizeof *want_reg; i++) {
        const region *r = refdata_region(&rd, want_reg[i].code);
        assert_non_null(r);
        assert_int_equal(reg[r - rd.regions], want_reg[i].n);
    }
    static const struct { const char *code; long n; } want_dep[] = {
        {"25", 1}, {"88", 1}, {"67", 1}, {"49", 1}, {"01", 1}, {"12", 1}, {"31", 1}, {"75", 0}};
    for (size_t i = 0; i < sizeof want_dep / sizeof *want_dep; i++) {
        const departement *dp = refdata_departement(&rd, want_dep[i].code);
        assert_non_null(dp);
        assert_int_equal(dep[dp - rd.deps], want_dep[i].n);
    }
    /* Either array may be left out. */
    assert_int_equal(diff_previous_counts(&old_run, &rd, NULL, dep), 11);
    /* Per EPCI, with the run's own load (its communes carry their EPCI record) and with
     * another one (looked up by code): the same counts, EPCI by EPCI. */
    long *in_other = calloc(rd.nepci + 1, sizeof *in_other);
    long *in_own = calloc(old_run.rd->nepci + 1, sizeof *in_own);
    assert_non_null(in_other);
    assert_non_null(in_own);
    size_t counted = diff_previous_epci_counts(&old_run, &rd, in_other);
    assert_true(counted > 0);
    assert_int_equal(diff_previous_epci_counts(&old_run, old_run.rd, in_own), counted);
    long sum_epci = 0;
    for (size_t i = 0; i < rd.nepci; i++) {
        const epci *e = refdata_epci(old_run.rd, rd.epcis[i].code);
        assert_non_null(e);
        assert_int_equal(in_own[e - old_run.rd->epcis], in_other[i]);
        sum_epci += in_other[i];
    }
    assert_int_equal(sum_epci, (long)counted);
    free(in_other);
    free(in_own);
    free(reg);
    free(dep);
    refdata_free(&rd);
    run_free(&old_run);
    ptce_ctx_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ids_first_then_names),
        cmocka_unit_test(generic_words_do_not_make_a_match),
        cmocka_unit_test(typos_and_short_names),
        cmocka_unit_test(five_letter_words_take_one_typo),
        cmocka_unit_test(place_decides_between_homonyms),
        cmocka_unit_test(across_departements_needs_a_closer_name),
        cmocka_unit_test(duplicate_ids_pair_in_file_order),
        cmocka_unit_test(unplaced_rows_match_by_name_without_moving),
        cmocka_unit_test(merged_commune_from_the_placement_field),
        cmocka_unit_test(indexes_give_the_full_comparison),
        cmocka_unit_test(two_census_years),
        cmocka_unit_test(other_year_classification_reused),
        cmocka_unit_test(other_year_placement_reused),
        cmocka_unit_test(previous_counts_per_region_and_departement),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
