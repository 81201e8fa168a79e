#!/usr/bin/env bash
# Long multibyte text through every output (item 9 of issue #16):
#  - every text output is valid UTF-8, every GeoJSON strict JSON, every DBF text field
#    valid UTF-8 (a cut never splits a character, and is marked "…");
#  - nothing that identifies a row or a group is cut: two ids that differ only after byte
#    127 stay two rows with their full ids (GeoJSON, GeoPackage, CSV), three group names with
#    a common 130-character prefix stay three groups with their full names;
#  - where the DBF format cannot hold a value (254 bytes), the cut is on a character
#    boundary, marked "…", and a warning names the rows.
source "$(dirname "$0")/lib.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

python3 - "$work" <<'PY'
import sys
w = sys.argv[1]
long = "Pôle « d’économie » — solidaire ’ "          # 2- and 3-byte characters throughout
base = "PTCE-" + "é’" * 30                            # 5 + 150 bytes: past 127 and 128
ids = [base + "-A", base + "-B", "PTCE-" + "à" * 140 + "Z"]   # the last one: 286 bytes
rows = ["Identifiant;Nom du PTCE;Code postal;Commune;Département;Thématique déclarée;Description;Nombre de membres"]
rows.append(f"{ids[0]};{long * 9}A;84410;Flassan;Vaucluse – l’Isle-sur-la-Sorgue’s;Agriculture;{long * 30};{long}")
rows.append(f"{ids[1]};{long * 9}B;21400;Buncey;Côte-d’Or;Agriculture;{long};12")
rows.append(f"{ids[2]};Court;84410;Flassan;Vaucluse;Agriculture;court;é’’’’’’’’’’’’’’’’’’")
rows.append(f"REJ-1;Rejeté;99999;{long * 12}Nulle-Part;{long * 5};Agriculture;x;")
open(f"{w}/long.csv", "w", encoding="utf-8").write("\n".join(rows) + "\n")
open(f"{w}/ids.txt", "w", encoding="utf-8").write("\n".join(ids) + "\n")
prefix = "Délégation " + "é" * 59 + "x"                # 11 + 118 + 1 = 130 bytes
regs = ["11", "24", "27", "28", "32", "44", "52", "53", "75", "76", "84", "93", "94",
        "01", "02", "03", "04", "06"]
g = ["code_reg;groupe"] + [f"{r};{prefix}{'ABC'[i % 3]} — suite" for i, r in enumerate(regs)]
open(f"{w}/groupes.csv", "w", encoding="utf-8").write("\n".join(g) + "\n")
PY

"$PTCE_MAP" build "$work/long.csv" -o "$work/out" --groups "$work/groupes.csv" \
  > "$work/stdout" 2> "$work/stderr" || fail "build failed: $(tail -c 600 "$work/stderr")"
"$PTCE_MAP" geocode "$work/long.csv" -o "$work/geocode.csv" 2>> "$work/stderr" ||
  fail "geocode failed"
"$PTCE_MAP" classify "$work/long.csv" -o "$work/classify.csv" 2>> "$work/stderr" ||
  fail "classify failed"
code=0
"$PTCE_MAP" validate "$work/long.csv" -o "$work/validate.csv" > "$work/validate.txt" \
  2>> "$work/stderr" || code=$?
[ "$code" -eq 0 ] || [ "$code" -eq 7 ] || fail "validate exit $code"

python3 - "$work" <<'PY' || fail "long text check failed (see above)"
import json, os, sqlite3, struct, sys
w = sys.argv[1]
out = os.path.join(w, "out")
ids = open(f"{w}/ids.txt", encoding="utf-8").read().split("\n")[:3]
problems = []

def strict_json(text, what):
    def refuse(c):
        raise ValueError(f"non-standard constant {c}")
    try:
        return json.loads(text, parse_constant=refuse)
    except ValueError as e:
        problems.append(f"{what}: not strict JSON: {e}")

def dbf_fields(path):
    b = open(path, "rb").read()
    nrec, hlen, rlen = struct.unpack("<IHH", b[4:12])
    fields, pos = [], 32
    while b[pos] != 0x0D:
        name = b[pos:pos + 11].split(b"\0")[0].decode("ascii")
        fields.append((name, chr(b[pos + 11]), b[pos + 16]))
        pos += 32
    recs = []
    for r in range(nrec):
        rec, off = b[hlen + r * rlen + 1: hlen + (r + 1) * rlen], 0
        vals = {}
        for name, t, size in fields:
            raw = rec[off:off + size]
            off += size
            if t == "C":
                try:
                    vals[name] = raw.decode("utf-8").rstrip(" ")
                except UnicodeDecodeError as e:
                    problems.append(f"{path}: field {name} of record {r + 1}: {e}")
        recs.append(vals)
    return recs

text_ext = (".csv", ".geojson", ".json", ".js", ".qml", ".qgs", ".svg", ".txt", ".html",
            ".prj", ".cpg", ".css")
seen = 0
files = [os.path.join(w, f) for f in ("geocode.csv", "classify.csv", "validate.csv",
                                      "validate.txt", "stderr")]
for root, dirs, names in os.walk(out):
    dirs[:] = [d for d in dirs if d != ".ptce-map"]
    files += [os.path.join(root, n) for n in names]
for p in files:
    if os.path.isdir(p):
        continue
    if p.endswith(".dbf"):
        dbf_fields(p)
        seen += 1
        continue
    if not p.endswith(text_ext) and not p.endswith("stderr") and "/web/" not in p:
        continue
    b = open(p, "rb").read()
    try:
        t = b.decode("utf-8")
    except UnicodeDecodeError as e:
        problems.append(f"{p}: invalid UTF-8: {e}")
        continue
    seen += 1
    if p.endswith((".geojson", ".json")):
        strict_json(t, p)

# Ids whole and distinct in the GeoJSON, the GeoPackage and the reports.
gj = strict_json(open(f"{out}/ptce_points.geojson", encoding="utf-8").read(), "points")
got = sorted(f["properties"]["id"] for f in gj["features"]) if gj else []
if got != sorted(ids):
    problems.append(f"ptce_points.geojson ids: {[len(i.encode()) for i in got]} bytes, "
                    f"expected the three full ids ({[len(i.encode()) for i in ids]} bytes)")
db = sqlite3.connect(f"{out}/ptce-map.gpkg")
gp = sorted(r[0] for r in db.execute("SELECT id FROM ptce_points"))
if gp != sorted(ids):
    problems.append(f"GeoPackage ids cut or merged: {[len(i.encode()) for i in gp]} bytes")
groups = sorted(r[0] for r in db.execute("SELECT groupe FROM ptce_groupes"))
if len(groups) != 3 or any(not g.endswith(" — suite") for g in groups):
    problems.append(f"GeoPackage groups: {len(groups)} ({[len(g.encode()) for g in groups]} bytes)")
gg = strict_json(open(f"{out}/ptce_groupes.geojson", encoding="utf-8").read(), "groupes")
names = sorted(f["properties"]["groupe"] for f in gg["features"]) if gg else []
if names != groups:
    problems.append("ptce_groupes.geojson group names differ from the GeoPackage's")
for rep in ("geocode.csv", "classify.csv"):
    text = open(f"{w}/{rep}", encoding="utf-8-sig").read()
    for i in ids:
        if i not in text:
            problems.append(f"{rep}: id of {len(i.encode())} bytes not whole")
val = open(f"{w}/validate.txt", encoding="utf-8").read()
if "identifiant" in val and "même identifiant" in val:
    problems.append("validate calls the two long ids one duplicate")

# DBF: ids up to 254 bytes whole; longer ones cut on a character boundary and marked "…".
recs = dbf_fields(f"{out}/ptce_points.dbf")
dids = sorted(r.get("id", "") for r in recs)
for i in ids:
    b = i.encode()
    if len(b) <= 254:
        if i not in dids:
            problems.append(f"ptce_points.dbf: id of {len(b)} bytes not whole")
    elif not any(d.endswith("…") and i.startswith(d[:-1]) for d in dids):
        problems.append(f"ptce_points.dbf: id of {len(b)} bytes not cut with …")
gr = dbf_fields(f"{out}/ptce_groupes.dbf")
if len({r.get("groupe") for r in gr}) != 3:
    problems.append(f"ptce_groupes.dbf: {len({r.get('groupe') for r in gr})} groups, expected 3")
err = open(f"{w}/stderr", encoding="utf-8").read()
if "coupé" in err and "ligne" not in err:
    problems.append("the DBF cut warning does not name the rows")
# Every cut of a quoted cell is marked: the reject's note quotes the 400-byte commune.
rej = open(f"{out}/rejets.csv", encoding="utf-8-sig").read()
if "…" not in rej:
    problems.append("rejets.csv: the note's excerpt of a long cell is not marked …")
if seen < 20:
    problems.append(f"only {seen} files checked")
for p in problems:
    print("  " + p, file=sys.stderr)
sys.exit(1 if problems else 0)
PY
echo "long_text: ok"
