/*
 * model/record.c — see record.h.
 */
#include "model/record.h"

#include <stdlib.h>
#include <string.h>

static const char *const role_names[CENSUS_ROLE_COUNT] = {
    "id", "nom", "adresse", "code_postal", "commune", "insee", "departement", "latitude",
    "longitude", "x", "y", "theme", "description", "membres", "annee"};

const char *census_role_name(census_role role)
{
    return role < CENSUS_ROLE_COUNT ? role_names[role] : "?";
}

void census_free(census *c)
{
    if (!c)
        return;
    free(c->path);
    free(c->header);
    free(c->records);
    free(c->text);
    free(c->cell_offsets);
    free(c->warns);
    memset(c, 0, sizeof *c);
}

const char *census_cell(const census *c, const census_record *r, size_t col)
{
    if (col >= c->ncols)
        return "";
    return c->text + c->cell_offsets[r->first_cell + col];
}

const char *census_value(const census *c, const census_record *r, census_role role)
{
    if (role >= CENSUS_ROLE_COUNT || c->role_col[role] < 0)
        return "";
    return census_cell(c, r, (size_t)c->role_col[role]);
}
