/*
 * refdata/refdata.h — the French reference data, loaded once per run from data/.
 *
 * Owns: current communes (with Paris, Lyon and Marseille arrondissements), former communes
 * pointing to their current commune, postal codes, départements and regions with their
 * polygons, and the metadata (COG year, versions, credit line). Read-only once loaded.
 *
 * The tables are produced by scripts/update-reference-data; the folded name keys they
 * carry are made by the same text_fold() the geocoder uses (a test checks they agree).
 *
 * Lookups are binary searches over arrays sorted at load time: no hashing, so the order
 * of results, and hence every tie-break, is the same on every machine.
 */
#ifndef PTCE_REFDATA_H
#define PTCE_REFDATA_H

#include <geos_c.h>
#include <stddef.h>

#include "core/tsv.h"
#include "ptce.h"

typedef enum commune_kind {
    COMMUNE_CURRENT,        /* COM: a current commune */
    COMMUNE_ARRONDISSEMENT  /* ARM: a municipal arrondissement of Paris, Lyon or Marseille */
} commune_kind;

/* How the commune's point was obtained, best first. */
typedef enum point_precision {
    POINT_GEONAMES,          /* GeoNames point of the commune itself */
    POINT_GEONAMES_NEARBY,   /* GeoNames point filed under the commune with another name */
    POINT_FORMER_COMMUNE,    /* GeoNames point of one of its former communes */
    POINT_PARENT,            /* an arrondissement: the point of its city */
    POINT_POSTCODE,          /* mean of the communes sharing its postal code */
    POINT_DEPARTEMENT        /* a point inside its département */
} point_precision;

const char *point_precision_name(point_precision p);

typedef struct commune {
    const char *insee;      /* 5 characters */
    const char *nom;
    const char *key;        /* folded name */
    const char *parent;     /* for an arrondissement, its commune (75056…); "" otherwise */
    const char *dep;
    const char *reg;
    const char *postcodes;  /* space-separated, as in the COG */
    long population;
    double lat, lon;
    commune_kind kind;
    point_precision precision;
} commune;

typedef enum former_kind {
    FORMER_DELEGUEE,  /* COMD */
    FORMER_ASSOCIEE,  /* COMA */
    FORMER_CODE       /* ANC: a code that disappeared in a merger, no name kept */
} former_kind;

typedef struct former_commune {
    const char *code;
    const char *nom;        /* "" for FORMER_CODE */
    const char *key;
    former_kind kind;
    const commune *current;
} former_commune;

typedef struct postal_entry {
    const char *postcode;
    const commune *commune;
    const char *routing;     /* La Poste libellé d'acheminement, "" when unknown */
    const char *routing_key; /* folded */
    const char *laposte_key; /* folded La Poste commune name (may be a former name) */
} postal_entry;

typedef struct departement {
    const char *code;
    const char *nom;
    const char *key;
    const char *reg;
    const char *chef_lieu;
    long population;
    const char *wkt;         /* WGS 84 polygon */
    GEOSGeometry *geom;      /* parsed on first use, owned */
    const char *wkt_web;     /* simplified for web maps (shared borders kept shared) */
    GEOSGeometry *geom_web;
    /* The same as WKB when loaded from the binary image (parsing it is several times
     * faster than WKT); NULL otherwise. */
    const unsigned char *wkb, *wkb_web;
    size_t wkb_len, wkb_web_len;
} departement;

typedef struct region {
    const char *code;
    const char *nom;
    const char *key;
    long population;
    size_t ndeps;
    const char *wkt;
    GEOSGeometry *geom;
    const char *wkt_web;
    GEOSGeometry *geom_web;
    const unsigned char *wkb, *wkb_web;
    size_t wkb_len, wkb_web_len;
} region;

/* A place name → where it leads. One commune can have several entries (its own name, a
 * La Poste spelling, former communes' names). */
typedef enum name_source {
    NAME_COMMUNE,
    NAME_FORMER,
    NAME_LAPOSTE,
    NAME_ROUTING
} name_source;

typedef struct name_entry {
    const char *key;
    const commune *commune;
    const former_commune *former; /* for NAME_FORMER */
    name_source source;
} name_entry;

typedef struct refdata {
    commune *communes;        /* sorted by INSEE code */
    size_t ncommunes;
    former_commune *former;   /* sorted by code */
    size_t nformer;
    postal_entry *postal;     /* sorted by postal code then INSEE */
    size_t npostal;
    departement *deps;        /* sorted by code */
    size_t ndeps;
    region *regions;          /* sorted by code */
    size_t nregions;
    name_entry *names;        /* sorted by key, then INSEE, then source */
    size_t nnames;
    tsv_table outside;        /* communes of collectivities outside the 18 regions */
    char cog_year[8];
    char credit[512];
    char versions[256];
    /* Backing tables, owned. */
    tsv_table t_communes, t_former, t_postal, t_deps, t_regions, t_deps_geom, t_regions_geom,
        t_deps_web, t_regions_web, t_meta;
    GEOSContextHandle_t geos; /* for freeing the parsed geometries */
    void *cache_map;          /* the mapped refdata.bin when loaded from it (see cache.h) */
    size_t cache_size;
} refdata;

/* Loads the reference data of the context's data folder: from its binary image
 * (refdata.bin, see cache.h) when there is an up-to-date one, else from the tables.
 * $PTCE_MAP_NO_CACHE=1 forces the tables. */
ptce_status refdata_load(ptce_ctx *ctx, refdata *rd);

/* Same, always from the tables (used to make the image). */
ptce_status refdata_load_tables(ptce_ctx *ctx, refdata *rd);
void refdata_free(refdata *rd);

const commune *refdata_commune(const refdata *rd, const char *insee);
const former_commune *refdata_former(const refdata *rd, const char *code);
const departement *refdata_departement(const refdata *rd, const char *code);
const region *refdata_region(const refdata *rd, const char *code);
/* The collectivity name when `insee` is a commune outside the 18 regions (975, 977…). */
const char *refdata_outside_collectivity(const refdata *rd, const char *insee, const char **nom);

/* All entries of a postal code: *first gets the first, the count is returned. */
size_t refdata_postal(const refdata *rd, const char *postcode, const postal_entry **first);
/* All name entries whose key equals `key`. */
size_t refdata_names(const refdata *rd, const char *key, const name_entry **first);

/* Polygons, parsed on first use (the caller must not free them). NULL with an error set
 * when GEOS cannot read them. */
const GEOSGeometry *refdata_departement_geom(ptce_ctx *ctx, refdata *rd, departement *d);
const GEOSGeometry *refdata_region_geom(ptce_ctx *ctx, refdata *rd, region *r);
/* The simplified web variants (about 2 km), made once by the data compiler. */
const GEOSGeometry *refdata_departement_web_geom(ptce_ctx *ctx, refdata *rd, departement *d);
const GEOSGeometry *refdata_region_web_geom(ptce_ctx *ctx, refdata *rd, region *r);

#endif
