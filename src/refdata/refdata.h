/*
 * refdata/refdata.h — the French reference data, loaded once per run from data/.
 *
 * Owns: current communes (with Paris, Lyon and Marseille arrondissements), former communes
 * pointing to their current commune, postal codes, départements, regions and EPCI with
 * their polygons (IGN ADMIN EXPRESS COG 2018 mapped to the current COG), the commune
 * polygons and their spatial index (loaded on the first reverse lookup only), and the
 * metadata (COG year, versions, credit line). The tables are read-only once loaded; the
 * polygons are parsed on first use and cached in the refdata, so the functions that
 * return them take a non-const refdata and a refdata must not be shared between threads.
 *
 * The tables are produced by scripts/update-reference-data; the folded name keys they
 * carry are made by the same text_fold() the geocoder uses (a test checks they agree).
 *
 * Lookups give ranges of arrays sorted at load time (or in the image), found through
 * hash indexes of their keys (refdata/index.h): a look-up returns exactly the range a
 * binary search would, so the order of results, and hence every tie-break, is the
 * arrays' own, the same on every machine.
 */
#ifndef PTCE_REFDATA_H
#define PTCE_REFDATA_H

#include <geos_c.h>
#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/tsv.h"
#include "ptce.h"

typedef enum refdata_commune_kind {
    REFDATA_COMMUNE_CURRENT,        /* COM: a current commune */
    REFDATA_COMMUNE_ARRONDISSEMENT  /* ARM: a municipal arrondissement of Paris, Lyon or Marseille */
} refdata_commune_kind;

/* How the commune's point was obtained, best first. Every point of the first four classes
 * lies inside the commune's own polygon (the data compiler checks it, and so do the tests). */
typedef enum refdata_point_precision {
    REFDATA_POINT_GEONAMES,          /* GeoNames point of the commune itself */
    REFDATA_POINT_GEONAMES_NEARBY,   /* GeoNames point filed under the commune with another name */
    REFDATA_POINT_FORMER_COMMUNE,    /* GeoNames point of one of its former communes */
    REFDATA_POINT_INTERIOR,          /* no GeoNames point inside the polygon: the centre of the
                                polygon's maximum inscribed circle (visually central) */
    REFDATA_POINT_PARENT,            /* an arrondissement: the point of its city (the IGN file has
                                one polygon for Paris, Lyon and Marseille) */
    REFDATA_POINT_RECREATED          /* a commune re-created since 2018, without a polygon of its
                                own: a point inside the 2018 polygon that holds it
                                (`contour`), approximate */
} refdata_point_precision;

const char *refdata_point_precision_name(refdata_point_precision p);

typedef struct commune {
    const char *insee;      /* 5 characters */
    const char *nom;
    const char *key;        /* folded name */
    const char *parent;     /* for an arrondissement, its commune (75056…); "" otherwise */
    const char *dep;
    const char *reg;
    const char *postcodes;  /* space-separated, as in the COG */
    const char *contour;    /* INSEE code of the commune whose polygon stands for this one:
                               itself, the city of an arrondissement, the 2018 commune that
                               holds a re-created one */
    const char *epci;       /* SIREN of its EPCI, "" for the 4 island communes without one */
    const struct epci *epci_area; /* that EPCI's record (refdata_epci(epci)), NULL without
                                     one: set at load, so the writers need no look-up */
    long population;
    double lat, lon;
    refdata_commune_kind kind;
    refdata_point_precision precision;
} commune;

typedef enum refdata_former_kind {
    REFDATA_FORMER_DELEGUEE,  /* COMD */
    REFDATA_FORMER_ASSOCIEE,  /* COMA */
    REFDATA_FORMER_CODE,      /* ANC: a code that disappeared in a merger; its 2018 name
                               * (IGN ADMIN EXPRESS COG 2018) when it existed in 2018, else "" */
    REFDATA_FORMER_NAME       /* NOM: the 2018 name of a commune that kept its code under
                               * another name (Évry, 91228, now Évry-Courcouronnes); code is
                               * the current commune's own */
} refdata_former_kind;

typedef struct refdata_former_commune {
    const char *code;
    const char *nom;        /* "" for a REFDATA_FORMER_CODE gone before 2018 */
    const char *key;
    refdata_former_kind kind;
    const commune *current;
} refdata_former_commune;

typedef struct refdata_postal_entry {
    const char *postcode;
    const commune *commune;
    const char *routing;     /* La Poste libellé d'acheminement, "" when unknown */
    const char *routing_key; /* folded */
    const char *laposte_key; /* folded La Poste commune name (may be a former name) */
} refdata_postal_entry;

typedef struct departement {
    const char *code;
    const char *nom;
    const char *key;
    const char *reg;
    const char *chef_lieu;
    const char *words;       /* refdata_departement_words() of key (codes.h), made at load */
    long population;
    GEOSGeometry *geom;      /* union of its communes (WGS 84), parsed on first use, owned */
    const char *wkt_web;     /* simplified for web maps (shared borders kept shared) */
    GEOSGeometry *geom_web;
    /* The web polygon as WKB when loaded from the binary image (parsing it is several
     * times faster than the WKT); NULL otherwise. geom comes from data/geom/, through the
     * image's decoded copy when it has one (refdata/geofile.h). */
    const unsigned char *wkb_web;
    size_t wkb_web_len;
    /* The box of geom (xmin, ymin, xmax, ymax, as GEOS gives them) from the binary image:
     * placing points needs only the boxes, not the 101 polygons; has_box false otherwise. */
    double box[4];
    bool has_box;
} departement;

typedef struct region {
    const char *code;
    const char *nom;
    const char *key;
    long population;
    size_t ndeps;
    GEOSGeometry *geom;      /* union of its départements */
    const char *wkt_web;
    GEOSGeometry *geom_web;
    const unsigned char *wkb_web; /* as the département's */
    size_t wkb_web_len;
} region;

/* An EPCI (établissement public de coopération intercommunale à fiscalité propre). */
typedef struct epci {
    const char *code;        /* SIREN, 9 digits */
    const char *nom;
    const char *key;         /* folded name */
    const char *type;        /* CC, CA, CU, ME (métropole), MET69 (Lyon) */
    long population;         /* population municipale (COG) */
    long ncommunes;          /* member communes (arrondissements not counted) */
    GEOSGeometry *geom;      /* union of its communes, from data/geom/epci.geo.gz */
    GEOSGeometry *geom_web;  /* simplified for web maps, from data/geom/epci_web.geo.gz */
} epci;

/* A place name → where it leads. One commune can have several entries (its own name, a
 * La Poste spelling, former communes' names). */
typedef enum refdata_name_source {
    REFDATA_NAME_COMMUNE,
    REFDATA_NAME_FORMER,
    REFDATA_NAME_LAPOSTE,
    REFDATA_NAME_ROUTING
} refdata_name_source;

typedef struct refdata_name_entry {
    const char *key;
    const commune *commune;
    const refdata_former_commune *former; /* for REFDATA_NAME_FORMER */
    refdata_name_source source;
} refdata_name_entry;

/* The reference polygons whose output bytes the image can hold (see cache.h): each area
 * array's full polygons and web variants. */
typedef enum refdata_polygon_set {
    REFDATA_POLYGONS_REGIONS,
    REFDATA_POLYGONS_REGIONS_WEB,
    REFDATA_POLYGONS_DEPARTEMENTS,
    REFDATA_POLYGONS_DEPARTEMENTS_WEB,
    REFDATA_POLYGONS_EPCI_WEB,
    REFDATA_POLYGON_SETS
} refdata_polygon_set;

/* Kinds of areas, for refdata_polygon_bytes(). */
typedef enum refdata_area_kind {
    REFDATA_AREA_REGION,
    REFDATA_AREA_DEPARTEMENT,
    REFDATA_AREA_EPCI
} refdata_area_kind;

typedef struct refdata {
    commune *communes;        /* sorted by INSEE code */
    size_t ncommunes;
    refdata_former_commune *former;   /* sorted by code */
    size_t nformer;
    refdata_postal_entry *postal;     /* sorted by postal code then INSEE */
    size_t npostal;
    departement *deps;        /* sorted by code */
    size_t ndeps;
    region *regions;          /* sorted by code */
    size_t nregions;
    refdata_name_entry *names;        /* sorted by key, then INSEE, then source */
    size_t nnames;
    epci *epcis;              /* sorted by code */
    size_t nepci;
    tsv_table outside;        /* communes of collectivities outside the 18 regions */
    uint32_t *outside_by_insee; /* its rows sorted by INSEE code, then row: made at load */
    char *dep_words;          /* the départements' words, one block, made at load */
    tsv_table t_epci;
    struct refdata_indexes *ix;    /* hash indexes of the arrays above (refdata/index.h):
                                      made at load, or their slots mapped from the image */
    struct refdata_shapes *shapes; /* commune polygons and their index: NULL until the first
                                      reverse lookup (see refdata_locate) */
    char cog_year[8];
    char credit[512];
    char versions[256];
    /* Backing tables, owned. */
    tsv_table t_communes, t_former, t_postal, t_deps, t_regions, t_deps_web, t_regions_web,
        t_meta;
    GEOSContextHandle_t geos; /* for freeing the parsed geometries */
    void *cache_map;          /* the mapped refdata.bin when loaded from it (see cache.h) */
    size_t cache_size;
    /* The output bytes of the reference polygons, from the image (cache.h): spans[set] holds
     * (offset into `prebuilt`, length) for format f of area i at [2 * (i * nformats + f)].
     * NULL and 0 when loaded from the tables. */
    const unsigned char *prebuilt;
    const uint64_t *prebuilt_spans[REFDATA_POLYGON_SETS];
    size_t prebuilt_count[REFDATA_POLYGON_SETS];
    size_t prebuilt_nformats;
    uint64_t prebuilt_stamp;  /* fingerprint of the formatters that made them */
    /* The polygons of data/geom/ decoded when the image was made (cache.h, read through
     * refdata/geofile.h): the section's start in the mapping, NULL when loaded from the
     * tables. */
    const unsigned char *geo;
    size_t geo_nfiles, geo_nentries, geo_nrings, geo_nvertices;
} refdata;

/* Loads the reference data of the context's data folder: from its binary image
 * (refdata.bin, see cache.h) when there is an up-to-date one, else from the tables.
 * $PTCE_MAP_NO_CACHE=1 forces the tables. */
ptce_status refdata_load(ptce_ctx *ctx, refdata *rd);

/* Same, always from the tables (used to make the image). */
ptce_status refdata_load_tables(ptce_ctx *ctx, refdata *rd);
void refdata_free(refdata *rd);

const commune *refdata_commune(const refdata *rd, const char *insee);
const refdata_former_commune *refdata_former(const refdata *rd, const char *code);
const departement *refdata_departement(const refdata *rd, const char *code);
/* The département whose folded name (key) is `key`, whose words
 * (refdata_departement_words) are `words`; NULL when none. */
const departement *refdata_departement_by_key(const refdata *rd, const char *key);
const departement *refdata_departement_by_words(const refdata *rd, const char *words);
const region *refdata_region(const refdata *rd, const char *code);
const epci *refdata_epci(const refdata *rd, const char *code);
/* The collectivity name when `insee` is a commune outside the 18 regions (975, 977…). */
const char *refdata_outside_collectivity(const refdata *rd, const char *insee, const char **nom);
/* The communes outside the 18 regions, one by one: i < refdata_outside_count(); returns
 * the collectivity's code and sets *insee and *nom (pointers into the refdata). */
size_t refdata_outside_count(const refdata *rd);
const char *refdata_outside_row(const refdata *rd, size_t i, const char **insee,
                                const char **nom);

/* All entries of a postal code: *first gets the first, the count is returned. */
size_t refdata_postal(const refdata *rd, const char *postcode, const refdata_postal_entry **first);
/* All name entries whose key equals `key`. */
size_t refdata_names(const refdata *rd, const char *key, const refdata_name_entry **first);

/* Polygons, parsed on first use (the caller must not free them). NULL with an error set
 * when GEOS cannot read them. */
const GEOSGeometry *refdata_departement_geom(ptce_ctx *ctx, refdata *rd, departement *d);
const GEOSGeometry *refdata_region_geom(ptce_ctx *ctx, refdata *rd, region *r);
/* The simplified web variants (about 2 km), made once by the data compiler. */
const GEOSGeometry *refdata_departement_web_geom(ptce_ctx *ctx, refdata *rd, departement *d);
const GEOSGeometry *refdata_region_web_geom(ptce_ctx *ctx, refdata *rd, region *r);
const GEOSGeometry *refdata_epci_geom(ptce_ctx *ctx, refdata *rd, epci *e);
const GEOSGeometry *refdata_epci_web_geom(ptce_ctx *ctx, refdata *rd, epci *e);

/* The bytes, in `format` (a layer_polygon_format: refdata only stores them), that the
 * image holds for `g` when g is the i-th area of `kind` — its polygon or its web variant,
 * exactly as the functions above gave it —, else NULL. The caller checks rd->prebuilt_stamp
 * against the formatters it would use. */
const unsigned char *refdata_polygon_bytes(const refdata *rd, refdata_area_kind kind, size_t i,
                                           const GEOSGeometry *g, int format, size_t *len);
/* Says that the bytes in `format` of the areas of `kind` whose first polygon is g0 (the same
 * set) have been written: their pages are given back to the system (the process's memory
 * does not keep every format of every polygon until it ends); asked again, they are read
 * again from the image. */
void refdata_polygon_bytes_done(const refdata *rd, refdata_area_kind kind, const GEOSGeometry *g0,
                                int format);

/* ---- reverse lookup: which commune is at a point ---------------------------------------
 *
 * The 34,875 commune polygons (IGN ADMIN EXPRESS COG 2018, simplified to about 1 m, mapped
 * to the current COG) are read from data/geom/communes-<dep>.geo.gz by the functions
 * below, never before, and only for the départements whose box meets the point's
 * neighbourhood: a census without coordinates never pays for them (about 0.3 s and 100 MB
 * for all 101 files), one with a few points pays for a few files. They are indexed in
 * GEOS STRtrees (one per département); a candidate is confirmed with a
 * prepared geometry (prepared on first use) and the Covers predicate, so a point on a
 * border belongs to a commune (the one first in INSEE order when two share it).
 * Polygons and index belong to `rd` and are freed by refdata_free(). Not thread-safe: the
 * first call fills rd->shapes, and polygons, prepared geometries and trees are made lazily.
 * Distances are in metres, from the point to the nearest point of the polygon's rings, in
 * the local equirectangular projection centred on the point (longitudes scaled by the
 * cosine of its latitude, Earth mean radius 6,371,008.8 m): within 0.1 % of the geodesic
 * distance up to tens of kilometres, which is all a tolerance needs.
 * Arrondissements and re-created communes have no polygon of their own (see
 * refdata_point_precision): a point inside Paris is located in 75056, not in an arrondissement.
 */
typedef enum refdata_locate_status {
    REFDATA_LOCATE_INSIDE,  /* a commune polygon covers the point: distance 0 */
    REFDATA_LOCATE_NEAR,    /* outside every polygon, nearest commune within the tolerance */
    REFDATA_LOCATE_NONE     /* nearest commune farther than the tolerance (at sea, abroad);
                       commune NULL only for coordinates that are not numbers */
} refdata_locate_status;

typedef struct refdata_locate_result {
    refdata_locate_status status;
    const commune *commune;  /* the commune found (NEAR, NONE: the nearest one) */
    double distance_m;       /* 0 when inside, else the distance to that commune's polygon
                                (beyond 200 km the nearest is searched in degrees, and may
                                not be the nearest in metres: an order of magnitude only) */
} refdata_locate_result;

/* The commune at (lon, lat) (WGS 84 degrees). `tolerance_m` is how far outside every
 * polygon a point may be and still be given to the nearest commune. Fails (with a message)
 * only when the polygons cannot be read; a point at sea is a REFDATA_LOCATE_NONE result. */
ptce_status refdata_locate(ptce_ctx *ctx, refdata *rd, double lon, double lat,
                           double tolerance_m, refdata_locate_result *out);

/* Distance in metres from (lon, lat) to the polygon of commune `m` (0 inside it); for an
 * arrondissement or a re-created commune, the polygon that stands for it (m->contour). */
ptce_status refdata_commune_distance(ptce_ctx *ctx, refdata *rd, const commune *m, double lon,
                                     double lat, double *distance_m);

/* The polygon standing for commune `m` (its own, or m->contour's), owned by rd. NULL with
 * the error set when the polygons cannot be read. */
const GEOSGeometry *refdata_commune_geom(ptce_ctx *ctx, refdata *rd, const commune *m);

/* Frees the commune polygons, prepared geometries and trees read so far (rd->shapes back
 * to NULL); a later lookup reads them again. For a caller done with placing points: at
 * 100,000 rows with coordinates they are every département's, about 100 MB held until
 * refdata_free() otherwise, while the outputs are written. A pointer returned by
 * refdata_commune_geom() before the call is no longer valid after it. */
void refdata_release_polygons(refdata *rd);

#endif
