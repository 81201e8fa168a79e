/*
 * refdata/geofile.c — see geofile.h.
 */
#include "refdata/geofile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ctx.h"
#include "refdata/geomcodec.h"

ptce_status refdata_geofile_open(ptce_ctx *ctx, const refdata *rd, const char *name,
                                 bool use_image, refdata_geofile_reader *r)
{
    memset(r, 0, sizeof *r);
    r->rd = rd;
    const char *dir = ptce_data_dir(ctx);
    snprintf(r->path, sizeof r->path, "%s/geom/%s", dir ? dir : ".", name);
    int got = use_image ? refdata_cache_geofile_find(ctx, rd, name, r->path, &r->image) : 0;
    if (got < 0)
        return (ptce_status)-got;
    if (got)
        return PTCE_OK;
    size_t len = 0;
    r->text = geomcodec_read_gz(r->path, &len);
    if (!r->text)
        return errno == ENOMEM ? ptce_fail(ctx, PTCE_ERR_MEMORY, "%s : mémoire insuffisante",
                                           r->path)
                               : ptce_fail(ctx, PTCE_ERR_DATA, "%s : lecture impossible ; "
                                           "réinstallez le dossier data/ "
                                           "(scripts/update-reference-data)", r->path);
    r->next = r->text;
    return PTCE_OK;
}

int refdata_geofile_next(refdata_geofile_reader *r, const char **code)
{
    if (r->image) {
        if (r->line == r->image->count)
            return 0;
        const refdata_cache_geoentry *e =
            refdata_cache_geoentry_at(r->rd, r->image->first + r->line);
        memcpy(r->code, e->code, sizeof r->code);
        r->line++;
        *code = r->code;
        return 1;
    }
    char *p = r->next;
    if (!*p)
        return 0;
    char *end = strchr(p, '\n');
    if (!end)
        end = p + strlen(p);
    r->next = *end ? end + 1 : end;
    r->line++;
    char *tab = memchr(p, '\t', (size_t)(end - p));
    r->geom = tab ? tab + 1 : NULL;
    r->end = end;
    if (tab)
        *tab = '\0';
    *code = tab ? p : NULL;
    return 1;
}

GEOSGeometry *refdata_geofile_geometry(ptce_ctx *ctx, refdata_geofile_reader *r)
{
    errno = 0;
    if (r->image)
        return refdata_cache_geoentry_geometry(r->rd, r->image->first + r->line - 1);
    return r->geom ? geomcodec_decode(ctx->geos, r->geom, (size_t)(r->end - r->geom)) : NULL;
}

bool refdata_geofile_from_image(const refdata_geofile_reader *r)
{
    return r->image != NULL;
}

void refdata_geofile_close(refdata_geofile_reader *r)
{
    if (r->image)
        refdata_cache_geofile_done(r->rd, r->image);
    free(r->text);
    r->text = NULL;
    r->image = NULL;
}
