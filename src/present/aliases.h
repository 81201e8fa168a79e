/*
 * present/aliases.h — the French name of every output field, as a reader of the tables
 * sees it: GeoPackage field aliases (gpkg_data_columns), the QGIS styles' aliases, the
 * spreadsheet's column headings.
 *
 * Owns: the one table from field names to French labels. The per-sector counts
 * (n_<short name>) take their sector's label from the taxonomy. Does not write anything.
 */
#ifndef PTCE_PRESENT_ALIASES_H
#define PTCE_PRESENT_ALIASES_H

#include <stddef.h>

#include "model/sectors.h"
#include "write/layer.h"

/* The French label of field `name`, or NULL when the field has none (a census column of
 * the rejects keeps its own heading). May write into buf (size bytes) and return it. */
const char *aliases_field_label(const taxonomy *t, const char *name, char *buf, size_t size);

/* Labels of every field of `l`, into an array of l->nfields strings (NULL where there is
 * none) held in `store` (l->nfields × 128 bytes). */
void aliases_layer_labels(const taxonomy *t, const layer *l, const char **out, char (*store)[128]);

#endif
