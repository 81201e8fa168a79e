/*
 * cli/cmd_build.c — `ptce-map build [CENSUS.csv] [-o OUTDIR] [--crs EPSG:NNNN]`.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "geom/geom.h"
#include "app/build.h"
#include "app/run.h"

static const char help[] =
    "Usage : ptce-map build [RECENSEMENT.csv] [-o DOSSIER] [OPTIONS]\n"
    "\n"
    "Géocode chaque PTCE, lui attribue ses secteurs, agrège par région et département et\n"
    "écrit dans DOSSIER (défaut : out/) les Shapefiles, GeoJSON et rapports de la carte.\n"
    "Sans RECENSEMENT.csv, utilise le recensement d'exemple fourni.\n"
    "Rien n'est modifié dans DOSSIER si l'exécution échoue.\n"
    "\n"
    "Options :\n"
    "  -o, --output DOSSIER  dossier de sortie (défaut : out)\n"
    "  --crs EPSG:NNNN       système des Shapefiles en position réelle (défaut : EPSG:4326 ;\n"
    "                        EPSG:2154 pour le Lambert-93 ; un système d'outre-mer — 5490,\n"
    "                        2972, 2975, 4471 — ne garde que son territoire)\n"
    "  --groups FICHIER      agrège aussi par groupes de régions ou de départements\n"
    "                        (CSV : code_reg;groupe ou code_dep;groupe) → ptce_groupes\n"
    "  --annee AAAA          année du recensement pour les titres (défaut : une année\n"
    "                        20xx du nom du fichier, sinon celle du COG)\n"
    "  --previous ANCIEN.csv compare au recensement précédent : evolutions.csv, et les\n"
    "                        champs nb_prec et evol des régions et départements\n" COMMON_HELP;

int cmd_build(int argc, char **argv)
{
    enum { OPT_CRS = OPT_FIRST_FREE, OPT_GROUPS, OPT_ANNEE, OPT_PREVIOUS };
    static const struct option longopts[] = {
        {"output", required_argument, NULL, 'o'}, {"crs", required_argument, NULL, OPT_CRS},
        {"groups", required_argument, NULL, OPT_GROUPS},
        {"annee", required_argument, NULL, OPT_ANNEE},
        {"previous", required_argument, NULL, OPT_PREVIOUS},
        {"help", no_argument, NULL, 'h'}, COMMON_LONG_OPTIONS, {NULL, 0, NULL, 0}};
    common_options co = {0};
    build_options bo = {.outdir = "out", .epsg = 4326};
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
        if (common_option(opt, optarg, &co))
            continue;
        switch (opt) {
        case 'o':
            bo.outdir = optarg;
            break;
        case OPT_CRS:
            bo.epsg = geom_parse_epsg(optarg);
            if (!bo.epsg) {
                fprintf(stderr, "ptce-map build : --crs attend un code EPSG (ex. EPSG:2154)\n");
                return 1;
            }
            break;
        case OPT_GROUPS:
            bo.groups = optarg;
            break;
        case OPT_PREVIOUS:
            bo.previous = optarg;
            break;
        case OPT_ANNEE:
            bo.annee = atoi(optarg);
            if (bo.annee < 2000 || bo.annee > 2100) {
                fprintf(stderr, "ptce-map build : --annee attend une année (ex. 2026)\n");
                return 1;
            }
            break;
        case 'h':
            fputs(help, stdout);
            return 0;
        default:
            fputs(help, stderr);
            return 1;
        }
    }
    if (argc - optind > 1) {
        fprintf(stderr, "ptce-map build : un seul recensement à la fois\n");
        return 1;
    }
    ptce_ctx *ctx = cli_context(&co);
    if (!ctx)
        return 3;
    char sample[4096];
    bo.run.census_path = optind < argc ? argv[optind] : cli_sample_census(ctx, sample, sizeof sample);
    common_apply(&co, &bo.run);
    int code = 0;
    if (!bo.run.census_path) {
        fprintf(stderr, "ptce-map build : recensement d'exemple introuvable ; indiquez un "
                        "fichier CSV\n");
        code = 3;
    } else {
        ptce_status st = ptce_build(ctx, &bo);
        code = st ? cli_fail(ctx, st) : 0;
    }
    ptce_ctx_free(ctx);
    return code;
}
