/*
 * write/out_web.c — the interactive web map: the template copied, the data written as
 * one script (see carto_web in cartography.h).
 *
 * Owns: donnees.js (its layout, the rounding of coordinates, the escaping) and the copy of
 * the template folder. Decides nothing about what is shown: fields, labels, colours and
 * classes come from the pipeline. The template is copied byte for byte, in name order,
 * so the same input always gives the same folder.
 */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/ctx.h"
#include "core/util.h"
#include "geom/geom.h"
#include "write/cartography.h"
#include "write/json.h"
#include "write/writers.h"

#define WEB_DATA_FILE "donnees.js"
#define WEB_AREA_FILE "aires-%s.js" /* a layer loaded on demand: aires-epci.js */
#define WEB_TEMPLATE_DEPTH 4 /* index.html, lib/leaflet/images/x.png: three levels deep */

/* ---- the template ------------------------------------------------------------------------- */

static int cmp_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in `dir` (dot files left out), sorted; NULL and *n = 0 for an empty folder. */
static ptce_status list_dir(ptce_ctx *ctx, const char *dir, char ***out, size_t *n)
{
    *out = NULL;
    *n = 0;
    DIR *d = opendir(dir);
    if (!d && errno == ENOMEM)
        return ptce_fail(ctx, PTCE_ERR_MEMORY, "%s : mémoire insuffisante", dir);
    if (!d)
        return ptce_fail(ctx, PTCE_ERR_DATA, "%s : dossier du modèle de la carte web illisible. "
                                             "Réinstallez ptce-map ou indiquez avec --data le "
                                             "dossier data/ du projet.", dir);
    ptce_status st = PTCE_OK;
    size_t cap = 0;
    struct dirent *e;
    while (!st && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        if (*n == cap) {
            cap = cap ? cap * 2 : 16;
            char **grown = realloc(*out, cap * sizeof *grown);
            if (!grown) {
                st = ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
                break;
            }
            *out = grown;
        }
        if (!((*out)[*n] = util_strdup(e->d_name)))
            st = ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
        else
            (*n)++;
    }
    closedir(d);
    if (*n > 1)
        qsort(*out, *n, sizeof **out, cmp_name);
    return st;
}

static ptce_status copy_tree(ptce_ctx *ctx, outdir *od, const char *src, const char *dest,
                             int depth)
{
    char **names;
    size_t n;
    ptce_status st = list_dir(ctx, src, &names, &n);
    for (size_t i = 0; i < n && !st; i++) {
        char from[4096], to[4096];
        snprintf(from, sizeof from, "%s/%s", src, names[i]);
        snprintf(to, sizeof to, "%s/%s", dest, names[i]);
        struct stat s;
        if (stat(from, &s) != 0) {
            st = ptce_fail(ctx, PTCE_ERR_DATA, "%s : fichier du modèle de la carte web illisible",
                           from);
        } else if (S_ISDIR(s.st_mode)) {
            if (depth + 1 >= WEB_TEMPLATE_DEPTH)
                st = ptce_fail(ctx, PTCE_ERR_DATA, "%s : modèle de la carte web trop profond "
                                                   "(%d niveaux au plus)", from,
                               WEB_TEMPLATE_DEPTH);
            else
                st = copy_tree(ctx, od, from, to, depth + 1);
        } else if (S_ISREG(s.st_mode)) {
            size_t len = 0;
            char *bytes = util_read_file(from, &len);
            if (!bytes)
                st = ptce_fail(ctx, errno == ENOMEM ? PTCE_ERR_MEMORY : PTCE_ERR_DATA,
                               "%s : fichier du modèle de la carte web illisible (%s)", from,
                               ptce_errno_text(errno));
            else
                st = writers_write_bytes(ctx, od, to, bytes, len);
            free(bytes);
        }
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return st;
}

/* ---- the data ----------------------------------------------------------------------------- */

static void print_properties(util_strbuf *sb, const layer *l, size_t i)
{
    util_sb_append(sb, "\"properties\":{");
    for (size_t f = 0; f < l->nfields; f++) {
        layer_field_value v = {0};
        l->value(l->user, i, f, &v);
        if (f)
            util_sb_append_char(sb, ',');
        json_append_string(sb, l->fields[f].name, JSON_IN_SCRIPT);
        util_sb_append_char(sb, ':');
        if (v.is_null || (l->fields[f].type == LAYER_FIELD_TEXT && !v.text))
            util_sb_append(sb, "null");
        else if (l->fields[f].type == LAYER_FIELD_TEXT)
            json_append_string(sb, v.text, JSON_IN_SCRIPT);
        else if (l->fields[f].type == LAYER_FIELD_INTEGER)
            util_sb_printf(sb, "%lld", v.integer);
        else
            json_append_number(sb, v.real, l->fields[f].decimals);
    }
    util_sb_append_char(sb, '}');
}

typedef struct ring_printer {
    util_strbuf *sb;
    int decimals;
    double scale;    /* 10^decimals */
} ring_printer;

/* One ring, its vertices rounded to the printed decimals; a vertex that rounds onto the
 * previous one is left out (the simplified outlines keep many within a few metres), unless
 * the ring would then fall below the four positions RFC 7946 asks for. */
static int print_ring(void *user, int polygon_index, int is_hole, const double *xs,
                      const double *ys, unsigned n)
{
    ring_printer *rp = user;
    util_strbuf *sb = rp->sb;
    if (!is_hole) {
        if (polygon_index > 0)
            util_sb_append(sb, "],");
        util_sb_append_char(sb, '[');
    } else {
        util_sb_append_char(sb, ',');
    }
    unsigned kept = 0;
    double px = 0, py = 0;
    for (unsigned i = 0; i < n; i++) {
        double rx = round(xs[i] * rp->scale), ry = round(ys[i] * rp->scale);
        if (i == 0 || i + 1 == n || rx != px || ry != py)
            kept++;
        px = rx;
        py = ry;
    }
    int dedupe = kept >= 4;
    util_sb_append_char(sb, '[');
    int first = 1;
    for (unsigned i = 0; i < n; i++) {
        double rx = round(xs[i] * rp->scale), ry = round(ys[i] * rp->scale);
        if (dedupe && !first && i + 1 < n && rx == px && ry == py)
            continue;
        util_sb_append(sb, first ? "[" : ",[");
        first = 0;
        json_append_number(sb, xs[i], rp->decimals);
        util_sb_append_char(sb, ',');
        json_append_number(sb, ys[i], rp->decimals);
        util_sb_append_char(sb, ']');
        px = rx;
        py = ry;
    }
    util_sb_append_char(sb, ']');
    return 0;
}

ptce_status carto_web_polygon(ptce_ctx *ctx, const GEOSGeometry *g, int decimals, util_strbuf *sb)
{
    ring_printer rp = {sb, decimals, pow(10, decimals)};
    util_sb_append(sb, "{\"type\":\"MultiPolygon\",\"coordinates\":[");
    ptce_status st = geom_visit_rings(ctx, g, GEOM_RINGS_RFC7946, print_ring, &rp);
    util_sb_append(sb, "]]}");
    return st;
}

static ptce_status print_collection(ptce_ctx *ctx, util_strbuf *sb, const layer *l, int decimals)
{
    util_sb_append(sb, "{\"type\":\"FeatureCollection\",\"name\":");
    json_append_string(sb, l->name, JSON_IN_SCRIPT);
    util_sb_append(sb, ",\"features\":[");
    ptce_status st = PTCE_OK;
    for (size_t i = 0; i < l->nfeatures && !st; i++) {
        util_sb_append(sb, i ? ",\n" : "\n");
        util_sb_append(sb, "{\"type\":\"Feature\",");
        print_properties(sb, l, i);
        util_sb_append(sb, ",\"geometry\":");
        if (l->geometry == LAYER_POINT) {
            double lon, lat;
            l->point(l->user, i, &lon, &lat);
            util_sb_append(sb, "{\"type\":\"Point\",\"coordinates\":[");
            json_append_number(sb, lon, decimals);
            util_sb_append_char(sb, ',');
            json_append_number(sb, lat, decimals);
            util_sb_append(sb, "]}");
        } else {
            size_t n = 0;
            const unsigned char *ready =
                decimals == CARTO_WEB_POLYGON_DECIMALS && l->polygon_bytes
                    ? l->polygon_bytes(l->user, i, LAYER_POLYGON_WEB, &n)
                    : NULL;
            if (ready)
                util_sb_append_n(sb, (const char *)ready, n);
            else
                st = carto_web_polygon(ctx, l->polygon(l->user, i), decimals, sb);
        }
        util_sb_append_char(sb, '}');
    }
    util_sb_append(sb, "\n]}");
    if (decimals == CARTO_WEB_POLYGON_DECIMALS && l->polygon_bytes_done)
        l->polygon_bytes_done(l->user, LAYER_POLYGON_WEB);
    return st;
}

static void print_key(util_strbuf *sb, const char *key)
{
    util_sb_append(sb, ",\n");
    json_append_string(sb, key, JSON_IN_SCRIPT);
    util_sb_append_char(sb, ':');
}

static void print_text(util_strbuf *sb, const char *key, const char *value)
{
    print_key(sb, key);
    if (value)
        json_append_string(sb, value, JSON_IN_SCRIPT);
    else
        util_sb_append(sb, "null");
}

static void print_colors(util_strbuf *sb, const char *key, const char *const *colors, size_t n)
{
    print_key(sb, key);
    util_sb_append_char(sb, '[');
    for (size_t i = 0; i < n; i++) {
        if (i)
            util_sb_append_char(sb, ',');
        json_append_string(sb, colors[i], JSON_IN_SCRIPT);
    }
    util_sb_append_char(sb, ']');
}

static const char *const area_keys[CARTO_WEB_AREA_KINDS] = {
    [CARTO_WEB_AREA_REGIONS] = "regions", [CARTO_WEB_AREA_DEPARTEMENTS] = "departements",
    [CARTO_WEB_AREA_EPCI] = "epci"};

static ptce_status print_data(ptce_ctx *ctx, util_strbuf *sb, const carto_web_map *m)
{
    util_sb_append(sb, "/* Données de la carte web des PTCE, écrites par ");
    util_sb_append(sb, m->software ? m->software : "ptce-map");
    util_sb_append(sb, " : ne pas modifier à la main, relancer ptce-map build. */\n"
                  "window.PTCE_DONNEES = {\"format\":1");
    print_text(sb, "titre", m->title);
    print_text(sb, "sous_titre", m->subtitle);
    print_text(sb, "credit", m->credit);
    print_text(sb, "logiciel", m->software);
    print_key(sb, "fond");
    util_sb_append(sb, "{\"tuiles\":");
    if (m->tiles)
        json_append_string(sb, m->tiles, JSON_IN_SCRIPT);
    else
        util_sb_append(sb, "null");
    util_sb_append(sb, ",\"attribution\":");
    if (m->tiles && m->tiles_attribution)
        json_append_string(sb, m->tiles_attribution, JSON_IN_SCRIPT);
    else
        util_sb_append(sb, "null");
    util_sb_append_char(sb, '}');
    print_key(sb, "evolution");
    util_sb_append(sb, m->has_previous ? "true" : "false");
    print_key(sb, "secteurs");
    util_sb_append_char(sb, '[');
    for (size_t i = 0; i < m->nsectors; i++) {
        util_sb_append(sb, i ? ",\n{\"id\":" : "\n{\"id\":");
        json_append_string(sb, m->sectors[i].value, JSON_IN_SCRIPT);
        util_sb_append(sb, ",\"libelle\":");
        json_append_string(sb, m->sectors[i].label, JSON_IN_SCRIPT);
        util_sb_append(sb, ",\"couleur\":");
        json_append_string(sb, m->sectors[i].color, JSON_IN_SCRIPT);
        util_sb_append_char(sb, '}');
    }
    util_sb_append_char(sb, ']');
    print_key(sb, "precisions");
    util_sb_append_char(sb, '[');
    for (size_t i = 0; i < m->nprecisions; i++) {
        util_sb_append(sb, i ? ",\n{\"id\":" : "\n{\"id\":");
        json_append_string(sb, m->precisions[i].id, JSON_IN_SCRIPT);
        util_sb_append(sb, ",\"libelle\":");
        json_append_string(sb, m->precisions[i].label, JSON_IN_SCRIPT);
        util_sb_append(sb, m->precisions[i].approximate ? ",\"approche\":true}" : ",\"approche\":false}");
    }
    util_sb_append_char(sb, ']');
    print_colors(sb, "palette", m->palette, m->npalette);
    print_colors(sb, "palette_evolution", m->palette_change, m->npalette_change);
    print_key(sb, "territoires");
    util_sb_append_char(sb, '[');
    for (size_t i = 0; i < m->nterritories; i++) {
        util_sb_append(sb, i ? ",{\"code\":" : "{\"code\":");
        json_append_string(sb, m->territories[i].code_reg, JSON_IN_SCRIPT);
        util_sb_append(sb, ",\"nom\":");
        json_append_string(sb, m->territories[i].label, JSON_IN_SCRIPT);
        util_sb_append_char(sb, '}');
    }
    util_sb_append_char(sb, ']');
    ptce_status st = PTCE_OK;
    print_key(sb, "points");
    st = print_collection(ctx, sb, m->points, m->point_decimals);
    print_key(sb, "disparus");
    if (!st && m->ceased)
        st = print_collection(ctx, sb, m->ceased, m->point_decimals);
    else
        util_sb_append(sb, "null");
    print_key(sb, "aires");
    util_sb_append_char(sb, '{');
    for (int k = 0; k < CARTO_WEB_AREA_KINDS && !st; k++) {
        if (k)
            util_sb_append(sb, ",\n");
        json_append_string(sb, area_keys[k], JSON_IN_SCRIPT);
        util_sb_append_char(sb, ':');
        if (m->areas[k] && m->lazy[k]) {
            char file[64];
            snprintf(file, sizeof file, WEB_AREA_FILE, area_keys[k]);
            util_sb_append(sb, "{\"fichier\":");
            json_append_string(sb, file, JSON_IN_SCRIPT);
            util_sb_printf(sb, ",\"n\":%zu}", m->areas[k]->nfeatures);
        } else if (m->areas[k]) {
            st = print_collection(ctx, sb, m->areas[k], m->polygon_decimals);
        } else {
            util_sb_append(sb, "null");
        }
    }
    util_sb_append(sb, "}};\n");
    return st;
}

/* A layer loaded only when the user asks for it: its own script, which adds it to
 * window.PTCE_AIRES (the page inserts the <script> element; no fetch, so file:// works). */
static ptce_status print_lazy_areas(ptce_ctx *ctx, util_strbuf *sb, const carto_web_map *m, int k)
{
    util_sb_append(sb, "/* Contours de la carte web des PTCE, écrits par ");
    util_sb_append(sb, m->software ? m->software : "ptce-map");
    util_sb_append(sb, " ; chargés à la demande par carte.js. */\n"
                  "window.PTCE_AIRES = window.PTCE_AIRES || {};\nwindow.PTCE_AIRES[");
    json_append_string(sb, area_keys[k], JSON_IN_SCRIPT);
    util_sb_append(sb, "] = ");
    ptce_status st = print_collection(ctx, sb, m->areas[k], m->polygon_decimals);
    util_sb_append(sb, ";\n");
    return st;
}

ptce_status carto_web(ptce_ctx *ctx, outdir *od, const char *name, const char *template_dir,
                      const carto_web_map *m)
{
    char index[4096];
    snprintf(index, sizeof index, "%s/index.html", template_dir);
    struct stat s;
    if (stat(index, &s) != 0 || !S_ISREG(s.st_mode))
        return ptce_fail(ctx, PTCE_ERR_DATA, "%s : modèle de la carte web introuvable. "
                                             "Réinstallez ptce-map ou indiquez avec --data le "
                                             "dossier data/ du projet.", index);
    ptce_status st = copy_tree(ctx, od, template_dir, name, 0);
    if (st)
        return st;
    util_strbuf sb;
    util_sb_init(&sb);
    st = print_data(ctx, &sb, m);
    if (!st && sb.failed)
        st = ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
    if (!st) {
        char file[512];
        snprintf(file, sizeof file, "%s/%s", name, WEB_DATA_FILE);
        st = writers_write_bytes(ctx, od, file, sb.data, sb.len);
    }
    for (int k = 0; k < CARTO_WEB_AREA_KINDS && !st; k++) {
        if (!m->areas[k] || !m->lazy[k])
            continue;
        sb.len = 0;
        st = print_lazy_areas(ctx, &sb, m, k);
        if (!st && sb.failed)
            st = ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
        if (!st) {
            char file[512], base[64];
            snprintf(base, sizeof base, WEB_AREA_FILE, area_keys[k]);
            snprintf(file, sizeof file, "%s/%s", name, base);
            st = writers_write_bytes(ctx, od, file, sb.data, sb.len);
        }
    }
    util_sb_free(&sb);
    return st;
}
