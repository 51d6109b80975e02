# accessibility_2sfca(): floating catchment area accessibility of demand
# points (population) to supply points (GP capacity) within a distance. R
# checks the input and resolves the CRS; C finds the pairs in reach through
# a grid and sums the two (or three) steps (src/access.c).

#' Floating catchment area accessibility (2SFCA, E2SFCA, BFCA)
#'
#' How much supply, such as general practitioners in full-time equivalents
#' (FTE), the population of each demand point (for instance a PC4 area) can
#' reach within a distance, when everyone else in reach of the same
#' practices competes for it: the two-step floating catchment area method
#' and two of its variants. Distances are straight lines (Euclidean) in a
#' projected coordinate system, such as RD New (EPSG:28992) in metres.
#'
#' @section The measures:
#' Write \eqn{d_{ij}}{d_ij} for the distance between demand point \eqn{i}
#' (population \eqn{P_i}) and supply point \eqn{j} (capacity \eqn{S_j}),
#' and \eqn{d_0} for `max_dist`. A pair is *in reach* when
#' \eqn{d_{ij} \le d_0}{d_ij <= d0}: the catchment is closed, so a demand
#' and a supply point at the same place (distance 0) are in reach of each
#' other, and so is a pair exactly `max_dist` apart. A pair in reach has the
#' weight \eqn{w_{ij} = f(d_{ij})}{w_ij = f(d_ij)} of the distance decay
#' \eqn{f} (see below); a pair out of reach has weight 0.
#'
#' **2SFCA** (Luo and Wang 2003), `method = "2sfca"`. Step 1 gives each
#' supply point its capacity per 1,000 inhabitants of its catchment; step 2
#' sums, for each demand point, the ratios of the supply points in reach:
#' \deqn{R_j = 1000 \, \frac{S_j}{\sum_i w_{ij} P_i}, \qquad
#'   A_i = \sum_j w_{ij} R_j.}{R_j = 1000 S_j / sum_i (w_ij P_i),
#'   A_i = sum_j (w_ij R_j).}
#' With the step decay this is Luo and Wang's original method.
#'
#' **E2SFCA** (Luo and Qi 2009), `method = "e2sfca"`: the same two steps,
#' with the catchment cut into distance zones, each with its own weight
#' (see `zones`): \eqn{w_{ij} = W_r}{w_ij = W_r} when \eqn{d_{ij}} lies in
#' zone \eqn{r}. The zones take the place of the decay, so `decay` must be
#' `"step"`.
#'
#' **BFCA**, the balanced floating catchment area (Paez, Higgins and Vivona
#' 2019), `method = "bfca"`. In 2SFCA a person in reach of three practices
#' is counted in all three catchments, and a practice's capacity is counted
#' at every demand point in its reach, so the totals are inflated. BFCA
#' normalises the weights, once over each demand point's reach and once over
#' each supply point's catchment,
#' \deqn{w^{(i)}_{ij} = \frac{w_{ij}}{\sum_k w_{ik}}, \qquad
#'   w^{(j)}_{ij} = \frac{w_{ij}}{\sum_k w_{kj}},}{a_ij = w_ij / sum_k w_ik,
#'   b_ij = w_ij / sum_k w_kj,}
#' and uses the first to share out each population and the second to share
#' out each ratio:
#' \deqn{R_j = 1000 \, \frac{S_j}{\sum_i w^{(i)}_{ij} P_i}, \qquad
#'   A_i = \sum_j w^{(j)}_{ij} R_j.}{R_j = 1000 S_j / sum_i (a_ij P_i),
#'   A_i = sum_j (b_ij R_j).}
#' So every person in reach of any supply (with a positive weight) is
#' counted exactly once over all catchments (the `catchment_population`
#' column sums to the population in reach), and the accessibility summed
#' over the demand points equals the sum of the ratios that are not `NA`.
#' This is the measure of `method = "bfca"` in the
#' accessibility package's `floating_catchment_area()`. A 0/0 in the
#' normalisation (a reach whose weights are all 0) counts as 0.
#'
#' @section Distance decay:
#' For \eqn{0 \le d \le d_0}{0 <= d <= d0} (outside the catchment the weight
#' is always 0):
#' * `"step"`: \eqn{f(d) = 1}{f(d) = 1}.
#' * `"linear"`: \eqn{f(d) = 1 - d / d_0}{f(d) = 1 - d / d0}, from 1 at
#'   distance 0 to 0 at the edge.
#' * `"gaussian"`: the Gaussian of Dai (2010), used with E2SFCA-like
#'   catchments, scaled so that it falls from 1 at distance 0 to 0 at the
#'   edge: \deqn{f(d) = \frac{e^{-\frac{1}{2} (d/d_0)^2} -
#'   e^{-\frac{1}{2}}}{1 - e^{-\frac{1}{2}}}.}{f(d) = (exp(-(d/d0)^2 / 2) -
#'   exp(-1/2)) / (1 - exp(-1/2)).} Its only parameter is `max_dist`.
#' * `"exponential"`: \eqn{f(d) = e^{-\beta d}}{f(d) = exp(-rate d)} with
#'   \eqn{\beta}{rate} = `rate`, per unit of distance (per metre in RD New:
#'   `rate = 1e-4` halves the weight about every 6.9 km).
#'
#' @section Edge cases:
#' * A demand point with no supply point in reach has accessibility 0, not
#'   `NA` (its `supply_in_reach` is 0).
#' * A supply point whose catchment holds no population (no demand point in
#'   reach, or only points of population 0, or only pairs of weight 0) has
#'   `ratio_per_1000` `NA`: its capacity per inhabitant is undefined
#'   (\eqn{S_j / 0}), and it adds nothing to the accessibility of any demand
#'   point. Its capacity is thus lost to the measure; the print method
#'   reports how much. `NA` rather than `Inf` keeps such points out of sums
#'   and means without hiding them.
#'
#' @section Computation:
#' The supply points are sorted into a grid of cells of side `max_dist`, and
#' each demand point only looks at the supply points in the (at most 3 x 3)
#' cells around it: the time and memory grow with the number of pairs in
#' reach, not with the number of demand times supply points, and no
#' distance matrix is made. Each sum runs in a fixed order, so the same
#' input gives the same result, bit for bit.
#'
#' @section Coordinates:
#' Distances need projected coordinates, in the unit of `max_dist` (metres
#' for RD New). Coordinates in longitude and latitude are refused: an `sf`
#' object (or `crs`) with a geographic CRS is an error, and so are
#' coordinate columns without a CRS whose values all lie within
#' \eqn{[-180, 180] \times [-90, 90]}{[-180, 180] x [-90, 90]}, since RD New
#' (and any projected CRS in metres over a country) has larger numbers. Give
#' `crs` (a projected one) to say that such small numbers are projected
#' coordinates after all. Transform longitude and latitude first, e.g. with
#' `sf::st_transform(x, 28992)`.
#'
#' @param demand The demand points: a data frame with coordinate columns
#'   (named by `x` and `y`) and a population column (named by `population`),
#'   or an `sf` object with `POINT` geometries and a population column.
#'   Population must be a finite number \eqn{\ge 0}{>= 0} on every row.
#' @param supply The supply points, such as GP practices: a data frame with
#'   coordinate columns and a capacity column (named by `capacity`), for
#'   instance FTE, or an `sf` object with `POINT` geometries and that
#'   column. Capacity must be a finite number \eqn{\ge 0}{>= 0}.
#' @param max_dist The catchment size: the largest distance between a demand
#'   and a supply point that are in reach of each other, in the unit of the
#'   coordinates (metres in RD New: `20000` is 20 km). A positive number.
#' @param decay The distance decay: `"step"` (the default), `"gaussian"`,
#'   `"linear"` or `"exponential"`; see the Distance decay section.
#' @param method `"2sfca"` (the default), `"e2sfca"` or `"bfca"`; see the
#'   Measures section.
#' @param ... Must be empty: the arguments after it are named in full, so
#'   that a call says what each value is.
#' @param population,capacity Names of the population column of `demand` and
#'   the capacity column of `supply`.
#' @param x,y Names of the coordinate columns (easting in `x`): one name used
#'   in both data frames, or two names, the first for `demand` and the
#'   second for `supply`. Not used for `sf` objects.
#' @param rate For `decay = "exponential"` (and only then): the decay rate
#'   \eqn{\beta > 0}{> 0} per unit of distance.
#' @param zones For `method = "e2sfca"` (and only then): the distance zones
#'   and their weights. Either a numeric vector of weights for zones of equal
#'   width that together cover `max_dist` (the default, `c(1, 0.68, 0.22)`,
#'   is Luo and Qi's weights for three zones), or a data frame with columns
#'   `upper` (each zone's outer distance, increasing, the last equal to
#'   `max_dist`) and `weight`. A zone holds the distances above the previous
#'   zone's `upper` up to and including its own. Weights are finite and
#'   \eqn{\ge 0}{>= 0}.
#' @param crs The CRS of coordinate columns, such as `28992`,
#'   `"EPSG:28992"`, WKT or an `sf` `crs` object, or `NULL` (the default).
#'   It is only checked (a geographic CRS is an error; see the Coordinates
#'   section): nothing is transformed. Not used with `sf` objects that have
#'   a CRS.
#' @return An object of class `spreiding_access`, a list with
#'   * `demand`: `demand` with two columns added (or replaced):
#'     `supply_in_reach`, the number of supply points in reach, and
#'     `access_per_1000`, the accessibility \eqn{A_i}: capacity per 1,000
#'     inhabitants (for GP FTE: FTE per 1,000 inhabitants; multiply by 1,000
#'     and invert for inhabitants per FTE);
#'   * `supply`: `supply` with three columns added (or replaced):
#'     `demand_in_reach`, the number of demand points in reach,
#'     `catchment_population`, the denominator of \eqn{R_j} (the weighted,
#'     or for BFCA the shared, population in the catchment) and
#'     `ratio_per_1000`, the ratio \eqn{R_j}: capacity per 1,000 inhabitants
#'     of the catchment, `NA` when that population is 0;
#'   * `parameters`: the method, the decay, `max_dist`, `rate`, the zones
#'     (a data frame, for E2SFCA), the CRS, the number of pairs in reach,
#'     and the coordinates of the demand and supply points (`demand_xy`,
#'     `supply_xy`: two-column matrices).
#'
#'   Its print method summarises the result; `ggplot2::autoplot()` maps it
#'   (see [autoplot.spreiding_access()]). The population-weighted mean of
#'   the accessibility per region follows from [region_table()] with
#'   `.weights`, as in the examples.
#' @references
#' Luo, W. and Wang, F. (2003). Measures of spatial accessibility to health
#' care in a GIS environment: synthesis and a case study in the Chicago
#' region. *Environment and Planning B: Planning and Design* 30(6), 865-884.
#'
#' Luo, W. and Qi, Y. (2009). An enhanced two-step floating catchment area
#' (E2SFCA) method for measuring spatial accessibility to primary care
#' physicians. *Health & Place* 15(4), 1100-1107.
#'
#' Dai, D. (2010). Black residential segregation, disparities in spatial
#' access to health care facilities, and late-stage breast cancer diagnosis
#' in metropolitan Detroit. *Health & Place* 16(5), 1038-1052.
#'
#' Paez, A., Higgins, C. D. and Vivona, S. F. (2019). Demand and level of
#' service inflation in Floating Catchment Area (FCA) methods. *PLoS ONE*
#' 14(6), e0218773.
#' @seealso [region_table()] to average the accessibility per region.
#' @export
#' @examples
#' # Three villages and two practices, in RD New metres (EPSG:28992): the
#' # first practice is in village A, 6 km from B; the second is 9 km from B;
#' # village C is more than 10 km from both
#' villages <- data.frame(
#'   village = c("A", "B", "C"),
#'   x = c(150000, 156000, 180000),
#'   y = 450000,
#'   population = c(1000, 2000, 500),
#'   region = c("west", "west", "east")
#' )
#' practices <- data.frame(x = c(150000, 165000), y = 450000, fte = c(2, 1))
#' acc <- accessibility_2sfca(villages, practices, max_dist = 10000,
#'                            capacity = "fte")
#' acc
#' acc$demand
#' acc$supply
#'
#' # A: 2 FTE for 3,000 inhabitants in reach; B: that plus 1 FTE for its
#' # own 2,000; C is out of reach of both practices: accessibility 0. The
#' # population-weighted mean per region:
#' region_table(acc$demand, "region",
#'   inhabitants = count(),
#'   fte_per_1000 = mean(access_per_1000),
#'   .weights = "population"
#' )
#'
#' # Distance decay, zones, and the balanced measure
#' accessibility_2sfca(villages, practices, 10000, decay = "gaussian",
#'                     capacity = "fte")$demand$access_per_1000
#' accessibility_2sfca(villages, practices, 10000, method = "e2sfca",
#'                     capacity = "fte",
#'                     zones = data.frame(upper = c(5000, 10000),
#'                                        weight = c(1, 0.25)))$demand
#' accessibility_2sfca(villages, practices, 10000, method = "bfca",
#'                     capacity = "fte")$supply
accessibility_2sfca <- function(demand, supply, max_dist,
                                decay = c("step", "gaussian", "linear",
                                          "exponential"),
                                method = c("2sfca", "e2sfca", "bfca"), ...,
                                population = "population",
                                capacity = "capacity", x = "x", y = "y",
                                rate = NULL, zones = NULL, crs = NULL) {
  call <- sys.call()
  access_check_dots(match.call(expand.dots = FALSE)$..., call)
  decay <- arg_choice(decay, c("step", "gaussian", "linear", "exponential"),
                      "decay", call)
  method <- arg_choice(method, c("2sfca", "e2sfca", "bfca"), "method", call)
  max_dist <- access_check_max_dist(max_dist, call)
  rate <- access_check_rate(rate, decay, call)
  zones <- access_check_zones(zones, method, decay, max_dist, call)
  check_names_arg(population, "population", 1, call)
  check_names_arg(capacity, "capacity", 1, call)
  check_names_arg(x, "x", 1:2, call)
  check_names_arg(y, "y", 1:2, call)
  crs <- index_crs_arg(crs, call)

  dem <- access_points(demand, "demand", x[1], y[1], population,
                       "population", call)
  sup <- access_points(supply, "supply", x[length(x)], y[length(y)],
                       capacity, "capacity", call)
  crs_label <- access_crs(dem, sup, crs, call)

  kind <- if (method == "e2sfca") {
    5L
  } else {
    match(decay, c("step", "linear", "gaussian", "exponential"))
  }
  decay_arg <- list(kind, if (is.null(rate)) NA_real_ else rate,
                    if (is.null(zones)) double() else zones$upper,
                    if (is.null(zones)) double() else zones$weight)
  res <- with_call(
    .Call(C_spr_c_access, list(dem$x, dem$y, dem$value),
          list(sup$x, sup$y, sup$value), max_dist,
          if (method == "bfca") 2L else 1L, decay_arg),
    call
  )

  demand[["supply_in_reach"]] <- res$supply_in_reach
  demand[["access_per_1000"]] <- res$access
  supply[["demand_in_reach"]] <- res$demand_in_reach
  supply[["catchment_population"]] <- res$catchment
  supply[["ratio_per_1000"]] <- res$ratio
  structure(
    list(
      demand = demand,
      supply = supply,
      parameters = list(
        method = method, decay = decay, max_dist = max_dist, rate = rate,
        zones = zones, crs = crs_label, population = population,
        capacity = capacity, pairs = res$pairs,
        demand_xy = cbind(x = dem$x, y = dem$y),
        supply_xy = cbind(x = sup$x, y = sup$y)
      )
    ),
    class = "spreiding_access"
  )
}

#' @export
print.spreiding_access <- function(x, ...) {
  p <- x$parameters
  big <- function(v) format(v, big.mark = ",", scientific = FALSE, trim = TRUE)
  num <- function(v) {
    trimws(formatC(v, format = "fg", digits = 4, big.mark = ","))
  }
  label <- c("2sfca" = "2SFCA", e2sfca = "E2SFCA", bfca = "BFCA")[[p$method]]
  how <- if (p$method == "e2sfca") {
    paste0(nrow(p$zones), " zones (weights ",
           paste(num(p$zones$weight), collapse = ", "), ")")
  } else if (p$decay == "exponential") {
    paste0("exponential decay (rate ", format(p$rate), ")")
  } else {
    paste0(p$decay, " decay")
  }
  dem <- x$demand
  sup <- x$supply
  pop <- as.double(dem[[p$population]])
  cap <- as.double(sup[[p$capacity]])
  a <- dem$access_per_1000
  outside <- dem$supply_in_reach == 0
  lost <- is.na(sup$ratio_per_1000)
  cat("<spreiding_access> ", label, ", ", how, ", catchment ",
      big(p$max_dist), "\n", sep = "")
  cat("CRS:      ", if (is.na(p$crs)) "none" else p$crs, "\n", sep = "")
  cat("Demand:   ", big(length(a)), " points, population ", big(sum(pop)),
      "; ", big(sum(outside)), " outside every catchment (population ",
      big(sum(pop[outside])), ")\n", sep = "")
  cat("Supply:   ", big(length(cap)), " points, capacity ", num(sum(cap)),
      "; ", big(sum(lost)), " with no population in reach (capacity ",
      num(sum(cap[lost])), ")\n", sep = "")
  cat("Pairs:    ", big(p$pairs), " in reach\n", sep = "")
  if (length(a) && sum(pop) > 0) {
    cat("Access:   ", num(sum(pop * a) / sum(pop)), " per 1,000 inhabitants ",
        "(population-weighted mean); range ", num(min(a)), " to ",
        num(max(a)), "\n", sep = "")
  }
  invisible(x)
}

# ---- checks ------------------------------------------------------------------

access_check_dots <- function(dots, call) {
  if (length(dots) == 0) return(invisible())
  nms <- names(dots) %||% rep("", length(dots))
  what <- if (any(nzchar(nms))) {
    paste0(" (got ", paste(backtick(nms[nzchar(nms)]), collapse = ", "), ")")
  } else {
    ""
  }
  stop_spreiding(paste0("`...` must be empty", what, ": name the arguments ",
                        "after it in full, such as `population = ",
                        "\"inhabitants\"`."),
                 arg = "...", call = call)
}

access_check_max_dist <- function(max_dist, call) {
  if (!is.numeric(max_dist) || length(max_dist) != 1 || is.na(max_dist) ||
      !is.finite(max_dist) || max_dist <= 0) {
    stop_spreiding(paste0("`max_dist` must be one positive number (the ",
                          "catchment size in the unit of the coordinates, ",
                          "e.g. 20000 for 20 km in RD New), not ",
                          access_show(max_dist), "."),
                   arg = "max_dist", call = call)
  }
  as.double(max_dist)
}

access_check_rate <- function(rate, decay, call) {
  if (decay != "exponential") {
    if (!is.null(rate)) {
      stop_spreiding(paste0("`rate` is only used with `decay = ",
                            "\"exponential\"`, not with `decay = \"", decay,
                            "\"`."),
                     arg = "rate", call = call)
    }
    return(NULL)
  }
  if (is.null(rate)) {
    stop_spreiding(paste0("`decay = \"exponential\"` needs `rate`, the decay ",
                          "per unit of distance (e.g. 1e-4 per metre)."),
                   arg = "rate", call = call)
  }
  if (!is.numeric(rate) || length(rate) != 1 || is.na(rate) ||
      !is.finite(rate) || rate <= 0) {
    stop_spreiding(paste0("`rate` must be one positive number, not ",
                          access_show(rate), "."),
                   arg = "rate", call = call)
  }
  as.double(rate)
}

access_check_zones <- function(zones, method, decay, max_dist, call) {
  if (method != "e2sfca") {
    if (!is.null(zones)) {
      stop_spreiding(paste0("`zones` is only used with `method = ",
                            "\"e2sfca\"`, not with `method = \"", method,
                            "\"`."),
                     arg = "zones", call = call)
    }
    return(NULL)
  }
  if (decay != "step") {
    stop_spreiding(paste0("With `method = \"e2sfca\"` the zone weights are ",
                          "the distance decay, so `decay` must be \"step\", ",
                          "not \"", decay, "\"."),
                   arg = "decay", call = call)
  }
  if (is.null(zones)) zones <- c(1, 0.68, 0.22)
  if (is.data.frame(zones)) {
    check_has_columns(zones, c("upper", "weight"), "zones", call)
    upper <- zones[["upper"]]
    weight <- zones[["weight"]]
  } else if (is.numeric(zones) && is.null(dim(zones)) && length(zones) > 0) {
    weight <- zones
    upper <- max_dist * seq_along(zones) / length(zones)
  } else {
    stop_spreiding(paste0("`zones` must be a numeric vector of zone weights ",
                          "or a data frame with columns `upper` and ",
                          "`weight`, not ", describe(zones), "."),
                   arg = "zones", call = call)
  }
  if (!is.numeric(upper) || !is.numeric(weight) || length(upper) == 0) {
    stop_spreiding("`zones` columns `upper` and `weight` must be numeric.",
                   arg = "zones", call = call)
  }
  bad <- which(is.na(weight) | !is.finite(weight) | weight < 0)
  if (length(bad)) {
    stop_spreiding(paste0("Zone weights must be finite numbers >= 0; zone ",
                          bad[1], " has ", format(weight[bad[1]]), "."),
                   arg = "zones", row = bad[1], call = call)
  }
  bad <- which(is.na(upper) | !is.finite(upper) | upper <= 0 |
                 c(FALSE, diff(upper) <= 0))
  if (length(bad)) {
    stop_spreiding(paste0("The zones' `upper` distances must be positive and ",
                          "increasing; zone ", bad[1], " has ",
                          format(upper[bad[1]]), "."),
                   arg = "zones", row = bad[1], call = call)
  }
  if (upper[length(upper)] != max_dist) {
    stop_spreiding(paste0("The last zone must end at `max_dist` (",
                          format(max_dist), "), not at ",
                          format(upper[length(upper)]), "."),
                   arg = "zones", row = length(upper), call = call)
  }
  data.frame(upper = as.double(upper), weight = as.double(weight))
}

access_show <- function(x) {
  if (is.numeric(x) && length(x) == 1) return(format(x))
  if (is.numeric(x)) return(paste("a numeric vector of length", length(x)))
  describe(x)
}

# The points of `data` as list(x, y, value, crs, n): crs is a string (WKT or
# what the user gave) or NA.
access_points <- function(data, arg, xcol, ycol, vcol, varg, call) {
  crs <- NA_character_
  if (inherits(data, "sf")) {
    sf_column <- attr(data, "sf_column")
    geom <- .subset2(data, sf_column)
    if (!inherits(geom, "sfc_POINT")) {
      stop_spreiding(paste0("`", arg, "` must have POINT geometries, not ",
                            sub("^sfc_", "", class(geom)[1]), "."),
                     arg = arg, call = call)
    }
    co <- with_call(.Call(C_spr_c_point_coords, unclass(geom)), call)
    xs <- co$x
    ys <- co$y
    crs <- crs_text(attr(geom, "crs"))
    what <- "an empty point or a missing coordinate"
  } else {
    if (!is.data.frame(data)) {
      stop_spreiding(paste0("`", arg, "` must be a data frame with ",
                            "coordinate columns or an sf object with POINT ",
                            "geometries, not ", describe(data), "."),
                     arg = arg, call = call)
    }
    check_has_columns(data, c(xcol, ycol), arg, call)
    cols <- list(.subset2(data, xcol), .subset2(data, ycol))
    for (k in 1:2) {
      v <- cols[[k]]
      if (!is.numeric(v) || is.factor(v) || !is.null(dim(v))) {
        stop_spreiding(paste0("Column ", backtick(c(xcol, ycol)[k]), " of `",
                              arg, "` must hold numeric coordinates, not ",
                              describe(v), "."),
                       arg = arg, call = call)
      }
    }
    xs <- as.double(cols[[1]])
    ys <- as.double(cols[[2]])
    what <- "a missing or infinite coordinate"
  }
  bad <- which(!is.finite(xs) | !is.finite(ys))
  if (length(bad)) {
    stop_spreiding(paste0("Row ", bad[1], " of `", arg, "` has ", what,
                          if (length(bad) > 1) {
                            paste0(" (and ", length(bad) - 1, " more rows)")
                          }, "; every point needs a location."),
                   arg = arg, row = bad[1], call = call)
  }
  if (!vcol %in% names(data)) {
    stop_spreiding(paste0("`", arg, "` has no ", varg, " column ",
                          backtick(vcol), ".",
                          did_you_mean(vcol, setdiff(names(data),
                                                     attr(data, "sf_column"))),
                          " Name it with `", varg, " = `."),
                   arg = arg, call = call)
  }
  v <- .subset2(data, vcol)
  if (!is.numeric(v) || is.factor(v) || !is.null(dim(v))) {
    stop_spreiding(paste0("The ", varg, " column ", backtick(vcol), " of `",
                          arg, "` must be numeric, not ", describe(v), "."),
                   arg = arg, call = call)
  }
  v <- as.double(v)
  bad <- which(is.na(v) | !is.finite(v) | v < 0)
  if (length(bad)) {
    stop_spreiding(paste0("The ", varg, " column ", backtick(vcol), " of `",
                          arg, "` must hold finite numbers >= 0; row ", bad[1],
                          " has ", format(v[bad[1]]),
                          if (length(bad) > 1) {
                            paste0(" (and ", length(bad) - 1, " more rows)")
                          }, "."),
                   arg = arg, row = bad[1], call = call)
  }
  list(x = xs, y = ys, value = v, crs = crs, n = length(v))
}

# Check that the coordinates are projected; returns a label for the CRS (NA
# when unknown).
access_crs <- function(dem, sup, crs, call) {
  has <- c(demand = !is.na(dem$crs), supply = !is.na(sup$crs))
  if (!is.null(crs) && any(has)) {
    stop_spreiding(paste0("`crs` is for coordinate columns; `",
                          names(has)[has][1], "` is an sf object with its ",
                          "own CRS. Leave `crs` out."),
                   arg = "crs", call = call)
  }
  if (all(has)) check_same_crs(dem$crs, sup$crs, "demand", "supply", call)
  source <- if (has[["demand"]]) "demand" else if (has[["supply"]]) "supply"
            else if (!is.null(crs)) "crs"
  if (!is.null(source)) {
    text <- switch(source, demand = dem$crs, supply = sup$crs, crs = crs)
    wkt <- if (grepl("[", text, fixed = TRUE)) {
      text
    } else {
      with_call(.Call(C_spr_c_crs_wkt, text, source), call)
    }
    if (crs_is_geographic(wkt)) {
      where <- if (source == "crs") "`crs` is" else {
        paste0("`", source, "` is in")
      }
      stop_spreiding(paste0(where, " a geographic CRS (", crs_name(wkt),
                            "), in degrees of longitude and latitude; ",
                            "distances need projected coordinates, such as ",
                            "RD New (EPSG:28992) in metres. Transform the ",
                            "points first, e.g. with sf::st_transform(x, ",
                            "28992)."),
                     arg = source, call = call)
    }
    return(crs_name(wkt))
  }
  for (p in list(list(dem, "demand"), list(sup, "supply"))) {
    pts <- p[[1]]
    if (pts$n > 0 && all(abs(pts$x) <= 180) && all(abs(pts$y) <= 90)) {
      stop_spreiding(paste0("The coordinates of `", p[[2]], "` all lie ",
                            "within [-180, 180] x [-90, 90], so they look ",
                            "like longitude and latitude; distances need ",
                            "projected coordinates, such as RD New ",
                            "(EPSG:28992) in metres. If they are projected ",
                            "coordinates, say so with `crs` (for example ",
                            "`crs = 28992`)."),
                     arg = p[[2]], call = call)
    }
  }
  NA_character_
}

# Is a WKT (WKT1 or WKT2) that of a geographic (or geocentric) CRS, possibly
# wrapped in a BOUNDCRS?
crs_is_geographic <- function(wkt) {
  grepl(paste0("^\\s*(BOUNDCRS\\s*\\[\\s*SOURCECRS\\s*\\[\\s*)?",
               "(GEOGCRS|GEOGCS|GEODCRS|GEODETICCRS|GEOCCS|GEOGRAPHICCRS)",
               "\\s*\\["), wkt)
}
