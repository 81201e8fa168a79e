/*
 * cli/common.c — options shared by every subcommand, context creation, error printing.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "ptce.h"
#include "app/run.h"
#include "census/census.h"
#include "write/outdir.h"

void common_apply(const common_options *co, run_options *ro)
{
    ro->columns = co->columns;
    ro->taxonomy_path = co->taxonomy;
    ro->overrides = co->overrides;
    ro->ban_paths = co->ban;
    ro->nban = co->nban;
}

int common_option(int opt, const char *arg, common_options *co)
{
    switch (opt) {
    case OPT_OVERRIDES:
        co->overrides = arg;
        return 1;
    case OPT_BAN:
        if (co->nban == sizeof co->ban / sizeof *co->ban) {
            fprintf(stderr, "ptce-map : trop d'options --ban ; donnez plutôt un dossier\n");
            co->failed = 1;
        } else {
            co->ban[co->nban++] = arg;
        }
        return 1;
    case OPT_DATA:
        co->data_dir = arg;
        return 1;
    case OPT_COLUMNS:
        co->columns = arg;
        return 1;
    case OPT_TAXONOMY:
        co->taxonomy = arg;
        return 1;
    case OPT_QUIET:
        co->quiet = 1;
        return 1;
    }
    return 0;
}

ptce_ctx *cli_context(const common_options *co, int *code)
{
    if (co->failed) {
        *code = PTCE_ERR_USAGE; /* the option's message is printed */
        return NULL;
    }
    ptce_ctx *ctx = ptce_ctx_new(stderr);
    if (!ctx) {
        /* GEOS_init_r and proj_context_create fail only when memory runs out. */
        fprintf(stderr, "ptce-map : mémoire insuffisante pour initialiser GEOS et PROJ\n");
        *code = PTCE_ERR_MEMORY;
        return NULL;
    }
    ptce_ctx_set_quiet(ctx, co->quiet);
    /* Usage errors first: a wrong --columns is exit 1 even when --data is wrong too. */
    ptce_status st = census_check_columns(ctx, co->columns);
    if (!st && co->data_dir)
        st = ptce_ctx_set_data_dir(ctx, co->data_dir);
    if (st != PTCE_OK) {
        ptce_print_for_terminal(stderr, "ptce-map : ", ptce_ctx_error(ctx));
        ptce_ctx_free(ctx);
        *code = (int)st;
        return NULL;
    }
    return ctx;
}

ptce_status cli_refuse_input(ptce_ctx *ctx, const char *output, const char *census_path,
                             const common_options *co)
{
    const char *inputs[4 + sizeof co->ban / sizeof *co->ban];
    size_t n = 0;
    inputs[n++] = census_path;
    inputs[n++] = co->taxonomy;
    inputs[n++] = co->overrides;
    inputs[n++] = ptce_data_dir(ctx); /* its tables, the default taxonomy and its model */
    for (size_t i = 0; i < co->nban; i++)
        inputs[n++] = co->ban[i];
    return outdir_refuse_input(ctx, output, inputs, n);
}

int cli_fail(ptce_ctx *ctx, ptce_status st)
{
    ptce_print_for_terminal(stderr, "ptce-map : ", ptce_ctx_error(ctx));
    return (int)st;
}

const char *cli_sample_census(ptce_ctx *ctx, char *buf, size_t size)
{
    const char *dir = ptce_data_dir(ctx);
    if (!dir)
        return NULL;
    snprintf(buf, size, "%s/sample/census-sample.csv", dir);
    struct stat st;
    return stat(buf, &st) == 0 ? buf : NULL;
}

int cli_parse_simple(int argc, char **argv, const char *help, common_options *co,
                     const char **output)
{
    static const struct option longopts[] = {{"output", required_argument, NULL, 'o'},
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
        } else if (opt == 'h') {
            fputs(help, stdout);
            return 0;
        } else {
            fputs(help, stderr);
            return 1;
        }
    }
    return -1;
}
