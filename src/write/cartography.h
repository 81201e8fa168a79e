/*
 * write/cartography.h — the presentation outputs: QGIS styles (.qml), the QGIS project
 * (.qgs) and the SVG map for the report. Like every writer they print what the pipeline
 * decided (classes, colours, geometry already laid out); they decide nothing.
 */
#ifndef PTCE_WRITE_CARTOGRAPHY_H
#define PTCE_WRITE_CARTOGRAPHY_H

#include <geos_c.h>
#include <stddef.h>

#include "core/util.h"
#include "ptce.h"
#include "write/layer.h"
#include "write/outdir.h"

/* One category of a categorised style: points by sector. */
typedef struct carto_style_category {
    const char *value;   /* attribute value, e.g. "economie_circulaire" */
    const char *label;   /* legend label, e.g. "Économie circulaire" */
    const char *color;   /* "#rrggbb" */
} carto_style_category;

/* The points drawn hollow (a ring in their category's colour), with one legend entry: those
 * whose `attr` holds one of `values` (approximate placements). */
typedef struct carto_style_hollow {
    const char *attr;           /* e.g. "exactitude" */
    const char *const *values;  /* e.g. {"approche", "departement"} */
    size_t nvalues;
    const char *label;          /* legend entry */
} carto_style_hollow;

/* One class of a graduated style: areas by PTCE per 100,000 inhabitants. */
typedef struct carto_style_class {
    double lower, upper; /* lower <= v <= upper (upper of the last class included) */
    const char *label;   /* "0 – 0,5" */
    const char *color;   /* "#rrggbb" */
    int hatched;         /* drawn hatched over its colour: the "aucun PTCE" class */
} carto_style_class;

/* What a QGIS layer style shows. */
typedef enum carto_qgis_style_kind {
    CARTO_QGIS_STYLE_CATEGORIZED, /* one symbol per value of `attr`, plus a catch-all */
    CARTO_QGIS_STYLE_GRADUATED,   /* one symbol per range of `attr` */
    CARTO_QGIS_STYLE_FRAMES       /* one symbol: no fill, grey outline */
} carto_qgis_style_kind;

typedef struct carto_qgis_style {
    carto_qgis_style_kind kind;
    int polygon;                 /* fill symbols (else markers) */
    const char *attr;            /* categorized and graduated */
    const carto_style_category *cats;  /* categorized */
    size_t ncats;
    const carto_style_hollow *hollow;  /* categorized: some points hollow (a rule-based renderer) */
    const carto_style_class *classes;  /* graduated */
    size_t nclasses;
    const char *label_attr;      /* labels on this field; NULL or "" for none */
    int label_is_expression;     /* label_attr is a QGIS expression, not a field name */
    /* French field aliases (QGIS "Fields" category): naliases pairs; NULL names skipped. */
    const char *const *alias_fields;
    const char *const *alias_names;
    size_t naliases;
} carto_qgis_style;

/* The QML document of a style (what NAME.qml holds, and what a GeoPackage's layer_styles
 * row holds), appended to `out`. `what` names it in messages. */
ptce_status carto_qml_render(ptce_ctx *ctx, const carto_qgis_style *st, const char *what, util_strbuf *out);

/* Writes NAME.qml for any style. */
ptce_status carto_qml(ptce_ctx *ctx, outdir *od, const char *name, const carto_qgis_style *st);

/* Writes NAME.qml (NAME relative to the output folder, e.g. "ptce_points" or
 * "carte/ptce_points"): a categorised marker renderer on `attr`; with `hollow` (NULL for
 * none), a rule-based one that also draws those points hollow, with their legend entry. */
ptce_status carto_qml_categorized(ptce_ctx *ctx, outdir *od, const char *name, const char *attr,
                                  const carto_style_category *cats, size_t ncats,
                                  const carto_style_hollow *hollow);

/* Writes NAME.qml: a graduated fill renderer on `attr`, with labels on `label_attr`
 * (NULL for none). */
ptce_status carto_qml_graduated(ptce_ctx *ctx, outdir *od, const char *name, const char *attr,
                                const carto_style_class *classes, size_t nclasses,
                                const char *label_attr);

/* Writes NAME.qml for a layer of frames (insets' boxes): no fill, grey outline, labels
 * on `label_attr`. */
ptce_status carto_qml_frames(ptce_ctx *ctx, outdir *od, const char *name, const char *label_attr);

/* A layer of the QGIS project. */
typedef struct carto_qgs_layer {
    const char *id;          /* unique, ASCII: "ptce_points" */
    const char *name;        /* shown in the layer panel: "PTCE (points)" */
    const char *source;      /* relative path: "./ptce_points.shp" */
    const char *geometry;    /* "Point" or "Polygon" */
    int epsg;                /* CRS of the file */
    const char *group;       /* layer-tree group: "Position réelle" or "Carte nationale" */
    int visible;
    /* Inline renderer: exactly one of these is used. */
    const carto_style_category *cats;
    size_t ncats;
    const char *cat_attr;
    const carto_style_hollow *hollow; /* with categories: points drawn hollow, NULL for none */
    const carto_style_class *classes;
    size_t nclasses;
    const char *class_attr;
    int frames;              /* a frames layer (no fill) */
    const char *label_attr;  /* labels on this field (frames' names, areas' names); NULL
                              * for none */
    int label_is_expression; /* label_attr is a QGIS expression ("nom_reg" || …) */
} carto_qgs_layer;

typedef struct carto_qgs_project {
    const char *title;       /* "PTCE — recensement 2026" */
    int epsg;                /* project CRS: 2154 */
    const carto_qgs_layer *layers; /* top of the list is drawn on top */
    size_t nlayers;
    double extent[4];        /* xmin ymin xmax ymax of the national layout, in project CRS */
    const char *credit;
    const char *production;  /* "Réalisation : ptce-map 0.2.0 · …", or NULL */
    /* A zoom inset: the part zoom_src of the layout shown in a second map item placed over
     * zoom_dst (both layout coordinates); zoom_label NULL for none. */
    double zoom_src[4], zoom_dst[4];
    const char *zoom_label;
} carto_qgs_project;

/* Writes NAME (e.g. "ptce-map.qgs"): a QGIS 3 project with relative paths. */
ptce_status carto_qgs(ptce_ctx *ctx, outdir *od, const char *name, const carto_qgs_project *p);

/* The SVG map for the report (also what the PDF and PNG are rendered from). Regions are
 * filled by class and outlined heavier than the départements; a scale bar is drawn for
 * metropolitan France (1 : N printed on A4) and one inside each inset. All geometry is already in layout coordinates (metres of
 * the national layout: Lambert-93 for metropolitan France, insets moved beside it). */
typedef struct carto_svg_area {
    const GEOSGeometry *geom; /* Polygon or MultiPolygon, layout coordinates, not owned */
    const char *color;        /* fill "#rrggbb" from the classes */
    int hatched;              /* hatched over the fill (the "aucun PTCE" class) */
} carto_svg_area;

typedef struct carto_svg_point {
    double x, y;              /* layout coordinates */
    const char *color;        /* sector colour */
    int hollow;               /* drawn as a ring (an approximate placement) */
} carto_svg_point;

typedef struct carto_svg_frame {
    const GEOSGeometry *geom; /* the inset's box, layout coordinates */
    const char *label;        /* "Guadeloupe (×1,5)" */
    double scale;             /* the inset's enlargement relative to Lambert-93 (its own
                               * scale bar is drawn inside it); 0 for none */
} carto_svg_frame;

/* A label on the map: a name and, under it, a figure ("Bretagne" / "12 PTCE"). */
typedef struct carto_svg_label {
    double x, y;              /* layout coordinates of the label's centre */
    const char *text;
    const char *sub;          /* second line, or NULL */
} carto_svg_label;

/* A zoom inset: the part `src` of the layout drawn again, enlarged, into the box `dst`
 * (both xmin ymin xmax ymax in layout coordinates), with its own scale bar. */
typedef struct carto_svg_zoom {
    double src[4];
    double dst[4];
    const char *label;        /* "Île-de-France (×4)" */
} carto_svg_zoom;

typedef struct carto_svg_map {
    const char *title;        /* "Pôles territoriaux de coopération économique" */
    const char *subtitle;     /* "Recensement 2026 — 224 PTCE placés" */
    const char *credit;       /* data credit line */
    double extent[4];         /* layout extent to draw: xmin ymin xmax ymax */
    const carto_svg_area *areas;    /* regions (choropleth) */
    size_t nareas;
    const carto_svg_area *outlines; /* départements, drawn as thin outlines only (may be 0) */
    size_t noutlines;
    const carto_svg_point *points;
    size_t npoints;
    const carto_svg_frame *frames;
    size_t nframes;
    const carto_style_class *classes;  /* choropleth legend */
    size_t nclasses;
    const char *classes_title;   /* "PTCE pour 100 000 habitants" */
    const carto_style_category *cats;  /* point legend (sectors) */
    size_t ncats;
    const char *hollow_label;    /* legend entry of the hollow points; NULL: none drawn */
    const carto_svg_label *labels;     /* region labels, drawn over the map (may be 0) */
    size_t nlabels;
    const carto_svg_zoom *zoom;        /* NULL for none */
    const char *production;      /* "Réalisation : ptce-map 0.2.0, 2026-03-01" (may be NULL) */
    const char *font;            /* font-family list, e.g. "DejaVu Sans, sans-serif" */
} carto_svg_map;

/* The SVG document of the map, appended to `out`. */
ptce_status carto_svg_render(ptce_ctx *ctx, const carto_svg_map *m, util_strbuf *out);

/* Writes NAME (e.g. "ptce_carte.svg"). */
ptce_status carto_svg(ptce_ctx *ctx, outdir *od, const char *name, const carto_svg_map *m);

/* The interactive web map (out_web.c): a folder NAME/ ("web") holding the template copied
 * from `template_dir` (index.html, carte.js, carte.css and lib/ with the mapping libraries
 * and their licences, every regular file, recursively) and NAME/donnees.js, the data, which
 * assigns one JSON object to window.PTCE_DONNEES so that the page works from file://
 * without fetch. The points and areas are printed field by field like GeoJSON features
 * (properties named after the layer's fields); everything else is what the pipeline
 * decided (labels, colours, classes of precision). All strings are escaped for a script. */
typedef struct carto_web_precision {
    const char *id;          /* value of the points' accuracy field: "commune" */
    const char *label;       /* "Point de la commune" */
    int approximate;         /* drawn as a hollow symbol */
} carto_web_precision;

typedef struct carto_web_territory {
    const char *code_reg;    /* "" for metropolitan France, "01"… for an overseas region */
    const char *label;
} carto_web_territory;

enum { CARTO_WEB_AREA_REGIONS, CARTO_WEB_AREA_DEPARTEMENTS, CARTO_WEB_AREA_EPCI, CARTO_WEB_AREA_KINDS };

typedef struct carto_web_map {
    const char *title, *subtitle, *credit, *software;
    const char *tiles;            /* tile URL template, NULL: our own outlines only */
    const char *tiles_attribution;
    int has_previous;             /* points carry evolution; `ceased` and areas' prec */
    const carto_style_category *sectors;
    size_t nsectors;
    const carto_web_precision *precisions;
    size_t nprecisions;
    const char *const *palette;   /* choropleth colours, light to dark */
    size_t npalette;
    const char *const *palette_change; /* decrease … stable … increase */
    size_t npalette_change;
    const carto_web_territory *territories;
    size_t nterritories;
    const layer *points;          /* WGS 84 points */
    const layer *ceased;          /* with has_previous: last year's PTCE gone since; or NULL */
    const layer *areas[CARTO_WEB_AREA_KINDS]; /* WGS 84 polygons; NULL when the layer is absent */
    int lazy[CARTO_WEB_AREA_KINDS];     /* written to its own aires-<kind>.js, loaded by the page
                                   * only when shown (large layers: the first drawing does
                                   * not wait for them) */
    int point_decimals, polygon_decimals;
} carto_web_map;

ptce_status carto_web(ptce_ctx *ctx, outdir *od, const char *name, const char *template_dir,
                      const carto_web_map *m);

/* The decimals of the web map's polygon coordinates (about 100 m): the ones its polygons
 * can be handed over already written in (LAYER_POLYGON_WEB). */
#define CARTO_WEB_POLYGON_DECIMALS 3

/* The web map's geometry of one WGS 84 (Multi)Polygon at `decimals`, appended to sb:
 * {"type":"MultiPolygon","coordinates":[...]}, counter-clockwise shells, vertices that
 * round onto the previous one left out. */
ptce_status carto_web_polygon(ptce_ctx *ctx, const GEOSGeometry *g, int decimals, util_strbuf *sb);
/* The font of the printed map: DejaVu Sans (Debian fonts-dejavu-core), embedded in the
 * PDF; generic fallbacks for other SVG readers. */
#define CARTO_PRINT_FONT "DejaVu Sans, Verdana, sans-serif"
#define CARTO_PRINT_PNG_DPI 300

/* What a printed map says about itself. */
typedef struct carto_print_info {
    const char *title, *author, *creator;
    const char *date;         /* PDF creation date, ISO 8601 "2026-01-01T00:00:00Z": fixed,
                               * never the time of the run */
} carto_print_info;

/* PDF_NAME (e.g. "ptce_carte.pdf"): the SVG document `svg` drawn by librsvg onto one
 * A4-landscape PDF page (vector, fonts embedded); PNG_NAME: the same drawing as an
 * A4-landscape image at `dpi` dots per inch (pHYs chunk included). The document is read
 * once for both. */
ptce_status carto_print(ptce_ctx *ctx, outdir *od, const char *pdf_name, const char *png_name,
                        const char *svg, size_t len, const carto_print_info *info, int dpi);

/* The same in two steps, so that the drawing (most of a small build's time) runs on a
 * thread of its own while the caller writes other files: carto_print_start() copies the
 * names, the document and `info` (the caller's may go) and starts drawing both files into
 * memory; carto_print_finish() waits for it, then writes them into `od` (or only frees the
 * job when od is NULL: the cancellation of a failed build) and reports the drawing's
 * failure, if any. Every started job must be finished. The caller must not use librsvg or
 * cairo in between. */
typedef struct carto_print_job carto_print_job;
/* The part of a print that needs no map, made beforehand on a thread of its own while the
 * caller still has the census to place (the other core is idle then): fontconfig's
 * configuration loaded (FcInit, what the first text drawn would do) and the PNG's blank
 * page (a 35 MB image painted white, mostly page faults). A small build's PNG thread, the
 * longest of the run, then starts drawing at once. Same bytes: the same calls, made
 * earlier. NULL when no thread could be started (the job makes everything itself).
 * Handed to carto_print_start() (which takes it over, even when it fails), or freed by
 * carto_print_prep_free() (NULL: nothing). The caller must not use cairo or fontconfig in
 * between. */
typedef struct carto_print_prep carto_print_prep;
carto_print_prep *carto_print_prepare(int dpi);
void carto_print_prep_free(carto_print_prep *prep);
ptce_status carto_print_start(ptce_ctx *ctx, const char *pdf_name, const char *png_name,
                              const char *svg, size_t len, const carto_print_info *info, int dpi,
                              carto_print_prep *prep, carto_print_job **job);
ptce_status carto_print_finish(ptce_ctx *ctx, outdir *od, carto_print_job *job);
/* Waits for the drawing without writing anything: what it drew stays in the job (the PDF
 * and PNG bytes; librsvg's document and cairo's surfaces are already freed, and their
 * memory given back to the system) until carto_print_finish(). For a caller about to need
 * much memory of its own. NULL: nothing. */
void carto_print_wait(carto_print_job *job);

#endif
