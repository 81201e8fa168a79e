#!/usr/bin/env python3
"""Opens the cartography outputs in QGIS itself (PyQGIS, headless) and checks what QGIS
understood. Not run by ctest (it needs python3-qgis, a heavy package); run by hand:

    PTCE_CARTO_OUT=/tmp/carto build/tests/test_cartography   # writes the outputs
    QT_QPA_PLATFORM=offscreen /usr/bin/python3 tests/data/qgis/check_in_qgis.py /tmp/carto

(Debian: apt-get install python3-qgis qgis-providers; use the system python3, which
sees the qgis module.) It first creates the Shapefiles the project and the styles expect
(a few squares and points, as in tests/unit/test_cartography.c), then checks that each .qml is loaded as the
layer's default style, that the project reads with every layer valid, and exports the
print layout "Carte nationale" to layout.png in the same folder.
"""
import os
import sys

from qgis.core import (QgsApplication, QgsFeature, QgsGeometry, QgsLayoutExporter,
                       QgsPointXY, QgsProject, QgsVectorFileWriter, QgsVectorLayer,
                       QgsCoordinateTransformContext)

out = os.path.abspath(sys.argv[1])
app = QgsApplication([], False)
app.initQgis()
failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def write_shp(path, uri, features):
    mem = QgsVectorLayer(uri, "tmp", "memory")
    pr = mem.dataProvider()
    feats = []
    for geom, attrs in features:
        f = QgsFeature(mem.fields())
        f.setGeometry(geom)
        f.setAttributes(attrs)
        feats.append(f)
    pr.addFeatures(feats)
    opts = QgsVectorFileWriter.SaveVectorOptions()
    opts.driverName = "ESRI Shapefile"
    opts.fileEncoding = "UTF-8"
    os.makedirs(os.path.dirname(path), exist_ok=True)
    err = QgsVectorFileWriter.writeAsVectorFormatV3(mem, path, QgsCoordinateTransformContext(), opts)
    assert err[0] == QgsVectorFileWriter.NoError, err


def rect(x0, y0, x1, y1):
    return QgsGeometry.fromRect(__import__("qgis.core").core.QgsRectangle(x0, y0, x1, y1))


def pt(x, y):
    return QgsGeometry.fromPointXY(QgsPointXY(x, y))


pts = [(pt(350000, 6700000), ["economie_circulaire", "A"]),
       (pt(450000, 6800000), ["alimentation", "B"]),
       (pt(700000, 6600000), ["numerique", "C"]),
       (pt(900000, 6200000), ["autre_chose", "D"])]
write_shp(f"{out}/carte/ptce_points.shp",
          "Point?crs=EPSG:2154&field=secteur:string&field=nom:string", pts)
write_shp(f"{out}/ptce_points.shp", "Point?crs=EPSG:4326&field=secteur:string&field=nom:string",
          [(pt(2.35, 48.85), ["numerique", "Paris"])])
write_shp(f"{out}/reunion/ptce_points.shp",
          "Point?crs=EPSG:2975&field=secteur:string&field=nom:string",
          [(pt(340000, 7680000), ["alimentation", "Saint-Denis"])])
write_shp(f"{out}/carte/regions.shp", "Polygon?crs=EPSG:2154&field=taux:double&field=nom:string",
          [(rect(300000, 6500000, 600000, 6900000), [0.2, "Région A"]),
           (rect(600000, 6500000, 1000000, 6900000), [0.7, "Région B"]),
           (rect(300000, 6100000, 600000, 6500000), [1.5, "Région C"]),
           (rect(600000, 6100000, 1000000, 6500000), [3.0, "Région D"])])
write_shp(f"{out}/carte/encadres.shp", "Polygon?crs=EPSG:2154&field=nom:string",
          [(rect(20000, 6850000, 200000, 7000000), ["Guadeloupe (×1,5)"]),
           (rect(20000, 6650000, 200000, 6800000), ["Martinique (×1,5)"]),
           (rect(20000, 6400000, 200000, 6600000), ["Guyane (×0,35)"])])

# 1. Styles loaded by themselves beside the Shapefiles.
lyr = QgsVectorLayer(f"{out}/carte/ptce_points.shp", "points", "ogr")
r = lyr.renderer()
check(lyr.isValid(), "ptce_points.shp valid")
check(r.type() == "categorizedSymbol", f"ptce_points.qml renderer: {r.type()}")
if r.type() == "categorizedSymbol":
    cats = r.categories()
    check(r.classAttribute() == "secteur", "categorized attribute")
    check(len(cats) == 4, f"{len(cats)} categories")
    check(cats[0].symbol().color().name() == "#1b9e77", f"colour {cats[0].symbol().color().name()}")
    check(cats[0].label() == "Économie circulaire", f"label {cats[0].label()}")
    check(cats[3].value() in ("", None), f"catch-all value {cats[3].value()!r}")
    check(cats[0].symbol().symbolLayer(0).layerType() == "SimpleMarker", "SimpleMarker")

lyr = QgsVectorLayer(f"{out}/carte/regions.shp", "regions", "ogr")
r = lyr.renderer()
check(r.type() == "graduatedSymbol", f"regions.qml renderer: {r.type()}")
if r.type() == "graduatedSymbol":
    ranges = r.ranges()
    check(len(ranges) == 4, f"{len(ranges)} ranges")
    check((ranges[1].lowerValue(), ranges[1].upperValue()) == (0.5, 1.0), "range bounds")
    check(ranges[3].symbol().color().name() == "#d7301f", "range colour")
    check(ranges[0].label() == "0 – 0,5", f"range label {ranges[0].label()}")
    check(r.classificationMethod() is not None, "classification method")
check(lyr.labelsEnabled(), "regions labels enabled")
check(lyr.labeling() is not None and lyr.labeling().settings().fieldName == "nom", "label field")

lyr = QgsVectorLayer(f"{out}/carte/encadres.shp", "encadres", "ogr")
r = lyr.renderer()
check(r.type() == "singleSymbol", f"encadres.qml renderer: {r.type()}")
sl = r.symbol().symbolLayer(0)
check(sl.brushStyle() == 0, f"frames without fill (brush {sl.brushStyle()})")
check(sl.strokeColor().name() == "#808080", f"frames outline {sl.strokeColor().name()}")
check(lyr.labelsEnabled(), "frames labels enabled")

# 2. The project.
proj = QgsProject.instance()
check(proj.read(f"{out}/ptce-map.qgs"), "project read")
check(proj.crs().authid() == "EPSG:2154", f"project CRS {proj.crs().authid()}")
layers = proj.mapLayers()
check(len(layers) == 5, f"{len(layers)} layers")
for lid, l in sorted(layers.items()):
    check(l.isValid(), f"layer {lid} valid ({l.source()})")
    check(l.renderer() is not None, f"layer {lid} renderer {l.renderer().type() if l.renderer() else None}")
check(layers["ptce_reunion"].crs().authid() == "EPSG:2975", "Réunion layer CRS")
check(layers["regions_couche_qgis"].renderer().type() == "graduatedSymbol", "regions inline renderer")
check(layers["encadres_couche_qgis"].labelsEnabled(), "frames labels in project")
root = proj.layerTreeRoot()
check([g.name() for g in root.children()] == ["Carte nationale", "Position réelle"],
      f"groups {[g.name() for g in root.children()]}")
check(not root.findGroup("Position réelle").isVisible(), "hidden group")
check(proj.readPath("./carte/regions.shp") == f"{out}/carte/regions.shp", "relative paths")
layouts = proj.layoutManager().printLayouts()
check(len(layouts) == 1 and layouts[0].name() == "Carte nationale", "layout")
if layouts:
    layout = layouts[0]
    maps = [i for i in layout.items() if i.type() == 65639]
    check(len(maps) == 1, "one map item")
    if maps:
        e = maps[0].extent()
        print("     map extent", e.toString())
    png = f"{out}/layout.png"
    res = QgsLayoutExporter(layout).exportToImage(png, QgsLayoutExporter.ImageExportSettings())
    check(res == QgsLayoutExporter.Success, f"layout exported to {png}")

app.exitQgis()
print("FAILURES:", failures if failures else "none")
sys.exit(1 if failures else 0)
