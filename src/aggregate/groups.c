/*
 * aggregate/groups.c — see groups.h.
 */
#include "aggregate/groups.h"

#include <stdlib.h>
#include <string.h>

#include "core/csvfile.h"
#include "core/ctx.h"
#include "core/util.h"
#include "text/fold.h"

static int find_area(const aggregate_area_stats *areas, size_t n, const char *code)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(areas[i].code, code) == 0)
            return (int)i;
    return -1;
}

/* "1" → "01", "2a" → "2A": codes as the COG writes them. False for a cell too long to
 * be a code (the caller says it is not one). */
static bool normalise_code(const char *in, char *out, size_t size)
{
    char buf[16];
    if (strlen(in) >= sizeof buf)
        return false;
    snprintf(buf, sizeof buf, "%s", in);
    util_trim(buf);
    for (char *p = buf; *p; p++)
        if (*p == 'a' || *p == 'b')
            *p = (char)(*p - 'a' + 'A');
    if (strlen(buf) == 1)
        snprintf(out, size, "0%s", buf);
    else
        snprintf(out, size, "%s", buf);
    return true;
}

static int add_group(group_set *g, const char *name)
{
    for (size_t i = 0; i < g->n; i++)
        if (strcmp(g->names[i], name) == 0)
            return (int)i;
    g->names[g->n] = util_strdup(name);
    return g->names[g->n] ? (int)g->n++ : -1;
}

ptce_status group_aggregate(ptce_ctx *ctx, const aggregation *agg, const char *path,
                             group_set *out)
{
    memset(out, 0, sizeof *out);
    out->ctx = ctx;
    csvfile_table c;
    ptce_status st = csvfile_table_read(ctx, path, NULL, &c);
    if (st)
        return st;
    if (c.empty) {
        csvfile_table_free(&c);
        return ptce_fail(ctx, PTCE_ERR_INPUT,
                         "%s : fichier vide. La première ligne doit être l'en-tête code_reg;groupe "
                         "ou code_dep;groupe, puis une ligne par région ou département.", path);
    }
    char *head = c.ncols >= 2 ? text_fold(csvfile_table_cell(&c, NULL, 0)) : NULL;
    if (c.ncols >= 2 && !head) {
        csvfile_table_free(&c);
        return ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
    }
    int by_dep = head && (!strcmp(head, "code_dep") || !strcmp(head, "code dep") ||
                          !strcmp(head, "departement") || !strcmp(head, "code departement"));
    int by_reg = head && (!strcmp(head, "code_reg") || !strcmp(head, "code reg") ||
                          !strcmp(head, "region") || !strcmp(head, "code region"));
    free(head);
    if (!by_dep && !by_reg) {
        csvfile_table_free(&c);
        return ptce_fail(ctx, PTCE_ERR_INPUT,
                         "%s, ligne 1 : la première colonne doit s'appeler code_reg ou code_dep "
                         "et la deuxième groupe (les codes de région et de département se "
                         "ressemblent : le fichier doit dire lesquels il donne).", path);
    }
    out->by_departement = by_dep;
    const aggregate_area_stats *areas = by_dep ? agg->deps : agg->regions;
    size_t nareas = by_dep ? agg->ndeps : agg->nregions;
    int *group_of = malloc(nareas * sizeof *group_of);
    out->names = calloc(nareas, sizeof *out->names);
    if (!group_of || !out->names) {
        free(group_of);
        csvfile_table_free(&c);
        return ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
    }
    for (size_t i = 0; i < nareas; i++)
        group_of[i] = -1;
    for (size_t r = 0; r < c.nrows && !st; r++) {
        const csvfile_row *row = &c.rows[r];
        char code[16] = "";
        const char *code_cell = csvfile_table_cell(&c, row, 0);
        const char *name_cell = csvfile_table_cell(&c, row, 1);
        int readable = normalise_code(code_cell, code, sizeof code);
        char *trimmed = util_strdup(name_cell);
        if (!trimmed) {
            st = ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
            break;
        }
        const char *name = util_trim(trimmed);
        if (!readable) {
            st = ptce_fail(ctx, PTCE_ERR_INPUT, "%s, ligne %zu, colonne 1 : « %s » n'est pas un "
                                                "code de %s", path, row->line, code_cell,
                           by_dep ? "département (01…976, 2A, 2B)"
                                  : "région (01, 02, 03, 04, 06, 11…94)");
            free(trimmed);
            break;
        }
        int a = find_area(areas, nareas, code);
        if (a < 0) {
            st = ptce_fail(ctx, PTCE_ERR_INPUT, "%s, ligne %zu, colonne 1 : « %s » n'est pas un "
                                                "code de %s", path, row->line, code,
                           by_dep ? "département (01…976, 2A, 2B)"
                                  : "région (01, 02, 03, 04, 06, 11…94)");
        } else if (!name[0]) {
            st = ptce_fail(ctx, PTCE_ERR_INPUT, "%s, ligne %zu, colonne 2 : nom de groupe vide",
                           path, row->line);
        } else {
            int gi = add_group(out, name);
            if (gi < 0)
                st = ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
            else if (group_of[a] >= 0 && group_of[a] != gi)
                st = ptce_fail(ctx, PTCE_ERR_INPUT, "%s, ligne %zu : %s est déjà dans le groupe "
                                                    "« %s »", path, row->line, code,
                               out->names[group_of[a]]);
            else
                group_of[a] = gi;
        }
        free(trimmed);
    }
    csvfile_table_free(&c);
    for (size_t i = 0; i < nareas && !st; i++)
        if (group_of[i] < 0) {
            ptce_warn(ctx, "%s : %s %s (%s) n'est dans aucun groupe ; %s", path,
                      by_dep ? "le département" : "la région", areas[i].code, areas[i].nom,
                      by_dep ? "il forme un groupe à lui seul" : "elle forme un groupe à elle seule");
            group_of[i] = add_group(out, areas[i].nom);
            if (group_of[i] < 0)
                st = ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
        }
    if (!st) {
        out->groups = calloc(out->n, sizeof *out->groups);
        out->members = calloc(out->n, sizeof *out->members);
        out->geoms = calloc(out->n, sizeof *out->geoms);
        if (!out->groups || !out->members || !out->geoms)
            st = ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
    }
    for (size_t gi = 0; gi < out->n && !st; gi++) {
        aggregate_area_stats *g = &out->groups[gi];
        g->by_sector = calloc(agg->nsectors ? agg->nsectors : 1, sizeof *g->by_sector);
        GEOSGeometry **parts = calloc(nareas, sizeof *parts);
        util_strbuf codes;
        util_sb_init(&codes);
        unsigned np = 0;
        if (!g->by_sector || !parts) {
            free(parts);
            st = ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
            break;
        }
        for (size_t i = 0; i < nareas; i++) {
            if (group_of[i] != (int)gi)
                continue;
            const aggregate_area_stats *a = &areas[i];
            g->count += a->count;
            g->previous += a->previous;
            g->membres += a->membres;
            g->population += a->population;
            for (size_t s = 0; s < agg->nsectors; s++)
                g->by_sector[s] += a->by_sector[s];
            util_sb_printf(&codes, "%s%s", codes.len ? "," : "", a->code);
            parts[np++] = GEOSGeom_clone_r(ctx->geos, a->geom);
        }
        GEOSGeometry *coll = GEOSGeom_createCollection_r(ctx->geos, GEOS_GEOMETRYCOLLECTION,
                                                         parts, np);
        free(parts);
        out->geoms[gi] = coll ? GEOSUnaryUnionPrec_r(ctx->geos, coll, 1e-6) : NULL;
        if (coll)
            GEOSGeom_destroy_r(ctx->geos, coll);
        out->members[gi] = util_sb_take(&codes);
        if (!out->members[gi]) {
            st = ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
            break;
        }
        if (!out->geoms[gi]) {
            st = ptce_fail(ctx, PTCE_ERR_LIBRARY, "groupe « %s » : union impossible (%s)",
                           out->names[gi], ctx->geos_error);
            break;
        }
        g->code = out->names[gi];
        g->nom = out->names[gi];
        g->parent_code = out->members[gi];
        g->geom = out->geoms[gi];
        g->per_100k = g->population > 0 ? g->count * 100000.0 / (double)g->population : 0;
        g->share = agg->total > 0 ? g->count * 100.0 / (double)agg->total : 0;
    }
    free(group_of);
    return st;
}

void group_set_free(group_set *g)
{
    for (size_t i = 0; i < g->n; i++) {
        free(g->names ? g->names[i] : NULL);
        if (g->members)
            free(g->members[i]);
        if (g->geoms && g->geoms[i])
            GEOSGeom_destroy_r(g->ctx->geos, g->geoms[i]);
        if (g->groups)
            free(g->groups[i].by_sector);
    }
    free(g->names);
    free(g->members);
    free(g->geoms);
    free(g->groups);
    memset(g, 0, sizeof *g);
}
