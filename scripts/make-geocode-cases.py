#!/usr/bin/env python3
"""Build the labelled geocoding cases: tests/data/geocode-cases.csv.

Every case starts from a real place of the reference tables in data/ (communes.tsv,
anciennes_communes.tsv, codes_postaux.tsv, departements.tsv, the commune polygons of
geom/), picked at random, and applies one of the transformations people make when they type a census
(capitals without accents, "Mans (Le)", "St", a typing error, a postal code that lost its
zero, a CEDEX code, an address in one cell, coordinates with a decimal comma or swapped or
in Lambert-93…). The expected answer is worked out from the reference data only, by rules
stated below, never by running the geocoder:

  * a name designates the current communes whose name folds to the same key; former
    communes (déléguées, associées) are only read when no current commune of the area has
    that name; the area is the postal code's communes, or the stated département;
  * a case whose answer the row itself cannot settle (a typing error that lands as close to
    another commune of the area, a former name shared by two current communes…) is not
    written: another random place is drawn;
  * homonyms that nothing separates are expected "ambiguous"; garbage and foreign places
    "reject"; Paris, Lyon and Marseille resolve to the arrondissement when the row says
    which one (postal code, "Paris 11e"), as the BAN's citycode does.

Typing errors: one error (substitution, omission, insertion, transposition of two
neighbouring letters) in names of 5 letters or more, two errors in names of 10 letters or
more.

Seeded: reruns give the same file.
Usage: python3 scripts/make-geocode-cases.py [--check] [--seed N] [--out FILE]
  --check     compare with the committed file instead of writing it;
  --seed N    another draw (to see that the geocoder does not fit one draw only),
              written with --out FILE rather than over the committed file.
"""
import csv
import io
import math
import os
import random
import sys
import unicodedata
from collections import defaultdict

SEED = 20260301
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(ROOT, "data")
OUT = os.path.join(ROOT, "tests", "data", "geocode-cases.csv")
HEADER = ["category", "id", "insee", "code_postal", "commune", "departement", "adresse",
          "latitude", "longitude", "x", "y", "expected_status", "expected_insee"]

PER_CATEGORY = 30
PER_CLEAN_CATEGORY = 160

def option(name, default):
    if name in sys.argv[1:-1]:
        return sys.argv[sys.argv.index(name) + 1]
    return default


SEED = int(option("--seed", SEED))
OUT = option("--out", OUT)
rng = random.Random(SEED)


# ------------------------------------------------------------------ text
def fold(s):
    """The same key as text_fold() in src/text/fold.c for Latin text."""
    s = unicodedata.normalize("NFKD", s.casefold())
    out = []
    space = False
    for ch in s:
        if ch == "œ":
            ch = "oe"
        elif ch == "æ":
            ch = "ae"
        cat = unicodedata.category(ch[0])
        if cat in ("Mn", "Mc", "Me"):
            continue
        if cat[0] in "LN":
            if space and out:
                out.append(" ")
            space = False
            out.append(ch)
        else:
            space = True
    return "".join(out)


def strip_accents(s):
    return "".join(ch for ch in unicodedata.normalize("NFD", s)
                   if unicodedata.category(ch) != "Mn")


def damerau(a, b, limit=3):
    """Optimal string alignment distance (adjacent transpositions count as one)."""
    la, lb = len(a), len(b)
    if abs(la - lb) > limit:
        return limit + 1
    prev2 = None
    prev = list(range(lb + 1))
    for i in range(1, la + 1):
        cur = [i] + [0] * lb
        for j in range(1, lb + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            v = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                v = min(v, prev2[j - 2] + 1)
            cur[j] = v
        prev2, prev = prev, cur
    return prev[lb]


# ------------------------------------------------------------------ reference data
def read_tsv(name):
    with open(os.path.join(DATA, name), encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))


COMMUNES = read_tsv("communes.tsv")
FORMER = read_tsv("anciennes_communes.tsv")
# The table as the COG alone gives it, which the categories drawn before the 2018 names
# (ANC codes named from the IGN file, NOM rows) were drawn from: in its order, so that
# their draws, and their cases, stay the same.
FORMER_COG = sorted((dict(f, nom="", cle="") if f["type"] == "ANC" else f
                     for f in FORMER if f["type"] != "NOM"),
                    key=lambda f: (f["code"], f["nom"], f["type"], f["insee_actuel"]))
POSTAL = read_tsv("codes_postaux.tsv")
DEPS = {d["code_dep"]: d for d in read_tsv("departements.tsv")}
REGIONS = read_tsv("regions.tsv")

BY_INSEE = {c["insee"]: c for c in COMMUNES}
CURRENT = [c for c in COMMUNES if c["type"] == "COM"]
ARM = [c for c in COMMUNES if c["type"] == "ARM"]
CITIES_WITH_ARM = {c["parent"] for c in ARM}
for c in COMMUNES:
    c["lat"] = float(c["lat"])
    c["lon"] = float(c["lon"])
    c["population"] = int(c["population"] or 0)

CP_COMMUNES = defaultdict(set)     # postal code -> INSEE codes
COMMUNE_CPS = defaultdict(set)     # INSEE -> postal codes
for p in POSTAL:
    CP_COMMUNES[p["code_postal"]].add(p["insee"])
    COMMUNE_CPS[p["insee"]].add(p["code_postal"])
for c in COMMUNES:
    for cp in c["codes_postaux"].split():
        CP_COMMUNES[cp].add(c["insee"])
        COMMUNE_CPS[c["insee"]].add(cp)

CURRENT_KEYS = defaultdict(set)    # folded current name -> INSEE (communes and arrondissements)
for c in COMMUNES:
    CURRENT_KEYS[c["cle"]].add(c["insee"])
OTHER_KEYS = defaultdict(set)      # former, La Poste and routing names -> current INSEE
for f in FORMER:
    if f["cle"]:
        OTHER_KEYS[f["cle"]].add(f["insee_actuel"])
for p in POSTAL:
    for k in (p["cle_laposte"], p["cle_acheminement"]):
        if k:
            OTHER_KEYS[k].add(p["insee"])
DEP_KEYS = {fold(d["nom_dep"]) for d in DEPS.values()}
ALL_KEYS = set(CURRENT_KEYS) | set(OTHER_KEYS) | DEP_KEYS

DEP_COMMUNES = defaultdict(list)
for c in COMMUNES:
    DEP_COMMUNES[c["code_dep"]].append(c)
DEP_NAMES = defaultdict(list)      # dep -> [(key, current insee)] of every name of the area
for c in COMMUNES:
    DEP_NAMES[c["code_dep"]].append((c["cle"], c["insee"]))
for f in FORMER:
    cur = BY_INSEE.get(f["insee_actuel"])
    if f["cle"] and cur:
        DEP_NAMES[cur["code_dep"]].append((f["cle"], cur["insee"]))
for p in POSTAL:
    cur = BY_INSEE[p["insee"]]
    if p["cle_laposte"]:
        DEP_NAMES[cur["code_dep"]].append((p["cle_laposte"], cur["insee"]))

REAL_POINT = ("geonames", "geonames_proche", "ancienne_commune", "interieur")


def dep_of_cp(cp):
    """Départements a postal code's prefix points to."""
    if cp.startswith("97"):
        return [cp[:3]]
    if cp.startswith("20"):
        return ["2A", "2B"]
    return [cp[:2]]


def area_communes(cp=None, dep=None):
    if cp:
        return CP_COMMUNES.get(cp, set())
    return {c["insee"] for c in DEP_COMMUNES.get(dep, [])}


def designated(key, cp=None, dep=None):
    """Current communes a name designates inside the area (rules in the docstring)."""
    area = area_communes(cp, dep)
    cur = {i for i in CURRENT_KEYS.get(key, ()) if i in area}
    # "Paris" + 75011: the arrondissement that the postal code names.
    if cp:
        for i in CURRENT_KEYS.get(key, ()):
            if i in CITIES_WITH_ARM:
                arms = {a for a in area if BY_INSEE[a]["parent"] == i}
                if len(arms) == 1:
                    cur |= arms
    if cur:
        return cur
    return {i for i in OTHER_KEYS.get(key, ()) if i in area}


def unique_in(key, insee, cp=None, dep=None):
    return designated(key, cp, dep) == {insee}


def pick(seq):
    return seq[rng.randrange(len(seq))]


def cps_of(insee):
    return sorted(COMMUNE_CPS.get(insee, ()))


def dep_text(dep):
    """A département as people write it."""
    d = DEPS[dep]
    return pick([dep, d["nom_dep"], f"{dep} - {d['nom_dep']}", d["nom_dep"].upper(),
                 dep.lstrip("0") if dep[0] == "0" else dep])


def km(lat1, lon1, lat2, lon2):
    r = math.pi / 180
    a = (math.sin((lat2 - lat1) * r / 2) ** 2 +
         math.cos(lat1 * r) * math.cos(lat2 * r) * math.sin((lon2 - lon1) * r / 2) ** 2)
    return 2 * 6371 * math.asin(min(1, math.sqrt(a)))


def jitter(lat, lon, metres):
    d = rng.uniform(0, metres) / 111320.0
    a = rng.uniform(0, 2 * math.pi)
    return lat + d * math.sin(a), lon + d * math.cos(a) / math.cos(lat * math.pi / 180)


def lambert93(lat, lon):
    """WGS 84 (≈ RGF93) to Lambert-93 metres, the EPSG:2154 conic conformal formulas."""
    a, f = 6378137.0, 1 / 298.257222101
    e = math.sqrt(2 * f - f * f)
    r = math.pi / 180

    def m(p):
        return math.cos(p) / math.sqrt(1 - (e * math.sin(p)) ** 2)

    def t(p):
        return math.tan(math.pi / 4 - p / 2) / ((1 - e * math.sin(p)) / (1 + e * math.sin(p))) ** (e / 2)

    p1, p2, p0 = 49 * r, 44 * r, 46.5 * r
    n = (math.log(m(p1)) - math.log(m(p2))) / (math.log(t(p1)) - math.log(t(p2)))
    F = m(p1) / (n * t(p1) ** n)
    rho0 = a * F * t(p0) ** n
    rho = a * F * t(lat * r) ** n
    th = n * (lon - 3) * r
    return 700000 + rho * math.sin(th), 6600000 + rho0 - rho * math.cos(th)


def fmt(v, decimals, comma=False):
    s = f"{v:.{decimals}f}"
    return s.replace(".", ",") if comma else s


# ------------------------------------------------------------------ polygons
# The commune polygons of data/geom/, read and tested by scripts/refdata/polygons.py (an
# implementation of its own): a point's commune is the one whose polygon holds it.
sys.path.insert(0, os.path.join(ROOT, "scripts", "refdata"))
import polygons  # noqa: E402

polygons.load(DATA)
MARGIN_M = 15.0   # a labelled point is at least this far inside its commune's outline


def km_outside_france(lat, lon):
    """0 inside a commune polygon, else the distance in km to the nearest one."""
    return polygons.land_m(lon, lat) / 1000.0


def holder_of(lat, lon):
    """The commune whose polygon holds the point, when the point lies at least MARGIN_M
    inside it; else None."""
    h = polygons.holders(lon, lat)
    if len(h) != 1 or polygons.boundary_m(h[0], lon, lat) < MARGIN_M:
        return None
    return h[0]


# ------------------------------------------------------------------ transformations
ARTICLES = ("Le ", "La ", "Les ", "L'")


def article_after(nom):
    for a in ARTICLES:
        if nom.startswith(a):
            rest = nom[len(a):]
            art = a.strip()
            return pick([f"{rest} ({art})", f"{rest}, {art}", f"{rest.upper()} ({art.upper()})",
                         f"{rest} {art}" if art != "L'" else f"{rest} (L')"])
    return None


ABBREV = [("Saint-", "St-"), ("Sainte-", "Ste-"), ("Saint ", "St "), ("-Saint-", "-St-"),
          ("-Sainte-", "-Ste-"), ("-sur-", " s/ "), ("-sur-", "-s/-"), ("-sur-", " S/"),
          ("Mont-", "Mt-"), ("-Mont-", "-Mt-"), ("Saints-", "Sts-")]


def abbreviate(nom):
    options = [(a, b) for a, b in ABBREV if a in nom]
    if not options:
        return None
    out = nom
    for a, b in options:
        if rng.random() < 0.8 and a in out:
            out = out.replace(a, b, 1)
    if out == nom:
        a, b = options[0]
        out = nom.replace(a, b, 1)
    if rng.random() < 0.3:
        out = out.replace("-", " ")
    return out


LETTERS = "abcdefghijklmnopqrstuvwxyz"


def one_typo(s):
    pos = [i for i, ch in enumerate(s) if ch.isalpha()]
    i = pick(pos)
    op = rng.randrange(4)
    if op == 0:  # substitution
        ch = pick([c for c in LETTERS if c != s[i].lower()])
        return s[:i] + (ch.upper() if s[i].isupper() else ch) + s[i + 1:]
    if op == 1 and len(pos) > 5:  # omission
        return s[:i] + s[i + 1:]
    if op == 2:  # insertion
        return s[:i] + pick(LETTERS) + s[i:]
    j = i + 1  # transposition of two neighbouring letters
    if j < len(s) and s[j].isalpha() and s[j].lower() != s[i].lower():
        return s[:i] + s[j] + s[i] + s[j + 1:]
    return s[:i] + pick([c for c in LETTERS if c != s[i].lower()]) + s[i + 1:]


ABBREVIATED = {"st", "ste", "sts", "stes", "mt", "hte", "ht", "htes", "hts", "gd", "gde", "gds",
               "nd", "s", "ss", "ch", "chx", "vx", "vlle", "n", "d"}


def typo(nom, area_names, insee):
    """A misspelt name whose nearest name in the area is the commune's own, or None. A
    misspelling that happens to write an abbreviation ("Vlle", "St") is not one."""
    key = fold(nom)
    letters = sum(ch.isalpha() for ch in key)
    if letters < 5:
        return None
    n = 2 if letters >= 10 and rng.random() < 0.5 else 1
    for _ in range(20):
        t = nom
        for _ in range(n):
            t = one_typo(t)
        tk = fold(t)
        if tk == key or tk in ALL_KEYS or set(tk.split()) & (ABBREVIATED - set(key.split())):
            continue
        d = damerau(tk, key)
        if d == 0 or d > n:
            continue
        if any(i != insee and damerau(tk, k, d) <= d for k, i in area_names):
            continue
        return t
    return None


def caps_noaccent(nom):
    s = strip_accents(nom)
    s = pick([s.upper(), s.lower(), s.upper(), s])
    if rng.random() < 0.4:
        s = s.replace("-", " ")
    return s


def punctuation(nom):
    forms = []
    if "'" in nom:
        forms += [nom.replace("'", "’"), nom.replace("'", " "), nom.replace("'", "' ")]
    if "-" in nom:
        forms += [nom.replace("-", " "), nom.replace("-", " - "), nom.replace("-", "  ")]
    forms += ["  " + nom + " ", unicodedata.normalize("NFD", nom)]
    return pick(forms)


STREETS = ["rue de la République", "avenue Jean Jaurès", "place de la Mairie",
           "chemin des Vignes", "boulevard Victor Hugo", "rue du Moulin", "allée des Tilleuls",
           "route de la Gare", "impasse des Artisans", "rue Pasteur", "quai des Arts",
           "rue de l'Église", "avenue du Général de Gaulle", "ZA du Pré Neuf"]


def address(nom, cp):
    num = rng.randint(1, 120)
    street = pick(STREETS)
    rep = pick(["", "", "", " bis", " ter"])
    form = rng.randrange(6)
    if form == 0:
        return f"{num}{rep} {street} {cp} {nom}"
    if form == 1:
        return f"{num}, {street}, {cp} {nom}"
    if form == 2:
        return f"{num} {street} - {cp} {nom.upper()}"
    if form == 3:
        return f"Maison des associations, {num} {street}, {cp} {nom}, France"
    if form == 4:
        return f"{num} {street} BP {rng.randint(1, 400)} {cp} {nom}"
    return f"{street.capitalize()} {cp} {nom}"


# ------------------------------------------------------------------ case writers
cases = []
seen = set()


def add(category, expected_status, expected_insee="", **fields):
    row = {h: "" for h in HEADER}
    row.update(fields)
    row["category"] = category
    row["expected_status"] = expected_status
    row["expected_insee"] = expected_insee
    sig = tuple(row[h] for h in HEADER if h not in ("id",))
    if sig in seen:
        return False
    for h in HEADER:
        v = row[h]
        if ";" in v or '"' in v or "\n" in v or "\r" in v:
            raise ValueError(f"bad character in {h}: {v!r}")
    seen.add(sig)
    row["id"] = f"GC-{len(cases) + 1:04d}"
    cases.append(row)
    return True


def fill(category, n, make, tries=4000):
    count = 0
    for _ in range(tries):
        if count >= n:
            break
        if make():
            count += 1
    if count < n:
        raise SystemExit(f"{category}: only {count} cases out of {n}")


PLAIN = [c for c in CURRENT if c["insee"] not in CITIES_WITH_ARM]


def random_commune(pred=None):
    while True:
        c = pick(PLAIN)
        if pred is None or pred(c):
            return c


def name_cp_case(category, transform, pred=None, use_dep=0.0):
    c = random_commune(pred)
    nom = transform(c["nom"])
    if not nom:
        return False
    key = fold(nom)
    if rng.random() < use_dep:
        if not unique_in(key, c["insee"], dep=c["code_dep"]):
            return False
        return add(category, "match", c["insee"], commune=nom, departement=dep_text(c["code_dep"]))
    cps = cps_of(c["insee"])
    if not cps:
        return False
    cp = pick(cps)
    if not unique_in(key, c["insee"], cp=cp):
        return False
    return add(category, "match", c["insee"], commune=nom, code_postal=cp)


def make_clean_insee():
    c = pick(COMMUNES)
    form = rng.randrange(10)
    if form < 5:
        return add("clean_insee", "match", c["insee"], insee=c["insee"])
    cps = cps_of(c["insee"])
    if form < 8 or not cps:
        return add("clean_insee", "match", c["insee"], insee=c["insee"], commune=c["nom"])
    return add("clean_insee", "match", c["insee"], insee=c["insee"], commune=c["nom"],
               code_postal=pick(cps))


def make_old_code():
    f = pick(FORMER_COG)
    if f["insee_actuel"] == f["code"] or f["code"] in BY_INSEE:
        return False
    cur = BY_INSEE.get(f["insee_actuel"])
    if not cur:
        return False
    form = rng.randrange(4)
    if form == 0 and f["nom"]:
        return add("old_code", "match", cur["insee"], insee=f["code"], commune=f["nom"])
    if form == 1:
        return add("old_code", "match", cur["insee"], insee=f["code"], commune=cur["nom"])
    return add("old_code", "match", cur["insee"], insee=f["code"])


def make_deleguee():
    f = pick(FORMER_COG)
    if f["type"] not in ("COMD", "COMA") or not f["nom"]:
        return False
    cur = BY_INSEE.get(f["insee_actuel"])
    if not cur or f["cle"] == cur["cle"]:
        return False
    nom = f["nom"] if rng.random() < 0.7 else caps_noaccent(f["nom"])
    key = fold(nom)
    if rng.random() < 0.5:
        # the postal code La Poste gives to the former commune, else one of the current one
        cps = sorted(p["code_postal"] for p in POSTAL
                     if p["insee"] == cur["insee"] and p["cle_laposte"] == f["cle"]) or cps_of(cur["insee"])
        if not cps:
            return False
        cp = pick(cps)
        if not unique_in(key, cur["insee"], cp=cp):
            return False
        return add("deleguee", "match", cur["insee"], commune=nom, code_postal=cp)
    if not unique_in(key, cur["insee"], dep=cur["code_dep"]):
        return False
    return add("deleguee", "match", cur["insee"], commune=nom,
               departement=dep_text(cur["code_dep"]))


def make_typo(category, with_cp):
    c = random_commune()
    if with_cp:
        cps = cps_of(c["insee"])
        if not cps:
            return False
        cp = pick(cps)
        area = set(CP_COMMUNES[cp])
        names = [(k, i) for k, i in DEP_NAMES[c["code_dep"]]]
        for d in dep_of_cp(cp):
            names += DEP_NAMES.get(d, [])
        names += [(BY_INSEE[i]["cle"], i) for i in area]
        t = typo(c["nom"], names, c["insee"])
        if not t:
            return False
        return add(category, "match", c["insee"], commune=t, code_postal=cp)
    t = typo(c["nom"], DEP_NAMES[c["code_dep"]], c["insee"])
    if not t:
        return False
    return add(category, "match", c["insee"], commune=t, departement=dep_text(c["code_dep"]))


def make_cp_only_unique():
    cp = pick(sorted(CP_COMMUNES))
    if len(CP_COMMUNES[cp]) != 1:
        return False
    (insee,) = CP_COMMUNES[cp]
    return add("cp_only_unique", "match", insee, code_postal=cp)


def make_cp_shared():
    cp = pick(sorted(CP_COMMUNES))
    if len(CP_COMMUNES[cp]) < 2:
        return False
    insee = pick(sorted(CP_COMMUNES[cp]))
    c = BY_INSEE[insee]
    if c["type"] != "COM":
        return False
    nom = c["nom"] if rng.random() < 0.6 else caps_noaccent(c["nom"])
    if not unique_in(fold(nom), insee, cp=cp):
        return False
    return add("cp_shared_with_name", "match", insee, commune=nom, code_postal=cp)


def make_cedex():
    c = pick(CURRENT)
    if c["population"] < 3000:
        return False
    dep = c["code_dep"]
    prefix = "20" if dep in ("2A", "2B") else dep
    while True:
        code = prefix + "".join(str(rng.randrange(10)) for _ in range(5 - len(prefix)))
        if code not in CP_COMMUNES:
            break
    deps = ["2A", "2B"] if dep in ("2A", "2B") else [dep]
    key = c["cle"]
    found = set()
    for d in deps:
        found |= designated(key, dep=d)
    if found != {c["insee"]}:
        return False
    nom = c["nom"]
    n = rng.randint(1, 9)
    form = rng.randrange(4)
    if form == 0:
        return add("cedex", "match", c["insee"], code_postal=code, commune=f"{nom} Cedex {n}")
    if form == 1:
        return add("cedex", "match", c["insee"], code_postal=f"{code} CEDEX", commune=nom)
    if form == 2:
        return add("cedex", "match", c["insee"], commune=f"{code} {nom.upper()} CEDEX {n:02d}")
    return add("cedex", "match", c["insee"],
               adresse=f"BP {rng.randint(1, 900)} {code} {nom} Cedex")


def make_cp_lost_zero():
    c = random_commune(lambda c: c["code_dep"] < "10" and c["code_dep"] not in ("2A", "2B"))
    cps = [cp for cp in cps_of(c["insee"]) if cp.startswith("0")]
    if not cps:
        return False
    cp = pick(cps)
    nom = c["nom"]
    if not unique_in(fold(nom), c["insee"], cp=cp):
        return False
    form = rng.randrange(3)
    if form == 0:
        return add("cp_lost_zero", "match", c["insee"], code_postal=cp[1:], commune=nom)
    if form == 1:
        return add("cp_lost_zero", "match", c["insee"], commune=f"{cp[1:]} {nom}")
    return add("cp_lost_zero", "match", c["insee"], code_postal=cp[1:],
               commune=caps_noaccent(nom))


ROMAN = ["", "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII",
         "XIV", "XV", "XVI", "XVII", "XVIII", "XIX", "XX"]


def make_arrondissement():
    a = pick(ARM)
    city = BY_INSEE[a["parent"]]["nom"]
    k = int(a["insee"][-2:]) if a["parent"] != "69123" else int(a["insee"][-1])
    cps = [cp for cp in cps_of(a["insee"]) if CP_COMMUNES[cp] == {a["insee"]}]
    form = rng.choice([0, 1, 2, 3, 4, 5, 6, 8])
    suffix = "er" if k == 1 else "e"
    if form == 0:
        return add("arrondissement", "match", a["insee"], commune=f"{city} {k}{suffix}")
    if form == 1:
        return add("arrondissement", "match", a["insee"],
                   commune=f"{city.upper()} {k}{'ER' if k == 1 else 'EME'}")
    if form == 2:
        return add("arrondissement", "match", a["insee"], commune=f"{city} {k}ème")
    if form == 3:
        return add("arrondissement", "match", a["insee"],
                   commune=f"{city} {ROMAN[k]}{suffix} arrondissement")
    if form == 4 and cps:
        return add("arrondissement", "match", a["insee"], code_postal=pick(cps))
    if form == 5 and cps:
        return add("arrondissement", "match", a["insee"], code_postal=pick(cps), commune=city)
    if form == 6:
        return add("arrondissement", "match", a["insee"], insee=a["insee"])
    if form == 8 and cps:
        return add("arrondissement", "match", a["insee"],
                   adresse=f"{rng.randint(1, 90)} {pick(STREETS)} {pick(cps)} {city}")
    return False


def make_city_shared_cp():
    """The city's name and a postal code of an arrondissement, which may serve several
    (Marseille 13012): the arrondissement when the code serves one, else the city."""
    a = pick(ARM)
    city = BY_INSEE[a["parent"]]
    cps = cps_of(a["insee"])
    if not cps:
        return False
    cp = pick(cps)
    arms = {i for i in CP_COMMUNES[cp] if BY_INSEE[i].get("parent") == city["insee"]}
    expected = next(iter(arms)) if len(arms) == 1 else city["insee"]
    nom = city["nom"] if rng.random() < 0.7 else city["nom"].upper()
    return add("city_shared_cp", "match", expected, commune=nom, code_postal=cp)


def make_article_omitted():
    """A name whose leading article is left out ("Mans" + 72000), with its postal code or
    its département, when no commune of that area bears the bare name."""
    c = random_commune(lambda c: c["nom"].startswith(ARTICLES))
    nom = c["nom"]
    for a in ARTICLES:
        if nom.startswith(a):
            nom = nom[len(a):]
            break
    if fold(nom) in ALL_KEYS:
        return False
    if rng.random() < 0.3:
        if not unique_in(fold(c["nom"]), c["insee"], dep=c["code_dep"]):
            return False
        return add("article_omitted", "match", c["insee"], commune=nom,
                   departement=dep_text(c["code_dep"]))
    cps = cps_of(c["insee"])
    if not cps:
        return False
    cp = pick(cps)
    if not unique_in(fold(c["nom"]), c["insee"], cp=cp):
        return False
    return add("article_omitted", "match", c["insee"], commune=nom, code_postal=cp)


def make_overseas():
    c = pick([c for c in CURRENT if c["code_dep"] >= "971"])
    form = rng.randrange(4)
    if form == 0:
        return add("overseas", "match", c["insee"], insee=c["insee"])
    if form == 3:
        if not unique_in(c["cle"], c["insee"], dep=c["code_dep"]):
            return False
        return add("overseas", "match", c["insee"], commune=c["nom"],
                   departement=dep_text(c["code_dep"]))
    cps = cps_of(c["insee"])
    if not cps:
        return False
    cp = pick(cps)
    nom = c["nom"] if form == 1 else caps_noaccent(c["nom"])
    if not unique_in(fold(nom), c["insee"], cp=cp):
        return False
    return add("overseas", "match", c["insee"], commune=nom, code_postal=cp)


def make_corsica():
    c = pick([c for c in CURRENT if c["code_dep"] in ("2A", "2B")])
    form = rng.randrange(5)
    if form == 0:
        return add("corsica", "match", c["insee"], insee=c["insee"])
    if form == 1:
        return add("corsica", "match", c["insee"], insee=c["insee"].lower())
    if form == 2:
        if not unique_in(c["cle"], c["insee"], dep=c["code_dep"]):
            return False
        return add("corsica", "match", c["insee"], commune=c["nom"],
                   departement=dep_text(c["code_dep"]))
    cps = cps_of(c["insee"])
    if not cps:
        return False
    cp = pick(cps)
    nom = c["nom"] if form == 3 else caps_noaccent(c["nom"])
    if not unique_in(fold(nom), c["insee"], cp=cp):
        return False
    return add("corsica", "match", c["insee"], commune=nom, code_postal=cp)


HOMONYMS = sorted(k for k, v in CURRENT_KEYS.items()
                  if len([i for i in v if BY_INSEE[i]["type"] == "COM"]) > 1)


def make_homonym_separated():
    key = pick(HOMONYMS)
    insee = pick(sorted(CURRENT_KEYS[key]))
    c = BY_INSEE[insee]
    nom = c["nom"] if rng.random() < 0.7 else caps_noaccent(c["nom"])
    if rng.random() < 0.5:
        cps = cps_of(insee)
        if not cps:
            return False
        cp = pick(cps)
        if not unique_in(fold(nom), insee, cp=cp):
            return False
        return add("homonym_separated", "match", insee, commune=nom, code_postal=cp)
    if not unique_in(fold(nom), insee, dep=c["code_dep"]):
        return False
    return add("homonym_separated", "match", insee, commune=nom,
               departement=dep_text(c["code_dep"]))


def make_homonym_ambiguous():
    key = pick(HOMONYMS)
    insee = pick(sorted(CURRENT_KEYS[key]))
    c = BY_INSEE[insee]
    nom = pick([c["nom"], caps_noaccent(c["nom"]), c["nom"].upper()])
    if rng.random() < 0.2:
        # the one postal code two homonyms share
        for cp, communes in sorted(CP_COMMUNES.items()):
            keys = [BY_INSEE[i]["cle"] for i in communes]
            dup = [k for k in set(keys) if keys.count(k) > 1]
            if dup:
                i = sorted(i for i in communes if BY_INSEE[i]["cle"] == dup[0])[0]
                return add("homonym_ambiguous", "ambiguous", "", commune=BY_INSEE[i]["nom"],
                           code_postal=cp)
    return add("homonym_ambiguous", "ambiguous", "", commune=nom)


def make_address():
    c = pick(CURRENT)
    target = c
    if c["insee"] in CITIES_WITH_ARM:
        target = pick([a for a in ARM if a["parent"] == c["insee"]])
    cps = [cp for cp in cps_of(target["insee"])]
    if not cps:
        return False
    cp = pick(cps)
    if not unique_in(c["cle"], target["insee"], cp=cp):
        return False
    return add("address_in_cell", "match", target["insee"], adresse=address(c["nom"], cp))


def coords_case(category, swap=False, lambert=False):
    c = random_commune(lambda c: c["precision"] == "geonames")
    alone = rng.random() < 0.3
    lat, lon = jitter(c["lat"], c["lon"], 150 if alone else 800)
    # Coordinates alone: the commune whose polygon holds the point (as it is written).
    if alone and holder_of(round(lat, 4), round(lon, 4)) != c["insee"]:
        return False
    fields = {}
    if lambert:
        x, y = lambert93(lat, lon)
        if c["code_dep"] >= "971":
            return False
        if rng.random() < 0.7:
            fields.update(x=fmt(x, rng.choice([0, 1, 2])), y=fmt(y, rng.choice([0, 1, 2])))
        else:
            fields.update(latitude=fmt(y, 1, True), longitude=fmt(x, 1, True))
    else:
        comma = not swap or rng.random() < 0.5
        if swap:
            lat, lon = lon, lat
        fields.update(latitude=fmt(lat, rng.choice([4, 5, 6]), comma),
                      longitude=fmt(lon, rng.choice([4, 5, 6]), comma))
    if not alone:
        cps = cps_of(c["insee"])
        if not cps:
            return False
        cp = pick(cps)
        if not unique_in(c["cle"], c["insee"], cp=cp):
            return False
        fields.update(commune=c["nom"], code_postal=cp)
    return add(category, "match", c["insee"], **fields)


def make_far():
    c = random_commune()
    o = random_commune(lambda o: o["precision"] == "geonames" and o["code_dep"] < "97")
    if c["code_dep"] >= "97" or km(c["lat"], c["lon"], o["lat"], o["lon"]) < 80:
        return False
    lat, lon = fmt(o["lat"], 5), fmt(o["lon"], 5)
    form = rng.randrange(4)
    if form == 0:
        return add("coords_far_from_commune", "match", c["insee"], insee=c["insee"],
                   latitude=lat, longitude=lon)
    if form == 1:
        if not unique_in(c["cle"], c["insee"], dep=c["code_dep"]):
            return False
        return add("coords_far_from_commune", "match", c["insee"], commune=c["nom"],
                   departement=dep_text(c["code_dep"]), latitude=lat, longitude=lon)
    if form == 2:
        # coordinates alone with a département they fall far outside of: the point's
        # commune, flagged
        if o["code_dep"] == c["code_dep"] or holder_of(float(lat), float(lon)) != o["insee"]:
            return False
        return add("coords_far_from_commune", "match", o["insee"],
                   departement=dep_text(c["code_dep"]), latitude=lat, longitude=lon)
    cps = cps_of(c["insee"])
    if not cps:
        return False
    cp = pick(cps)
    if not unique_in(c["cle"], c["insee"], cp=cp):
        return False
    return add("coords_far_from_commune", "match", c["insee"], commune=c["nom"], code_postal=cp,
               latitude=lat, longitude=lon)


JUNK = ["N/A", "NC", "n.c.", "?", "???", "-", "--", "xxx", "XXXXX", "#N/A", "#REF!", "#VALEUR!",
        "0", "inconnu", "Inconnue", "à compléter", "A définir", "voir siège", "néant", "TBD",
        "test", "azerty", "qsdfghjkl", "Lorem ipsum", "null", "NULL", "None", "undefined",
        "Siège social", "Adresse postale", "idem", "cf. ci-dessus", "en cours", "***", "/",
        "ras", "non renseigné", "pas d'adresse", "1/1/2020", "☺", "\u00a0"]
JUNK_CP = ["ABCDE", "0", "999", "123456", "00000", "99999", "xx", "-", "NC", "7500O"]
JUNK_INSEE = ["ZZZZZ", "00000", "99999", "12", "NC", "ABC12", "123456"]
JUNK_COORD = ["0", "abc", "-", "N/A", "999", "1e400"]


def clean_junk(s):
    return fold(s) not in ALL_KEYS


def make_garbage():
    fields = {}
    n = 0
    if rng.random() < 0.8:
        w = pick(JUNK)
        if rng.random() < 0.3:
            w = "".join(pick(LETTERS) for _ in range(rng.randint(4, 9)))
        if not clean_junk(w):
            return False
        fields["commune"] = w
        n += 1
    if rng.random() < 0.4:
        fields["code_postal"] = pick(JUNK_CP)
        n += 1
    if rng.random() < 0.3:
        fields["insee"] = pick(JUNK_INSEE)
        n += 1
    if rng.random() < 0.3:
        w = pick(JUNK)
        if not clean_junk(w):
            return False
        fields["adresse"] = w
        n += 1
    if rng.random() < 0.2:
        fields["latitude"] = pick(JUNK_COORD)
        fields["longitude"] = pick(JUNK_COORD)
        n += 1
    if n == 0:
        return False
    return add("garbage", "reject", "", **fields)


FOREIGN = [
    # city, country, postal code as written there, lat, lon
    ("Genève", "Suisse", "1201", 46.2044, 6.1432),
    ("Lausanne", "Suisse", "1003", 46.5197, 6.6323),
    ("Bâle", "Suisse", "CH-4051", 47.5596, 7.5886),
    ("Zurich", "Suisse", "8001", 47.3769, 8.5417),
    ("Bruxelles", "Belgique", "1000", 50.8503, 4.3517),
    ("Liège", "Belgique", "B-4000", 50.6326, 5.5797),
    ("Namur", "Belgique", "5000", 50.4674, 4.8718),
    ("Anvers", "Belgique", "2000", 51.2194, 4.4025),
    ("Luxembourg", "Luxembourg", "L-1111", 49.6116, 6.1319),
    ("Sarrebruck", "Allemagne", "D-66111", 49.2402, 6.9969),
    ("Karlsruhe", "Allemagne", "76131", 49.0069, 8.4037),
    ("Stuttgart", "Allemagne", "70173", 48.7758, 9.1829),
    ("Turin", "Italie", "10121", 45.0703, 7.6869),
    ("Milan", "Italie", "20121", 45.4642, 9.19),
    ("Gênes", "Italie", "16121", 44.4056, 8.9463),
    ("Barcelone", "Espagne", "08001", 41.3874, 2.1686),
    ("Saragosse", "Espagne", "50001", 41.6488, -0.8891),
    ("Bilbao", "Espagne", "48001", 43.263, -2.935),
    ("Andorre-la-Vieille", "Andorre", "AD500", 42.5063, 1.5218),
    ("Londres", "Royaume-Uni", "SW1A 1AA", 51.5074, -0.1278),
    ("Montréal", "Canada", "H2X 1Y4", 45.5017, -73.5673),
    ("Québec", "Canada", "G1R 4P5", 46.8139, -71.208),
    ("Casablanca", "Maroc", "20000", 33.5731, -7.5898),
    ("Tunis", "Tunisie", "1000", 36.8065, 10.1815),
    ("Dakar", "Sénégal", "10200", 14.7167, -17.4677),
    ("Amsterdam", "Pays-Bas", "1012 AB", 52.3676, 4.9041),
    ("Lisbonne", "Portugal", "1100-148", 38.7223, -9.1393),
    ("Porto", "Portugal", "4000-322", 41.1579, -8.6291),
]
FOREIGN_OK = []
for city, country, cp, lat, lon in FOREIGN:
    FOREIGN_OK.append((city, country, cp, lat, lon, km_outside_france(lat, lon) > 3.0))


def french_neighbour(city, cp):
    """True when a French name of the département the postal code implies is within two
    typing errors of the foreign city: such a row cannot be told apart."""
    digits = "".join(ch for ch in cp if ch.isdigit())
    if len(digits) == 4:
        digits = "0" + digits
    if len(digits) != 5 or not ("01000" <= digits <= "98999"):
        return False
    k = fold(city)
    deps = [d for d in dep_of_cp(digits) if d in DEPS]
    for d in deps:
        if any(damerau(k, name, 2) <= 2 for name, _ in DEP_NAMES[d]):
            return True
    return False


def make_foreign():
    city, country, cp, lat, lon, far = pick(FOREIGN_OK)
    french = fold(city) in ALL_KEYS
    form = rng.randrange(6)
    if form == 0:
        return add("foreign", "reject", "", commune=f"{city} ({country})")
    if form == 1:
        return add("foreign", "reject", "",
                   adresse=f"{rng.randint(1, 90)} rue du Lac, {cp} {city}, {country}")
    if form == 2 and not french and not french_neighbour(city, cp):
        return add("foreign", "reject", "", commune=city, code_postal=cp)
    if form == 3 and far:
        return add("foreign", "reject", "", latitude=fmt(lat, 4, True), longitude=fmt(lon, 4, True))
    if form == 4 and not french:
        return add("foreign", "reject", "", commune=city)
    if form == 5 and far:
        return add("foreign", "reject", "", commune=f"{city}, {country.upper()}",
                   latitude=fmt(lat, 5), longitude=fmt(lon, 5))
    return False


# ------------------------------------------------------------------ principles
def make_insee_lost_zero():
    c = random_commune(lambda c: c["insee"][0] == "0")
    return add("insee_lost_zero", "match", c["insee"], insee=c["insee"][1:])


def make_name_only_unique():
    c = random_commune()
    nom = c["nom"] if rng.random() < 0.6 else caps_noaccent(c["nom"])
    key = fold(nom)
    if CURRENT_KEYS.get(key) != {c["insee"]} or OTHER_KEYS.get(key, {c["insee"]}) != {c["insee"]}:
        return False
    return add("name_only_unique", "match", c["insee"], commune=nom)


def make_dep_in_name():
    """A homonym told apart by a département written in the name: "Saint-Denis (93)"."""
    key = pick(HOMONYMS)
    insee = pick(sorted(CURRENT_KEYS[key]))
    c = BY_INSEE[insee]
    if not unique_in(key, insee, dep=c["code_dep"]):
        return False
    d = DEPS[c["code_dep"]]
    hint = pick([c["code_dep"], d["nom_dep"]])
    return add("dep_in_name", "match", insee, commune=f"{c['nom']} ({hint})")


def make_cp_wrong_same_dep():
    """A name with the postal code of another commune of its département."""
    c = random_commune()
    others = sorted({cp for o in DEP_COMMUNES[c["code_dep"]] for cp in COMMUNE_CPS.get(o["insee"], ())
                     if cp not in COMMUNE_CPS.get(c["insee"], ())
                     and dep_of_cp(cp) == [c["code_dep"]]})
    if not others:
        return False
    cp = pick(others)
    if designated(c["cle"], cp=cp) or not unique_in(c["cle"], c["insee"], dep=c["code_dep"]):
        return False
    return add("cp_wrong_same_dep", "match", c["insee"], commune=c["nom"], code_postal=cp)


def make_typo_without_area():
    """A misspelt name and nothing else: typing errors are not forgiven without an area."""
    c = random_commune()
    t = typo(c["nom"], [], c["insee"])
    if not t:
        return False
    return add("typo_without_area", "reject", "", commune=t)


def make_typo_other_dep():
    """A misspelt name with a département it is not in: no match across départements."""
    c = random_commune()
    dep = pick(sorted(DEPS))
    if dep == c["code_dep"]:
        return False
    t = typo(c["nom"], [], c["insee"])
    if not t:
        return False
    tk = fold(t)
    if any(damerau(tk, k, 2) <= 2 for k, _ in DEP_NAMES[dep]):
        return False
    return add("typo_other_dep", "reject", "", commune=t, departement=dep_text(dep))


def make_insee_name_conflict():
    """An INSEE code and the name of another commune, far away: nobody can tell."""
    a = random_commune()
    b = random_commune()
    if a["code_dep"] == b["code_dep"] or CURRENT_KEYS.get(b["cle"]) != {b["insee"]}:
        return False
    if b["cle"] in OTHER_KEYS and OTHER_KEYS[b["cle"]] != {b["insee"]}:
        return False
    if damerau(a["cle"], b["cle"], 2) <= 2:
        return False
    return add("insee_name_conflict", "ambiguous", "", insee=a["insee"], commune=b["nom"])


# ------------------------------------------------------------------ forms people type (issue 10)
# A qualifier written after the commune, as the geocoder reads it (geocode_read_qualifier):
# set apart by a comma, a parenthesis, a spaced dash or a slash, or as the last words when
# the whole text is no known name. Each is drawn from the reference tables; the expected
# answer is the rule above applied inside the départements the qualifier names.
FRANCE_FORMS = ["France", "FRANCE", "france", "FR", "République française", "France métropolitaine"]
SEPARATED = ["{n}, {q}", "{n} ({q})", "{n} - {q}", "{n} / {q}", "{n},{q}", "{n} – {q}"]
BARE = ["{n} {q}"]


def designated_in(key, deps):
    """designated() over several départements at once (current names first)."""
    area = {c["insee"] for d in deps for c in DEP_COMMUNES.get(d, [])}
    cur = {i for i in CURRENT_KEYS.get(key, ()) if i in area}
    if cur:
        return cur
    return {i for i in OTHER_KEYS.get(key, ()) if i in area}


def qualified(nom, q, bare_ok=True):
    forms = SEPARATED + (BARE if bare_ok else [])
    typed = pick(forms).format(n=nom, q=q)
    if typed.endswith(f" {q}") and fold(typed) in ALL_KEYS:
        return None  # the whole text is a name: not read as a qualifier
    return typed


def expect(category, found, insee, **fields):
    if found == {insee}:
        return add(category, "match", insee, **fields)
    if len(found) > 1:
        return add(category, "ambiguous", "", **fields)
    return False


def make_country_suffix():
    c = random_commune()
    nom = c["nom"] if rng.random() < 0.7 else caps_noaccent(c["nom"])
    typed = qualified(nom, pick(FRANCE_FORMS))
    if not typed:
        return False
    key = fold(nom)
    form = rng.randrange(3)
    if form == 0:
        cps = cps_of(c["insee"])
        if not cps:
            return False
        cp = pick(cps)
        return expect("country_suffix", designated(key, cp=cp), c["insee"], commune=typed,
                      code_postal=cp)
    if form == 1:
        return expect("country_suffix", designated(key, dep=c["code_dep"]), c["insee"],
                      commune=typed, departement=dep_text(c["code_dep"]))
    found = set(CURRENT_KEYS.get(key, ())) or set(OTHER_KEYS.get(key, ()))
    if OTHER_KEYS.get(key, set()) - found:
        return False  # a former or La Poste name of another commune: not settled by rule
    return expect("country_suffix", found, c["insee"], commune=typed)


def make_postcode_in_cell():
    c = random_commune()
    cps = cps_of(c["insee"])
    if not cps:
        return False
    cp = pick(cps)
    short = cp[1:] if cp[0] == "0" and rng.random() < 0.4 else cp
    nom = c["nom"] if rng.random() < 0.7 else caps_noaccent(c["nom"])
    form = rng.randrange(8)
    if form <= 1:
        # the postal code alone: its only commune, else ambiguous
        communes = CP_COMMUNES[cp]
        if len(communes) == 1:
            (insee,) = communes
            return add("postcode_in_cell", "match", insee, commune=short)
        return add("postcode_in_cell", "ambiguous", "", commune=short)
    typed = [f"{short} {nom}", f"{nom} {short}", f"{nom} ({short})", f"{nom}, {short}",
             f"{short} - {nom}", f"{nom} - {short}"][form - 2]
    return expect("postcode_in_cell", designated(fold(nom), cp=cp), c["insee"], commune=typed)


TERRITORY_FORMS = {
    "971": ["Guadeloupe", "GUADELOUPE", "la Guadeloupe", "971"],
    "972": ["Martinique", "MARTINIQUE", "la Martinique", "972"],
    "973": ["Guyane", "Guyane française", "GUYANE", "973"],
    "974": ["La Réunion", "Réunion", "REUNION", "Île de la Réunion", "974"],
    "976": ["Mayotte", "MAYOTTE", "976"],
}
GROUP_FORMS = [("DOM", ["971", "972", "973", "974", "976"]),
               ("DOM-TOM", ["971", "972", "973", "974", "976"]),
               ("Outre-mer", ["971", "972", "973", "974", "976"]),
               ("Antilles", ["971", "972"]), ("océan Indien", ["974", "976"])]


OVERSEAS = [c for c in CURRENT if c["code_dep"] >= "971"]
OVERSEAS_HOMONYMS = [c for c in OVERSEAS
                     if len([o for o in OVERSEAS if o["cle"] == c["cle"]]) > 1]


def make_overseas_suffix():
    # a third of the draws among the names two territories share ("Sainte-Anne"): the
    # territory settles them, "DOM" does not
    c = pick(OVERSEAS_HOMONYMS if rng.random() < 0.3 else OVERSEAS)
    nom = c["nom"] if rng.random() < 0.7 else caps_noaccent(c["nom"])
    if rng.random() < 0.35:
        label, deps = pick(GROUP_FORMS)
        if c["code_dep"] not in deps:
            return False
    else:
        label, deps = pick(TERRITORY_FORMS[c["code_dep"]]), [c["code_dep"]]
    typed = qualified(nom, label)
    if not typed:
        return False
    return expect("overseas_suffix", designated_in(fold(nom), deps), c["insee"], commune=typed)


def make_departement_suffix():
    c = random_commune(lambda c: c["code_dep"] < "971")
    d = DEPS[c["code_dep"]]
    nom = c["nom"] if rng.random() < 0.7 else caps_noaccent(c["nom"])
    form = rng.randrange(6)
    deps = [c["code_dep"]]
    if form == 0:
        q = d["nom_dep"]
    elif form == 1:
        q = d["nom_dep"].upper()
    elif form == 2:
        q = c["code_dep"]
    elif form == 3:
        q = f"{d['nom_dep']}, France"
        typed = f"{nom} ({q})"
        return expect("departement_suffix", designated(fold(nom), dep=c["code_dep"]),
                      c["insee"], commune=typed)
    elif form == 4:
        q = pick([f"dépt {c['code_dep']}", f"Département {c['code_dep']}"])
        typed = f"{nom} ({q})"
        return expect("departement_suffix", designated(fold(nom), dep=c["code_dep"]),
                      c["insee"], commune=typed)
    else:
        regions = {r["code_reg"]: r for r in REGIONS}
        r = regions[c["code_reg"]]
        q = r["nom_reg"]
        deps = [k for k, v in DEPS.items() if v["code_reg"] == c["code_reg"]]
    typed = qualified(nom, q)
    if not typed:
        return False
    return expect("departement_suffix", designated_in(fold(nom), deps), c["insee"],
                  commune=typed)


def sous_sur(nom):
    forms = []
    if "-sous-" in nom:
        forms += [nom.replace("-sous-", " s/s "), nom.replace("-sous-", "-s/s-"),
                  nom.replace("-sous-", " S/S "), nom.replace("-sous-", " ss ")]
    if "-sur-" in nom:
        forms += [nom.replace("-sur-", " s/ "), nom.replace("-sur-", "-s/"),
                  nom.replace("-sur-", " S/"), nom.replace("-sur-", " s/")]
    if not forms:
        return None
    out = pick(forms)
    return out.upper() if rng.random() < 0.2 else out


def make_spelling(category, transform):
    """A spelling that stands for the commune's own name ("s/" for "sur", "lez" for "lès"):
    the expected commune is the one the own name designates in the area the row gives."""
    c = random_commune()
    typed = transform(c["nom"])
    if not typed or fold(typed) in ALL_KEYS:
        return False
    own = c["cle"]
    form = rng.randrange(3)
    if form == 0:
        cps = cps_of(c["insee"])
        if not cps:
            return False
        cp = pick(cps)
        return expect(category, designated(own, cp=cp), c["insee"], commune=typed, code_postal=cp)
    if form == 1:
        return expect(category, designated(own, dep=c["code_dep"]), c["insee"], commune=typed,
                      departement=dep_text(c["code_dep"]))
    found = set(CURRENT_KEYS.get(own, ()))
    if not found or OTHER_KEYS.get(own, set()) - found:
        return False
    return expect(category, found, c["insee"], commune=typed)


def make_garbage_qualified():
    """Junk, or no name at all, with a qualifier: still nothing to place."""
    q = pick(FRANCE_FORMS + [l for l, _ in GROUP_FORMS])
    form = rng.randrange(3)
    if form == 0:
        typed = pick([q, f"({q})", f"- {q}", f", {q}"])
    else:
        w = pick(JUNK) if form == 1 else "".join(pick(LETTERS) for _ in range(rng.randint(5, 9)))
        if not clean_junk(w) or not fold(w):
            return False
        typed = pick(SEPARATED + BARE).format(n=w, q=q)
        if not clean_junk(typed):
            return False
    return add("garbage_qualified", "reject", "", commune=typed)


def lez_les(nom):
    for a, b in (("-lès-", "-lez-"), ("-lez-", "-lès-"), ("-lès-", " lez "), ("-lez-", " les ")):
        if a in nom:
            out = nom.replace(a, b)
            return None if fold(out) in ALL_KEYS else out
    return None


# ------------------------------------------------------------------ issue: census exports
# Former names from the IGN 2018 file, a code with a part of its name, numbers as a
# spreadsheet writes them, coordinates in degrees-minutes-seconds or with hemisphere
# letters, département names written every way. Drawn last (see main).

NAMED_2018 = [f for f in FORMER if f["nom"] and f["type"] in ("ANC", "NOM")]
LITTLE = {"le", "la", "les", "l", "saint", "sainte", "saints", "saintes"}


def make_former_2018_name():
    f = pick(NAMED_2018)
    cur = BY_INSEE.get(f["insee_actuel"])
    if not cur or f["cle"] == cur["cle"]:
        return False
    nom = f["nom"] if rng.random() < 0.7 else caps_noaccent(f["nom"])
    if fold(nom) != f["cle"]:
        return False
    cps = cps_of(cur["insee"])
    if cps and rng.random() < 0.5:
        cp = pick(cps)
        if not unique_in(f["cle"], cur["insee"], cp=cp):
            return False
        return add("former_2018_name", "match", cur["insee"], commune=nom, code_postal=cp)
    if not unique_in(f["cle"], cur["insee"], dep=cur["code_dep"]):
        return False
    return add("former_2018_name", "match", cur["insee"], commune=nom,
               departement=dep_text(cur["code_dep"]))


def make_insee_name_part():
    """The code and its commune's first word ("Bourg" with 01053), or its 2018 name."""
    if rng.random() < 0.25:
        f = pick([f for f in NAMED_2018 if f["type"] == "NOM"])
        return add("insee_name_part", "match", f["code"], insee=f["code"], commune=f["nom"])
    c = random_commune()
    words = c["nom"].replace("'", " ").replace("-", " ").split()
    if len(words) < 2 or len(words[0]) < 4 or fold(words[0]) in LITTLE:
        return False
    cps = cps_of(c["insee"])
    cp = pick(cps) if cps and rng.random() < 0.5 else ""
    return add("insee_name_part", "match", c["insee"], insee=c["insee"], commune=words[0],
               code_postal=cp)


def make_code_number():
    """INSEE or postal codes a spreadsheet turned into numbers: "1053", "56152.0"."""
    c = random_commune()
    number = lambda code: code.lstrip("0") + pick([".0", ",0", ".00", ""])
    if rng.random() < 0.5:
        return add("code_number", "match", c["insee"], insee=number(c["insee"]))
    cps = cps_of(c["insee"])
    if not cps:
        return False
    cp = pick(cps)
    if not unique_in(c["cle"], c["insee"], cp=cp):
        return False
    return add("code_number", "match", c["insee"], commune=c["nom"], code_postal=number(cp))


def dms(v, latitude):
    letter = ("S" if v < 0 else "N") if latitude else ("O" if v < 0 else "E")
    a = abs(v)
    d = int(a)
    m = int((a - d) * 60)
    sec = round(((a - d) * 60 - m) * 60, 2)
    if sec >= 60:
        sec, m = 0.0, m + 1
    if m >= 60:
        m, d = 0, d + 1
    # (the case file holds no double quote: the seconds' sign is ″ or two apostrophes)
    text = pick([f"{d}°{m}'{sec:.2f}''{letter}", f"{d}° {m}′ {sec:.2f}″ {letter}",
                 f"{d}°{m}’{sec:.2f}″{letter}"])
    if rng.random() < 0.3:
        text = text.replace(".", ",")
    value = d + m / 60 + sec / 3600
    return text, -value if letter in "SO" else value


def make_coords_dms_letters():
    """Coordinates alone, in degrees-minutes-seconds or decimal degrees with hemisphere
    letters (in the right columns or swapped): the commune whose polygon holds the point as
    written."""
    c = random_commune(lambda c: c["precision"] == "geonames")
    lat, lon = jitter(c["lat"], c["lon"], 150)
    form = rng.randrange(3)
    if form == 0:
        a, lat = dms(lat, True)
        b, lon = dms(lon, False)
    else:
        lat, lon = round(lat, 5), round(lon, 5)
        a = f"{abs(lat):.5f} {'S' if lat < 0 else 'N'}"
        b = f"{abs(lon):.5f} {pick(['O', 'W']) if lon < 0 else 'E'}"
        if rng.random() < 0.4:
            a, b = a.replace(".", ","), b.replace(".", ",")
        if form == 2:
            a, b = b, a
    if holder_of(lat, lon) != c["insee"]:
        return False
    return add("coords_dms_letters", "match", c["insee"], latitude=a, longitude=b)


def dep_variant(dep):
    """A département name written another way: St/Ste, article after or left out, no
    hyphens, capitals without accents, the code after the name."""
    nom = DEPS[dep]["nom_dep"]
    forms = [nom.replace("Saint-", "St-").replace("Sainte-", "Ste-"),
             nom.replace("-", " "), strip_accents(nom).upper(), f"{nom} ({dep})",
             strip_accents(nom).lower().replace("-", " ")]
    for a in ARTICLES:
        if nom.startswith(a):
            rest = nom[len(a):]
            forms += [f"{rest} ({a.strip()})", rest]
    return pick(forms)


def make_dep_name_variant():
    c = random_commune()
    if not unique_in(c["cle"], c["insee"], dep=c["code_dep"]):
        return False
    return add("dep_name_variant", "match", c["insee"], commune=c["nom"],
               departement=dep_variant(c["code_dep"]))


def main():
    fill("clean_insee", PER_CLEAN_CATEGORY, make_clean_insee)
    fill("clean_name_cp", PER_CLEAN_CATEGORY,
         lambda: name_cp_case("clean_name_cp", lambda n: n))
    fill("old_code", PER_CATEGORY, make_old_code)
    fill("deleguee", PER_CATEGORY, make_deleguee)
    fill("caps_noaccent", PER_CATEGORY,
         lambda: name_cp_case("caps_noaccent", caps_noaccent, use_dep=0.3))
    fill("hyphen_apostrophe", PER_CATEGORY,
         lambda: name_cp_case("hyphen_apostrophe", punctuation,
                              lambda c: "-" in c["nom"] or "'" in c["nom"], use_dep=0.3))
    fill("article_after", PER_CATEGORY,
         lambda: name_cp_case("article_after", article_after,
                              lambda c: c["nom"].startswith(ARTICLES), use_dep=0.3))
    fill("abbreviation", PER_CATEGORY,
         lambda: name_cp_case("abbreviation", abbreviate,
                              lambda c: any(a in c["nom"] for a, _ in ABBREV), use_dep=0.3))
    fill("typo_with_cp", PER_CATEGORY, lambda: make_typo("typo_with_cp", True))
    fill("typo_with_dep", PER_CATEGORY, lambda: make_typo("typo_with_dep", False))
    fill("cp_only_unique", PER_CATEGORY, make_cp_only_unique)
    fill("cp_shared_with_name", PER_CATEGORY, make_cp_shared)
    fill("cedex", PER_CATEGORY, make_cedex)
    fill("cp_lost_zero", PER_CATEGORY, make_cp_lost_zero)
    fill("arrondissement", PER_CATEGORY, make_arrondissement)
    fill("overseas", PER_CATEGORY, make_overseas)
    fill("corsica", PER_CATEGORY, make_corsica)
    fill("homonym_separated", PER_CATEGORY, make_homonym_separated)
    fill("homonym_ambiguous", PER_CATEGORY, make_homonym_ambiguous)
    fill("address_in_cell", PER_CATEGORY, make_address)
    fill("coords_decimal_comma", PER_CATEGORY, lambda: coords_case("coords_decimal_comma"))
    fill("coords_swapped", PER_CATEGORY, lambda: coords_case("coords_swapped", swap=True))
    fill("coords_lambert93", PER_CATEGORY, lambda: coords_case("coords_lambert93", lambert=True))
    fill("coords_far_from_commune", PER_CATEGORY, make_far)
    fill("insee_lost_zero", PER_CATEGORY, make_insee_lost_zero)
    fill("name_only_unique", PER_CATEGORY, make_name_only_unique)
    fill("dep_in_name", PER_CATEGORY, make_dep_in_name)
    fill("cp_wrong_same_dep", PER_CATEGORY, make_cp_wrong_same_dep)
    fill("typo_without_area", PER_CATEGORY, make_typo_without_area)
    fill("typo_other_dep", PER_CATEGORY, make_typo_other_dep)
    fill("insee_name_conflict", PER_CATEGORY, make_insee_name_conflict)
    fill("garbage", PER_CATEGORY, make_garbage)
    fill("foreign", PER_CATEGORY, make_foreign)
    # Forms of issue 10, drawn last so that the categories above keep their draws.
    fill("country_suffix", PER_CATEGORY, make_country_suffix)
    fill("postcode_in_cell", PER_CATEGORY, make_postcode_in_cell)
    fill("overseas_suffix", PER_CATEGORY, make_overseas_suffix)
    fill("departement_suffix", PER_CATEGORY, make_departement_suffix)
    fill("sous_sur", PER_CATEGORY, lambda: make_spelling("sous_sur", sous_sur))
    fill("lez_les", PER_CATEGORY, lambda: make_spelling("lez_les", lez_les))
    fill("garbage_qualified", PER_CATEGORY, make_garbage_qualified)
    # Forms found by testing as a user (stop 18), drawn last for the same reason.
    fill("city_shared_cp", PER_CATEGORY, make_city_shared_cp)
    fill("article_omitted", PER_CATEGORY, make_article_omitted)
    # Census exports (former names of 2018, codes as numbers, DMS, département names),
    # drawn last for the same reason.
    fill("former_2018_name", PER_CATEGORY, make_former_2018_name)
    fill("insee_name_part", PER_CATEGORY, make_insee_name_part)
    fill("code_number", PER_CATEGORY, make_code_number)
    fill("coords_dms_letters", PER_CATEGORY, make_coords_dms_letters)
    fill("dep_name_variant", PER_CATEGORY, make_dep_name_variant)

    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=HEADER, delimiter=";", lineterminator="\n",
                       quoting=csv.QUOTE_NONE, escapechar=None)
    w.writeheader()
    for row in cases:
        w.writerow(row)
    text = buf.getvalue()
    if "--check" in sys.argv[1:]:
        with open(OUT, encoding="utf-8") as f:
            if f.read() != text:
                raise SystemExit(f"{OUT} differs from what the script writes")
        print(f"{OUT}: up to date ({len(cases)} cases)")
        return
    with open(OUT, "w", encoding="utf-8", newline="") as f:
        f.write(text)
    print(f"{OUT}: {len(cases)} cases")


if __name__ == "__main__":
    main()
