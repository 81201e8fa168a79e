/*
 * cli/cmd_diff.c — `ptce-map diff ANCIEN.csv NOUVEAU.csv [-o DOSSIER]`: what changed from
 * one census year to the next, in DOSSIER/evolutions.csv and a printed summary.
 */
#include <stdio.h>
#include <unistd.h>

#include "app/run.h"
#include "cli/cli.h"
#include "ptce.h"
#include "diff/diff.h"
#include "write/outdir.h"
#include "write/writers.h"

static const char help[] =
    "Usage : ptce-map diff ANCIEN.csv NOUVEAU.csv [-o DOSSIER] [OPTIONS]\n"
    "\n"
    "Compare deux recensements (l'an dernier, cette année) : chacun est géocodé et classé\n"
    "comme par build, puis les PTCE sont rapprochés par identifiant, à défaut par nom\n"
    "(identique ou proche, de préférence dans la même commune ou le même département).\n"
    "Écrit DOSSIER/evolutions.csv (id;nom;changement;avant;apres), une ligne par\n"
    "changement : nouveau, disparu, deplace (commune changée), renomme, secteur (secteur\n"
    "principal changé), commune_fusionnee (code ou nom d'une ancienne commune, lu comme la\n"
    "commune nouvelle). Affiche un résumé : nombre de changements par type, nouveaux et\n"
    "disparus par région, lignes concernées par une fusion, PTCE rapprochés par le nom.\n"
    "Les autres fichiers de DOSSIER ne sont pas touchés.\n"
    "\n"
    "Options :\n"
    "  -o, --output DOSSIER  dossier de sortie (défaut : out)\n"
    "  (--columns s'applique aux deux recensements)\n" COMMON_HELP;

int cmd_diff(int argc, char **argv)
{
    common_options co = {0};
    const char *outdir_path = "out";
    int early = cli_parse_simple(argc, argv, help, &co, &outdir_path);
    if (early >= 0)
        return early;
    if (argc - optind != 2) {
        fprintf(stderr, "ptce-map diff : indiquez deux recensements, l'ancien puis le "
                        "nouveau\n\n");
        fputs(help, stderr);
        return 1;
    }
    int ctx_code;
    ptce_ctx *ctx = cli_context(&co, &ctx_code);
    if (!ctx)
        return ctx_code;
    ptce_run old_run, new_run;
    diff_result d;
    util_strbuf csv, summary;
    util_sb_init(&csv);
    util_sb_init(&summary);
    int have_diff = 0;
    /* Each census loaded, geocoded and classified; the new year uses the old year's
     * reference data, and a place or a description already seen in the old year is not
     * placed or classified again (run_two_years). */
    run_options old_opts = {.census_path = argv[optind]};
    run_options new_opts = {.census_path = argv[optind + 1]};
    common_apply(&co, &old_opts);
    common_apply(&co, &new_opts);
    ptce_status st = run_two_years(ctx, &old_opts, &new_opts, &old_run, &new_run);
    if (!st) {
        st = diff_runs(ctx, &old_run, &new_run, &d);
        have_diff = 1;
    }
    if (!st)
        st = diff_write_csv(ctx, &d, &csv);
    if (!st && !co.quiet)
        st = diff_format_summary(ctx, &d, &old_run, &new_run, &summary);
    if (!st) {
        outdir od;
        st = outdir_open(ctx, outdir_path, "diff", NULL, &od);
        if (!st) {
            st = writers_write_bytes(ctx, &od, "evolutions.csv", csv.data, csv.len);
            if (!st)
                st = outdir_commit(ctx, &od);
            if (st)
                outdir_abort(&od);
        }
    }
    if (!st && !co.quiet) {
        util_sb_printf(&summary, "\nFichier écrit : %s/evolutions.csv\n", outdir_path);
        /* A full disk or a closed pipe on the standard output is a write error (exit 4). */
        if (summary.failed)
            st = ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
        else
            st = outdir_write_file_atomic(ctx, "-", summary.data, summary.len);
    }
    int code = st ? cli_fail(ctx, st) : 0;
    util_sb_free(&csv);
    util_sb_free(&summary);
    if (have_diff)
        diff_result_free(&d);
    run_free(&new_run);
    run_free(&old_run);
    ptce_ctx_free(ctx);
    return code;
}
