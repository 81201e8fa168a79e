#!/usr/bin/env python3
"""Writes the census test inputs of this folder, byte for byte.

The files are committed; this script says how each was made (encoding, separator, line
ends) and rewrites them identically: `python3 tests/data/census/generer.py`.
They are read by tests/unit/test_census.c, test_validate.c, test_diff.c and
tests/e2e/validate_diff.sh, which assert their exact content: change both together.
"""
import os
import unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))


def write(name, data):
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(data)


def lines(rows, sep=";", end="\n"):
    return end.join(sep.join(r) for r in rows) + end


# ---- the census reader: one messy export per file --------------------------------------

# Excel "CSV (séparateur : point-virgule)" on Windows: Windows-1252, CRLF, French headers.
# Typographic apostrophe (0x92), guillemets (0xAB 0xBB), en dash (0x96), euro (0x80),
# oe ligature (0x8C, 0x9C): all outside Latin-1 or in the 0x80-0x9F range.
write("cp1252-pointvirgule.csv", lines([
    ["N°", "Nom du PTCE", "Adresse", "CP", "Ville", "Code INSEE", "Département",
     "Thématique déclarée", "Nombre de membres", "Année AMI"],
    ["P-01", "Légumerie coopérative de l’Étang", "12 rue de l’Église", "1000", "Bourg-en-Bresse",
     "01053", "Ain", "Maraîchage & alimentation", "12", "2021"],
    ["P-02", "Œuvre commune « Cœur de ville »", "", "69002", "Lyon 2e", "", "Rhône",
     "Économie circulaire – réemploi", "8", "2023"],
    ["P-03", "Pôle Énergie à 5 €", "", "", "", "", "", "Énergie", "", ""],
], end="\r\n").encode("cp1252"))

# "CSV UTF-8" of a recent spreadsheet: BOM, commas, quoted cells holding commas, doubled
# quotes and a line break (the record after it starts two physical lines further).
write("utf8-bom-virgule.csv", ("\ufeff" + "\n".join([
    'Identifiant,Nom,Commune,Code postal,Description',
    'A1,"Ressourcerie, atelier et boutique",Besançon,25000,"Collecte, tri, revente"',
    'A2,"Le ""Grand"" Pôle",Dijon,21000,"Première ligne',
    'deuxième ligne, avec virgule"',
    'A3,Fabrique Numérique,Lyon,69001,',
]) + "\n").encode("utf-8"))

# Tab-separated, headers in capitals without accents; cells hold ; and , freely.
write("tabulations.tsv", lines([
    ["IDENTIFIANT", "NOM DU PTCE", "VILLE", "CP", "DEPARTEMENT", "THEMATIQUE DECLAREE"],
    ["T1", "Pôle Alimentaire; Sud, Ouest", "Agen", "47000", "47", "Alimentation, circuits courts"],
    ["T2", "Recyclerie du Lot", "Cahors", "46000", "46", "Réemploi; réparation"],
], sep="\t").encode("utf-8"))

# Header synonyms in any case, with and without accents, decomposed accents (NFD), and
# columns that only look like a role ("Numéro de téléphone" is not an id, "Adresse
# e-mail" not an address, "Nom du contact" not the PTCE's name, "Année de création" not
# the AMI year).
nfd = lambda s: unicodedata.normalize("NFD", s)
write("synonymes.csv", lines([
    ["Nom du contact", "nº", "Numéro de téléphone", "NOM DU PTCE", "ville", "cp", "CODE INSEE",
     nfd("DÉPARTEMENT"), "Thématique Déclarée", "Latitude (WGS84)", "Longitude (WGS84)",
     "Nb. membres", "Année de création", "Année", "Adresse e-mail", "Code postal du siège"],
    ["Mme Dupont", "S1", "01 02 03 04 05", "Pôle des Synonymes", "Nevers", "58000", "58194",
     "58", "Énergie", "46,99", "3,16", "12", "1998", "2021", "contact@example.org", "58000"],
]).encode("utf-8"))

# Columns that start like a role but hold something else, and no real id, address or year
# column: nothing must be taken for them.
write("faux-amis.csv", lines([
    ["Nom du contact", "Numéro de téléphone", "Adresse e-mail", "Année de création",
     "Nom du PTCE", "Commune"],
    ["M. Martin", "03 86 00 00 00", "pole@example.org", "1998", "Pôle des Faux Amis", "Nevers"],
]).encode("utf-8"))

# Blank lines, a row of empty cells, a row of spaces, CRLF, blank lines at the end.
write("lignes-vides.csv", lines([
    ["id", "nom", "commune"],
    ["V1", "Premier", "Nevers"],
    [""],
    ["", "", ""],
    ["V2", "Deuxième", "Auxerre"],
    ["  ", " ", ""],
    [""],
    ["V3", "Troisième", "Sens"],
    [""],
    [""],
], end="\r\n").encode("utf-8"))

# Rows wider than the header (an unquoted separator in a cell) and a short row.
write("cellules-en-trop.csv", lines([
    ["id", "nom", "commune"],
    ["X1", "Un", "Nevers", "en trop"],
    ["X2", "Deux"],
    ["X3", "Trois; et quart", "Sens", "", "encore"],
    ["X4", "Quatre", "Auxerre"],
]).encode("utf-8"))

# A quote opened on line 3 and never closed.
write("guillemet-ouvert.csv", lines([
    ["id", "nom", "commune"],
    ["Q1", "Un", "Nevers"],
    ["Q2", '"Deux', "Sens"],
    ["Q3", "Trois", "Auxerre"],
]).encode("utf-8"))

# "Texte Unicode" of Excel: UTF-16 little endian with a BOM, and without one.
utf16_text = lines([["id", "nom", "commune"], ["U1", "Pôle", "Nevers"]], sep="\t")
write("utf16.csv", utf16_text.encode("utf-16"))  # with BOM
write("utf16-sans-bom.csv", utf16_text.encode("utf-16-le"))

# A NUL byte on line 3 (a binary file or a damaged export).
write("octet-nul.csv", b"id;nom;commune\nN1;Un;Nevers\nN2;De\x00ux;Sens\n")

write("vide.csv", b"")
write("bom-seul.csv", b"\xef\xbb\xbf\r\n\r\n")
write("entete-seul.csv", "Identifiant;Nom du PTCE;Commune\r\n".encode("utf-8"))

# Headers nobody could guess, for --columns.
write("colonnes.csv", lines([
    ["Structure porteuse", "Lieu d'implantation", "CP siège", "Domaine d'action", "Effectif"],
    ["Pôle des Colonnes", "Nevers", "58000", "Énergie", "12"],
]).encode("utf-8"))

# Old Macintosh exports end lines with a lone CR.
write("mac-cr.csv", lines([
    ["id", "nom", "commune"], ["M1", "Un", "Nevers"], ["M2", "Deux", "Sens"],
], end="\r").encode("cp1252"))

# ---- validate: one census with every mistake validate must report -----------------------

write("a-valider.csv", ("\ufeff" + lines([
    ["Identifiant", "Nom du PTCE", "Code postal", "Commune", "Code INSEE", "Département",
     "Latitude", "Longitude", "Thématique déclarée", "Nombre de membres", "Année AMI"],
    # 2: clean
    ["V-01", "Ressourcerie du Val", "25000", "Besançon", "25056", "25", "", "",
     "Réemploi", "24", "2021"],
    # 3: same id as line 2
    ["V-01", "Fabrique des Possibles", "21000", "Dijon", "21231", "21", "", "",
     "Économie circulaire", "10", "2021"],
    # 4: no name
    ["V-03", "", "58000", "Nevers", "58194", "58", "", "", "Énergie", "8", "2023"],
    # 5: nothing to place the row
    ["V-04", "Pôle Sans Adresse", "", "", "", "", "", "", "Énergie", "8", "2023"],
    # 6: unreadable coordinates (the commune still places it)
    ["V-05", "Pôle des Coordonnées", "89000", "Auxerre", "89024", "89", "quarante-sept",
     "3,57", "Mobilité", "5", "2021"],
    # 7: unknown commune, rejected by the geocoder
    ["V-06", "Pôle Introuvable", "", "Trifouillis-les-Oies", "", "", "", "", "Tourisme",
     "5", "2021"],
    # 8: ambiguous commune (several Saint-Denis)
    ["V-07", "Pôle de Saint-Denis", "", "Saint-Denis", "", "", "", "", "Culture", "5", "2021"],
    # 9: members not a number, year out of range
    ["V-08", "Pôle des Nombres", "71000", "Mâcon", "71270", "71", "", "", "Énergie",
     "beaucoup", "1999"],
    # 10: negative members
    ["V-09", "Pôle Négatif", "71100", "Chalon-sur-Saône", "71076", "71", "", "", "Énergie",
     "-3", "2021"],
    # 11: huge members, coordinates in New York
    ["V-10", "Pôle Géant", "39000", "Lons-le-Saunier", "39300", "39", "40,71", "-74,01",
     "Énergie", "250000", "2021"],
    # 12: postal code of Paris, département 69
    ["V-11", "Pôle Mal Rangé", "75011", "Lyon", "", "69", "", "", "Énergie", "5", "2021"],
    # 13: same name as line 2 (folded), another id
    ["V-12", "RESSOURCERIE DU VAL", "39100", "Dole", "39198", "39", "", "", "Réemploi",
     "5", "2021"],
    # 14: no id; former INSEE code of a merged commune
    ["", "Énergies du Pays de Francheleins", "01090", "", "01003", "01", "", "", "Énergie",
     "6", "2023"],
    # 15: more cells than the header
    ["V-14", "Pôle Débordant", "58000", "Nevers", "58194", "58", "", "", "Énergie", "5",
     "2021", "cellule en trop"],
    # 16-17: a quoted cell running over a line break and holding separators
    ["V-15", "Pôle Guillemet", "58000", "Nevers", "58194", "58", "", "",
     '"Énergie\nV-16;Pôle Avalé;58000;Nevers"', "5", "2021"],
]).replace("\n", "\r\n")).encode("utf-8"))

# ---- validate and diff: two census years ------------------------------------------------

HEAD_2025 = ["Identifiant", "Nom du PTCE", "Adresse", "Code postal", "Commune", "Code INSEE",
             "Département", "Thématique déclarée", "Description", "Nombre de membres",
             "Année AMI"]
ROWS_2025 = [
    ["PTCE-001", "Ressourcerie du Val", "12 rue Battant", "25000", "Besançon", "25056", "25",
     "Économie circulaire, réemploi", "Collecte et revente d'objets de réemploi.", "24", "2021"],
    ["PTCE-002", "Légumerie de la Plaine", "", "84410", "Flassan", "84046", "84",
     "Alimentation durable", "Maraîchage bio et circuits courts.", "12", "2021"],
    ["PTCE-003", "Pôle Bois Énergie des Vosges", "", "88000", "Épinal", "88160", "88",
     "Bois énergie", "Filière bois-énergie et chaufferies collectives.", "9", "2023"],
    ["PTCE-004", "Coopérative des Mauges", "", "49510", "Andrezé", "49006", "49", "Textile",
     "Atelier de confection textile solidaire.", "15", "2023"],
    ["PTCE-005", "Tiers-lieu du Numérique", "", "35400", "Saint-Malo", "35288", "35",
     "Numérique", "Fablab et inclusion numérique.", "30", "2021"],
    ["PTCE-006", "Fabrique à Projets du Littoral", "", "17000", "La Rochelle", "17300", "17",
     "Économie circulaire", "", "7", "2015"],
    ["", "Atelier Textile des Monts", "", "69590", "Saint-Symphorien-sur-Coise", "", "69",
     "Textile", "", "11", "2021"],
    ["", "Pôle territorial de coopération économique Sud Aveyron", "", "12100", "Millau",
     "12145", "12", "Tourisme", "", "20", "2013"],
    ["PTCE-011", "Recyclerie des Deux Rives", "", "67000", "Strasbourg", "67482", "67",
     "Économie circulaire", "", "40", "2015"],
    ["", "Resourcerie Créative", "", "31000", "Toulouse", "31555", "31", "Réemploi", "", "18",
     "2021"],
    ["PTCE-012", "Énergies Citoyennes du Pays de Francheleins", "", "01090", "", "01003", "01",
     "Énergie", "", "6", "2023"],
]
write("annee-2025.csv", ("\ufeff" + lines([HEAD_2025] + ROWS_2025)).encode("utf-8"))

HEAD_2026 = ["N°", "Nom", "CP", "Ville", "Code INSEE", "Dépt", "Thématique", "Description",
             "Nb membres", "Année"]
ROWS_2026 = [
    ["PTCE-001", "Ressourcerie du Val", "25000", "Besançon", "25056", "25",
     "Économie circulaire, réemploi", "Collecte et revente d'objets de réemploi.", "26", "2021"],
    ["PTCE-002", "Légumerie Solidaire de la Plaine", "84410", "Flassan", "84046", "84",
     "Alimentation durable", "Maraîchage bio et circuits courts.", "12", "2021"],
    ["PTCE-003", "Pôle Bois Énergie des Hautes-Vosges", "88400", "Gérardmer", "88196", "88",
     "Bois énergie", "Filière bois-énergie et chaufferies collectives.", "10", "2023"],
    ["PTCE-004", "Coopérative des Mauges", "49510", "Beaupréau-en-Mauges", "49023", "49",
     "Textile", "Atelier de confection textile solidaire.", "15", "2023"],
    ["PTCE-005", "Tiers-lieu du Numérique", "35400", "Saint-Malo", "35288", "35",
     "Alimentation durable", "Cuisine partagée, légumerie et maraîchage.", "30", "2021"],
    ["", "Atelier Textile des Monts du Lyonnais", "69590", "Saint-Symphorien-sur-Coise", "",
     "69", "Textile", "", "11", "2021"],
    ["", "Pôle territorial de coopération économique Nord Aveyron", "12500", "Espalion", "",
     "12", "Tourisme", "", "14", "2025"],
    ["PTCE-2026-04", "Recyclerie des Deux Rives", "67000", "Strasbourg", "67482", "67",
     "Économie circulaire", "", "41", "2015"],
    ["", "Ressourcerie créative", "31000", "Toulouse", "31555", "31", "Réemploi", "", "18",
     "2021"],
    ["PTCE-012", "Énergies Citoyennes du Pays de Francheleins", "01090", "Francheleins", "01165",
     "01", "Énergie", "", "6", "2023"],
    ["PTCE-020", "Cité du Goût et des Saveurs", "97400", "Saint-Denis", "97411", "974",
     "Alimentation durable", "", "22", "2025"],
    ["PTCE-021", "Mobilités Partagées du Grand Ouest", "44000", "Nantes", "44109", "44",
     "Mobilité", "Covoiturage et autopartage solidaires.", "13", "2025"],
]
write("annee-2026.csv", lines([HEAD_2026] + ROWS_2026, end="\r\n").encode("cp1252"))
