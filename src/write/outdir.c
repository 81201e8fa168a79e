/*
 * write/outdir.c — see outdir.h for the layout and the guarantees.
 */
#define _GNU_SOURCE /* renameat2, RENAME_EXCHANGE, getdents64 (glibc 2.30, Linux 3.15) */
#include "write/outdir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/ctx.h"
#include "core/util.h"

#define LEGACY_TMP_PREFIX ".ptce-map-tmp-" /* temporary folders and files of earlier runs */
#define TMP_PREFIX ".ptce-map-tmp-"        /* temporary file of outdir_write_file_atomic */
#define LOCK_NAME "verrou"
#define CURRENT_NAME "courant"
#define GEN_PREFIX "g-"
#define MANIFEST_NAME "manifeste" /* only without symbolic links (see outdir.h) */
#define TREE_DEPTH 8             /* deepest sub-folder of a generation (web/lib/…) */

/* ---- interruption --------------------------------------------------------------------
 * The one piece of mutable static state of the library, because a signal handler cannot
 * be handed a context: what to remove if the process is interrupted now. It is set before
 * the thing exists and cleared before the thing is handed over (the commit runs with the
 * signals blocked), so the handler only ever removes a generation or a temporary file that
 * nobody sees. One at a time: a second outdir opened while one is armed is not covered. */
static struct {
    volatile sig_atomic_t armed; /* 0 nothing, 1 a folder, 2 a file */
    int dirfd;                   /* folder holding it */
    char name[64];               /* its name there */
    char shown[1024];            /* its path, for the message */
    int made_meta_in;            /* -1, or the output folder whose .ptce-map this run made */
    int made_prod_in;            /* -1, or the .ptce-map whose producer folder this run made */
    char prod_name[32];          /* that producer folder's name */
    char made_final[1024];       /* "", or the output folder this run made (as given) */
} pending = {.made_meta_in = -1, .made_prod_in = -1};

/* Async-signal-safe removal of pending.name (getdents64, unlinkat, openat only). */
static void remove_tree_raw(int pfd, const char *name, int depth)
{
    int fd = openat(pfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return;
    char buf[4096];
    for (int pass = 0; pass < 64; pass++) {
        long n = (long)getdents64(fd, buf, sizeof buf);
        if (n <= 0)
            break;
        for (long off = 0; off < n;) {
            struct dirent64 *e = (struct dirent64 *)(void *)(buf + off);
            off += e->d_reclen;
            if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
                continue;
            if (unlinkat(fd, e->d_name, 0) != 0 && depth > 0)
                remove_tree_raw(fd, e->d_name, depth - 1);
        }
    }
    close(fd);
    unlinkat(pfd, name, AT_REMOVEDIR);
}

static void write_raw(const char *s)
{
    size_t n = strlen(s);
    while (n > 0) {
        ssize_t w = write(STDERR_FILENO, s, n);
        if (w <= 0)
            return;
        s += w;
        n -= (size_t)w;
    }
}

static void on_signal(int sig)
{
    int saved = errno;
    if (pending.armed) {
        if (pending.armed == 1)
            remove_tree_raw(pending.dirfd, pending.name, TREE_DEPTH);
        else
            unlinkat(pending.dirfd, pending.name, 0);
        /* A first run into a new folder leaves nothing: its .ptce-map, then the folder
         * itself when it made it (rmdir only removes it empty); a first run of another
         * command beside earlier outputs, its own folder in .ptce-map. */
        if (pending.made_prod_in >= 0)
            unlinkat(pending.made_prod_in, pending.prod_name, AT_REMOVEDIR);
        if (pending.made_meta_in >= 0)
            remove_tree_raw(pending.made_meta_in, OUTDIR_META, TREE_DEPTH);
        if (pending.made_final[0])
            rmdir(pending.made_final);
        pending.armed = 0;
        write_raw("\nptce-map : interrompu ; fichiers temporaires supprimés (");
        write_raw(pending.shown);
        write_raw("), la sortie est restée telle qu'elle était.\n");
    } else {
        write_raw("\nptce-map : interrompu.\n");
    }
    errno = saved;
    signal(sig, SIG_DFL);
    raise(sig);
}

void outdir_catch_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    static const int sigs[] = {SIGINT, SIGTERM, SIGHUP};
    for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++) {
        struct sigaction was;
        /* A signal the caller ignores (nohup, `cmd &` in a script) stays ignored. */
        if (sigaction(sigs[i], NULL, &was) == 0 && was.sa_handler == SIG_IGN)
            continue;
        sigaction(sigs[i], &sa, NULL);
    }
    /* Past the file-size limit, write() then fails with EFBIG and the run stops with its
     * message through the normal path (which removes the temporary files). */
    signal(SIGXFSZ, SIG_IGN);
}

static void arm(int kind, int dirfd, const char *name, const char *shown)
{
    if (pending.armed)
        return;
    pending.dirfd = dirfd;
    size_t n = strnlen(name, sizeof pending.name - 1);
    memcpy(pending.name, name, n);
    pending.name[n] = '\0';
    n = strnlen(shown, sizeof pending.shown - 1); /* a long path is shown cut */
    memcpy(pending.shown, shown, n);
    pending.shown[n] = '\0';
    pending.armed = kind;
}

static void disarm(int dirfd, const char *name)
{
    if (pending.armed && pending.dirfd == dirfd && !strcmp(pending.name, name)) {
        pending.armed = 0;
        pending.made_meta_in = -1;
        pending.made_prod_in = -1;
        pending.made_final[0] = '\0';
    }
}

/* The signals that would remove temporary files, held back while they are handed over. */
static void block_signals(sigset_t *old)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    sigprocmask(SIG_BLOCK, &set, old);
}

/* ---- small file-system helpers --------------------------------------------------------- */

static int mkdir_p(const char *path)
{
    char buf[4096];
    if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf) {
        errno = ENAMETOOLONG; /* never create the folders of a cut path */
        return -1;
    }
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(buf, 0777) != 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    if (mkdir(buf, 0777) != 0 && errno != EEXIST)
        return -1;
    struct stat st;
    if (stat(buf, &st) != 0)
        return -1;
    if (!S_ISDIR(st.st_mode)) {
        errno = ENOTDIR;
        return -1;
    }
    return 0;
}

/* Removes `name` in pfd and everything in it, never following a link. */
static void remove_tree_at(int pfd, const char *name)
{
    remove_tree_raw(pfd, name, TREE_DEPTH);
}

/* The folder holding `path` ("." for a bare name, "/" at the root). */
static void parent_folder(const char *path, char *out, size_t size)
{
    const char *slash = strrchr(path, '/');
    if (slash && slash != path)
        snprintf(out, size, "%.*s", (int)(slash - path), path);
    else
        snprintf(out, size, "%s", slash ? "/" : ".");
}

/* Leftovers of killed runs of earlier versions, and temporary report files: removed only
 * when their owner process (the number after the prefix) is gone. */
static void remove_stale_tmp(const char *folder)
{
    int dfd = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0)
        return;
    DIR *d = fdopendir(dfd);
    if (!d) {
        close(dfd);
        return;
    }
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strncmp(e->d_name, LEGACY_TMP_PREFIX, strlen(LEGACY_TMP_PREFIX)) != 0)
            continue;
        long pid = strtol(e->d_name + strlen(LEGACY_TMP_PREFIX), NULL, 10);
        if (pid > 0 && kill((pid_t)pid, 0) == 0)
            continue;
        if (unlinkat(dfd, e->d_name, 0) != 0)
            remove_tree_at(dfd, e->d_name);
    }
    closedir(d);
}

/* A name unique to this process and moment: prefix-pid-nanoseconds-counter. */
static void unique_name(char *buf, size_t size, const char *prefix, unsigned *counter)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    snprintf(buf, size, "%s%ld-%lx%lx-%u", prefix, (long)getpid(), (unsigned long)ts.tv_sec,
             (unsigned long)ts.tv_nsec, (*counter)++);
}

static ptce_status fail_errno(ptce_ctx *ctx, int err, const char *what, const char *path)
{
    if (err == ENOMEM)
        return ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
    return ptce_fail(ctx, PTCE_ERR_IO, "%s : %s (%s)%s", path, what, ptce_errno_text(err),
                     err == EFBIG ? " ; la taille maximale des fichiers (ulimit -f) est atteinte"
                     : err == ENOSPC || err == EDQUOT ? " ; libérez de la place sur le disque ou "
                     "écrivez ailleurs" : "");
}

ptce_status outdir_write_error(ptce_ctx *ctx, const char *path, int err)
{
    return fail_errno(ctx, err ? err : EIO, "écriture impossible", path);
}

/* True when the real (resolved) path `real` lies inside a .ptce-map folder: out/web and
 * out/carte are links into a generation, which the next run of that folder removes. */
static int inside_meta(const char *real)
{
    size_t m = strlen(OUTDIR_META);
    for (const char *p = strstr(real, "/" OUTDIR_META); p; p = strstr(p + 1, "/" OUTDIR_META))
        if (p[m + 1] == '/' || p[m + 1] == '\0')
            return 1;
    return 0;
}

static ptce_status fail_inside_meta(ptce_ctx *ctx, const char *path)
{
    return ptce_fail(ctx, PTCE_ERR_IO, "%s : ce chemin mène dans le dossier " OUTDIR_META "/ "
                     "d'une sortie de ptce-map (carte/, web/… y sont des liens) ; ce qui y "
                     "serait écrit disparaîtrait au prochain build de cette sortie. Choisissez "
                     "un dossier hors de la sortie (-o).", path);
}

/* ---- open ----------------------------------------------------------------------------- */

static void close_fd(int *fd)
{
    if (*fd >= 0)
        close(*fd);
    *fd = -1;
}

/* Frees what the outdir holds (the folders on disk are left as they are). */
static void outdir_release(outdir *od)
{
    disarm(od->prodfd, od->gen);
    for (size_t i = 0; i < od->nnames; i++)
        free(od->names[i]);
    free(od->names);
    free(od->final);
    free(od->tmp);
    close_fd(&od->prodfd);
    close_fd(&od->metafd);
    close_fd(&od->lockfd); /* releases the lock */
    close_fd(&od->dirfd);
    memset(od, 0, sizeof *od);
    od->dirfd = od->metafd = od->prodfd = od->lockfd = -1;
}

/* Opens `name` in pfd as a folder of ours, making it if missing; a link or a file there
 * is refused. */
static int open_own_folder(int pfd, const char *name, int *created)
{
    if (mkdirat(pfd, name, 0777) == 0) {
        if (created)
            *created = 1;
    } else if (errno != EEXIST) {
        return -1;
    }
    return openat(pfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

/* The generation `courant` points to, or "" when none. */
static void current_generation(int prodfd, char *buf, size_t size)
{
    ssize_t n = readlinkat(prodfd, CURRENT_NAME, buf, size - 1);
    if (n <= 0 || strncmp(buf, GEN_PREFIX, strlen(GEN_PREFIX)) != 0 ||
        memchr(buf, '/', (size_t)n)) {
        buf[0] = '\0';
        return;
    }
    buf[n] = '\0';
}

/* Under the lock every generation but the one on view is a leftover of a killed run. */
static void remove_stale_generations(int prodfd, const char *keep)
{
    int fd = dup(prodfd);
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
    if (!d) {
        if (fd >= 0)
            close(fd);
        return;
    }
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (!strncmp(e->d_name, GEN_PREFIX, strlen(GEN_PREFIX)) && strcmp(e->d_name, keep))
            remove_tree_at(prodfd, e->d_name);
        else if (!strncmp(e->d_name, "lien-", 5) || !strncmp(e->d_name, "essai-", 6))
            unlinkat(prodfd, e->d_name, 0);
    }
    closedir(d);
}

ptce_status outdir_open(ptce_ctx *ctx, const char *final, const char *producer,
                        const char *const *legacy, outdir *out)
{
    memset(out, 0, sizeof *out);
    out->dirfd = out->metafd = out->prodfd = out->lockfd = -1;
    out->legacy = legacy;
    snprintf(out->producer, sizeof out->producer, "%s", producer);
    struct stat st;
    int existed = stat(final, &st) == 0;
    if (existed && !S_ISDIR(st.st_mode))
        return ptce_fail(ctx, PTCE_ERR_IO, "%s : existe déjà et n'est pas un dossier ; "
                                           "choisissez un autre dossier de sortie (-o).", final);
    if (mkdir_p(final) != 0)
        return ptce_fail(ctx, PTCE_ERR_IO, "%s : impossible de créer le dossier de sortie (%s).",
                         final, ptce_errno_text(errno));
    out->created_final = !existed;
    ptce_status status = PTCE_OK;
    char *real = realpath(final, NULL);
    out->final = util_strdup(final);
    if (!real || !out->final) {
        status = real ? ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante")
                      : fail_errno(ctx, errno, "dossier de sortie illisible", final);
        goto fail;
    }
    if (inside_meta(real)) {
        status = fail_inside_meta(ctx, final);
        goto fail;
    }
    /* The folder itself is opened through a link (-o lien/), never replaced. */
    out->dirfd = open(real, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (out->dirfd < 0) {
        status = fail_errno(ctx, errno, "dossier de sortie illisible", final);
        goto fail;
    }
    out->metafd = open_own_folder(out->dirfd, OUTDIR_META, &out->created_meta);
    if (out->metafd < 0) {
        int err = errno;
        status = err == ENOTDIR || err == ELOOP
                     ? ptce_fail(ctx, PTCE_ERR_IO, "%s/" OUTDIR_META " : n'est pas un dossier "
                                 "(lien ou fichier) ; ptce-map y range ses fichiers : "
                                 "supprimez-le ou choisissez un autre dossier (-o).", final)
                     : ptce_fail(ctx, PTCE_ERR_IO, "%s : impossible d'écrire dans le dossier de "
                                 "sortie (%s). Vérifiez les droits ou choisissez un autre "
                                 "dossier (-o).", final, ptce_errno_text(err));
        goto fail;
    }
    out->lockfd = openat(out->metafd, LOCK_NAME, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0666);
    if (out->lockfd < 0) {
        status = fail_errno(ctx, errno, "verrou impossible", final);
        goto fail;
    }
    if (flock(out->lockfd, LOCK_EX | LOCK_NB) != 0) {
        status = errno == EWOULDBLOCK
                     ? ptce_fail(ctx, PTCE_ERR_IO, "%s : un autre ptce-map écrit en ce moment "
                                 "dans ce dossier ; attendez qu'il ait fini, ou choisissez un "
                                 "autre dossier de sortie (-o).", final)
                     : fail_errno(ctx, errno, "verrou impossible", final);
        out->created_final = out->created_meta = 0; /* it is the other run's */
        goto fail;
    }
    out->prodfd = open_own_folder(out->metafd, producer, &out->created_prod);
    if (out->prodfd < 0) {
        status = fail_errno(ctx, errno, "dossier de travail impossible", final);
        goto fail;
    }
    char cur[64];
    current_generation(out->prodfd, cur, sizeof cur);
    remove_stale_generations(out->prodfd, cur);
    remove_stale_tmp(real); /* earlier versions' leftovers, beside and inside */
    char parent[4096];
    parent_folder(real, parent, sizeof parent);
    remove_stale_tmp(parent);

    unsigned counter = 0;
    do
        unique_name(out->gen, sizeof out->gen, GEN_PREFIX, &counter);
    while (mkdirat(out->prodfd, out->gen, 0777) != 0 && errno == EEXIST && counter < 100);
    struct stat gst;
    if (fstatat(out->prodfd, out->gen, &gst, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISDIR(gst.st_mode)) {
        out->gen[0] = '\0';
        status = fail_errno(ctx, errno, "impossible d'écrire dans le dossier de sortie", final);
        goto fail;
    }
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s/" OUTDIR_META "/%s/%s", real, producer, out->gen);
    out->tmp = util_strdup(tmp);
    if (!out->tmp) {
        status = ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
        goto fail;
    }
    if (!pending.armed) { /* what this run made, removed too if it is interrupted */
        pending.made_meta_in = out->created_meta ? out->dirfd : -1;
        pending.made_prod_in = out->created_prod && !out->created_meta ? out->metafd : -1;
        snprintf(pending.prod_name, sizeof pending.prod_name, "%s", out->producer);
        size_t n = out->created_final ? strnlen(final, sizeof pending.made_final) : 0;
        if (n >= sizeof pending.made_final)
            n = 0; /* too long to keep: the empty folder stays */
        memcpy(pending.made_final, final, n);
        pending.made_final[n] = '\0';
    }
    arm(1, out->prodfd, out->gen, tmp);
    free(real);
    return PTCE_OK;
fail:
    free(real);
    outdir_abort(out);
    return status;
}

ptce_status outdir_file(ptce_ctx *ctx, outdir *od, const char *name, char *buf, size_t size)
{
    char **grown = realloc(od->names, (od->nnames + 1) * sizeof *grown);
    if (!grown)
        return ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
    od->names = grown;
    od->names[od->nnames] = util_strdup(name);
    if (!od->names[od->nnames])
        return ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
    od->nnames++;
    /* The folders of `name` ("web/lib/leaflet/x.js": web, web/lib, web/lib/leaflet). */
    for (const char *slash = strchr(name, '/'); slash; slash = strchr(slash + 1, '/')) {
        char sub[4096];
        snprintf(sub, sizeof sub, "%s/%.*s", od->tmp, (int)(slash - name), name);
        if (mkdir(sub, 0777) != 0 && errno != EEXIST)
            return fail_errno(ctx, errno, "impossible de créer le dossier", sub);
    }
    int n = snprintf(buf, size, "%s/%s", od->tmp, name);
    if (n < 0 || (size_t)n >= size)
        return ptce_fail(ctx, PTCE_ERR_IO, "%s : chemin trop long", name);
    return PTCE_OK;
}

/* ---- commit ----------------------------------------------------------------------------- */

/* One entry of the target folder that the new generation shows. */
typedef struct top_entry {
    char name[256];
    int folder;       /* carte/ */
    int state;        /* what is there now, see below */
} top_entry;

enum { TOP_ABSENT, TOP_LINK_OURS, TOP_LINK_OTHER, TOP_FILE, TOP_FOLDER };

static int is_registered(const outdir *od, const char *name)
{
    for (size_t i = 0; i < od->nnames; i++)
        if (strcmp(od->names[i], name) == 0)
            return 1;
    if (od->legacy)
        for (const char *const *l = od->legacy; *l; l++)
            if (strcmp(*l, name) == 0)
                return 1;
    return 0;
}

static void link_target(const outdir *od, const char *name, char *buf, size_t size)
{
    snprintf(buf, size, OUTDIR_META "/%s/" CURRENT_NAME "/%s", od->producer, name);
}

/* What `name` is in the target folder now. */
static int top_state(const outdir *od, const char *name)
{
    struct stat st;
    if (fstatat(od->dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
        return TOP_ABSENT;
    if (S_ISLNK(st.st_mode)) {
        char want[512], got[512];
        link_target(od, name, want, sizeof want);
        ssize_t n = readlinkat(od->dirfd, name, got, sizeof got - 1);
        if (n > 0)
            got[n] = '\0';
        return n > 0 && !strcmp(got, want) ? TOP_LINK_OURS : TOP_LINK_OTHER;
    }
    if (S_ISDIR(st.st_mode))
        return TOP_FOLDER;
    return S_ISREG(st.st_mode) ? TOP_FILE : -1;
}

/* The entries the new generation shows: the first component of every file it holds. */
static ptce_status collect_top(ptce_ctx *ctx, const outdir *od, top_entry **out, size_t *n)
{
    top_entry *t = calloc(od->nnames + 1, sizeof *t);
    if (!t)
        return ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
    size_t k = 0;
    int genfd = openat(od->prodfd, od->gen, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (genfd < 0) { /* not "nothing written": the commit would show none of the new names */
        int err = errno;
        free(t);
        return fail_errno(ctx, err, "dossier temporaire illisible", od->tmp);
    }
    for (size_t i = 0; i < od->nnames; i++) {
        struct stat st;
        if (genfd < 0 || fstatat(genfd, od->names[i], &st, AT_SYMLINK_NOFOLLOW) != 0)
            continue; /* a format that chose not to write this file */
        const char *slash = strchr(od->names[i], '/');
        size_t len = slash ? (size_t)(slash - od->names[i]) : strlen(od->names[i]);
        if (len >= sizeof t->name)
            continue;
        size_t j = 0;
        while (j < k && (strlen(t[j].name) != len || strncmp(t[j].name, od->names[i], len)))
            j++;
        if (j == k) {
            memcpy(t[k].name, od->names[i], len);
            t[k].name[len] = '\0';
            t[k].folder = slash != NULL;
            k++;
        }
    }
    if (genfd >= 0)
        close(genfd);
    *out = t;
    *n = k;
    return PTCE_OK;
}

/* Finds in the real folder `rel` (relative to dfd and to the output folder) the first entry
 * that is not one of our outputs and writes its relative name into bad. Returns 0 when all
 * are ours, -1 otherwise (bad "" for a folder that cannot be read). */
static int foreign_entry(const outdir *od, int dfd, const char *rel, int depth, char *bad,
                         size_t size)
{
    const char *base = strrchr(rel, '/');
    base = base ? base + 1 : rel;
    int fd = openat(dfd, base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
    if (!d) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    int found = 0;
    struct dirent *e;
    while (!found && (e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        char sub[600];
        snprintf(sub, sizeof sub, "%s/%s", rel, e->d_name);
        struct stat st;
        if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0)
            found = 1;
        else if (S_ISDIR(st.st_mode) && depth > 0)
            found = foreign_entry(od, dirfd(d), sub, depth - 1, bad, size) != 0 && bad[0];
        else
            found = !S_ISREG(st.st_mode) || !is_registered(od, sub);
        if (found && !bad[0])
            snprintf(bad, size, "%s", sub);
    }
    closedir(d);
    return found ? -1 : 0;
}

/* The first line of the LISEZMOI.txt every version has written (app/build.c). */
#define README_SIGNATURE "Carte nationale des PTCE produite par ptce-map "

/* Does the folder hold the plain-file outputs of a version before the links? Only such a
 * folder has a plain LISEZMOI.txt of ours beside them: a user's own « rejets.csv » in a
 * folder without it is not ours to replace. */
static int has_legacy_outputs(const outdir *od)
{
    int fd = openat(od->dirfd, "LISEZMOI.txt", O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return 0;
    char head[sizeof README_SIGNATURE - 1];
    struct stat st;
    int ok = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
             read(fd, head, sizeof head) == (ssize_t)sizeof head &&
             memcmp(head, README_SIGNATURE, sizeof head) == 0;
    close(fd);
    return ok;
}

/* Every check, before anything changes: what stands where an output goes must be one of
 * our links, nothing, or what an earlier version left (a regular file for a file, a folder
 * of our files for carte/, beside its LISEZMOI.txt). */
static ptce_status preflight(ptce_ctx *ctx, const outdir *od, top_entry *t, size_t n)
{
    int legacy = -1; /* not looked at yet */
    for (size_t i = 0; i < n; i++) {
        t[i].state = top_state(od, t[i].name);
        if (t[i].state == TOP_FILE && !t[i].folder) {
            if (legacy < 0)
                legacy = has_legacy_outputs(od);
            if (!legacy)
                return ptce_fail(ctx, PTCE_ERR_IO, "%s/%s : ce fichier porte le nom d'une "
                                 "sortie de ptce-map mais n'en est pas une (ce n'est pas un "
                                 "lien vers " OUTDIR_META "/) ; ptce-map ne le remplacera pas : "
                                 "déplacez-le ou renommez-le, ou choisissez un autre dossier.",
                                 od->final, t[i].name);
        }
        if (t[i].state < 0)
            return ptce_fail(ctx, PTCE_ERR_IO, "%s/%s : n'est ni un fichier ni un dossier "
                             "(tube, périphérique…) ; déplacez-le, ptce-map doit y écrire.",
                             od->final, t[i].name);
        if (t[i].state == TOP_FOLDER && !t[i].folder)
            return ptce_fail(ctx, PTCE_ERR_IO, "%s/%s : un dossier porte le nom d'un fichier "
                             "de sortie ; renommez-le.", od->final, t[i].name);
        if (t[i].state == TOP_FILE && t[i].folder)
            return ptce_fail(ctx, PTCE_ERR_IO, "%s/%s : un fichier porte le nom du dossier de "
                             "sortie %s/ ; renommez-le ou déplacez-le.", od->final, t[i].name,
                             t[i].name);
        if (t[i].state != TOP_FOLDER)
            continue;
        /* A real carte/ of an earlier version: it must hold only our files. */
        char bad[600] = "";
        if (foreign_entry(od, od->dirfd, t[i].name, TREE_DEPTH, bad, sizeof bad) != 0)
            return bad[0] ? ptce_fail(ctx, PTCE_ERR_IO, "%s/%s : n'est pas une sortie de "
                                      "ptce-map ; déplacez-le hors de %s/, que ptce-map "
                                      "remplace à chaque run.", od->final, bad, t[i].name)
                          : fail_errno(ctx, errno, "dossier illisible", t[i].name);
    }
    struct stat st;
    if (fstatat(od->prodfd, CURRENT_NAME, &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISLNK(st.st_mode))
        return ptce_fail(ctx, PTCE_ERR_IO, "%s/" OUTDIR_META "/%s/" CURRENT_NAME " : n'est pas "
                         "un lien ; supprimez le dossier " OUTDIR_META ".", od->final,
                         od->producer);
    return PTCE_OK;
}

/* Starts the writeback of a file without waiting for it (Linux; elsewhere a no-op). */
static void start_writeback(int fd)
{
#ifdef SYNC_FILE_RANGE_WRITE
    (void)sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE); /* advice: fsync checks */
#else
    (void)fd;
#endif
}

/* Files and folders of the generation on disk before the commit (power loss). On a
 * journalling file system an fsync waits for a journal commit, and one after the other
 * they waited for one commit each: 85 files and their folder once per file, 0.3–0.7 s of
 * a small build's wall time on the disk measured (docs/performance.md). So the writeback of
 * every file is started first, and each file is then fsynced — the first waits for a
 * commit that covers the others' blocks too — and each folder once. The same fsyncs of
 * the same files and folders as before: the guarantee does not change. */
void outdir_start_writeback(const outdir *od)
{
    int genfd = od->gen[0] ? openat(od->prodfd, od->gen, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
                                    O_CLOEXEC) : -1;
    if (genfd < 0)
        return;
    for (size_t i = 0; i < od->nnames; i++) {
        int fd = openat(genfd, od->names[i], O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        if (fd >= 0) {
            start_writeback(fd);
            close(fd);
        }
    }
    close(genfd);
}

static int sync_generation(const outdir *od)
{
    outdir_start_writeback(od);
    int genfd = openat(od->prodfd, od->gen, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (genfd < 0)
        return -1;
    int bad = 0;
    for (size_t i = 0; i < od->nnames && !bad; i++) {
        int fd = openat(genfd, od->names[i], O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
            continue; /* not written */
        bad |= fsync(fd) != 0;
        close(fd);
    }
    /* The folders holding them, each once (a name's folder is that of an earlier name
     * when the same prefix up to its last slash was seen before). */
    for (size_t i = 0; i < od->nnames && !bad; i++) {
        const char *slash = strrchr(od->names[i], '/');
        if (!slash)
            continue;
        size_t len = (size_t)(slash - od->names[i]);
        int seen = 0;
        for (size_t j = 0; j < i && !seen; j++) {
            const char *sj = strrchr(od->names[j], '/');
            seen = sj && (size_t)(sj - od->names[j]) == len &&
                   strncmp(od->names[j], od->names[i], len) == 0;
        }
        if (seen)
            continue;
        char sub[1024];
        snprintf(sub, sizeof sub, "%.*s", (int)len, od->names[i]);
        int sfd = openat(genfd, sub, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        bad |= sfd < 0 || fsync(sfd) != 0;
        if (sfd >= 0)
            close(sfd);
    }
    if (!bad)
        bad |= fsync(genfd) != 0;
    close(genfd);
    return bad ? -1 : 0;
}

/* Puts a symbolic link `target` at `name` in the target folder with one rename (never
 * followed: a link or file there is replaced, not written through). */
static int place_link(const outdir *od, const char *target, const char *name)
{
    char tmp[64];
    unsigned counter = 0;
    unique_name(tmp, sizeof tmp, "lien-", &counter);
    if (symlinkat(target, od->prodfd, tmp) != 0)
        return -1;
    if (renameat(od->prodfd, tmp, od->dirfd, name) != 0) {
        int err = errno;
        unlinkat(od->prodfd, tmp, 0);
        errno = err;
        return -1;
    }
    return 0;
}

/* Opens the generation on view, making an empty one (and `courant`) when there is none. */
static int open_current(outdir *od)
{
    char cur[64];
    current_generation(od->prodfd, cur, sizeof cur);
    if (!cur[0]) {
        unsigned counter = 0;
        unique_name(cur, sizeof cur, GEN_PREFIX, &counter);
        char tmp[64];
        unique_name(tmp, sizeof tmp, "lien-", &counter);
        if (mkdirat(od->prodfd, cur, 0777) != 0 || symlinkat(cur, od->prodfd, tmp) != 0 ||
            renameat(od->prodfd, tmp, od->prodfd, CURRENT_NAME) != 0)
            return -1;
    }
    return openat(od->prodfd, cur, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

static int hard_link_into(int fromfd, const char *name, int tofd)
{
    unlinkat(tofd, name, 0);
    return linkat(fromfd, name, tofd, name, 0);
}

/* Hard-links the files of folder `name` (in fromfd) into the same names under tofd,
 * making the folders. */
static int link_tree(int fromfd, const char *name, int tofd, int depth)
{
    int src = openat(fromfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (src < 0)
        return -1;
    int dst = open_own_folder(tofd, name, NULL);
    DIR *d = dst >= 0 ? fdopendir(src) : NULL;
    if (!d) {
        close(src);
        if (dst >= 0)
            close(dst);
        return -1;
    }
    int bad = 0;
    struct dirent *e;
    while (!bad && (e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        struct stat st;
        if (fstatat(src, e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0)
            bad = 1;
        else if (S_ISDIR(st.st_mode))
            bad = depth <= 0 || link_tree(src, e->d_name, dst, depth - 1) != 0;
        else
            bad = hard_link_into(src, e->d_name, dst) != 0;
    }
    closedir(d);
    close(dst);
    return bad ? -1 : 0;
}

/* A regular file or a real folder of an earlier version at `name`: its bytes are linked
 * into the generation on view and it is replaced by our link, so that the same content
 * stays visible until the commit changes it with everything else. */
static int adopt(outdir *od, int curfd, const top_entry *t)
{
    char target[512];
    link_target(od, t->name, target, sizeof target);
    if (t->state == TOP_FILE)
        return hard_link_into(od->dirfd, t->name, curfd) == 0 ? place_link(od, target, t->name)
                                                              : -1;
    /* A real folder: link its files, then exchange it with a link in one rename. */
    if (link_tree(od->dirfd, t->name, curfd, TREE_DEPTH) != 0)
        return -1;
    char tmp[64];
    unsigned counter = 0;
    unique_name(tmp, sizeof tmp, "lien-", &counter);
    if (symlinkat(target, od->prodfd, tmp) != 0)
        return -1;
    if (renameat2(od->prodfd, tmp, od->dirfd, t->name, RENAME_EXCHANGE) == 0) {
        remove_tree_at(od->prodfd, tmp); /* the old folder, now under the link's name */
        return 0;
    }
    /* No exchange on this file system: a moment without carte/, once, at the upgrade. */
    char old[64];
    unique_name(old, sizeof old, GEN_PREFIX "ancien-", &counter);
    if (renameat(od->dirfd, t->name, od->prodfd, old) != 0 ||
        renameat(od->prodfd, tmp, od->dirfd, t->name) != 0) {
        unlinkat(od->prodfd, tmp, 0);
        return -1;
    }
    remove_tree_at(od->prodfd, old);
    return 0;
}

/* After the commit: our links that lead nowhere are outputs this run did not write. */
static void remove_dangling_links(const outdir *od)
{
    int fd = dup(od->dirfd);
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
    if (!d) {
        if (fd >= 0)
            close(fd);
        return;
    }
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        struct stat st;
        if (top_state(od, e->d_name) == TOP_LINK_OURS && fstatat(od->dirfd, e->d_name, &st, 0) != 0 &&
            errno == ENOENT)
            unlinkat(od->dirfd, e->d_name, 0);
    }
    closedir(d);
}

/* Whether this file system takes symbolic and hard links (FAT and exFAT take neither):
 * 1 yes, 0 no (the file system refuses them: EPERM, EOPNOTSUPP, ENOSYS), -1 the probe
 * itself failed (disk full, I/O error…: errno set). A failed probe must not be taken for
 * "no links": that would commit file by file, not atomically, and say the wrong thing. */
static int links_supported(const outdir *od)
{
    char name[64];
    unsigned counter = 0;
    unique_name(name, sizeof name, "essai-", &counter);
    int ok = symlinkat("x", od->prodfd, name) == 0;
    int err = ok ? 0 : errno;
    unlinkat(od->prodfd, name, 0);
    if (ok) {
        ok = linkat(od->metafd, LOCK_NAME, od->prodfd, name, 0) == 0;
        err = ok ? 0 : errno;
        unlinkat(od->prodfd, name, 0);
    }
    if (ok)
        return 1;
    if (err == EPERM || err == EOPNOTSUPP || err == ENOSYS) /* ENOTSUP is EOPNOTSUPP on Linux */
        return 0;
    errno = err;
    return -1;
}

/* Without links: the files are renamed into place one by one (after the same checks), and
 * a manifest of what this producer wrote lets the next run remove what it no longer writes. */
static ptce_status commit_file_by_file(ptce_ctx *ctx, outdir *od, const top_entry *t, size_t nt)
{
    ptce_warn(ctx, "%s : ce système de fichiers n'a pas de liens symboliques ; les fichiers "
                   "sont remplacés un à un (un arrêt brutal pendant ce court moment peut "
                   "mélanger anciens et nouveaux fichiers).", od->final);
    int genfd = openat(od->prodfd, od->gen, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (genfd < 0)
        return fail_errno(ctx, errno, "dossier temporaire disparu", od->tmp);
    for (size_t i = 0; i < nt; i++)
        if (t[i].folder && t[i].state == TOP_ABSENT && mkdirat(od->dirfd, t[i].name, 0777) != 0) {
            close(genfd);
            return fail_errno(ctx, errno, "impossible de créer le dossier", t[i].name);
        }
    for (size_t i = 0; i < od->nnames; i++) {
        struct stat st;
        if (fstatat(genfd, od->names[i], &st, AT_SYMLINK_NOFOLLOW) != 0)
            continue;
        if (renameat(genfd, od->names[i], od->dirfd, od->names[i]) != 0) {
            ptce_status s = fail_errno(ctx, errno, "impossible de mettre le fichier en place",
                                       od->names[i]);
            close(genfd);
            return s;
        }
    }
    close(genfd);
    /* The previous manifest: what it lists and this run did not write goes. */
    char old[8192];
    ssize_t n = 0;
    int mfd = openat(od->prodfd, MANIFEST_NAME, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (mfd >= 0) {
        n = read(mfd, old, sizeof old - 1);
        close(mfd);
    }
    old[n > 0 ? n : 0] = '\0';
    for (char *line = strtok(old, "\n"); line; line = strtok(NULL, "\n")) {
        int again = 0;
        for (size_t i = 0; i < od->nnames && !again; i++)
            again = !strcmp(od->names[i], line);
        if (!again && !strstr(line, "..") && line[0] != '/')
            unlinkat(od->dirfd, line, 0);
    }
    util_strbuf sb;
    util_sb_init(&sb);
    for (size_t i = 0; i < od->nnames; i++)
        util_sb_printf(&sb, "%s\n", od->names[i]);
    mfd = sb.failed ? -1 : openat(od->prodfd, MANIFEST_NAME, O_WRONLY | O_CREAT | O_TRUNC |
                                  O_NOFOLLOW | O_CLOEXEC, 0666);
    if (mfd >= 0) {
        if (write(mfd, sb.data, sb.len) < 0)
            ptce_warn(ctx, "%s : manifeste non écrit (%s)", od->final, ptce_errno_text(errno));
        close(mfd);
    }
    util_sb_free(&sb);
    return PTCE_OK;
}

ptce_status outdir_commit(ptce_ctx *ctx, outdir *od)
{
    sigset_t old;
    block_signals(&old);
    top_entry *t = NULL;
    size_t nt = 0;
    size_t created = 0; /* links placed for names that were absent, undone on failure */
    ptce_status st = collect_top(ctx, od, &t, &nt);
    if (!st)
        st = preflight(ctx, od, t, nt);
    if (!st && sync_generation(od) != 0)
        st = fail_errno(ctx, errno, "écriture impossible", od->tmp);
    int links = st ? 0 : links_supported(od);
    if (links < 0)
        st = fail_errno(ctx, errno, "écriture impossible", od->final);
    if (!st && !links) {
        st = commit_file_by_file(ctx, od, t, nt);
        goto done;
    }
    /* Upgrades, then the links the new generation adds: nothing visible changes yet. Told
     * before the upgrade replaces the old LISEZMOI.txt by a link. */
    int legacy = !st && has_legacy_outputs(od);
    int curfd = st ? -1 : open_current(od);
    if (!st && curfd < 0)
        st = fail_errno(ctx, errno, "génération en place illisible", od->final);
    for (size_t i = 0; !st && i < nt; i++)
        if ((t[i].state == TOP_FILE || t[i].state == TOP_FOLDER) && adopt(od, curfd, &t[i]) != 0)
            st = fail_errno(ctx, errno, "impossible de remplacer l'ancienne sortie", t[i].name);
    /* Optional outputs of earlier versions this run does not write, in a folder of theirs. */
    if (!st && od->legacy && legacy)
        for (const char *const *l = od->legacy; !st && *l; l++) {
            top_entry e = {.state = top_state(od, *l)};
            snprintf(e.name, sizeof e.name, "%s", *l);
            if (e.state == TOP_FILE && adopt(od, curfd, &e) != 0)
                st = fail_errno(ctx, errno, "impossible de remplacer l'ancienne sortie", *l);
        }
    if (curfd >= 0)
        close(curfd);
    for (size_t i = 0; !st && i < nt; i++) {
        if (t[i].state == TOP_LINK_OURS || t[i].state == TOP_FILE || t[i].state == TOP_FOLDER)
            continue;
        char target[512];
        link_target(od, t[i].name, target, sizeof target);
        if (place_link(od, target, t[i].name) != 0)
            st = fail_errno(ctx, errno, "impossible de créer le lien", t[i].name);
        else if (t[i].state == TOP_ABSENT)
            t[created++] = t[i]; /* i >= created: compacts in place */
    }
    /* The commit: `courant` names the new generation, in one rename. */
    if (!st) {
        char tmp[64];
        unsigned counter = 0;
        unique_name(tmp, sizeof tmp, "lien-", &counter);
        char prev[64];
        current_generation(od->prodfd, prev, sizeof prev);
        if (symlinkat(od->gen, od->prodfd, tmp) != 0 ||
            renameat(od->prodfd, tmp, od->prodfd, CURRENT_NAME) != 0) {
            st = fail_errno(ctx, errno, "impossible de mettre la nouvelle sortie en place",
                            od->final);
            unlinkat(od->prodfd, tmp, 0);
        } else {
            disarm(od->prodfd, od->gen);
            od->gen[0] = '\0'; /* on view now: not ours to remove */
            fsync(od->prodfd);
            if (prev[0])
                remove_tree_at(od->prodfd, prev);
            remove_dangling_links(od);
            fsync(od->dirfd);
        }
    }
    if (st)
        for (size_t i = 0; i < created; i++)
            unlinkat(od->dirfd, t[i].name, 0);
done:
    free(t);
    if (st) {
        outdir_abort(od);
    } else {
        disarm(od->prodfd, od->gen); /* file by file: nothing of this run to remove now */
        if (od->gen[0]) /* file by file: the emptied generation */
            remove_tree_at(od->prodfd, od->gen);
        od->gen[0] = '\0';
        outdir_release(od);
    }
    sigprocmask(SIG_SETMASK, &old, NULL);
    return st;
}

void outdir_abort(outdir *od)
{
    if (od->prodfd >= 0 && od->gen[0])
        remove_tree_at(od->prodfd, od->gen);
    if (od->created_prod && !od->created_meta && od->metafd >= 0)
        unlinkat(od->metafd, od->producer, AT_REMOVEDIR); /* only succeeds if left empty */
    if (od->created_meta && od->dirfd >= 0)
        remove_tree_at(od->dirfd, OUTDIR_META);
    if (od->created_final && od->final)
        rmdir(od->final); /* only succeeds if we left it empty */
    outdir_release(od);
}

/* ---- single files ------------------------------------------------------------------------ */

ptce_status outdir_refuse_input(ptce_ctx *ctx, const char *output, const char *const *inputs,
                                size_t ninputs)
{
    struct stat out, dir;
    if (!output || !strcmp(output, "-") || stat(output, &out) != 0 || !S_ISREG(out.st_mode))
        return PTCE_OK;
    char parent[4096];
    parent_folder(output, parent, sizeof parent);
    int have_dir = stat(parent, &dir) == 0;
    for (size_t i = 0; i < ninputs; i++) {
        struct stat in;
        if (!inputs[i] || stat(inputs[i], &in) != 0)
            continue;
        if (in.st_dev == out.st_dev && in.st_ino == out.st_ino)
            return ptce_fail(ctx, PTCE_ERR_USAGE, "%s : c'est aussi un fichier lu (%s) ; "
                             "l'écrire le détruirait. Choisissez un autre fichier de sortie "
                             "(-o).", output, inputs[i]);
        /* A folder read whole (--ban DOSSIER, the reference data): any file already in it
         * may be one that is read. */
        if (S_ISDIR(in.st_mode) && have_dir && in.st_dev == dir.st_dev && in.st_ino == dir.st_ino)
            return ptce_fail(ctx, PTCE_ERR_USAGE, "%s : ce fichier est dans %s, un dossier que "
                             "ptce-map lit ; l'écrire pourrait détruire une de ses entrées. "
                             "Choisissez un autre fichier de sortie (-o), hors de ce dossier.",
                             output, inputs[i]);
    }
    return PTCE_OK;
}

static ptce_status write_all(int fd, const char *bytes, size_t len)
{
    size_t done = 0;
    while (done < len) {
        ssize_t w = write(fd, bytes + done, len - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return PTCE_ERR_IO;
        done += (size_t)w;
    }
    return PTCE_OK;
}

ptce_status outdir_write_file_atomic(ptce_ctx *ctx, const char *path, const char *bytes, size_t len)
{
    if (strcmp(path, "-") == 0) {
        fflush(stdout);
        /* On a terminal the report is read, not stored: control characters from the
         * census (ESC[2J, CR, bidi overrides…) are shown as text, never sent raw. Piped or
         * redirected, the bytes are the same as with -o. */
        util_strbuf shown;
        util_sb_init(&shown);
        if (isatty(STDOUT_FILENO)) {
            util_sb_append_file_for_terminal(&shown, bytes, len);
            if (shown.failed) {
                util_sb_free(&shown);
                return ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
            }
            bytes = shown.data ? shown.data : "";
            len = shown.len;
        }
        ptce_status s = write_all(STDOUT_FILENO, bytes, len);
        int err = errno;
        util_sb_free(&shown);
        return s ? fail_errno(ctx, err, "écriture impossible", "sortie standard") : PTCE_OK;
    }
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        return ptce_fail(ctx, PTCE_ERR_IO, "%s : c'est un dossier ; indiquez un nom de fichier.",
                         path);
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        /* A device or a pipe (-o /dev/null, -o /dev/stdout): written into, never replaced
         * (renaming over /dev/null as root would swap the device for a plain file). */
        int fd = open(path, O_WRONLY | O_CLOEXEC);
        ptce_status s = fd < 0 ? PTCE_ERR_IO : write_all(fd, bytes, len);
        int err = errno;
        if (fd >= 0 && close(fd) != 0 && !s) {
            s = PTCE_ERR_IO;
            err = errno;
        }
        return s ? fail_errno(ctx, err, "écriture impossible", path) : PTCE_OK;
    }
    char dir[4096];
    parent_folder(path, dir, sizeof dir);
    char *real = realpath(dir, NULL);
    int inside = real && inside_meta(real);
    free(real);
    if (inside)
        return fail_inside_meta(ctx, path);
    remove_stale_tmp(dir);
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0)
        return fail_errno(ctx, errno, "impossible d'écrire dans ce dossier", path);
    char tmp[64];
    unsigned counter = 0;
    int fd;
    do {
        unique_name(tmp, sizeof tmp, TMP_PREFIX, &counter);
        fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
    } while (fd < 0 && errno == EEXIST && counter < 100);
    if (fd < 0) {
        int err = errno;
        close(dfd);
        return fail_errno(ctx, err, "impossible d'écrire dans ce dossier", path);
    }
    char shown[4200];
    snprintf(shown, sizeof shown, "%s/%s", dir, tmp);
    arm(2, dfd, tmp, shown);
    ptce_status s = write_all(fd, bytes, len);
    int err = errno;
    if (!s && fsync(fd) != 0) {
        s = PTCE_ERR_IO;
        err = errno;
    }
    if (close(fd) != 0 && !s) {
        s = PTCE_ERR_IO;
        err = errno;
    }
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    sigset_t old;
    block_signals(&old);
    if (!s && renameat(dfd, tmp, dfd, base) != 0) {
        s = PTCE_ERR_IO;
        err = errno;
    }
    if (s)
        unlinkat(dfd, tmp, 0);
    disarm(dfd, tmp);
    sigprocmask(SIG_SETMASK, &old, NULL);
    close(dfd);
    return s ? fail_errno(ctx, err, "écriture impossible", path) : PTCE_OK;
}
