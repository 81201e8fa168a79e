/*
 * cli/cli.h — the thin command line: one file per subcommand, shared option handling.
 *
 * Exit codes (documented in the man page and the user guide):
 *   0 success · 1 usage error · 2 unreadable or invalid input · 3 reference data missing or
 *   damaged · 4 output cannot be written · 5 out of memory · 6 GEOS/PROJ/shapelib failure ·
 *   7 `validate` found errors in the census.
 */
#ifndef PTCE_CLI_H
#define PTCE_CLI_H

#include "ptce.h"

#define EXIT_VALIDATION_ERRORS 7

/* Options every subcommand takes. */
typedef struct common_options {
    const char *data_dir;
    const char *columns;
    const char *taxonomy;
    const char *overrides;
    const char *ban[64]; /* --ban files or folders, as given (argv strings) */
    size_t nban;
    int quiet;
    int failed;          /* an option could not be taken (message printed) */
} common_options;

/* Handles a common option; returns 1 when `opt` was one. */
int common_option(int opt, const char *arg, common_options *co);

/* Copies the common options that matter to the pipeline into run options. */
struct run_options;
void common_apply(const common_options *co, struct run_options *ro);

/* Parses the options of a subcommand that takes only -o/--output and the common ones.
 * Returns -1 to go on (the operands start at optind), or the exit code to return at once
 * (0 after --help, 1 for an unknown option). `*output` keeps its default when -o is not
 * given. */
int cli_parse_simple(int argc, char **argv, const char *help, common_options *co,
                     const char **output);

/* Creates the context and applies the common options; prints the error, sets *code to the
 * exit code (1 for an option already refused, 3 for the data folder…) and returns NULL on
 * failure. */
ptce_ctx *cli_context(const common_options *co, int *code);

/* Refuses (status and message) an -o file that is the census or another input file, or a
 * file already in a folder that is read (--ban DOSSIER, the reference data). */
ptce_status cli_refuse_input(ptce_ctx *ctx, const char *output, const char *census_path,
                             const common_options *co);

/* Prints the context's error with the program name and returns the exit code. */
int cli_fail(ptce_ctx *ctx, ptce_status st);

/* The bundled sample census, for `build` without argument. */
const char *cli_sample_census(ptce_ctx *ctx, char *buf, size_t size);

int cmd_build(int argc, char **argv);
int cmd_geocode(int argc, char **argv);
int cmd_classify(int argc, char **argv);
int cmd_validate(int argc, char **argv);
int cmd_diff(int argc, char **argv);

/* getopt_long codes of the common options (above the range of short options). */
enum {
    OPT_DATA = 256,
    OPT_COLUMNS,
    OPT_TAXONOMY,
    OPT_QUIET,
    OPT_OVERRIDES,
    OPT_BAN,
    OPT_FIRST_FREE
};

#define COMMON_LONG_OPTIONS                                                                  \
    {"data", required_argument, NULL, OPT_DATA},                                             \
        {"columns", required_argument, NULL, OPT_COLUMNS},                                   \
        {"taxonomie", required_argument, NULL, OPT_TAXONOMY},                                \
        {"quiet", no_argument, NULL, OPT_QUIET},                                             \
        {"overrides", required_argument, NULL, OPT_OVERRIDES},                               \
        {"ban", required_argument, NULL, OPT_BAN}

#define COMMON_HELP                                                                          \
    "  --data DOSSIER        données de référence (défaut : installées, ou data/ du projet)\n" \
    "  --columns R=COL,...   associe des colonnes du recensement aux rôles (ex. commune=Ville)\n" \
    "  --taxonomie FICHIER   taxonomie des secteurs (défaut : DATA/taxonomie.txt)\n"           \
    "  --overrides FICHIER   corrections manuelles par identifiant (id;insee;latitude;longitude)\n" \
    "  --ban FICHIER|DOSSIER base adresse nationale (adresses-DD.csv[.gz]) pour placer les\n"   \
    "                        adresses ; à répéter, ou un dossier de tels fichiers\n"         \
    "  --quiet               n'affiche ni avertissements ni résumé\n"                          \
    "  -h, --help            cette aide\n"

#endif
