/*
 * write/outdir.h — writing a set of output files all or nothing, into a folder that may
 * hold other things.
 *
 * Owns: the layout of an output folder and every change made to it. Must not: decide what
 * is written (the callers register names), follow a symbolic link inside the folder, touch
 * an entry that is not one of ours, or change the folder itself (its inode, mode, owner,
 * group, setgid bit and ACLs stay as they are: a shell inside it stays inside it).
 *
 * Layout. The files sit where the README says (out/ptce_points.shp, out/carte/…), as
 * relative symbolic links into a hidden folder that ptce-map owns:
 *
 *   out/ptce_points.shp -> .ptce-map/build/courant/ptce_points.shp
 *   out/carte           -> .ptce-map/build/courant/carte
 *   out/.ptce-map/verrou                 lock file (flock), one writer at a time
 *   out/.ptce-map/build/courant -> g-…   the generation on view: THE commit point
 *   out/.ptce-map/build/g-…/             one complete set of outputs (a generation)
 *
 * ("build" is the producer: `diff` has its own, so that one command never removes what the
 * other wrote.) A run writes a new generation beside the one on view, checks every entry it
 * will need in the folder before changing anything, creates the links the new generation
 * adds (they point through `courant`, so they show nothing until the commit), then replaces
 * the `courant` link with one rename(2) — atomic on every POSIX file system. Before that
 * rename every link resolves into the old generation, after it into the new one: a reader
 * or a kill at any moment sees all the old files or all the new ones, whatever else the
 * folder holds, however `-o` is spelt (trailing slash, symbolic link to a folder). After
 * the commit, links of ours that now lead nowhere (ptce_groupes.* of an earlier run with
 * --groups…) are removed: the links of a producer are its manifest. Leftover generations
 * of killed runs are removed by the next run, under the lock.
 *
 * Upgrading: regular files and a real carte/ folder left by earlier versions (or any file
 * named like an output) are first hard-linked into the generation on view and replaced by
 * their link — the same bytes stay visible — so that they too change in the one commit.
 * On a file system without symbolic or hard links (FAT, exFAT) the files are instead renamed
 * into place one by one after the same checks: a kill during those few milliseconds can then
 * leave a mix, and the run says so.
 *
 * Signals: outdir_catch_signals() (called once by main) makes SIGINT, SIGTERM and SIGHUP
 * remove the generation being written and say so, and makes a file-size limit (SIGXFSZ) a
 * write error (EFBIG) that goes through the normal failure path.
 *
 * Ownership: an outdir owns its strings and file descriptors; outdir_commit() and
 * outdir_abort() release everything, whatever their result.
 */
#ifndef PTCE_WRITE_OUTDIR_H
#define PTCE_WRITE_OUTDIR_H

#include <stddef.h>

#include "ptce.h"

/* The hidden folder of ptce-map inside an output folder. */
#define OUTDIR_META ".ptce-map"

typedef struct outdir {
    char *final;          /* target folder, as given (for messages) */
    char *tmp;            /* absolute path of the generation being written */
    char **names;         /* relative names of the files written, in order */
    size_t nnames;
    const char *const *legacy; /* not owned: names earlier runs may have left as real files */
    char producer[32];
    char gen[64];         /* name of the generation being written, in prodfd */
    int dirfd;            /* the target folder */
    int metafd;           /* its .ptce-map */
    int prodfd;           /* .ptce-map/<producer> */
    int lockfd;
    int created_final;    /* we made the target folder: a failure removes it */
    int created_meta;     /* we made .ptce-map: a failure removes it */
    int created_prod;     /* we made .ptce-map/<producer> (a first diff beside a build):
                           * a failure removes it */
} outdir;

/* Installs the signal handlers described above. Call once, from main. */
void outdir_catch_signals(void);

/* Creates the target folder when missing, takes its lock (refuses, with a message, when
 * another run holds it), removes leftovers of killed runs and makes the new generation.
 * `producer` names the command ("build", "diff"); `legacy` (NULL-terminated, may be NULL)
 * lists names of this producer's optional outputs that earlier versions wrote as regular
 * files, so that a run which no longer writes them removes them. */
ptce_status outdir_open(ptce_ctx *ctx, const char *final, const char *producer,
                        const char *const *legacy, outdir *out);

/* Registers `name` (may hold sub-folders, "carte/x.shp", "web/lib/x.js") and writes its temporary
 * path into buf. Returns PTCE_OK or an error. */
ptce_status outdir_file(ptce_ctx *ctx, outdir *od, const char *name, char *buf, size_t size);

/* Starts writing to disk, without waiting, the files registered so far that are complete
 * (a caller with nothing else to do meanwhile: the build, waiting for its printed map), so
 * that outdir_commit()'s fsyncs find them written. An advice: it changes no file and
 * cannot fail; outdir_commit() syncs every file whether or not this was called. */
void outdir_start_writeback(const outdir *od);

/* Checks, then puts the new generation on view in one rename, then removes the previous
 * one and our links that lead nowhere. On failure the folder shows what it showed before. */
ptce_status outdir_commit(ptce_ctx *ctx, outdir *od);

/* Removes the generation being written; the folder is left as it was. */
void outdir_abort(outdir *od);

/* The message of a failed write of `path` with errno `err`: ENOMEM is a memory error, a
 * full disk and the file-size limit (ulimit -f) are named. */
ptce_status outdir_write_error(ptce_ctx *ctx, const char *path, int err);

/* Refuses an output path that is one of the input files (same device and inode, whatever
 * the spelling or links): writing it would destroy the input. An input that is a folder
 * (read whole: --ban DOSSIER, the reference data) refuses every existing file directly in
 * it. `inputs` may hold NULLs. */
ptce_status outdir_refuse_input(ptce_ctx *ctx, const char *output, const char *const *inputs,
                                size_t ninputs);

/* Writes one file all or nothing: a temporary file beside it (mode from the umask), synced,
 * renamed over it at the end; a symbolic link at `path` is replaced, never followed. "-"
 * writes to standard output and checks that it was written; when standard output is a
 * terminal, the control characters of the bytes are shown as text
 * (util_sb_append_file_for_terminal). */
ptce_status outdir_write_file_atomic(ptce_ctx *ctx, const char *path, const char *bytes, size_t len);

#endif
