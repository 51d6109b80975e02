# Region geometries: reading polygon layers through GDAL (src/regions.c),
# converting sf objects, and the regions object both return. The regions
# object has exactly sf's layout (a data frame of class c("sf",
# "data.frame") with an sfc_MULTIPOLYGON column `geometry`), built from
# plain lists, so sf is never needed to make one but takes it as is.

# ---- reading -----------------------------------------------------------------

#' Read region polygons from a file
#'
#' Reads one polygon layer of any vector data source that GDAL reads:
#' GeoPackage, GeoJSON, Shapefile, TopoJSON, FlatGeobuf, and the rest of
#' GDAL's vector drivers. The file is read in C through GDAL's own C API
#' (not through sf), so sf need not be installed. The result is a *regions
#' object*: a data frame with the layer's attributes and a geometry column
#' `geometry`, laid out exactly as an sf object, so that sf (when loaded)
#' prints, plots and computes with it as is.
#'
#' @section Layers:
#' `layer = NULL` takes the first layer of `dsn`, in the order GDAL lists
#' them (`ogrinfo dsn`, or `sf::st_layers(dsn)`), without a message; name
#' the layer when a source holds several. A layer may also be given by its
#' position, 1 for the first.
#'
#' @section Attributes:
#' Every attribute field becomes a column, named as in the file: integer
#' fields become integer columns (boolean ones logical), 64-bit integer and
#' real fields double columns (64-bit integers are exact up to 2^53), string
#' fields character columns (UTF-8), date fields `Date` columns, date-time
#' fields `POSIXct` columns in UTC (times without a time zone are read as
#' UTC), and other field types (times, lists, binary) character columns with
#' GDAL's text of the value. Unset and NULL values become `NA`. A field
#' named `geometry` is renamed `geometry.1`.
#'
#' @section Geometry:
#' Only polygon layers are read. Each feature becomes one MULTIPOLYGON:
#' a POLYGON is promoted to a MULTIPOLYGON of one part, curved polygons are
#' made linear, Z and M coordinates are dropped and every ring is closed.
#' A feature with any other geometry type (point, line, collection) is an
#' error naming the feature by its row and FID. A feature without a
#' geometry, or with an empty one, becomes an empty MULTIPOLYGON, as in sf,
#' and is counted in the attribute `n_empty` of the geometry column (CBS's
#' generalised PC4 layer of 2020 has one: PC4 5028, which collapsed to
#' nothing). A layer without features is an error.
#'
#' @section Coordinate reference system:
#' Coordinates stay in the layer's CRS unless `crs` is given, in which case
#' every geometry is transformed on reading (by GDAL and PROJ, in the usual
#' GIS axis order: x is easting or longitude). `crs` may be an EPSG code
#' such as `28992` (the Dutch RD New, in metres), a string GDAL understands
#' such as `"EPSG:28992"` or WKT, or an sf `crs` object. A layer without a
#' CRS cannot be transformed; its result has an unknown CRS (`NA`), as
#' TopoJSON files often do.
#'
#' @section Validity:
#' Every polygon is checked with GDAL's `OGR_G_IsValid()` (the GEOS rules:
#' rings that do not cross themselves or each other, holes inside their
#' shell, ...). Invalid ones give a warning of class `spreiding_warning`
#' listing them by id (or by row when `id` is `NULL`). With `repair = TRUE`
#' they are repaired instead, by GDAL's `OGR_G_MakeValid()`, of which only
#' the polygonal parts are kept (lines and points that the repair splits off
#' a collapsed ring are dropped). Only polygons that are still invalid after
#' repair are then reported, and, in another warning, regions that the
#' repair left without any area (they become empty).
#'
#' @section Shipped layers:
#' Two small layers of the Netherlands come with the package, in EPSG:28992
#' and simplified (per feature, 50 m) for examples and tests:
#'
#' * `pc2.gpkg`, layer `pc2`: the 90 postcode-2 areas, with `pc2` (integer,
#'   10 to 99, the id) and `inhabitants` (population on 1 January 2021,
#'   17,472,870 in all). Built from the CBS "Kerncijfers per postcode" 2020
#'   PC4 polygons and CBS StatLine tables 83503NED/83502NED.
#' * `azw.gpkg`, layer `azw`: the 28 AZW (Arbeidsmarkt Zorg en Welzijn,
#'   i.e. RegioPlus labour-market) regions of 2023, with `statcode`
#'   (`"RA0101"` to `"RA1428"`, the id) and `statnaam` (the name). From
#'   the CBS/PDOK gebiedsindelingen 2023.
#'
#' Bron: CBS / PDOK, CC BY 4.0. The PC2 layer comes through the certegis R
#' package (github.com/certe-medical-epidemiology/certegis), the AZW layer
#' through github.com/cartomap/nl; `data-raw/layers.R` in the package
#' sources shows how they were made, and
#' `system.file("extdata", "README-regions.md", package = "spreiding")`
#' gives the full provenance. Neighbouring polygons were simplified
#' independently, so shared borders may overlap or leave slivers of a few
#' tens of metres.
#'
#' @param dsn The data source: a file path (`~` is expanded), or anything
#'   else GDAL opens, such as a `/vsizip/` path.
#' @param layer The layer to read: a name, a position (1 for the first), or
#'   `NULL` for the first layer.
#' @param id Name of the attribute that identifies the regions, or `NULL`.
#'   Its values must be unique and not missing; the name is kept in the
#'   attribute `region_id` of the result, for functions that join to the
#'   regions.
#' @param crs `NULL` to keep the layer's CRS, or the CRS to transform to: an
#'   EPSG code (`28992`), a string (`"EPSG:28992"`, WKT) or an sf `crs`
#'   object.
#' @param repair `TRUE` to repair invalid polygons while reading (see the
#'   section on validity).
#' @return A regions object: a data frame of class `c("sf", "data.frame")`
#'   with one row per feature, in the layer's order, the attribute columns,
#'   and a last column `geometry` of class `sfc_MULTIPOLYGON` that carries
#'   the CRS (`crs`, as sf stores it) and the bounding box (`bbox`). The
#'   attribute `region_id` holds `id`.
#' @seealso [as_regions()] to make a regions object from an sf object.
#' @export
#' @examples
#' pc2_file <- system.file("extdata", "pc2.gpkg", package = "spreiding")
#' pc2 <- read_regions(pc2_file, id = "pc2")
#' nrow(pc2)
#' head(as.data.frame(pc2)[c("pc2", "inhabitants")])
#' sum(pc2$inhabitants)
#'
#' azw_file <- system.file("extdata", "azw.gpkg", package = "spreiding")
#' azw <- read_regions(azw_file, id = "statcode")
#' azw$statnaam[1:3]
#'
#' # The same regions in longitude and latitude
#' azw_wgs84 <- read_regions(azw_file, crs = 4326)
#' attr(azw_wgs84$geometry, "bbox")
read_regions <- function(dsn, layer = NULL, id = NULL, crs = NULL,
                         repair = FALSE) {
  call <- sys.call()
  if (!is_string(dsn) || !nzchar(dsn)) {
    stop_spreiding(paste0("`dsn` must be a file path or data source name: ",
                          "one non-empty string, not ", regions_describe(dsn),
                          "."), arg = "dsn", call = call)
  }
  if (!is.null(layer) &&
      !(is_string(layer) && nzchar(layer)) &&
      !(is.numeric(layer) && length(layer) == 1 && !is.na(layer) &&
        layer >= 1 && layer == round(layer) && layer <= .Machine$integer.max)) {
    stop_spreiding(paste0("`layer` must be a layer name, a layer position ",
                          "(1 for the first) or NULL, not ",
                          regions_describe(layer), "."),
                   arg = "layer", call = call)
  }
  if (!is.null(id) && !(is_string(id) && nzchar(id))) {
    stop_spreiding(paste0("`id` must be the name of one field, or NULL, not ",
                          regions_describe(id), "."), arg = "id", call = call)
  }
  target <- regions_crs_arg(crs, "crs", call)
  if (!isTRUE(repair) && !isFALSE(repair)) {
    stop_spreiding("`repair` must be TRUE or FALSE.", arg = "repair",
                   call = call)
  }
  if (is.numeric(layer)) layer <- as.integer(layer)
  path <- enc2utf8(path.expand(dsn))

  res <- with_call(
    .Call(C_spr_c_read_regions, path, layer, target$gdal, repair),
    call
  )
  if (!is.na(res$warnings)) {
    warn_regions(paste0("GDAL warned while reading layer `", res$layer,
                        "` of `dsn`: ", res$warnings, "."), call = call)
  }
  n <- length(res$geometry)
  data <- regions_frame(res$columns, n)
  if (!is.null(id)) {
    regions_check_id(data, id, paste0("layer `", res$layer, "`"), "field",
                     call)
  }
  crs_obj <- if (!is.null(target)) {
    regions_crs(target$input, res$crs_wkt)
  } else {
    regions_crs(res$crs_input, res$crs_wkt)
  }
  # "3 regions of layer `x` have ...: statcode RA0818 (reason), RA0919 and
  # RA1222 (reason)."
  report <- function(rows, what) {
    n <- length(rows)
    items <- if (is.null(id)) rows else data[[id]][rows]
    items <- if (is.character(items)) items else
      format(items, scientific = FALSE, trim = TRUE)
    why <- shorten_numbers(res$reason[rows])
    items <- ifelse(is.na(why), items, paste0(items, " (", why, ")"))
    by <- if (!is.null(id)) paste0(id, " ") else if (n == 1) "row " else "rows "
    paste0(n, if (n == 1) " region" else " regions", " of layer `",
           res$layer, "` ", if (n == 1) "has " else "have ", what, ": ", by,
           regions_enumerate(items), ".")
  }
  bad <- which(res$status == 1L | res$status == 3L)
  if (length(bad) > 0) {
    warn_regions(paste0(
      report(bad, if (repair) "invalid polygons even after repair"
                  else "invalid polygons"),
      if (repair) "" else " Read with `repair = TRUE` to repair them."
    ), call = call)
  }
  lost <- which(res$status == 4L)
  if (length(lost) > 0) {
    warn_regions(paste0(report(lost, "no area left after repair"),
                        if (length(lost) == 1) " It is" else " They are",
                        " empty now."), call = call)
  }
  geometry <- regions_sfc(res$geometry, crs_obj, res$bbox)
  regions_build(data, geometry, id)
}

# ---- from sf -----------------------------------------------------------------

#' Make a regions object from sf polygons
#'
#' Converts an sf object (or a bare geometry column, an `sfc`) of POLYGON or
#' MULTIPOLYGON geometries into the regions object that [read_regions()]
#' returns, without writing a file and without calling sf: an sf object is
#' a data frame of plain lists, which is read directly. POLYGONs become
#' MULTIPOLYGONs, Z and M coordinates are dropped, the geometry column is
#' renamed `geometry` and the CRS is kept.
#'
#' @param x An sf object with POLYGON or MULTIPOLYGON geometries, an `sfc` of
#'   them, or a regions object (returned as it is, apart from `id`).
#' @param id For an sf object or regions object: the name of the column
#'   that identifies the regions, or `NULL` (an sf object keeps the id of a
#'   regions object it was made from). For an `sfc`: the ids themselves, a
#'   vector with one value per geometry, which becomes the column `id`; or
#'   `NULL` for none. Ids must be unique and not missing.
#' @return A regions object, as described in [read_regions()].
#' @export
#' @examplesIf requireNamespace("sf", quietly = TRUE)
#' nc <- sf::st_read(system.file("shape/nc.shp", package = "sf"), quiet = TRUE)
#' counties <- as_regions(nc, id = "FIPS")
#' attr(counties, "region_id")
#'
#' # From a geometry column and ids
#' as_regions(sf::st_geometry(nc)[1:3], id = c("Ashe", "Alleghany", "Surry"))
as_regions <- function(x, id = NULL) {
  call <- sys.call()
  if (inherits(x, "sf")) {
    if (!is.null(id) && !(is_string(id) && nzchar(id))) {
      stop_spreiding(paste0("`id` must be the name of one column of `x`, or ",
                            "NULL, not ", regions_describe(id), "."),
                     arg = "id", call = call)
    }
    gcol <- attr(x, "sf_column")
    if (!is_string(gcol) || !gcol %in% names(x)) {
      stop_spreiding("`x` is an sf object without its geometry column.",
                     arg = "x", call = call)
    }
    cols <- unclass(x)
    data <- regions_frame(cols[setdiff(names(cols), gcol)],
                          length(cols[[gcol]]))
    if (is.null(id)) {
      old <- attr(x, "region_id")
      if (is_string(old) && old %in% names(data)) id <- old
    }
    if (!is.null(id)) regions_check_id(data, id, "`x`", "column", call)
    if (is_regions_layout(x)) {
      attr(x, "region_id") <- id
      return(x)
    }
    geometry <- cols[[gcol]]
    if (!inherits(geometry, "sfc")) {
      stop_spreiding("The geometry column of `x` is not an sfc.", arg = "x",
                     call = call)
    }
  } else if (inherits(x, "sfc")) {
    geometry <- x
    n <- length(x)
    if (is.null(id)) {
      data <- regions_frame(list(), n)
    } else {
      if (!is.atomic(id) || length(id) != n) {
        stop_spreiding(paste0("`id` must hold one value per geometry of `x` (",
                              n, "), not ", regions_describe(id), "."),
                       arg = "id", call = call)
      }
      data <- regions_frame(list(id = id), n)
      id <- "id"
      regions_check_id(data, id, "`x`", "column", call, label = "`id`")
    }
  } else {
    stop_spreiding(paste0("`x` must be an sf object or an sfc of polygons, ",
                          "not ", regions_describe(x), "."),
                   arg = "x", call = call)
  }
  new_regions_impl(data, geometry, id, attr(geometry, "crs"), "x", call)
}

# ---- the regions object (internal) -------------------------------------------

# new_regions(data, geometry, id = NULL, crs = NULL)
#
# Builds a regions object from a data frame of attributes (or NULL for
# none) and a list of polygon geometries, one per row: sf POLYGON or
# MULTIPOLYGON sfg objects, or bare lists of polygons, each a list of ring
# matrices (x, y in the first two columns). Rings are closed and reduced to
# two columns, POLYGONs promoted. `crs`: NULL takes attr(geometry, "crs")
# (an sf crs object) or else an unknown CRS; or an EPSG code, a string GDAL
# understands, or a crs object. `id` names a column of unique, non-missing
# values. For helpers that build regions (dissolve, crosswalks).
new_regions <- function(data, geometry, id = NULL, crs = NULL) {
  call <- sys.call()
  if (is.null(data)) data <- regions_frame(list(), length(geometry))
  if (!is.data.frame(data)) {
    stop_spreiding(paste0("`data` must be a data frame, not ",
                          regions_describe(data), "."),
                   arg = "data", call = call)
  }
  data <- regions_frame(unclass(data)[names(data)], nrow(data))
  if ("geometry" %in% names(data)) {
    stop_spreiding("`data` must not have a column `geometry`.", arg = "data",
                   call = call)
  }
  if (!is.list(geometry) || length(geometry) != nrow(data)) {
    stop_spreiding(paste0("`geometry` must be a list with one geometry per ",
                          "row of `data` (", nrow(data), "), not ",
                          regions_describe(geometry), "."),
                   arg = "geometry", call = call)
  }
  if (!is.null(id) && !(is_string(id) && nzchar(id))) {
    stop_spreiding("`id` must be the name of one column of `data`, or NULL.",
                   arg = "id", call = call)
  }
  if (!is.null(id)) regions_check_id(data, id, "`data`", "column", call)
  if (is.null(crs)) {
    crs <- attr(geometry, "crs")
  } else if (!inherits(crs, "crs")) {
    target <- regions_crs_arg(crs, "crs", call)
    wkt <- with_call(.Call(C_spr_c_crs_wkt, target$gdal, "crs"), call)
    crs <- regions_crs(target$input, wkt)
  }
  new_regions_impl(data, geometry, id, crs, "geometry", call)
}

new_regions_impl <- function(data, geometry, id, crs, arg, call) {
  if (is.null(crs)) crs <- regions_crs(NA_character_, NA_character_)
  if (!inherits(crs, "crs")) {
    stop_spreiding(paste0("The CRS of `", arg, "` is not a crs object."),
                   arg = arg, call = call)
  }
  crs <- regions_crs(crs[["input"]], crs[["wkt"]])
  geometry <- unclass(geometry)
  geoms <- vector("list", length(geometry))
  for (i in seq_along(geometry)) {
    geoms[[i]] <- regions_multipolygon(geometry[[i]], i, arg, call)
  }
  if (length(geoms) == 0) {
    stop_spreiding(paste0("`", arg, "` has no regions; a regions object ",
                          "needs at least one."), arg = arg, call = call)
  }
  rings <- unlist(unlist(geoms, recursive = FALSE, use.names = FALSE),
                  recursive = FALSE, use.names = FALSE)
  bbox <- rep(NA_real_, 4)
  if (length(rings) > 0) {
    r <- vapply(rings, function(m) {
      c(min(m[, 1]), max(m[, 1]), min(m[, 2]), max(m[, 2]))
    }, numeric(4))
    bbox <- c(min(r[1, ]), min(r[3, ]), max(r[2, ]), max(r[4, ]))
  }
  regions_build(data, regions_sfc(geoms, crs, bbox), id)
}

# One geometry as an XY MULTIPOLYGON sfg, or an error naming row i.
regions_multipolygon <- function(g, i, arg, call) {
  bad <- function(what) {
    stop_spreiding(paste0("Geometry ", i, " of `", arg, "` ", what,
                          "; regions must be polygons."),
                   arg = arg, row = i, call = call)
  }
  if (inherits(g, "POLYGON")) {
    g <- list(unclass(g))
  } else if (inherits(g, "MULTIPOLYGON")) {
    g <- unclass(g)
  } else if (inherits(g, "sfg")) {
    bad(paste("is a", class(g)[2]))
  } else if (is.null(g)) {
    g <- list()
  } else if (!is.list(g)) {
    bad(paste("is", regions_describe(g)))
  }
  parts <- list()
  for (p in g) {
    if (!is.list(p)) bad("is not a list of polygons, each a list of rings")
    rings <- list()
    for (m in p) {
      if (!is.matrix(m) || !is.numeric(m) || ncol(m) < 2) {
        bad("has a ring that is not a matrix of coordinates")
      }
      if (nrow(m) == 0) next
      if (ncol(m) > 2) m <- m[, 1:2, drop = FALSE]
      if (anyNA(m) || any(!is.finite(m))) {
        bad("has missing or infinite coordinates")
      }
      n <- nrow(m)
      if (m[1, 1] != m[n, 1] || m[1, 2] != m[n, 2]) m <- rbind(m, m[1, ])
      storage.mode(m) <- "double"
      attributes(m) <- list(dim = dim(m))
      rings[[length(rings) + 1L]] <- m
    }
    if (length(rings) > 0) parts[[length(parts) + 1L]] <- rings
  }
  structure(parts, class = c("XY", "MULTIPOLYGON", "sfg"))
}

# Is x already a regions object (so as_regions() can return it as is)?
is_regions_layout <- function(x) {
  nm <- names(x)
  g <- .subset2(x, "geometry")
  identical(class(x), c("sf", "data.frame")) &&
    identical(attr(x, "sf_column"), "geometry") &&
    identical(nm[length(nm)], "geometry") &&
    identical(class(g), c("sfc_MULTIPOLYGON", "sfc")) &&
    all(vapply(unclass(g), function(e) identical(class(e)[1], "XY"),
               logical(1)))
}

# The WKT of the CRS of a regions object (or sfc), or NA.
regions_crs_wkt <- function(x) {
  g <- if (inherits(x, "sfc")) {
    x
  } else if (is.data.frame(x) && is_string(attr(x, "sf_column"))) {
    .subset2(x, attr(x, "sf_column"))
  }
  wkt <- attr(g, "crs")[["wkt"]]
  if (is_string(wkt)) wkt else NA_character_
}

# Transform coordinates between two CRS (strings GDAL understands, e.g.
# "EPSG:4326" or WKT); returns list(x, y). NA in, NA out.
transform_xy <- function(x, y, from, to) {
  .Call(C_spr_c_transform, as.double(x), as.double(y), from, to)
}

# ---- building blocks ---------------------------------------------------------

# A CRS as one string for comparison: its WKT, else what the user gave, or
# NA when unknown.
crs_text <- function(crs) {
  if (!is.list(crs)) return(NA_character_)
  for (field in c("wkt", "input")) {
    value <- crs[[field]]
    if (is_string(value) && nzchar(value)) return(value)
  }
  NA_character_
}

regions_crs <- function(input, wkt) {
  input <- if (is_string(input)) input else NA_character_
  wkt <- if (is_string(wkt)) wkt else NA_character_
  if (is.na(input) && !is.na(wkt)) input <- wkt
  structure(list(input = input, wkt = wkt), class = "crs")
}

regions_sfc <- function(geoms, crs, bbox) {
  bbox <- as.double(bbox)
  bbox[!is.finite(bbox)] <- NA_real_
  # sf stores the bbox without a crs (st_bbox() adds it when asked)
  bbox <- structure(bbox, names = c("xmin", "ymin", "xmax", "ymax"),
                    class = "bbox")
  structure(geoms, class = c("sfc_MULTIPOLYGON", "sfc"), precision = 0,
            bbox = bbox, crs = crs,
            n_empty = sum(lengths(geoms) == 0L))
}

# A plain data frame from a list of equally long columns.
regions_frame <- function(cols, n) {
  cols <- as.list(cols)
  nm <- names(cols)
  if (is.null(nm)) nm <- character(length(cols))
  if ("geometry" %in% nm) nm <- make.unique(c("geometry", nm))[-1]
  structure(cols, names = nm, row.names = .set_row_names(n),
            class = "data.frame")
}

regions_build <- function(data, geometry, id) {
  nm <- names(data)
  cols <- c(unclass(data)[nm], list(geometry = geometry))
  agr <- factor(rep(NA_character_, length(nm)),
                levels = c("constant", "aggregate", "identity"))
  names(agr) <- nm
  structure(cols, names = c(nm, "geometry"),
            row.names = .set_row_names(length(geometry)),
            class = c("sf", "data.frame"), sf_column = "geometry",
            agr = agr, region_id = id)
}

# id must name a column of unique, non-missing values. `where` and `what`
# describe it ("layer `pc2`", "field"); `label` names it in messages about
# its values (default: "The id field `pc2` of layer `pc2`").
regions_check_id <- function(data, id, where, what, call, label = NULL) {
  if (!id %in% names(data)) {
    stop_spreiding(paste0("`id` names no ", what, " of ", where, ": there is ",
                          "no ", what, " ", backtick(id), ".",
                          did_you_mean(id, names(data))),
                   arg = "id", call = call)
  }
  if (is.null(label)) {
    label <- paste0("The id ", what, " ", backtick(id), " of ", where)
  }
  v <- data[[id]]
  if (!is.atomic(v)) {
    stop_spreiding(paste0(label, " must be a vector of values, not a list."),
                   arg = "id", call = call)
  }
  miss <- which(is.na(v))
  if (length(miss) > 0) {
    stop_spreiding(paste0(label, " is missing in ",
                          if (length(miss) == 1) "row " else "rows ",
                          regions_enumerate(miss), "."),
                   arg = "id", row = miss[1], call = call)
  }
  dup <- duplicated(v)
  if (any(dup)) {
    values <- unique(v[dup])
    shown <- utils::head(values, 5)
    parts <- vapply(seq_along(shown), function(k) {
      rows <- which(v == shown[k])
      paste0(regions_format_value(shown[k]), " (rows ",
             regions_enumerate(rows), ")")
    }, character(1))
    more <- length(values) - length(shown)
    stop_spreiding(paste0(label, " must be unique, but has duplicates: ",
                          paste(parts, collapse = ", "),
                          if (more > 0) paste0(", and ", more, " more"), "."),
                   arg = "id", row = which(dup)[1], call = call)
  }
}

regions_format_value <- function(x) {
  if (is.character(x) || is.factor(x)) {
    encodeString(as.character(x), quote = "\"")
  } else {
    format(x, scientific = FALSE, trim = TRUE)
  }
}

# GEOS's "at or near point 4.5618709677419362 51.970661646955961", with 10
# significant digits.
shorten_numbers <- function(x) {
  vapply(x, function(s) {
    if (is.na(s)) return(NA_character_)
    m <- gregexpr("-?[0-9]+\\.[0-9]{6,}", s)
    regmatches(s, m) <- lapply(regmatches(s, m), function(v) {
      as.character(signif(as.numeric(v), 10))
    })
    s
  }, character(1), USE.NAMES = FALSE)
}

# "1, 2 and 3"; at most `max` items, then "and 7 more".
regions_enumerate <- function(x, max = 10) {
  x <- if (is.character(x) || is.factor(x)) as.character(x) else
    format(x, scientific = FALSE, trim = TRUE)
  n <- length(x)
  if (n > max) {
    return(paste0(paste(x[seq_len(max)], collapse = ", "), " and ",
                  n - max, " more"))
  }
  if (n <= 1) return(paste(x, collapse = ""))
  paste0(paste(x[-n], collapse = ", "), " and ", x[n])
}

# The `crs` argument as list(gdal = string for GDAL, input = sf's `input`),
# or NULL.
regions_crs_arg <- function(crs, arg, call) {
  if (is.null(crs)) return(NULL)
  if (inherits(crs, "crs")) {
    if (!is_string(crs[["wkt"]])) {
      stop_spreiding(paste0("`", arg, "` is an unknown (NA) crs."), arg = arg,
                     call = call)
    }
    return(list(gdal = crs[["wkt"]], input = crs[["input"]]))
  }
  if (is.numeric(crs) && length(crs) == 1 && !is.na(crs) && crs >= 1 &&
      crs == round(crs) && crs <= .Machine$integer.max) {
    s <- paste0("EPSG:", as.integer(crs))
    return(list(gdal = s, input = s))
  }
  if (is_string(crs) && nzchar(trimws(crs))) {
    return(list(gdal = enc2utf8(crs), input = crs))
  }
  stop_spreiding(paste0("`", arg, "` must be an EPSG code such as 28992, a ",
                        "string such as \"EPSG:28992\" or WKT, a crs object, ",
                        "or NULL, not ", regions_describe(crs), "."),
                 arg = arg, call = call)
}

regions_describe <- function(x) {
  if (is.null(x)) return("NULL")
  if (is.atomic(x) && length(x) == 1) {
    if (is.na(x)) return("NA")
    return(paste0(if (is.character(x)) "the string " else "the value ",
                  regions_format_value(x)))
  }
  cls <- class(x)[1]
  article <- if (grepl("^[aeiouAEIOU]", cls)) "an" else "a"
  if (is.atomic(x)) {
    return(paste0(article, " ", cls, " vector of length ", length(x)))
  }
  paste(article, cls)
}

warn_regions <- function(message, call = NULL) {
  warning(structure(class = c("spreiding_warning", "warning", "condition"),
                    list(message = message, call = call)))
}

# ---- versions ----------------------------------------------------------------

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
