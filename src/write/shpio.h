/*
 * write/shpio.h — shapelib I/O hooks with a write buffer.
 *
 * With its default hooks shapelib seeks, reads and writes the disk for every record: three
 * system calls per record, most of the time of writing 100,000 features. Records are
 * written one after the other, so these hooks gather consecutive writes in a 1 MiB buffer
 * and send it in one write; any other access (a seek back to rewrite the header, a read)
 * flushes it first. Memory stays bounded whatever the layer's size, and each open file is
 * self-contained (no global state). shapelib ignores write and close failures and prints its
 * own English messages: the hooks keep quiet, remember the first failed write
 * (shpio_failed) and callers also check the files by reading them back.
 */
#ifndef PTCE_WRITE_SHPIO_H
#define PTCE_WRITE_SHPIO_H

#include <shapefil.h>

/* Fills `hooks` with shapelib's defaults, then the buffered file functions. */
void shpio_hooks(SAHooks *hooks);

/* The errno of the first failed write to `file` (opened by these hooks), 0 when none. */
int shpio_failed(SAFile file);

#endif
