/*
 * core/ctx.c — creating and freeing the context, error and warning messages, finding the
 * reference data folder.
 */
#include "core/ctx.h"

#include <errno.h>
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

void ptce_ctx_init_detached(ptce_ctx *ctx)
{
    memset(ctx, 0, sizeof *ctx);
    ctx->quiet = 1; /* log_line returns before it would need ctx->log */
}

int ptce_ctx_init_deferred(ptce_ctx *ctx, const ptce_ctx *parent)
{
    ptce_ctx_init_detached(ctx);
    ctx->quiet = parent->quiet;
    if (ctx->quiet)
        return 0; /* nothing would be printed: nothing to keep */
    ctx->log = open_memstream(&ctx->deferred, &ctx->ndeferred);
    return ctx->log ? 0 : -1;
}

void ptce_ctx_end_deferred(ptce_ctx *parent, ptce_ctx *ctx, int print)
{
    if (!ctx->log)
        return;
    /* A line that could not be kept is short of memory like any other log line. */
    if (fclose(ctx->log) == 0 && print && ctx->ndeferred)
        fwrite(ctx->deferred, 1, ctx->ndeferred, parent->log);
    ctx->log = NULL;
    free(ctx->deferred);
    ctx->deferred = NULL;
    ctx->ndeferred = 0;
}

ptce_status ptce_ctx_take_failure(ptce_ctx *ctx, const ptce_ctx *from, ptce_status st)
{
    if (st == PTCE_OK)
        return PTCE_OK;
    /* The same size of message on both sides: nothing is cut. */
    return ptce_fail(ctx, st, "%s", from->error);
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
    ctx->status = status;
    return status;
}

const char *ptce_errno_text(int err)
{
    switch (err) {
    case ENOSPC: return "disque plein";
    case EDQUOT: return "quota disque dépassé";
    case EACCES: return "permission refusée";
    case EPERM: return "opération non permise";
    case EROFS: return "système de fichiers en lecture seule";
    case EFBIG: return "fichier trop gros";
    case ENOENT: return "fichier ou dossier introuvable";
    case EEXIST: return "existe déjà";
    case ENOTDIR: return "un élément du chemin n'est pas un dossier";
    case EISDIR: return "c'est un dossier";
    case ENAMETOOLONG: return "nom de fichier trop long";
    case EMFILE:
    case ENFILE: return "trop de fichiers ouverts";
    case ENOMEM: return "mémoire insuffisante";
    case EIO: return "erreur d'entrée-sortie du disque";
    case ENOLCK: return "plus de verrou disponible";
    case ELOOP: return "trop de liens symboliques imbriqués";
    case ENOTEMPTY: return "dossier non vide";
    case EXDEV: return "pas sur le même système de fichiers";
    case EBUSY: return "ressource occupée";
    case ETXTBSY: return "fichier en cours d'utilisation";
    case EINVAL: return "argument invalide";
    case UTIL_ERR_NOT_REGULAR: return "ce n'est pas un fichier ordinaire : tube, périphérique…";
    default: return strerror(err);
    }
}

ptce_status ptce_fail_read(ptce_ctx *ctx, ptce_status status, const char *path, int err)
{
    if (err == ENOMEM)
        return ptce_fail(ctx, PTCE_ERR_MEMORY, "%s : mémoire insuffisante pour lire ce fichier.",
                         path);
    if (err == EFBIG) /* util_read_file's bound */
        return ptce_fail(ctx, status, "%s : fichier trop gros pour être lu (plus de %zu Mio) ; "
                         "vérifiez que c'est le bon fichier, ou découpez-le.", path,
                         UTIL_READ_MAX >> 20);
    return ptce_fail(ctx, status, "%s : lecture impossible (%s).", path, ptce_errno_text(err));
}

ptce_status ptce_ctx_status(const ptce_ctx *ctx, ptce_status otherwise)
{
    return ctx->status ? ctx->status : otherwise;
}

/* Every line of the log goes through util_sb_append_for_terminal: the values it quotes
 * come from census cells, headers and file names. */
static void log_line(ptce_ctx *ctx, const char *prefix, const char *fmt, va_list ap)
{
    if (ctx->quiet)
        return;
    char small[1024];
    va_list again;
    va_copy(again, ap);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    char *text = small;
    if (n >= (int)sizeof small) {
        text = malloc((size_t)n + 1);
        if (text)
            vsnprintf(text, (size_t)n + 1, fmt, again);
        else
            text = small; /* cut, but a line all the same */
    }
    va_end(again);
    util_strbuf sb;
    util_sb_init(&sb);
    util_sb_append(&sb, prefix);
    util_sb_append_for_terminal(&sb, n < 0 ? "" : text);
    util_sb_append_char(&sb, '\n');
    fputs(sb.failed || !sb.data ? "(mémoire insuffisante pour un message)\n" : sb.data,
          ctx->log);
    util_sb_free(&sb);
    if (text != small)
        free(text);
}

void ptce_print_for_terminal(FILE *f, const char *prefix, const char *text)
{
    util_strbuf sb;
    util_sb_init(&sb);
    util_sb_append(&sb, prefix);
    util_sb_append_for_terminal(&sb, text);
    util_sb_append_char(&sb, '\n');
    fputs(sb.failed || !sb.data ? "(mémoire insuffisante pour un message)\n" : sb.data, f);
    util_sb_free(&sb);
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
    int n = snprintf(path, sizeof path, "%s/communes.tsv", dir);
    if (n < 0 || (size_t)n >= sizeof path)
        return 0; /* a path longer than the system's limit holds no data folder */
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
    int len = snprintf(out, size, "%s/../share/ptce-map", exe);
    return len >= 0 && (size_t)len < size;
}

const char *ptce_data_dir(ptce_ctx *ctx)
{
    if (ctx->data_dir)
        return ctx->data_dir;
    if (ctx->found_dir[0])
        return ctx->found_dir;
    const char *env = getenv("PTCE_MAP_DATA");
    char beside[4200];
    const char *candidates[] = {env, data_beside_executable(beside, sizeof beside) ? beside : NULL,
                                PTCE_INSTALLED_DATA_DIR, PTCE_SOURCE_DATA_DIR};
    for (size_t i = 0; i < sizeof candidates / sizeof *candidates; i++) {
        if (candidates[i] && *candidates[i] && is_data_dir(candidates[i])) {
            if (snprintf(ctx->found_dir, sizeof ctx->found_dir, "%s", candidates[i]) >=
                (int)sizeof ctx->found_dir) {
                ctx->found_dir[0] = '\0'; /* too long to be used whole */
                continue;
            }
            return ctx->found_dir;
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
