/*
 * model/sectors.c — see sectors.h (the taxonomy accessors live with its loader, in
 * classify/taxonomy.c).
 */
#include "model/sectors.h"

#include <stdlib.h>
#include <string.h>

void sectors_classification_free(classification *c)
{
    if (!c)
        return;
    free(c->scores);
    memset(c, 0, sizeof *c);
}

int sectors_classification_copy(classification *dst, const classification *src)
{
    memset(dst, 0, sizeof *dst);
    if (!src->scores)
        return 0;
    /* The block's layout (sectors.h): scores, sectors, then the two texts. */
    size_t slen = strlen(src->sectors_text), tlen = strlen(src->terms);
    size_t arrays = src->nscores * sizeof(double) + src->nsectors * sizeof(int);
    char *block = malloc(arrays + slen + tlen + 2);
    if (!block)
        return -1;
    memcpy(block, src->scores, arrays + slen + tlen + 2);
    *dst = *src;
    dst->scores = (double *)(void *)block;
    dst->sectors = (int *)(void *)(block + src->nscores * sizeof(double));
    dst->sectors_text = (char *)(dst->sectors + dst->nsectors);
    dst->terms = dst->sectors_text + slen + 1;
    return 0;
}
