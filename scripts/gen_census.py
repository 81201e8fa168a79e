#!/usr/bin/env python3
"""Generate a synthetic PTCE census of N rows for benchmarks (python3 standard library only).

Same columns and encoding as data/sample/census-sample.csv: UTF-8 with BOM, ';' separated,
CRLF line ends. The communes are real (data/communes.tsv); the PTCE are fictional; the
declared themes and the description sentences are taken from the sample census, so that the
classifier sees the same vocabulary as in a real census.

Mix of rows (fractions of N, drawn at random per row):
  68 %  clean: INSEE code + postal code + commune name with accents (+ département label)
   7 %  INSEE code only
   6 %  commune name without accents (or upper case) + postal code, no INSEE
   4 %  postal code that lost its leading zero + name, no INSEE
   4 %  commune name + département, no postal code, no INSEE
   4 %  postal code only
   5 %  coordinates only (commune point moved by up to ~1 km)
   2 %  typo in the commune name + postal code
   1 %  nothing usable (empty, "à compléter", unknown code)

Deterministic: the same N and seed always give the same bytes.

Usage: scripts/gen_census.py N OUT.csv [--seed S] [--data DIR]
"""
import argparse
import csv
import os
import random
import re
import unicodedata

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

HEADER = ["Identifiant", "Nom du PTCE", "Adresse", "Code postal", "Commune", "Code INSEE",
          "Département", "Latitude", "Longitude", "Thématique déclarée", "Description",
          "Nombre de membres", "Année AMI"]

PREFIXES = ["Ressourcerie", "Pôle Coopératif", "Légumerie Solidaire", "Boucle Circulaire",
            "Fabrique Territoriale", "Tiers-Lieu", "Coopérative Énergétique", "Atelier Partagé",
            "Plateforme Matériaux Circulaires", "Projet Alimentaire Partagé", "Mobilités Solidaires",
            "Filière Bois", "Inclusion Numérique", "Textile Solidaire", "Maison de l'ESS"]
PLACES = ["du Pays de %s", "de %s", "Vallée de %s", "%s en Transition", "des Trois Vallées"]
STREETS = ["rue de la République", "place de la Mairie", "rue des Écoles", "avenue Jean Jaurès",
           "chemin des Vignes", "rue du Moulin", "route de la Gare", "rue Pasteur",
           "impasse des Artisans", "rue Victor Hugo", "place du Marché", "allée des Tilleuls",
           "rue de l'Église", "boulevard de la Liberté", "rue des Forges"]
EXTRA_SENTENCES = [
    "Le pôle réunit des associations, des entreprises et des collectivités du territoire.",
    "Les partenaires mutualisent locaux, compétences et équipements.",
    "Accompagné par la communauté de communes et la région.",
    "Une vingtaine de membres coopèrent au sein d'une SCIC.",
]
MESS = [("clean", 68), ("insee_only", 7), ("no_accents", 6), ("cp_zero", 4), ("name_dep", 4),
        ("cp_only", 4), ("coords", 5), ("typo", 2), ("nothing", 1)]


def strip_accents(s):
    return "".join(c for c in unicodedata.normalize("NFD", s) if unicodedata.category(c) != "Mn")


def load(data_dir):
    communes = []
    with open(os.path.join(data_dir, "communes.tsv"), encoding="utf-8") as f:
        head = f.readline().rstrip("\n").split("\t")
        ix = {k: i for i, k in enumerate(head)}
        for line in f:
            p = line.rstrip("\n").split("\t")
            if p[ix["type"]] != "COM" or not p[ix["codes_postaux"]]:
                continue
            communes.append((p[ix["insee"]], p[ix["nom"]], p[ix["code_dep"]],
                             p[ix["codes_postaux"]].split(), float(p[ix["lat"]]),
                             float(p[ix["lon"]]), int(p[ix["population"]] or 0)))
    deps = {}
    with open(os.path.join(data_dir, "departements.tsv"), encoding="utf-8") as f:
        f.readline()
        for line in f:
            p = line.rstrip("\n").split("\t")
            deps[p[0]] = p[1]
    themes, sentences = [], []
    with open(os.path.join(data_dir, "sample", "census-sample.csv"), encoding="utf-8-sig",
              newline="") as f:
        rows = list(csv.reader(f, delimiter=";"))
    for r in rows[1:]:
        if len(r) < 11:
            continue
        if r[9].strip():
            themes.append(r[9])
        for s in re.split(r"(?<=\.)\s+", r[10]):
            if s.strip() and s not in EXTRA_SENTENCES:
                sentences.append(s.strip())
    themes = sorted(set(themes))
    sentences = sorted(set(sentences))
    return communes, deps, themes, sentences


def typo(rng, name):
    letters = [i for i, c in enumerate(name) if c.isalpha()]
    if len(letters) < 5:
        return name
    i = rng.choice(letters[1:])
    k = rng.random()
    if k < 0.4:
        return name[:i] + name[i + 1:]                         # deletion
    if k < 0.7 and i + 1 < len(name):
        return name[:i] + name[i + 1] + name[i] + name[i + 2:]  # swap
    return name[:i] + rng.choice("aeioursnt") + name[i + 1:]    # substitution


def generate(n, seed, data_dir):
    communes, deps, themes, sentences = load(data_dir)
    rng = random.Random("%d/%d" % (seed, n))
    # cumulative weights: half by population (cities host more PTCE), half uniform
    tot_pop = sum(c[6] for c in communes)
    w = [0.5 * c[6] / tot_pop + 0.5 / len(communes) for c in communes]
    kinds = [k for k, _ in MESS]
    kw = [x for _, x in MESS]
    picks = rng.choices(communes, weights=w, k=n)
    out = []
    for i in range(n):
        insee, nom, dep, cps, lat, lon, _ = picks[i]
        kind = rng.choices(kinds, weights=kw)[0]
        cp = rng.choice(cps)
        dep_style = rng.random()
        dep_cell = ("" if dep_style < 0.3 else dep if dep_style < 0.55 else deps.get(dep, "")
                    if dep_style < 0.85 else "%s - %s" % (dep, deps.get(dep, "")))
        row = {"cp": cp, "commune": nom, "insee": insee, "dep": dep_cell, "lat": "", "lon": ""}
        if kind == "insee_only":
            row.update(cp="", commune="", dep="")
        elif kind == "no_accents":
            name = strip_accents(nom)
            row.update(commune=name.upper() if rng.random() < 0.5 else name.replace("-", " "),
                       insee="")
        elif kind == "cp_zero":
            row.update(cp=str(int(cp)) if cp.startswith("0") else cp, insee="")
        elif kind == "name_dep":
            row.update(cp="", insee="", dep=dep_cell or dep)
        elif kind == "cp_only":
            row.update(commune="", insee="")
        elif kind == "coords":
            row.update(cp="", commune="", insee="", dep="",
                       lat="%.5f" % (lat + rng.uniform(-0.008, 0.008)),
                       lon="%.5f" % (lon + rng.uniform(-0.008, 0.008)))
            if rng.random() < 0.3:  # French decimal comma, as spreadsheets export it
                row["lat"] = row["lat"].replace(".", ",")
                row["lon"] = row["lon"].replace(".", ",")
        elif kind == "typo":
            row.update(commune=typo(rng, nom), insee="")
        elif kind == "nothing":
            v = rng.choice(["", "à compléter", "inconnu"])
            row.update(cp="", commune=v, insee="", dep=v)
        if kind == "clean" and rng.random() < 0.1:
            row["commune"] = "  %s " % row["commune"]  # stray spaces
        k = rng.randint(1, 3)
        desc = " ".join(rng.sample(sentences, k) + rng.sample(EXTRA_SENTENCES, rng.randint(0, 2)))
        name = "%s %s" % (rng.choice(PREFIXES), rng.choice(PLACES).replace("%s", nom))
        addr = "%d %s" % (rng.randint(1, 120), rng.choice(STREETS)) if rng.random() < 0.6 else ""
        out.append(["PTCE-%06d" % (i + 1) if rng.random() < 0.97 else "", name, addr,
                    row["cp"], row["commune"], row["insee"], row["dep"], row["lat"], row["lon"],
                    rng.choice(themes) if rng.random() < 0.9 else "", desc,
                    str(rng.randint(3, 80)) if rng.random() < 0.9 else "",
                    str(rng.randint(2014, 2025)) if rng.random() < 0.7 else ""])
    return out


def write(rows, path):
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f, delimiter=";", lineterminator="\r\n")
        w.writerow(HEADER)
        w.writerows(rows)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("n", type=int)
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--data", default=os.path.join(ROOT, "data"))
    a = ap.parse_args()
    write(generate(a.n, a.seed, a.data), a.out)


if __name__ == "__main__":
    main()
