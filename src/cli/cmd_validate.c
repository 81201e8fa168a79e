/*
 * cli/cmd_validate.c — `ptce-map validate RECENSEMENT.csv [-o RAPPORT.csv]`: the census
 * checked without making a map. Exit 0 without error (warnings allowed), 7 with errors,
 * 2 when the file cannot be read at all.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "ptce.h"
#include "app/validate.h"
#include "write/outdir.h"

static const char help[] =
    "Usage : ptce-map validate RECENSEMENT.csv [-o RAPPORT.csv] [OPTIONS]\n"
    "\n"
    "Vérifie le recensement sans produire de carte : identifiants et noms en double, nom ou\n"
    "lieu manquant, coordonnées illisibles ou hors de France, communes introuvables ou\n"
    "ambiguës (le géocodage est fait comme par build), nombre de membres ou année suspects,\n"
    "code postal qui contredit le département, lignes avec trop de cellules.\n"
    "Le rapport, en français, donne pour chaque problème le fichier, la ligne, la colonne et\n"
    "ce qu'il faut faire : d'abord les erreurs, puis les avertissements.\n"
    "\n"
    "Code de sortie : 0 sans erreur (avertissements possibles), 7 s'il y a des erreurs,\n"
    "2 si le fichier ne peut pas être lu du tout.\n"
    "\n"
    "Options :\n"
    "  -o, --output FICHIER  écrit aussi les problèmes en CSV (ligne;colonne;gravite;\n"
    "                        probleme;conseil), lisible par un tableur\n"
    "  (--quiet n'affiche pas le rapport : seuls comptent alors le code de sortie et -o)\n"
    COMMON_HELP;

int cmd_validate(int argc, char **argv)
{
    common_options co = {0};
    const char *output = NULL;
    int early = cli_parse_simple(argc, argv, help, &co, &output);
    if (early >= 0)
        return early;
    if (argc - optind != 1) {
        fprintf(stderr, "ptce-map validate : indiquez un fichier de recensement\n\n");
        fputs(help, stderr);
        return 1;
    }
    int ctx_code;
    ptce_ctx *ctx = cli_context(&co, &ctx_code);
    if (!ctx)
        return ctx_code;
    run_options ro = {.census_path = argv[optind]};
    common_apply(&co, &ro);
    validate_report rep;
    util_strbuf text, csv;
    util_sb_init(&text);
    util_sb_init(&csv);
    memset(&rep, 0, sizeof rep);
    ptce_status st = cli_refuse_input(ctx, output, ro.census_path, &co);
    if (!st)
        st = validate_census(ctx, &ro, &rep);
    if (!st && !co.quiet)
        st = validate_format_text(ctx, &rep, &text);
    if (!st && output)
        st = validate_format_csv(ctx, &rep, &csv);
    if (!st && output)
        st = outdir_write_file_atomic(ctx, output, csv.data, csv.len);
    if (!st && output && !co.quiet)
        util_sb_printf(&text, "Rapport CSV écrit : %s\n", output);
    /* The report on the standard output is an output like the CSV: a full disk or a
     * closed pipe is a write error (exit 4), not "errors found" (7). */
    if (!st && text.failed)
        st = ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
    /* The report quotes cells and headers: escaped for the terminal like the log. */
    util_strbuf shown;
    util_sb_init(&shown);
    if (!st && text.len)
        util_sb_append_for_terminal(&shown, text.data);
    if (!st && shown.failed)
        st = ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
    if (!st && shown.len)
        st = outdir_write_file_atomic(ctx, "-", shown.data, shown.len);
    util_sb_free(&shown);
    int code = st ? cli_fail(ctx, st) : rep.nerrors ? EXIT_VALIDATION_ERRORS : 0;
    util_sb_free(&text);
    util_sb_free(&csv);
    validate_report_free(&rep);
    ptce_ctx_free(ctx);
    return code;
}
