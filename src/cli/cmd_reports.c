/*
 * cli/cmd_reports.c — `ptce-map geocode` and `ptce-map classify`: the row-by-row reports
 * of one stage, every input row in order with its columns unchanged.
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <unistd.h>
#include <string.h>

#include "cli/cli.h"
#include "ptce.h"
#include "app/reports.h"
#include "app/validate.h"
#include "write/outdir.h"

typedef enum report_kind {
    REPORT_GEOCODE,
    REPORT_CLASSIFY
} report_kind;

static const char geocode_help[] =
    "Usage : ptce-map geocode RECENSEMENT.csv [-o RESULTAT.csv] [OPTIONS]\n"
    "\n"
    "Place chaque ligne du recensement sur sa commune actuelle. RESULTAT.csv reprend toutes\n"
    "les lignes, dans l'ordre, colonnes d'origine inchangées, suivies de result_status\n"
    "(match | ambiguous | reject), result_insee, result_commune, result_postcode,\n"
    "result_departement, result_region, result_type, result_score, latitude, longitude,\n"
    "result_precision et result_note (candidats, motif ou correction).\n"
    "Sans -o, le résultat va sur la sortie standard.\n"
    "\n"
    "Options :\n"
    "  -o, --output FICHIER  fichier résultat\n" COMMON_HELP;

static const char classify_help[] =
    "Usage : ptce-map classify RECENSEMENT.csv [-o RESULTAT.csv] [--explain] [OPTIONS]\n"
    "\n"
    "Attribue à chaque PTCE ses secteurs d'après la thématique déclarée et la description.\n"
    "RESULTAT.csv reprend toutes les lignes, colonnes d'origine inchangées, suivies de\n"
    "secteur, secteurs (séparés par |, le principal d'abord), secteur_score et\n"
    "secteur_termes (les termes reconnus). Sans -o, le résultat va sur la sortie standard.\n"
    "\n"
    "Options :\n"
    "  -o, --output FICHIER  fichier résultat\n"
    "  --explain             ajoute la colonne secteur_explication : pour chaque secteur\n"
    "                        trouvé, son score et les termes qui l'ont fait, avec leurs\n"
    "                        poids (voir docs/taxonomie.md)\n" COMMON_HELP;

enum { OPT_EXPLAIN = OPT_FIRST_FREE };

/* Like cli_parse_simple, plus --explain. */
static int parse_classify(int argc, char **argv, common_options *co, const char **output,
                          bool *explain)
{
    static const struct option longopts[] = {{"output", required_argument, NULL, 'o'},
                                             {"explain", no_argument, NULL, OPT_EXPLAIN},
                                             {"help", no_argument, NULL, 'h'},
                                             COMMON_LONG_OPTIONS,
                                             {NULL, 0, NULL, 0}};
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
        if (common_option(opt, optarg, co))
            continue;
        if (opt == 'o') {
            *output = optarg;
        } else if (opt == OPT_EXPLAIN) {
            *explain = true;
        } else if (opt == 'h') {
            fputs(classify_help, stdout);
            return 0;
        } else {
            fputs(classify_help, stderr);
            return 1;
        }
    }
    return -1;
}

static int run_report(int argc, char **argv, report_kind kind)
{
    const char *help = kind == REPORT_GEOCODE ? geocode_help : classify_help;
    common_options co = {0};
    const char *output = "-";
    bool explain = false;
    int early = kind == REPORT_GEOCODE ? cli_parse_simple(argc, argv, help, &co, &output)
                                       : parse_classify(argc, argv, &co, &output, &explain);
    if (early >= 0)
        return early;
    if (argc - optind != 1) {
        fputs(help, stderr);
        return 1;
    }
    int ctx_code;
    ptce_ctx *ctx = cli_context(&co, &ctx_code);
    if (!ctx)
        return ctx_code;
    run_options ro = {.census_path = argv[optind], .without_taxonomy = kind == REPORT_GEOCODE,
                      .without_refdata = kind == REPORT_CLASSIFY};
    common_apply(&co, &ro);
    ptce_run run;
    util_strbuf sb;
    util_sb_init(&sb);
    memset(&run, 0, sizeof run);
    ptce_status st = cli_refuse_input(ctx, output, ro.census_path, &co);
    if (!st)
        st = run_load(ctx, &ro, &run);
    if (!st)
        st = validate_require_usable(ctx, &run.census, kind == REPORT_GEOCODE
                                                           ? VALIDATE_NEED_PLACE
                                                           : VALIDATE_NEED_TEXT);
    if (!st)
        st = kind == REPORT_GEOCODE ? run_geocode(ctx, &run) : run_classify(ctx, &run);
    if (!st)
        st = kind == REPORT_GEOCODE ? reports_geocode(ctx, &run, &sb) : reports_classify(ctx, &run, explain, &sb);
    if (!st)
        st = outdir_write_file_atomic(ctx, output, sb.data, sb.len);
    if (!st && kind == REPORT_GEOCODE) /* the log: escaped for the terminal, quiet-aware */
        ptce_info(ctx, "%s : %zu lignes, %zu placées, %zu ambiguës, %zu rejetées",
                  run.census.path, run.nrows, run.nplaced, run.nambiguous, run.nrejected);
    int code = st ? cli_fail(ctx, st) : 0;
    util_sb_free(&sb);
    run_free(&run);
    ptce_ctx_free(ctx);
    return code;
}

int cmd_geocode(int argc, char **argv)
{
    return run_report(argc, argv, REPORT_GEOCODE);
}

int cmd_classify(int argc, char **argv)
{
    return run_report(argc, argv, REPORT_CLASSIFY);
}
