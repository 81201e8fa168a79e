/*
 * write/out_qml.c — QGIS layer styles (.qml) and the renderer XML they share with the
 * project (.qgs).
 *
 * QGIS loads NAME.qml beside NAME.shp by itself when the layer is opened
 * (QgsMapLayer::loadDefaultStyle), so the Shapefiles open already styled. The format is
 * the one of QGIS 3.22: symbol layer properties as <Option type="Map">, followed by the
 * same values as <prop k v/> for older readers. The XML helpers used by the SVG writer
 * live here too (see qgis_xml.h).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/ctx.h"
#include "core/util.h"
#include "write/cartography.h"
#include "write/qgis_xml.h"
#include "write/writers.h"

/* ---- XML text, colours, numbers ---- */

/* Length of the valid UTF-8 sequence at s (1–4), or 0 when the bytes are not one. */
static size_t utf8_sequence(const unsigned char *s)
{
    size_t len = s[0] >= 0xF0 ? 4 : s[0] >= 0xE0 ? 3 : s[0] >= 0xC0 ? 2 : 0;
    for (size_t k = 1; k < len; k++)
        if (s[k] == '\0')
            return 0;
    return len && util_utf8_is_valid((const char *)s, len) ? len : 0;
}

void qgis_xml_escape(util_strbuf *sb, const char *s)
{
    if (!s)
        return;
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        unsigned c = *p;
        if (c >= 0x80) {
            size_t len = utf8_sequence(p);
            /* U+FFFE and U+FFFF are not XML characters either. */
            if (len == 3 && p[0] == 0xEF && p[1] == 0xBF && p[2] >= 0xBE)
                len = 0;
            if (len) {
                util_sb_append_n(sb, (const char *)p, len);
                p += len;
            } else {
                util_sb_append(sb, "\xEF\xBF\xBD");
                p++;
            }
            continue;
        }
        switch (c) {
        case '&':
            util_sb_append(sb, "&amp;");
            break;
        case '<':
            util_sb_append(sb, "&lt;");
            break;
        case '>':
            util_sb_append(sb, "&gt;");
            break;
        case '"':
            util_sb_append(sb, "&quot;");
            break;
        case '\'':
            util_sb_append(sb, "&apos;");
            break;
        case '\t':
            util_sb_append(sb, "&#9;");
            break;
        case '\n':
            util_sb_append(sb, "&#10;");
            break;
        case '\r':
            util_sb_append(sb, "&#13;");
            break;
        default:
            if (c >= 0x20 && c != 0x7F)
                util_sb_append_char(sb, (char)c);
        }
        p++;
    }
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int qgis_xml_color_parse(const char *hex, unsigned char rgb[3])
{
    if (!hex || hex[0] != '#' || strlen(hex) != 7)
        return 0;
    for (int i = 0; i < 3; i++) {
        int hi = hex_digit(hex[1 + 2 * i]), lo = hex_digit(hex[2 + 2 * i]);
        if (hi < 0 || lo < 0)
            return 0;
        rgb[i] = (unsigned char)(hi * 16 + lo);
    }
    return 1;
}

void qgis_xml_number(util_strbuf *sb, double v, int decimals)
{
    char buf[64];
    if (!isfinite(v))
        v = 0;
    snprintf(buf, sizeof buf, "%.*f", decimals, v);
    /* Whatever LC_NUMERIC says, the decimal separator of XML and SVG is a point. */
    for (char *c = buf; *c; c++)
        if (*c == ',')
            *c = '.';
    char *dot = strchr(buf, '.');
    if (dot) {
        char *end = buf + strlen(buf) - 1;
        while (end > dot && *end == '0')
            *end-- = '\0';
        if (end == dot)
            *end = '\0';
    }
    util_sb_append(sb, strcmp(buf, "-0") == 0 ? "0" : buf);
}

/* ---- checking a style ---- */

static const char *or_empty(const char *s)
{
    return s ? s : "";
}

ptce_status qgis_xml_style_check(ptce_ctx *ctx, const carto_qgis_style *st, const char *what)
{
    if (st->kind != CARTO_QGIS_STYLE_FRAMES && (!st->attr || !*st->attr))
        return ptce_fail(ctx, PTCE_ERR_USAGE, "%s : aucun champ à représenter n'est indiqué.",
                         what);
    unsigned char rgb[3];
    if (st->kind == CARTO_QGIS_STYLE_CATEGORIZED) {
        if (st->ncats && !st->cats)
            return ptce_fail(ctx, PTCE_ERR_USAGE, "%s : liste de catégories absente.", what);
        for (size_t i = 0; i < st->ncats; i++) {
            const carto_style_category *c = &st->cats[i];
            if (!c->value || !*c->value)
                return ptce_fail(ctx, PTCE_ERR_USAGE,
                                 "%s : la catégorie n° %zu n'a pas de valeur (la valeur vide est "
                                 "réservée aux valeurs non listées).", what, i + 1);
            if (!qgis_xml_color_parse(c->color, rgb))
                return ptce_fail(ctx, PTCE_ERR_USAGE,
                                 "%s : couleur « %s » invalide pour la catégorie « %s » "
                                 "(attendu : #rrvvbb).", what, or_empty(c->color), c->value);
            for (size_t j = 0; j < i; j++)
                if (strcmp(st->cats[j].value, c->value) == 0)
                    return ptce_fail(ctx, PTCE_ERR_USAGE,
                                     "%s : la catégorie « %s » apparaît deux fois.", what,
                                     c->value);
        }
        const carto_style_hollow *h = st->hollow;
        if (h && (!h->attr || !*h->attr || !h->nvalues || !h->values || !h->label))
            return ptce_fail(ctx, PTCE_ERR_USAGE,
                             "%s : points vides : champ, valeurs ou légende manquants.", what);
    } else if (st->kind == CARTO_QGIS_STYLE_GRADUATED) {
        if (st->nclasses && !st->classes)
            return ptce_fail(ctx, PTCE_ERR_USAGE, "%s : liste de classes absente.", what);
        for (size_t i = 0; i < st->nclasses; i++) {
            const carto_style_class *c = &st->classes[i];
            if (!isfinite(c->lower) || !isfinite(c->upper) || c->lower > c->upper)
                return ptce_fail(ctx, PTCE_ERR_USAGE,
                                 "%s : bornes invalides pour la classe n° %zu (« %s »).", what,
                                 i + 1, or_empty(c->label));
            if (!qgis_xml_color_parse(c->color, rgb))
                return ptce_fail(ctx, PTCE_ERR_USAGE,
                                 "%s : couleur « %s » invalide pour la classe « %s » "
                                 "(attendu : #rrvvbb).", what, or_empty(c->color),
                                 or_empty(c->label));
        }
    }
    return PTCE_OK;
}

int qgis_xml_style_has_labels(const carto_qgis_style *st)
{
    return st->label_attr && *st->label_attr;
}

/* ---- symbols ---- */

typedef struct prop {
    const char *k;
    const char *v;
} prop;

static void pad(util_strbuf *sb, int n)
{
    for (int i = 0; i < n; i++)
        util_sb_append_char(sb, ' ');
}

void qgis_xml_dd_properties(util_strbuf *sb, int indent, const char *tag)
{
    pad(sb, indent);
    util_sb_printf(sb, "<%s>\n", tag);
    pad(sb, indent + 2);
    util_sb_append(sb, "<Option type=\"Map\">\n");
    pad(sb, indent + 4);
    util_sb_append(sb, "<Option name=\"name\" type=\"QString\" value=\"\"/>\n");
    pad(sb, indent + 4);
    util_sb_append(sb, "<Option name=\"properties\"/>\n");
    pad(sb, indent + 4);
    util_sb_append(sb, "<Option name=\"type\" type=\"QString\" value=\"collection\"/>\n");
    pad(sb, indent + 2);
    util_sb_append(sb, "</Option>\n");
    pad(sb, indent);
    util_sb_printf(sb, "</%s>\n", tag);
}

/* One symbol layer: the properties in QGIS 3 form, then again as <prop> pairs. */
static void symbol_layer(util_strbuf *sb, int indent, const char *cls, const prop *props, size_t n)
{
    pad(sb, indent);
    util_sb_printf(sb, "<layer class=\"%s\" enabled=\"1\" locked=\"0\" pass=\"0\">\n", cls);
    pad(sb, indent + 2);
    util_sb_append(sb, "<Option type=\"Map\">\n");
    for (size_t i = 0; i < n; i++) {
        pad(sb, indent + 4);
        util_sb_append(sb, "<Option name=\"");
        qgis_xml_escape(sb, props[i].k);
        util_sb_append(sb, "\" type=\"QString\" value=\"");
        qgis_xml_escape(sb, props[i].v);
        util_sb_append(sb, "\"/>\n");
    }
    pad(sb, indent + 2);
    util_sb_append(sb, "</Option>\n");
    for (size_t i = 0; i < n; i++) {
        pad(sb, indent + 2);
        util_sb_append(sb, "<prop k=\"");
        qgis_xml_escape(sb, props[i].k);
        util_sb_append(sb, "\" v=\"");
        qgis_xml_escape(sb, props[i].v);
        util_sb_append(sb, "\"/>\n");
    }
    qgis_xml_dd_properties(sb, indent + 2, "data_defined_properties");
    pad(sb, indent);
    util_sb_append(sb, "</layer>\n");
}

#define NO_SCALE "3x:0,0,0,0,0,0"

static void rgba(char *buf, size_t size, const unsigned char rgb[3])
{
    snprintf(buf, size, "%u,%u,%u,255", rgb[0], rgb[1], rgb[2]);
}

static void symbol_open(util_strbuf *sb, int indent, const char *type, const char *name)
{
    pad(sb, indent);
    util_sb_printf(sb, "<symbol type=\"%s\" name=\"%s\" alpha=\"1\" clip_to_extent=\"1\" "
                  "force_rhr=\"0\">\n", type, name);
    qgis_xml_dd_properties(sb, indent + 2, "data_defined_properties");
}

static void symbol_close(util_strbuf *sb, int indent)
{
    pad(sb, indent);
    util_sb_append(sb, "</symbol>\n");
}

/* A round point marker with a thin white outline. */
static void marker_symbol(util_strbuf *sb, int indent, const char *name, const unsigned char rgb[3])
{
    char color[32];
    rgba(color, sizeof color, rgb);
    const prop props[] = {
        {"angle", "0"},
        {"color", color},
        {"horizontal_anchor_point", "1"},
        {"joinstyle", "bevel"},
        {"name", "circle"},
        {"offset", "0,0"},
        {"offset_map_unit_scale", NO_SCALE},
        {"offset_unit", "MM"},
        {"outline_color", "255,255,255,255"},
        {"outline_style", "solid"},
        {"outline_width", "0.2"},
        {"outline_width_map_unit_scale", NO_SCALE},
        {"outline_width_unit", "MM"},
        {"scale_method", "diameter"},
        {"size", "2.4"},
        {"size_map_unit_scale", NO_SCALE},
        {"size_unit", "MM"},
        {"vertical_anchor_point", "1"},
    };
    symbol_open(sb, indent, "marker", name);
    symbol_layer(sb, indent + 2, "SimpleMarker", props, sizeof props / sizeof *props);
    symbol_close(sb, indent);
}

/* The mark drawn over an approximate point: a white disc inside the sector's, which leaves
 * a ring in the sector's colour; in the legend, a white disc with a grey outline. */
static void hollow_symbol(util_strbuf *sb, int indent, const char *name)
{
    const prop props[] = {
        {"angle", "0"},
        {"color", "255,255,255,255"},
        {"horizontal_anchor_point", "1"},
        {"joinstyle", "bevel"},
        {"name", "circle"},
        {"offset", "0,0"},
        {"offset_map_unit_scale", NO_SCALE},
        {"offset_unit", "MM"},
        {"outline_color", "110,110,110,255"},
        {"outline_style", "solid"},
        {"outline_width", "0.15"},
        {"outline_width_map_unit_scale", NO_SCALE},
        {"outline_width_unit", "MM"},
        {"scale_method", "diameter"},
        {"size", "1.2"},
        {"size_map_unit_scale", NO_SCALE},
        {"size_unit", "MM"},
        {"vertical_anchor_point", "1"},
    };
    symbol_open(sb, indent, "marker", name);
    symbol_layer(sb, indent + 2, "SimpleMarker", props, sizeof props / sizeof *props);
    symbol_close(sb, indent);
}

/* A polygon fill; rgb NULL draws no fill (outline only). */
static void fill_symbol(util_strbuf *sb, int indent, const char *name, const unsigned char *rgb,
                        const char *outline_color, const char *outline_width, int hatched)
{
    char color[32] = "0,0,0,0";
    if (rgb)
        rgba(color, sizeof color, rgb);
    const prop props[] = {
        {"border_width_map_unit_scale", NO_SCALE},
        {"color", color},
        {"joinstyle", "bevel"},
        {"offset", "0,0"},
        {"offset_map_unit_scale", NO_SCALE},
        {"offset_unit", "MM"},
        {"outline_color", outline_color},
        {"outline_style", "solid"},
        {"outline_width", outline_width},
        {"outline_width_unit", "MM"},
        {"style", rgb ? "solid" : "no"},
    };
    symbol_open(sb, indent, "fill", name);
    symbol_layer(sb, indent + 2, "SimpleFill", props, sizeof props / sizeof *props);
    if (hatched) {
        /* Grey diagonal hatching over the fill, the same as the SVG map's. */
        const prop hatch[] = {
            {"border_width_map_unit_scale", NO_SCALE},
            {"color", "140,140,140,255"},
            {"joinstyle", "bevel"},
            {"offset", "0,0"},
            {"offset_map_unit_scale", NO_SCALE},
            {"offset_unit", "MM"},
            {"outline_color", "0,0,0,0"},
            {"outline_style", "no"},
            {"outline_width", "0"},
            {"outline_width_unit", "MM"},
            {"style", "f_diagonal"},
        };
        symbol_layer(sb, indent + 2, "SimpleFill", hatch, sizeof hatch / sizeof *hatch);
    }
    symbol_close(sb, indent);
}

/* The symbol of a category or class: a marker, or a fill with a thin white outline. */
static void class_symbol(util_strbuf *sb, int indent, const carto_qgis_style *st, size_t i,
                         const unsigned char rgb[3])
{
    char name[32];
    snprintf(name, sizeof name, "%zu", i);
    if (st->polygon)
        fill_symbol(sb, indent, name, rgb, "255,255,255,255", "0.2",
                    st->kind == CARTO_QGIS_STYLE_GRADUATED && st->classes[i].hatched);
    else
        marker_symbol(sb, indent, name, rgb);
}

/* ---- labels ---- */

static void labeling_xml(util_strbuf *sb, int indent, const carto_qgis_style *st)
{
    int frames = st->kind == CARTO_QGIS_STYLE_FRAMES;
    pad(sb, indent);
    util_sb_append(sb, "<labeling type=\"simple\">\n");
    pad(sb, indent + 2);
    util_sb_append(sb, "<settings calloutType=\"simple\">\n");
    pad(sb, indent + 4);
    util_sb_append(sb, "<text-style fieldName=\"");
    qgis_xml_escape(sb, st->label_attr);
    util_sb_printf(sb, "\" isExpression=\"%d\" fontFamily=\"DejaVu Sans\" namedStyle=\"%s\" fontSize=\"%s\" "
                  "fontSizeUnit=\"Point\" fontSizeMapUnitScale=\"" NO_SCALE "\" "
                  "fontWeight=\"%s\" fontItalic=\"%s\" fontUnderline=\"0\" fontStrikeout=\"0\" "
                  "fontKerning=\"1\" fontLetterSpacing=\"0\" fontWordSpacing=\"0\" "
                  "textColor=\"%s\" textOpacity=\"1\" blendMode=\"0\" multilineHeight=\"1\" "
                  "capitalization=\"0\" allowHtml=\"0\" textOrientation=\"horizontal\" "
                  "useSubstitutions=\"0\" previewBkgrdColor=\"255,255,255,255\">\n",
              st->label_is_expression ? 1 : 0, frames ? "Oblique" : "Book", frames ? "8" : "7",
              "50", frames ? "1" : "0",
              frames ? "90,90,90,255" : "40,40,40,255");
    pad(sb, indent + 6);
    util_sb_append(sb, "<text-buffer bufferDraw=\"1\" bufferSize=\"0.6\" bufferSizeUnits=\"MM\" "
                  "bufferSizeMapUnitScale=\"" NO_SCALE "\" bufferColor=\"255,255,255,255\" "
                  "bufferOpacity=\"0.8\" bufferNoFill=\"1\" bufferJoinStyle=\"128\" "
                  "bufferBlendMode=\"0\"/>\n");
    pad(sb, indent + 6);
    util_sb_append(sb, "<background shapeDraw=\"0\"/>\n");
    pad(sb, indent + 6);
    util_sb_append(sb, "<shadow shadowDraw=\"0\"/>\n");
    qgis_xml_dd_properties(sb, indent + 6, "dd_properties");
    pad(sb, indent + 6);
    util_sb_append(sb, "<substitutions/>\n");
    pad(sb, indent + 4);
    util_sb_append(sb, "</text-style>\n");
    pad(sb, indent + 4);
    util_sb_append(sb, "<text-format wrapChar=\"\" autoWrapLength=\"0\" useMaxLineLengthForAutoWrap=\"1\" "
                  "multilineAlign=\"3\" addDirectionSymbol=\"0\" leftDirectionSymbol=\"&lt;\" "
                  "rightDirectionSymbol=\"&gt;\" reverseDirectionSymbol=\"0\" "
                  "placeDirectionSymbol=\"0\" formatNumbers=\"0\" decimals=\"3\" "
                  "plussign=\"0\"/>\n");
    pad(sb, indent + 4);
    if (frames)
        /* The frame's name goes just above its top-left corner, as on the printed map:
         * the label follows a point generated at that corner. */
        util_sb_append(sb, "<placement placement=\"1\" quadOffset=\"2\" dist=\"0\" distUnits=\"MM\" "
                      "xOffset=\"0\" yOffset=\"0\" offsetUnits=\"MM\" offsetType=\"0\" "
                      "rotationAngle=\"0\" priority=\"10\" placementFlags=\"10\" "
                      "polygonPlacementFlags=\"2\" centroidInside=\"0\" centroidWhole=\"0\" "
                      "fitInPolygonOnly=\"0\" layerType=\"PolygonGeometry\" "
                      "geometryGeneratorEnabled=\"1\" geometryGeneratorType=\"PointGeometry\" "
                      "geometryGenerator=\"make_point(x_min($geometry), y_max($geometry))\"/>\n");
    else
        util_sb_printf(sb, "<placement placement=\"%d\" quadOffset=\"4\" dist=\"0\" distUnits=\"MM\" "
                      "xOffset=\"0\" yOffset=\"0\" offsetUnits=\"MM\" offsetType=\"0\" "
                      "rotationAngle=\"0\" priority=\"5\" placementFlags=\"10\" "
                      "polygonPlacementFlags=\"2\" centroidInside=\"1\" centroidWhole=\"0\" "
                      "fitInPolygonOnly=\"0\" layerType=\"%s\" geometryGeneratorEnabled=\"0\" "
                      "geometryGeneratorType=\"PointGeometry\" geometryGenerator=\"\"/>\n",
                  st->polygon ? 1 : 0, st->polygon ? "PolygonGeometry" : "PointGeometry");
    pad(sb, indent + 4);
    util_sb_printf(sb, "<rendering drawLabels=\"1\" displayAll=\"%d\" obstacle=\"1\" "
                  "obstacleFactor=\"1\" obstacleType=\"1\" scaleVisibility=\"0\" scaleMin=\"0\" "
                  "scaleMax=\"0\" fontLimitPixelSize=\"0\" fontMinPixelSize=\"3\" "
                  "fontMaxPixelSize=\"10000\" upsidedownLabels=\"0\" labelPerPart=\"0\" "
                  "mergeLines=\"0\" minFeatureSize=\"0\" limitNumLabels=\"0\" "
                  "maxNumLabels=\"2000\" zIndex=\"%d\"/>\n",
              frames, frames);
    qgis_xml_dd_properties(sb, indent + 4, "dd_properties");
    pad(sb, indent + 2);
    util_sb_append(sb, "</settings>\n");
    pad(sb, indent);
    util_sb_append(sb, "</labeling>\n");
}

/* ---- the renderer ---- */

static void categorized_xml(util_strbuf *sb, int indent, const carto_qgis_style *st)
{
    pad(sb, indent);
    util_sb_append(sb, "<renderer-v2 type=\"categorizedSymbol\" attr=\"");
    qgis_xml_escape(sb, st->attr);
    util_sb_append(sb, "\" forceraster=\"0\" symbollevels=\"0\" enableorderby=\"0\" "
                  "referencescale=\"-1\">\n");
    pad(sb, indent + 2);
    util_sb_append(sb, "<categories>\n");
    for (size_t i = 0; i <= st->ncats; i++) {
        /* The last one, with an empty value, takes every value not listed (a sector of
         * another taxonomy): "Hors taxonomie", not to be confused with the sector autre. */
        const char *value = i < st->ncats ? st->cats[i].value : "";
        const char *label = i < st->ncats ? st->cats[i].label : "Hors taxonomie";
        pad(sb, indent + 4);
        util_sb_append(sb, "<category value=\"");
        qgis_xml_escape(sb, value);
        util_sb_append(sb, "\" label=\"");
        qgis_xml_escape(sb, label ? label : value);
        util_sb_printf(sb, "\" symbol=\"%zu\" render=\"true\"/>\n", i);
    }
    pad(sb, indent + 2);
    util_sb_append(sb, "</categories>\n");
    pad(sb, indent + 2);
    util_sb_append(sb, "<symbols>\n");
    for (size_t i = 0; i <= st->ncats; i++) {
        unsigned char rgb[3] = {160, 160, 160};
        if (i < st->ncats)
            qgis_xml_color_parse(st->cats[i].color, rgb);
        class_symbol(sb, indent + 4, st, i, rgb);
    }
    pad(sb, indent + 2);
    util_sb_append(sb, "</symbols>\n");
    pad(sb, indent + 2);
    util_sb_append(sb, "<rotation/>\n");
    pad(sb, indent + 2);
    util_sb_append(sb, "<sizescale/>\n");
    pad(sb, indent);
    util_sb_append(sb, "</renderer-v2>\n");
}

/* A QGIS expression string literal: single quotes doubled, then XML-escaped. */
static void expr_literal(util_strbuf *sb, const char *s)
{
    util_sb_append(sb, "'");
    for (const char *p = s; *p; p++) {
        char one[2] = {*p, 0};
        qgis_xml_escape(sb, *p == '\'' ? "''" : one);
    }
    util_sb_append(sb, "'");
}

/* "field" IN ('a', 'b'), XML-escaped. */
static void expr_in(util_strbuf *sb, const char *field, const char *const *values, size_t n)
{
    util_sb_append(sb, "&quot;");
    qgis_xml_escape(sb, field);
    util_sb_append(sb, "&quot; IN (");
    for (size_t i = 0; i < n; i++) {
        if (i)
            util_sb_append(sb, ", ");
        expr_literal(sb, values[i]);
    }
    util_sb_append(sb, ")");
}

/* The categories as rules (one per sector, and one for any other value), then one rule
 * drawn over the approximate points: QGIS draws every rule a feature matches, in order. */
static void rule_based_xml(util_strbuf *sb, int indent, const carto_qgis_style *st)
{
    pad(sb, indent);
    util_sb_append(sb, "<renderer-v2 type=\"RuleRenderer\" forceraster=\"0\" symbollevels=\"0\" "
                  "enableorderby=\"0\" referencescale=\"-1\">\n");
    pad(sb, indent + 2);
    util_sb_append(sb, "<rules key=\"{00000000-0000-4000-8000-000000000000}\">\n");
    for (size_t i = 0; i <= st->ncats + 1; i++) {
        pad(sb, indent + 4);
        util_sb_printf(sb, "<rule key=\"{00000000-0000-4000-8000-%012zu}\" filter=\"", i + 1);
        const char *label;
        if (i < st->ncats) {
            expr_in(sb, st->attr, &st->cats[i].value, 1);
            label = st->cats[i].label ? st->cats[i].label : st->cats[i].value;
        } else if (i == st->ncats) {
            /* Every other value, written out (an ELSE rule would be skipped by the points
             * the last rule matches). */
            util_sb_append(sb, "&quot;");
            qgis_xml_escape(sb, st->attr);
            util_sb_append(sb, "&quot; IS NULL OR NOT (");
            for (size_t k = 0; k < st->ncats; k++) {
                if (k)
                    util_sb_append(sb, " OR ");
                expr_in(sb, st->attr, &st->cats[k].value, 1);
            }
            if (!st->ncats)
                util_sb_append(sb, "FALSE");
            util_sb_append(sb, ")");
            label = "Hors taxonomie";
        } else {
            expr_in(sb, st->hollow->attr, st->hollow->values, st->hollow->nvalues);
            label = st->hollow->label;
        }
        util_sb_append(sb, "\" label=\"");
        qgis_xml_escape(sb, label);
        util_sb_printf(sb, "\" symbol=\"%zu\"/>\n", i);
    }
    pad(sb, indent + 2);
    util_sb_append(sb, "</rules>\n");
    pad(sb, indent + 2);
    util_sb_append(sb, "<symbols>\n");
    for (size_t i = 0; i <= st->ncats; i++) {
        unsigned char rgb[3] = {160, 160, 160};
        if (i < st->ncats)
            qgis_xml_color_parse(st->cats[i].color, rgb);
        class_symbol(sb, indent + 4, st, i, rgb);
    }
    char name[32];
    snprintf(name, sizeof name, "%zu", st->ncats + 1);
    hollow_symbol(sb, indent + 4, name);
    pad(sb, indent + 2);
    util_sb_append(sb, "</symbols>\n");
    pad(sb, indent);
    util_sb_append(sb, "</renderer-v2>\n");
}

static void graduated_xml(util_strbuf *sb, int indent, const carto_qgis_style *st)
{
    pad(sb, indent);
    util_sb_append(sb, "<renderer-v2 type=\"graduatedSymbol\" attr=\"");
    qgis_xml_escape(sb, st->attr);
    util_sb_append(sb, "\" graduatedMethod=\"GraduatedColor\" forceraster=\"0\" symbollevels=\"0\" "
                  "enableorderby=\"0\" referencescale=\"-1\">\n");
    pad(sb, indent + 2);
    util_sb_append(sb, "<ranges>\n");
    for (size_t i = 0; i < st->nclasses; i++) {
        const carto_style_class *c = &st->classes[i];
        pad(sb, indent + 4);
        util_sb_append(sb, "<range lower=\"");
        qgis_xml_number(sb, c->lower, 15);
        util_sb_append(sb, "\" upper=\"");
        qgis_xml_number(sb, c->upper, 15);
        util_sb_append(sb, "\" label=\"");
        qgis_xml_escape(sb, c->label);
        util_sb_printf(sb, "\" symbol=\"%zu\" render=\"true\"/>\n", i);
    }
    pad(sb, indent + 2);
    util_sb_append(sb, "</ranges>\n");
    pad(sb, indent + 2);
    util_sb_append(sb, "<symbols>\n");
    for (size_t i = 0; i < st->nclasses; i++) {
        unsigned char rgb[3] = {0, 0, 0};
        qgis_xml_color_parse(st->classes[i].color, rgb);
        class_symbol(sb, indent + 4, st, i, rgb);
    }
    pad(sb, indent + 2);
    util_sb_append(sb, "</symbols>\n");
    /* Manual breaks: QGIS keeps them as they are ("Custom" method). */
    pad(sb, indent + 2);
    util_sb_append(sb, "<classificationMethod id=\"Custom\">\n");
    pad(sb, indent + 4);
    util_sb_append(sb, "<symmetricMode enabled=\"0\" symmetrypoint=\"0\" astride=\"0\"/>\n");
    pad(sb, indent + 4);
    util_sb_append(sb, "<labelFormat format=\"%1 - %2\" labelprecision=\"4\" "
                  "trimtrailingzeroes=\"1\"/>\n");
    pad(sb, indent + 4);
    util_sb_append(sb, "<parameters>\n");
    pad(sb, indent + 6);
    util_sb_append(sb, "<Option/>\n");
    pad(sb, indent + 4);
    util_sb_append(sb, "</parameters>\n");
    pad(sb, indent + 4);
    util_sb_append(sb, "<extraInformation/>\n");
    pad(sb, indent + 2);
    util_sb_append(sb, "</classificationMethod>\n");
    pad(sb, indent + 2);
    util_sb_append(sb, "<rotation/>\n");
    pad(sb, indent + 2);
    util_sb_append(sb, "<sizescale/>\n");
    pad(sb, indent);
    util_sb_append(sb, "</renderer-v2>\n");
}

static void frames_xml(util_strbuf *sb, int indent)
{
    pad(sb, indent);
    util_sb_append(sb, "<renderer-v2 type=\"singleSymbol\" forceraster=\"0\" symbollevels=\"0\" "
                  "enableorderby=\"0\" referencescale=\"-1\">\n");
    pad(sb, indent + 2);
    util_sb_append(sb, "<symbols>\n");
    fill_symbol(sb, indent + 4, "0", NULL, "128,128,128,255", "0.3", 0);
    pad(sb, indent + 2);
    util_sb_append(sb, "</symbols>\n");
    pad(sb, indent + 2);
    util_sb_append(sb, "<rotation/>\n");
    pad(sb, indent + 2);
    util_sb_append(sb, "<sizescale/>\n");
    pad(sb, indent);
    util_sb_append(sb, "</renderer-v2>\n");
}

void qgis_xml_style(util_strbuf *sb, const carto_qgis_style *st, int indent)
{
    switch (st->kind) {
    case CARTO_QGIS_STYLE_CATEGORIZED:
        if (st->hollow)
            rule_based_xml(sb, indent, st);
        else
            categorized_xml(sb, indent, st);
        break;
    case CARTO_QGIS_STYLE_GRADUATED:
        graduated_xml(sb, indent, st);
        break;
    case CARTO_QGIS_STYLE_FRAMES:
        frames_xml(sb, indent);
        break;
    }
    if (qgis_xml_style_has_labels(st))
        labeling_xml(sb, indent, st);
}

/* ---- .qml files ---- */

static void aliases_xml(util_strbuf *sb, const carto_qgis_style *st)
{
    size_t n = 0;
    for (size_t i = 0; i < st->naliases; i++)
        n += st->alias_fields[i] && st->alias_names && st->alias_names[i];
    if (!n)
        return;
    util_sb_append(sb, "  <aliases>\n");
    for (size_t i = 0; i < st->naliases; i++) {
        if (!st->alias_fields[i] || !st->alias_names[i])
            continue;
        util_sb_printf(sb, "    <alias index=\"%zu\" field=\"", i);
        qgis_xml_escape(sb, st->alias_fields[i]);
        util_sb_append(sb, "\" name=\"");
        qgis_xml_escape(sb, st->alias_names[i]);
        util_sb_append(sb, "\"/>\n");
    }
    util_sb_append(sb, "  </aliases>\n");
}

ptce_status carto_qml_render(ptce_ctx *ctx, const carto_qgis_style *st, const char *what, util_strbuf *sb)
{
    ptce_status status = qgis_xml_style_check(ctx, st, what);
    if (status)
        return status;
    int has_aliases = st->naliases && st->alias_fields && st->alias_names;
    util_sb_append(sb, QGIS_XML_DOCTYPE);
    util_sb_printf(sb, "<qgis version=\"%s\" styleCategories=\"Symbology|Labeling%s\" "
                  "labelsEnabled=\"%d\" hasScaleBasedVisibilityFlag=\"0\" "
                  "minScale=\"100000000\" maxScale=\"0\">\n",
              QGIS_XML_VERSION, has_aliases ? "|Fields" : "", qgis_xml_style_has_labels(st));
    qgis_xml_style(sb, st, 2);
    if (has_aliases)
        aliases_xml(sb, st);
    util_sb_append(sb, "  <blendMode>0</blendMode>\n"
                  "  <featureBlendMode>0</featureBlendMode>\n"
                  "  <layerOpacity>1</layerOpacity>\n"
                  "</qgis>\n");
    return sb->failed ? ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante") : PTCE_OK;
}

static ptce_status write_qml(ptce_ctx *ctx, outdir *od, const char *name, const carto_qgis_style *st)
{
    if (!name || !*name)
        return ptce_fail(ctx, PTCE_ERR_USAGE, "style QGIS : nom de fichier vide.");
    char file[1024];
    int n = snprintf(file, sizeof file, "%s.qml", name);
    if (n < 0 || (size_t)n >= sizeof file)
        return ptce_fail(ctx, PTCE_ERR_USAGE, "%s.qml : nom trop long.", name);
    util_strbuf sb;
    util_sb_init(&sb);
    ptce_status status = carto_qml_render(ctx, st, file, &sb);
    if (!status)
        status = writers_write_bytes(ctx, od, file, sb.data, sb.len);
    util_sb_free(&sb);
    return status;
}

ptce_status carto_qml(ptce_ctx *ctx, outdir *od, const char *name, const carto_qgis_style *st)
{
    return write_qml(ctx, od, name, st);
}

ptce_status carto_qml_categorized(ptce_ctx *ctx, outdir *od, const char *name, const char *attr,
                                  const carto_style_category *cats, size_t ncats,
                                  const carto_style_hollow *hollow)
{
    carto_qgis_style st = {.kind = CARTO_QGIS_STYLE_CATEGORIZED, .attr = attr, .cats = cats, .ncats = ncats,
                     .hollow = hollow};
    return write_qml(ctx, od, name, &st);
}

ptce_status carto_qml_graduated(ptce_ctx *ctx, outdir *od, const char *name, const char *attr,
                                const carto_style_class *classes, size_t nclasses,
                                const char *label_attr)
{
    carto_qgis_style st = {.kind = CARTO_QGIS_STYLE_GRADUATED, .polygon = 1, .attr = attr,
                     .classes = classes, .nclasses = nclasses, .label_attr = label_attr};
    return write_qml(ctx, od, name, &st);
}

ptce_status carto_qml_frames(ptce_ctx *ctx, outdir *od, const char *name, const char *label_attr)
{
    carto_qgis_style st = {.kind = CARTO_QGIS_STYLE_FRAMES, .polygon = 1, .label_attr = label_attr};
    return write_qml(ctx, od, name, &st);
}
