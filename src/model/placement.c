/*
 * model/placement.c — see placement.h.
 */
#include "model/placement.h"

static const char *const status_names[] = {"match", "ambiguous", "reject"};
static const char *const type_names[] = {"", "coordinates", "address", "municipality",
                                         "postcode", "departement"};

const char *geo_status_name(geo_status s)
{
    return (unsigned)s < 3 ? status_names[s] : "";
}

const char *geo_type_name(geo_type t)
{
    return (unsigned)t < 6 ? type_names[t] : "";
}
