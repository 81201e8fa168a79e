/*
 * census/census.c — see census.h.
 *
 * Why libcsv: it is a small, maintained Debian library that handles quoting, doubled
 * quotes, separators and newlines inside quotes exactly like spreadsheet exports do. What
 * it does not do (encoding, separator detection, line numbers, header synonyms) is here.
 */
#include "census/census.h"

#include <csv.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/ctx.h"
#include "core/util.h"
#include "text/fold.h"

/* Header names as analysts type them, already folded (lower case, no accents, one space
 * between words). A header matches a role when it equals one of these, or, failing any
 * exact match, when it starts with one of them followed by a space. */
static const char *const synonyms[ROLE_COUNT][16] = {
    [ROLE_ID] = {"id", "identifiant", "n", "no", "num", "numero", "n ptce", "id ptce",
                 "identifiant ptce", "code ptce", "ref", "reference", NULL},
    [ROLE_NOM] = {"nom", "nom du ptce", "nom ptce", "nom du pole", "denomination", "raison sociale",
                  "intitule", "ptce", "libelle", "nom de la structure", NULL},
    [ROLE_ADRESSE] = {"adresse", "adresse postale", "adresse complete", "adresse du siege",
                      "siege", "rue", "voie", "adresse siege", NULL},
    [ROLE_CODE_POSTAL] = {"cp", "code postal", "codepostal", "code postale", "postal code",
                          "postcode", "zip", "cp siege", NULL},
    [ROLE_COMMUNE] = {"commune", "ville", "localite", "commune du siege", "ville du siege",
                      "nom commune", "nom de la commune", "city", "commune siege", NULL},
    [ROLE_INSEE] = {"code insee", "insee", "code commune", "code commune insee", "cog",
                    "citycode", "insee commune", "code insee commune", NULL},
    [ROLE_DEPARTEMENT] = {"departement", "dept", "dep", "code departement", "num departement",
                          "n departement", "departements", "dpt", NULL},
    [ROLE_LATITUDE] = {"latitude", "lat", "y wgs84", "y wgs 84", NULL},
    [ROLE_LONGITUDE] = {"longitude", "lon", "lng", "long", "x wgs84", "x wgs 84", NULL},
    [ROLE_X] = {"x", "x lambert 93", "x l93", "x lambert93", "coord x", "lambert x", NULL},
    [ROLE_Y] = {"y", "y lambert 93", "y l93", "y lambert93", "coord y", "lambert y", NULL},
    [ROLE_THEME] = {"thematique declaree", "thematique", "thematiques", "theme", "themes",
                    "secteur declare", "secteur", "domaine", "filiere", "thematique principale",
                    "secteur d activite", "theme declare", NULL},
    [ROLE_DESCRIPTION] = {"description", "descriptif", "presentation", "activites", "activite",
                          "objet", "projet", "resume", "description du projet", NULL},
    [ROLE_MEMBRES] = {"nombre de membres", "nb membres", "nb de membres", "membres",
                      "nombre d acteurs", "nb acteurs", "acteurs", "nombre de structures",
                      "nombre de structures membres", NULL},
    [ROLE_ANNEE] = {"annee ami", "ami", "annee", "annee de l ami", "annee laureat", "millesime",
                    NULL},
};

/* ---- decoding ------------------------------------------------------------------------ */

static const unsigned short cp1252_high[32] = {
    0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD, 0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178};

static void append_codepoint(strbuf *sb, unsigned cp)
{
    char enc[3];
    if (cp < 0x80) {
        sb_append_char(sb, (char)cp);
    } else if (cp < 0x800) {
        enc[0] = (char)(0xC0 | (cp >> 6));
        enc[1] = (char)(0x80 | (cp & 0x3F));
        sb_append_n(sb, enc, 2);
    } else {
        enc[0] = (char)(0xE0 | (cp >> 12));
        enc[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        enc[2] = (char)(0x80 | (cp & 0x3F));
        sb_append_n(sb, enc, 3);
    }
}

/* A file that is not valid UTF-8 is taken for Windows-1252, the encoding French Excel
 * writes "CSV (séparateur : point-virgule)" in. Every byte maps to a character. */
static char *decode_windows_1252(const char *bytes, size_t len, size_t *outlen)
{
    strbuf sb;
    sb_init(&sb);
    for (size_t i = 0; i < len; i++) {
        unsigned char b = (unsigned char)bytes[i];
        append_codepoint(&sb, b < 0x80 ? b : b < 0xA0 ? cp1252_high[b - 0x80] : b);
    }
    *outlen = sb.len;
    return sb_take(&sb);
}

/* ---- separator ----------------------------------------------------------------------- */

/* The separator is the most frequent of ; , tab on the header line, outside quotes.
 * Ties go to ';' (French exports), then tab, then ','. */
static char detect_separator(const char *text, size_t len)
{
    size_t semicolons = 0, commas = 0, tabs = 0;
    bool quoted = false;
    for (size_t i = 0; i < len; i++) {
        char c = text[i];
        if (c == '"')
            quoted = !quoted;
        else if (!quoted && (c == '\n' || c == '\r'))
            break;
        else if (!quoted && c == ';')
            semicolons++;
        else if (!quoted && c == ',')
            commas++;
        else if (!quoted && c == '\t')
            tabs++;
    }
    if (semicolons >= tabs && semicolons >= commas && semicolons > 0)
        return ';';
    if (tabs >= commas && tabs > 0)
        return '\t';
    if (commas > 0)
        return ',';
    return ';';
}

/* ---- parsing with libcsv ------------------------------------------------------------- */

typedef struct parse_state {
    census *c;
    strbuf text;            /* all cells, NUL-separated */
    size_t *offsets;        /* cell offsets for the current parse */
    size_t noffsets, capoffsets;
    size_t row_first;       /* index in offsets of the current row's first cell */
    size_t row_cells;
    size_t line;            /* physical line being fed */
    size_t row_start_line;  /* line where the current row started */
    bool expect_new_row;
    bool header_done;
    size_t header_cells;
    census_record *records;
    size_t nrecords, caprecords;
    bool failed_memory;
    ptce_ctx *ctx;
    const char *name;
    size_t max_cols_seen;
} parse_state;

static bool push_offset(parse_state *st, size_t off)
{
    if (st->noffsets == st->capoffsets) {
        size_t cap = st->capoffsets ? st->capoffsets * 2 : 1024;
        size_t *grown = realloc(st->offsets, cap * sizeof *grown);
        if (!grown)
            return false;
        st->offsets = grown;
        st->capoffsets = cap;
    }
    st->offsets[st->noffsets++] = off;
    return true;
}

void census_warning_text(const census *c, const census_warning *w, strbuf *sb)
{
    switch (w->kind) {
    case CENSUS_WIDE_ROW:
        sb_printf(sb, "%zu cellules pour %zu colonnes d'en-tête ; les cellules en trop sont "
                      "ignorées. Vérifiez un séparateur dans une cellule non entourée de "
                      "guillemets.", w->n[0], w->n[1]);
        break;
    case CENSUS_DUPLICATE_COLUMN:
        sb_printf(sb, "les colonnes %zu et %zu portent le même nom « %s » ; seule la première "
                      "est lue.", w->n[0], w->n[1],
                  w->n[0] >= 1 && w->n[0] <= c->ncols ? c->header[w->n[0] - 1] : "");
        break;
    case CENSUS_MORE_DUPLICATES:
        sb_printf(sb, "%zu autres colonnes répètent le nom d'une colonne précédente.", w->n[0]);
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
    strbuf sb;
    sb_init(&sb);
    census_warning_text(c, &w, &sb);
    if (sb.failed) {
        sb_free(&sb);
        return false;
    }
    ptce_warn(ctx, "%s, ligne %zu : %s", name, w.line, sb.data ? sb.data : "");
    sb_free(&sb);
    return true;
}

static void on_field(void *data, size_t len, void *priv)
{
    parse_state *st = priv;
    if (st->failed_memory)
        return;
    if (st->row_cells == 0)
        st->row_first = st->noffsets;
    size_t off = st->text.len;
    if (data)
        sb_append_n(&st->text, data, len);
    sb_append_char(&st->text, '\0');
    if (st->text.failed || !push_offset(st, off))
        st->failed_memory = true;
    st->row_cells++;
}

static bool row_is_blank(const parse_state *st)
{
    for (size_t i = 0; i < st->row_cells; i++) {
        const char *cell = st->text.data + st->offsets[st->row_first + i];
        for (; *cell; cell++)
            if (*cell != ' ' && *cell != '\t' && *cell != '\r')
                return false;
    }
    return true;
}

static void on_row(int terminator, void *priv)
{
    (void)terminator;
    parse_state *st = priv;
    st->expect_new_row = true;
    if (st->failed_memory)
        return;
    if (st->row_cells > st->max_cols_seen)
        st->max_cols_seen = st->row_cells;
    if (!st->header_done) {
        st->header_done = true;
        st->header_cells = st->row_cells;
        st->row_cells = 0;
        return;
    }
    if (row_is_blank(st)) {
        st->c->empty_lines++;
        st->noffsets = st->row_first; /* forget the blank cells */
        st->row_cells = 0;
        return;
    }
    if (st->row_cells > st->header_cells) {
        st->c->warnings++;
        census_warning w = {CENSUS_WIDE_ROW, st->row_start_line,
                            {st->row_cells, st->header_cells}};
        if (!warn(st->ctx, st->c, st->name, w)) {
            st->failed_memory = true;
            return;
        }
        st->noffsets = st->row_first + st->header_cells;
    }
    while (st->row_cells < st->header_cells) {
        /* Pad short rows with empty cells; they share one empty string. */
        if (!push_offset(st, st->text.len - 1)) {
            st->failed_memory = true;
            return;
        }
        st->row_cells++;
    }
    if (st->nrecords == st->caprecords) {
        size_t cap = st->caprecords ? st->caprecords * 2 : 256;
        census_record *grown = realloc(st->records, cap * sizeof *grown);
        if (!grown) {
            st->failed_memory = true;
            return;
        }
        st->records = grown;
        st->caprecords = cap;
    }
    st->records[st->nrecords].line = st->row_start_line;
    st->records[st->nrecords].first_cell = st->row_first;
    st->nrecords++;
    st->row_cells = 0;
}

static bool line_is_empty(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != '\r' && p[i] != '\n')
            return false;
    return true;
}

/* ---- header roles -------------------------------------------------------------------- */

static int find_role_by_name(const char *name)
{
    for (int r = 0; r < ROLE_COUNT; r++)
        if (strcmp(name, census_role_name(r)) == 0)
            return r;
    return -1;
}

static ptce_status apply_columns_option(ptce_ctx *ctx, census *c, char **folded,
                                        const char *columns)
{
    /* "role=Header,role=Header": the header is compared folded, so case and accents do
     * not matter. */
    char *copy = ptce_strdup(columns);
    if (!copy)
        return ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
    ptce_status status = PTCE_OK;
    char *save = NULL;
    for (char *pair = strtok_r(copy, ",", &save); pair; pair = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(pair, '=');
        if (!eq) {
            status = ptce_fail(ctx, PTCE_ERR_USAGE,
                               "--columns : « %s » n'a pas la forme rôle=Nom de colonne", pair);
            break;
        }
        *eq = '\0';
        int role = find_role_by_name(str_trim(pair));
        if (role < 0) {
            status = ptce_fail(ctx, PTCE_ERR_USAGE,
                               "--columns : rôle « %s » inconnu ; rôles possibles : id, nom, "
                               "adresse, code_postal, commune, insee, departement, latitude, "
                               "longitude, x, y, theme, description, membres, annee", pair);
            break;
        }
        char *want = text_fold(str_trim(eq + 1));
        int found = -1;
        for (size_t i = 0; want && i < c->ncols; i++)
            if (strcmp(folded[i], want) == 0) {
                found = (int)i;
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
        for (int r = 0; r < ROLE_COUNT; r++)
            if (c->role_col[r] == found)
                c->role_col[r] = -1;
        c->role_col[role] = found;
    }
    free(copy);
    return status;
}

static bool column_taken(const census *c, size_t col)
{
    for (int r = 0; r < ROLE_COUNT; r++)
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
    for (int r = 0; r < ROLE_COUNT; r++)
        c->role_col[r] = -1;
    /* Pass 1: exact names. Pass 2: a synonym followed by more words ("Latitude (WGS84)"). */
    for (int pass = 0; pass < 2; pass++) {
        for (size_t col = 0; col < c->ncols; col++) {
            if (column_taken(c, col) || !folded[col][0] ||
                (pass == 1 && names_other_value(folded[col])))
                continue;
            for (int r = 0; r < ROLE_COUNT; r++) {
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
    return warn_duplicate_headers(ctx, c, folded);
}

/* ---- entry points -------------------------------------------------------------------- */

/* UTF-16 without a byte order mark: text whose every other byte is NUL. Judged on the first
 * bytes only; a stray NUL in a text file is not UTF-16. */
static bool looks_utf16(const char *bytes, size_t len)
{
    size_t n = len < 512 ? len : 512, even = 0, odd = 0;
    for (size_t i = 0; i < n; i++)
        if (bytes[i] == '\0') {
            if (i % 2)
                odd++;
            else
                even++;
        }
    size_t half = n / 2;
    return half >= 2 && (even * 10 >= half * 8 || odd * 10 >= half * 8);
}

/* Length of the physical line starting at p: up to and including its end, "\n", "\r\n",
 * or a lone "\r" (the "CSV (Macintosh)" export of old spreadsheets). */
static size_t physical_line_length(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '\n')
            return i + 1;
        if (p[i] == '\r')
            return i + 1 < n && p[i + 1] == '\n' ? i + 2 : i + 1;
    }
    return n;
}

ptce_status census_parse(ptce_ctx *ctx, const char *name, const char *bytes, size_t len,
                         const census_options *opts, census *out)
{
    memset(out, 0, sizeof *out);
    out->path = ptce_strdup(name);
    if (!out->path)
        return ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");

    if (len >= 2 && (((unsigned char)bytes[0] == 0xFF && (unsigned char)bytes[1] == 0xFE) ||
                     ((unsigned char)bytes[0] == 0xFE && (unsigned char)bytes[1] == 0xFF)))
        return ptce_fail(ctx, PTCE_ERR_INPUT,
                         "%s : fichier en UTF-16. Réenregistrez-le en « CSV UTF-8 » ou "
                         "« CSV (séparateur : point-virgule) ».", name);
    const char *nul = memchr(bytes, '\0', len);
    if (nul && looks_utf16(bytes, len))
        return ptce_fail(ctx, PTCE_ERR_INPUT,
                         "%s : fichier en UTF-16 (sans marque d'ordre des octets). "
                         "Réenregistrez-le en « CSV UTF-8 » ou « CSV (séparateur : "
                         "point-virgule) ».", name);
    if (nul) {
        size_t line = 1;
        for (const char *p = bytes; p < nul; p++)
            line += *p == '\n';
        return ptce_fail(ctx, PTCE_ERR_INPUT,
                         "%s, ligne %zu : octet nul ; ce n'est pas un fichier texte CSV. "
                         "Exportez le tableur au format CSV.", name, line);
    }

    char *decoded = NULL;
    const char *text = bytes;
    size_t textlen = len;
    if (len >= 3 && memcmp(bytes, "\xEF\xBB\xBF", 3) == 0) {
        text += 3;
        textlen -= 3;
        snprintf(out->encoding, sizeof out->encoding, "UTF-8 (BOM)");
        if (!utf8_is_valid(text, textlen))
            return ptce_fail(ctx, PTCE_ERR_INPUT,
                             "%s : le fichier annonce UTF-8 (BOM) mais contient des octets "
                             "invalides. Réenregistrez-le en « CSV UTF-8 ».", name);
    } else if (utf8_is_valid(text, textlen)) {
        snprintf(out->encoding, sizeof out->encoding, "UTF-8");
    } else {
        decoded = decode_windows_1252(text, textlen, &textlen);
        if (!decoded)
            return ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
        text = decoded;
        snprintf(out->encoding, sizeof out->encoding, "windows-1252");
    }

    size_t start = 0;
    while (start < textlen && (text[start] == '\n' || text[start] == '\r'))
        start++;
    if (start == textlen) {
        free(decoded);
        return ptce_fail(ctx, PTCE_ERR_INPUT,
                         "%s : fichier vide. Il faut au moins une ligne d'en-tête et une ligne "
                         "par PTCE.", name);
    }
    out->separator = detect_separator(text + start, textlen - start);

    struct csv_parser parser;
    if (csv_init(&parser, CSV_APPEND_NULL) != 0) {
        free(decoded);
        return ptce_fail(ctx, PTCE_ERR_MEMORY, "mémoire insuffisante");
    }
    csv_set_delim(&parser, (unsigned char)out->separator);
    /* libcsv grows its cell buffer by this many bytes at a time (128 by default): a cell of
     * several megabytes would take a quadratic number of reallocations (minutes under
     * ASan, or with an allocator that cannot grow a block in place). */
    csv_set_blk_size(&parser, 1 << 20);
    parse_state st = {.c = out, .ctx = ctx, .name = name, .expect_new_row = true};
    sb_init(&st.text);

    /* Feed one physical line at a time so that each record knows its starting line. */
    ptce_status status = PTCE_OK;
    size_t pos = 0;
    size_t line = 1;
    while (pos < textlen && !st.failed_memory) {
        size_t n = physical_line_length(text + pos, textlen - pos);
        if (st.expect_new_row && !line_is_empty(text + pos, n)) {
            st.row_start_line = line;
            st.expect_new_row = false;
        } else if (st.expect_new_row && st.header_done) {
            out->empty_lines++; /* a blank line between rows (libcsv reports none) */
        }
        if (csv_parse(&parser, text + pos, n, on_field, on_row, &st) != n) {
            /* Without CSV_STRICT libcsv only fails for memory or a cell too big. */
            status = ptce_fail(ctx, csv_error(&parser) == CSV_ENOMEM ? PTCE_ERR_MEMORY
                                                                      : PTCE_ERR_INPUT,
                               "%s, ligne %zu : cellule illisible ou trop grande pour la "
                               "mémoire (%s).", name, line, csv_strerror(csv_error(&parser)));
            break;
        }
        pos += n;
        line++;
    }
    /* libcsv reports a quote left open at the end only in strict mode, and strict mode
     * would also refuse the quotes spreadsheets leave inside unquoted cells (Le "Petit"
     * Pôle). So the parse is lenient and only the end is strict. */
    csv_set_opts(&parser, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL);
    if (status == PTCE_OK && !st.failed_memory &&
        csv_fini(&parser, on_field, on_row, &st) != 0) {
        status = ptce_fail(ctx, PTCE_ERR_INPUT,
                           "%s, ligne %zu : guillemet ouvert jamais fermé (la cellule court "
                           "jusqu'à la fin du fichier). Fermez le guillemet ou retirez-le.",
                           name, st.row_start_line);
    }
    csv_free(&parser);
    free(decoded);
    if (status == PTCE_OK && st.failed_memory)
        status = ptce_fail(ctx, PTCE_ERR_MEMORY, "%s : mémoire insuffisante pour lire le fichier",
                           name);

    if (status == PTCE_OK && st.header_cells == 0)
        status = ptce_fail(ctx, PTCE_ERR_INPUT, "%s : pas de ligne d'en-tête.", name);

    out->text = st.text.data;
    out->cell_offsets = st.offsets;
    out->records = st.records;
    out->nrecords = st.nrecords;
    out->ncols = st.header_cells;
    if (status != PTCE_OK)
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
    char *bytes = ptce_read_file(path, &len);
    if (!bytes) {
        if (errno == EISDIR)
            return ptce_fail(ctx, PTCE_ERR_INPUT,
                             "%s : c'est un dossier ; indiquez le fichier CSV du recensement.",
                             path);
        return ptce_fail(ctx, PTCE_ERR_INPUT, "%s : lecture impossible (%s).", path,
                         strerror(errno));
    }
    ptce_status status = census_parse(ctx, path, bytes, len, opts, out);
    free(bytes);
    /* A failed parse may have filled part of `out`: free it here, so that no caller leaks
     * it (census_free on the zeroed struct afterwards stays harmless). */
    if (status != PTCE_OK)
        census_free(out);
    return status;
}
