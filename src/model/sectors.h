/*
 * model/sectors.h — the sectors of the taxonomy and what classification decided for a row.
 *
 * The taxonomy is loaded by classify/ (classify_taxonomy_load), which also implements the
 * read-only accessors below over its private struct; every other room sees only this
 * interface. A classification owns one block: its arrays and strings (sectors_classification_free).
 * Includes nothing above the floor.
 */
#ifndef PTCE_MODEL_SECTORS_H
#define PTCE_MODEL_SECTORS_H

#include <stddef.h>

#include "ptce.h"

typedef struct taxonomy taxonomy;

size_t sectors_count(const taxonomy *t);
/* Sector i (0 <= i < count), in the file's order. */
const char *sectors_id(const taxonomy *t, size_t i);    /* "economie_circulaire" */
const char *sectors_label(const taxonomy *t, size_t i); /* "Économie circulaire" */
const char *sectors_color(const taxonomy *t, size_t i); /* "#2e8b57" */
/* A short ASCII code, at most 8 characters, used in DBF field names n_<short>. */
const char *sectors_short(const taxonomy *t, size_t i);
/* Index of a sector id, -1 when unknown. */
int sectors_find(const taxonomy *t, const char *id);

/* The most sectors a taxonomy may define (classify/taxonomy.c refuses more, naming the
 * line): classification keeps its per-sector work on the stack at this size. */
#define SECTORS_MAX 32

/* A classification's arrays and texts are sized to what the row holds, in one allocation
 * (a census row pays for its taxonomy's sectors, not for SECTORS_MAX; issue #15): the block
 * starts at `scores` and holds scores, then sectors, then the two texts. */
typedef struct classification {
    int primary;        /* sector index; the `autre` sector when nothing matched */
    int runner_up;      /* second best sector by ranking score, -1 if none */
    double score;       /* confidence of the primary, 0..1 */
    size_t nsectors;
    int *sectors;       /* nsectors: primary first, then secondaries by decreasing score */
    size_t nscores;     /* the taxonomy's sector count */
    double *scores;     /* nscores: ranking score of each sector (see classify/classify.c);
                         * the start of the owned block */
    char *sectors_text; /* "economie_circulaire|alimentation_agriculture", in the block */
    char *terms;        /* matched terms with their sector, in the block */
} classification;

/* Releases the block and zeroes the classification. */
void sectors_classification_free(classification *c);

/* Makes *dst a copy of *src with its own block (a zeroed src gives a zeroed dst). Returns 0,
 * or -1 when memory runs out (dst is then zeroed). */
int sectors_classification_copy(classification *dst, const classification *src);

#endif
