# Crosswalks between region layers and dissolving regions into larger ones
# (src/crosswalk.c, through GEOS).

#' Crosswalk between two region layers
#'
#' For every pair of overlapping regions, one of `from` and one of `to`,
#' gives the share of the `from` region that falls in the `to` region: by
#' area (the exact area of the polygons' intersection, planar, in the
#' layers' CRS), and optionally by population (the share of the people of
#' the `from` region who live in the `to` region). Multiply a count per
#' `from` region (say, GPs per postcode area) by the shares and sum per
#' `to_id` to move it to the `to` regions (say, the 28 AZW labour-market
#' regions).
#'
#' @section Coverage:
#' The shares of a `from` region sum to 1 when the `to` regions cover it
#' completely and do not overlap. No region is dropped: a `from` region
#' that overlaps no `to` region at all (outside the `to` layer, or with an
#' empty geometry) gets one row with `to_id = NA` and shares 0. Every
#' `from` region whose area shares sum to less than `1 - 1e-9` (or whose
#' located population lies partly outside `to`) is listed in the attribute
#' `"uncovered"`, a data frame with `from_id`, `area_covered` (the sum of
#' its area shares) and, for `weight = "population"`,
#' `population_covered`; a message says how many there are. Silence it
#' with [suppressMessages()] (its class is `spreiding_uncovered`).
#'
#' With `uncovered = "nearest"`, regions and people outside `to` are given
#' to the nearest `to` region instead (see the argument). The attribute
#' `"uncovered"` and the message still describe the coverage by `to`
#' itself, so they list the same regions as with `"report"`.
#'
#' @section How it is computed:
#' In C, with GEOS: candidate pairs come from a sweep over the regions'
#' bounding boxes, and prepared-geometry tests settle most of them: a
#' region wholly inside another (a postcode area inside its labour-market
#' region) takes its own area, and regions that do not meet are skipped.
#' Only regions that straddle a boundary have their common area cut: the
#' larger region is triangulated once, and the smaller one is clipped to
#' each triangle (exact up to rounding; the result agrees with
#' `sf::st_intersection()` to about 1e-13 of a region's area). Pairs that
#' only share an edge are left out. Areas are planar: with
#' longitude/latitude coordinates (EPSG:4326) the shares are approximate,
#' so transform both layers to a projected CRS (in the Netherlands RD New,
#' EPSG:28992) first, e.g. with `read_regions(crs = 28992)`.
#'
#' Regions whose area is cut must be valid polygons (GEOS's rules); an
#' invalid one is an error that names it. Repair it with
#' `read_regions(repair = TRUE)` or `sf::st_make_valid()`.
#'
#' @section Population:
#' With `weight = "population"`, `population` says where people live, as
#' points with counts: addresses, building centroids, the points of a
#' population grid, or one point per small area. Each point is located in
#' `from` and in `to` (with [locate_points()]); the population share of a
#' pair is the count of the points in both, divided by the count of the
#' points in the `from` region. A point on a boundary between regions
#' belongs to one of them, by the rule of [locate_points()]. A pair with
#' people but no common area gets `area_share = 0`; a `from` region with
#' no people gets `population_share = NA`.
#'
#' @param from,to Region layers, as read by [read_regions()], or sf
#'   objects with POLYGON or MULTIPOLYGON geometries, in the same CRS. The
#'   region id column (see [read_regions()]) gives `from_id` and `to_id`;
#'   a layer without one is identified by row number.
#' @param weight `"area"` (the default): area shares only; `"population"`:
#'   population shares too, which needs `population`.
#' @param population For `weight = "population"`: points with counts,
#'   either a data frame with columns `x` and `y` (coordinates in the CRS
#'   of `from` and `to`) and the count column named by `population_count`,
#'   or an sf object with POINT geometries and that count column (points
#'   in another CRS are transformed to that of the regions).
#' @param population_count Name of the count column of `population`
#'   (non-negative numbers, no `NA`); `NULL` counts every point as one
#'   person.
#' @param uncovered What to do with what `to` does not cover.
#'   `"report"` (the default): only report it (see Coverage): a `from`
#'   region that overlaps no `to` region gets one row with `to_id = NA`,
#'   and people outside every `to` region are left out of the population
#'   shares. `"nearest"`: give it to the nearest `to` region, where the
#'   distance is GEOS's (the smallest distance between the two geometries;
#'   on a tie, the first `to` region in row order):
#'   * a `from` region that overlaps no `to` region goes wholly to the `to`
#'     region nearest to it: one row with `area_share = 1` and, for
#'     `weight = "population"`, `population_share = 1` (`NA` when it holds
#'     no people; its people all go there too). A region with an empty
#'     geometry has no nearest region and keeps its `NA` row.
#'   * with `weight = "population"`, each point that lies in a `from` region
#'     but in no `to` region goes to the `to` region nearest to the point,
#'     so the population shares of each `from` region with people sum to 1
#'     (when `to` regions do not overlap).
#'   * the area shares of a region that `to` covers only partly are not
#'     changed: the part outside every `to` region stays unassigned, and its
#'     area shares sum to less than 1.
#'
#'   Use it when every count must arrive in some `to` region although the
#'   outlines differ a little, such as PC4 postcode areas moved to the
#'   coarse outline of the AZW regions: PC4 6462 lies mostly outside that
#'   outline (its people, placed at one point inside the area, fall
#'   outside), and `"nearest"` gives them to Zuid-Limburg, as the derived
#'   table `pc4_to_azw2023.csv` of the project's test data does, so the
#'   PC4 population summed through the crosswalk equals the national total.
#' @return A data frame with one row per overlapping pair, sorted by the
#'   row of `from` and then of `to`: `from_id`, `to_id` (of the types of the
#'   layers' id columns, or integer row numbers), `area_share` and, for
#'   `weight = "population"`, `population_share`. The attribute
#'   `"uncovered"` lists the regions not fully covered (see Coverage).
#' @seealso [dissolve_regions()] to merge regions into larger ones.
#' @export
#' @examples
#' # The shipped (simplified) postcode-2 areas and AZW labour-market regions
#' extdata <- system.file("extdata", package = "spreiding")
#' pc2 <- read_regions(file.path(extdata, "pc2.gpkg"), id = "pc2")
#' azw <- read_regions(file.path(extdata, "azw.gpkg"), id = "statcode")
#' cw <- suppressMessages(region_crosswalk(pc2, azw))
#' head(cw)
#' # Inhabitants per AZW region, moved from PC2 by area
#' cw$inhabitants <- pc2$inhabitants[match(cw$from_id, pc2$pc2)] * cw$area_share
#' head(rowsum(cw$inhabitants, cw$to_id))
#'
#' # By population: where people live, as points with counts (RD New
#' # coordinates; here three made-up places)
#' people <- data.frame(x = c(121000, 136500, 155000),
#'                      y = c(487000, 455500, 463000),
#'                      n = c(5000, 2000, 3000))
#' cw_pop <- suppressMessages(
#'   region_crosswalk(pc2, azw, weight = "population", population = people)
#' )
#' cw_pop[!is.na(cw_pop$population_share), ]
region_crosswalk <- function(from, to, weight = c("area", "population"),
                             population = NULL, population_count = "n",
                             uncovered = c("report", "nearest")) {
  call <- sys.call()
  weight <- arg_choice(weight, c("area", "population"), "weight", call)
  uncovered <- arg_choice(uncovered, c("report", "nearest"), "uncovered",
                          call)
  from_layer <- polygon_layer(from, "from", call)
  to_layer <- polygon_layer(to, "to", call)
  check_same_crs(from_layer$crs, to_layer$crs, "from", "to", call)
  counts <- NULL
  if (weight == "population") {
    if (is.null(population)) {
      stop_spreiding(paste0("`weight = \"population\"` needs `population`: ",
                            "points with counts, such as a data frame with ",
                            "columns `x`, `y` and `n`."),
                     arg = "population", call = call)
    }
    counts <- population_counts(population, population_count, call)
  } else if (!is.null(population)) {
    stop_spreiding(paste0("`population` is only used with `weight = ",
                          "\"population\"`."),
                   arg = "population", call = call)
  }

  res <- with_call(
    .Call(C_spr_c_crosswalk, from_layer$geometry, to_layer$geometry,
          from_layer$label, to_layer$label, 1L),
    call
  )
  n_from <- length(from_layer$geometry)
  n_to <- length(to_layer$geometry)
  pair_from <- res$from
  pair_to <- res$to
  area_share <- res$area / res$from_area[pair_from]
  # Coverage by `to` itself (the "uncovered" attribute), before any region
  # or point is given to its nearest `to` region.
  area_covered <- numeric(n_from)
  if (length(pair_from) > 0) {
    by_from <- rowsum(area_share, pair_from)
    area_covered[as.integer(rownames(by_from))] <- by_from[, 1]
  }

  # uncovered = "nearest": a region that overlaps no `to` region goes
  # wholly to the nearest one (NA for an empty region).
  nearest <- rep(NA_integer_, n_from)
  if (uncovered == "nearest") {
    lonely <- setdiff(seq_len(n_from), pair_from)
    if (length(lonely) > 0 && n_to > 0) {
      nearest[lonely] <- with_call(
        .Call(C_spr_c_crosswalk, from_layer$geometry[lonely],
              to_layer$geometry,
              paste0("region ", from_layer$label[lonely], " (row ", lonely,
                     " of `from`)"),
              to_layer$label, 3L),
        call
      )
    }
    moved <- which(!is.na(nearest))
    pair_from <- c(pair_from, moved)
    pair_to <- c(pair_to, nearest[moved])
    area_share <- c(area_share, rep(1, length(moved)))
  }

  if (!is.null(counts)) {
    # Row numbers: locate_points() reports rows for an sfc without ids.
    at_from <- with_call(locate_points(population, from_layer$sfc), call)
    at_to <- with_call(locate_points(population, to_layer$sfc), call)
    total <- numeric(n_from)
    inside <- !is.na(at_from)
    if (any(inside)) {
      by_from <- rowsum(counts[inside], at_from[inside])
      total[as.integer(rownames(by_from))] <- by_from[, 1]
    }
    in_to <- numeric(n_from)
    both <- inside & !is.na(at_to)
    if (any(both)) {
      by_from <- rowsum(counts[both], at_from[both])
      in_to[as.integer(rownames(by_from))] <- by_from[, 1]
    }
    population_covered <- ifelse(total == 0, NA_real_, in_to / total)
    if (uncovered == "nearest") {
      at_to <- nearest_points(population, at_from, at_to, nearest, to_layer,
                              call)
    }
    pop <- population_pairs(counts, at_from, at_to, n_from, n_to)
    # Pairs found by points only join the area pairs with area share 0
    # (possible where regions of a layer overlap: a point goes to one).
    key_area <- pair_key(pair_from, pair_to, n_to)
    key_pop <- pair_key(pop$from, pop$to, n_to)
    extra <- !is.na(pop$to) & !key_pop %in% key_area
    pair_from <- c(pair_from, pop$from[extra])
    pair_to <- c(pair_to, pop$to[extra])
    area_share <- c(area_share, numeric(sum(extra)))
    key_area <- c(key_area, key_pop[extra])
    population_share <- numeric(length(pair_from))
    hit <- match(key_pop, key_area)
    population_share[hit[!is.na(hit)]] <- pop$share[!is.na(hit)]
    population_share[pop$total[pair_from] == 0] <- NA_real_
  }

  # Regions of `from` with no overlap at all: one row each, to NA, share 0.
  lonely <- setdiff(seq_len(n_from), pair_from)
  pair_from <- c(pair_from, lonely)
  pair_to <- c(pair_to, rep(NA_integer_, length(lonely)))
  area_share <- c(area_share, numeric(length(lonely)))
  o <- order(pair_from, pair_to, na.last = TRUE)

  out <- data.frame(
    from_id = from_layer$id[pair_from[o]],
    to_id = to_layer$id[pair_to[o]],
    area_share = area_share[o]
  )
  short <- area_covered < 1 - 1e-9
  uncovered_df <- data.frame(from_id = from_layer$id,
                             area_covered = area_covered)
  if (!is.null(counts)) {
    population_share <- c(population_share,
                          ifelse(pop$total[lonely] == 0, NA_real_, 0))
    out$population_share <- population_share[o]
    uncovered_df$population_covered <- population_covered
    short <- short | (!is.na(population_covered) &
                        population_covered < 1 - 1e-9)
  }
  uncovered_df <- uncovered_df[short, , drop = FALSE]
  rownames(uncovered_df) <- NULL
  attr(out, "uncovered") <- uncovered_df
  if (nrow(uncovered_df) > 0) {
    none <- sum(uncovered_df$area_covered == 0)
    n_near <- sum(!is.na(nearest))
    msg <- paste0(
      nrow(uncovered_df), " of ", n_from, " `from` region",
      if (n_from != 1) "s", " ", if (nrow(uncovered_df) == 1) "is" else "are",
      " not fully covered by `to`",
      if (none > 0) paste0(" (", none, " not at all)"),
      if (n_near > 0) {
        paste0("; ", n_near, " with no overlap ", if (n_near == 1) "was"
               else "were", " given to the nearest `to` region")
      },
      "; see attr(<crosswalk>, \"uncovered\")."
    )
    message(structure(
      class = c("spreiding_uncovered", "message", "condition"),
      list(message = paste0(msg, "\n"), call = call)
    ))
  }
  out
}

#' Dissolve regions into larger ones
#'
#' Merges regions into groups, such as four-digit postcode areas (PC4) into
#' two-digit ones (PC2), or municipalities into labour-market regions: the
#' geometry of each group is the union of its regions' polygons.
#'
#' The union is computed by GEOS (`GEOSUnaryUnion`, a cascaded union, the
#' same routine GDAL's `OGR_G_UnionCascaded()` and `sf::st_union()` run),
#' directly from the coordinates. Shared edges disappear; slivers between
#' regions that do not quite touch remain, as holes or gaps. The result is
#' cast to MULTIPOLYGON. Regions must be valid polygons: an invalid one is
#' an error that names it (repair it with `read_regions(repair = TRUE)` or
#' `sf::st_make_valid()`).
#'
#' @param regions A region layer, as read by [read_regions()], or an sf
#'   object with POLYGON or MULTIPOLYGON geometries.
#' @param by The groups: the name of a column of `regions`, or a vector
#'   with one value per region. `NA` is not allowed.
#' @return A regions object (see [read_regions()]) with one row per group,
#'   sorted by group value, and two columns: the group value (named after
#'   `by` when it is a column name, otherwise `id`), which is the region
#'   id, and the geometry. Other columns are not carried over: sum counts
#'   per group with [region_table()] and join them by the id.
#' @seealso [region_crosswalk()]
#' @export
#' @examples
#' pc2 <- read_regions(
#'   system.file("extdata", "pc2.gpkg", package = "spreiding"), id = "pc2"
#' )
#' # The 90 postcode-2 areas into 9 postcode-1 areas
#' pc1 <- dissolve_regions(pc2, by = pc2$pc2 %/% 10)
#' pc1$id
#' lengths(pc1$geometry) # polygons per area (islands, exclaves)
dissolve_regions <- function(regions, by) {
  call <- sys.call()
  layer <- polygon_layer(regions, "regions", call)
  n <- length(layer$geometry)
  data_cols <- setdiff(names(regions), attr(regions, "sf_column"))
  if (is_string(by) && by %in% data_cols) {
    name <- by
    group <- regions[[by]]
  } else if (is.atomic(by) && is.null(dim(by)) && length(by) == n) {
    name <- "id"
    group <- by
  } else if (is_string(by)) {
    stop_spreiding(paste0("`by` must be a column of `regions` or a vector ",
                          "with one group per region; `regions` has no ",
                          "column ", backtick(by), ".",
                          did_you_mean(by, data_cols)),
                   arg = "by", call = call)
  } else {
    stop_spreiding(paste0("`by` must be a column name of `regions` or a ",
                          "vector with one group per region (", n,
                          "), not ", describe(by), " of length ",
                          length(by), "."),
                   arg = "by", call = call)
  }
  if (anyNA(group)) {
    row <- which(is.na(group))[1]
    stop_spreiding(paste0("`by` is missing for region ", layer$label[row],
                          " (row ", row, " of `regions`)."),
                   arg = "by", row = row, call = call)
  }
  groups <- sort(unique(group))
  geometry <- with_call(
    .Call(C_spr_c_dissolve, layer$geometry, match(group, groups),
          id_as_character(as.vector(groups)), layer$label),
    call
  )
  data <- data.frame(groups, stringsAsFactors = FALSE)
  names(data) <- name
  new_regions(data, geometry, id = name, crs = layer$crs_attr)
}

# ---- helpers ---------------------------------------------------------------

# The parts of a polygon layer the C code needs: the geometry as a list of
# MULTIPOLYGONs (sf layout), the ids (the region id column, or row
# numbers), their labels for messages, and the CRS.
polygon_layer <- function(x, arg, call) {
  sf_column <- attr(x, "sf_column")
  geometry <- if (inherits(x, "sf") && is_string(sf_column)) x[[sf_column]]
  if (!is.data.frame(x) || !inherits(geometry, "sfc")) {
    stop_spreiding(paste0("`", arg, "` must be a region layer (from ",
                          "read_regions()) or an sf object with polygons, ",
                          "not ", describe(x), "."),
                   arg = arg, call = call)
  }
  if (inherits(geometry, "sfc_POLYGON")) {
    geometry <- lapply(geometry, list)
  } else if (!inherits(geometry, "sfc_MULTIPOLYGON") && length(geometry) > 0) {
    stop_spreiding(paste0("`", arg, "` must have POLYGON or MULTIPOLYGON ",
                          "geometries, not ",
                          sub("^sfc_", "", class(geometry)[1]), "; cast it ",
                          "first, e.g. with sf::st_cast(", arg,
                          ", \"MULTIPOLYGON\")."),
                   arg = arg, call = call)
  }
  id_col <- attr(x, "region_id")
  id <- if (is_string(id_col) && id_col %in% names(x)) {
    x[[id_col]]
  } else {
    seq_len(nrow(x))
  }
  crs_attr <- attr(x[[sf_column]], "crs")
  list(sfc = x[[sf_column]], geometry = geometry, id = id,
       label = id_as_character(as.vector(id)),
       crs = crs_text(crs_attr), crs_attr = crs_attr)
}


crs_name <- function(crs) {
  if (is.na(crs)) return("no CRS")
  name <- regmatches(crs, regexpr("^[A-Z0-9]+\\[\"[^\"]*\"", crs))
  if (length(name)) sub("^[A-Z0-9]+\\[\"", "", sub("\"$", "", name)) else crs
}

check_same_crs <- function(a, b, arg_a, arg_b, call) {
  same <- if (is.na(a) || is.na(b)) {
    is.na(a) && is.na(b)
  } else {
    identical(a, b) || isTRUE(.Call(C_spr_c_crs_equal, a, b))
  }
  if (!same) {
    stop_spreiding(paste0("`", arg_a, "` and `", arg_b, "` must have the ",
                          "same CRS; `", arg_a, "` has ", crs_name(a), ", `",
                          arg_b, "` has ", crs_name(b), ". ",
                          if (is.na(a) || is.na(b)) {
                            "Set the missing CRS first."
                          } else {
                            "Transform one of them first."
                          }),
                   arg = arg_b, call = call)
  }
}

# The counts of `population`, after checking that it is a set of points
# locate_points() takes.
population_counts <- function(population, count, call) {
  if (!is.null(count) && !is_string(count)) {
    stop_spreiding("`population_count` must be a column name or NULL.",
                   arg = "population_count", call = call)
  }
  sf_column <- attr(population, "sf_column")
  if (inherits(population, "sf") && is_string(sf_column)) {
    geometry <- population[[sf_column]]
    if (!inherits(geometry, "sfc_POINT")) {
      stop_spreiding(paste0("`population` must have POINT geometries, not ",
                            sub("^sfc_", "", class(geometry)[1]), "."),
                     arg = "population", call = call)
    }
    n <- length(geometry)
  } else if (is.data.frame(population)) {
    check_has_columns(population, c("x", "y"), "population", call)
    if (!is.numeric(population[["x"]]) || !is.numeric(population[["y"]])) {
      stop_spreiding("Columns `x` and `y` of `population` must be numeric.",
                     arg = "population", call = call)
    }
    n <- nrow(population)
  } else {
    stop_spreiding(paste0("`population` must be a data frame with columns ",
                          "`x`, `y` and counts, or an sf object with POINT ",
                          "geometries, not ", describe(population), "."),
                   arg = "population", call = call)
  }
  if (is.null(count)) return(rep(1, n))
  if (!count %in% names(population)) {
    stop_spreiding(paste0("`population` has no count column ",
                          backtick(count), " (see `population_count`).",
                          did_you_mean(count, names(population))),
                   arg = "population", call = call)
  }
  counts <- population[[count]]
  if (!is.numeric(counts)) {
    stop_spreiding(paste0("Count column ", backtick(count), " of ",
                          "`population` must be numeric, not ",
                          describe(counts), "."),
                   arg = "population", call = call)
  }
  bad <- is.na(counts) | counts < 0
  if (any(bad)) {
    row <- which(bad)[1]
    stop_spreiding(paste0("Count column ", backtick(count), " of ",
                          "`population` must be non-negative and not ",
                          "missing; row ", row, " has ", counts[row], "."),
                   arg = "population", row = row, call = call)
  }
  as.double(counts)
}

# For uncovered = "nearest": the `to` row of each point, after moving the
# points of a region given wholly to its nearest `to` region (`nearest`,
# one per `from` row) there, and each other point located in `from` but in
# no `to` region to the `to` region nearest to the point.
nearest_points <- function(population, at_from, at_to, nearest, to_layer,
                           call) {
  whole <- !is.na(at_from) & !is.na(nearest[at_from])
  at_to[whole] <- nearest[at_from[whole]]
  out <- which(!is.na(at_from) & is.na(at_to))
  if (length(out) == 0 || length(to_layer$geometry) == 0) return(at_to)
  pts <- index_points(population, "x", "y", NULL, call)
  x <- pts$x[out]
  y <- pts$y[out]
  if (!is.null(pts$crs) && !is.na(to_layer$crs) &&
      !identical(pts$crs, to_layer$crs)) {
    xy <- with_call(transform_xy(x, y, pts$crs, to_layer$crs), call)
    x <- xy[[1]]
    y <- xy[[2]]
  }
  at_to[out] <- with_call(
    .Call(C_spr_c_crosswalk, Map(c, x, y), to_layer$geometry,
          paste0("the point in row ", out, " of `population`"),
          to_layer$label, 3L),
    call
  )
  at_to
}

pair_key <- function(from, to, n_to) {
  (as.double(from) - 1) * (n_to + 1) + ifelse(is.na(to), n_to, to - 1)
}

# Population per (from, to) pair of the points located in `from`, as
# shares of the from region's total; to = NA for points outside `to`.
population_pairs <- function(count, at_from, at_to, n_from, n_to) {
  inside <- !is.na(at_from)
  count <- count[inside]
  at_from <- at_from[inside]
  at_to <- at_to[inside]
  total <- numeric(n_from)
  by_from <- rowsum(count, at_from)
  total[as.integer(rownames(by_from))] <- by_from[, 1]
  key <- pair_key(at_from, at_to, n_to)
  keys <- unique(key)
  # Groups numbered by first appearance, so rowsum's groups follow `keys`.
  sums <- as.vector(rowsum(count, match(key, keys), reorder = FALSE))
  first <- match(keys, key)
  from <- at_from[first]
  list(from = from, to = at_to[first], share = sums / total[from],
       total = total)
}
