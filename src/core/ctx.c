/*
 * core/ctx.c — creating and freeing the context, error and warning messages, finding the
 * reference data folder.
 */
#include "core/ctx.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/util.h"

static void geos_message_handler(const char *message, void *userdata)
{
    ptce_ctx *ctx = userdata;
    snprintf(ctx->geos_error, sizeof ctx->geos_error, "%s", message);
}

ptce_ctx *ptce_ctx_new(FILE *log)
{
    ptce_ctx *ctx = calloc(1, sizeof *ctx);
    if (!ctx)
        return NULL;
    ctx->log = log ? log : stderr;
    ctx->geos = GEOS_init_r();
    ctx->proj = proj_context_create();
    if (!ctx->geos || !ctx->proj) {
        ptce_ctx_free(ctx);
        return NULL;
    }
    GEOSContext_setErrorMessageHandler_r(ctx->geos, geos_message_handler, ctx);
    GEOSContext_setNoticeMessageHandler_r(ctx->geos, NULL, NULL);
    /* No network at run time, whatever the user's PROJ configuration says. */
    proj_context_set_enable_network(ctx->proj, 0);
    proj_log_level(ctx->proj, PJ_LOG_NONE);
    return ctx;
}

void ptce_ctx_free(ptce_ctx *ctx)
{
    if (!ctx)
        return;
    if (ctx->geos)
        GEOS_finish_r(ctx->geos);
    if (ctx->proj)
        proj_context_destroy(ctx->proj);
    free(ctx->data_dir);
    free(ctx);
}

const char *ptce_ctx_error(const ptce_ctx *ctx)
{
    return ctx ? ctx->error : "";
}

void ptce_ctx_set_quiet(ptce_ctx *ctx, int quiet)
{
    ctx->quiet = quiet;
}

ptce_status ptce_fail(ptce_ctx *ctx, ptce_status status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ctx->error, sizeof ctx->error, fmt, ap);
    va_end(ap);
    return status;
}

static void log_line(ptce_ctx *ctx, const char *prefix, const char *fmt, va_list ap)
{
    if (ctx->quiet)
        return;
    fputs(prefix, ctx->log);
    vfprintf(ctx->log, fmt, ap);
    fputc('\n', ctx->log);
}

void ptce_warn(ptce_ctx *ctx, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    log_line(ctx, "attention : ", fmt, ap);
    va_end(ap);
}

void ptce_info(ptce_ctx *ctx, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    log_line(ctx, "", fmt, ap);
    va_end(ap);
}

static int is_data_dir(const char *dir)
{
    char path[4096];
    struct stat st;
    snprintf(path, sizeof path, "%s/communes.tsv", dir);
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

ptce_status ptce_ctx_set_data_dir(ptce_ctx *ctx, const char *dir)
{
    if (!is_data_dir(dir))
        return ptce_fail(ctx, PTCE_ERR_DATA,
                         "%s : ce dossier ne contient pas les données de référence "
                         "(communes.tsv manquant). Indiquez le dossier data/ du projet.", dir);
    char *copy = util_strdup(dir);
    if (!copy)
        return ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
    free(ctx->data_dir);
    ctx->data_dir = copy;
    return PTCE_OK;
}

/* DIR/../share/ptce-map of the running executable: an installed tree found wherever it was
 * installed (cmake --install --prefix …), not only where it was configured to go. */
static int data_beside_executable(char *out, size_t size)
{
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return 0;
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (!slash)
        return 0;
    *slash = '\0';
    snprintf(out, size, "%s/../share/ptce-map", exe);
    return 1;
}

const char *ptce_data_dir(ptce_ctx *ctx)
{
    if (ctx->data_dir)
        return ctx->data_dir;
    const char *env = getenv("PTCE_MAP_DATA");
    char beside[4200];
    const char *candidates[] = {env, data_beside_executable(beside, sizeof beside) ? beside : NULL,
                                PTCE_INSTALLED_DATA_DIR, PTCE_SOURCE_DATA_DIR};
    for (size_t i = 0; i < sizeof candidates / sizeof *candidates; i++) {
        if (candidates[i] && *candidates[i] && is_data_dir(candidates[i])) {
            ctx->data_dir = util_strdup(candidates[i]);
            return ctx->data_dir;
        }
    }
    return NULL;
}

const char *ptce_version(void)
{
    return PTCE_VERSION;
}

const char *ptce_geos_version(void)
{
    return GEOSversion();
}

const char *ptce_proj_version(void)
{
    return proj_info().version;
}
