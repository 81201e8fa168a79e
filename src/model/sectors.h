/*
 * model/sectors.h — the sectors of the taxonomy and what classification decided for a row.
 *
 * The taxonomy is loaded by classify/ (classify_taxonomy_load), which also implements the
 * read-only accessors below over its private struct; every other room sees only this
 * interface. A classification owns its two strings (sectors_classification_free).
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

#define SECTORS_MAX 32

typedef struct classification {
    int primary;                        /* sector index; the `autre` sector when nothing matched */
    int sectors[SECTORS_MAX];  /* primary first, then secondaries by decreasing score */
    size_t nsectors;
    double score;                       /* confidence of the primary, 0..1 */
    int runner_up;                      /* second best sector by ranking score, -1 if none */
    double scores[SECTORS_MAX];/* ranking score of each sector (see classify/classify.c) */
    char *sectors_text;                 /* "economie_circulaire|alimentation_agriculture", owned */
    char *terms;                        /* matched terms with their sector, owned */
} classification;

void sectors_classification_free(classification *c);

#endif
