/*
 * cli/main.c — `ptce-map`: dispatch to the subcommands. The only place that exits.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "ptce.h"
#include "write/outdir.h"

static const char usage[] =
    "Usage : ptce-map COMMANDE [OPTIONS]\n"
    "\n"
    "Carte nationale des pôles territoriaux de coopération économique (PTCE).\n"
    "\n"
    "Commandes :\n"
    "  build [RECENSEMENT.csv] [-o DOSSIER]   géocode, classe, agrège et écrit la carte\n"
    "  geocode RECENSEMENT.csv [-o RESULTAT.csv]   place chaque ligne sur sa commune\n"
    "  classify RECENSEMENT.csv [-o RESULTAT.csv]  attribue les secteurs\n"
    "  validate RECENSEMENT.csv [-o RAPPORT.csv]   vérifie le recensement, sans carte\n"
    "  diff ANCIEN.csv NOUVEAU.csv [-o DOSSIER]    évolutions d'une année à l'autre\n"
    "\n"
    "  ptce-map COMMANDE --help   aide d'une commande\n"
    "  ptce-map --version         versions de ptce-map, GEOS et PROJ\n"
    "\n"
    "Codes de sortie : 0 succès, 1 usage, 2 entrée illisible, 3 données de référence,\n"
    "4 écriture, 5 mémoire, 6 GEOS/PROJ/shapelib, 7 erreurs trouvées par validate.\n";

static int dispatch(int argc, char **argv);

/* What went to the standard output (validate's report, diff's and build's summaries) must
 * have been written: a full disk or a closed pipe is an write error (exit 4), not a success
 * or "errors found" (7). An earlier failure keeps its own code. */
static int finish_stdout(int code)
{
    errno = 0;
    if (fflush(stdout) == 0 && !ferror(stdout))
        return code;
    int err = errno ? errno : EIO;
    fprintf(stderr, "ptce-map : sortie standard : écriture impossible (%s)%s\n",
            ptce_errno_text(err), err == ENOSPC || err == EDQUOT
                                      ? " ; libérez de la place sur le disque ou écrivez "
                                        "ailleurs (-o)"
                                      : "");
    return code == 0 || code == EXIT_VALIDATION_ERRORS ? PTCE_ERR_IO : code;
}

int main(int argc, char **argv)
{
    return finish_stdout(dispatch(argc, argv));
}

static int dispatch(int argc, char **argv)
{
    outdir_catch_signals();
    if (argc < 2) {
        fputs(usage, stderr);
        return 1;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--version") || !strcmp(cmd, "version")) {
        printf("ptce-map %s (GEOS %s, PROJ %s)\n", ptce_version(), ptce_geos_version(),
               ptce_proj_version());
        ptce_ctx *ctx = ptce_ctx_new(NULL);
        const char *dir = ctx ? ptce_data_dir(ctx) : NULL;
        printf("données de référence : %s\n", dir ? dir : "introuvables");
        ptce_ctx_free(ctx);
        return 0;
    }
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
        fputs(usage, stdout);
        return 0;
    }
    if (!strcmp(cmd, "build"))
        return cmd_build(argc - 1, argv + 1);
    if (!strcmp(cmd, "geocode"))
        return cmd_geocode(argc - 1, argv + 1);
    if (!strcmp(cmd, "classify"))
        return cmd_classify(argc - 1, argv + 1);
    if (!strcmp(cmd, "validate"))
        return cmd_validate(argc - 1, argv + 1);
    if (!strcmp(cmd, "diff"))
        return cmd_diff(argc - 1, argv + 1);
    fprintf(stderr, "ptce-map : commande inconnue « %s »\n\n%s", cmd, usage);
    return 1;
}
