/*
 * cli/cmd_build.c — `ptce-map build [CENSUS.csv] [-o OUTDIR] [--crs EPSG:NNNN]`.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
    "                        champs nb_prec et evol des régions et départements\n"
    "  --tuiles MODÈLE_URL   fond de tuiles de la carte web (web/), par exemple\n"
    "                        https://tuiles.exemple.fr/{z}/{x}/{y}.png ; sans cette option\n"
    "                        la carte web n'utilise que nos contours et ne charge rien\n"
    "  --attribution TEXTE   mention exigée par le fournisseur des tuiles (obligatoire\n"
    "                        avec --tuiles)\n"
    "  --date AAAA-MM-JJ     date de l'édition, imprimée sur la carte et enregistrée dans le\n"
    "                        GeoPackage, le classeur et le PDF (défaut : 1er janvier de\n"
    "                        l'année du recensement, jamais la date du jour : mêmes\n"
    "                        données, mêmes fichiers)\n" COMMON_HELP;

/* --tuiles must be a web address with {z}, {x} and {y}, and comes with its attribution
 * (tile providers require it; the map shows it). */
static int check_tiles(const char *tiles, const char *attribution)
{
    if (!tiles && !attribution)
        return 1;
    if (!tiles) {
        fprintf(stderr, "ptce-map build : --attribution ne sert qu'avec --tuiles\n");
        return 0;
    }
    if ((strncmp(tiles, "https://", 8) != 0 && strncmp(tiles, "http://", 7) != 0) ||
        !strstr(tiles, "{z}") || !strstr(tiles, "{x}") || !strstr(tiles, "{y}")) {
        fprintf(stderr, "ptce-map build : --tuiles attend une adresse http(s) avec {z}, {x} et "
                        "{y} (ex. https://tuiles.exemple.fr/{z}/{x}/{y}.png), pas « %s »\n",
                tiles);
        return 0;
    }
    if (!attribution || !*attribution) {
        fprintf(stderr, "ptce-map build : --tuiles demande --attribution TEXTE (la mention du "
                        "fournisseur des tuiles, affichée sur la carte)\n");
        return 0;
    }
    return 1;
}

/* "AAAA-MM-JJ", a real calendar day between 2000 and 2100. */
static int cli_valid_date(const char *s)
{
    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return 0;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            return 0;
    int y = atoi(s), m = atoi(s + 5), d = atoi(s + 8);
    static const int days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 2000 || y > 2100 || m < 1 || m > 12 || d < 1 || d > days[m - 1])
        return 0;
    return !(m == 2 && d == 29 && (y % 4 != 0 || (y % 100 == 0 && y % 400 != 0)));
}

int cmd_build(int argc, char **argv)
{
    enum { OPT_CRS = OPT_FIRST_FREE, OPT_GROUPS, OPT_ANNEE, OPT_PREVIOUS, OPT_TUILES,
           OPT_ATTRIBUTION, OPT_DATE };
    static const struct option longopts[] = {
        {"output", required_argument, NULL, 'o'}, {"crs", required_argument, NULL, OPT_CRS},
        {"groups", required_argument, NULL, OPT_GROUPS},
        {"annee", required_argument, NULL, OPT_ANNEE},
        {"previous", required_argument, NULL, OPT_PREVIOUS},
        {"tuiles", required_argument, NULL, OPT_TUILES},
        {"attribution", required_argument, NULL, OPT_ATTRIBUTION},
        {"date", required_argument, NULL, OPT_DATE},
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
        case OPT_TUILES:
            bo.tiles = optarg;
            break;
        case OPT_ATTRIBUTION:
            bo.tiles_attribution = optarg;
            break;
        case OPT_DATE:
            if (!cli_valid_date(optarg)) {
                fprintf(stderr, "ptce-map build : --date attend une date AAAA-MM-JJ (ex. "
                                "2026-03-01), « %s » n'en est pas une\n", optarg);
                return 1;
            }
            bo.date = optarg;
            break;
        case OPT_ANNEE:
            bo.annee = atoi(optarg);
            if (bo.annee < PTCE_YEAR_MIN || bo.annee > PTCE_YEAR_MAX) {
                fprintf(stderr, "ptce-map build : --annee attend une année de %d à %d (ex. 2026)\n",
                        PTCE_YEAR_MIN, PTCE_YEAR_MAX);
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
    if (!check_tiles(bo.tiles, bo.tiles_attribution))
        return 1;
    if (argc - optind > 1) {
        fprintf(stderr, "ptce-map build : un seul recensement à la fois\n");
        return 1;
    }
    int ctx_code;
    ptce_ctx *ctx = cli_context(&co, &ctx_code);
    if (!ctx)
        return ctx_code;
    char sample[4096];
    bo.run.census_path = optind < argc ? argv[optind] : cli_sample_census(ctx, sample, sizeof sample);
    common_apply(&co, &bo.run);
    int code = 0;
    if (!bo.run.census_path) {
        fprintf(stderr, "ptce-map build : recensement d'exemple introuvable ; indiquez un "
                        "fichier CSV\n");
        code = 3;
    } else {
        ptce_status st = build_run(ctx, &bo);
        code = st ? cli_fail(ctx, st) : 0;
    }
    ptce_ctx_free(ctx);
    return code;
}
