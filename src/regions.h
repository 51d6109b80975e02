/* regions.h -- region geometries through GDAL, GEOS and PROJ; see regions.c. */
#ifndef SPREIDING_REGIONS_H
#define SPREIDING_REGIONS_H

#include "spreiding.h"

/* .Call entry: run-time versions of GDAL, GEOS and PROJ, as a named
 * character vector c(gdal = , geos = , proj = ). */
SEXP spr_c_gdal_version(void);

#endif /* SPREIDING_REGIONS_H */
