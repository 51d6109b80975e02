# Point location: which region holds each point, through a spatial index
# built in C (src/index.c).

#' Build a reusable spatial index of regions
#'
#' Prepares a regions object for fast point location with
#' [locate_points()]: the polygon edges are sorted into a uniform grid once,
#' so that most points are placed by a single look-up and the rest by
#' testing the few edges of their grid cell. Build the index once and pass
#' it to `locate_points()` for every batch of points over the same regions.
#'
#' The index lives in memory of the R session that built it: it is not
#' saved by [saveRDS()] or [save()] (a restored index gives an error asking
#' to build it again).
#'
#' @param regions A regions object, as made by [read_regions()] or
#'   [as_regions()], or any `sf` data frame whose geometry column is
#'   `MULTIPOLYGON` or `POLYGON`. The region of a point is reported by the
#'   regions' id column (`attr(regions, "region_id")`), or by row number
#'   when there is none.
#' @param cells_per_edge Size of the grid: about this many cells per polygon
#'   edge. Larger values make an index that is larger and slower to build but
#'   places points a little faster; the default suits most layers.
#' @return An object of class `spreiding_index`: a list with the pointer to
#'   the index, the region ids, the id column's name and the regions' CRS.
#'   Its print method shows the number of regions, the CRS, the grid and the
#'   memory the index takes.
#' @seealso [locate_points()]
#' @export
#' @examples
#' pc2_file <- system.file("extdata", "pc2.gpkg", package = "spreiding")
#' pc2 <- read_regions(pc2_file, id = "pc2")
#' idx <- region_index(pc2)
#' idx
#'
#' # Utrecht Centraal, Dam square in Amsterdam, Den Burg on Texel, and a
#' # point in the North Sea, in longitude and latitude
#' places <- data.frame(lon = c(5.1101, 4.8932, 4.7965, 4.0),
#'                      lat = c(52.0894, 52.3731, 53.0545, 52.5))
#' locate_points(places, idx, x = "lon", y = "lat", crs = 4326)
region_index <- function(regions, cells_per_edge = 1) {
  call <- sys.call()
  if (!is.numeric(cells_per_edge) || length(cells_per_edge) != 1 ||
      is.na(cells_per_edge) || cells_per_edge <= 0 ||
      !is.finite(cells_per_edge)) {
    stop_spreiding("`cells_per_edge` must be a positive number.",
                   arg = "cells_per_edge", call = call)
  }
  index_build(regions, as.double(cells_per_edge), call)
}

#' Which region holds each point
#'
#' Finds, for every point, the region whose polygon contains it: a
#' point-in-polygon join, as `sf::st_join(points, regions, join =
#' sf::st_intersects)` but one row per point, exact on shared boundaries,
#' and much faster on large sets of points.
#'
#' @section Points on a boundary:
#' Every point gets at most one region, also when it lies exactly on the
#' boundary between two regions or on a vertex where several meet. The rule
#' is that of the crossing-number test with half-open edges (an edge
#' counts for a ray from the point when `y0 <= y < y1`): a region holds the
#' points on its west (left) and south (bottom) boundary, and not those on
#' its east and north boundary, as the half-open square
#' \eqn{[x_0, x_1) \times [y_0, y_1)}{[x0, x1) x [y0, y1)} does. Put
#' differently, a point on a boundary belongs to the region that holds the
#' point moved an infinitesimal step east (and, on an east-west boundary,
#' north). The coordinates are compared exactly as stored, after any
#' transformation, so the rule holds for points that lie exactly on an edge
#' in floating point. Holes are part of their polygon's rings, so a point in
#' a hole is outside the region (and inside an enclave that fills the
#' hole). When regions overlap, a point in more than one goes to the first
#' of them in row order.
#'
#' @section Coordinate reference systems:
#' Points are transformed to the CRS of the regions (through PROJ) only when
#' their CRS is known: the CRS of an `sf` object, or `crs` for coordinate
#' columns. Without one, the coordinates are taken to be in the regions'
#' CRS as they are; spreiding does not guess a CRS from the numbers.
#'
#' @param points The points: a data frame with coordinate columns (named by
#'   `x` and `y`), or an `sf` object (or `sfc`) of `POINT` geometries, whose
#'   coordinates and CRS are used. Missing coordinates give a missing region;
#'   infinite ones are an error.
#' @param regions A regions object (see [region_index()]) or an index built
#'   from one by [region_index()], which saves building it again.
#' @param x,y Names of the coordinate columns of a data frame `points`
#'   (easting or longitude in `x`).
#' @param crs The CRS of the coordinate columns, such as `"EPSG:4326"`,
#'   `4326`, WKT, or an `sf` `crs` object. `NULL` (the default) means the
#'   regions' own CRS. Not used with `sf` points that carry a CRS.
#' @return A vector with one element per point: the id of its region (of
#'   the regions' id column's type, or the row number as an integer when the
#'   regions have no id column), `NA` for points outside every region.
#' @seealso [region_index()]
#' @export
#' @examples
#' # Two unit squares side by side
#' square <- function(x0, y0) {
#'   cbind(c(x0, x0 + 1, x0 + 1, x0, x0), c(y0, y0, y0 + 1, y0 + 1, y0))
#' }
#' two <- as_regions(
#'   structure(list(list(list(square(0, 0))), list(list(square(1, 0)))),
#'             class = c("sfc_MULTIPOLYGON", "sfc")),
#'   id = c("west", "east")
#' )
#' # (1, 0.5) lies on the shared edge and goes to the square east of it;
#' # (2, 0.5) lies on the east edge of "east" and so in neither
#' locate_points(data.frame(x = c(0.5, 1, 1.5, 2, NA), y = 0.5), two)
#'
#' # Postcode-2 areas of places given in longitude and latitude
#' pc2 <- read_regions(system.file("extdata", "pc2.gpkg", package = "spreiding"),
#'                     id = "pc2")
#' locate_points(data.frame(x = c(5.1101, 4.8932), y = c(52.0894, 52.3731)),
#'               pc2, crs = 4326)
locate_points <- function(points, regions, x = "x", y = "y", crs = NULL) {
  call <- sys.call()
  index <- if (inherits(regions, "spreiding_index")) {
    regions
  } else {
    index_build(regions, 1, call)
  }
  crs <- index_crs_arg(crs, call)
  pts <- index_points(points, x, y, crs, call)
  from <- NULL
  if (!is.null(pts$crs)) {
    if (is.na(index$crs_string)) {
      stop_spreiding(paste0("`regions` has no CRS, so points in ",
                            index_crs_label(pts$crs), " (from `",
                            pts$what[[4]], "`) cannot be transformed to it. ",
                            "Give the regions a CRS, or leave the points' ",
                            "CRS out if they are already in the regions' ",
                            "coordinates."),
                     arg = pts$what[[4]], call = call)
    }
    if (!identical(pts$crs, index$crs_string)) from <- pts$crs
  }
  row <- with_call(
    .Call(C_spr_c_index_locate, index$pointer, pts$x, pts$y, from,
          index$crs_string, pts$what),
    call
  )
  index$ids[row]
}

#' @export
print.spreiding_index <- function(x, ...) {
  info <- tryCatch(.Call(C_spr_c_index_info, x$pointer),
                   spreiding_error = function(e) NULL)
  cat("<spreiding_index>\n")
  id <- if (is.null(x$id)) "row numbers" else paste0("id ", backtick(x$id))
  cat("Regions: ", format(length(x$ids), big.mark = ","), " (", id, ")\n",
      sep = "")
  cat("CRS:     ", index_crs_label(x$crs_input), "\n", sep = "")
  if (is.null(info)) {
    cat("No longer valid (an index does not survive saveRDS() or a new",
        "session): build it again with region_index().\n")
    return(invisible(x))
  }
  cat("Grid:    ", format(info$nx, big.mark = ","), " x ",
      format(info$ny, big.mark = ","), " cells over ",
      format(info$edges, big.mark = ","), " edges\n", sep = "")
  cat("Memory:  ", formatC(info$bytes / 2^20, format = "f", digits = 1),
      " MB\n", sep = "")
  invisible(x)
}

# ---- helpers ----------------------------------------------------------------

index_build <- function(regions, cells_per_edge, call) {
  geom <- NULL
  if (inherits(regions, "sfc")) {
    geom <- regions
    ids <- seq_along(geom)
    id <- NULL
  } else if (is.data.frame(regions) && is_string(attr(regions, "sf_column")) &&
             attr(regions, "sf_column") %in% names(regions)) {
    geom <- .subset2(regions, attr(regions, "sf_column"))
    id <- attr(regions, "region_id")
    if (is_string(id) && id %in% names(regions)) {
      ids <- .subset2(regions, id)
    } else {
      id <- NULL
      ids <- seq_len(nrow(regions))
    }
  }
  if (is.null(geom) || !inherits(geom, "sfc")) {
    stop_spreiding(paste0("`regions` must be a regions object (see ",
                          "read_regions() and as_regions()) or an sf object ",
                          "with polygons, not ", describe(regions), "."),
                   arg = "regions", call = call)
  }
  depth <- if (inherits(geom, "sfc_MULTIPOLYGON")) {
    2L
  } else if (inherits(geom, "sfc_POLYGON")) {
    1L
  } else {
    stop_spreiding(paste0("`regions` must have MULTIPOLYGON or POLYGON ",
                          "geometries, not ", sub("^sfc_", "", class(geom)[1]),
                          "; as_regions() converts other polygonal layers."),
                   arg = "regions", call = call)
  }
  ptr <- with_call(.Call(C_spr_c_index_build, unclass(geom), depth,
                         cells_per_edge), call)
  crs <- attr(geom, "crs")
  wkt <- crs[["wkt"]]
  input <- crs[["input"]]
  structure(
    list(
      pointer = ptr,
      ids = ids,
      id = id,
      crs_input = if (is_string(input)) input else NA_character_,
      crs_string = if (is_string(wkt)) wkt else if (is_string(input)) input
                   else NA_character_
    ),
    class = "spreiding_index"
  )
}

# `crs` as one string GDAL understands, or NULL.
index_crs_arg <- function(crs, call) {
  if (is.null(crs)) return(NULL)
  if (inherits(crs, "crs")) {
    s <- crs_text(crs)
    return(if (is.na(s)) NULL else s)
  }
  if (is.numeric(crs) && length(crs) == 1 && !is.na(crs) && crs > 0 &&
      crs == round(crs)) {
    return(paste0("EPSG:", format(crs, scientific = FALSE)))
  }
  if (is_string(crs) && nzchar(crs)) return(crs)
  stop_spreiding(paste0("`crs` must be a CRS such as \"EPSG:4326\", an EPSG ",
                        "code such as 4326, WKT, or an sf crs object, not ",
                        describe(crs), "."),
                 arg = "crs", call = call)
}

# A short name for a CRS in messages.
index_crs_label <- function(s) {
  if (!is_string(s)) return("none")
  if (nchar(s) > 60 || grepl("\n", s, fixed = TRUE)) {
    name <- regmatches(s, regexpr("^[A-Z]+\\[\"[^\"]*\"", s))
    if (length(name)) return(sub("^[A-Z]+\\[", "", name))
    return(paste0(substr(s, 1, 57), "..."))
  }
  s
}

# The coordinates of `points` as list(x, y, crs, what): crs is a string or
# NULL; `what` names, for errors in C, the points argument, the x and y
# columns and the argument that gave the CRS.
index_points <- function(points, x, y, crs, call) {
  if (inherits(points, "sf") || inherits(points, "sfc")) {
    geom <- if (inherits(points, "sfc")) {
      points
    } else {
      .subset2(points, attr(points, "sf_column"))
    }
    if (!inherits(geom, "sfc_POINT")) {
      stop_spreiding(paste0("`points` must have POINT geometries, not ",
                            sub("^sfc_", "", class(geom)[1]), "."),
                     arg = "points", call = call)
    }
    co <- with_call(.Call(C_spr_c_point_coords, unclass(geom)), call)
    own <- crs_text(attr(geom, "crs"))
    crs_arg <- "crs"
    if (!is.na(own)) {
      if (!is.null(crs)) {
        stop_spreiding(paste0("`crs` is for coordinate columns; `points` is ",
                              "an sf object with its own CRS (",
                              index_crs_label(attr(geom, "crs")[["input"]]),
                              "). Leave `crs` out."),
                       arg = "crs", call = call)
      }
      crs <- own
      crs_arg <- "points"
    }
    return(list(x = co$x, y = co$y, crs = crs,
                what = c("points", "The x coordinate of `points`",
                         "The y coordinate of `points`", crs_arg)))
  }
  if (!is.data.frame(points)) {
    stop_spreiding(paste0("`points` must be a data frame with coordinate ",
                          "columns or an sf object with POINT geometries, ",
                          "not ", describe(points), "."),
                   arg = "points", call = call)
  }
  check_names_arg(x, "x", 1, call)
  check_names_arg(y, "y", 1, call)
  check_has_columns(points, c(x, y), "points", call)
  cols <- list(.subset2(points, x), .subset2(points, y))
  for (k in 1:2) {
    v <- cols[[k]]
    if (!is.numeric(v) || is.factor(v) || !is.null(dim(v))) {
      stop_spreiding(paste0("Column ", backtick(c(x, y)[k]), " of `points` ",
                            "must hold numeric coordinates, not ",
                            describe(v), "."),
                     arg = "points", call = call)
    }
    if (!is.double(v) || is.object(v)) cols[[k]] <- as.double(v)
  }
  list(x = cols[[1]], y = cols[[2]], crs = crs,
       what = c("points",
                paste0("Column ", backtick(x), " of `points`"),
                paste0("Column ", backtick(y), " of `points`"), "crs"))
}
