/*
 * tests/faults/faults.c — failure injection over a whole `ptce-map build`, the way SQLite
 * (its fault simulator behind sqlite3_malloc) and tg test their failure paths: the N-th
 * operation of one kind fails, and the run must end cleanly.
 *
 *   ptce-faults alloc|io --work DIR [--stride K] [--seed S] [--only N] [--real-render]
 *                                   [--count] [--profile] [--diff]
 *
 * With --diff the run is `ptce-map diff` of two small census years instead (the two years
 * share one load of the reference data and copy each other's placements and
 * classifications: app/run.h), writing evolutions.csv into the same folder.
 *
 * The seam: this program is linked with -Wl,--wrap=malloc,calloc,realloc,free,… (see
 * tests/CMakeLists.txt), which sends the calls made by OUR objects (libptce, the CLI files
 * cmd_build.c and common.c, this driver) to the __wrap_ functions below; calls made inside
 * the shared libraries (GEOS's C++ new, PROJ, SQLite, cairo, librsvg, libxlsxwriter,
 * shapelib's own malloc, zlib, glibc's internal allocations) are not seen and never failed.
 * `alloc` counts malloc, calloc, realloc, realpath(…, NULL), fopen, fdopen, opendir and
 * fdopendir (each allocates) and fails the chosen one with ENOMEM. `io` counts the write
 * side of the output folder from outdir_open() on: open/openat for writing or of a folder,
 * mkdir, mkdirat, renameat, renameat2, symlinkat, linkat, flock, fsync, write, pwrite, and
 * fopen, fwrite, fputs, fflush, fclose of a file opened for writing, close of a descriptor
 * opened for writing; creation fails with ENOSPC, rename/fsync/close/fflush with EIO, flock
 * with ENOLCK, and a write is cut in half with the disk full (ENOSPC) from then on.
 *
 * Checked after each failed run, in the process that ran it: the exit code of cmd_build (5
 * for alloc, 4 for io); a last stderr line "ptce-map : …" in valid UTF-8 with no English
 * system message ("mémoire" in it for alloc); every block our code allocated freed (a
 * table of live blocks kept by the wrappers); the same open file descriptors as before; the
 * output folder and its parent exactly as before (every entry, the hidden .ptce-map/ too:
 * type, mode, size, CRC-32 of the bytes, target of each link, inode of the output folder and
 * of its parent). A run that ends with 0 — the failure came after the commit, or was
 * absorbed — must show exactly the outputs of a clean run (after the commit, leftovers of
 * the previous generation in .ptce-map/ are allowed: the next run removes them).
 *
 * Which N. Every calling context (the call site and its two callers) is failed at its first
 * occurrence, and with --stride K also every K-th operation from a seeded offset (--seed S
 * picks it); --stride 1 fails every N (hours). The summary line gives the counts.
 *
 * How, cheaply. Phase A (everything before outdir_open: reading, geocoding, aggregation,
 * layers) touches no file: the clean "main line" run forks at each chosen allocation, the
 * child fails it and runs to the end, the parent waits and goes on, so an N costs only its
 * failure path. The children get their own file offsets (unshare_offsets). Phase B writes
 * into the folder: each top-level writer call of the build (and outdir_open, outdir_commit)
 * is a checkpoint where the main line copies the generation being written aside, sends a
 * scout (a child that fails nothing and notes the context of each operation until the next
 * checkpoint), then one child per chosen N of that segment, and puts the folder back as it
 * was after each. The printed map's drawing (librsvg) costs seconds per run and allocates
 * nothing of ours: it is skipped (an empty page, the files still written by the same code
 * of ours) unless --real-render.
 */
#define _GNU_SOURCE
#include <cairo.h>
#include <dirent.h>
#include <errno.h>
#include <execinfo.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <pthread.h>
#include <librsvg/rsvg.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "cli/cli.h"
#include "write/cartography.h"
#include "write/writers.h"
#include "write/outdir.h"

/* ---- state of the injector (the one process-wide state a link-time seam can have) ---- */

enum { KIND_ALLOC, KIND_IO };

static struct {
    int kind;                /* what is counted and failed */
    int active;              /* inside cmd_build: count */
    int in_child;            /* this process runs one injected failure */
    unsigned long count;     /* operations of `kind` counted so far in this run */
    unsigned long fail_at;   /* the operation to fail (child), 0 none */
    int injected;            /* it was failed */
    int disk_full;           /* io: every later write fails with ENOSPC */
    int phase_b;             /* outdir_open reached */
    int committed;           /* the new generation was put on view (renameat to courant) */
    int after_commit;        /* the injected failure came after that */
    unsigned long stride, offset;
    int real_render;
    int (*command)(int argc, char **argv); /* cmd_build, or cmd_diff (--diff) */
    unsigned long a_total, a_tested, b_tested, b_total, a_contexts, b_contexts, segments;
    unsigned long failures;  /* checks that failed */
    unsigned long recovered; /* failures the run absorbed with the right outputs */
    unsigned long post_commit;
    char where[2048];        /* backtrace of the injected failure */
} F = {.stride = 1, .command = cmd_build};

/* ---- live blocks of ours: open addressing with backward-shift deletion ----------------- */

#define LIVE_BITS 22
#define LIVE_SLOTS (1ul << LIVE_BITS)
static uintptr_t *live;
static size_t nlive;

static size_t slot_of(uintptr_t p)
{
    return (size_t)(((uint64_t)p >> 4) * 0x9E3779B97F4A7C15ull >> (64 - LIVE_BITS));
}

static void live_add(void *ptr)
{
    if (!ptr || !live)
        return;
    size_t i = slot_of((uintptr_t)ptr);
    while (live[i])
        i = (i + 1) & (LIVE_SLOTS - 1);
    live[i] = (uintptr_t)ptr;
    if (++nlive > LIVE_SLOTS / 2) {
        static const char m[] = "ptce-faults : table des blocs pleine\n";
        (void)!write(2, m, sizeof m - 1);
        abort();
    }
}

static int live_remove(void *ptr)
{
    if (!ptr || !live)
        return 0;
    size_t i = slot_of((uintptr_t)ptr);
    while (live[i] && live[i] != (uintptr_t)ptr)
        i = (i + 1) & (LIVE_SLOTS - 1);
    if (!live[i])
        return 0;
    live[i] = 0;
    nlive--;
    for (size_t j = (i + 1) & (LIVE_SLOTS - 1); live[j]; j = (j + 1) & (LIVE_SLOTS - 1)) {
        size_t k = slot_of(live[j]);
        /* Move live[j] to the hole when its home slot is not in (i, j]. */
        int between = i <= j ? (k > i && k <= j) : (k > i || k <= j);
        if (!between) {
            live[i] = live[j];
            live[j] = 0;
            i = j;
        }
    }
    return 1;
}

/* ---- the decision ----------------------------------------------------------------------- */

static void note_where(void)
{
    void *frames[24];
    int n = backtrace(frames, 24);
    char **names = NULL; /* backtrace_symbols allocates through glibc: not ours, not counted */
    names = backtrace_symbols(frames, n);
    size_t len = 0;
    F.where[0] = '\0';
    for (int i = 2; names && i < n && len + 2 < sizeof F.where; i++) {
        int w = snprintf(F.where + len, sizeof F.where - len, "    %s\n", names[i]);
        if (w < 0)
            break;
        len += (size_t)w;
    }
    if (len >= sizeof F.where)
        F.where[sizeof F.where - 1] = '\0';
    if (names)
        free(names); /* not in the live table: a plain free */
}

/* The calling context of an operation: the call site and its two callers (a hash of the
 * return addresses above the wrapper). */
#define KEY_FRAMES 3
static uint64_t context_key(void)
{
    void *frames[KEY_FRAMES + 3];
    int n = backtrace(frames, KEY_FRAMES + 3);
    uint64_t h = 1469598103934665603ull;
    for (int i = 3; i < n; i++) { /* 0 context_key, 1 inject, 2 the wrapper */
        h ^= (uint64_t)(uintptr_t)frames[i];
        h *= 1099511628211ull;
    }
    return h ? h : 1;
}

/* Contexts already failed once (open addressing, never deleted). */
#define KEYS_BITS 18
static uint64_t *keys;
static unsigned long nkeys;

static int key_add(uint64_t k) /* 1 when new */
{
    size_t i = (size_t)(k >> (64 - KEYS_BITS));
    while (keys[i] && keys[i] != k)
        i = (i + 1) & ((1u << KEYS_BITS) - 1);
    if (keys[i])
        return 0;
    keys[i] = k;
    nkeys++;
    return 1;
}

static void run_child_phase_a(unsigned long n);
static void child_setup(void);

/* Called by every counted wrapper of the current kind: true when this call must fail. */
static int scout;           /* this child is a scout (phase B) */
static uint64_t *seg_keys;  /* shared with the scout: the contexts of the segment */
static unsigned long *seg_n;
#define SEG_MAX (1ul << 20)

/* Profile of the main line: how many operations of each wrapper, per phase (--profile). */
#define NPROF 64
static struct { const char *name; unsigned long n[2]; } prof[NPROF];
static int profile;
static int count_only; /* --count: the profile, no failure */
static unsigned long only; /* --only N: that failure alone (phase B) */

static struct { void *at; unsigned long n; } callers[4096];

static void profile_caller(void *at)
{
    size_t i = ((uintptr_t)at >> 2) % 4096;
    for (size_t k = 0; k < 4096; k++, i = (i + 1) % 4096)
        if (callers[i].at == at || !callers[i].at) {
            callers[i].at = at;
            callers[i].n++;
            return;
        }
}

static void profile_count(const char *name)
{
    for (int i = 0; i < NPROF; i++) {
        if (!prof[i].name)
            prof[i].name = name;
        if (prof[i].name == name) {
            prof[i].n[F.phase_b]++;
            return;
        }
    }
}

static int inject(int kind, const char *name)
{
    if (!F.active || kind != F.kind)
        return 0;
    if (F.kind == KIND_IO && !F.phase_b)
        return 0;
    unsigned long n = ++F.count;
    if (profile && !F.in_child)
        profile_count(name);
    if (count_only && !F.in_child) {
        if (key_add(context_key()))
            F.a_tested += !F.phase_b, F.b_tested += F.phase_b;
        return 0;
    }
    if (F.in_child) {
        if (scout) {
            if (*seg_n < SEG_MAX)
                seg_keys[(*seg_n)++] = context_key();
            return 0;
        }
        if (n != F.fail_at)
            return 0;
        F.injected = 1;
        F.after_commit = F.committed;
        note_where();
        return 1;
    }
    /* The main line, phase A: a child fails this one, the main line goes on. */
    if (!F.phase_b) {
        F.a_total = n;
        int fresh = !count_only && !only && key_add(context_key());
        if (only ? n == only : fresh || (!count_only && n % F.stride == F.offset)) {
            F.a_tested++;
            F.a_contexts += fresh;
            pid_t pid;
            fflush(NULL);
            if ((pid = fork()) == 0) {
                child_setup();
                F.in_child = 1;
                F.fail_at = n;
                F.injected = 1;
                note_where();
                return 1;
            }
            run_child_phase_a((unsigned long)pid);
        }
    }
    return 0;
}

/* ---- wrappers: allocation --------------------------------------------------------------- */

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
void __real_free(void *p);
char *__real_realpath(const char *path, char *resolved);
FILE *__real_fopen(const char *path, const char *mode);
FILE *__real_fdopen(int fd, const char *mode);
DIR *__real_opendir(const char *path);
DIR *__real_fdopendir(int fd);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);
void __wrap_free(void *p);
char *__wrap_realpath(const char *path, char *resolved);
FILE *__wrap_fopen(const char *path, const char *mode);
FILE *__wrap_fdopen(int fd, const char *mode);
DIR *__wrap_opendir(const char *path);
DIR *__wrap_fdopendir(int fd);

void *__wrap_malloc(size_t n)
{
    if (profile && F.active && !F.in_child)
        profile_caller(__builtin_return_address(0));
    if (inject(KIND_ALLOC, __func__)) {
        errno = ENOMEM;
        return NULL;
    }
    void *p = __real_malloc(n);
    if (F.active)
        live_add(p);
    return p;
}

void *__wrap_calloc(size_t n, size_t size)
{
    if (inject(KIND_ALLOC, __func__)) {
        errno = ENOMEM;
        return NULL;
    }
    void *p = __real_calloc(n, size);
    if (F.active)
        live_add(p);
    return p;
}

void *__wrap_realloc(void *p, size_t n)
{
    if (profile && F.active && !F.in_child)
        profile_caller(__builtin_return_address(0));
    if (inject(KIND_ALLOC, __func__)) {
        errno = ENOMEM;
        return NULL;
    }
    int ours = p && live_remove(p);
    void *q = __real_realloc(p, n);
    if (!q && ours)
        live_add(p);
    else if (q && (ours || (!p && F.active)))
        live_add(q);
    return q;
}

void __wrap_free(void *p)
{
    live_remove(p);
    __real_free(p);
}

char *__wrap_realpath(const char *path, char *resolved)
{
    if (!resolved && inject(KIND_ALLOC, __func__)) {
        errno = ENOMEM;
        return NULL;
    }
    char *r = __real_realpath(path, resolved);
    if (!resolved && F.active)
        live_add(r);
    return r;
}

static int io_fails_at(int err, const char *name);
/* FILEs opened for writing by us: only their fclose/fflush/fwrite are the write side. */
#define MAX_FILES 64
static FILE *written_files[MAX_FILES];
static void note_written_file(FILE *f)
{
    for (int i = 0; i < MAX_FILES; i++)
        if (!written_files[i]) {
            written_files[i] = f;
            return;
        }
}
static int forget_written_file(FILE *f) /* 1 when it was one */
{
    for (int i = 0; i < MAX_FILES; i++)
        if (written_files[i] == f) {
            written_files[i] = NULL;
            return 1;
        }
    return 0;
}
static int is_written_file(FILE *f)
{
    for (int i = 0; i < MAX_FILES; i++)
        if (written_files[i] == f)
            return 1;
    return 0;
}
#define io_create_fails() io_fails_at(ENOSPC, __func__)

FILE *__wrap_fopen(const char *path, const char *mode)
{
    if (inject(KIND_ALLOC, __func__)) {
        errno = ENOMEM;
        return NULL;
    }
    int writing = strpbrk(mode, "wa+") != NULL;
    if (writing && io_create_fails())
        return NULL;
    FILE *f = __real_fopen(path, mode);
    if (f && writing)
        note_written_file(f);
    return f;
}

FILE *__wrap_fdopen(int fd, const char *mode)
{
    if (inject(KIND_ALLOC, __func__)) {
        errno = ENOMEM;
        return NULL;
    }
    return __real_fdopen(fd, mode);
}

DIR *__wrap_opendir(const char *path)
{
    if (inject(KIND_ALLOC, __func__)) {
        errno = ENOMEM;
        return NULL;
    }
    return __real_opendir(path);
}

DIR *__wrap_fdopendir(int fd)
{
    if (inject(KIND_ALLOC, __func__)) {
        errno = ENOMEM;
        return NULL;
    }
    return __real_fdopendir(fd);
}

/* ---- wrappers: the write side ----------------------------------------------------------- */

#define MAX_FD 4096
static unsigned char written_fd[MAX_FD]; /* opened for writing by us: its close counts */

static int io_fails_at(int err, const char *name)
{
    if (inject(KIND_IO, name)) {
        errno = err;
        return 1;
    }
    return 0;
}

#define io_fails(err) io_fails_at(err, __func__)
#define io_create_fails() io_fails_at(ENOSPC, __func__)

#define io_write_fails(len) io_write_fails_at(len, __func__)
/* A write: the N-th is cut in half and the disk is full from then on. Returns -1 to go on
 * with the real call, else the number of bytes to pretend (with errno set when 0). */
static long io_write_fails_at(size_t len, const char *name)
{
    if (F.disk_full && F.active) {
        errno = ENOSPC;
        return 0;
    }
    if (inject(KIND_IO, name)) {
        F.disk_full = 1;
        errno = ENOSPC;
        return (long)(len / 2);
    }
    return -1;
}

int __real_open(const char *path, int flags, ...);
int __real_openat(int dfd, const char *path, int flags, ...);
int __real_mkdir(const char *path, mode_t mode);
int __real_mkdirat(int dfd, const char *path, mode_t mode);
int __real_renameat(int a, const char *from, int b, const char *to);
int __real_renameat2(int a, const char *from, int b, const char *to, unsigned flags);
int __real_symlinkat(const char *target, int dfd, const char *path);
int __real_linkat(int a, const char *from, int b, const char *to, int flags);
int __real_flock(int fd, int op);
int __real_fsync(int fd);
int __real_close(int fd);
ssize_t __real_write(int fd, const void *buf, size_t n);
ssize_t __real_pwrite(int fd, const void *buf, size_t n, off_t off);
size_t __real_fwrite(const void *buf, size_t size, size_t n, FILE *f);
int __real_fputs(const char *s, FILE *f);
int __real_fflush(FILE *f);
int __real_fclose(FILE *f);
int __wrap_open(const char *path, int flags, ...);
int __wrap_openat(int dfd, const char *path, int flags, ...);
int __wrap_mkdir(const char *path, mode_t mode);
int __wrap_mkdirat(int dfd, const char *path, mode_t mode);
int __wrap_renameat(int a, const char *from, int b, const char *to);
int __wrap_renameat2(int a, const char *from, int b, const char *to, unsigned flags);
int __wrap_symlinkat(const char *target, int dfd, const char *path);
int __wrap_linkat(int a, const char *from, int b, const char *to, int flags);
int __wrap_flock(int fd, int op);
int __wrap_fsync(int fd);
int __wrap_close(int fd);
ssize_t __wrap_write(int fd, const void *buf, size_t n);
ssize_t __wrap_pwrite(int fd, const void *buf, size_t n, off_t off);
size_t __wrap_fwrite(const void *buf, size_t size, size_t n, FILE *f);
int __wrap_fputs(const char *s, FILE *f);
int __wrap_fflush(FILE *f);
int __wrap_fclose(FILE *f);

/* The opens of the write side: for writing, or of a folder (the output folder's layer walks
 * them); reading an input file is not one. */
static int writes_or_folder(int flags)
{
    return (flags & (O_WRONLY | O_RDWR | O_CREAT | O_DIRECTORY)) != 0;
}

static void note_fd(int fd, int flags)
{
    if (fd >= 0 && fd < MAX_FD)
        written_fd[fd] = (flags & (O_WRONLY | O_RDWR)) != 0;
}

int __wrap_open(const char *path, int flags, ...)
{
    va_list ap;
    va_start(ap, flags);
    mode_t mode = (flags & O_CREAT) ? (mode_t)va_arg(ap, int) : 0;
    va_end(ap);
    if (writes_or_folder(flags) && io_create_fails())
        return -1;
    int fd = __real_open(path, flags, mode);
    note_fd(fd, flags);
    return fd;
}

int __wrap_openat(int dfd, const char *path, int flags, ...)
{
    va_list ap;
    va_start(ap, flags);
    mode_t mode = (flags & O_CREAT) ? (mode_t)va_arg(ap, int) : 0;
    va_end(ap);
    if (writes_or_folder(flags) && io_create_fails())
        return -1;
    int fd = __real_openat(dfd, path, flags, mode);
    note_fd(fd, flags);
    return fd;
}

int __wrap_mkdir(const char *path, mode_t mode)
{
    return io_create_fails() ? -1 : __real_mkdir(path, mode);
}

int __wrap_mkdirat(int dfd, const char *path, mode_t mode)
{
    return io_create_fails() ? -1 : __real_mkdirat(dfd, path, mode);
}

int __wrap_renameat(int a, const char *from, int b, const char *to)
{
    if (io_fails(EIO))
        return -1;
    int r = __real_renameat(a, from, b, to);
    if (r == 0 && F.active && !strcmp(to, "courant"))
        F.committed = 1;
    return r;
}

int __wrap_renameat2(int a, const char *from, int b, const char *to, unsigned flags)
{
    return io_fails(EIO) ? -1 : __real_renameat2(a, from, b, to, flags);
}

int __wrap_symlinkat(const char *target, int dfd, const char *path)
{
    return io_create_fails() ? -1 : __real_symlinkat(target, dfd, path);
}

int __wrap_linkat(int a, const char *from, int b, const char *to, int flags)
{
    return io_create_fails() ? -1 : __real_linkat(a, from, b, to, flags);
}

int __wrap_flock(int fd, int op)
{
    return io_fails(ENOLCK) ? -1 : __real_flock(fd, op);
}

/* What was on disk when the new generation was put on view: the file or folder of each
 * fsync that succeeded before the renameat to `courant` (checked after the clean main
 * line: synced_before_commit). */
#define MAX_SYNCED 4096
static struct { dev_t dev; ino_t ino; } synced[MAX_SYNCED];
static size_t nsynced;

int __wrap_fsync(int fd)
{
    if (io_fails(EIO))
        return -1;
    int r = __real_fsync(fd);
    struct stat st;
    if (r == 0 && F.active && !F.committed && nsynced < MAX_SYNCED && fstat(fd, &st) == 0) {
        synced[nsynced].dev = st.st_dev;
        synced[nsynced++].ino = st.st_ino;
    }
    return r;
}

int __wrap_close(int fd)
{
    int counted = fd >= 0 && fd < MAX_FD && written_fd[fd];
    if (fd >= 0 && fd < MAX_FD)
        written_fd[fd] = 0;
    if (counted && io_fails(EIO)) {
        __real_close(fd); /* the descriptor is gone whatever close says (Linux) */
        errno = EIO;
        return -1;
    }
    return __real_close(fd);
}

ssize_t __wrap_write(int fd, const void *buf, size_t n)
{
    long cut = fd > 2 ? io_write_fails(n) : -1;
    if (cut < 0)
        return __real_write(fd, buf, n);
    if (cut == 0)
        return -1;
    return __real_write(fd, buf, (size_t)cut);
}

ssize_t __wrap_pwrite(int fd, const void *buf, size_t n, off_t off)
{
    long cut = io_write_fails(n);
    if (cut < 0)
        return __real_pwrite(fd, buf, n, off);
    if (cut == 0)
        return -1;
    return __real_pwrite(fd, buf, (size_t)cut, off);
}

size_t __wrap_fwrite(const void *buf, size_t size, size_t n, FILE *f)
{
    long cut = !is_written_file(f) || size == 0 ? -1 : io_write_fails(size * n);
    if (cut < 0)
        return __real_fwrite(buf, size, n, f);
    int err = errno;
    size_t done = cut > 0 ? __real_fwrite(buf, 1, (size_t)cut, f) / size : 0;
    errno = err;
    return done;
}

int __wrap_fputs(const char *s, FILE *f)
{
    if (!is_written_file(f))
        return __real_fputs(s, f);
    long cut = io_write_fails(strlen(s));
    if (cut < 0)
        return __real_fputs(s, f);
    return EOF;
}

int __wrap_fflush(FILE *f)
{
    if (!f || !is_written_file(f))
        return __real_fflush(f);
    if ((F.disk_full && F.active) || io_fails(EIO)) {
        errno = F.disk_full ? ENOSPC : EIO;
        return EOF;
    }
    return __real_fflush(f);
}

int __wrap_fclose(FILE *f)
{
    if (!forget_written_file(f))
        return __real_fclose(f);
    int full = F.disk_full && F.active;
    int fail = full || io_fails(EIO);
    int r = __real_fclose(f);
    if (fail) {
        errno = full ? ENOSPC : EIO;
        return EOF;
    }
    return r;
}

/* ---- the printed map's drawing: skipped unless --real-render (see the top) ----------- */

/* The printed map is drawn on a thread of its own (carto_print_start). A forked child holds
 * only the forking thread, so a job running elsewhere would never finish there: the driver
 * refuses every thread, and carto_print_start draws inline — its documented fallback. */
int __wrap_pthread_create(pthread_t *t, const pthread_attr_t *a, void *(*fn)(void *), void *arg);
int __wrap_pthread_create(pthread_t *t, const pthread_attr_t *a, void *(*fn)(void *), void *arg)
{
    (void)t;
    (void)a;
    (void)fn;
    (void)arg;
    return EAGAIN;
}

gboolean __real_rsvg_handle_render_document(RsvgHandle *h, cairo_t *cr,
                                            const RsvgRectangle *viewport, GError **error);
gboolean __wrap_rsvg_handle_render_document(RsvgHandle *h, cairo_t *cr,
                                            const RsvgRectangle *viewport, GError **error);
gboolean __wrap_rsvg_handle_render_document(RsvgHandle *h, cairo_t *cr,
                                            const RsvgRectangle *viewport, GError **error)
{
    if (F.real_render)
        return __real_rsvg_handle_render_document(h, cr, viewport, error);
    return TRUE;
}

/* ---- listing of a folder tree -------------------------------------------------------- */

typedef struct text {
    char *data;
    size_t len, cap;
} text;

static void text_add(text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void text_add(text *t, const char *fmt, ...)
{
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(t->data ? t->data + t->len : NULL, t->data ? t->cap - t->len : 0,
                          fmt, ap);
        va_end(ap);
        if (n >= 0 && t->data && t->len + (size_t)n < t->cap) {
            t->len += (size_t)n;
            return;
        }
        size_t cap = t->cap ? t->cap * 2 : 4096;
        while (cap < t->len + (size_t)n + 1)
            cap *= 2;
        t->data = realloc(t->data, cap);
        if (!t->data)
            abort();
        t->cap = cap;
    }
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Generation names (g-<pid>-<time>-<n>) made neutral, for comparing two clean runs. */
static void neutral(const char *in, char *out, size_t size, int normalize)
{
    size_t o = 0;
    for (const char *p = in; *p && o + 4 < size;) {
        if (normalize && p[0] == 'g' && p[1] == '-' && (p == in || p[-1] == '/') &&
            p[2] >= '0' && p[2] <= '9') {
            memcpy(out + o, "g-*", 3);
            o += 3;
            p += 2;
            while (*p && *p != '/')
                p++;
            continue;
        }
        out[o++] = *p++;
    }
    out[o] = '\0';
}

static void list_tree(text *t, int dfd, const char *rel, int normalize)
{
    DIR *d = __real_fdopendir(dfd);
    if (!d) {
        text_add(t, "%s ?illisible\n", rel);
        __real_close(dfd);
        return;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 32;
            names = realloc(names, cap * sizeof *names);
        }
        names[n++] = strdup(e->d_name);
    }
    if (n > 1)
        qsort(names, n, sizeof *names, cmp_names);
    for (size_t i = 0; i < n; i++) {
        char path[4096], shown[4096];
        snprintf(path, sizeof path, "%s/%s", rel, names[i]);
        neutral(path, shown, sizeof shown, normalize);
        struct stat st;
        if (fstatat(dirfd(d), names[i], &st, AT_SYMLINK_NOFOLLOW) != 0) {
            text_add(t, "%s ?stat\n", shown);
        } else if (S_ISLNK(st.st_mode)) {
            char target[4096], tshown[4096];
            ssize_t k = readlinkat(dirfd(d), names[i], target, sizeof target - 1);
            target[k > 0 ? k : 0] = '\0';
            neutral(target, tshown, sizeof tshown, normalize);
            text_add(t, "%s -> %s\n", shown, tshown);
        } else if (S_ISDIR(st.st_mode)) {
            text_add(t, "%s/ %04o\n", shown, (unsigned)(st.st_mode & 07777));
            int sub = __real_openat(dirfd(d), names[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
            if (sub >= 0)
                list_tree(t, sub, path, normalize);
        } else if (S_ISREG(st.st_mode) && !normalize) {
            /* Same folder, before and after: size and modification time (to the
             * nanosecond; cp -a keeps it when the area is put back) say whether it changed,
             * without reading it. */
            text_add(t, "%s %04o %lld %lld.%09ld\n", shown, (unsigned)(st.st_mode & 07777),
                     (long long)st.st_size, (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
        } else if (S_ISREG(st.st_mode)) {
            uLong crc = crc32(0L, Z_NULL, 0);
            int fd = __real_openat(dirfd(d), names[i], O_RDONLY | O_NOFOLLOW);
            char buf[65536];
            ssize_t k;
            while (fd >= 0 && (k = read(fd, buf, sizeof buf)) > 0)
                crc = crc32(crc, (const Bytef *)buf, (uInt)k);
            if (fd >= 0)
                __real_close(fd);
            text_add(t, "%s %04o %lld %08lx\n", shown, (unsigned)(st.st_mode & 07777),
                     (long long)st.st_size, (unsigned long)crc);
        } else {
            text_add(t, "%s ?type %o\n", shown, (unsigned)st.st_mode);
        }
        free(names[i]);
    }
    free(names);
    closedir(d);
}

/* The listing of folder `root` (its inode and mode first). */
static char *snapshot(const char *root, int normalize)
{
    text t = {0};
    struct stat st;
    if (stat(root, &st) != 0) {
        text_add(&t, "%s absent\n", root);
        return t.data;
    }
    if (normalize)
        text_add(&t, ". %04o\n", (unsigned)(st.st_mode & 07777));
    else
        text_add(&t, ". %04o inode %llu\n", (unsigned)(st.st_mode & 07777),
                 (unsigned long long)st.st_ino);
    char out[4200];
    snprintf(out, sizeof out, "%s/sortie", root);
    if (!normalize && stat(out, &st) == 0) /* the output folder itself is never replaced */
        text_add(&t, "sortie inode %llu\n", (unsigned long long)st.st_ino);
    int fd = __real_open(root, O_RDONLY | O_DIRECTORY);
    if (fd >= 0)
        list_tree(&t, fd, ".", normalize);
    return t.data;
}

/* Prints the lines of one listing that the other lacks (a few of each). */
static int has_line(const char *text_, const char *line, size_t len)
{
    for (const char *p = text_; *p;) {
        const char *e = strchr(p, '\n');
        size_t l = e ? (size_t)(e - p) : strlen(p);
        if (l == len && !memcmp(p, line, len))
            return 1;
        p += l + (e != NULL);
    }
    return 0;
}

static void show_difference(const char *want, const char *got)
{
    for (int pass = 0; pass < 2; pass++) {
        const char *a = pass ? got : want, *b = pass ? want : got;
        int shown = 0;
        for (const char *p = a; *p && shown < 6;) {
            const char *e = strchr(p, '\n');
            size_t l = e ? (size_t)(e - p) : strlen(p);
            if (!has_line(b, p, l)) {
                printf("      %s : %.*s\n", pass ? "en trop" : "manque ", (int)l, p);
                shown++;
            }
            p += l + (e != NULL);
        }
    }
}

/* ---- the runs --------------------------------------------------------------------------- */

static char *before_exact;   /* the area before the tested run */
static char *after_clean;    /* what a clean tested run leaves (generations neutral) */
static char *after_clean_shown; /* the same without the generations' contents */
static char **build_argv;
static outdir *main_od; /* the main line's outdir: od->tmp is the generation */
static int build_argc;
static char area[4200];         /* WORK/zone: the output folder's parent, where the run works */
static char template_dir[4200]; /* WORK/modele: the area as it was, to restore it */
static char stderr_path[4200];  /* WORK/stderr.txt: what the child printed */

/* The open file descriptors, as "fd target" lines (the listing's own descriptor left out). */
static char *list_fds(void)
{
    text t = {0};
    text_add(&t, "%s", "");
    DIR *d = __real_opendir("/proc/self/fd");
    if (!d)
        return t.data;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        /* stderr goes to a file in the child; PROJ keeps its database open in a cache of
         * its own, across contexts. */
        if (e->d_name[0] == '.' || atoi(e->d_name) == dirfd(d) || atoi(e->d_name) == 2)
            continue;
        char path[300], target[4096];
        snprintf(path, sizeof path, "/proc/self/fd/%s", e->d_name);
        ssize_t k = readlink(path, target, sizeof target - 1);
        target[k > 0 ? k : 0] = '\0';
        if (k > 8 && !strcmp(target + k - 8, "/proj.db"))
            continue;
        text_add(&t, "%s %s\n", e->d_name, target);
    }
    closedir(d);
    return t.data;
}

static int run_build(void)
{
    char **argv = malloc((size_t)(build_argc + 1) * sizeof *argv);
    memcpy(argv, build_argv, (size_t)(build_argc + 1) * sizeof *argv);
    F.count = 0;
    F.phase_b = 0;
    F.committed = 0;
    nsynced = 0;
    main_od = NULL;
    F.disk_full = 0;
    F.active = 1;
    int code = F.command(build_argc, argv);
    F.active = 0;
    free(argv);
    return code;
}

/* Same type and, for a file, same bytes and mode; for a link, same target. */
static int same_entry(const char *a, const char *b)
{
    struct stat sa, sb;
    if (lstat(a, &sa) != 0 || lstat(b, &sb) != 0 || (sa.st_mode & S_IFMT) != (sb.st_mode & S_IFMT))
        return 0;
    if (S_ISLNK(sa.st_mode)) {
        char ta[4096], tb[4096];
        ssize_t na = readlink(a, ta, sizeof ta), nb = readlink(b, tb, sizeof tb);
        return na == nb && na > 0 && !memcmp(ta, tb, (size_t)na);
    }
    if (S_ISDIR(sa.st_mode))
        return 1;
    if (sa.st_size != sb.st_size || sa.st_mode != sb.st_mode)
        return 0;
    FILE *fa = __real_fopen(a, "rb"), *fb = __real_fopen(b, "rb");
    int same = fa && fb;
    char ba[65536], bb[65536];
    size_t n;
    while (same && (n = fread(ba, 1, sizeof ba, fa)) > 0)
        same = fread(bb, 1, n, fb) == n && !memcmp(ba, bb, n);
    if (fa)
        __real_fclose(fa);
    if (fb)
        __real_fclose(fb);
    return same;
}

static void run_shell(const char *cmd)
{
    if (system(cmd) != 0) {
        fprintf(stderr, "ptce-faults : échec de « %s »\n", cmd);
        exit(2);
    }
}

/* Makes folder `dst` hold what `src` holds, in place: the folders that exist on both
 * sides are kept (the main line has them open: their inodes must stay), the rest is
 * removed or copied. */
static void sync_tree(const char *src, const char *dst)
{
    char cmd[13000];
    struct stat st;
    if (stat(src, &st) == 0)
        chmod(dst, st.st_mode & 07777);
    for (int pass = 0; pass < 2; pass++) {
        const char *from = pass ? src : dst; /* pass 0: extras of dst, pass 1: entries of src */
        DIR *d = __real_opendir(from);
        if (!d)
            return;
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
                continue;
            char a[4200], b[4200];
            snprintf(a, sizeof a, "%s/%s", src, e->d_name);
            snprintf(b, sizeof b, "%s/%s", dst, e->d_name);
            struct stat sa;
            int in_src = lstat(a, &sa) == 0;
            if (pass == 0) {
                if (!in_src) {
                    snprintf(cmd, sizeof cmd, "rm -rf '%s'", b);
                    run_shell(cmd);
                }
                continue;
            }
            if (same_entry(a, b)) {
                if (S_ISDIR(sa.st_mode))
                    sync_tree(a, b);
                continue;
            }
            snprintf(cmd, sizeof cmd, "rm -rf '%s' && cp -a '%s' '%s'", b, a, b);
            run_shell(cmd);
        }
        closedir(d);
    }
}

static void restore_area(void)
{
    char src[4300], dst[4300];
    snprintf(src, sizeof src, "%s/sortie", template_dir);
    snprintf(dst, sizeof dst, "%s/sortie", area);
    sync_tree(src, dst);
}

/* Reads what the child wrote on stderr; returns its last non-empty line (static). */
static const char *last_line(const char *path, int *nlines)
{
    static char buf[65536];
    FILE *f = __real_fopen(path, "r");
    size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
    if (f)
        __real_fclose(f);
    buf[n] = '\0';
    while (n > 0 && buf[n - 1] == '\n')
        buf[--n] = '\0';
    *nlines = 0;
    for (size_t i = 0; i < n; i++)
        *nlines += buf[i] == '\n';
    if (n)
        (*nlines)++;
    char *last = strrchr(buf, '\n');
    return last ? last + 1 : buf;
}

static int valid_utf8(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        int k = *p < 0x80 ? 0 : (*p >> 5) == 6 ? 1 : (*p >> 4) == 14 ? 2 : (*p >> 3) == 30 ? 3 : -1;
        if (k < 0)
            return 0;
        p++;
        for (int i = 0; i < k; i++, p++)
            if ((*p & 0xC0) != 0x80)
                return 0;
    }
    return 1;
}

static const char *const english[] = {"No space left", "Input/output error",
                                      "Cannot allocate", "No locks available", "error", "failed",
                                      "cannot", "Permission denied", NULL};

/* In the sanitizer build: LeakSanitizer's check, run in each child after its failure (it
 * also sees what the libraries allocated for us and our failure path forgot to release). */
int __lsan_do_recoverable_leak_check(void) __attribute__((weak));

/* Result codes of a child. */
enum { CHILD_OK = 10, CHILD_RECOVERED, CHILD_POST_COMMIT, CHILD_NOT_REACHED, CHILD_SCOUT_DONE,
       CHILD_BAD };

/* Removes the lines of the generations' contents (kept: the links, `courant`). */
static void drop_generations(char *listing)
{
    char *out = listing;
    for (char *p = listing; *p;) {
        char *e = strchr(p, '\n');
        size_t l = e ? (size_t)(e - p) + 1 : strlen(p);
        if (!memmem(p, l, "/.ptce-map/build/g-*", 20)) {
            memmove(out, p, l);
            out += l;
        }
        p += l;
    }
    *out = '\0';
}

/* In the child, after cmd_build returned: every check; exits. */
static void child_checks(int code, const char *fds_before)
{
    int bad = 0;
    char msg[4096] = "";
    size_t ml = 0;
#define BAD(...)                                                                              \
    do {                                                                                      \
        bad = 1;                                                                              \
        int w_ = snprintf(msg + ml, sizeof msg - ml, __VA_ARGS__);                           \
        if (w_ > 0 && ml + (size_t)w_ < sizeof msg)                                           \
            ml += (size_t)w_;                                                                 \
    } while (0)
    fflush(stderr);
    int nlines;
    const char *line = last_line(stderr_path, &nlines);
    char *now = snapshot(area, 0);
    int want = F.kind == KIND_ALLOC ? 5 : 4;
    if (__lsan_do_recoverable_leak_check && __lsan_do_recoverable_leak_check()) {
        fflush(stderr);
        BAD("    fuite vue par LeakSanitizer (rapport ci-dessous)\n");
        FILE *f = __real_fopen(stderr_path, "r");
        char buf[4096];
        size_t k;
        while (f && (k = fread(buf, 1, sizeof buf, f)) > 0)
            fwrite(buf, 1, k, stdout);
        if (f)
            __real_fclose(f);
    }
    int result = CHILD_OK;
    if (nlive)
        BAD("    %zu bloc(s) alloué(s) par ptce-map non libéré(s)\n", nlive);
    char *fds = list_fds();
    if (strcmp(fds, fds_before))
        BAD("    descripteurs de fichier ouverts avant :\n%s    et après :\n%s", fds_before, fds);
    free(fds);
    if (code == 0) {
        char *clean = snapshot(area, 1);
        /* After the commit a failed clean-up may leave the previous generation in the hidden
         * folder (the next run removes it): what the folder shows must still be the new set. */
        if (F.injected && F.after_commit) {
            drop_generations(clean);
            drop_generations(after_clean_shown);
        }
        if (strcmp(clean, F.injected && F.after_commit ? after_clean_shown : after_clean)) {
            BAD("    code 0 mais le dossier n'est pas celui d'une exécution normale :\n");
            show_difference(F.injected && F.after_commit ? after_clean_shown : after_clean, clean);
        }
        free(clean);
        result = !F.injected ? CHILD_NOT_REACHED : F.after_commit ? CHILD_POST_COMMIT
                                                                  : CHILD_RECOVERED;
    } else {
        if (code != want)
            BAD("    code de sortie %d, attendu %d\n", code, want);
        if (strncmp(line, "ptce-map : ", 11) != 0)
            BAD("    pas de message « ptce-map : … » sur la sortie d'erreur (dernière ligne : "
                "« %.200s »)\n", line);
        if (!valid_utf8(line))
            BAD("    message en UTF-8 invalide\n");
        for (int i = 0; english[i]; i++)
            if (strstr(line, english[i]))
                BAD("    message en anglais : « %.300s »\n", line);
        if (F.kind == KIND_ALLOC && code == 5 && !strstr(line, "mémoire"))
            BAD("    code 5 sans « mémoire » dans le message : « %.300s »\n", line);
        if (strcmp(now, before_exact)) {
            BAD("    le dossier de sortie a changé :\n");
            show_difference(before_exact, now);
        }
    }
    free(now);
    if (!bad && result == CHILD_RECOVERED) { /* legitimate or not: shown, for a reader */
        printf("  absorbée : %s n° %lu, sorties exactes :\n%.600s",
               F.kind == KIND_ALLOC ? "allocation" : "écriture", F.fail_at, F.where);
    }
    if (bad) {
        printf("  ÉCHEC : %s n° %lu (phase %s) : code %d, « %.300s »\n%s    appel échoué :\n%s",
               F.kind == KIND_ALLOC ? "allocation" : "écriture", F.fail_at,
               F.phase_b ? "B, écriture" : "A, lecture et calcul", code, line, msg, F.where);
        fflush(stdout);
        _exit(CHILD_BAD);
    }
    fflush(stdout);
    _exit(result);
}

/* The parent side: waits for the child and counts its result. Returns it. */
static int wait_child(pid_t pid, unsigned long n)
{
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    int r = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    if (r == CHILD_BAD || r < CHILD_OK || r > CHILD_BAD) {
        F.failures++;
        if (r != CHILD_BAD)
            printf("  ÉCHEC : %s n° %lu : le processus s'est arrêté (%s %d)\n",
                   F.kind == KIND_ALLOC ? "allocation" : "écriture", n,
                   WIFSIGNALED(status) ? "signal" : "code",
                   WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
        fflush(stdout);
    }
    F.recovered += r == CHILD_RECOVERED;
    F.post_commit += r == CHILD_POST_COMMIT;
    return r;
}

static char *fds_at_start;

/* A child that crashes says where its failure was injected, and where it crashed. */
static void on_crash(int sig)
{
    char head[128];
    int n = snprintf(head, sizeof head, "  PLANTAGE (signal %d) après l'échec n° %lu injecté ici :\n",
                     sig, F.fail_at);
    (void)!__real_write(1, head, (size_t)n);
    (void)!__real_write(1, F.where, strlen(F.where));
    (void)!__real_write(1, "    plantage ici :\n", 20);
    void *frames[32];
    backtrace_symbols_fd(frames, backtrace(frames, 32), 1);
    signal(sig, SIG_DFL);
    raise(sig);
}

/* The child's own open file descriptions for the files and folders being read: a forked
 * child shares the parent's file offsets, and its fclose of a half-read stream (which moves
 * the offset back) would move the parent's too. */
static void unshare_offsets(void)
{
    DIR *d = __real_opendir("/proc/self/fd");
    if (!d)
        return;
    int fds[256], n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL && n < 256) {
        int fd = atoi(e->d_name);
        if (e->d_name[0] != '.' && fd > 2 && fd != dirfd(d))
            fds[n++] = fd;
    }
    closedir(d);
    for (int i = 0; i < n; i++) {
        int fd = fds[i], flags = fcntl(fd, F_GETFL), fdflags = fcntl(fd, F_GETFD);
        struct stat st;
        if (flags < 0 || fstat(fd, &st) != 0 || (flags & O_ACCMODE) != O_RDONLY ||
            !(S_ISREG(st.st_mode) || S_ISDIR(st.st_mode)))
            continue;
        char path[64];
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
        off_t off = lseek(fd, 0, SEEK_CUR);
        int again = __real_open(path, flags & ~(O_CREAT | O_TRUNC | O_EXCL));
        if (again < 0)
            continue;
        if (off > 0)
            lseek(again, off, SEEK_SET);
        dup3(again, fd, (fdflags & FD_CLOEXEC) ? O_CLOEXEC : 0);
        __real_close(again);
    }
}

static void child_setup(void)
{
    unshare_offsets();
    signal(SIGSEGV, on_crash);
    signal(SIGBUS, on_crash);
    signal(SIGABRT, on_crash);
    int fd = __real_open(stderr_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
        dup2(fd, 2);
        __real_close(fd);
    }
    alarm(600);
}

static void put_back(const char *gen, int r);
static void run_child_phase_a(unsigned long pid)
{
    put_back(NULL, wait_child((pid_t)pid, F.count));
}

/* ---- phase B: checkpoints ---------------------------------------------------------------
 * Every top-level writer call of the build (and outdir_open, outdir_commit) is a
 * checkpoint: there the main line copies the generation being written aside, sends a
 * scout (a child that runs, failing nothing, to the next checkpoint and notes the context
 * of each operation on the way), then one child per chosen N of that segment, putting the
 * generation back as it was after each. */

static char stash[4200];    /* WORK/reserve: the generation as it was at the checkpoint */
static int writer_depth;    /* nesting of the wrapped writers (carto_png → writers_write_bytes) */

static int remove_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st;
    (void)type;
    (void)ftw;
    return remove(path) != 0 && errno != ENOENT;
}

static void remove_tree(const char *path)
{
    if (nftw(path, remove_one, 16, FTW_DEPTH | FTW_PHYS) != 0 && errno != ENOENT) {
        fprintf(stderr, "ptce-faults : impossible de supprimer %s\n", path);
        exit(2);
    }
}

/* dst: a copy of folder src made of hard links (the generation's files are never written
 * again once their writer returned: a copy by links is enough, and costs no bytes). */
static void link_tree(const char *src, const char *dst)
{
    struct stat st;
    if (stat(src, &st) != 0 || __real_mkdir(dst, 0700) != 0) {
        fprintf(stderr, "ptce-faults : impossible de copier %s\n", src);
        exit(2);
    }
    DIR *d = __real_opendir(src);
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        char a[4300], b[4300];
        snprintf(a, sizeof a, "%s/%s", src, e->d_name);
        snprintf(b, sizeof b, "%s/%s", dst, e->d_name);
        struct stat es;
        if (lstat(a, &es) != 0)
            continue;
        if (S_ISDIR(es.st_mode)) {
            link_tree(a, b);
        } else if (S_ISLNK(es.st_mode)) {
            char target[4096];
            ssize_t k = readlink(a, target, sizeof target - 1);
            target[k > 0 ? k : 0] = '\0';
            if (__real_symlinkat(target, AT_FDCWD, b) != 0)
                exit(2);
        } else if (__real_linkat(AT_FDCWD, a, AT_FDCWD, b, 0) != 0) {
            fprintf(stderr, "ptce-faults : lien impossible vers %s\n", a);
            exit(2);
        }
    }
    if (d)
        closedir(d);
    chmod(dst, st.st_mode & 07777);
}

/* After a child: the area as at the checkpoint. */
static void put_back(const char *gen, int r)
{
    if (r != CHILD_OK && (r != CHILD_SCOUT_DONE || !gen))
        restore_area();
    if (gen) {
        remove_tree(gen);
        link_tree(stash, gen);
    }
}

static void checkpoint(void)
{
    if (F.in_child) {
        if (scout) {
            fflush(NULL);
            _exit(CHILD_SCOUT_DONE);
        }
        return;
    }
    if (!F.active || F.kind < 0)
        return;
    if (count_only) {
        F.phase_b = 1;
        return;
    }
    F.phase_b = 1;
    const char *gen = main_od ? main_od->tmp : NULL;
    if (gen) {
        remove_tree(stash);
        link_tree(gen, stash);
    }
    *seg_n = 0;
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        child_setup();
        F.in_child = 1;
        scout = 1;
        return;
    }
    int r = wait_child(pid, 0);
    F.segments++;
    put_back(gen, r);
    unsigned long base = F.count, n = *seg_n;
    for (unsigned long i = 0; i < n; i++) {
        unsigned long at = base + i + 1;
        int fresh = key_add(seg_keys[i]);
        if (only ? at != only : !fresh && (at % F.stride) != F.offset)
            continue;
        F.b_tested++;
        F.b_contexts += fresh;
        fflush(NULL);
        if ((pid = fork()) == 0) {
            child_setup();
            F.in_child = 1;
            F.fail_at = at;
            return;
        }
        put_back(gen, wait_child(pid, at));
    }
    F.b_total += n;
}

#define CHECKPOINT(name, params, args)                                                      \
    ptce_status __real_##name params;                                                       \
    ptce_status __wrap_##name params;                                                       \
    ptce_status __wrap_##name params                                                        \
    {                                                                                       \
        if (writer_depth == 0)                                                              \
            checkpoint();                                                                   \
        writer_depth++;                                                                     \
        ptce_status st_ = __real_##name args;                                               \
        writer_depth--;                                                                     \
        return st_;                                                                         \
    }

CHECKPOINT(writers_shapefile, (ptce_ctx *ctx, outdir *od, const char *subdir, const layer *l,
                             const geom_crs_target *crs), (ctx, od, subdir, l, crs))
CHECKPOINT(writers_geojson, (ptce_ctx *ctx, outdir *od, const char *subdir, const layer *l,
                           const char *suffix), (ctx, od, subdir, l, suffix))
CHECKPOINT(writers_csv, (ptce_ctx *ctx, outdir *od, const char *name, const layer *l),
           (ctx, od, name, l))
CHECKPOINT(writers_gpkg, (ptce_ctx *ctx, outdir *od, const char *name, const writers_gpkg_document *doc),
           (ctx, od, name, doc))
CHECKPOINT(writers_xlsx, (ptce_ctx *ctx, outdir *od, const char *name, const writers_xlsx_document *doc),
           (ctx, od, name, doc))
CHECKPOINT(writers_write_bytes, (ptce_ctx *ctx, outdir *od, const char *name, const char *bytes,
                         size_t len), (ctx, od, name, bytes, len))
CHECKPOINT(carto_qml, (ptce_ctx *ctx, outdir *od, const char *name, const carto_qgis_style *st),
           (ctx, od, name, st))
CHECKPOINT(carto_qgs, (ptce_ctx *ctx, outdir *od, const char *name, const carto_qgs_project *p),
           (ctx, od, name, p))
CHECKPOINT(carto_web, (ptce_ctx *ctx, outdir *od, const char *name, const char *tdir,
                       const carto_web_map *m), (ctx, od, name, tdir, m))
CHECKPOINT(carto_print_finish, (ptce_ctx *ctx, outdir *od, carto_print_job *job), (ctx, od, job))
CHECKPOINT(outdir_commit, (ptce_ctx *ctx, outdir *od), (ctx, od))

/* outdir_open: the first checkpoint (nothing on disk yet); the main line keeps its outdir. */
ptce_status __real_outdir_open(ptce_ctx *ctx, const char *final, const char *producer,
                               const char *const *legacy, outdir *out);
ptce_status __wrap_outdir_open(ptce_ctx *ctx, const char *final, const char *producer,
                               const char *const *legacy, outdir *out);
ptce_status __wrap_outdir_open(ptce_ctx *ctx, const char *final, const char *producer,
                               const char *const *legacy, outdir *out)
{
    checkpoint();
    ptce_status st = __real_outdir_open(ctx, final, producer, legacy, out);
    if (!F.in_child && F.active)
        main_od = out;
    return st;
}

/* ---- main ---------------------------------------------------------------------------- */

static int run_clean(int (*command)(int, char **), char **argv, int argc, const char *what)
{
    char **save = build_argv;
    int savec = build_argc;
    int (*save_command)(int, char **) = F.command;
    F.command = command;
    build_argv = argv;
    build_argc = argc;
    int saved_kind = F.kind;
    F.kind = -1; /* count nothing */
    int code = run_build();
    F.kind = saved_kind;
    build_argv = save;
    build_argc = savec;
    F.command = save_command;
    if (code != 0 || nlive) {
        fprintf(stderr, "ptce-faults : l'exécution sans panne (%s) a échoué (code %d, %zu blocs "
                        "non libérés)\n", what, code, nlive);
        exit(2);
    }
    return code;
}

/* nftw callback of synced_before_commit: counts the files and folders of the generation
 * that no fsync before the commit covered, and names the first ones. */
static unsigned long unsynced;
static int check_synced(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)ftw;
    if (type != FTW_F && type != FTW_D)
        return 0;
    for (size_t i = 0; i < nsynced; i++)
        if (synced[i].dev == st->st_dev && synced[i].ino == st->st_ino)
            return 0;
    if (unsynced++ < 5)
        printf("  ÉCHEC : %s n'était pas synchronisé (fsync) quand la sortie a été mise en "
               "place\n", path);
    return 0;
}

/* After a clean run: every file and folder of the generation on view (out/.ptce-map/
 * <producer>/courant) was fsynced before the commit, so that a power loss after it cannot show a
 * link to bytes that never reached the disk. Returns the number of those that were not. */
static unsigned long synced_before_commit(const char *outdir_path, const char *producer)
{
    char cur[4400], real[PATH_MAX];
    snprintf(cur, sizeof cur, "%s/" OUTDIR_META "/%s/courant", outdir_path, producer);
    unsynced = 0;
    if (!realpath(cur, real)) {
        printf("  ÉCHEC : %s illisible\n", cur);
        return 1;
    }
    nftw(real, check_synced, 16, FTW_PHYS);
    return unsynced;
}

int main(int argc, char **argv)
{
    if (argc < 2 || (strcmp(argv[1], "alloc") && strcmp(argv[1], "io"))) {
        fprintf(stderr, "Usage : ptce-faults alloc|io [--stride K] [--seed S] [--real-render] [--diff] "
                        "[--work DOSSIER]\n");
        return 2;
    }
    F.kind = !strcmp(argv[1], "alloc") ? KIND_ALLOC : KIND_IO;
    const char *work = NULL;
    unsigned long seed = 0;
    for (int i = 2; i < argc; i++) {
        if (!strcmp(argv[i], "--stride") && i + 1 < argc)
            F.stride = strtoul(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
            seed = strtoul(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--profile"))
            profile = 1;
        else if (!strcmp(argv[i], "--only") && i + 1 < argc)
            only = strtoul(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--count"))
            profile = count_only = 1;
        else if (!strcmp(argv[i], "--real-render"))
            F.real_render = 1;
        else if (!strcmp(argv[i], "--work") && i + 1 < argc)
            work = argv[++i];
        else if (!strcmp(argv[i], "--diff"))
            F.command = cmd_diff;
        else {
            fprintf(stderr, "ptce-faults : option inconnue %s\n", argv[i]);
            return 2;
        }
    }
    if (F.stride == 0)
        F.stride = 1;
    F.offset = seed % F.stride;
    const char *src = getenv("PTCE_SOURCE_DIR");
    if (!src || !work) {
        fprintf(stderr, "ptce-faults : PTCE_SOURCE_DIR et --work DOSSIER sont nécessaires\n");
        return 2;
    }
    keys = mmap(NULL, (1u << KEYS_BITS) * sizeof *keys, PROT_READ | PROT_WRITE,
                MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    seg_keys = mmap(NULL, SEG_MAX * sizeof *seg_keys + sizeof *seg_n, PROT_READ | PROT_WRITE,
                    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (keys == MAP_FAILED || seg_keys == MAP_FAILED)
        return 2;
    seg_n = (unsigned long *)(seg_keys + SEG_MAX);
    live = mmap(NULL, LIVE_SLOTS * sizeof *live, PROT_READ | PROT_WRITE,
                MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (live == MAP_FAILED)
        return 2;
    outdir_catch_signals();
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "rm -rf '%s' && mkdir -p '%s'", work, work);
    if (system(cmd) != 0 || chdir(work) != 0)
        return 2;

    char census[4096], previous[4096], groups[4096], overrides[4096], ban[4096], old[4096],
        next[4096];
    snprintf(census, sizeof census, "%s/tests/faults/recensement-2026.csv", src);
    snprintf(previous, sizeof previous, "%s/tests/data/census/annee-2025.csv", src);
    snprintf(old, sizeof old, "%s/tests/data/census/annee-2025.csv", src);
    snprintf(groups, sizeof groups, "%s/tests/faults/groupes.csv", src);
    snprintf(overrides, sizeof overrides, "%s/tests/faults/corrections.csv", src);
    snprintf(ban, sizeof ban, "%s/tests/data/ban/adresses-69.csv", src);
    snprintf(next, sizeof next, "%s/tests/faults/recensement-2027.csv", src);

    /* The folder before: the previous year's map, with a file and a folder of the user. */
    char *pre[] = {"build", old, "-o", "sortie", "--quiet", NULL};
    char *test[] = {"build", census, "-o", "sortie", "--previous", previous, "--groups", groups,
                    "--overrides", overrides, "--ban", ban, "--quiet", NULL};
    int ntest = 13;
    /* diff: this census and the next year's (a row gone, one renamed, one moved, one new;
     * the others the same, with their remarks and candidates), without corrections, so
     * that the new year copies the old year's placements. */
    char *test_diff[] = {"diff", census, next, "-o", "sortie", "--quiet", NULL};
    char **tested = test;
    if (F.command == cmd_diff) {
        tested = test_diff;
        ntest = 6;
    }
    char here[4000];
    if (!getcwd(here, sizeof here))
        return 2;
    snprintf(area, sizeof area, "%s/zone", here);
    snprintf(template_dir, sizeof template_dir, "%s/modele", here);
    snprintf(stderr_path, sizeof stderr_path, "%s/stderr.txt", here);
    snprintf(stash, sizeof stash, "%s/reserve", here);
    /* The folder before: last year's map, with a file and a folder of the user, in a shared
     * folder (setgid, group-writable). The same -o spelling everywhere: outputs name it. */
    if (mkdir("modele", 0777) != 0 || chdir("modele") != 0 || mkdir("sortie", 0777) != 0 ||
        chmod("sortie", 02775) != 0)
        return 2;
    run_clean(cmd_build, pre, 5, "carte de l'année précédente");
    /* diff: last year's evolutions are there too. A first diff beside a build makes
     * .ptce-map/diff/, which a failure removes (outdir.c, created_prod): the child would
     * then remove the folder the main line holds open, so that case is tested by
     * unit.test_write (aborted_output_leaves_the_folder_as_it_was), not here. */
    char *pre_diff[] = {"diff", old, old, "-o", "sortie", "--quiet", NULL};
    if (F.command == cmd_diff)
        run_clean(cmd_diff, pre_diff, 6, "évolutions de l'année précédente");
    if (system("echo notes > sortie/notes.txt && mkdir sortie/perso && echo x > sortie/perso/x.txt"
               " && cd .. && cp -a modele zone && cp -a modele ref") != 0 ||
        chdir("../ref") != 0)
        return 2;
    /* What a clean tested run leaves. */
    run_clean(F.command, tested, ntest, "exécution de référence");
    after_clean = snapshot(".", 1);
    after_clean_shown = strdup(after_clean);
    if (chdir(area) != 0)
        return 2;
    before_exact = snapshot(area, 0);
    build_argv = tested;
    build_argc = ntest;
    fds_at_start = list_fds();

    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (count_only)
        printf("début à %.3f s\n", (double)t0.tv_sec + (double)t0.tv_nsec / 1e9);
    int code = run_build();
    if (F.in_child)
        child_checks(code, fds_at_start);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    /* The main line itself ran clean to the end. */
    char *mine = snapshot(area, 1);
    if (code != 0 || strcmp(mine, after_clean)) {
        printf("  ÉCHEC : l'exécution sans panne a donné le code %d ou un autre dossier\n", code);
        show_difference(after_clean, mine);
        F.failures++;
    }
    free(mine);
    if (code == 0 &&
        synced_before_commit("sortie", F.command == cmd_diff ? "diff" : "build") != 0)
        F.failures++;
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    const char *what = F.kind == KIND_ALLOC ? "allocations" : "écritures";
    if (F.kind == KIND_ALLOC)
        printf("phase A (lecture, géocodage, agrégation, couches) : %lu %s, %lu mises en échec "
               "une à une (%lu contextes d'appel à leur première occurrence, les autres au pas "
               "de %lu)\n", F.a_total, what, F.a_tested, F.a_contexts, F.stride);
    printf("phase B (écriture du dossier, de outdir_open à la fin) : %lu %s en %lu segments, %lu "
           "mises en échec une à une (%lu contextes d'appel, les autres au pas de %lu)\n",
           F.b_total, what, F.segments, F.b_tested, F.b_contexts, F.stride);
    printf("couverture : %s (pas %lu, décalage %lu) ; %lu absorbées avec les bonnes sorties, %lu "
           "après la mise en place ; %lu échec(s) ; %.1f s\n",
           F.stride == 1 ? "toutes les opérations" : "chaque contexte + une opération sur K",
           F.stride, F.offset, F.recovered, F.post_commit, F.failures, secs);
    for (int i = 0; profile && i < 4096; i++)
        if (callers[i].n > 2000) {
            char **sym = backtrace_symbols(&callers[i].at, 1);
            printf("  appelant %s : %lu\n", sym ? sym[0] : "?", callers[i].n);
            free(sym);
        }
    for (int i = 0; profile && i < NPROF && prof[i].name; i++)
        printf("  %-24s phase A %8lu   phase B %8lu\n", prof[i].name, prof[i].n[0], prof[i].n[1]);
    return F.failures ? 1 : 0;
}
