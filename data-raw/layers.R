# Build the small region layers shipped in inst/extdata:
#
#   inst/extdata/pc2.gpkg  layer `pc2`: the 90 postcode-2 areas, fields `pc2`
#                          (integer, 10-99) and `inhabitants` (1 Jan 2021)
#   inst/extdata/azw.gpkg  layer `azw`: the 28 AZW (RegioPlus labour-market)
#                          regions of 2023, fields `statcode` (RA0101-RA1428)
#                          and `statnaam`
#
# both in EPSG:28992 (Amersfoort / RD New), simplified so that together they
# stay well under 1 MB.
#
# Sources (see ../shared/data/nl/README.md for the full provenance):
# - PC2: layer pc2_cbs2020 of ../shared/data/nl/nl_regions_rd.gpkg, built
#   from the CBS "Kerncijfers per postcode" 2020 v1 PC4 polygons and the CBS
#   StatLine population of 1 January 2021 (tables 83503NED, 83502NED), as
#   packaged in the certegis R package
#   (github.com/certe-medical-epidemiology/certegis, data last changed in
#   commit 0438ae5, 2022-06-10): PC4 unioned per PC2, holes removed,
#   simplified 100 m.
# - AZW: layer azw_regioplus_2023 of the same GeoPackage: CBS/PDOK
#   gebiedsindelingen 2023, layer regioplus_arbeidsmarktregio_gegeneraliseerd,
#   as TopoJSON in github.com/cartomap/nl (commit 7234d7f8,
#   wgs84/regioplus_arbeidsmarktregio_2023.topojson), converted with GDAL and
#   made valid.
# Bron: CBS / PDOK, CC BY 4.0.
#
# Run from the package root (needs sf, and the shared data directory beside
# the package, or SPREIDING_SHARED_DATA naming it):
#
#   Rscript data-raw/layers.R
#
# Each layer is simplified per feature with GEOS's topology-preserving
# simplifier (sf::st_simplify(preserveTopology = TRUE), tolerance 50 m), then
# checked: every geometry must be a valid MULTIPOLYGON and the layer must
# keep its features, ids and population. Shared borders are simplified from
# both sides independently, so neighbours may overlap or leave slivers of a
# few tens of metres; the layers are for examples, tests and maps, not for
# exact area statistics.

if (!file.exists("DESCRIPTION") ||
    !identical(unname(read.dcf("DESCRIPTION", "Package")[1, 1]), "spreiding")) {
  stop("run this script from the root of the spreiding package source")
}
if (!requireNamespace("sf", quietly = TRUE)) {
  stop("data-raw/layers.R needs the sf package")
}

src <- Sys.getenv("SPREIDING_SHARED_DATA", "")
src <- if (nzchar(src)) {
  c(file.path(src, "nl"), file.path(src, "data", "nl"))
} else {
  file.path("..", "shared", "data", "nl")
}
src <- file.path(src, "nl_regions_rd.gpkg")
src <- src[file.exists(src)][1]
if (is.na(src)) {
  stop("cannot find ../shared/data/nl/nl_regions_rd.gpkg",
       " (set SPREIDING_SHARED_DATA to the shared data directory)")
}

tolerance <- 50 # metres

simplify_layer <- function(x) {
  g <- sf::st_simplify(sf::st_geometry(x), preserveTopology = TRUE,
                       dTolerance = tolerance)
  bad <- !sf::st_is_valid(g)
  if (any(bad)) {
    fixed <- sf::st_make_valid(g[bad])
    fixed <- sf::st_collection_extract(fixed, "POLYGON")
    g[bad] <- sf::st_cast(sf::st_union(fixed, by_feature = TRUE), "MULTIPOLYGON")
  }
  g <- sf::st_cast(g, "MULTIPOLYGON")
  stopifnot(all(sf::st_is_valid(g)), !any(sf::st_is_empty(g)))
  sf::st_geometry(x) <- g
  x
}

write_layer <- function(x, path, layer) {
  if (file.exists(path)) file.remove(path)
  # No spatial index: the layers are small and the R-tree tables would
  # double the file size.
  sf::st_write(x, path, layer = layer, quiet = TRUE,
               layer_options = "SPATIAL_INDEX=NO")
}

dir.create(file.path("inst", "extdata"), showWarnings = FALSE, recursive = TRUE)

# PC2 -----------------------------------------------------------------------
pc2_raw <- sf::st_read(src, "pc2_cbs2020", quiet = TRUE)
pc2 <- sf::st_sf(
  pc2 = as.integer(pc2_raw$postcode),
  inhabitants = as.integer(pc2_raw$inwoners),
  geometry = sf::st_geometry(pc2_raw)
)
pc2 <- pc2[order(pc2$pc2), ]
pc2 <- simplify_layer(pc2)
stopifnot(
  nrow(pc2) == 90,
  identical(pc2$pc2, c(10:99)),
  sum(pc2$inhabitants) == sum(pc2_raw$inwoners)
)
write_layer(pc2, file.path("inst", "extdata", "pc2.gpkg"), "pc2")

# AZW -----------------------------------------------------------------------
azw_raw <- sf::st_read(src, "azw_regioplus_2023", quiet = TRUE)
azw <- sf::st_sf(
  statcode = as.character(azw_raw$statcode),
  statnaam = as.character(azw_raw$statnaam),
  geometry = sf::st_geometry(azw_raw)
)
azw <- azw[order(azw$statcode), ]
azw <- simplify_layer(azw)
stopifnot(nrow(azw) == 28, !anyDuplicated(azw$statcode))
write_layer(azw, file.path("inst", "extdata", "azw.gpkg"), "azw")

# Report ----------------------------------------------------------------------
for (f in file.path("inst", "extdata", c("pc2.gpkg", "azw.gpkg"))) {
  message(f, ": ", format(file.size(f), big.mark = ","), " bytes")
}
area_change <- function(simplified, raw) {
  a <- as.numeric(sf::st_area(simplified))
  b <- as.numeric(sf::st_area(raw))
  max(abs(a / b - 1))
}
message("largest relative area change: PC2 ",
        signif(area_change(pc2, pc2_raw[order(pc2_raw$postcode), ]), 3),
        ", AZW ",
        signif(area_change(azw, azw_raw[order(azw_raw$statcode), ]), 3))
