/*
 * census/census.c — see census.h.
 *
 * The bytes become a table in core/csvfile.c (encoding, separator, quoting with libcsv,
 * line numbers), the reader every CSV input shares; what is the census's own is here:
 * header synonyms, --columns, the warnings as records, and the messages that speak of a
 * census.
 */
#include "census/census.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/csvfile.h"
#include "core/ctx.h"
#include "core/util.h"
#include "text/fold.h"

/* Header names as analysts type them, already folded (lower case, no accents, one space
 * between words). A header matches a role when it equals one of these, or, failing any
 * exact match, when it starts with one of them followed by a space. */
static const char *const synonyms[CENSUS_ROLE_COUNT][16] = {
    [CENSUS_ROLE_ID] = {"id", "identifiant", "n", "no", "num", "numero", "n ptce", "id ptce",
                 "identifiant ptce", "code ptce", "ref", "reference", NULL},
    [CENSUS_ROLE_NOM] = {"nom", "nom du ptce", "nom ptce", "nom du pole", "denomination", "raison sociale",
                  "intitule", "ptce", "libelle", "nom de la structure", NULL},
    [CENSUS_ROLE_ADRESSE] = {"adresse", "adresse postale", "adresse complete", "adresse du siege",
                      "siege", "rue", "voie", "adresse siege", NULL},
    [CENSUS_ROLE_CODE_POSTAL] = {"cp", "code postal", "codepostal", "code postale", "postal code",
                          "postcode", "zip", "cp siege", NULL},
    [CENSUS_ROLE_COMMUNE] = {"commune", "ville", "localite", "commune du siege", "ville du siege",
                      "nom commune", "nom de la commune", "city", "commune siege", NULL},
    [CENSUS_ROLE_INSEE] = {"code insee", "insee", "code commune", "code commune insee", "cog",
                    "citycode", "insee commune", "code insee commune", NULL},
    [CENSUS_ROLE_DEPARTEMENT] = {"departement", "dept", "dep", "code departement", "num departement",
                          "n departement", "departements", "dpt", NULL},
    [CENSUS_ROLE_LATITUDE] = {"latitude", "lat", "y wgs84", "y wgs 84", NULL},
    [CENSUS_ROLE_LONGITUDE] = {"longitude", "lon", "lng", "long", "x wgs84", "x wgs 84", NULL},
    [CENSUS_ROLE_X] = {"x", "x lambert 93", "x l93", "x lambert93", "coord x", "lambert x", NULL},
    [CENSUS_ROLE_Y] = {"y", "y lambert 93", "y l93", "y lambert93", "coord y", "lambert y", NULL},
    [CENSUS_ROLE_THEME] = {"thematique declaree", "theme declare", "thematique principale",
                    "thematique", "thematiques", "theme", "themes", "secteur declare",
                    "secteur", "domaine", "filiere", "secteur d activite", NULL},
    [CENSUS_ROLE_DESCRIPTION] = {"description", "descriptif", "presentation", "activites", "activite",
                          "objet", "projet", "resume", "description du projet", NULL},
    [CENSUS_ROLE_MEMBRES] = {"nombre de membres", "nb membres", "nb de membres", "membres",
                      "nombre d acteurs", "nb acteurs", "acteurs", "nombre de structures",
                      "nombre de structures membres", NULL},
    [CENSUS_ROLE_ANNEE] = {"annee ami", "ami", "annee", "annee de l ami", "annee laureat", "millesime",
                    NULL},
};

/* ---- warnings ------------------------------------------------------------------------ */

void census_warning_text(const census *c, const census_warning *w, util_strbuf *sb)
{
    switch (w->kind) {
    case CENSUS_WIDE_ROW:
        util_sb_printf(sb, "%zu cellules pour %zu colonnes d'en-tête ; les cellules en trop sont "
                      "ignorées. Vérifiez un séparateur dans une cellule non entourée de "
                      "guillemets.", w->n[0], w->n[1]);
        break;
    case CENSUS_DUPLICATE_COLUMN:
        util_sb_printf(sb, "les colonnes %zu et %zu portent le même nom « %s » ; seule la première "
                      "est lue.", w->n[0], w->n[1],
                  w->n[0] >= 1 && w->n[0] <= c->ncols ? c->header[w->n[0] - 1] : "");
        break;
    case CENSUS_ROLE_TWO_COLUMNS: {
        const char *role = "";
        for (int r = 0; r < CENSUS_ROLE_COUNT; r++)
            if (c->role_col[r] == (int)w->n[0] - 1)
                role = census_role_name((census_role)r);
        util_sb_printf(sb, "les colonnes %zu « %s » et %zu « %s » désignent toutes deux le rôle « %s » ; "
                       "seule la colonne %zu est lue. Si c'est l'autre qu'il faut lire, "
                       "indiquez-la avec --columns %s=NOM.", w->n[0],
                       w->n[0] >= 1 && w->n[0] <= c->ncols ? c->header[w->n[0] - 1] : "",
                       w->n[1], w->n[1] >= 1 && w->n[1] <= c->ncols ? c->header[w->n[1] - 1] : "",
                       role, w->n[0], role);
        break;
    }
    case CENSUS_MORE_DUPLICATES:
        util_sb_printf(sb, "%zu autres colonnes répètent le nom d'une colonne précédente.", w->n[0]);
        break;
    case CENSUS_ROLE_GIVEN_AWAY: {
        const char *now = "", *lost = census_role_name((census_role)w->n[1]);
        for (int r = 0; r < CENSUS_ROLE_COUNT; r++)
            if (c->role_col[r] == (int)w->n[0] - 1)
                now = census_role_name((census_role)r);
        util_sb_printf(sb, "la colonne %zu « %s » était lue comme « %s » d'après son nom ; "
                       "--columns lui donne le rôle « %s », et le rôle « %s » n'a plus de "
                       "colonne. Si ce n'est pas voulu, corrigez --columns, ou indiquez la "
                       "colonne du rôle avec --columns %s=NOM.", w->n[0],
                       w->n[0] >= 1 && w->n[0] <= c->ncols ? c->header[w->n[0] - 1] : "", lost,
                       now, lost, lost);
        break;
    }
    case CENSUS_HEADER_BELOW:
        util_sb_printf(sb, "la ligne %zu est prise comme ligne d'en-tête (la première dont les "
                       "cellules sont des noms de colonnes connus) ; ", w->n[0]);
        if (w->n[1] > 1)
            util_sb_printf(sb, "les %zu lignes non vides au-dessus (titre, notes) ne sont pas "
                           "lues.", w->n[1]);
        else
            util_sb_append(sb, "la ligne non vide au-dessus (un titre ?) n'est pas lue.");
        util_sb_append(sb, " Les numéros de ligne des messages restent ceux du fichier.");
        break;
    case CENSUS_MIXED_ENCODING:
        util_sb_printf(sb, "caractère %zu : %zu octet(s) qui ne sont pas de l'UTF-8 dans un fichier "
                      "en UTF-8, lu(s) comme du Windows-1252 (texte collé d'un autre fichier ?). "
                      "Vérifiez les accents de cette ligne, puis réenregistrez le fichier en "
                      "« CSV UTF-8 ».", w->n[0], w->n[1]);
        break;
    }
}

/* Records a warning and prints it ("NAME, ligne N : …") unless the context is quiet.
 * Returns false without memory. */
static bool warn(ptce_ctx *ctx, census *c, const char *name, census_warning w)
{
    if (c->nwarns == c->capwarns) {
        size_t cap = c->capwarns ? c->capwarns * 2 : 8;
        census_warning *grown = realloc(c->warns, cap * sizeof *grown);
        if (!grown)
            return false;
        c->warns = grown;
        c->capwarns = cap;
    }
    c->warns[c->nwarns++] = w;
    util_strbuf sb;
    util_sb_init(&sb);
    census_warning_text(c, &w, &sb);
    if (sb.failed) {
        util_sb_free(&sb);
        return false;
    }
    ptce_warn(ctx, "%s, ligne %zu : %s", name, w.line, sb.data ? sb.data : "");
    util_sb_free(&sb);
    return true;
}

/* ---- header roles -------------------------------------------------------------------- */

static int find_role_by_name(const char *name)
{
    for (int r = 0; r < CENSUS_ROLE_COUNT; r++)
        if (strcmp(name, census_role_name(r)) == 0)
            return r;
    return -1;
}

ptce_status census_check_columns(ptce_ctx *ctx, const char *columns)
{
    if (!columns || !*columns)
        return PTCE_OK;
    char *copy = util_strdup(columns);
    char *seen[CENSUS_ROLE_COUNT] = {0}; /* folded column named for each role */
    if (!copy)
        return ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
    ptce_status status = PTCE_OK;
    char *save = NULL;
    for (char *pair = strtok_r(copy, ",", &save); pair && !status;
         pair = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(pair, '=');
        if (!eq) {
            status = ptce_fail(ctx, PTCE_ERR_USAGE,
                               "--columns : « %s » n'a pas la forme rôle=Nom de colonne", pair);
            break;
        }
        *eq = '\0';
        int role = find_role_by_name(util_trim(pair));
        if (role < 0) {
            status = ptce_fail(ctx, PTCE_ERR_USAGE,
                               "--columns : rôle « %s » inconnu ; rôles possibles : id, nom, "
                               "adresse, code_postal, commune, insee, departement, latitude, "
                               "longitude, x, y, theme, description, membres, annee", pair);
            break;
        }
        char *want = text_fold(util_trim(eq + 1));
        if (!want) {
            status = ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
            break;
        }
        if (seen[role]) {
            status = ptce_fail(ctx, PTCE_ERR_USAGE,
                               "--columns : le rôle %s est donné deux fois ; une seule colonne "
                               "par rôle", census_role_name(role));
        }
        for (int r = 0; r < CENSUS_ROLE_COUNT && !status; r++)
            if (seen[r] && strcmp(seen[r], want) == 0)
                status = ptce_fail(ctx, PTCE_ERR_USAGE,
                                   "--columns : la colonne « %s » est donnée pour deux rôles "
                                   "(%s et %s) ; une colonne n'a qu'un rôle : donnez-en une "
                                   "autre à l'un des deux", eq + 1, census_role_name(r),
                                   census_role_name(role));
        if (status)
            free(want);
        else
            seen[role] = want;
    }
    for (int r = 0; r < CENSUS_ROLE_COUNT; r++)
        free(seen[r]);
    free(copy);
    return status;
}

static ptce_status apply_columns_option(ptce_ctx *ctx, census *c, char **folded,
                                        const char *columns)
{
    /* "role=Header,role=Header": the header is compared folded, so case and accents do
     * not matter. The syntax, the roles and one column per role are checked first. */
    ptce_status status = census_check_columns(ctx, columns);
    if (status)
        return status;
    char *copy = util_strdup(columns);
    if (!copy)
        return ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
    int lost_col[CENSUS_ROLE_COUNT]; /* the column a role had by its name and lost */
    for (int r = 0; r < CENSUS_ROLE_COUNT; r++)
        lost_col[r] = -1;
    char *save = NULL;
    for (char *pair = strtok_r(copy, ",", &save); pair; pair = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(pair, '=');
        *eq = '\0';
        int role = find_role_by_name(util_trim(pair));
        char *want = text_fold(util_trim(eq + 1));
        int found = -1;
        for (size_t i = 0; want && i < c->ncols; i++)
            if (strcmp(folded[i], want) == 0) {
                found = (int)i;
                break;
            }
        if (!want) {
            status = ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
            break;
        }
        if (found < 0) {
            status = ptce_fail(ctx, PTCE_ERR_USAGE,
                               "--columns : la colonne « %s » n'existe pas dans l'en-tête de %s",
                               eq + 1, c->path);
            free(want);
            break;
        }
        free(want);
        /* A column the header's names gave to another role now has the role asked for;
         * the other role, unless --columns gives it a column too, is told to have none. */
        for (int r = 0; r < CENSUS_ROLE_COUNT; r++)
            if (c->role_col[r] == found && r != role) {
                c->role_col[r] = -1;
                lost_col[r] = found;
            }
        c->role_col[role] = found;
        lost_col[role] = -1;
    }
    free(copy);
    for (int r = 0; r < CENSUS_ROLE_COUNT && !status; r++)
        if (lost_col[r] >= 0 && c->role_col[r] < 0 &&
            !warn(ctx, c, c->path, (census_warning){CENSUS_ROLE_GIVEN_AWAY, 1,
                                                   {(size_t)lost_col[r] + 1, (size_t)r}}))
            status = ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
    return status;
}

static bool column_taken(const census *c, size_t col)
{
    for (int r = 0; r < CENSUS_ROLE_COUNT; r++)
        if (c->role_col[r] == (int)col)
            return true;
    return false;
}

/* Words that make a header about something else than its first words say: "Nom du
 * contact", "Numéro de téléphone", "Adresse e-mail", "Année de création" must not be read
 * as the PTCE's name, id, address or AMI year by the prefix pass below. */
static bool names_other_value(const char *folded)
{
    static const char *const words[] = {
        "contact", "referent", "referente", "responsable", "president", "presidente",
        "directeur", "directrice", "correspondant", "telephone", "tel", "portable", "mobile",
        "fax", "mail", "email", "courriel", "web", "site", "url", "internet", "siret", "siren",
        "rna", "creation", "naissance", "fin", NULL};
    const char *p = folded;
    while (*p) {
        size_t n = strcspn(p, " ");
        for (const char *const *w = words; *w; w++)
            if (strlen(*w) == n && strncmp(p, *w, n) == 0)
                return true;
        p += n;
        while (*p == ' ')
            p++;
    }
    return false;
}

/* Columns with the same (folded) name: each repeat is reported once against the first
 * column of that name. Sorting keeps this O(n log n): a header of 50,000 identical cells
 * must not take quadratic time nor print a billion lines. */
typedef struct header_name {
    const char *folded;
    size_t col;
} header_name;

static int cmp_header_name(const void *pa, const void *pb)
{
    const header_name *a = pa, *b = pb;
    int c = strcmp(a->folded, b->folded);
    if (c)
        return c;
    return a->col < b->col ? -1 : a->col > b->col;
}

#define MAX_DUPLICATE_WARNINGS 10

/* Returns false without memory. */
static bool warn_duplicate_headers(ptce_ctx *ctx, census *c, char **folded)
{
    if (c->ncols < 2)
        return true;
    header_name *names = malloc(c->ncols * sizeof *names);
    if (!names)
        return false;
    bool ok = true;
    for (size_t i = 0; i < c->ncols; i++)
        names[i] = (header_name){folded[i], i};
    qsort(names, c->ncols, sizeof *names, cmp_header_name);
    size_t shown = 0, more = 0;
    for (size_t k = 1, first = 0; k < c->ncols; k++) {
        if (strcmp(names[k].folded, names[first].folded) != 0) {
            first = k;
            continue;
        }
        if (!names[first].folded[0])
            continue;
        if (shown++ < MAX_DUPLICATE_WARNINGS)
            ok &= warn(ctx, c, c->path, (census_warning){CENSUS_DUPLICATE_COLUMN, 1,
                                                         {names[first].col + 1,
                                                          names[k].col + 1}});
        else
            more++;
    }
    if (more)
        ok &= warn(ctx, c, c->path, (census_warning){CENSUS_MORE_DUPLICATES, 1, {more, 0}});
    free(names);
    return ok;
}

/* Returns false without memory. */
static bool assign_roles(ptce_ctx *ctx, census *c, char **folded)
{
    for (int r = 0; r < CENSUS_ROLE_COUNT; r++)
        c->role_col[r] = -1;
    /* Pass 1: exact names. Each role takes the column whose name comes first in its list
     * of synonyms, wherever the column stands: "Thématique déclarée" is the theme even
     * after a "Secteur d'activité" column, "Commune" the commune even after "Ville". The
     * other column of the same role is said (below) unless another role takes it. */
    int second[CENSUS_ROLE_COUNT];
    for (int r = 0; r < CENSUS_ROLE_COUNT; r++) {
        int best = -1, best_rank = 0;
        second[r] = -1;
        for (size_t col = 0; col < c->ncols; col++) {
            if (column_taken(c, col) || !folded[col][0])
                continue;
            for (int i = 0; synonyms[r][i]; i++) {
                if (strcmp(folded[col], synonyms[r][i]) != 0)
                    continue;
                if (best < 0 || i < best_rank) {
                    if (best >= 0 && second[r] < 0)
                        second[r] = best;
                    best = (int)col;
                    best_rank = i;
                } else if (second[r] < 0) {
                    second[r] = (int)col;
                }
                break;
            }
        }
        c->role_col[r] = best;
    }
    /* Pass 2: a synonym followed by more words ("Latitude (WGS84)"). */
    for (int pass = 1; pass < 2; pass++) {
        for (size_t col = 0; col < c->ncols; col++) {
            if (column_taken(c, col) || !folded[col][0] ||
                (pass == 1 && names_other_value(folded[col])))
                continue;
            for (int r = 0; r < CENSUS_ROLE_COUNT; r++) {
                if (c->role_col[r] >= 0)
                    continue;
                bool hit = false;
                for (const char *const *s = synonyms[r]; *s && !hit; s++) {
                    size_t n = strlen(*s);
                    if (pass == 0)
                        hit = strcmp(folded[col], *s) == 0;
                    else
                        hit = n >= 3 && strncmp(folded[col], *s, n) == 0 && folded[col][n] == ' ';
                }
                if (hit) {
                    c->role_col[r] = (int)col;
                    break;
                }
            }
        }
    }
    for (int r = 0; r < CENSUS_ROLE_COUNT; r++)
        if (second[r] >= 0 && !column_taken(c, (size_t)second[r]) &&
            strcmp(folded[second[r]], folded[c->role_col[r]]) != 0 &&
            !warn(ctx, c, c->path, (census_warning){CENSUS_ROLE_TWO_COLUMNS, 1,
                                                   {(size_t)c->role_col[r] + 1,
                                                    (size_t)second[r] + 1}}))
            return false;
    return warn_duplicate_headers(ctx, c, folded);
}

/* ---- where the header is ------------------------------------------------------------- */

/* How many cells of a row are known column names (a synonym, or a synonym followed by
 * more words: "Latitude (WGS84)"). Names of one or two letters ("x", "y", "n", "cp") do not
 * count: a data row may hold such values. */
static size_t known_headers(const csvfile_table *t, const csvfile_row *row, size_t ncells)
{
    size_t known = 0;
    char key[256];
    for (size_t col = 0; col < ncells; col++) {
        text_fold_into(csvfile_table_cell(t, row, col), key, sizeof key);
        if (strlen(key) < 3)
            continue;
        bool hit = false;
        for (int r = 0; r < CENSUS_ROLE_COUNT && !hit; r++)
            for (const char *const *syn = synonyms[r]; *syn && !hit; syn++) {
                size_t n = strlen(*syn);
                hit = strcmp(key, *syn) == 0 ||
                      (n >= 3 && strncmp(key, *syn, n) == 0 && key[n] == ' ' &&
                       !names_other_value(key));
            }
        known += hit;
    }
    return known;
}

/* The byte where physical line `line` (from 1) starts: after line-1 line ends (LF, CRLF
 * or a lone CR, as csvfile counts them). */
static size_t line_offset(const char *bytes, size_t len, size_t line)
{
    size_t at = 0;
    for (size_t l = 1; l < line && at < len; at++)
        if (bytes[at] == '\n' || (bytes[at] == '\r' && (at + 1 >= len || bytes[at + 1] != '\n')))
            l++;
    return at;
}

/* Spreadsheet exports sometimes put a title, a date or a note above the header row. When
 * the first row names fewer than two known columns, the first of the next lines that
 * names two or more (and more than the first row) is the header: *header_line is set to
 * its physical line, else left 0. Each candidate line is read alone (one line, a table of
 * its own), so a long census is not read again for each. */
#define HEADER_SEARCH_LINES 10

static ptce_status find_header_below(ptce_ctx *ctx, const char *name, const char *bytes,
                                     size_t len, const csvfile_table *t, size_t *header_line)
{
    *header_line = 0;
    size_t first = known_headers(t, NULL, t->ncols);
    if (first >= 2)
        return PTCE_OK;
    for (size_t line = t->header_line + 1; line <= t->header_line + HEADER_SEARCH_LINES;
         line++) {
        size_t from = line_offset(bytes, len, line), to = line_offset(bytes, len, line + 1);
        if (from >= len)
            break;
        csvfile_table one;
        /* A line that does not read alone (a quote opened there) is no header. */
        if (csvfile_table_parse(ctx, name, bytes + from, to - from, NULL, &one) != PTCE_OK)
            continue;
        size_t known = one.empty ? 0 : known_headers(&one, NULL, one.ncols);
        csvfile_table_free(&one);
        if (known >= 2 && known > first) {
            *header_line = line;
            return PTCE_OK;
        }
    }
    return PTCE_OK;
}

/* ---- entry points -------------------------------------------------------------------- */

ptce_status census_parse(ptce_ctx *ctx, const char *name, const char *bytes, size_t len,
                         const census_options *opts, census *out)
{
    memset(out, 0, sizeof *out);
    out->path = util_strdup(name);
    if (!out->path)
        return ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");

    csvfile_table t;
    ptce_status status = csvfile_table_parse(ctx, name, bytes, len, NULL, &t);
    if (status)
        return status;
    if (t.empty) {
        csvfile_table_free(&t);
        return ptce_fail(ctx, PTCE_ERR_INPUT,
                         "%s : fichier vide. Il faut au moins une ligne d'en-tête et une ligne "
                         "par PTCE.", name);
    }
    /* A title above the header: the file is read again from the header's line (with the
     * BOM, if any, so that the encoding is decided the same way), and every line number
     * is moved back to the file's own. */
    size_t header_line = 0;
    status = find_header_below(ctx, name, bytes, len, &t, &header_line);
    if (status) {
        csvfile_table_free(&t);
        return status;
    }
    size_t skipped = 0;
    if (header_line) {
        for (size_t i = 0; i < t.nrows && t.rows[i].line < header_line; i++)
            skipped++;
        skipped++; /* the first row, taken as a header at first */
        size_t from = line_offset(bytes, len, header_line);
        size_t bom = len >= 3 && memcmp(bytes, UTIL_UTF8_BOM, 3) == 0 ? 3 : 0;
        char *rest = malloc(bom + (len - from) + 1);
        if (!rest) {
            csvfile_table_free(&t);
            return ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
        }
        memcpy(rest, bytes, bom);
        memcpy(rest + bom, bytes + from, len - from);
        csvfile_table_free(&t);
        status = csvfile_table_parse(ctx, name, rest, bom + (len - from), NULL, &t);
        free(rest);
        if (status)
            return status;
        size_t shift = header_line - 1;
        t.header_line += shift;
        for (size_t i = 0; i < t.nrows; i++)
            t.rows[i].line += shift;
        for (size_t i = 0; i < t.nmixed; i++)
            t.mixed[i].line += shift;
        if (!warn(ctx, out, name, (census_warning){CENSUS_HEADER_BELOW, t.header_line,
                                                   {t.header_line, skipped}})) {
            csvfile_table_free(&t);
            return ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
        }
    }
    snprintf(out->encoding, sizeof out->encoding, "%s", t.encoding);
    out->separator = t.separator;
    out->ncols = t.ncols;
    out->empty_lines = t.blank_rows;
    out->text = t.text;
    out->cell_offsets = t.cell_offsets;
    out->records = malloc((t.nrows ? t.nrows : 1) * sizeof *out->records);
    if (!out->records) {
        free(t.rows);
        free(t.mixed);
        return ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
    }
    for (size_t i = 0; i < t.nrows && !status; i++) {
        out->records[i] = (census_record){t.rows[i].line, t.rows[i].first_cell};
        if (t.rows[i].extra) {
            out->warnings++;
            census_warning w = {CENSUS_WIDE_ROW, t.rows[i].line,
                                {t.ncols + t.rows[i].extra, t.ncols}};
            if (!warn(ctx, out, name, w))
                status = ptce_fail(ctx, PTCE_ERR_MEMORY, "%s : mémoire insuffisante pour lire le "
                                                         "fichier", name);
        }
    }
    for (size_t i = 0; i < t.nmixed && !status; i++) {
        census_warning w = {CENSUS_MIXED_ENCODING, t.mixed[i].line,
                            {t.mixed[i].column, t.mixed[i].bytes}};
        if (!warn(ctx, out, name, w))
            status = ptce_fail(ctx, PTCE_ERR_MEMORY, "%s : mémoire insuffisante pour lire le "
                                                     "fichier", name);
    }
    free(t.mixed);
    out->nrecords = t.nrows;
    free(t.rows);
    if (status)
        return status;

    out->header = calloc(out->ncols ? out->ncols : 1, sizeof *out->header);
    char **folded = calloc(out->ncols ? out->ncols : 1, sizeof *folded);
    if (!out->header || !folded) {
        free(folded);
        return ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
    }
    for (size_t i = 0; i < out->ncols; i++) {
        out->header[i] = out->text + out->cell_offsets[i]; /* header cells come first */
        folded[i] = text_fold(out->header[i]);
        if (!folded[i]) {
            status = ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
            break;
        }
    }
    if (status == PTCE_OK) {
        if (!assign_roles(ctx, out, folded))
            status = ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
        else if (opts && opts->columns && *opts->columns)
            status = apply_columns_option(ctx, out, folded, opts->columns);
    }
    for (size_t i = 0; i < out->ncols; i++)
        free(folded[i]);
    free(folded);
    return status;
}

ptce_status census_read(ptce_ctx *ctx, const char *path, const census_options *opts,
                        census *out)
{
    memset(out, 0, sizeof *out);
    size_t len = 0;
    char *bytes = util_read_file(path, &len);
    if (!bytes) {
        if (errno == EISDIR)
            return ptce_fail(ctx, PTCE_ERR_INPUT,
                             "%s : c'est un dossier ; indiquez le fichier CSV du recensement.",
                             path);
        return ptce_fail_read(ctx, PTCE_ERR_INPUT, path, errno);
    }
    ptce_status status = census_parse(ctx, path, bytes, len, opts, out);
    free(bytes);
    /* A failed parse may have filled part of `out`: free it here, so that no caller leaks
     * it (census_free on the zeroed struct afterwards stays harmless). */
    if (status != PTCE_OK)
        census_free(out);
    return status;
}
