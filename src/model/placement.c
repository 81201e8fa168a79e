/*
 * model/placement.c — see placement.h.
 */
#include "model/placement.h"

static const char *const status_names[] = {"match", "ambiguous", "reject"};
static const char *const type_names[] = {"",         "coordinates", "address",    "municipality",
                                         "postcode", "departement", "approximate"};
static const char *const accuracy_names[] = {"", "lieu", "commune", "approche", "departement"};

const char *geo_status_name(geo_status s)
{
    return (unsigned)s < 3 ? status_names[s] : "";
}

const char *geo_type_name(geo_type t)
{
    return (unsigned)t < sizeof type_names / sizeof *type_names ? type_names[t] : "";
}

const char *geo_accuracy_name(geo_accuracy a)
{
    return (unsigned)a < sizeof accuracy_names / sizeof *accuracy_names ? accuracy_names[a] : "";
}
