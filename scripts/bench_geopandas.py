#!/usr/bin/python3
"""The ptce-map job written the way an analyst would write it with GeoPandas (benchmark baseline).

Reads a census CSV (pandas), places each row on its commune by joining on the INSEE code, then
on (postal code, folded commune name), then on (folded name, département), then from the
coordinates (spatial join on the département polygons); gives each row its sectors by keyword
matching with data/taxonomie.txt (simplified parser: [id] sections, "weight term" lines,
"thème weight term", trailing * for prefixes); counts per region, département and EPCI; builds
the GeoDataFrames (points from lon/lat, polygons from data/geom/*.geo.gz through shapely) and
writes what `ptce-map build` writes, as far as GeoPandas does it:
  - Shapefiles and GeoJSON of the points, regions, départements and EPCI (to_file), and the
    simplified web variants of regions and départements (data/*_web_geom.tsv) as GeoJSON;
  - one GeoPackage with every layer (to_file, driver GPKG);
  - synthese.csv and synthese_departements.csv (';', decimal commas), rejets.csv;
  - synthese.xlsx (pandas ExcelWriter; needs python3-openpyxl, skipped without it);
  - the printed map: the regions' choropleth in Lambert-93 with the points (matplotlib),
    as SVG, A4-landscape PDF and 300 dpi PNG;
  - the web map's data: the points and the regions as one script (web/donnees.js).

Only Debian packages: python3-geopandas (pandas, shapely, fiona, pyproj, rtree, matplotlib),
python3-openpyxl for the workbook.
Not done, unlike ptce-map: fuzzy names, old INSEE codes, arrondissements, CEDEX, addresses in
one cell, placement by commune polygon, the carte/ layout with overseas insets, the QGIS
styles and project, the web map's page and libraries, the map's legend, labels and scale bars.

Usage: /usr/bin/python3 scripts/bench_geopandas.py CENSUS.csv -o OUTDIR [--data DIR]
Prints one summary line: rows read, placed, rejected, seconds.
"""
import argparse
import os
import re
import sys
import time
import unicodedata
import warnings

import geopandas as gpd
import pandas as pd

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

STOP = set("l d j m n s t c qu jusqu lorsqu puisqu quoiqu presqu le la les un une des de du et "
           "en a au aux pour par sur dans avec ou y".split())


NONALNUM = re.compile(r"[^a-z0-9]+")


def fold(s):
    """Lower case, no accents, every run of non-alphanumerics → one space."""
    s = unicodedata.normalize("NFD", s.replace("œ", "oe").replace("Œ", "oe"))
    s = s.encode("ascii", "ignore").decode("ascii").lower()
    return NONALNUM.sub(" ", s).strip()


def fold_series(s):
    return (s.fillna("").str.replace("œ", "oe").str.normalize("NFD")
            .str.encode("ascii", "ignore").str.decode("ascii").str.lower()
            .str.replace(r"[^a-z0-9]+", " ", regex=True).str.strip())


def stem(w):
    if len(w) > 3 and w[-1] in "sx":
        w = w[:-1]
    if len(w) > 3 and w[-1] == "e":
        w = w[:-1]
    return w


def words(text):
    return [stem(w) for w in fold(text).split() if w not in STOP]


# ------------------------------------------------------------------ taxonomy
def read_taxonomy(path):
    settings, sectors, terms = {}, [], []   # terms: (sector, weight, tuple of words, prefix, theme)
    cur = None
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = re.sub(r"#\s.*$", "", line).strip()
            if not line or line.startswith("#"):
                continue
            m = re.match(r"^\[(\w+)\]$", line)
            if m:
                cur = {"id": m.group(1), "label": m.group(1), "court": m.group(1)[:8]}
                sectors.append(cur)
                continue
            m = re.match(r"^([\wé]+)\s*=\s*(.*)$", line)
            if m:
                key, val = m.group(1), m.group(2)
                if cur is None:
                    try:
                        settings[key] = float(val.replace(",", "."))
                    except ValueError:
                        settings[key] = val  # e.g. modele = classification-modele.tsv (unused here)
                elif key == "libellé":
                    cur["label"] = val
                elif key == "court":
                    cur["court"] = val
                continue
            m = re.match(r"^(thème\s+)?(-?[0-9]+(?:[.,][0-9]+)?)\s+(.+)$", line)
            if m and cur is not None:
                term = m.group(3).strip()
                prefix = term.endswith("*")
                ws = words(term.rstrip("*"))
                if ws:
                    terms.append((cur["id"], float(m.group(2).replace(",", ".")), tuple(ws),
                                  prefix, bool(m.group(1))))
    return settings, sectors, terms


class Matcher:
    """Longest match first at each word; each distinct term counts once per text."""

    def __init__(self, terms):
        self.by_first = {}      # first word → list of terms, longest first
        self.prefixes = {}      # prefix (first word of a '*' term) → list of terms
        for t in terms:
            if t[3] and len(t[2]) == 1:
                self.prefixes.setdefault(t[2][0], []).append(t)
            else:
                self.by_first.setdefault(t[2][0], []).append(t)
        for v in self.by_first.values():
            v.sort(key=lambda t: -len(t[2]))
        self.plens = sorted({len(p) for p in self.prefixes}, reverse=True)

    def find(self, ws, theme):
        found, i = {}, 0
        while i < len(ws):
            best = None
            for t in self.by_first.get(ws[i], ()):
                if t[4] and not theme:
                    continue
                n = len(t[2])
                if tuple(ws[i:i + n]) == t[2] or (t[3] and n > 1 and tuple(ws[i:i + n - 1]) == t[2][:-1]
                                                  and i + n - 1 < len(ws) and ws[i + n - 1].startswith(t[2][-1])):
                    best = t
                    break
            if best is None:
                for L in self.plens:
                    for t in self.prefixes.get(ws[i][:L], ()):
                        if not (t[4] and not theme):
                            best = t
                            break
                    if best:
                        break
            if best is not None:
                found[best[:3]] = best
                i += len(best[2])
            else:
                i += 1
        return found.values()


def classify(df, taxonomy_path):
    settings, sectors, terms = read_taxonomy(taxonomy_path)
    factor = settings.get("facteur_theme", 3)
    m = Matcher(terms)
    ids = [s["id"] for s in sectors]
    first, all_ = [], []
    for theme, desc in zip(df["Thématique déclarée"].fillna(""), df["Description"].fillna("")):
        score = dict.fromkeys(ids, 0.0)
        for t in m.find(words(theme), True):
            score[t[0]] += factor * t[1]
        for t in m.find(words(desc), False):
            score[t[0]] += t[1]
        ranked = sorted((s for s in ids if score[s] > 0), key=lambda s: -score[s])
        if not ranked:
            ranked = ["autre"] if "autre" in ids else [ids[-1]]
        first.append(ranked[0])
        all_.append("|".join(ranked[:4]))
    df["secteur"] = first
    df["secteurs"] = all_
    return sectors


# ------------------------------------------------------------------ geocoding
def geocode(df, data):
    communes = pd.read_csv(os.path.join(data, "communes.tsv"), sep="\t", dtype=str,
                           keep_default_na=False)
    communes["lat"] = communes["lat"].astype(float)
    communes["lon"] = communes["lon"].astype(float)
    cp = pd.read_csv(os.path.join(data, "codes_postaux.tsv"), sep="\t", dtype=str,
                     keep_default_na=False)
    deps = pd.read_csv(os.path.join(data, "departements.tsv"), sep="\t", dtype=str,
                       keep_default_na=False)
    cols = ["insee", "nom", "code_dep", "code_reg", "lat", "lon"]

    df["_insee"] = df["Code INSEE"].fillna("").str.strip().str.upper()
    df["_cp"] = df["Code postal"].fillna("").str.strip()
    df.loc[df["_cp"].str.fullmatch(r"\d{4}"), "_cp"] = "0" + df["_cp"]
    df["_cle"] = fold_series(df["Commune"])
    dep_cell = df["Département"].fillna("").str.strip()
    code = dep_cell.str.extract(r"^(\d[\dAB]|97\d)\b", expand=False)
    by_name = deps.set_index("cle")["code_dep"]
    df["_dep"] = code.fillna(fold_series(dep_cell).map(by_name)).fillna("")

    res = pd.DataFrame(index=df.index, columns=cols + ["geo_type"], dtype=object)

    # 1. INSEE code
    j = df[["_insee"]].reset_index().merge(communes[cols], left_on="_insee", right_on="insee")
    j = j.set_index("index")
    res.loc[j.index, cols] = j[cols]
    res.loc[j.index, "geo_type"] = "insee"

    # 2. postal code + folded name (La Poste name, then routing label)
    todo = res["insee"].isna() & (df["_cp"] != "") & (df["_cle"] != "")
    for key in ("cle_laposte", "cle_acheminement"):
        t = df.loc[todo, ["_cp", "_cle"]].reset_index()
        pairs = cp[["code_postal", key, "insee"]].drop_duplicates()
        j = t.merge(pairs, left_on=["_cp", "_cle"], right_on=["code_postal", key])
        j = j.drop_duplicates("index", keep=False).merge(communes[cols], on="insee")
        j = j.set_index("index")
        res.loc[j.index, cols] = j[cols]
        res.loc[j.index, "geo_type"] = "cp+nom"
        todo = res["insee"].isna() & (df["_cp"] != "") & (df["_cle"] != "")

    # 3. folded name alone if unique, or name + département
    todo = res["insee"].isna() & (df["_cle"] != "")
    t = df.loc[todo, ["_cle", "_dep"]].reset_index()
    j = t.merge(communes[cols + ["cle"]], left_on="_cle", right_on="cle")
    j = j[(j["_dep"] == "") | (j["_dep"] == j["code_dep"])]
    j = j.drop_duplicates("index", keep=False).set_index("index")
    res.loc[j.index, cols] = j[cols]
    res.loc[j.index, "geo_type"] = "nom"

    # 4. postal code alone when it names a single commune
    todo = res["insee"].isna() & (df["_cp"] != "")
    single = cp.drop_duplicates(["code_postal", "insee"]).drop_duplicates("code_postal", keep=False)
    t = df.loc[todo, ["_cp"]].reset_index()
    j = t.merge(single[["code_postal", "insee"]], left_on="_cp", right_on="code_postal")
    j = j.merge(communes[cols], on="insee").set_index("index")
    res.loc[j.index, cols] = j[cols]
    res.loc[j.index, "geo_type"] = "cp"

    # 5. coordinates: spatial join on the département polygons
    lat = pd.to_numeric(df["Latitude"].astype(str).str.replace(",", "."), errors="coerce")
    lon = pd.to_numeric(df["Longitude"].astype(str).str.replace(",", "."), errors="coerce")
    todo = res["insee"].isna() & lat.notna() & lon.notna()
    if todo.any():
        pts = gpd.GeoDataFrame(index=df.index[todo], geometry=gpd.points_from_xy(lon[todo], lat[todo]),
                               crs="EPSG:4326")
        dgeom = read_geom(os.path.join(data, "geom", "departements.geo.gz"), "code_dep")
        j = gpd.sjoin(pts, dgeom, predicate="within")
        j = j[~j.index.duplicated()]
        res.loc[j.index, "code_dep"] = j["code_dep"]
        res.loc[j.index, "code_reg"] = j["code_dep"].map(deps.set_index("code_dep")["code_reg"])
        res.loc[j.index, "lat"] = lat[j.index]
        res.loc[j.index, "lon"] = lon[j.index]
        res.loc[j.index, "insee"] = ""
        res.loc[j.index, "nom"] = ""
        res.loc[j.index, "geo_type"] = "coordonnees"
    return res


def read_geom(path, key):
    """The polygons of a data/geom/*.geo.gz file (encoding: src/refdata/geomcodec.h)."""
    import gzip
    from shapely.geometry import MultiPolygon, Polygon
    codes, geoms = [], []
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            code, text = line.rstrip("\n").split("\t")
            polys = []
            for part in text.split(";"):
                rings = []
                for ring in part.split("|"):
                    x = y = 0
                    pts = []
                    for pair in ring.split(" "):
                        dx, dy = pair.split(",")
                        x += int(dx)
                        y += int(dy)
                        pts.append((x / 1e5, y / 1e5))
                    rings.append(pts)
                polys.append(Polygon(rings[0], rings[1:]))
            codes.append(code)
            geoms.append(polys[0] if len(polys) == 1 else MultiPolygon(polys))
    return gpd.GeoDataFrame({key: codes}, geometry=geoms, crs="EPSG:4326")


# ------------------------------------------------------------------ aggregation and output
def aggregate(points, level, table, geom, key, sectors, total):
    counts = pd.crosstab(points[key], points["secteur"])
    out = table.merge(geom, on=key)
    out["nb_ptce"] = out[key].map(points[key].value_counts()).fillna(0).astype(int)
    for s in sectors:
        col = counts[s["id"]] if s["id"] in counts.columns else pd.Series(dtype=int)
        out["n_" + s["court"]] = out[key].map(col).fillna(0).astype(int)
    out["membres"] = out[key].map(points.groupby(key)["membres"].sum()).fillna(0).astype(int)
    out["population"] = out["population"].astype(int)
    out["ptce_100k"] = (out["nb_ptce"] * 100000 / out["population"]).round(3)
    out["part_nat"] = (out["nb_ptce"] * 100 / max(total, 1)).round(2)
    return gpd.GeoDataFrame(out, geometry="geometry", crs="EPSG:4326")


def write(gdf, outdir, name):
    gdf.to_file(os.path.join(outdir, name + ".shp"), encoding="utf-8")
    gdf.to_file(os.path.join(outdir, name + ".geojson"), driver="GeoJSON")
    gdf.to_file(os.path.join(outdir, "ptce-map.gpkg"), driver="GPKG", layer=name)
    return gdf


def read_wkt_table(path, key):
    from shapely import wkt
    t = pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False)
    return gpd.GeoDataFrame({key: t["code"]}, geometry=[wkt.loads(w) for w in t["wkt"]],
                            crs="EPSG:4326")


def write_print_map(regions, points, outdir, title):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    metro = regions[~regions["code_reg"].isin(["01", "02", "03", "04", "06"])].to_crs(2154)
    pts = points[~points["code_reg"].isin(["01", "02", "03", "04", "06"])].to_crs(2154)
    fig, ax = plt.subplots(figsize=(297 / 25.4, 210 / 25.4))
    metro.plot(ax=ax, column="ptce_100k", cmap="YlGnBu", scheme=None, legend=True,
               edgecolor="#4d4d4d", linewidth=0.6)
    if len(pts):
        pts.plot(ax=ax, column="secteur", markersize=4, categorical=True)
    ax.set_axis_off()
    ax.set_title(title)
    for ext, kw in (("svg", {}), ("pdf", {}), ("png", {"dpi": 300})):
        fig.savefig(os.path.join(outdir, "ptce_carte." + ext), **kw)
    plt.close(fig)


def write_tables(reg, dep, epci, points, outdir):
    cols = ["nb_ptce", "membres", "population", "ptce_100k", "part_nat"]
    reg.drop(columns="geometry")[["code_reg", "nom_reg"] + cols].to_csv(
        os.path.join(outdir, "synthese.csv"), sep=";", decimal=",", index=False)
    dep.drop(columns="geometry")[["code_dep", "nom_dep"] + cols].to_csv(
        os.path.join(outdir, "synthese_departements.csv"), sep=";", decimal=",", index=False)
    try:
        import openpyxl  # noqa: F401
    except ImportError:
        print("bench_geopandas: python3-openpyxl missing, synthese.xlsx not written", file=sys.stderr)
        return
    with pd.ExcelWriter(os.path.join(outdir, "synthese.xlsx")) as x:
        for name, t in (("Régions", reg), ("Départements", dep), ("EPCI", epci), ("PTCE", points)):
            t.drop(columns="geometry").to_excel(x, sheet_name=name, index=False)


def write_web(reg, points, outdir):
    os.makedirs(os.path.join(outdir, "web"), exist_ok=True)
    with open(os.path.join(outdir, "web", "donnees.js"), "w", encoding="utf-8") as f:
        f.write("window.PTCE = {points: " + points.to_json() + ",\nregions: " + reg.to_json() + "};\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("census")
    ap.add_argument("-o", "--output", default="out-geopandas")
    ap.add_argument("--data", default=os.path.join(ROOT, "data"))
    a = ap.parse_args()
    t0 = time.perf_counter()
    warnings.filterwarnings("ignore")
    os.makedirs(a.output, exist_ok=True)

    df = pd.read_csv(a.census, sep=";", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    geo = geocode(df, a.data)
    sectors = classify(df, os.path.join(a.data, "taxonomie.txt"))

    placed = geo["code_dep"].notna()
    rej = df.loc[~placed, [c for c in df.columns if not c.startswith("_")]]
    rej.to_csv(os.path.join(a.output, "rejets.csv"), sep=";", index_label="ligne")

    p = df.loc[placed]
    g = geo.loc[placed]
    points = pd.DataFrame({
        "id": p["Identifiant"], "nom": p["Nom du PTCE"], "insee": g["insee"],
        "commune": g["nom"], "code_post": p["_cp"], "code_dep": g["code_dep"],
        "code_reg": g["code_reg"], "secteur": p["secteur"], "secteurs": p["secteurs"],
        "geo_type": g["geo_type"],
        "membres": pd.to_numeric(p["Nombre de membres"], errors="coerce").fillna(0).astype(int),
        "annee": pd.to_numeric(p["Année AMI"], errors="coerce").fillna(0).astype(int),
        "ligne": p.index + 2,
        "longitude": g["lon"].astype(float), "latitude": g["lat"].astype(float)})
    points = gpd.GeoDataFrame(points, geometry=gpd.points_from_xy(points["longitude"],
                                                                  points["latitude"]),
                              crs="EPSG:4326")
    write(points, a.output, "ptce_points")

    regions = pd.read_csv(os.path.join(a.data, "regions.tsv"), sep="\t", dtype=str)
    deps = pd.read_csv(os.path.join(a.data, "departements.tsv"), sep="\t", dtype=str)
    rgeom = read_geom(os.path.join(a.data, "geom", "regions.geo.gz"), "code_reg")
    dgeom = read_geom(os.path.join(a.data, "geom", "departements.geo.gz"), "code_dep")
    n = len(points)
    reg = write(aggregate(points, "reg", regions[["code_reg", "nom_reg", "population"]], rgeom,
                          "code_reg", sectors, n), a.output, "ptce_regions")
    dep = write(aggregate(points, "dep", deps[["code_dep", "nom_dep", "code_reg", "population"]],
                          dgeom, "code_dep", sectors, n), a.output, "ptce_departements")
    communes = pd.read_csv(os.path.join(a.data, "communes.tsv"), sep="\t", dtype=str,
                           keep_default_na=False)
    points["code_epci"] = points["insee"].map(communes.set_index("insee")["epci"]).fillna("")
    epcis = pd.read_csv(os.path.join(a.data, "epci.tsv"), sep="\t", dtype=str)
    egeom = read_geom(os.path.join(a.data, "geom", "epci.geo.gz"), "code_epci")
    epci = write(aggregate(points, "epci", epcis[["code_epci", "nom_epci", "population"]], egeom,
                           "code_epci", sectors, n), a.output, "ptce_epci")
    for table, key, name, area in (("regions_web_geom.tsv", "code_reg", "ptce_regions", reg),
                                   ("departements_web_geom.tsv", "code_dep", "ptce_departements", dep)):
        web = read_wkt_table(os.path.join(a.data, table), key)
        web = web.merge(area.drop(columns="geometry"), on=key)
        web.to_file(os.path.join(a.output, name + "_web.geojson"), driver="GeoJSON")
    write_tables(reg, dep, epci, points, a.output)
    write_print_map(reg, points, a.output, "Pôles territoriaux de coopération économique")
    write_web(reg, points, a.output)
    dt = time.perf_counter() - t0
    print("%s: %d rows read, %d placed, %d rejected, %.2f s (after imports)"
          % (a.census, len(df), n, len(df) - n, dt), file=sys.stderr)


if __name__ == "__main__":
    main()
