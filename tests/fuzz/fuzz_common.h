/*
 * tests/fuzz/fuzz_common.h — what the libFuzzer harnesses share: a quiet context, the
 * reference data folder, and a scratch file for the parsers that only read from a path.
 */
#ifndef PTCE_FUZZ_COMMON_H
#define PTCE_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ptce.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A context that prints nothing (warnings would flood the fuzzer's output). */
static inline ptce_ctx *fuzz_context(void)
{
    ptce_ctx *ctx = ptce_ctx_new(NULL);
    if (!ctx) {
        fprintf(stderr, "fuzz: ptce_ctx_new failed\n");
        abort();
    }
    ptce_ctx_set_quiet(ctx, 1);
    /* $PTCE_MAP_DATA wins; otherwise the source tree's data/ the harness was built from. */
    const char *dir = getenv("PTCE_MAP_DATA");
    if (!dir || !*dir)
        dir = PTCE_FUZZ_DATA_DIR;
    if (ptce_ctx_set_data_dir(ctx, dir) != PTCE_OK) {
        fprintf(stderr, "fuzz: %s\n", ptce_ctx_error(ctx));
        abort();
    }
    return ctx;
}

/* A file created with mkstemp() and unlinked at once: nothing is left behind even when the
 * fuzzer stops on a crash. The parsers open it again through /proc/self/fd/N. */
typedef struct fuzz_file {
    int fd;
    char path[64];
} fuzz_file;

static inline void fuzz_file_open(fuzz_file *f)
{
    const char *tmp = getenv("TMPDIR");
    char name[4096];
    snprintf(name, sizeof name, "%s/ptce-fuzz-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    f->fd = mkstemp(name);
    if (f->fd < 0) {
        perror("fuzz: mkstemp");
        abort();
    }
    unlink(name);
    snprintf(f->path, sizeof f->path, "/proc/self/fd/%d", f->fd);
}

/* Replaces the file's content with the input. */
static inline void fuzz_file_set(fuzz_file *f, const uint8_t *data, size_t size)
{
    if (ftruncate(f->fd, 0) != 0) {
        perror("fuzz: ftruncate");
        abort();
    }
    size_t done = 0;
    while (done < size) {
        ssize_t w = pwrite(f->fd, data + done, size - done, (off_t)done);
        if (w <= 0) {
            perror("fuzz: pwrite");
            abort();
        }
        done += (size_t)w;
    }
}

/* Touches every byte of a string so that ASan checks it is readable up to its NUL. */
static inline size_t fuzz_touch(const char *s)
{
    size_t h = 0;
    for (; s && *s; s++)
        h = h * 31 + (unsigned char)*s;
    return h;
}

#endif
