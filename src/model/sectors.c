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
