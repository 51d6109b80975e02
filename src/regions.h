/* regions.h -- region geometries through GDAL, GEOS and PROJ: reading
 * polygon layers into the regions object and transforming coordinates
 * (regions.c). */
#ifndef SPREIDING_REGIONS_H
#define SPREIDING_REGIONS_H

#include <stddef.h>

#include "spreiding.h"

/* .Call entry: run-time versions of GDAL, GEOS and PROJ, as a named
 * character vector c(gdal = , geos = , proj = ). */
SEXP spr_c_gdal_version(void);

/* .Call entry behind read_regions(): reads one polygon layer of a vector
 * data source. dsn: string; layer: NULL, string or 1-based number; crs:
 * NULL or a string OSRSetFromUserInput() understands; repair: TRUE/FALSE.
 * Returns list(columns = named list of attribute vectors, geometry = list
 * of sf MULTIPOLYGONs, fid = double, layer = name read, crs_input,
 * crs_wkt (strings or NA), bbox = c(xmin, ymin, xmax, ymax) (Inf when all
 * geometries are empty), status = integer per feature (0 valid, 1 invalid,
 * 2 repaired, 3 still invalid after repair, 4 empty after repair),
 * reason = GEOS's reason per invalid feature (or NA), warnings = GDAL's
 * warnings while reading (or NA)). Opens and closes every GDAL handle
 * within the call, also when it raises an error. */
SEXP spr_c_read_regions(SEXP dsn_sexp, SEXP layer_sexp, SEXP crs_sexp,
                        SEXP repair_sexp);

/* .Call entry: transform x, y (double or integer vectors of equal length)
 * from the CRS `from` to `to` (strings: "EPSG:28992", WKT, ...). Returns
 * list(x, y), new double vectors; NA in, NA out. Errors name `from` or
 * `to` when GDAL does not understand it. */
SEXP spr_c_transform(SEXP x_sexp, SEXP y_sexp, SEXP from_sexp, SEXP to_sexp);

/* .Call entry: the WKT2 of a CRS given as user input ("EPSG:28992", WKT,
 * ...), or an error naming `arg`. */
SEXP spr_c_crs_wkt(SEXP crs_sexp, SEXP arg_sexp);

/* Return codes of spr_transform_xy(). */
enum {
  SPR_TRANSFORM_OK = 0,
  SPR_TRANSFORM_BAD_FROM = 1, /* `from` is not a CRS GDAL understands */
  SPR_TRANSFORM_BAD_TO = 2,   /* `to` is not a CRS GDAL understands */
  SPR_TRANSFORM_NO_PATH = 3,  /* PROJ found no transformation between them */
  SPR_TRANSFORM_MEMORY = 4    /* scratch memory could not be allocated */
};

/* Transform n coordinates in place from the CRS given as WKT (or any user
 * input GDAL's OSRSetFromUserInput() accepts, e.g. "EPSG:28992") to
 * another; GIS axis order (x = easting/longitude, y = northing/latitude) on
 * both sides. Points with a missing or non-finite x or y, and points PROJ
 * cannot transform, become NA_REAL in both x and y. Returns
 * SPR_TRANSFORM_OK (0), or one of the nonzero codes above with a message
 * (GDAL's text when there is one) in msg, of at most msglen bytes
 * including the terminating NUL (msg may be NULL when msglen is 0).
 * Touches no R object and never longjmps, so it may be called with GDAL or
 * GEOS handles open. */
int spr_transform_xy(const char *from, const char *to, int n, double *x,
                     double *y, char *msg, size_t msglen);

#endif /* SPREIDING_REGIONS_H */
