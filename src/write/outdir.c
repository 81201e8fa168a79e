/*
 * write/outdir.c — see outdir.h.
 */
#define _GNU_SOURCE /* renameat2 and RENAME_EXCHANGE (glibc 2.28, Linux 3.15) */
#include "write/outdir.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/ctx.h"
#include "core/util.h"

#define TMP_PREFIX ".ptce-map-tmp-"

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

/* Removes a folder we made and everything in it (one level of sub-folders at most). */
static void remove_tree(const char *path)
{
    DIR *d = opendir(path);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        char child[4096];
        snprintf(child, sizeof child, "%s/%s", path, e->d_name);
        struct stat st;
        if (lstat(child, &st) == 0 && S_ISDIR(st.st_mode))
            remove_tree(child);
        else
            unlink(child);
    }
    closedir(d);
    rmdir(path);
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

/* Leftovers of killed runs: temporary folders and files of ours whose process is gone. */
static void remove_stale_tmp(const char *final)
{
    DIR *d = opendir(final);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strncmp(e->d_name, TMP_PREFIX, strlen(TMP_PREFIX)) != 0)
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", final, e->d_name);
        /* Another run may be writing right now: only remove folders whose owner process
         * is gone. The pid is the suffix after the prefix. */
        long pid = strtol(e->d_name + strlen(TMP_PREFIX), NULL, 10);
        if (pid > 0 && kill((pid_t)pid, 0) == 0)
            continue;
        struct stat st;
        if (lstat(path, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode))
            remove_tree(path);
        else
            unlink(path); /* a single report file of a killed geocode or classify run */
    }
    closedir(d);
}

ptce_status outdir_open(ptce_ctx *ctx, const char *final, outdir *out)
{
    memset(out, 0, sizeof *out);
    struct stat st;
    int existed = stat(final, &st) == 0;
    if (existed && !S_ISDIR(st.st_mode))
        return ptce_fail(ctx, PTCE_ERR_IO, "%s : existe déjà et n'est pas un dossier ; "
                                           "choisissez un autre dossier de sortie (-o).", final);
    if (mkdir_p(final) != 0)
        return ptce_fail(ctx, PTCE_ERR_IO, "%s : impossible de créer le dossier de sortie (%s).",
                         final, strerror(errno));
    out->created_final = !existed;
    remove_stale_tmp(final);
    /* A run killed during the swap leaves its folder beside the target. */
    char parent[4096];
    parent_folder(final, parent, sizeof parent);
    remove_stale_tmp(parent);
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s/" TMP_PREFIX "%ld-XXXXXX", final, (long)getpid());
    if (!mkdtemp(tmp)) {
        int err = errno;
        if (out->created_final)
            rmdir(final);
        return ptce_fail(ctx, PTCE_ERR_IO, "%s : impossible d'écrire dans le dossier de sortie "
                                           "(%s). Vérifiez les droits ou choisissez un autre "
                                           "dossier (-o).", final, strerror(err));
    }
    out->final = ptce_strdup(final);
    out->tmp = ptce_strdup(tmp);
    if (!out->final || !out->tmp) {
        outdir_abort(out);
        return ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
    }
    return PTCE_OK;
}

/* Creates the folders of `name` ("web/lib/leaflet/x.js": web, web/lib, web/lib/leaflet)
 * under `root` when missing. */
static ptce_status make_parents(ptce_ctx *ctx, const char *root, const char *name)
{
    for (const char *slash = strchr(name, '/'); slash; slash = strchr(slash + 1, '/')) {
        char sub[4096];
        snprintf(sub, sizeof sub, "%s/%.*s", root, (int)(slash - name), name);
        if (mkdir(sub, 0777) != 0 && errno != EEXIST)
            return ptce_fail(ctx, PTCE_ERR_IO, "%s : %s", sub, strerror(errno));
    }
    return PTCE_OK;
}

ptce_status outdir_file(ptce_ctx *ctx, outdir *od, const char *name, char *buf, size_t size)
{
    char **grown = realloc(od->names, (od->nnames + 1) * sizeof *grown);
    if (!grown)
        return ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
    od->names = grown;
    od->names[od->nnames] = ptce_strdup(name);
    if (!od->names[od->nnames])
        return ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
    od->nnames++;
    ptce_status st = make_parents(ctx, od->tmp, name);
    if (st)
        return st;
    int n = snprintf(buf, size, "%s/%s", od->tmp, name);
    if (n < 0 || (size_t)n >= size)
        return ptce_fail(ctx, PTCE_ERR_IO, "%s : chemin trop long", name);
    return PTCE_OK;
}

static int is_registered(const outdir *od, const char *name)
{
    for (size_t i = 0; i < od->nnames; i++)
        if (strcmp(od->names[i], name) == 0)
            return 1;
    return 0;
}

/* True when every entry of `dir` (relative name `rel`, "" for the folder itself) is a
 * regular file this run writes again, a sub-folder of them, or a temporary folder of ours:
 * swapping the whole folder then loses nothing that the run would have kept. */
static int holds_only_outputs(const outdir *od, const char *dir, const char *rel)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    int pure = 1;
    struct dirent *e;
    while (pure && (e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        char path[4096], name[4096];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        snprintf(name, sizeof name, "%s%s%s", rel, rel[0] ? "/" : "", e->d_name);
        struct stat st;
        if (lstat(path, &st) != 0)
            pure = 0;
        else if (S_ISDIR(st.st_mode))
            pure = (!rel[0] && strncmp(e->d_name, TMP_PREFIX, strlen(TMP_PREFIX)) == 0) ||
                   holds_only_outputs(od, path, name);
        else
            pure = S_ISREG(st.st_mode) && is_registered(od, name);
    }
    closedir(d);
    return pure;
}

/* All at once: the finished temporary folder is moved beside the target and exchanged
 * with it in one atomic rename (RENAME_EXCHANGE), then the old folder is removed. A run
 * killed at any moment leaves either all the old files or all the new ones. Returns 0
 * when this cannot be done here (the folder holds other files, or the file system has no
 * exchange), and the caller moves the files one by one instead. */
static int swap_whole_folder(outdir *od)
{
    struct stat st;
    if (lstat(od->final, &st) != 0 || !S_ISDIR(st.st_mode) || !holds_only_outputs(od, od->final, ""))
        return 0;
    char parent[4096], beside[4200];
    parent_folder(od->final, parent, sizeof parent);
    snprintf(beside, sizeof beside, "%s/" TMP_PREFIX "%ld-swap", parent, (long)getpid());
    if (rename(od->tmp, beside) != 0)
        return 0;
    if (renameat2(AT_FDCWD, beside, AT_FDCWD, od->final, RENAME_EXCHANGE) != 0) {
        rename(beside, od->tmp); /* back where it was, for the file-by-file way */
        return 0;
    }
    remove_tree(beside); /* now the previous outputs */
    return 1;
}

/* Frees what the outdir holds in memory (the folders on disk are left as they are). */
static void outdir_release(outdir *od)
{
    for (size_t i = 0; i < od->nnames; i++)
        free(od->names[i]);
    free(od->names);
    free(od->final);
    free(od->tmp);
    memset(od, 0, sizeof *od);
}

ptce_status outdir_commit(ptce_ctx *ctx, outdir *od)
{
    if (swap_whole_folder(od)) {
        outdir_release(od);
        return PTCE_OK;
    }
    /* Check every target before the first rename, so that a target that cannot be replaced
     * (a folder in place of a file) leaves the previous outputs all as they were. */
    for (size_t i = 0; i < od->nnames; i++) {
        char to[4096];
        snprintf(to, sizeof to, "%s/%s", od->final, od->names[i]);
        struct stat st;
        if (lstat(to, &st) == 0 && S_ISDIR(st.st_mode)) {
            ptce_status err = ptce_fail(ctx, PTCE_ERR_IO, "%s : un dossier porte le nom d'un "
                                                          "fichier de sortie ; renommez-le.", to);
            outdir_abort(od);
            return err;
        }
    }
    for (size_t i = 0; i < od->nnames; i++) {
        char from[4096], to[4096];
        snprintf(from, sizeof from, "%s/%s", od->tmp, od->names[i]);
        snprintf(to, sizeof to, "%s/%s", od->final, od->names[i]);
        struct stat st;
        if (stat(from, &st) != 0)
            continue; /* a format that chose not to write this file */
        ptce_status made = make_parents(ctx, od->final, od->names[i]);
        if (made) {
            outdir_abort(od); /* callers do not abort after a failed commit */
            return made;
        }
        if (rename(from, to) != 0) {
            ptce_status err = ptce_fail(ctx, PTCE_ERR_IO, "%s : impossible de mettre le fichier "
                                                         "en place (%s).", to, strerror(errno));
            outdir_abort(od); /* callers do not abort after a failed commit */
            return err;
        }
    }
    remove_tree(od->tmp);
    outdir_release(od);
    return PTCE_OK;
}

void outdir_abort(outdir *od)
{
    if (od->tmp)
        remove_tree(od->tmp);
    if (od->created_final && od->final)
        rmdir(od->final); /* only succeeds if we left it empty */
    outdir_release(od);
}

ptce_status write_file_atomic(ptce_ctx *ctx, const char *path, const char *bytes, size_t len)
{
    if (strcmp(path, "-") == 0) {
        if (fwrite(bytes, 1, len, stdout) != len || fflush(stdout) != 0)
            return ptce_fail(ctx, PTCE_ERR_IO, "sortie standard : écriture impossible");
        return PTCE_OK;
    }
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        return ptce_fail(ctx, PTCE_ERR_IO, "%s : c'est un dossier ; indiquez un nom de fichier.",
                         path);
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        /* A device or a pipe (-o /dev/null, -o /dev/stdout): written into, never replaced
         * (renaming over /dev/null as root would swap the device for a plain file). */
        FILE *f = fopen(path, "wb");
        int bad = !f || (len && fwrite(bytes, 1, len, f) != len);
        if (f)
            bad |= fclose(f) != 0;
        return bad ? ptce_fail(ctx, PTCE_ERR_IO, "%s : écriture impossible (%s).", path,
                               strerror(errno))
                   : PTCE_OK;
    }
    char tmp[4200], dir[4096];
    parent_folder(path, dir, sizeof dir);
    remove_stale_tmp(dir);
    snprintf(tmp, sizeof tmp, "%s/" TMP_PREFIX "%ld-XXXXXX", dir, (long)getpid());
    int fd = mkstemp(tmp);
    if (fd < 0)
        return ptce_fail(ctx, PTCE_ERR_IO, "%s : impossible d'écrire dans ce dossier (%s).", path,
                         strerror(errno));
    size_t done = 0;
    while (done < len) {
        ssize_t w = write(fd, bytes + done, len - done);
        if (w <= 0)
            break;
        done += (size_t)w;
    }
    int bad = done != len;
    bad |= fchmod(fd, 0644) != 0;
    bad |= close(fd) != 0;
    if (bad || rename(tmp, path) != 0) {
        int err = errno;
        unlink(tmp);
        return ptce_fail(ctx, PTCE_ERR_IO, "%s : écriture impossible (%s).", path, strerror(err));
    }
    return PTCE_OK;
}
