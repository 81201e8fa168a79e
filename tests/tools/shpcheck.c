/*
 * shpcheck — reads a Shapefile back with shapelib, for the end-to-end tests.
 *
 *   shpcheck BASE info           → "type=Point count=N fields=a,b,c"
 *   shpcheck BASE sum FIELD      → sum of a numeric field
 *   shpcheck BASE values FIELD   → every value of a field, one per line
 *   shpcheck BASE rings          → "outer_cw=N outer_ccw=N" over every polygon's parts
 *   shpcheck BASE bounds         → "xmin ymin xmax ymax"
 */
#include <shapefil.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int field_index(DBFHandle dbf, const char *name)
{
    int i = DBFGetFieldIndex(dbf, name);
    if (i < 0)
        fprintf(stderr, "shpcheck: no field %s\n", name);
    return i;
}

static double signed_area(const SHPObject *o, int part)
{
    int start = o->panPartStart[part];
    int end = part + 1 < o->nParts ? o->panPartStart[part + 1] : o->nVertices;
    double s = 0;
    for (int i = start; i + 1 < end; i++)
        s += o->padfX[i] * o->padfY[i + 1] - o->padfX[i + 1] * o->padfY[i];
    return s / 2;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: shpcheck BASE info|sum F|values F|rings|bounds\n");
        return 2;
    }
    SHPHandle shp = SHPOpen(argv[1], "rb");
    DBFHandle dbf = DBFOpen(argv[1], "rb");
    if (!shp || !dbf) {
        fprintf(stderr, "shpcheck: cannot open %s\n", argv[1]);
        return 1;
    }
    int count, type;
    double minb[4], maxb[4];
    SHPGetInfo(shp, &count, &type, minb, maxb);
    const char *cmd = argv[2];
    int rc = 0;
    if (!strcmp(cmd, "info")) {
        printf("type=%s count=%d records=%d fields=", SHPTypeName(type), count,
               DBFGetRecordCount(dbf));
        for (int i = 0; i < DBFGetFieldCount(dbf); i++) {
            char name[12];
            DBFGetFieldInfo(dbf, i, name, NULL, NULL);
            printf("%s%s", i ? "," : "", name);
        }
        printf("\n");
    } else if ((!strcmp(cmd, "sum") || !strcmp(cmd, "values")) && argc > 3) {
        int f = field_index(dbf, argv[3]);
        if (f < 0) {
            rc = 1;
        } else {
            double sum = 0;
            for (int i = 0; i < DBFGetRecordCount(dbf); i++) {
                if (!strcmp(cmd, "sum"))
                    sum += DBFReadDoubleAttribute(dbf, i, f);
                else
                    printf("%s\n", DBFIsAttributeNULL(dbf, i, f) ? "" : DBFReadStringAttribute(dbf, i, f));
            }
            if (!strcmp(cmd, "sum"))
                printf("%.0f\n", sum);
        }
    } else if (!strcmp(cmd, "rings")) {
        /* Outer rings are the parts that are not inside another: for the tests it is enough
         * to count clockwise and counter-clockwise parts. */
        int cw = 0, ccw = 0;
        for (int i = 0; i < count; i++) {
            SHPObject *o = SHPReadObject(shp, i);
            for (int p = 0; o && p < o->nParts; p++)
                if (signed_area(o, p) < 0)
                    cw++;
                else
                    ccw++;
            SHPDestroyObject(o);
        }
        printf("cw=%d ccw=%d\n", cw, ccw);
    } else if (!strcmp(cmd, "bounds")) {
        printf("%.6f %.6f %.6f %.6f\n", minb[0], minb[1], maxb[0], maxb[1]);
    } else {
        fprintf(stderr, "shpcheck: unknown command %s\n", cmd);
        rc = 2;
    }
    SHPClose(shp);
    DBFClose(dbf);
    return rc;
}
