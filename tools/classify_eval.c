/*
 * tools/classify_eval.c — ptce-classify-eval: measures the sector classifier on a labelled
 * file (not a test; scripts/eval-classification runs it on every labelled set).
 *
 *   ptce-classify-eval [--taxonomie FICHIER] [--split reglage|test] [--ids ID,ID…] [--erreurs]
 *                      [--explain] ETIQUETTES.csv
 *   ptce-classify-eval [--taxonomie FICHIER] --bench N
 *   ptce-classify-eval --mots ETIQUETTES.csv
 *
 * The labelled file is ';'-separated, '"'-quoted UTF-8; lines starting with '#' before the
 * header are comments. Columns are found by name: theme or theme_declaree, description,
 * primary, secondaries ('|'-separated), and optionally id and split. It prints the number of
 * rows, the primary accuracy, the accuracy of "right primary among the top two", the micro
 * precision/recall/F1 of the secondary sectors, the rows put in `autre` that a human did not
 * put there, a confusion table and per-sector precision and recall; with --erreurs, each
 * wrong row with its explanation (refused on a file with a split column unless --split reglage:
 * the test half's errors are never shown). --bench N classifies N descriptions (the rows of the file
 * when one is given, else four built-in texts) and prints the time on one core. --mots prints,
 * for the model trainer, one tab-separated line per row: id (or l<line>), split, primary,
 * secondaries, then the description's words as "fold/stem" pairs (classify_words).
 *
 * Owns its rows (freed at exit). Exit status: 0, or 1 on a usage or data error.
 */
#include <csv.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "classify/classify.h"
#include "core/ctx.h"
#include "core/util.h"

#define MAX_COLS 16

typedef struct row {
    char *f[MAX_COLS];
    size_t nf;
} row;

typedef struct table {
    row *rows;
    size_t n, cap;
    row cur;
    bool failed;
} table;

static void on_field(void *s, size_t len, void *data)
{
    table *t = data;
    if (t->cur.nf >= MAX_COLS) {
        t->failed = true;
        return;
    }
    char *f = malloc(len + 1);
    if (!f) {
        t->failed = true;
        return;
    }
    memcpy(f, s, len);
    f[len] = '\0';
    t->cur.f[t->cur.nf++] = f;
}

static void on_row(int c, void *data)
{
    (void)c;
    table *t = data;
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 64;
        row *r = realloc(t->rows, cap * sizeof *r);
        if (!r) {
            t->failed = true;
            return;
        }
        t->rows = r;
        t->cap = cap;
    }
    t->rows[t->n++] = t->cur;
    memset(&t->cur, 0, sizeof t->cur);
}

static void free_table(table *t)
{
    for (size_t i = 0; i < t->n; i++)
        for (size_t k = 0; k < t->rows[i].nf; k++)
            free(t->rows[i].f[k]);
    free(t->rows);
}

/* Reads `path` into `t`; the first row is the header. */
static bool read_table(const char *path, table *t)
{
    size_t len = 0;
    char *text = util_read_file(path, &len);
    if (!text) {
        fprintf(stderr, "ptce-classify-eval : impossible de lire %s\n", path);
        return false;
    }
    char *p = text;
    if (len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
        p += 3;
    while (*p == '#') { /* comment lines before the header */
        char *nl = strchr(p, '\n');
        p = nl ? nl + 1 : p + strlen(p);
    }
    struct csv_parser parser;
    csv_init(&parser, CSV_APPEND_NULL);
    csv_set_delim(&parser, ';');
    size_t n = strlen(p);
    bool ok = csv_parse(&parser, p, n, on_field, on_row, t) == n;
    csv_fini(&parser, on_field, on_row, t);
    csv_free(&parser);
    free(text);
    if (!ok || t->failed || t->n < 2) {
        fprintf(stderr, "ptce-classify-eval : %s n'est pas un fichier étiqueté lisible\n", path);
        return false;
    }
    return true;
}

static int column(const table *t, const char *a, const char *b)
{
    const row *h = &t->rows[0];
    for (size_t k = 0; k < h->nf; k++)
        if (strcmp(h->f[k], a) == 0 || (b && strcmp(h->f[k], b) == 0))
            return (int)k;
    return -1;
}

static const char *field(const row *r, int k)
{
    return k >= 0 && (size_t)k < r->nf ? r->f[k] : "";
}

/* Bit set of the sector ids of a '|' list; false on an unknown id. */
static bool sector_set(const taxonomy *t, const char *list, unsigned *out)
{
    *out = 0;
    char buf[512];
    snprintf(buf, sizeof buf, "%s", list);
    for (char *save = NULL, *id = strtok_r(buf, "|", &save); id; id = strtok_r(NULL, "|", &save)) {
        int k = sectors_find(t, util_trim(id));
        if (k < 0) {
            fprintf(stderr, "ptce-classify-eval : secteur inconnu « %s »\n", id);
            return false;
        }
        *out |= 1u << k;
    }
    return true;
}

/* True when `id` is one of the comma-separated `list`. */
static bool in_list(const char *list, const char *id)
{
    size_t n = strlen(id);
    for (const char *p = list; *p;) {
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (n && len == n && memcmp(p, id, n) == 0)
            return true;
        p += len + (e != NULL);
    }
    return false;
}

static double ratio(size_t a, size_t b)
{
    return b ? (double)a / (double)b : 0.0;
}

static int bench(ptce_ctx *ctx, const taxonomy *t, const table *tab, int ctheme, int cdesc, long count)
{
    static const char *const builtin[] = {
        "Le pôle accompagne l'installation de maraîchers bio et organise la vente en circuits "
        "courts. Légumerie et atelier de transformation alimentaire approvisionnant la "
        "restauration collective en produits locaux.",
        "Filière d'éco-construction en paille et terre crue associant artisans et bailleurs "
        "sociaux. Rénovation énergétique de logements anciens par des entreprises du bâtiment.",
        "Ressourcerie et recyclerie : collecte, tri, réemploi et revente d'objets, ateliers "
        "de réparation, sensibilisation à la réduction des déchets dans les écoles.",
        "Une vingtaine de membres coopèrent au sein d'une SCIC pour développer des activités "
        "utiles au territoire et des emplois non délocalisables."};
    size_t nrows = tab ? tab->n - 1 : 4;
    size_t bytes = 0;
    clock_t start = clock();
    for (long i = 0; i < count; i++) {
        size_t k = (size_t)i % nrows;
        const char *theme = tab ? field(&tab->rows[k + 1], ctheme) : (i % 3 ? "Économie circulaire" : "");
        const char *desc = tab ? field(&tab->rows[k + 1], cdesc) : builtin[k];
        bytes += strlen(desc);
        classification c;
        if (classify_text(ctx, t, theme, desc, &c) != PTCE_OK) {
            fprintf(stderr, "ptce-classify-eval : %s\n", ptce_ctx_error(ctx));
            return 1;
        }
        sectors_classification_free(&c);
    }
    double secs = (double)(clock() - start) / CLOCKS_PER_SEC;
    printf("%ld descriptions (%.0f caractères en moyenne) classées en %.3f s de processeur, "
           "%.0f par seconde\n", count, (double)bytes / (double)(count ? count : 1), secs,
           secs > 0 ? (double)count / secs : 0.0);
    return 0;
}

int main(int argc, char **argv)
{
    const char *tax_path = "data/taxonomie.txt", *split = NULL, *path = NULL, *ids = NULL;
    bool errors = false, explain = false, words = false;
    long bench_n = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--taxonomie") == 0 && i + 1 < argc)
            tax_path = argv[++i];
        else if (strcmp(argv[i], "--split") == 0 && i + 1 < argc)
            split = argv[++i];
        else if (strcmp(argv[i], "--ids") == 0 && i + 1 < argc)
            ids = argv[++i];
        else if (strcmp(argv[i], "--bench") == 0 && i + 1 < argc)
            bench_n = atol(argv[++i]);
        else if (strcmp(argv[i], "--mots") == 0)
            words = true;
        else if (strcmp(argv[i], "--erreurs") == 0)
            errors = true;
        else if (strcmp(argv[i], "--explain") == 0)
            explain = errors = true;
        else if (argv[i][0] != '-' && !path)
            path = argv[i];
        else {
            fprintf(stderr, "Usage : ptce-classify-eval [--taxonomie FICHIER] [--split reglage|test] "
                            "[--ids ID,ID…] [--erreurs] [--explain] ETIQUETTES.csv\n"
                            "        ptce-classify-eval [--taxonomie FICHIER] --bench N [ETIQUETTES.csv]\n"
                            "        ptce-classify-eval --mots ETIQUETTES.csv\n");
            return 1;
        }
    }
    ptce_ctx *ctx = ptce_ctx_new(stderr);
    taxonomy *t = NULL;
    if (!ctx || classify_taxonomy_load(ctx, tax_path, &t) != PTCE_OK) {
        fprintf(stderr, "ptce-classify-eval : %s\n", ctx ? ptce_ctx_error(ctx) : "mémoire");
        ptce_ctx_free(ctx);
        return 1;
    }
    int code = 0;
    table tab = {0};
    if (path && !read_table(path, &tab)) {
        code = 1;
        goto done;
    }
    int ctheme = path ? column(&tab, "theme", "theme_declaree") : -1;
    int cdesc = path ? column(&tab, "description", NULL) : -1;
    if (bench_n > 0) {
        code = bench(ctx, t, path ? &tab : NULL, ctheme, cdesc, bench_n);
        goto done;
    }
    if (!path) {
        fprintf(stderr, "ptce-classify-eval : donnez un fichier étiqueté\n");
        code = 1;
        goto done;
    }
    int cprim = column(&tab, "primary", NULL), csec = column(&tab, "secondaries", NULL);
    int cid = column(&tab, "id", NULL), csplit = column(&tab, "split", NULL);
    if (words) {
        for (size_t i = 1; i < tab.n; i++) {
            const row *r = &tab.rows[i];
            char *w = classify_words(field(r, cdesc));
            if (!w) {
                code = 1;
                break;
            }
            if (cid >= 0)
                printf("%s", field(r, cid));
            else
                printf("l%zu", i + 1);
            printf("\t%s\t%s\t%s\t%s\n", field(r, csplit), field(r, cprim), field(r, csec), w);
            free(w);
        }
        goto done;
    }
    if (errors && csplit >= 0 && (!split || strcmp(split, "reglage") != 0)) {
        /* Look at the test half's errors and its figures stop meaning anything. */
        fprintf(stderr, "ptce-classify-eval : --erreurs et --explain ne montrent que la moitié "
                        "réglage : ajoutez --split reglage\n");
        code = 1;
        goto done;
    }
    if (cdesc < 0 || cprim < 0 || csec < 0) {
        fprintf(stderr, "ptce-classify-eval : colonnes description, primary et secondaries attendues\n");
        code = 1;
        goto done;
    }
    size_t ns = sectors_count(t);
    int other = sectors_find(t, "autre");
    unsigned confusion[SECTORS_MAX][SECTORS_MAX];
    memset(confusion, 0, sizeof confusion);
    size_t total = 0, correct = 0, top2 = 0, tp = 0, fp = 0, fn = 0, wrong_other = 0;
    util_strbuf report;
    util_sb_init(&report);
    for (size_t i = 1; i < tab.n; i++) {
        const row *r = &tab.rows[i];
        if (split && csplit >= 0 && strcmp(field(r, csplit), split) != 0)
            continue;
        if (ids && !in_list(ids, field(r, cid)))
            continue;
        int want = sectors_find(t, util_trim((char *)field(r, cprim)));
        unsigned want_sec;
        if (want < 0 || !sector_set(t, field(r, csec), &want_sec)) {
            fprintf(stderr, "ptce-classify-eval : %s, ligne %zu : étiquette inconnue « %s »\n", path,
                    i + 1, field(r, cprim));
            code = 1;
            goto done_report;
        }
        classification c;
        if (classify_text(ctx, t, field(r, ctheme), field(r, cdesc), &c) != PTCE_OK) {
            fprintf(stderr, "ptce-classify-eval : %s\n", ptce_ctx_error(ctx));
            code = 1;
            goto done_report;
        }
        unsigned got_sec = 0;
        for (size_t k = 1; k < c.nsectors; k++)
            got_sec |= 1u << c.sectors[k];
        total++;
        confusion[want][c.primary]++;
        bool ok = c.primary == want;
        correct += ok;
        top2 += ok || c.runner_up == want;
        if (c.primary == other && want != other)
            wrong_other++;
        tp += (size_t)__builtin_popcount(got_sec & want_sec);
        fp += (size_t)__builtin_popcount(got_sec & ~want_sec);
        fn += (size_t)__builtin_popcount(want_sec & ~got_sec);
        if (errors && (!ok || got_sec != want_sec)) {
            util_sb_printf(&report, "%s %s : attendu %s%s%s, obtenu %s\n",
                      ok ? "  (secondaires)" : "  ERREUR", cid >= 0 ? field(r, cid) : "",
                      field(r, cprim), *field(r, csec) ? "|" : "", field(r, csec), c.sectors_text);
            if (explain) {
                util_sb_append(&report, "      ");
                if (classify_explain(ctx, t, field(r, ctheme), field(r, cdesc), &report) != PTCE_OK) {
                    code = 1;
                    sectors_classification_free(&c);
                    goto done_report;
                }
                util_sb_append_char(&report, '\n');
            }
        }
        sectors_classification_free(&c);
    }
    double p = ratio(tp, tp + fp), rcl = ratio(tp, tp + fn);
    printf("%s%s%s : %zu lignes\n", path, split ? ", moitié " : "", split ? split : "", total);
    printf("  secteur principal juste        : %5.1f %% (%zu/%zu)\n", 100 * ratio(correct, total),
           correct, total);
    printf("  juste parmi les deux premiers  : %5.1f %% (%zu/%zu)\n", 100 * ratio(top2, total), top2,
           total);
    printf("  secteurs secondaires           : précision %.2f, rappel %.2f, F1 %.2f "
           "(justes %zu, en trop %zu, manqués %zu)\n",
           p, rcl, p + rcl > 0 ? 2 * p * rcl / (p + rcl) : (tp + fp + fn ? 0.0 : 1.0), tp, fp, fn);
    printf("  « autre » à tort               : %zu\n", wrong_other);
    printf("  confusion (lignes : attendu, colonnes : obtenu)\n        ");
    for (size_t s = 0; s < ns; s++)
        printf("%6.5s", sectors_short(t, s));
    printf("\n");
    for (size_t s = 0; s < ns; s++) {
        printf("  %-6.5s", sectors_short(t, s));
        for (size_t k = 0; k < ns; k++)
            if (confusion[s][k])
                printf("%6u", confusion[s][k]);
            else
                printf("%6s", ".");
        printf("\n");
    }
    printf("  par secteur : attendus, obtenus, justes, précision, rappel\n");
    for (size_t s = 0; s < ns; s++) {
        size_t want = 0, got = 0;
        for (size_t k = 0; k < ns; k++) {
            want += confusion[s][k];
            got += confusion[k][s];
        }
        if (want || got)
            printf("    %-26s %3zu %3zu %3u   %5.2f  %5.2f\n", sectors_id(t, s), want, got,
                   confusion[s][s], ratio(confusion[s][s], got), ratio(confusion[s][s], want));
    }
    if (report.len)
        printf("%s", report.data);
done_report:
    util_sb_free(&report);
done:
    free_table(&tab);
    classify_taxonomy_free(t);
    ptce_ctx_free(ctx);
    return code;
}
