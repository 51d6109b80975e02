#' Versions of GDAL, GEOS and PROJ in use
#'
#' Reports the versions of the geometry libraries that spreiding is linked
#' to, as loaded at run time: GDAL reads and writes region layers, GEOS
#' unions and tests polygons, PROJ transforms coordinates. Quote them in a
#' methods section, or compare them with the versions another package such
#' as sf reports when results differ between machines.
#'
#' @return A named character vector with elements `gdal`, `geos` and
#'   `proj`, each a release number such as `"3.6.2"`.
#' @export
#' @examples
#' gdal_version()
#'
#' # Compare as versions, not as strings
#' numeric_version(gdal_version()[["gdal"]]) >= "3.0.0"
gdal_version <- function() {
  .Call(C_spr_c_gdal_version)
}
