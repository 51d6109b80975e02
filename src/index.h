/* index.h -- a reusable spatial index of region polygons and point location
 * in it (index.c). */
#ifndef SPREIDING_INDEX_H
#define SPREIDING_INDEX_H

#include "spreiding.h"

/* .Call entry behind region_index(): builds the index of a geometry list in
 * the sf layout. geom: the list (one element per region); depth: 2 when
 * each element is a MULTIPOLYGON (list of polygons, each a list of rings),
 * 1 when it is a POLYGON (list of rings); cells_per_edge: grid cells per
 * polygon edge (a double > 0). Returns an external pointer whose finalizer
 * frees the index. */
SEXP spr_c_index_build(SEXP geom_sexp, SEXP depth_sexp,
                       SEXP cells_per_edge_sexp);

/* .Call entry: facts about an index, as a named list (regions, edges, nx,
 * ny, records, edge_copies, breakpoints, bytes, bbox). */
SEXP spr_c_index_info(SEXP index_sexp);

/* .Call entry behind locate_points(): the 1-based region (row) of each
 * point, NA outside every region or for a missing coordinate. x, y: double
 * vectors; from: NULL (the points are in the regions' CRS) or the points'
 * CRS as a string, in which case they are transformed to `to` (a string)
 * first; what: the name of the points argument and its columns, for
 * errors, as c(points = , x = , y = , crs = ). */
SEXP spr_c_index_locate(SEXP index_sexp, SEXP x_sexp, SEXP y_sexp,
                        SEXP from_sexp, SEXP to_sexp, SEXP what_sexp);

/* .Call entry: the coordinates of an sfc_POINT list (sf layout: each
 * element a double vector c(x, y) or c(x, y, z), NA for an empty point) as
 * list(x, y). */
SEXP spr_c_point_coords(SEXP sfc_sexp);

#endif /* SPREIDING_INDEX_H */
