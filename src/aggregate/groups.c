/*
 * aggregate/groups.c — see groups.h.
 */
#include "aggregate/groups.h"

#include <stdlib.h>
#include <string.h>

#include "census/census.h"
#include "core/ctx.h"
#include "core/util.h"
#include "text/fold.h"

static int find_area(const area_stats *areas, size_t n, const char *code)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(areas[i].code, code) == 0)
            return (int)i;
    return -1;
}

/* "1" → "01", "2a" → "2A": codes as the COG writes them. */
static void normalise_code(const char *in, char *out, size_t size)
{
    char buf[16];
    snprintf(buf, sizeof buf, "%s", in);
    str_trim(buf);
    for (char *p = buf; *p; p++)
        if (*p == 'a' || *p == 'b')
            *p = (char)(*p - 'a' + 'A');
    if (strlen(buf) == 1)
        snprintf(out, size, "0%s", buf);
    else
        snprintf(out, size, "%s", buf);
}

static int add_group(group_set *g, const char *name)
{
    for (size_t i = 0; i < g->n; i++)
        if (strcmp(g->names[i], name) == 0)
            return (int)i;
    g->names[g->n] = ptce_strdup(name);
    return g->names[g->n] ? (int)g->n++ : -1;
}

ptce_status aggregate_groups(ptce_ctx *ctx, const aggregation *agg, const char *path,
                             group_set *out)
{
    memset(out, 0, sizeof *out);
    out->ctx = ctx;
    census c;
    ptce_status st = census_read(ctx, path, NULL, &c);
    if (st)
        return st;
    char *head = c.ncols >= 2 ? text_fold(c.header[0]) : NULL;
    int by_dep = head && (!strcmp(head, "code_dep") || !strcmp(head, "code dep") ||
                          !strcmp(head, "departement") || !strcmp(head, "code departement"));
    int by_reg = head && (!strcmp(head, "code_reg") || !strcmp(head, "code reg") ||
                          !strcmp(head, "region") || !strcmp(head, "code region"));
    free(head);
    if (!by_dep && !by_reg) {
        census_free(&c);
        return ptce_fail(ctx, PTCE_ERR_INPUT,
                         "%s, ligne 1 : la première colonne doit s'appeler code_reg ou code_dep "
                         "et la deuxième groupe (les codes de région et de département se "
                         "ressemblent : le fichier doit dire lesquels il donne).", path);
    }
    out->by_departement = by_dep;
    const area_stats *areas = by_dep ? agg->deps : agg->regions;
    size_t nareas = by_dep ? agg->ndeps : agg->nregions;
    int *group_of = malloc(nareas * sizeof *group_of);
    out->names = calloc(nareas, sizeof *out->names);
    if (!group_of || !out->names) {
        free(group_of);
        census_free(&c);
        return ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
    }
    for (size_t i = 0; i < nareas; i++)
        group_of[i] = -1;
    for (size_t r = 0; r < c.nrecords && !st; r++) {
        char code[16], name[128];
        normalise_code(census_cell(&c, &c.records[r], 0), code, sizeof code);
        snprintf(name, sizeof name, "%s", census_cell(&c, &c.records[r], 1));
        str_trim(name);
        int a = find_area(areas, nareas, code);
        if (a < 0) {
            st = ptce_fail(ctx, PTCE_ERR_INPUT, "%s, ligne %zu, colonne 1 : « %s » n'est pas un "
                                                "code de %s", path, c.records[r].line, code,
                           by_dep ? "département (01…976, 2A, 2B)"
                                  : "région (01, 02, 03, 04, 06, 11…94)");
        } else if (!name[0]) {
            st = ptce_fail(ctx, PTCE_ERR_INPUT, "%s, ligne %zu, colonne 2 : nom de groupe vide",
                           path, c.records[r].line);
        } else {
            int gi = add_group(out, name);
            if (gi < 0)
                st = ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
            else if (group_of[a] >= 0 && group_of[a] != gi)
                st = ptce_fail(ctx, PTCE_ERR_INPUT, "%s, ligne %zu : %s est déjà dans le groupe "
                                                    "« %s »", path, c.records[r].line, code,
                               out->names[group_of[a]]);
            else
                group_of[a] = gi;
        }
    }
    census_free(&c);
    for (size_t i = 0; i < nareas && !st; i++)
        if (group_of[i] < 0) {
            ptce_warn(ctx, "%s : %s %s (%s) n'est dans aucun groupe ; il forme un groupe à lui "
                           "seul", path, by_dep ? "le département" : "la région", areas[i].code,
                      areas[i].nom);
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
        area_stats *g = &out->groups[gi];
        g->by_sector = calloc(agg->nsectors ? agg->nsectors : 1, sizeof *g->by_sector);
        GEOSGeometry **parts = calloc(nareas, sizeof *parts);
        strbuf codes;
        sb_init(&codes);
        unsigned np = 0;
        if (!g->by_sector || !parts) {
            free(parts);
            st = ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
            break;
        }
        for (size_t i = 0; i < nareas; i++) {
            if (group_of[i] != (int)gi)
                continue;
            const area_stats *a = &areas[i];
            g->count += a->count;
            g->previous += a->previous;
            g->membres += a->membres;
            g->population += a->population;
            for (size_t s = 0; s < agg->nsectors; s++)
                g->by_sector[s] += a->by_sector[s];
            sb_printf(&codes, "%s%s", codes.len ? "," : "", a->code);
            parts[np++] = GEOSGeom_clone_r(ctx->geos, a->geom);
        }
        GEOSGeometry *coll = GEOSGeom_createCollection_r(ctx->geos, GEOS_GEOMETRYCOLLECTION,
                                                         parts, np);
        free(parts);
        out->geoms[gi] = coll ? GEOSUnaryUnionPrec_r(ctx->geos, coll, 1e-6) : NULL;
        if (coll)
            GEOSGeom_destroy_r(ctx->geos, coll);
        out->members[gi] = sb_take(&codes);
        if (!out->geoms[gi] || !out->members[gi]) {
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
