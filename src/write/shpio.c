/*
 * write/shpio.c — see shpio.h.
 */
#include "write/shpio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BUFFER_SIZE (1u << 20)

typedef struct bufile {
    int fd;
    unsigned long pos;      /* current position */
    unsigned long buf_off;  /* file offset of buf[0] */
    size_t buf_len;         /* bytes waiting in buf */
    int failed;             /* a write to disk failed */
    int err;                /* its errno */
    char *buf;              /* BUFFER_SIZE bytes, allocated at the first buffered write */
} bufile;

/* What an open returns when memory runs out for the handle itself: shapelib does not check
 * every open (DBFCreateLL…), and an error it sees is reported without its cause. Every hook
 * leaves it untouched (failed from the start), so it is constant in effect; shpio_failed()
 * says ENOMEM and the writer reports a memory error. */
static bufile out_of_memory = {.fd = -1, .failed = 1, .err = ENOMEM};

static int flush(bufile *b)
{
    if (b->failed)
        return 0;
    size_t done = 0;
    while (done < b->buf_len) {
        ssize_t w = pwrite(b->fd, b->buf + done, b->buf_len - done, (off_t)(b->buf_off + done));
        if (w <= 0) {
            b->failed = 1;
            b->err = w < 0 ? errno : ENOSPC;
            break;
        }
        done += (size_t)w;
    }
    b->buf_len = 0;
    return !b->failed;
}

static SAFile buf_open(const char *filename, const char *access)
{
    int flags;
    if (access[0] == 'w')
        flags = O_RDWR | O_CREAT | O_TRUNC;
    else if (strchr(access, '+'))
        flags = O_RDWR;
    else
        flags = O_RDONLY;
    int fd = open(filename, flags | O_CLOEXEC, 0666);
    if (fd < 0)
        return NULL;
    bufile *b = malloc(sizeof *b);
    if (!b) {
        close(fd);
        return (SAFile)&out_of_memory;
    }
    b->buf = NULL;
    b->fd = fd;
    b->pos = b->buf_off = 0;
    b->buf_len = 0;
    b->failed = 0;
    b->err = 0;
    return (SAFile)b;
}

/* shapelib 1.5 does not check every open (DBFCreateLL writes the .cpg through a handle it
 * never tests): every hook takes a NULL file and fails; check_written() sees the missing
 * file. */
static SAOffset buf_read(void *p, SAOffset size, SAOffset nmemb, SAFile file)
{
    bufile *b = (bufile *)file;
    if (!b || size == 0 || !flush(b))
        return 0;
    ssize_t got = pread(b->fd, p, size * nmemb, (off_t)b->pos);
    if (got <= 0)
        return 0;
    b->pos += (unsigned long)got;
    return (SAOffset)got / size;
}

static SAOffset buf_write(void *p, SAOffset size, SAOffset nmemb, SAFile file)
{
    bufile *b = (bufile *)file;
    if (!b || b->failed)
        return 0;
    size_t n = size * nmemb;
    if (n == 0) /* DBFClose of a table with no field writes NULL, 0: memcpy must not see it */
        return nmemb;
    /* Not right after what the buffer holds, or too big: flush, start again here. */
    if (b->pos != b->buf_off + b->buf_len || b->buf_len + n > BUFFER_SIZE) {
        if (!flush(b))
            return 0;
        b->buf_off = b->pos;
    }
    /* Too big for the buffer, or no memory for it (it only saves system calls): straight
     * to the file. */
    if (n > BUFFER_SIZE || (!b->buf && !(b->buf = malloc(BUFFER_SIZE)))) {
        ssize_t w = pwrite(b->fd, p, n, (off_t)b->pos);
        if (w != (ssize_t)n) {
            b->failed = 1;
            b->err = w < 0 ? errno : ENOSPC;
            return 0;
        }
    } else {
        memcpy(b->buf + b->buf_len, p, n);
        b->buf_len += n;
    }
    b->pos += n;
    return nmemb;
}

static SAOffset buf_seek(SAFile file, SAOffset offset, int whence)
{
    bufile *b = (bufile *)file;
    if (!b || b == &out_of_memory)
        return (SAOffset)-1;
    if (whence == SEEK_SET) {
        b->pos = offset;
    } else if (whence == SEEK_CUR) {
        b->pos += offset;
    } else {
        if (!flush(b))
            return (SAOffset)-1;
        off_t end = lseek(b->fd, 0, SEEK_END);
        if (end < 0)
            return (SAOffset)-1;
        b->pos = (unsigned long)end + offset;
    }
    return 0;
}

static SAOffset buf_tell(SAFile file)
{
    return file ? ((bufile *)file)->pos : 0;
}

static int buf_flush(SAFile file)
{
    return file && flush((bufile *)file) ? 0 : -1;
}

static int buf_close(SAFile file)
{
    bufile *b = (bufile *)file;
    if (!b || b == &out_of_memory)
        return -1;
    int ok = flush(b);
    ok &= close(b->fd) == 0;
    free(b->buf);
    free(b);
    return ok ? 0 : -1;
}

/* shapelib's messages are English and without context: the writer reports instead. */
static void quiet_error(const char *message)
{
    (void)message;
}

int shpio_failed(SAFile file)
{
    bufile *b = (bufile *)file;
    return b && b->failed ? (b->err ? b->err : EIO) : 0;
}

void shpio_hooks(SAHooks *hooks)
{
    SASetupDefaultHooks(hooks);
    hooks->FOpen = buf_open;
    hooks->FRead = buf_read;
    hooks->FWrite = buf_write;
    hooks->FSeek = buf_seek;
    hooks->FTell = buf_tell;
    hooks->FFlush = buf_flush;
    hooks->FClose = buf_close;
    hooks->Error = quiet_error;
}
