/*
 * write/out_gpkg.c — the GeoPackage writer (OGC GeoPackage 1.3, through SQLite).
 *
 * Owns: the file layout of a GeoPackage — the core tables (gpkg_spatial_ref_sys,
 * gpkg_contents, gpkg_geometry_columns), one feature table per layer with GeoPackage binary
 * geometries (header "GP", version 0, little-endian, XY envelope, srs_id, then
 * little-endian WKB), an R-tree spatial index per feature table with the triggers of the
 * gpkg_rtree_index extension, the schema extension (gpkg_data_columns: field aliases), the
 * metadata extension (gpkg_metadata: sources and licences), and QGIS's `layer_styles`
 * table (one default style per layer).
 * Must not: decide anything. Tables, aliases, descriptions, styles and the timestamp come
 * from the caller; coordinates are projected exactly as the Shapefile writer does.
 * Allocation: everything allocated here is freed here.
 *
 * Determinism: the same input gives the same bytes. The page size is fixed, rows are
 * inserted in one fixed order in one transaction, there is no journal, and no date is
 * "now": every timestamp column (gpkg_contents.last_change, layer_styles.update_time,
 * gpkg_metadata_reference.timestamp) gets the caller's timestamp.
 *
 * Geometries: points as POINT; areas always as MULTIPOLYGON, outer rings counter-clockwise
 * and holes clockwise (the OGC Simple Features convention). The R-tree is filled here
 * from the envelopes written, and its triggers created afterwards: they call ST_* functions
 * that a GeoPackage client (GDAL, QGIS) provides and plain SQLite does not.
 */
#include <math.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ctx.h"
#include "core/util.h"
#include "write/writers.h"

#define GPKG_APPLICATION_ID 0x47504B47 /* "GPKG" */
#define GPKG_USER_VERSION 10300        /* 1.3.0 */
#define GPKG_PAGE_SIZE 4096
#define GPKG_GEOM_COLUMN "geom"
#define GPKG_FID_COLUMN "fid"

/* ---- SQL helpers ---- */

static ptce_status sql_fail(ptce_ctx *ctx, sqlite3 *db, const char *path, const char *what)
{
    return ptce_fail(ctx, PTCE_ERR_IO, "%s : écriture du GeoPackage impossible (%s : %s)", path,
                     what, db ? sqlite3_errmsg(db) : "SQLite");
}

static ptce_status exec(ptce_ctx *ctx, sqlite3 *db, const char *path, const char *sql)
{
    return sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK ? PTCE_OK
                                                                : sql_fail(ctx, db, path, sql);
}

/* "name" with inner quotes doubled. */
static void quoted_id(util_strbuf *sb, const char *name)
{
    util_sb_append_char(sb, '"');
    for (const char *p = name; *p; p++) {
        if (*p == '"')
            util_sb_append_char(sb, '"');
        util_sb_append_char(sb, *p);
    }
    util_sb_append_char(sb, '"');
}

/* Runs a statement with text parameters bound in order; NULL binds SQL NULL. */
static ptce_status exec_bound(ptce_ctx *ctx, sqlite3 *db, const char *path, const char *sql,
                              const char *const *params, size_t n)
{
    sqlite3_stmt *stmt = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK)
        return sql_fail(ctx, db, path, sql);
    int rc = SQLITE_OK;
    for (size_t i = 0; i < n && rc == SQLITE_OK; i++)
        rc = params[i] ? sqlite3_bind_text(stmt, (int)i + 1, params[i], -1, SQLITE_TRANSIENT)
                       : sqlite3_bind_null(stmt, (int)i + 1);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(stmt);
    sqlite3_finalize(stmt);
    return rc == SQLITE_DONE ? PTCE_OK : sql_fail(ctx, db, path, sql);
}

/* ---- geometry blobs ---- */

static void put_u32(util_strbuf *b, uint32_t v)
{
    char c[4] = {(char)(v & 0xFF), (char)((v >> 8) & 0xFF), (char)((v >> 16) & 0xFF),
                 (char)((v >> 24) & 0xFF)};
    util_sb_append_n(b, c, 4);
}

static void put_f64(util_strbuf *b, double v)
{
    uint64_t u;
    memcpy(&u, &v, sizeof u);
    char c[8];
    for (int i = 0; i < 8; i++)
        c[i] = (char)((u >> (8 * i)) & 0xFF);
    util_sb_append_n(b, c, 8);
}

typedef struct envelope {
    double minx, maxx, miny, maxy;
    int empty;
} envelope;

static void envelope_add(envelope *e, double x, double y)
{
    if (e->empty) {
        *e = (envelope){x, x, y, y, 0};
        return;
    }
    e->minx = fmin(e->minx, x);
    e->maxx = fmax(e->maxx, x);
    e->miny = fmin(e->miny, y);
    e->maxy = fmax(e->maxy, y);
}

/* GeoPackage binary header (spec §2.1.3): magic, version 0, flags = little-endian (bit 0)
 * with an XY envelope (envelope code 1 in bits 1–3), or the empty flag (bit 4) and no
 * envelope. */
static void gp_header(util_strbuf *b, int srs_id, const envelope *e)
{
    util_sb_append_n(b, "GP", 2);
    util_sb_append_char(b, 0);
    util_sb_append_char(b, (char)(e->empty ? 0x11 : 0x03));
    put_u32(b, (uint32_t)srs_id);
    if (!e->empty) {
        put_f64(b, e->minx);
        put_f64(b, e->maxx);
        put_f64(b, e->miny);
        put_f64(b, e->maxy);
    }
}

enum { WKB_POINT = 1, WKB_POLYGON = 3, WKB_MULTIPOLYGON = 6 };

/* The rings of one (Multi)Polygon in the wanted orientation, with their polygon. */
typedef struct rings {
    double *x, *y;
    unsigned *start, *count;
    int *polygon;
    size_t nrings, nverts, caprings, capverts;
    int failed;
} rings;

static int collect_ring(void *user, int polygon_index, int is_hole, const double *xs,
                        const double *ys, unsigned n)
{
    (void)is_hole;
    rings *r = user;
    if (r->nrings == r->caprings) {
        size_t cap = r->caprings ? r->caprings * 2 : 8;
        unsigned *s = realloc(r->start, cap * sizeof *s);
        if (s)
            r->start = s;
        unsigned *c = s ? realloc(r->count, cap * sizeof *c) : NULL;
        if (c)
            r->count = c;
        int *p = c ? realloc(r->polygon, cap * sizeof *p) : NULL;
        if (!p)
            return r->failed = 1;
        r->polygon = p;
        r->caprings = cap;
    }
    if (r->nverts + n > r->capverts) {
        size_t cap = r->capverts ? r->capverts : 1024;
        while (cap < r->nverts + n)
            cap *= 2;
        double *x = realloc(r->x, cap * sizeof *x);
        if (x)
            r->x = x;
        double *y = x ? realloc(r->y, cap * sizeof *y) : NULL;
        if (!y)
            return r->failed = 1;
        r->y = y;
        r->capverts = cap;
    }
    r->start[r->nrings] = (unsigned)r->nverts;
    r->count[r->nrings] = n;
    r->polygon[r->nrings++] = polygon_index;
    memcpy(r->x + r->nverts, xs, n * sizeof *xs);
    memcpy(r->y + r->nverts, ys, n * sizeof *ys);
    r->nverts += n;
    return 0;
}

static void rings_free(rings *r)
{
    free(r->x);
    free(r->y);
    free(r->start);
    free(r->count);
    free(r->polygon);
}

/* The GeoPackage blob of a (Multi)Polygon already in the output CRS, as a MULTIPOLYGON. */
static ptce_status multipolygon_blob(ptce_ctx *ctx, const GEOSGeometry *g, int srs_id,
                                     util_strbuf *blob, envelope *env)
{
    rings r = {0};
    ptce_status st = geom_visit_rings(ctx, g, GEOM_RINGS_RFC7946, collect_ring, &r);
    if (!st && r.failed)
        st = ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
    if (st) {
        rings_free(&r);
        return st;
    }
    *env = (envelope){0, 0, 0, 0, 1};
    for (size_t k = 0; k < r.nverts; k++)
        envelope_add(env, r.x[k], r.y[k]);
    size_t npolygons = 0;
    for (size_t k = 0; k < r.nrings; k++)
        if (k == 0 || r.polygon[k] != r.polygon[k - 1])
            npolygons++;
    gp_header(blob, srs_id, env);
    util_sb_append_char(blob, 1);
    put_u32(blob, WKB_MULTIPOLYGON);
    put_u32(blob, (uint32_t)npolygons);
    for (size_t k = 0; k < r.nrings;) {
        size_t end = k;
        while (end < r.nrings && r.polygon[end] == r.polygon[k])
            end++;
        util_sb_append_char(blob, 1);
        put_u32(blob, WKB_POLYGON);
        put_u32(blob, (uint32_t)(end - k));
        for (; k < end; k++) {
            put_u32(blob, r.count[k]);
            for (unsigned v = 0; v < r.count[k]; v++) {
                put_f64(blob, r.x[r.start[k] + v]);
                put_f64(blob, r.y[r.start[k] + v]);
            }
        }
    }
    rings_free(&r);
    return PTCE_OK;
}

ptce_status writers_gpkg_polygon(ptce_ctx *ctx, const GEOSGeometry *g, int srs_id, util_strbuf *sb)
{
    envelope env;
    return multipolygon_blob(ctx, g, srs_id, sb, &env);
}

static double get_f64(const unsigned char *p)
{
    uint64_t u = 0;
    for (int i = 7; i >= 0; i--)
        u = u << 8 | p[i];
    double v;
    memcpy(&v, &u, sizeof v);
    return v;
}

/* The envelope of a blob that gp_header() began: 0 when the bytes are not one. */
static int blob_envelope(const unsigned char *b, size_t len, envelope *env)
{
    if (len < 8 || b[0] != 'G' || b[1] != 'P' || b[2] != 0)
        return 0;
    if (b[3] == 0x11) {
        *env = (envelope){0, 0, 0, 0, 1};
        return 1;
    }
    if (b[3] != 0x03 || len < 40)
        return 0;
    *env = (envelope){get_f64(b + 8), get_f64(b + 16), get_f64(b + 24), get_f64(b + 32), 0};
    return 1;
}

static void point_blob(double x, double y, int srs_id, util_strbuf *blob, envelope *env)
{
    *env = (envelope){x, x, y, y, 0};
    gp_header(blob, srs_id, env);
    util_sb_append_char(blob, 1);
    put_u32(blob, WKB_POINT);
    put_f64(blob, x);
    put_f64(blob, y);
}

/* ---- the core tables ---- */

static const char *const core_ddl =
    "CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT NOT NULL, srs_id INTEGER NOT NULL "
    "PRIMARY KEY, organization TEXT NOT NULL, organization_coordsys_id INTEGER NOT NULL, "
    "definition TEXT NOT NULL, description TEXT);"
    "CREATE TABLE gpkg_contents (table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT "
    "NULL, identifier TEXT UNIQUE, description TEXT DEFAULT '', last_change DATETIME NOT NULL "
    "DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')), min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, "
    "max_y DOUBLE, srs_id INTEGER, CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES "
    "gpkg_spatial_ref_sys(srs_id));"
    "CREATE TABLE gpkg_geometry_columns (table_name TEXT NOT NULL, column_name TEXT NOT NULL, "
    "geometry_type_name TEXT NOT NULL, srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT "
    "NOT NULL, CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name), CONSTRAINT "
    "uk_gc_table_name UNIQUE (table_name), CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) "
    "REFERENCES gpkg_contents(table_name), CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) "
    "REFERENCES gpkg_spatial_ref_sys (srs_id));"
    "CREATE TABLE gpkg_tile_matrix_set (table_name TEXT NOT NULL PRIMARY KEY, srs_id INTEGER "
    "NOT NULL, min_x DOUBLE NOT NULL, min_y DOUBLE NOT NULL, max_x DOUBLE NOT NULL, max_y "
    "DOUBLE NOT NULL, CONSTRAINT fk_gtms_table_name FOREIGN KEY (table_name) REFERENCES "
    "gpkg_contents(table_name), CONSTRAINT fk_gtms_srs FOREIGN KEY (srs_id) REFERENCES "
    "gpkg_spatial_ref_sys (srs_id));"
    "CREATE TABLE gpkg_tile_matrix (table_name TEXT NOT NULL, zoom_level INTEGER NOT NULL, "
    "matrix_width INTEGER NOT NULL, matrix_height INTEGER NOT NULL, tile_width INTEGER NOT "
    "NULL, tile_height INTEGER NOT NULL, pixel_x_size DOUBLE NOT NULL, pixel_y_size DOUBLE NOT "
    "NULL, CONSTRAINT pk_ttm PRIMARY KEY (table_name, zoom_level), CONSTRAINT fk_tmm_table_name "
    "FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name));"
    "CREATE TABLE gpkg_extensions (table_name TEXT, column_name TEXT, extension_name TEXT NOT "
    "NULL, definition TEXT NOT NULL, scope TEXT NOT NULL, CONSTRAINT ge_tce UNIQUE "
    "(table_name, column_name, extension_name));"
    /* Schema extension (spec §F.9). */
    "CREATE TABLE gpkg_data_columns (table_name TEXT NOT NULL, column_name TEXT NOT NULL, name "
    "TEXT, title TEXT, description TEXT, mime_type TEXT, constraint_name TEXT, CONSTRAINT "
    "pk_gdc PRIMARY KEY (table_name, column_name), CONSTRAINT gdc_tn UNIQUE (table_name, "
    "name));"
    "CREATE TABLE gpkg_data_column_constraints (constraint_name TEXT NOT NULL, constraint_type "
    "TEXT NOT NULL, value TEXT, min NUMERIC, min_is_inclusive BOOLEAN, max NUMERIC, "
    "max_is_inclusive BOOLEAN, description TEXT, CONSTRAINT gdcc_ntv UNIQUE (constraint_name, "
    "constraint_type, value));"
    /* Metadata extension (spec §F.8). */
    "CREATE TABLE gpkg_metadata (id INTEGER CONSTRAINT m_pk PRIMARY KEY ASC NOT NULL, md_scope "
    "TEXT NOT NULL DEFAULT 'dataset', md_standard_uri TEXT NOT NULL, mime_type TEXT NOT NULL "
    "DEFAULT 'text/xml', metadata TEXT NOT NULL DEFAULT '');"
    "CREATE TABLE gpkg_metadata_reference (reference_scope TEXT NOT NULL, table_name TEXT, "
    "column_name TEXT, row_id_value INTEGER, timestamp DATETIME NOT NULL DEFAULT "
    "(strftime('%Y-%m-%dT%H:%M:%fZ','now')), md_file_id INTEGER NOT NULL, md_parent_id "
    "INTEGER, CONSTRAINT crmr_mfi_fk FOREIGN KEY (md_file_id) REFERENCES gpkg_metadata(id), "
    "CONSTRAINT crmr_mpi_fk FOREIGN KEY (md_parent_id) REFERENCES gpkg_metadata(id));"
    /* QGIS's table of layer styles, as QGIS itself creates it in a GeoPackage. */
    "CREATE TABLE layer_styles (id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, f_table_catalog "
    "TEXT(256), f_table_schema TEXT(256), f_table_name TEXT(256), f_geometry_column TEXT(256), "
    "styleName TEXT(30), styleQML TEXT, styleSLD TEXT, useAsDefault BOOLEAN, description TEXT, "
    "owner TEXT(30), ui TEXT(30), update_time DATETIME);"
    "INSERT INTO gpkg_extensions VALUES "
    "('gpkg_data_columns', NULL, 'gpkg_schema', "
    "'http://www.geopackage.org/spec/#extension_schema', 'read-write'),"
    "('gpkg_data_column_constraints', NULL, 'gpkg_schema', "
    "'http://www.geopackage.org/spec/#extension_schema', 'read-write'),"
    "('gpkg_metadata', NULL, 'gpkg_metadata', "
    "'http://www.geopackage.org/spec/#extension_metadata', 'read-write'),"
    "('gpkg_metadata_reference', NULL, 'gpkg_metadata', "
    "'http://www.geopackage.org/spec/#extension_metadata', 'read-write');";

/* The spatial reference systems: the two "undefined" rows and WGS 84 that every
 * GeoPackage holds (spec §1.1.2.1.2), then each other CRS the layers use, once, in the
 * order of the layers. */
static ptce_status write_srs(ptce_ctx *ctx, sqlite3 *db, const char *path,
                             const writers_gpkg_document *doc)
{
    static const char *const sql =
        "INSERT INTO gpkg_spatial_ref_sys (srs_name, srs_id, organization, "
        "organization_coordsys_id, definition, description) VALUES (?, ?, ?, ?, ?, ?)";
    const char *undefined_cart[] = {"Undefined cartesian SRS", "-1", "NONE", "-1", "undefined",
                                    "undefined cartesian coordinate reference system"};
    const char *undefined_geo[] = {"Undefined geographic SRS", "0", "NONE", "0", "undefined",
                                   "undefined geographic coordinate reference system"};
    ptce_status st = exec_bound(ctx, db, path, sql, undefined_cart, 6);
    if (!st)
        st = exec_bound(ctx, db, path, sql, undefined_geo, 6);
    int done[64];
    size_t ndone = 0;
    for (size_t i = 0; i <= doc->nlayers && !st; i++) {
        int epsg = i == 0 ? 4326 : doc->layers[i - 1].crs->epsg;
        int seen = 0;
        for (size_t k = 0; k < ndone; k++)
            seen |= done[k] == epsg;
        if (seen)
            continue;
        if (ndone == sizeof done / sizeof *done)
            return ptce_fail(ctx, PTCE_ERR_USAGE, "%s : trop de systèmes de coordonnées", path);
        done[ndone++] = epsg;
        char *wkt = NULL;
        ptce_status wst = geom_crs_wkt1(ctx, epsg, &wkt);
        if (wst)
            return wst;
        char code[16], name[128];
        snprintf(code, sizeof code, "%d", epsg);
        const char *crs_name = NULL;
        for (size_t k = 0; k < doc->nlayers && !crs_name; k++)
            if (doc->layers[k].crs->epsg == epsg)
                crs_name = doc->layers[k].crs->name;
        snprintf(name, sizeof name, "%s", crs_name && *crs_name ? crs_name : epsg == 4326
                                                                     ? "WGS 84"
                                                                     : code);
        const char *row[] = {name, code, "EPSG", code, wkt, NULL};
        st = exec_bound(ctx, db, path, sql, row, 6);
        free(wkt);
    }
    return st;
}

/* ---- one feature table ---- */

static const char *sql_type(layer_field_type t)
{
    return t == LAYER_FIELD_TEXT ? "TEXT" : t == LAYER_FIELD_INTEGER ? "INTEGER" : "REAL";
}

/* Reals rounded to the field's decimals, so that the GeoPackage holds the values the
 * Shapefile's DBF holds. */
static double rounded(double v, int decimals)
{
    if (!isfinite(v) || decimals < 0 || decimals > 15)
        return v;
    double p = pow(10, decimals);
    double r = round(v * p) / p;
    return isfinite(r) ? r : v;
}

static ptce_status check_layer(ptce_ctx *ctx, const char *path, const writers_gpkg_layer *gl)
{
    const layer *l = gl->l;
    if (!gl->table || !*gl->table || !gl->crs || !gl->identifier)
        return ptce_fail(ctx, PTCE_ERR_USAGE, "%s : couche sans nom de table, titre ou SCR", path);
    for (const char *p = gl->table; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
            return ptce_fail(ctx, PTCE_ERR_USAGE, "%s : nom de table « %s » invalide (a-z, 0-9, _)",
                             path, gl->table);
    if ((l->geometry == LAYER_POINT && !l->point) || (l->geometry == LAYER_POLYGON && !l->polygon))
        return ptce_fail(ctx, PTCE_ERR_USAGE, "%s : couche %s sans géométrie", path, gl->table);
    for (size_t f = 0; f < l->nfields; f++) {
        const char *n = l->fields[f].name;
        if (!strcmp(n, GPKG_FID_COLUMN) || !strcmp(n, GPKG_GEOM_COLUMN))
            return ptce_fail(ctx, PTCE_ERR_USAGE, "%s : le champ « %s » de %s porte un nom réservé",
                             path, n, gl->table);
        for (size_t g = 0; g < f; g++)
            if (!strcmp(n, l->fields[g].name))
                return ptce_fail(ctx, PTCE_ERR_USAGE, "%s : champ « %s » en double dans %s", path,
                                 n, gl->table);
    }
    return PTCE_OK;
}

static ptce_status create_table(ptce_ctx *ctx, sqlite3 *db, const char *path,
                                const writers_gpkg_layer *gl)
{
    const layer *l = gl->l;
    util_strbuf sb;
    util_sb_init(&sb);
    util_sb_append(&sb, "CREATE TABLE ");
    quoted_id(&sb, gl->table);
    util_sb_printf(&sb, " (\"" GPKG_FID_COLUMN "\" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, "
                   "\"" GPKG_GEOM_COLUMN "\" %s",
              l->geometry == LAYER_POINT ? "POINT" : "MULTIPOLYGON");
    for (size_t f = 0; f < l->nfields; f++) {
        util_sb_append(&sb, ", ");
        quoted_id(&sb, l->fields[f].name);
        util_sb_printf(&sb, " %s", sql_type(l->fields[f].type));
    }
    util_sb_append(&sb, ");CREATE VIRTUAL TABLE ");
    util_sb_printf(&sb, "\"rtree_%s_" GPKG_GEOM_COLUMN "\" USING rtree(id, minx, maxx, miny, maxy);",
              gl->table);
    ptce_status st = sb.failed ? ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante")
                               : exec(ctx, db, path, sb.data);
    util_sb_free(&sb);
    return st;
}

/* Inserts the features and their R-tree entries; returns the layer's extent. */
static ptce_status insert_features(ptce_ctx *ctx, sqlite3 *db, const char *path,
                                   const writers_gpkg_layer *gl, envelope *extent)
{
    const layer *l = gl->l;
    int srs = gl->crs->epsg;
    util_strbuf sql, rsql, blob;
    util_sb_init(&sql);
    util_sb_init(&rsql);
    util_sb_init(&blob);
    util_sb_append(&sql, "INSERT INTO ");
    quoted_id(&sql, gl->table);
    util_sb_append(&sql, " VALUES (?, ?");
    for (size_t f = 0; f < l->nfields; f++)
        util_sb_append(&sql, ", ?");
    util_sb_append(&sql, ")");
    util_sb_printf(&rsql, "INSERT INTO \"rtree_%s_" GPKG_GEOM_COLUMN "\" VALUES (?, ?, ?, ?, ?)",
              gl->table);
    sqlite3_stmt *ins = NULL, *rt = NULL;
    ptce_status st = PTCE_OK;
    if (sql.failed || rsql.failed)
        st = ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
    else if (sqlite3_prepare_v2(db, sql.data, -1, &ins, NULL) != SQLITE_OK ||
             sqlite3_prepare_v2(db, rsql.data, -1, &rt, NULL) != SQLITE_OK)
        st = sql_fail(ctx, db, path, gl->table);
    *extent = (envelope){0, 0, 0, 0, 1};
    /* Polygons already written for EPSG:4326 are taken as they are. */
    int wgs84 = srs == GEOM_EPSG_WGS84 && !gl->crs->from_wgs84;
    for (size_t i = 0; i < l->nfeatures && !st; i++) {
        blob.len = 0;
        envelope env;
        const unsigned char *ready = NULL;
        size_t nready = 0;
        if (l->geometry == LAYER_POINT) {
            double lon, lat, x, y;
            l->point(l->user, i, &lon, &lat);
            if (!geom_project_point(gl->crs, lon, lat, &x, &y)) {
                st = ptce_fail(ctx, PTCE_ERR_LIBRARY, "%s : point %zu hors du domaine de EPSG:%d",
                               gl->table, i + 1, srs);
                break;
            }
            point_blob(x, y, srs, &blob, &env);
        } else if ((ready = wgs84 && l->polygon_bytes
                                ? l->polygon_bytes(l->user, i, LAYER_POLYGON_GPKG_WGS84, &nready)
                                : NULL) != NULL) {
            /* Written when the reference data were compiled: the same bytes. */
            if (!blob_envelope(ready, nready, &env)) {
                st = ptce_fail(ctx, PTCE_ERR_DATA, "%s : géométrie %zu précompilée illisible",
                               gl->table, i + 1);
                break;
            }
        } else {
            GEOSGeometry *g = geom_project(ctx, gl->crs, l->polygon(l->user, i));
            if (!g) {
                st = PTCE_ERR_LIBRARY;
                break;
            }
            st = multipolygon_blob(ctx, g, srs, &blob, &env);
            GEOSGeom_destroy_r(ctx->geos, g);
            if (st)
                break;
        }
        if (blob.failed) {
            st = ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
            break;
        }
        sqlite3_int64 fid = (sqlite3_int64)i + 1;
        int rc = sqlite3_bind_int64(ins, 1, fid);
        /* Bytes of the reference data outlive the statement: SQLite need not copy them. */
        if (rc == SQLITE_OK)
            rc = ready ? sqlite3_bind_blob(ins, 2, ready, (int)nready, SQLITE_STATIC)
                       : sqlite3_bind_blob(ins, 2, blob.data, (int)blob.len, SQLITE_TRANSIENT);
        for (size_t f = 0; f < l->nfields && rc == SQLITE_OK; f++) {
            layer_field_value v = {0};
            l->value(l->user, i, f, &v);
            const layer_field_def *fd = &l->fields[f];
            int col = (int)f + 3;
            if (v.is_null || (fd->type == LAYER_FIELD_TEXT && !v.text))
                rc = sqlite3_bind_null(ins, col);
            else if (fd->type == LAYER_FIELD_TEXT)
                rc = sqlite3_bind_text(ins, col, v.text, -1, SQLITE_TRANSIENT);
            else if (fd->type == LAYER_FIELD_INTEGER)
                rc = sqlite3_bind_int64(ins, col, (sqlite3_int64)v.integer);
            else
                rc = sqlite3_bind_double(ins, col, rounded(v.real, fd->decimals));
        }
        if (rc == SQLITE_OK && sqlite3_step(ins) != SQLITE_DONE)
            rc = SQLITE_ERROR;
        sqlite3_reset(ins);
        if (rc == SQLITE_OK && !env.empty) {
            envelope_add(extent, env.minx, env.miny);
            envelope_add(extent, env.maxx, env.maxy);
            rc = sqlite3_bind_int64(rt, 1, fid);
            if (rc == SQLITE_OK)
                rc = sqlite3_bind_double(rt, 2, env.minx);
            if (rc == SQLITE_OK)
                rc = sqlite3_bind_double(rt, 3, env.maxx);
            if (rc == SQLITE_OK)
                rc = sqlite3_bind_double(rt, 4, env.miny);
            if (rc == SQLITE_OK)
                rc = sqlite3_bind_double(rt, 5, env.maxy);
            if (rc == SQLITE_OK && sqlite3_step(rt) != SQLITE_DONE)
                rc = SQLITE_ERROR;
            sqlite3_reset(rt);
        }
        if (rc != SQLITE_OK)
            st = sql_fail(ctx, db, path, gl->table);
    }
    sqlite3_finalize(ins);
    sqlite3_finalize(rt);
    if (wgs84 && l->polygon_bytes_done)
        l->polygon_bytes_done(l->user, LAYER_POLYGON_GPKG_WGS84);
    util_sb_free(&sql);
    util_sb_free(&rsql);
    util_sb_free(&blob);
    return st;
}

/* The triggers of the R-tree extension (GeoPackage 1.3, Annex F.3). */
static ptce_status create_rtree_triggers(ptce_ctx *ctx, sqlite3 *db, const char *path,
                                         const char *t)
{
    const char *c = GPKG_GEOM_COLUMN, *i = GPKG_FID_COLUMN;
    util_strbuf sb;
    util_sb_init(&sb);
    char rt[256];
    snprintf(rt, sizeof rt, "rtree_%s_%s", t, c);
    const char *values = "(NEW.\"%s\", ST_MinX(NEW.\"%s\"), ST_MaxX(NEW.\"%s\"), "
                         "ST_MinY(NEW.\"%s\"), ST_MaxY(NEW.\"%s\"))";
    char vals[512];
    snprintf(vals, sizeof vals, values, i, c, c, c, c);
    util_sb_printf(&sb, "CREATE TRIGGER \"%s_insert\" AFTER INSERT ON \"%s\" WHEN (new.\"%s\" NOT "
                   "NULL AND NOT ST_IsEmpty(NEW.\"%s\")) BEGIN INSERT OR REPLACE INTO \"%s\" "
                   "VALUES %s; END;",
              rt, t, c, c, rt, vals);
    util_sb_printf(&sb, "CREATE TRIGGER \"%s_update1\" AFTER UPDATE OF \"%s\" ON \"%s\" WHEN "
                   "OLD.\"%s\" = NEW.\"%s\" AND (NEW.\"%s\" NOTNULL AND NOT "
                   "ST_IsEmpty(NEW.\"%s\")) BEGIN INSERT OR REPLACE INTO \"%s\" VALUES %s; END;",
              rt, c, t, i, i, c, c, rt, vals);
    util_sb_printf(&sb, "CREATE TRIGGER \"%s_update2\" AFTER UPDATE OF \"%s\" ON \"%s\" WHEN "
                   "OLD.\"%s\" = NEW.\"%s\" AND (NEW.\"%s\" ISNULL OR ST_IsEmpty(NEW.\"%s\")) "
                   "BEGIN DELETE FROM \"%s\" WHERE id = OLD.\"%s\"; END;",
              rt, c, t, i, i, c, c, rt, i);
    util_sb_printf(&sb, "CREATE TRIGGER \"%s_update3\" AFTER UPDATE ON \"%s\" WHEN OLD.\"%s\" != "
                   "NEW.\"%s\" AND (NEW.\"%s\" NOTNULL AND NOT ST_IsEmpty(NEW.\"%s\")) BEGIN "
                   "DELETE FROM \"%s\" WHERE id = OLD.\"%s\"; INSERT OR REPLACE INTO \"%s\" "
                   "VALUES %s; END;",
              rt, t, i, i, c, c, rt, i, rt, vals);
    util_sb_printf(&sb, "CREATE TRIGGER \"%s_update4\" AFTER UPDATE ON \"%s\" WHEN OLD.\"%s\" != "
                   "NEW.\"%s\" AND (NEW.\"%s\" ISNULL OR ST_IsEmpty(NEW.\"%s\")) BEGIN DELETE "
                   "FROM \"%s\" WHERE id IN (OLD.\"%s\", NEW.\"%s\"); END;",
              rt, t, i, i, c, c, rt, i, i);
    util_sb_printf(&sb, "CREATE TRIGGER \"%s_delete\" AFTER DELETE ON \"%s\" WHEN old.\"%s\" NOT "
                   "NULL BEGIN DELETE FROM \"%s\" WHERE id = OLD.\"%s\"; END;",
              rt, t, c, rt, i);
    ptce_status st = sb.failed ? ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante")
                               : exec(ctx, db, path, sb.data);
    util_sb_free(&sb);
    return st;
}

static void fmt_double(char *buf, size_t size, double v)
{
    /* %.17g reads back to the same double; SQLite parses it whatever the locale. */
    snprintf(buf, size, "%.17g", v);
    for (char *p = buf; *p; p++)
        if (*p == ',')
            *p = '.';
}

static ptce_status register_layer(ptce_ctx *ctx, sqlite3 *db, const char *path,
                                  const writers_gpkg_document *doc, const writers_gpkg_layer *gl,
                                  const envelope *e, sqlite3_int64 md_id)
{
    char srs[16], minx[40], miny[40], maxx[40], maxy[40];
    snprintf(srs, sizeof srs, "%d", gl->crs->epsg);
    fmt_double(minx, sizeof minx, e->empty ? 0 : e->minx);
    fmt_double(miny, sizeof miny, e->empty ? 0 : e->miny);
    fmt_double(maxx, sizeof maxx, e->empty ? 0 : e->maxx);
    fmt_double(maxy, sizeof maxy, e->empty ? 0 : e->maxy);
    const char *contents[] = {gl->table, gl->identifier, gl->description ? gl->description : "",
                              doc->timestamp, e->empty ? NULL : minx, e->empty ? NULL : miny,
                              e->empty ? NULL : maxx, e->empty ? NULL : maxy, srs};
    ptce_status st = exec_bound(ctx, db, path,
                                "INSERT INTO gpkg_contents (table_name, data_type, identifier, "
                                "description, last_change, min_x, min_y, max_x, max_y, srs_id) "
                                "VALUES (?, 'features', ?, ?, ?, CAST(? AS REAL), CAST(? AS REAL),"
                                " CAST(? AS REAL), CAST(? AS REAL), CAST(? AS INTEGER))",
                                contents, 9);
    const layer *l = gl->l;
    const char *gc[] = {gl->table, l->geometry == LAYER_POINT ? "POINT" : "MULTIPOLYGON", srs};
    if (!st)
        st = exec_bound(ctx, db, path,
                        "INSERT INTO gpkg_geometry_columns VALUES (?, '" GPKG_GEOM_COLUMN
                        "', ?, CAST(? AS INTEGER), 0, 0)",
                        gc, 3);
    const char *ext[] = {gl->table};
    if (!st)
        st = exec_bound(ctx, db, path,
                        "INSERT INTO gpkg_extensions VALUES (?, '" GPKG_GEOM_COLUMN
                        "', 'gpkg_rtree_index', "
                        "'http://www.geopackage.org/spec/#extension_rtree', 'write-only')",
                        ext, 1);
    for (size_t f = 0; f < l->nfields && !st && gl->aliases; f++) {
        if (!gl->aliases[f] || !*gl->aliases[f])
            continue;
        const char *dc[] = {gl->table, l->fields[f].name, gl->aliases[f], gl->aliases[f]};
        st = exec_bound(ctx, db, path,
                        "INSERT INTO gpkg_data_columns (table_name, column_name, name, title) "
                        "VALUES (?, ?, ?, ?)",
                        dc, 4);
    }
    if (!st && gl->style_qml) {
        char name[128];
        snprintf(name, sizeof name, "%s", gl->table);
        const char *ls[] = {gl->table, name, gl->style_qml, gl->identifier, doc->timestamp};
        st = exec_bound(ctx, db, path,
                        "INSERT INTO layer_styles (f_table_catalog, f_table_schema, f_table_name, "
                        "f_geometry_column, styleName, styleQML, styleSLD, useAsDefault, "
                        "description, owner, ui, update_time) VALUES ('', '', ?, '" GPKG_GEOM_COLUMN
                        "', ?, ?, '', 1, ?, 'ptce-map', '', ?)",
                        ls, 5);
    }
    if (!st && gl->description && *gl->description) {
        char id[32];
        snprintf(id, sizeof id, "%lld", (long long)md_id);
        const char *md[] = {id, gl->description};
        st = exec_bound(ctx, db, path,
                        "INSERT INTO gpkg_metadata VALUES (CAST(? AS INTEGER), 'dataset', "
                        "'http://www.geopackage.org/spec/#extension_metadata', 'text/plain', ?)",
                        md, 2);
        const char *ref[] = {gl->table, doc->timestamp, id};
        if (!st)
            st = exec_bound(ctx, db, path,
                            "INSERT INTO gpkg_metadata_reference VALUES ('table', ?, NULL, NULL, "
                            "?, CAST(? AS INTEGER), 1)",
                            ref, 3);
    }
    return st;
}

/* ---- the file ---- */

static ptce_status write_document(ptce_ctx *ctx, sqlite3 *db, const char *path,
                                  const writers_gpkg_document *doc)
{
    char pragmas[256];
    snprintf(pragmas, sizeof pragmas,
             "PRAGMA page_size = %d; PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; "
             "PRAGMA temp_store = MEMORY; PRAGMA application_id = %d; PRAGMA user_version = %d;",
             GPKG_PAGE_SIZE, GPKG_APPLICATION_ID, GPKG_USER_VERSION);
    ptce_status st = exec(ctx, db, path, pragmas);
    if (!st)
        st = exec(ctx, db, path, "BEGIN");
    if (!st)
        st = exec(ctx, db, path, core_ddl);
    if (!st)
        st = write_srs(ctx, db, path, doc);
    const char *ls_contents[] = {doc->timestamp};
    if (!st)
        st = exec_bound(ctx, db, path,
                        "INSERT INTO gpkg_contents (table_name, data_type, identifier, "
                        "description, last_change) VALUES ('layer_styles', 'attributes', "
                        "'layer_styles', 'Styles QGIS des couches (un style par défaut par "
                        "couche)', ?)",
                        ls_contents, 1);
    /* Metadata 1: the whole GeoPackage. */
    const char *md[] = {doc->metadata ? doc->metadata : ""};
    if (!st)
        st = exec_bound(ctx, db, path,
                        "INSERT INTO gpkg_metadata VALUES (1, 'dataset', "
                        "'http://www.geopackage.org/spec/#extension_metadata', 'text/plain', ?)",
                        md, 1);
    if (!st)
        st = exec_bound(ctx, db, path,
                        "INSERT INTO gpkg_metadata_reference VALUES ('geopackage', NULL, NULL, "
                        "NULL, ?, 1, NULL)",
                        ls_contents, 1);
    sqlite3_int64 md_id = 2;
    for (size_t i = 0; i < doc->nlayers && !st; i++) {
        const writers_gpkg_layer *gl = &doc->layers[i];
        envelope e;
        if ((st = check_layer(ctx, path, gl)) || (st = create_table(ctx, db, path, gl)) ||
            (st = insert_features(ctx, db, path, gl, &e)) ||
            (st = create_rtree_triggers(ctx, db, path, gl->table)) ||
            (st = register_layer(ctx, db, path, doc, gl, &e, md_id)))
            break;
        if (gl->description && *gl->description)
            md_id++;
    }
    if (!st)
        st = exec(ctx, db, path, "COMMIT");
    return st;
}

ptce_status writers_gpkg(ptce_ctx *ctx, outdir *od, const char *name, const writers_gpkg_document *doc)
{
    if (!doc->timestamp || strlen(doc->timestamp) != 24)
        return ptce_fail(ctx, PTCE_ERR_USAGE, "%s : horodatage invalide (attendu "
                                              "AAAA-MM-JJTHH:MM:SS.sssZ)", name);
    for (size_t i = 0; i < doc->nlayers; i++)
        for (size_t k = 0; k < i; k++)
            if (!strcmp(doc->layers[i].table, doc->layers[k].table) ||
                !strcmp(doc->layers[i].identifier, doc->layers[k].identifier))
                return ptce_fail(ctx, PTCE_ERR_USAGE, "%s : deux couches portent le nom « %s »",
                                 name, doc->layers[i].table);
    char path[4096];
    ptce_status st = outdir_file(ctx, od, name, path, sizeof path);
    if (st)
        return st;
    remove(path);
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
        st = sql_fail(ctx, db, path, "ouverture");
        sqlite3_close(db);
        return st;
    }
    st = write_document(ctx, db, path, doc);
    if (sqlite3_close(db) != SQLITE_OK && !st)
        st = ptce_fail(ctx, PTCE_ERR_IO, "%s : fermeture du GeoPackage impossible", path);
    return st;
}
