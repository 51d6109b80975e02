/* crosswalk.h -- area crosswalks between two region layers and dissolving
 * regions into groups, through the GEOS C API (crosswalk.c). */
#ifndef SPREIDING_CROSSWALK_H
#define SPREIDING_CROSSWALK_H

#include "spreiding.h"

/* .Call entry: the overlapping pairs of two MULTIPOLYGON geometry lists
 * (sf layout) and the area of each pair's intersection, as
 * list(from = <int, 1-based rows>, to = <int>, area = <double>,
 *      from_area = <double, one per `from` region>).
 * The label vectors (character, one per region) only name regions in
 * errors. method: 1 cuts straddling pairs by triangles (the default), 2 by
 * GEOS overlay (for tests and benchmarks); 3 instead returns, for each
 * element of `from` (a region or a c(x, y) point), the 1-based row of the
 * nearest `to` region, or NA (region_crosswalk(uncovered = "nearest")). */
SEXP spr_c_crosswalk(SEXP from_sexp, SEXP to_sexp, SEXP from_label_sexp,
                     SEXP to_label_sexp, SEXP method_sexp);

/* .Call entry: the union of the regions of each group, as a list of
 * MULTIPOLYGON geometries (sf layout, classed "XY" "MULTIPOLYGON" "sfg"),
 * one per group. `group` holds a 1-based group number per region, from 1 to
 * the length of `group_label` (character, one per group); `label` names
 * the regions. Both label vectors only serve error messages. */
SEXP spr_c_dissolve(SEXP geom_sexp, SEXP group_sexp, SEXP group_label_sexp,
                    SEXP label_sexp);

/* .Call entry: TRUE when two CRS definitions (WKT or user input such as
 * "EPSG:28992") describe the same CRS, ignoring axis order, through GDAL's
 * OSRIsSameEx(). */
SEXP spr_c_crs_equal(SEXP a_sexp, SEXP b_sexp);

#endif /* SPREIDING_CROSSWALK_H */
