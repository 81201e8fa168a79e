/*
 * present/aliases.c — see aliases.h.
 */
#include "present/aliases.h"

#include <stdio.h>
#include <string.h>

#include "present/layers.h"

static const struct {
    const char *name;
    const char *label;
} aliases[] = {
    {"id", "Identifiant"},
    {"nom", "Nom"},
    {"insee", "Code INSEE de la commune"},
    {"commune", "Commune"},
    {"code_post", "Code postal"},
    {"code_dep", "Code du département"},
    {"nom_dep", "Département"},
    {"code_reg", "Code de la région"},
    {"nom_reg", "Région"},
    {"code_epci", "SIREN de l'EPCI"},
    {"nom_epci", "EPCI"},
    {"type_epci", "Nature de l'EPCI (CC, CA, CU, métropole)"},
    {"secteur", "Secteur principal"},
    {"secteurs", "Secteurs (avec leurs scores)"},
    {"sect_score", "Score du secteur principal"},
    {"geo_type", "Type de localisation"},
    {"geo_score", "Score de localisation"},
    {"precision", "Précision de la localisation"},
    {"exactitude", "Exactitude de la position (lieu, commune, approche, département)"},
    {"membres", "Nombre de membres"},
    {"annee", "Année de création"},
    {"ligne", "Ligne du recensement"},
    {"longitude", "Longitude (WGS 84)"},
    {"latitude", "Latitude (WGS 84)"},
    {"note", "Remarque de localisation"},
    {"statut", "Statut"},
    {"motif", "Motif"},
    {"libelle", "Libellé"},
    {"groupe", "Groupe"},
    {"codes", "Codes des territoires du groupe"},
    {"nb_ptce", "Nombre de PTCE"},
    {"population", "Population"},
    {"ptce_100k", "PTCE pour 100 000 habitants"},
    {"part_nat", "Part du total national (%)"},
    {"nb_prec", "Nombre de PTCE au recensement précédent"},
    {"evol", "Évolution depuis le recensement précédent"},
    {"deplace", "Déplacé pour la mise en page (1 = oui)"},
    {"echelle", "Échelle de l'encart (× Lambert-93)"},
};

const char *aliases_field_label(const taxonomy *t, const char *name, char *buf, size_t size)
{
    for (size_t i = 0; i < sizeof aliases / sizeof *aliases; i++)
        if (strcmp(aliases[i].name, name) == 0)
            return aliases[i].label;
    if (t && strncmp(name, "n_", 2) == 0)
        for (size_t s = 0; s < sectors_count(t); s++) {
            char field[16];
            layers_sector_field(t, s, field);
            if (strcmp(field, name) == 0) {
                snprintf(buf, size, "PTCE : %s", sectors_label(t, s));
                return buf;
            }
        }
    return NULL;
}

void aliases_layer_labels(const taxonomy *t, const layer *l, const char **out, char (*store)[128])
{
    for (size_t f = 0; f < l->nfields; f++)
        out[f] = aliases_field_label(t, l->fields[f].name, store[f], sizeof store[f]);
}
