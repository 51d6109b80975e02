# Region geometries: versions of the libraries, read_regions() on the
# shipped and shared layers and on files written here, as_regions(),
# new_regions(), coordinate transformation, bad input, and handles that
# must not leak. Expected values come from sf on the same files, from the
# data's README (feature counts, population sums), from published
# projection parameters, or from geometry worked out by hand.

test_that("gdal_version() reports three release numbers", {
  v <- gdal_version()
  expect_type(v, "character")
  expect_named(v, c("gdal", "geos", "proj"))
  expect_false(anyNA(v))
  expect_true(all(nzchar(v)))
  expect_match(v, "^[0-9]+\\.[0-9]+\\.[0-9]+")
  expect_true(numeric_version(v[["gdal"]]) >= "3.0.0")
})

test_that("gdal_version() matches the GDAL that gdal-config describes", {
  gdal_config <- Sys.which("gdal-config")
  skip_if(!nzchar(gdal_config), "gdal-config is not on the PATH")
  expected <- system2(gdal_config, "--version", stdout = TRUE)
  expect_identical(gdal_version()[["gdal"]], trimws(expected[[1]]))
})

test_that("gdal_version() matches the GEOS that geos-config describes", {
  geos_config <- Sys.which("geos-config")
  skip_if(!nzchar(geos_config), "geos-config is not on the PATH")
  expected <- system2(geos_config, "--version", stdout = TRUE)
  expect_identical(gdal_version()[["geos"]], trimws(expected[[1]]))
})

# ---- helpers -----------------------------------------------------------------

extdata <- function(file) {
  path <- system.file("extdata", file, package = "spreiding")
  if (!nzchar(path)) skip(paste("extdata file not installed:", file))
  path
}

# All coordinates of a MULTIPOLYGON column, as one two-column matrix.
all_xy <- function(geometry) {
  rings <- unlist(unlist(unclass(geometry), recursive = FALSE),
                  recursive = FALSE)
  do.call(rbind, rings)
}

write_text <- function(dir, name, lines) {
  path <- file.path(dir, name)
  writeLines(lines, path)
  path
}

# A GeoJSON FeatureCollection from feature strings.
geojson <- function(...) {
  paste0('{"type":"FeatureCollection","features":[',
         paste(c(...), collapse = ","), "]}")
}
feature <- function(properties, geometry) {
  paste0('{"type":"Feature","properties":', properties, ',"geometry":',
         geometry, "}")
}
square <- '{"type":"Polygon","coordinates":[[[0,0],[2,0],[2,2],[0,2],[0,0]]]}'

rss_kb <- function() {
  line <- grep("^VmRSS:", readLines("/proc/self/status"), value = TRUE)
  as.numeric(gsub("[^0-9]", "", line))
}

# ---- the regions object ------------------------------------------------------

test_that("the shipped PC2 layer: 90 areas, ids 10-99, 17,472,870 people", {
  x <- read_regions(extdata("pc2.gpkg"), id = "pc2")
  expect_identical(class(x), c("sf", "data.frame"))
  expect_identical(names(x), c("pc2", "inhabitants", "geometry"))
  expect_identical(nrow(x), 90L)
  expect_identical(x$pc2, 10:99)
  expect_type(x$inhabitants, "integer")
  # the population of 1 Jan 2021 (CBS, as in the shared README)
  expect_identical(sum(x$inhabitants), 17472870L)
  expect_identical(attr(x, "region_id"), "pc2")
  expect_identical(attr(x, "sf_column"), "geometry")
  expect_identical(
    attr(x, "agr"),
    structure(factor(c(NA, NA), levels = c("constant", "aggregate", "identity")),
              names = c("pc2", "inhabitants"))
  )

  g <- x$geometry
  expect_identical(class(g), c("sfc_MULTIPOLYGON", "sfc"))
  expect_identical(attr(g, "precision"), 0)
  expect_identical(attr(g, "n_empty"), 0L)
  crs <- attr(g, "crs")
  expect_s3_class(crs, "crs")
  expect_identical(crs$input, "EPSG:28992")
  expect_match(crs$wkt, "^PROJCRS\\[\"Amersfoort / RD New\"")
  expect_match(crs$wkt, "ID[\"EPSG\",28992]", fixed = TRUE)
  expect_identical(spreiding:::regions_crs_wkt(x), crs$wkt)
  expect_identical(spreiding:::regions_crs_wkt(g), crs$wkt)

  # every element an XY MULTIPOLYGON of closed two-column rings
  expect_true(all(vapply(g, function(e) {
    identical(class(e), c("XY", "MULTIPOLYGON", "sfg")) &&
      all(vapply(unlist(e, recursive = FALSE), function(m) {
        is.matrix(m) && is.double(m) && ncol(m) == 2 && nrow(m) >= 4 &&
          all(m[1, ] == m[nrow(m), ]) && is.null(attr(m, "dimnames"))
      }, logical(1)))
  }, logical(1))))

  # the bbox is the range of the coordinates, inside the RD grid of NL
  xy <- all_xy(g)
  bbox <- attr(g, "bbox")
  expect_identical(unclass(bbox)[1:4],
                   c(xmin = min(xy[, 1]), ymin = min(xy[, 2]),
                     xmax = max(xy[, 1]), ymax = max(xy[, 2])))
  expect_identical(attributes(bbox),
                   list(names = c("xmin", "ymin", "xmax", "ymax"),
                        class = "bbox"))
  expect_true(bbox[["xmin"]] > 0 && bbox[["xmax"]] < 300000 &&
                bbox[["ymin"]] > 300000 && bbox[["ymax"]] < 625000)

  # PC2 area 10 (Amsterdam): 176.09 km2 as the sum of its PC4 areas (the
  # oppervlakte_km2 of the shared layer); the outline, simplified twice
  # (100 m, then 50 m), encloses within 0.5 % of that
  expect_equal(region_area(g[[1]]) / 1e6, 176.0905, tolerance = 5e-3)
})

test_that("the shipped AZW layer: 28 regions RA0101-RA1428", {
  x <- read_regions(extdata("azw.gpkg"), id = "statcode")
  expect_identical(nrow(x), 28L)
  expect_identical(names(x), c("statcode", "statnaam", "geometry"))
  expect_false(anyDuplicated(x$statcode) > 0)
  expect_match(x$statcode, "^RA(0[1-9]|1[0-4])[0-9]{2}$")
  expect_identical(range(x$statcode), c("RA0101", "RA1428"))
  # the only official rename of 2023 (shared README)
  expect_identical(x$statnaam[x$statcode == "RA0818"], "Rijn Gouwe")
  expect_identical(attr(x$geometry, "crs")$input, "EPSG:28992")
  bbox <- attr(x$geometry, "bbox")
  xy <- all_xy(x$geometry)
  expect_identical(unname(unclass(bbox)[1:4]),
                   c(min(xy[, 1]), min(xy[, 2]), max(xy[, 1]), max(xy[, 2])))
  # layer by name and by position give the same
  expect_identical(read_regions(extdata("azw.gpkg"), layer = "azw",
                                id = "statcode"), x)
  expect_identical(read_regions(extdata("azw.gpkg"), layer = 1,
                                id = "statcode"), x)
  expect_null(attr(read_regions(extdata("azw.gpkg")), "region_id"))
})

test_that("shipped layers: sf takes them as they are, and agrees on areas", {
  skip_if_not_installed("sf")
  for (f in c("pc2.gpkg", "azw.gpkg")) {
    ours <- read_regions(extdata(f))
    theirs <- sf::st_read(extdata(f), quiet = TRUE)
    rebuilt <- sf::st_as_sf(as.data.frame(ours))
    expect_s3_class(rebuilt, "sf")
    expect_identical(sf::st_geometry(rebuilt), ours$geometry)
    expect_true(sf::st_crs(ours) == sf::st_crs(theirs))
    expect_identical(as.character(unique(sf::st_geometry_type(ours))),
                     "MULTIPOLYGON")
    expect_true(all(sf::st_is_valid(ours)))
    expect_identical(as.numeric(sf::st_bbox(ours)),
                     as.numeric(sf::st_bbox(theirs)))
    expect_equal(sf::st_area(ours), sf::st_area(theirs))
    # the same coordinates, ring by ring
    expect_identical(lapply(ours$geometry, unclass),
                     lapply(sf::st_geometry(theirs), unclass))
    expect_identical(sf::st_drop_geometry(ours),
                     sf::st_drop_geometry(theirs))
    # the areas by hand (shoelace) agree with sf's
    expect_equal(vapply(ours$geometry, region_area, numeric(1)),
                 as.numeric(sf::st_area(theirs)))
  }
})

# ---- the shared layers -------------------------------------------------------

test_that("the shared PC4 layer: 4,068 areas, 17,472,870 people, 3 NA", {
  gpkg <- shared_data_path("nl", "nl_regions_rd.gpkg")
  x <- read_regions(gpkg, layer = "pc4_cbs2020", id = "postcode")
  expect_identical(nrow(x), 4068L)
  expect_identical(names(x), c("postcode", "inwoners", "oppervlakte_km2",
                               "geometry"))
  expect_identical(sum(is.na(x$inwoners)), 3L)
  expect_identical(sum(x$inwoners, na.rm = TRUE), 17472870L)
  expect_identical(range(x$postcode), c(1011L, 9999L))
  # PC4 5028 collapsed to nothing in the generalised CBS layer: an empty
  # MULTIPOLYGON, as sf reads it
  expect_identical(attr(x$geometry, "n_empty"), 1L)
  expect_identical(x$postcode[lengths(x$geometry) == 0], 5028L)
  expect_identical(attr(x$geometry, "crs")$input, "EPSG:28992")

  skip_if_not_installed("sf")
  theirs <- sf::st_read(gpkg, "pc4_cbs2020", quiet = TRUE)
  expect_identical(lapply(x$geometry, unclass),
                   lapply(sf::st_geometry(theirs), unclass))
  expect_equal(sf::st_area(x), sf::st_area(theirs))
  expect_identical(as.numeric(sf::st_bbox(x)), as.numeric(sf::st_bbox(theirs)))
})

test_that("every polygon layer of the shared GeoPackage reads like sf reads it", {
  gpkg <- shared_data_path("nl", "nl_regions_rd.gpkg")
  skip_if_not_installed("sf")
  layers <- c("pc3_cbs2020", "pc2_cbs2020", "gemeente_cbs2022",
              "provincie_cbs2022", "ggdregio_cbs2022", "corop_cbs2022",
              "azw_regioplus_2023")
  counts <- c(798L, 90L, 345L, 12L, 25L, 40L, 28L)
  for (i in seq_along(layers)) {
    ours <- read_regions(gpkg, layers[i])
    theirs <- sf::st_read(gpkg, layers[i], quiet = TRUE)
    expect_identical(nrow(ours), counts[i])
    expect_identical(lapply(ours$geometry, unclass),
                     lapply(sf::st_geometry(theirs), unclass))
    expect_identical(sf::st_drop_geometry(ours), sf::st_drop_geometry(theirs))
  }
})

test_that("GeoJSON in EPSG:4326 read with crs = 28992 matches sf::st_transform", {
  path <- shared_data_path("nl", "pc2_cbs2020.geojson")
  skip_if_not_installed("sf")
  for (crs in list(28992, "EPSG:28992", sf::st_crs(28992))) {
    ours <- read_regions(path, id = "postcode", crs = crs)
    theirs <- sf::st_transform(sf::st_read(path, quiet = TRUE), 28992)
    expect_identical(nrow(ours), 90L)
    a <- all_xy(ours$geometry)
    b <- all_xy(sf::st_geometry(theirs))
    expect_identical(dim(a), dim(b))
    expect_lt(max(abs(a - b)), 1e-6)
    expect_true(sf::st_crs(ours) == sf::st_crs(28992))
  }
  expect_identical(attr(read_regions(path, crs = 28992)$geometry, "crs")$input,
                   "EPSG:28992")
  expect_identical(attr(read_regions(path, crs = sf::st_crs(28992))$geometry,
                        "crs")$input, "EPSG:28992")
  # without crs the layer stays in longitude/latitude
  ll <- read_regions(path)
  expect_identical(attr(ll$geometry, "crs")$input, "EPSG:4326")
  bbox <- attr(ll$geometry, "bbox")
  expect_true(bbox[["xmin"]] > 3 && bbox[["xmax"]] < 7.3 &&
                bbox[["ymin"]] > 50.7 && bbox[["ymax"]] < 53.6)
  # and transformed to RD it covers the RD layer's areas to within 0.1 %
  # (the GeoJSON's 7 decimals move vertices by up to ~1 cm)
  gpkg <- shared_data_path("nl", "nl_regions_rd.gpkg")
  rd <- read_regions(gpkg, "pc2_cbs2020", id = "postcode")
  ours <- read_regions(path, id = "postcode", crs = 28992)
  expect_equal(vapply(ours$geometry, region_area, numeric(1)),
               vapply(rd$geometry, region_area, numeric(1)), tolerance = 1e-3)
})

test_that("TopoJSON: 28 AZW regions, 3 invalid, repaired on request", {
  path <- shared_data_path("nl", "azw_regioplus_2023.topojson")
  expect_snapshot(x <- read_regions(path, id = "statcode"))
  expect_identical(nrow(x), 28L)
  expect_true(is.na(spreiding:::regions_crs_wkt(x)))
  expect_identical(attr(x$geometry, "crs"),
                   structure(list(input = NA_character_, wkt = NA_character_),
                             class = "crs"))
  # the same regions as the GeoPackage copy
  gpkg <- shared_data_path("nl", "nl_regions_rd.gpkg")
  expect_setequal(x$statcode,
                  read_regions(gpkg, "azw_regioplus_2023")$statcode)

  expect_no_warning(fixed <- read_regions(path, id = "statcode",
                                          repair = TRUE))
  expect_identical(nrow(fixed), 28L)
  expect_identical(fixed$statcode, x$statcode)
  skip_if_not_installed("sf")
  valid <- sf::st_is_valid(x)
  expect_identical(x$statcode[!valid], c("RA0818", "RA0919", "RA1222"))
  expect_true(all(sf::st_is_valid(fixed)))
  # valid regions are untouched by repair
  expect_identical(fixed$geometry[valid], x$geometry[valid])
})

# ---- files written here: formats, types, geometry rules ----------------------

test_that("GeoPackage, GeoJSON, Shapefile and FlatGeobuf give the same regions", {
  skip_if_not_installed("sf")
  dir <- tempfile("regions-formats-")
  dir.create(dir)
  on.exit(unlink(dir, recursive = TRUE), add = TRUE)
  src <- sf::st_read(extdata("azw.gpkg"), quiet = TRUE)[1:6, ]
  want <- as_regions(src, id = "statcode")
  for (ext in c("gpkg", "geojson", "shp", "fgb")) {
    path <- file.path(dir, paste0("azw.", ext))
    sf::st_write(src, path, quiet = TRUE)
    got <- read_regions(path, id = "statcode")
    # FlatGeobuf stores features in the order of its spatial index
    got <- spreiding:::new_regions(
      sf::st_drop_geometry(got)[order(got$statcode), , drop = FALSE],
      got$geometry[order(got$statcode)], id = "statcode"
    )
    expect_identical(got$statcode, want$statcode)
    expect_identical(got$statnaam, want$statnaam)
    expect_true(sf::st_crs(got) == sf::st_crs(want))
    # Shapefiles store rings in their own orientation: compare areas
    expect_equal(vapply(got$geometry, region_area, numeric(1)),
                 vapply(want$geometry, region_area, numeric(1)))
    expect_identical(unclass(attr(got$geometry, "bbox"))[1:4],
                     unclass(attr(want$geometry, "bbox"))[1:4])
  }
})

test_that("attributes: integer, double, string, date, logical, datetime, NULL", {
  skip_if_not_installed("sf")
  dir <- tempfile("regions-types-")
  dir.create(dir)
  on.exit(unlink(dir, recursive = TRUE), add = TRUE)
  sq <- function(x0) {
    sf::st_polygon(list(cbind(c(x0, x0 + 1, x0 + 1, x0, x0), c(0, 0, 1, 1, 0))))
  }
  src <- sf::st_sf(
    code = c(7L, NA, 9L),
    share = c(0.25, 1e10, NA),
    name = c("Fryslân", NA, "'s-Hertogenbosch"),
    day = as.Date(c("2021-01-01", "1969-12-31", NA)),
    flag = c(TRUE, NA, FALSE),
    stamp = as.POSIXct(c("2024-02-29 13:45:30", NA, "1970-01-01 00:00:00"),
                       tz = "UTC"),
    geometry = sf::st_sfc(sq(0), sq(2), sq(4), crs = 28992)
  )
  path <- file.path(dir, "types.gpkg")
  sf::st_write(src, path, quiet = TRUE)
  x <- read_regions(path)
  expect_identical(x$code, src$code)
  expect_identical(x$share, src$share)
  expect_identical(x$name, src$name)
  expect_identical(Encoding(x$name[1]), "UTF-8")
  expect_identical(x$day, src$day)
  expect_identical(x$flag, src$flag)
  expect_s3_class(x$stamp, "POSIXct")
  expect_identical(attr(x$stamp, "tzone"), "UTC")
  expect_equal(as.numeric(x$stamp), as.numeric(src$stamp))
  expect_identical(vapply(x$geometry, region_area, numeric(1)), c(1, 1, 1))
})

test_that("POLYGON becomes MULTIPOLYGON; Z and M are dropped; rings are closed", {
  dir <- tempfile("regions-geom-")
  dir.create(dir)
  on.exit(unlink(dir, recursive = TRUE), add = TRUE)
  # a square with a square hole (area 4 - 1 = 3), in 3D, and a
  # multipolygon of two unit squares
  path <- write_text(dir, "geom.geojson", geojson(
    feature('{"id":"a"}', paste0(
      '{"type":"Polygon","coordinates":[',
      '[[0,0,5],[2,0,5],[2,2,5],[0,2,5],[0,0,5]],',
      '[[0.5,0.5,5],[0.5,1.5,5],[1.5,1.5,5],[1.5,0.5,5],[0.5,0.5,5]]]}')),
    feature('{"id":"b"}', paste0(
      '{"type":"MultiPolygon","coordinates":[',
      '[[[3,0],[4,0],[4,1],[3,1],[3,0]]],[[[5,0],[6,0],[6,1],[5,1],[5,0]]]]}'))
  ))
  x <- read_regions(path, id = "id")
  a <- x$geometry[[1]]
  expect_identical(class(a), c("XY", "MULTIPOLYGON", "sfg"))
  expect_length(a, 1)
  expect_length(a[[1]], 2)
  expect_identical(a[[1]][[1]], cbind(c(0, 2, 2, 0, 0), c(0, 0, 2, 2, 0)))
  expect_identical(region_area(a), 3)
  expect_length(x$geometry[[2]], 2)
  expect_identical(region_area(x$geometry[[2]]), 2)
  expect_identical(unclass(attr(x$geometry, "bbox"))[1:4],
                   c(xmin = 0, ymin = 0, xmax = 6, ymax = 2))

  # XYZM in a GeoPackage, and a curved polygon from WKT in a CSV file
  skip_if_not_installed("sf")
  zm <- sf::st_sf(id = 1L, geometry = sf::st_sfc(sf::st_polygon(list(
    cbind(c(0, 1, 1, 0), c(0, 0, 1, 0), c(9, 9, 9, 9), c(3, 3, 3, 3))
  )), crs = 28992))
  zm_path <- file.path(dir, "zm.gpkg")
  sf::st_write(zm, zm_path, quiet = TRUE)
  y <- read_regions(zm_path)
  expect_identical(unclass(y$geometry[[1]]),
                   list(list(cbind(c(0, 1, 1, 0), c(0, 0, 1, 0)))))

  csv <- write_text(dir, "curve.csv", c(
    "id,WKT",
    "1,\"CURVEPOLYGON(CIRCULARSTRING(-1 0,0 1,1 0,0 -1,-1 0))\""
  ))
  circle <- read_regions(csv)
  ring <- circle$geometry[[1]][[1]][[1]]
  expect_gt(nrow(ring), 20)
  expect_equal(sqrt(rowSums(ring^2)), rep(1, nrow(ring)), tolerance = 1e-9)
  expect_equal(region_area(circle$geometry[[1]]), pi, tolerance = 1e-2)
})

test_that("invalid polygons: a warning by id or row; repair keeps the area", {
  dir <- tempfile("regions-invalid-")
  dir.create(dir)
  on.exit(unlink(dir, recursive = TRUE), add = TRUE)
  # a bow tie: two triangles of area 1/4 that meet at (0.5, 0.5), and a
  # ring that folds back on itself, with no area at all
  bowtie <- '{"type":"Polygon","coordinates":[[[0,0],[1,1],[1,0],[0,1],[0,0]]]}'
  spike <- '{"type":"Polygon","coordinates":[[[10,0],[11,0],[12,0],[10,0]]]}'
  path <- write_text(dir, "invalid.geojson", geojson(
    feature('{"code":"ok"}', square),
    feature('{"code":"bow"}', bowtie),
    feature('{"code":"spike"}', spike)
  ))
  expect_snapshot({
    x <- read_regions(path, id = "code")
    x <- read_regions(path)
  })
  expect_warning(read_regions(path), class = "spreiding_warning")
  expect_identical(lengths(x$geometry), c(1L, 1L, 1L))

  expect_snapshot(y <- read_regions(path, id = "code", repair = TRUE))
  expect_identical(y$geometry[[1]], x$geometry[[1]])
  bow <- y$geometry[[2]]
  expect_length(bow, 2)
  expect_identical(region_area(bow), 0.5)
  expect_length(y$geometry[[3]], 0)
  expect_identical(attr(y$geometry, "n_empty"), 1L)
  expect_identical(unclass(attr(y$geometry, "bbox"))[1:4],
                   c(xmin = 0, ymin = 0, xmax = 2, ymax = 2))
  skip_if_not_installed("sf")
  expect_true(all(sf::st_is_valid(y)))
})

# ---- as_regions() and new_regions() ------------------------------------------

test_that("as_regions() of an sf object equals reading the file", {
  skip_if_not_installed("sf")
  theirs <- sf::st_read(extdata("pc2.gpkg"), quiet = TRUE)
  x <- as_regions(theirs, id = "pc2")
  ours <- read_regions(extdata("pc2.gpkg"), id = "pc2")
  expect_identical(attr(x, "region_id"), "pc2")
  expect_identical(sf::st_drop_geometry(x), sf::st_drop_geometry(ours))
  expect_identical(lapply(x$geometry, unclass), lapply(ours$geometry, unclass))
  expect_true(sf::st_crs(x) == sf::st_crs(ours))
  expect_identical(attr(x$geometry, "bbox"), attr(theirs$geom, "bbox"))
  # a regions object comes back as it is, with a new id if given
  expect_identical(as_regions(ours), ours)
  expect_identical(attr(as_regions(ours, id = "inhabitants"), "region_id"),
                   "inhabitants")
  expect_identical(as_regions(ours, id = "inhabitants")$geometry, ours$geometry)
  # sf's own sample data: NAD27 counties of North Carolina
  nc <- sf::st_read(system.file("shape/nc.shp", package = "sf"), quiet = TRUE)
  r <- as_regions(nc, id = "FIPS")
  expect_identical(nrow(r), 100L)
  expect_identical(names(r), c(setdiff(names(nc), "geometry"), "geometry"))
  expect_identical(sf::st_crs(r), sf::st_crs(nc))
  expect_equal(sf::st_area(r), sf::st_area(nc))
})

test_that("as_regions(): POLYGON, XYZ, and an sfc with or without ids", {
  skip_if_not_installed("sf")
  p1 <- sf::st_polygon(list(cbind(c(0, 1, 1, 0), c(0, 0, 1, 0), 7)))
  p2 <- sf::st_polygon(list(cbind(c(2, 3, 3, 2), c(0, 0, 1, 0), 7)))
  sfc <- sf::st_sfc(p1, p2, crs = 28992)
  x <- as_regions(sf::st_sf(code = c("a", "b"), geom = sfc), id = "code")
  expect_identical(names(x), c("code", "geometry"))
  expect_identical(class(x$geometry), c("sfc_MULTIPOLYGON", "sfc"))
  expect_identical(unclass(x$geometry[[1]]),
                   list(list(cbind(c(0, 1, 1, 0), c(0, 0, 1, 0)))))
  expect_identical(attr(x$geometry, "crs"), sf::st_crs(28992))
  expect_true(all(sf::st_is_valid(x)))

  y <- as_regions(sfc, id = c(10L, 20L))
  expect_identical(names(y), c("id", "geometry"))
  expect_identical(y$id, c(10L, 20L))
  expect_identical(attr(y, "region_id"), "id")
  expect_identical(y$geometry, x$geometry)

  z <- as_regions(sfc)
  expect_identical(names(z), "geometry")
  expect_null(attr(z, "region_id"))
  expect_identical(nrow(z), 2L)
  expect_s3_class(sf::st_as_sf(as.data.frame(z)), "sf")
})

test_that("new_regions() builds the layout from plain lists", {
  sq <- cbind(c(0, 1, 1, 0), c(0, 0, 1, 1)) # not closed: closed by new_regions
  x <- spreiding:::new_regions(
    data.frame(code = c("a", "b")),
    list(list(list(sq)), list(list(sq + 2), list(sq + 4))),
    id = "code", crs = 28992
  )
  expect_identical(class(x), c("sf", "data.frame"))
  expect_identical(x$geometry[[1]][[1]][[1]], rbind(sq, sq[1, ]))
  expect_identical(unclass(attr(x$geometry, "bbox"))[1:4],
                   c(xmin = 0, ymin = 0, xmax = 5, ymax = 5))
  pc2 <- read_regions(extdata("pc2.gpkg"))
  expect_identical(spreiding:::regions_crs_wkt(x),
                   spreiding:::regions_crs_wkt(pc2))
  expect_identical(attr(x$geometry, "crs")$input, "EPSG:28992")
  # the CRS may also come with the geometry
  y <- spreiding:::new_regions(NULL, pc2$geometry[1:2])
  expect_identical(attr(y$geometry, "crs"), attr(pc2$geometry, "crs"))
  expect_identical(names(y), "geometry")
  expect_true(is.na(spreiding:::regions_crs_wkt(
    spreiding:::new_regions(NULL, list(list(list(sq))))
  )))
  expect_snapshot(error = TRUE, {
    spreiding:::new_regions(data.frame(code = c("a", "a")),
                            list(list(list(sq)), list(list(sq))), id = "code")
    spreiding:::new_regions(data.frame(code = 1), list(list(list(sq)), list()))
    spreiding:::new_regions(data.frame(code = 1), list(list(list("x"))))
    spreiding:::new_regions(data.frame(code = 1), list(list(list(sq))),
                            crs = "EPSG:0")
  })
  skip_if_not_installed("sf")
  expect_equal(as.numeric(sf::st_area(x)), c(1, 2))
})

# ---- coordinate transformation -----------------------------------------------

test_that("transform: the RD origin, sf agreement, NA in and out", {
  # The natural origin of RD New (EPSG:28992), published with the CRS:
  # latitude 52.15616055555556, longitude 5.38763888888889 on the
  # Amersfoort datum (EPSG:4289), false easting 155000, northing 463000.
  o <- .Call(spreiding:::C_spr_c_transform, 5.38763888888889,
             52.1561605555556, "EPSG:4289", "EPSG:28992")
  expect_named(o, c("x", "y"))
  expect_equal(c(o$x, o$y), c(155000, 463000), tolerance = 1e-3 / 463000)
  # the same from WKT
  wkt <- spreiding:::regions_crs_wkt(read_regions(extdata("azw.gpkg")))
  o2 <- spreiding:::transform_xy(c(155000, NA, 155000), c(463000, 1, Inf),
                                 wkt, "EPSG:4289")
  expect_equal(o2$x[1], 5.38763888888889, tolerance = 1e-9)
  expect_equal(o2$y[1], 52.1561605555556, tolerance = 1e-9)
  expect_identical(is.na(o2$x), c(FALSE, TRUE, TRUE))
  expect_identical(is.na(o2$y), c(FALSE, TRUE, TRUE))
  expect_identical(spreiding:::transform_xy(numeric(), numeric(), "EPSG:4326",
                                            "EPSG:28992"),
                   list(x = numeric(), y = numeric()))
  # integers are taken as doubles
  expect_identical(
    .Call(spreiding:::C_spr_c_transform, c(155000L, NA), c(463000L, 1L),
          "EPSG:28992", "EPSG:4289"),
    .Call(spreiding:::C_spr_c_transform, c(155000, NA), c(463000, 1),
          "EPSG:28992", "EPSG:4289")
  )
  # identical CRS: a copy, untouched
  expect_identical(spreiding:::transform_xy(1.5, 2.5, "EPSG:28992", wkt),
                   list(x = 1.5, y = 2.5))

  skip_if_not_installed("sf")
  set.seed(1)
  lon <- runif(200, 3.4, 7.2)
  lat <- runif(200, 50.8, 53.5)
  ours <- spreiding:::transform_xy(lon, lat, "EPSG:4326", "EPSG:28992")
  theirs <- sf::st_coordinates(sf::st_transform(
    sf::st_as_sf(data.frame(lon, lat), coords = c("lon", "lat"), crs = 4326),
    28992
  ))
  expect_lt(max(abs(ours$x - theirs[, 1])), 1e-6)
  expect_lt(max(abs(ours$y - theirs[, 2])), 1e-6)
})

# ---- bad input ---------------------------------------------------------------

test_that("bad paths, layers and files are classed errors that quote GDAL", {
  dir <- tempfile("regions-bad-")
  dir.create(dir)
  on.exit(unlink(dir, recursive = TRUE), add = TRUE)
  scrub <- function(x) gsub(dir, "<tmp>", x, fixed = TRUE)
  garbage <- file.path(dir, "garbage.gpkg")
  writeBin(as.raw(rep(c(0x13, 0x37, 0xbe, 0xef), 1024)), garbage)
  # the first 8 kB of a real GeoPackage: a SQLite file cut short
  truncated <- file.path(dir, "truncated.gpkg")
  writeBin(readBin(extdata("pc2.gpkg"), "raw", 8192), truncated)
  broken_json <- write_text(dir, "broken.geojson",
                            substr(geojson(feature("{}", square)), 1, 60))
  expect_snapshot(error = TRUE, transform = scrub, {
    read_regions(file.path(dir, "does-not-exist.gpkg"))
    read_regions(garbage)
    read_regions(truncated)
    read_regions(broken_json)
    read_regions(dir)
  })
  e <- tryCatch(read_regions(garbage), error = identity)
  expect_s3_class(e, "spreiding_error")
  expect_identical(e$arg, "dsn")
  expect_match(conditionMessage(e), "not recognized as a supported file format",
               fixed = TRUE)

  expect_snapshot(error = TRUE, {
    read_regions(extdata("azw.gpkg"), layer = "azw2")
    read_regions(extdata("azw.gpkg"), layer = 2)
  })
  e <- tryCatch(read_regions(extdata("azw.gpkg"), layer = "x"), error = identity)
  expect_identical(e$arg, "layer")
})

test_that("non-polygon features, empty layers, ids and CRS are checked", {
  dir <- tempfile("regions-bad-")
  dir.create(dir)
  on.exit(unlink(dir, recursive = TRUE), add = TRUE)
  lines <- write_text(dir, "lines.geojson", geojson(
    feature('{"a":1}', square),
    feature('{"a":2}',
            '{"type":"LineString","coordinates":[[0,0],[1,1]]}')
  ))
  points <- write_text(dir, "points.geojson", geojson(
    feature('{"a":1}', '{"type":"Point","coordinates":[0,0]}')
  ))
  collection <- write_text(dir, "collection.geojson", geojson(
    feature('{"a":1}', paste0('{"type":"GeometryCollection","geometries":[',
                              square, ']}'))
  ))
  empty <- write_text(dir, "empty.geojson", geojson())
  dup <- write_text(dir, "dup.geojson", geojson(
    feature('{"code":"x","n":1}', square),
    feature('{"code":"y","n":1}', square),
    feature('{"code":"x","n":null}', square),
    feature('{"code":"x","n":2}', square),
    feature('{"code":"y","n":3}', square)
  ))
  expect_snapshot(error = TRUE, {
    read_regions(lines)
    read_regions(points)
    read_regions(collection)
    read_regions(empty)
    read_regions(dup, id = "code")
    read_regions(dup, id = "n")
    read_regions(dup, id = "cod")
    read_regions(dup, crs = "EPSG:0")
    read_regions(dup, crs = "no such thing")
  })
  e <- tryCatch(read_regions(lines), error = identity)
  expect_s3_class(e, "spreiding_error")
  expect_identical(e$arg, "dsn")
  expect_identical(e$row, 2L)

  csv <- write_text(dir, "nocrs.csv", c("id,WKT",
                                         "1,\"POLYGON((0 0,1 0,1 1,0 0))\""))
  table <- write_text(dir, "table.csv", c("id,name", "1,a"))
  expect_snapshot(error = TRUE, {
    read_regions(csv, crs = 28992)
    read_regions(table)
  })
})

test_that("arguments are checked before anything is opened", {
  path <- extdata("azw.gpkg")
  expect_snapshot(error = TRUE, {
    read_regions(123)
    read_regions(c("a.gpkg", "b.gpkg"))
    read_regions("")
    read_regions(path, layer = NA)
    read_regions(path, layer = 0)
    read_regions(path, layer = c("a", "b"))
    read_regions(path, id = 1)
    read_regions(path, crs = list(28992))
    read_regions(path, crs = -1)
    read_regions(path, repair = NA)
    read_regions(path, repair = "yes")
  })
})

test_that("as_regions() refuses what is not polygons", {
  pc2 <- read_regions(extdata("pc2.gpkg"), id = "pc2")
  expect_snapshot(error = TRUE, {
    as_regions(data.frame(a = 1))
    as_regions(pc2, id = "postcode")
    as_regions(pc2, id = c("pc2", "inhabitants"))
    as_regions(pc2$geometry, id = 1:3)
    as_regions(pc2$geometry[1:3], id = c(1, 2, 1))
  })
  skip_if_not_installed("sf")
  pts <- sf::st_sf(a = 1:2, geometry = sf::st_sfc(sf::st_point(c(0, 0)),
                                                   sf::st_point(c(1, 1))))
  expect_snapshot(error = TRUE, {
    as_regions(pts)
    as_regions(sf::st_geometry(pts), id = c("a", "b"))
  })
})

test_that("transform errors name the CRS argument", {
  expect_snapshot(error = TRUE, {
    spreiding:::transform_xy(1, 2, "EPSG:0", "EPSG:28992")
    spreiding:::transform_xy(1, 2, "EPSG:4326", "not a crs")
  })
  e <- tryCatch(spreiding:::transform_xy(1, 2, "EPSG:4326", "x"),
                error = identity)
  expect_s3_class(e, "spreiding_error")
  expect_identical(e$arg, "to")
})

# ---- no leaks ----------------------------------------------------------------

test_that("10,000 reads and 3,000 failed reads leave no GDAL handle behind", {
  skip_on_cran()
  skip_under_sanitizer()
  skip_if_not(file.exists("/proc/self/status"), "needs Linux /proc")
  dir <- tempfile("regions-leak-")
  dir.create(dir)
  on.exit(unlink(dir, recursive = TRUE), add = TRUE)
  tiny <- write_text(dir, "tiny.geojson", geojson(
    feature('{"id":1,"name":"a"}', square),
    feature('{"id":2,"name":"b"}',
            '{"type":"LineString","coordinates":[[0,0],[1,1]]}')
  ))
  tiny_ok <- write_text(dir, "tiny-ok.geojson",
                        geojson(feature('{"id":1,"name":"a"}', square)))
  missing <- file.path(dir, "missing.gpkg")
  fail <- function(expr) tryCatch(expr, spreiding_error = function(e) NULL)

  # Warm up first: the first few thousand reads may grow the heap once
  # (GDAL's and PROJ's caches, malloc arenas shared with R), then it stays.
  for (i in 1:2000) read_regions(tiny_ok)
  for (i in 1:200) fail(read_regions(tiny))
  invisible(gc())
  before <- rss_kb()
  for (i in 1:10000) read_regions(tiny_ok, id = "id")
  invisible(gc())
  after_reads <- rss_kb()
  for (i in 1:1000) {
    fail(read_regions(missing))          # nothing opened
    fail(read_regions(tiny, layer = "x")) # dataset open
    fail(read_regions(tiny))              # dataset and feature open
  }
  invisible(gc())
  after_errors <- rss_kb()
  # a leaked dataset costs about 15 kB: 10,000 of them would be 150 MB
  expect_lt(after_reads - before, 4096)
  expect_lt(after_errors - after_reads, 4096)
})
