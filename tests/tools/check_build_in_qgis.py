#!/usr/bin/env python3
"""Opens the output folder of `ptce-map build` in QGIS itself (PyQGIS, headless).

Not run by ctest: it needs Debian's python3-qgis (a heavy package). Run by hand:

    apt-get install python3-qgis qgis-providers
    ./build/ptce-map build -o /tmp/out
    QT_QPA_PLATFORM=offscreen /usr/bin/python3 tests/tools/check_build_in_qgis.py /tmp/out

Checks: every Shapefile opens valid with the expected CRS and picks up its .qml by itself
with the expected renderer; the project ptce-map.qgs opens with every layer valid and
relative paths; accents read back; the print layout "Carte nationale" (with its scale bar,
zoom map and labels) exports to layout.png in the output folder; every table of
ptce-map.gpkg opens valid and takes its default style from the GeoPackage's layer_styles,
with the French field aliases.
"""
import os
import sys

from qgis.core import (QgsApplication, QgsExpression, QgsExpressionContext, QgsLayoutExporter,
                       QgsProject, QgsVectorLayer)

out = os.path.abspath(sys.argv[1])
app = QgsApplication([], False)
app.initQgis()
failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


expected = {
    "ptce_points.shp": "RuleRenderer",
    "ptce_regions.shp": "graduatedSymbol",
    "ptce_departements.shp": "graduatedSymbol",
    "carte/ptce_points.shp": "RuleRenderer",
    "carte/ptce_regions.shp": "graduatedSymbol",
    "carte/ptce_departements.shp": "graduatedSymbol",
    "carte/cadres.shp": "singleSymbol",
}
for rel, renderer in expected.items():
    layer = QgsVectorLayer(os.path.join(out, rel), rel, "ogr")
    check(layer.isValid(), rel + " opens")
    msg, loaded = layer.loadDefaultStyle()
    check(loaded, rel + " loads its .qml (" + msg + ")")
    check(layer.renderer().type() == renderer, rel + " renderer " + layer.renderer().type())
    authid = layer.crs().authid()
    check(authid in ("EPSG:4326", "EPSG:2154"), rel + " CRS " + authid)
    if rel.endswith("ptce_points.shp"):
        # One rule per sector and one for other values: every point matches exactly one
        # of them; the last rule (drawn on top: a hollow ring) matches exactly the
        # approximate points, and its legend label says so.
        rules = layer.renderer().rootRule().children()
        exprs = [QgsExpression(r.filterExpression()) for r in rules]
        check(all(not e.hasParserError() for e in exprs), rel + " rule filters parse")
        check("Cercle vide" in rules[-1].label(), rel + " hollow rule in the legend")
        ctx = QgsExpressionContext()
        good = True
        napprox = 0
        for f in layer.getFeatures():
            ctx.setFeature(f)
            hits = [bool(e.evaluate(ctx)) for e in exprs]
            approx = f["exactitude"] in ("approche", "departement")
            napprox += approx
            good &= sum(hits[:-1]) == 1 and hits[-1] == approx
        check(good, rel + " each point one sector rule, hollow exactly when approximate")
        check(napprox > 0, rel + " has approximate points to show")
    if rel == "ptce_regions.shp":
        names = {f["nom_reg"] for f in layer.getFeatures()}
        check("Île-de-France" in names and "Provence-Alpes-Côte d'Azur" in names,
              "accents read back by QGIS")

# The GeoPackage: every layer opens, takes its default style from layer_styles, and shows
# the French aliases of its fields.
gpkg = os.path.join(out, "ptce-map.gpkg")
index = QgsVectorLayer(gpkg, "index", "ogr")
check(index.isValid(), "ptce-map.gpkg opens")
tables = [t.split("!!::!!")[1] for t in index.dataProvider().subLayers()]
check("ptce_points" in tables and "ptce_epci" in tables, "GeoPackage tables " + " ".join(tables))
for table in tables:
    if table == "layer_styles":
        continue
    layer = QgsVectorLayer(gpkg + "|layername=" + table, table, "ogr")
    check(layer.isValid(), "gpkg " + table + " opens")
    msg, loaded = layer.loadDefaultStyle()
    check(loaded, "gpkg " + table + " default style from layer_styles (" + msg + ")")
    aliases = [layer.attributeAlias(i) for i in range(layer.fields().count())]
    check(any(aliases), "gpkg " + table + " has field aliases")

project = QgsProject.instance()
check(project.read(os.path.join(out, "ptce-map.qgs")), "ptce-map.qgs opens")
for layer in project.mapLayers().values():
    check(layer.isValid(), "project layer " + layer.name() + " valid")
    check(not os.path.isabs(project.writePath(layer.source())), "relative path " + layer.name())
check(project.crs().authid() == "EPSG:2154", "project CRS " + project.crs().authid())
layout = project.layoutManager().layoutByName("Carte nationale")
check(layout is not None, "print layout 'Carte nationale'")
if layout is not None:
    kinds = {type(item).__name__ for item in layout.items()}
    check("QgsLayoutItemScaleBar" in kinds, "layout has a scale bar")
    # Kilometres read from a map in metres: QGIS converts the units itself, so one scale-bar
    # unit is one "map unit" for the labels (1000 printed 0.1 km for 100 km).
    for bar in [i for i in layout.items() if type(i).__name__ == "QgsLayoutItemScaleBar"]:
        check(bar.unitLabel() == "km" and bar.mapUnitsPerScaleBarUnit() == 1,
              "scale bar %s labelled in km (%g per unit)" % (bar.id(), bar.mapUnitsPerScaleBarUnit()))
    maps = [i for i in layout.items() if type(i).__name__ == "QgsLayoutItemMap"]
    check(len(maps) >= 2, "layout has the national map and the zoom map (%d maps)" % len(maps))
    result = QgsLayoutExporter(layout).exportToImage(os.path.join(out, "layout.png"),
                                                     QgsLayoutExporter.ImageExportSettings())
    check(result == QgsLayoutExporter.Success, "layout exported to layout.png")
app.exitQgis()
print("%d failure(s)" % len(failures))
sys.exit(1 if failures else 0)
