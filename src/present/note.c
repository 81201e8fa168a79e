/*
 * present/note.c — see note.h. One case per remark code, and no default: the compiler
 * (-Wswitch) refuses a code without its sentence.
 */
#include "present/note.h"

#include "geocode/geocode.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A text slot, "" when unset. */
static const char *t(const geo_remark *m, int slot)
{
    return m->text[slot] ? m->text[slot] : "";
}

/* Appends at most `max` bytes of s, without cutting a character in two, marked "…" when
 * cut. */
static void cut(util_strbuf *sb, const char *s, size_t max)
{
    util_sb_append_excerpt(sb, s, max);
}

/* « text », the text cut at `max` bytes. */
static void quoted(util_strbuf *sb, const char *s, size_t max)
{
    util_sb_append(sb, "« ");
    cut(sb, s, max);
    util_sb_append(sb, " »");
}

static const char *nom(const commune *c)
{
    return c ? c->nom : "";
}

static const char *insee(const commune *c)
{
    return c ? c->insee : "";
}

static const char *dep_of(const commune *c)
{
    return c ? c->dep : "";
}

/* How much of a cell a sentence quotes. */
enum {
    QUOTE_CODE = 20,     /* a postal or INSEE code as written */
    QUOTE_DEP = 30,      /* a département as written */
    QUOTE_COORD = 40,    /* a coordinate as written */
    QUOTE_ADDRESS = 80,  /* an address */
    QUOTE_NAME = 200,    /* a commune name in a reason */
    CANDIDATES_SHOWN = 8,
    CANDIDATES_BYTES = 600
};

/* "Nom (INSEE, dép), …, … (N en tout)": at most CANDIDATES_SHOWN, in CANDIDATES_BYTES. */
static void candidates_text(util_strbuf *sb, const geo_result *r)
{
    char buf[CANDIDATES_BYTES] = "";
    size_t len = 0;
    for (size_t i = 0; i < r->ncandidates && i < CANDIDATES_SHOWN; i++) {
        const commune *m = r->candidates[i];
        int w = snprintf(buf + len, sizeof buf - len, "%s%s (%s, %s)", i ? ", " : "", m->nom,
                         m->insee, m->dep);
        if (w < 0 || (size_t)w >= sizeof buf - len) {
            buf[len] = '\0';
            break;
        }
        len += (size_t)w;
    }
    if ((r->ncandidates > CANDIDATES_SHOWN || r->candidates_overflow) && len + 24 < sizeof buf)
        snprintf(buf + len, sizeof buf - len, ", … (%s%zu en tout)",
                 r->candidates_overflow ? "plus de " : "", r->ncandidates);
    util_sb_printf(sb, "candidats : %s", buf);
}

/* "nom" or "commune de l'adresse": where the name a remark quotes was read. */
static const char *name_origin(const geo_remark *m)
{
    return m->field == GEO_FIELD_ADDRESS ? "commune de l'adresse" : "nom";
}

/* " bis", "" */
static void rep(util_strbuf *sb, const char *s)
{
    if (s[0])
        util_sb_printf(sb, " %s", s);
}

void note_render_remark(util_strbuf *sb, const geo_result *r, const geo_remark *m)
{
    const commune *c0 = m->commune[0], *c1 = m->commune[1];
    switch (m->code) {
    /* ---- coordinates ---- */
    case GEO_R_COORD_OFF_LAND:
        util_sb_printf(sb, "coordonnées (%.5f ; %.5f) hors du territoire, à %.1f km du contour de "
                      "la commune la plus proche%s%s%s (en mer ou à l'étranger) : ignorées",
                  m->num[0], m->num[1], m->num[2], c0 ? " (" : "", nom(c0), c0 ? ")" : "");
        break;
    case GEO_R_XY_CONVERTED:
        util_sb_append(sb, "coordonnées Lambert-93 converties en WGS 84");
        break;
    case GEO_R_XY_SWAPPED:
        util_sb_append(sb, "coordonnées Lambert-93 converties en WGS 84 (X et Y inversés)");
        break;
    case GEO_R_XY_OUT_OF_ZONE:
        util_sb_append(sb, "coordonnées X/Y hors de la zone Lambert-93 : ignorées");
        break;
    case GEO_R_XY_UNREADABLE:
        util_sb_append(sb, "coordonnées X/Y illisibles (");
        quoted(sb, t(m, 0), QUOTE_COORD);
        util_sb_append(sb, " ; ");
        quoted(sb, t(m, 1), QUOTE_COORD);
        util_sb_append(sb, ") : ignorées");
        break;
    case GEO_R_LATLON_INCOMPLETE:
        util_sb_append(sb, "coordonnée incomplète (latitude ou longitude manquante) : ignorée");
        break;
    case GEO_R_XY_INCOMPLETE:
        util_sb_append(sb, "coordonnée X ou Y manquante : ignorée");
        break;
    case GEO_R_LATLON_UNREADABLE:
        util_sb_append(sb, "coordonnées illisibles (");
        quoted(sb, t(m, 0), QUOTE_COORD);
        util_sb_append(sb, " ; ");
        quoted(sb, t(m, 1), QUOTE_COORD);
        util_sb_append(sb, ") : ignorées");
        break;
    case GEO_R_CODE_NUMBER:
        util_sb_printf(sb, "%s ", m->field == GEO_FIELD_INSEE ? "code INSEE" : "code postal");
        quoted(sb, t(m, 0), QUOTE_CODE);
        util_sb_printf(sb, " écrit comme un nombre de tableur : lu %s", t(m, 1));
        break;
    case GEO_R_DECIMAL_COMMA:
        util_sb_append(sb, "virgule décimale lue comme un point");
        break;
    case GEO_R_COORD_READ_AS: {
        unsigned how = (unsigned)m->num[1];
        int metres = m->field == GEO_FIELD_X || m->field == GEO_FIELD_Y;
        util_sb_printf(sb, "%s ", m->field == GEO_FIELD_LATITUDE    ? "latitude"
                                  : m->field == GEO_FIELD_LONGITUDE ? "longitude"
                                  : m->field == GEO_FIELD_X         ? "coordonnée X"
                                                                    : "coordonnée Y");
        quoted(sb, t(m, 0), QUOTE_COORD);
        util_sb_printf(sb, metres ? " lue %.2f" : " lue %.6f", m->num[0]);
        const char *sep = " (";
        if (how & GEOCODE_READ_DMS) {
            util_sb_printf(sb, "%sdegrés, minutes, secondes", sep);
            sep = ", ";
        }
        if (how & GEOCODE_READ_HEMISPHERE) {
            util_sb_printf(sb, "%slettre d'hémisphère", sep);
            sep = ", ";
        }
        if (how & GEOCODE_READ_SPACES) {
            util_sb_printf(sb, "%sespaces de séparation ignorées", sep);
            sep = ", ";
        }
        if (sep[0] == ',')
            util_sb_append(sb, ")");
        break;
    }
    case GEO_R_LATLON_IN_L93:
        util_sb_append(sb, "coordonnées en Lambert-93 (mètres) converties en WGS 84");
        break;
    case GEO_R_LATLON_SWAPPED:
        util_sb_append(sb, "latitude et longitude inversées : corrigées");
        break;
    case GEO_R_COORD_OUTSIDE:
        util_sb_printf(sb, "coordonnées (%.5f ; %.5f) hors des 18 régions : ignorées", m->num[0],
                  m->num[1]);
        break;
    case GEO_R_COORD_FAR:
        util_sb_printf(sb, "coordonnées du recensement à %.1f km du contour de %s (%s)%s%s%s%s%s : "
                      "point de la commune retenu, vérifiez-les", m->num[0], nom(c0),
                  dep_of(c0), c1 ? ", dans " : "", nom(c1), c1 ? " (" : "", insee(c1),
                  c1 ? ")" : "");
        break;
    case GEO_R_COORD_FAR_OTHER_DEP:
        util_sb_printf(sb, "coordonnées du recensement à %.1f km du contour de %s (%s), hors de son "
                      "département (dans %s, %s) : point de la commune retenu, vérifiez-les",
                  m->num[0], nom(c0), dep_of(c0), nom(c1), dep_of(c1));
        break;
    /* ---- postal code, département, address cells ---- */
    case GEO_R_POSTCODE_UNKNOWN:
        util_sb_printf(sb, "code postal %s inconnu", t(m, 0));
        break;
    case GEO_R_POSTCODE_FOREIGN:
        util_sb_append(sb, "code postal ");
        quoted(sb, t(m, 0), QUOTE_CODE);
        util_sb_printf(sb, " étranger (%s)", t(m, 1));
        break;
    case GEO_R_POSTCODE_UNREADABLE:
        util_sb_append(sb, "code postal ");
        quoted(sb, t(m, 0), QUOTE_CODE);
        util_sb_append(sb, " illisible : ignoré");
        break;
    case GEO_R_POSTCODE_ZERO:
        util_sb_printf(sb, "zéro initial du code postal rétabli (%s)", t(m, 0));
        break;
    case GEO_R_DEP_UNKNOWN:
        util_sb_append(sb, "département ");
        quoted(sb, t(m, 0), QUOTE_DEP);
        util_sb_append(sb, " inconnu : ignoré");
        break;
    case GEO_R_COMMUNE_FROM_ADDRESS:
        util_sb_append(sb, "commune lue dans l'adresse");
        break;
    case GEO_R_QUALIFIER_DEP_MISMATCH:
        util_sb_printf(sb, "« %s » écrit après la commune ne correspond pas au département %s "
                      "indiqué : département de la colonne retenu", t(m, 0),
                  m->dep ? m->dep->code : "");
        break;
    case GEO_R_QUALIFIER_POSTCODE:
        util_sb_printf(sb, "code postal %s lu dans la colonne commune%s", t(m, 0),
                  m->num[0] != 0 ? " (zéro initial rétabli)" : "");
        break;
    case GEO_R_QUALIFIER_POSTCODE_IGNORED:
        util_sb_printf(sb, "code postal %s de la colonne commune ignoré : celui de la colonne code "
                      "postal (%s) est retenu", t(m, 0), t(m, 1));
        break;
    case GEO_R_CEDEX:
        util_sb_append(sb, "code CEDEX : commune cherchée par son nom");
        break;
    /* ---- commune name ---- */
    case GEO_R_FOREIGN_PLACE:
        util_sb_printf(sb, "lieu à l'étranger (%s) : hors du champ de la carte", t(m, 0));
        break;
    case GEO_R_NOT_IN_AREA:
        quoted(sb, t(m, 0), QUOTE_NAME);
        util_sb_printf(sb, " n'est pas dans %s %s indiqué : vérifiez le nom ou la zone",
                  m->num[0] != 0 ? "le code postal" : "le département", t(m, 1));
        break;
    case GEO_R_NAME_NOT_FOUND:
        util_sb_printf(sb, "commune « %s » introuvable", t(m, 0));
        break;
    case GEO_R_NAME_NOT_FOUND_IN_AREA:
        util_sb_printf(sb, "commune « %s » introuvable dans la zone indiquée", t(m, 0));
        break;
    case GEO_R_NAME_NOT_FOUND_NO_AREA:
        util_sb_printf(sb, "commune « %s » introuvable ; précisez le code postal ou le département",
                  t(m, 0));
        break;
    case GEO_R_NAME_NOT_FOUND_OFF_LAND:
        util_sb_printf(sb, "commune « %s » introuvable et coordonnées hors du territoire", t(m, 0));
        break;
    case GEO_R_AMBIG_PREFIX:
        util_sb_append(sb, "plusieurs communes de la zone indiquée commencent par ce nom");
        break;
    case GEO_R_NEAR_NAME_OUTSIDE_POSTCODE:
        util_sb_printf(sb, "aucune commune du code postal %s ne s'appelle « %s », même à une "
                       "faute près ; nom proche ailleurs dans le département : ni l'un ni "
                       "l'autre n'est sûr", t(m, 1), t(m, 0));
        break;
    case GEO_R_AMBIG_FUZZY:
        util_sb_append(sb, "plusieurs communes de la zone indiquée ont un nom proche");
        break;
    case GEO_R_AMBIG_IN_AREA:
        util_sb_append(sb, "plusieurs communes de ce nom dans la zone indiquée");
        break;
    case GEO_R_AMBIG_NAME:
        util_sb_append(sb, "plusieurs communes portent ce nom ; ajoutez le code postal ou le "
                      "département");
        break;
    case GEO_R_CANDIDATES:
        candidates_text(sb, r);
        break;
    case GEO_R_FORMER_COMMUNE:
        if (m->former && m->former->kind == REFDATA_FORMER_NAME)
            util_sb_printf(sb, "« %s » : nom en 2018 de la commune %s, aujourd'hui %s",
                           m->former->nom, m->former->code, nom(c0));
        else
            util_sb_printf(sb, "ancienne commune %s (%s), aujourd'hui %s",
                           m->former ? m->former->nom : "", m->former ? m->former->code : "",
                           nom(c0));
        break;
    case GEO_R_NAME_CORRECTED:
        util_sb_printf(sb, "%s « %s » corrigé en « %s »", name_origin(m), t(m, 0), t(m, 1));
        break;
    case GEO_R_NAME_PREFIX:
        util_sb_printf(sb, "%s « %s » rapproché de « %s » (seule commune de la zone indiquée dont "
                      "le nom commence pareil)", name_origin(m), t(m, 0), nom(c0));
        break;
    case GEO_R_NAME_READ_AS:
        util_sb_printf(sb, "%s « %s » lu « %s »", name_origin(m), t(m, 0), nom(c0));
        break;
    case GEO_R_POSTCODE_MISMATCH_DEP:
        util_sb_printf(sb, "le code postal %s ne correspond pas à %s : commune retenue par le "
                      "département", t(m, 0), nom(c0));
        break;
    case GEO_R_DEP_DIFFERS:
        util_sb_printf(sb, "%s est dans le département %s, pas dans le %s indiqué", nom(c0),
                  dep_of(c0), m->dep ? m->dep->code : "");
        break;
    case GEO_R_ROUTING_NAME:
        util_sb_printf(sb, "« %s » est un nom d'acheminement postal (bureau distributeur), pas une "
                      "commune : %s retenue par la zone indiquée", t(m, 0), nom(c0));
        break;
    case GEO_R_NAME_ONLY:
        util_sb_append(sb, "nom seul, sans code postal ni département : seule commune de ce nom");
        break;
    /* ---- INSEE code ---- */
    case GEO_R_INSEE_UNREADABLE:
        util_sb_append(sb, "code INSEE ");
        quoted(sb, t(m, 0), QUOTE_CODE);
        util_sb_append(sb, " illisible : ignoré");
        break;
    case GEO_R_OUTSIDE_COLLECTIVITY:
        util_sb_printf(sb, "%s (%s) est dans une collectivité d'outre-mer (%s), hors des 18 "
                      "régions de la carte", t(m, 0), t(m, 1), t(m, 2));
        break;
    case GEO_R_INSEE_FORMER:
        if (m->former && m->former->nom[0])
            util_sb_printf(sb, "code INSEE %s de l'ancienne commune %s, aujourd'hui %s (%s)",
                      t(m, 0), m->former->nom, nom(c0), insee(c0));
        else
            util_sb_printf(sb, "code INSEE %s d'une ancienne commune (disparu lors d'une fusion), "
                          "aujourd'hui %s (%s)", t(m, 0), nom(c0), insee(c0));
        break;
    case GEO_R_INSEE_UNKNOWN:
        util_sb_printf(sb, "code INSEE %s inconnu : ignoré", t(m, 0));
        break;
    case GEO_R_INSEE_ZERO:
        util_sb_printf(sb, "zéro initial du code INSEE rétabli (%s)", t(m, 0));
        break;
    case GEO_R_INSEE_ARRONDISSEMENT:
        util_sb_printf(sb, "code INSEE de la ville gardé ; arrondissement indiqué : %s (%s)",
                  nom(c0), insee(c0));
        break;
    case GEO_R_ARRONDISSEMENT_UNDETERMINED:
        util_sb_printf(sb, "le code postal %s dessert %.0f arrondissements (%s%s%s%s) : "
                       "PTCE placé sur la ville, sans arrondissement", t(m, 0), m->num[0],
                       nom(c0), m->num[0] > 2 ? ", " : " et ", nom(c1), m->num[0] > 2 ? "…" : "");
        break;
    case GEO_R_INSEE_POSTCODE_MISMATCH:
        util_sb_printf(sb, "le code postal %s ne correspond pas à %s", t(m, 0), nom(c0));
        break;
    case GEO_R_INSEE_CONTRADICTS:
        util_sb_printf(sb, "le code INSEE %s (%s) contredit le nom et le code postal : %s retenu",
                  insee(c0), nom(c0), nom(c1));
        break;
    case GEO_R_AMBIG_INSEE_NAME:
        util_sb_append(sb, "le code INSEE et le nom de commune désignent des communes différentes");
        break;
    case GEO_R_INSEE_NAME_MISMATCH:
        util_sb_printf(sb, "le nom « %s » ne correspond pas à %s (%s) : code INSEE retenu", t(m, 0),
                  nom(c0), insee(c0));
        break;
    case GEO_R_INSEE_NAME_PART:
        if (m->text[1] && m->former)
            util_sb_printf(sb, "le nom « %s » est une partie de « %s », ancienne commune "
                           "(%s) devenue %s (%s) : code INSEE retenu", t(m, 0), t(m, 1),
                           m->former->code, nom(c0), insee(c0));
        else if (m->text[1])
            util_sb_printf(sb, "le nom « %s » est une partie du nom de %s (%s) : code INSEE "
                           "retenu", t(m, 0), nom(c0), insee(c0));
        else
            util_sb_printf(sb, "le nom « %s » est proche de %s (%s) : code INSEE retenu",
                           t(m, 0), nom(c0), insee(c0));
        break;
    /* ---- postal code alone, coordinates alone, département alone ---- */
    case GEO_R_POSTCODE_ONLY:
        util_sb_append(sb, "code postal seul : commune unique de ce code");
        break;
    case GEO_R_AMBIG_POSTCODE:
        util_sb_append(sb, "code postal commun à plusieurs communes ; ajoutez le nom");
        break;
    case GEO_R_COORD_NO_COMMUNE:
        util_sb_printf(sb, "coordonnées loin de toute commune (%.1f km du contour le plus proche) : "
                      "en mer ou à l'étranger ?", m->num[0]);
        break;
    case GEO_R_POINT_IN_COMMUNE:
        util_sb_append(sb, "commune déduite du point : celle dont le contour le contient");
        break;
    case GEO_R_POINT_PULLED_INSIDE:
        util_sb_printf(sb, "point ramené de %.0f m pour tomber dans le contour de %s", m->num[0],
                  nom(c0));
        break;
    case GEO_R_POINT_NEAR_COMMUNE:
        util_sb_printf(sb, "commune déduite du point : à %.0f m hors de tout contour communal (côte, "
                      "frontière), la plus proche est %s", m->num[0], nom(c0));
        break;
    case GEO_R_POINT_OUTSIDE_DEP:
        util_sb_printf(sb, "le point est hors du département %s indiqué (%s) : vérifiez",
                  m->dep ? m->dep->code : "", m->dep ? m->dep->nom : "");
        break;
    case GEO_R_COORD_OFF_LAND_ALONE:
        util_sb_append(sb, "coordonnées hors du territoire (en mer ou à l'étranger) et aucun lieu "
                      "français reconnu");
        break;
    case GEO_R_DEP_ONLY:
        util_sb_printf(sb, "seul le département est connu : point placé au chef-lieu (%s)", nom(c0));
        break;
    case GEO_R_POSTCODE_NO_NAME:
        util_sb_printf(sb, "code postal %s %s et aucune commune indiquée", t(m, 0),
                  m->num[0] != 0 ? "CEDEX" : "inconnu");
        break;
    case GEO_R_NOTHING_RECOGNISED:
        util_sb_append(sb, "aucun lieu reconnu");
        break;
    case GEO_R_NO_PLACE:
        util_sb_append(sb, "aucune information de lieu (commune, code postal, code INSEE, "
                      "coordonnées)");
        break;
    /* ---- BAN address points ---- */
    case GEO_R_BAN_MISSING:
        util_sb_append(sb, "adresse ");
        quoted(sb, t(m, 0), QUOTE_ADDRESS);
        util_sb_append(sb, " absente de la BAN : point de la commune");
        break;
    case GEO_R_BAN_FAR:
        util_sb_printf(sb, "la BAN place cette adresse à %.1f km des coordonnées du recensement",
                  m->num[0]);
        break;
    case GEO_R_BAN_OTHER_COMMUNE:
        util_sb_printf(sb, "adresse trouvée dans %s (%s)", nom(c0), insee(c0));
        break;
    case GEO_R_BAN_EXACT:
        util_sb_printf(sb, "adresse de la BAN : %.0f", m->num[0]);
        rep(sb, t(m, 0));
        util_sb_printf(sb, " %s", t(m, 2));
        break;
    case GEO_R_BAN_NUMBER_NEAR:
        util_sb_printf(sb, "numéro %.0f", m->num[0]);
        rep(sb, t(m, 0));
        util_sb_printf(sb, " absent de la BAN : numéro %.0f", m->num[1]);
        rep(sb, t(m, 1));
        util_sb_printf(sb, " de la même voie (%s)", t(m, 2));
        break;
    case GEO_R_BAN_STREET:
        util_sb_printf(sb, "voie sans numéro : point médian de la voie %s (BAN)", t(m, 2));
        break;
    case GEO_R_BAN_STREET_FUZZY:
        util_sb_printf(sb, "nom de voie rapproché de « %s »", t(m, 2));
        break;
    /* ---- analyst corrections ---- */
    case GEO_R_OVERRIDE:
        util_sb_printf(sb, "correction manuelle (overrides.csv, ligne %.0f)%s%s", m->num[0],
                  t(m, 0)[0] ? " : " : "", t(m, 0));
        break;
    case GEO_R_OVERRIDE_NO_COMMUNE:
        util_sb_printf(sb, "correction manuelle (overrides.csv, ligne %.0f)%s%s : aucune commune "
                      "près du point corrigé", m->num[0], t(m, 0)[0] ? " : " : "", t(m, 0));
        break;
    case GEO_R_OVERRIDE_FORMER_CODE:
        util_sb_printf(sb, "code %s de l'ancienne commune, aujourd'hui %s (%s)", t(m, 0), nom(c0),
                  insee(c0));
        break;
    case GEO_R_OVERRIDE_POINT_FAR:
        util_sb_printf(sb, "point corrigé à %.1f km du contour de %s", m->num[0], nom(c0));
        break;
    /* ---- the point ---- */
    case GEO_R_POINT_PARENT:
        util_sb_printf(sb, "point de %s, pas de l'arrondissement", t(m, 0));
        break;
    case GEO_R_POINT_RECREATED:
        util_sb_printf(sb, "point approché : %s, recréée depuis 2018, n'a pas de contour propre ; "
                      "point dans le contour 2018 de la commune %s", nom(c0),
                  c0 ? c0->contour : "");
        break;
    case GEO_REMARK_COUNT:
        break;
    }
}

void note_render(util_strbuf *sb, const geo_result *r)
{
    for (size_t i = 0; i < r->nremarks; i++) {
        if (i)
            util_sb_append(sb, " ; ");
        note_render_remark(sb, r, &r->remarks[i]);
    }
}

char *note_string(const geo_result *r)
{
    util_strbuf sb;
    util_sb_init(&sb);
    note_render(&sb, r);
    if (sb.failed) {
        util_sb_free(&sb);
        return NULL;
    }
    char *s = util_sb_take(&sb);
    return s ? s : util_strdup("");
}

const char *note_advice_text(geo_advice advice)
{
    switch (advice) {
    case GEO_ADVICE_FORMER:
        return "Remplacez par la commune actuelle (nom et code INSEE) : l'ancienne est encore "
               "reconnue, mais la mettre à jour évite les erreurs les années suivantes";
    case GEO_ADVICE_SPELLING:
        return "Vérifiez que c'est bien la bonne commune, puis corrigez l'orthographe dans le "
               "tableur";
    case GEO_ADVICE_CONSISTENCY:
        return "Vérifiez la commune, le code postal, le code INSEE et le département : ils "
               "doivent désigner le même endroit";
    case GEO_ADVICE_ADD_COMMUNE:
        return "Ajoutez la commune pour placer le PTCE plus précisément";
    case GEO_ADVICE_COORDINATES:
        return "Vérifiez les coordonnées : elles sont loin de la commune indiquée";
    case GEO_ADVICE_FIX_VALUE:
        return "Corrigez la valeur, ou effacez-la si elle n'a pas de sens";
    case GEO_ADVICE_SWAP:
        return "Échangez les deux colonnes dans le tableur";
    case GEO_ADVICE_WGS84:
        return "Corrigez les coordonnées (degrés décimaux WGS 84) ou effacez-les";
    case GEO_ADVICE_LAMBERT93:
        return "Les colonnes X/Y attendent du Lambert-93 en mètres (EPSG:2154) : corrigez-les "
               "ou effacez-les";
    case GEO_ADVICE_CHECK_ROW:
    case GEO_ADVICE_NONE:
        break;
    }
    return "Vérifiez cette ligne dans le tableur";
}
