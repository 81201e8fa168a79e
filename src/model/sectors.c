/*
 * model/sectors.c — see sectors.h (the taxonomy accessors live with its loader, in
 * classify/taxonomy.c).
 */
#include "model/sectors.h"

#include <stdlib.h>

void sectors_classification_free(classification *c)
{
    if (!c)
        return;
    free(c->sectors_text);
    free(c->terms);
    c->sectors_text = NULL;
    c->terms = NULL;
}
