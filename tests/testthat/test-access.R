# Floating catchment area accessibility (accessibility_2sfca()). Expected
# values are worked out by hand in the comments, or come from the plain
# dense implementation below (every demand x supply distance in a matrix).

# ---- a plain dense implementation --------------------------------------------

# The documented formulas on the full n x m distance matrix. f: the decay
# weight of a distance within the catchment.
dense_fca <- function(dx, dy, pop, sx, sy, cap, max_dist, f,
                      balanced = FALSE) {
  d <- sqrt(outer(dx, sx, "-")^2 + outer(dy, sy, "-")^2)
  w <- matrix(0, nrow(d), ncol(d))
  inside <- d <= max_dist
  w[inside] <- f(d[inside])
  if (balanced) {
    row_w <- rowSums(w)
    col_w <- colSums(w)
    a <- w / ifelse(row_w > 0, row_w, 1)
    b <- sweep(w, 2, ifelse(col_w > 0, col_w, 1), "/")
  } else {
    a <- b <- w
  }
  catchment <- colSums(a * pop)
  ratio <- ifelse(catchment > 0, 1000 * cap / catchment, NA_real_)
  access <- as.vector(b %*% ifelse(is.na(ratio), 0, ratio))
  list(access = access, ratio = ratio, catchment = catchment,
       supply_in_reach = as.integer(rowSums(inside)),
       demand_in_reach = as.integer(colSums(inside)))
}

decay_functions <- function(max_dist, rate) {
  list(
    step = function(d) rep(1, length(d)),
    linear = function(d) 1 - d / max_dist,
    gaussian = function(d) {
      (exp(-0.5 * (d / max_dist)^2) - exp(-0.5)) / (1 - exp(-0.5))
    },
    exponential = function(d) exp(-rate * d)
  )
}

# ---- the hand-worked case ----------------------------------------------------

# Relative to (150000, 450000) in RD New metres, catchment 10 km:
#   supply  S1 at (0, 0), capacity 2;  S2 at (15000, 0), capacity 1
#   demand  D1 at (0, 0), population 1000 (same place as S1: distance 0)
#           D2 at (6000, 0), population 2000
#           D3 at (30000, 0), population 500
# Distances: D1-S1 0, D1-S2 15000 (out), D2-S1 6000, D2-S2 9000,
# D3-S1 30000 (out), D3-S2 15000 (out). D3 is outside every catchment.
x0 <- 150000
y0 <- 450000
demand3 <- data.frame(name = c("D1", "D2", "D3"),
                      x = x0 + c(0, 6000, 30000), y = y0,
                      population = c(1000, 2000, 500),
                      region = c("r1", "r1", "r2"))
supply2 <- data.frame(x = x0 + c(0, 15000), y = y0, capacity = c(2, 1))

test_that("2SFCA with the step decay: 3 demand x 2 supply points by hand", {
  # Step 1: S1 reaches D1 and D2, 3000 people: R1 = 1000 * 2 / 3000 = 2/3.
  #         S2 reaches D2 only, 2000 people:   R2 = 1000 * 1 / 2000 = 1/2.
  # Step 2: A1 = R1 = 2/3 (D1 is in reach at distance 0);
  #         A2 = R1 + R2 = 7/6; A3 = 0 (no supply in reach; 0, not NA).
  res <- accessibility_2sfca(demand3, supply2, max_dist = 10000)
  expect_s3_class(res, "spreiding_access")
  expect_equal(res$demand$access_per_1000, c(2 / 3, 7 / 6, 0),
               tolerance = 1e-14)
  expect_identical(res$demand$supply_in_reach, c(1L, 2L, 0L))
  expect_equal(res$supply$ratio_per_1000, c(2 / 3, 1 / 2), tolerance = 1e-14)
  expect_equal(res$supply$catchment_population, c(3000, 2000))
  expect_identical(res$supply$demand_in_reach, c(2L, 1L))
  # The input columns are kept, in order, and the new ones added.
  expect_identical(names(res$demand),
                   c(names(demand3), "supply_in_reach", "access_per_1000"))
  expect_identical(res$demand[names(demand3)], demand3)
  expect_identical(names(res$supply),
                   c(names(supply2), "demand_in_reach",
                     "catchment_population", "ratio_per_1000"))
  expect_identical(res$parameters$pairs, 3)
  expect_identical(res$parameters$method, "2sfca")
  expect_identical(res$parameters$decay, "step")
  # 2SFCA with the step decay keeps the total: sum P_i A_i = 1000 sum S_j
  # (1000 * 2/3 + 2000 * 7/6 = 3000).
  expect_equal(sum(demand3$population * res$demand$access_per_1000), 3000)
})

test_that("each decay on the tiny case, by hand", {
  # linear, w = 1 - d / 10000: D1-S1 1, D2-S1 0.4, D2-S2 0.1.
  # S1: 1000 * 1 + 2000 * 0.4 = 1800 people, R1 = 2000 / 1800 = 10/9;
  # S2: 2000 * 0.1 = 200,                    R2 = 1000 / 200 = 5.
  # A1 = 10/9; A2 = 0.4 * 10/9 + 0.1 * 5 = 4/9 + 1/2 = 17/18; A3 = 0.
  res <- accessibility_2sfca(demand3, supply2, 10000, decay = "linear")
  expect_equal(res$supply$ratio_per_1000, c(10 / 9, 5), tolerance = 1e-14)
  expect_equal(res$demand$access_per_1000, c(10 / 9, 17 / 18, 0),
               tolerance = 1e-14)

  # gaussian, g(d) = (exp(-(d/10000)^2 / 2) - exp(-1/2)) / (1 - exp(-1/2)):
  # g(0) = 1, g(6000) = (exp(-0.18) - e) / (1 - e), g(9000) = (exp(-0.405)
  # - e) / (1 - e) with e = exp(-0.5).
  e <- exp(-0.5)
  g6 <- (exp(-0.18) - e) / (1 - e)
  g9 <- (exp(-0.405) - e) / (1 - e)
  r1 <- 2000 / (1000 + 2000 * g6)
  r2 <- 1000 / (2000 * g9)
  res <- accessibility_2sfca(demand3, supply2, 10000, decay = "gaussian")
  expect_equal(res$supply$ratio_per_1000, c(r1, r2), tolerance = 1e-14)
  expect_equal(res$demand$access_per_1000, c(r1, g6 * r1 + g9 * r2, 0),
               tolerance = 1e-14)
  expect_equal(res$supply$catchment_population,
               c(1000 + 2000 * g6, 2000 * g9), tolerance = 1e-14)

  # exponential, rate 1e-4 per metre: w = exp(-0.6) at 6 km, exp(-0.9) at
  # 9 km, 1 at distance 0.
  r1 <- 2000 / (1000 + 2000 * exp(-0.6))
  r2 <- 1000 / (2000 * exp(-0.9))
  res <- accessibility_2sfca(demand3, supply2, 10000, decay = "exponential",
                             rate = 1e-4)
  expect_equal(res$demand$access_per_1000,
               c(r1, exp(-0.6) * r1 + exp(-0.9) * r2, 0), tolerance = 1e-14)
  expect_identical(res$parameters$rate, 1e-4)
})

test_that("E2SFCA on the tiny case, by hand, and its zone boundaries", {
  # zones (0, 5000] weight 1, (5000, 10000] weight 0.25: D1-S1 (0 m) 1,
  # D2-S1 (6000 m) 0.25, D2-S2 (9000 m) 0.25.
  # S1: 1000 + 2000 * 0.25 = 1500, R1 = 2000 / 1500 = 4/3;
  # S2: 2000 * 0.25 = 500,         R2 = 1000 / 500 = 2.
  # A1 = 4/3; A2 = 0.25 * 4/3 + 0.25 * 2 = 1/3 + 1/2 = 5/6; A3 = 0.
  zones <- data.frame(upper = c(5000, 10000), weight = c(1, 0.25))
  res <- accessibility_2sfca(demand3, supply2, 10000, method = "e2sfca",
                             zones = zones)
  expect_equal(res$supply$ratio_per_1000, c(4 / 3, 2), tolerance = 1e-14)
  expect_equal(res$demand$access_per_1000, c(4 / 3, 5 / 6, 0),
               tolerance = 1e-14)
  expect_identical(res$parameters$zones, zones)

  # Default zones: three of equal width (3333.3 m here) with weights 1,
  # 0.68, 0.22. D2-S1 (6000 m) is in the second zone, D2-S2 (9000 m) in
  # the third. S1: 1000 + 2000 * 0.68 = 2360; S2: 2000 * 0.22 = 440.
  res <- accessibility_2sfca(demand3, supply2, 10000, method = "e2sfca")
  r1 <- 2000 / 2360
  r2 <- 1000 / 440
  expect_equal(res$demand$access_per_1000, c(r1, 0.68 * r1 + 0.22 * r2, 0),
               tolerance = 1e-14)
  # Weights alone give zones of equal width.
  res2 <- accessibility_2sfca(demand3, supply2, 10000, method = "e2sfca",
                              zones = c(1, 0.68, 0.22))
  expect_identical(res2$demand, res$demand)

  # A zone holds its outer distance: a pair exactly 5000 m apart is in the
  # first zone (weight 1), one exactly 10000 m apart in the second (0.25),
  # one 10000.001 m apart out of reach.
  d <- data.frame(x = x0 + c(5000, 10000, 10000.001), y = y0,
                  population = c(1000, 1000, 1000))
  s <- data.frame(x = x0, y = y0, capacity = 1)
  res <- accessibility_2sfca(d, s, 10000, method = "e2sfca", zones = zones)
  # S: 1000 * 1 + 1000 * 0.25 = 1250, R = 1000 / 1250 = 0.8.
  expect_equal(res$supply$ratio_per_1000, 0.8)
  expect_equal(res$demand$access_per_1000, c(0.8, 0.2, 0))
  expect_identical(res$demand$supply_in_reach, c(1L, 1L, 0L))
})

test_that("BFCA on the tiny case, by hand", {
  # Step weights, all 1 in reach. Demand-side shares (over each demand
  # point's reach): D1 -> S1 1; D2 -> S1 1/2, S2 1/2.
  # S1: 1000 * 1 + 2000 * 1/2 = 2000 people, R1 = 1000 * 2 / 2000 = 1;
  # S2: 2000 * 1/2 = 1000 people,            R2 = 1000 * 1 / 1000 = 1.
  # Supply-side shares (over each catchment): S1 -> D1 1/2, D2 1/2;
  # S2 -> D2 1. A1 = 1/2 * 1 = 1/2; A2 = 1/2 * 1 + 1 * 1 = 3/2; A3 = 0.
  res <- accessibility_2sfca(demand3, supply2, 10000, method = "bfca")
  expect_equal(res$supply$catchment_population, c(2000, 1000))
  expect_equal(res$supply$ratio_per_1000, c(1, 1))
  expect_equal(res$demand$access_per_1000, c(1 / 2, 3 / 2, 0))
  # Nothing is inflated: the shared populations add up to the 3,000 people
  # in reach, and the accessibilities to the sum of the ratios.
  expect_equal(sum(res$supply$catchment_population), 3000)
  expect_equal(sum(res$demand$access_per_1000),
               sum(res$supply$ratio_per_1000))

  # With the linear decay (w: D1-S1 1, D2-S1 0.4, D2-S2 0.1):
  # demand-side shares D2 -> S1 0.4 / 0.5 = 0.8, S2 0.2;
  # S1: 1000 + 2000 * 0.8 = 2600, R1 = 2000 / 2600 = 10/13;
  # S2: 2000 * 0.2 = 400,         R2 = 1000 / 400 = 5/2;
  # supply-side shares S1 -> D1 1 / 1.4, D2 0.4 / 1.4; S2 -> D2 1.
  # A1 = 10/13 / 1.4; A2 = 0.4 / 1.4 * 10/13 + 5/2.
  res <- accessibility_2sfca(demand3, supply2, 10000, method = "bfca",
                             decay = "linear")
  expect_equal(res$supply$ratio_per_1000, c(10 / 13, 5 / 2),
               tolerance = 1e-14)
  expect_equal(res$demand$access_per_1000,
               c(10 / 13 / 1.4, 0.4 / 1.4 * 10 / 13 + 5 / 2, 0),
               tolerance = 1e-14)
})

test_that("supply without population in reach has ratio NA and adds nothing", {
  # S3, 100 km away, reaches nobody: catchment 0, ratio NA (1 / 0 is not a
  # ratio). S4 sits on D4, whose population is 0: catchment 0, ratio NA, and
  # D4's accessibility is 0 (S4 has no ratio to add).
  s <- rbind(supply2, data.frame(x = x0 + c(100000, 60000), y = y0,
                                 capacity = c(1, 3)))
  d <- rbind(demand3[c("x", "y", "population")],
             data.frame(x = x0 + 60000, y = y0, population = 0))
  res <- accessibility_2sfca(d, s, 10000)
  expect_equal(res$supply$ratio_per_1000, c(2 / 3, 1 / 2, NA, NA))
  expect_equal(res$supply$catchment_population, c(3000, 2000, 0, 0))
  expect_identical(res$supply$demand_in_reach, c(2L, 1L, 0L, 1L))
  expect_equal(res$demand$access_per_1000, c(2 / 3, 7 / 6, 0, 0))
  expect_identical(res$demand$supply_in_reach, c(1L, 2L, 0L, 1L))
  expect_false(anyNA(res$demand$access_per_1000))
  res <- accessibility_2sfca(d, s, 10000, method = "bfca")
  expect_equal(res$supply$ratio_per_1000[3:4], c(NA_real_, NA_real_))
  expect_equal(res$demand$access_per_1000[4], 0)
})

test_that("a pair exactly max_dist apart is in reach; empty inputs work", {
  d <- data.frame(x = x0 + c(10000, 0), y = y0 + c(0, 10000),
                  population = c(100, 300))
  s <- data.frame(x = x0, y = y0, capacity = 2)
  res <- accessibility_2sfca(d, s, 10000)
  expect_identical(res$demand$supply_in_reach, c(1L, 1L))
  expect_equal(res$demand$access_per_1000, c(5, 5))
  # linear decay: weight 0 at the edge, so the catchment has no weighted
  # population and the ratio is NA, while the pairs are counted.
  res <- accessibility_2sfca(d, s, 10000, decay = "linear")
  expect_identical(res$supply$demand_in_reach, 2L)
  expect_equal(res$supply$ratio_per_1000, NA_real_)
  expect_equal(res$demand$access_per_1000, c(0, 0))
  res <- accessibility_2sfca(d, s, 10000, decay = "linear", method = "bfca")
  expect_equal(res$demand$access_per_1000, c(0, 0))

  # A 6-8-10 triangle: exactly 10000 m, in reach; 1 micrometre further
  # north, out of reach.
  d2 <- data.frame(x = x0 + 6000, y = y0 + c(8000, 8000.000001),
                   population = 100)
  res <- accessibility_2sfca(d2, s, 10000)
  expect_identical(res$demand$supply_in_reach, c(1L, 0L))

  res <- accessibility_2sfca(d[0, ], s, 10000)
  expect_identical(nrow(res$demand), 0L)
  expect_equal(res$supply$ratio_per_1000, NA_real_)
  res <- accessibility_2sfca(d, s[0, ], 10000)
  expect_equal(res$demand$access_per_1000, c(0, 0))
  expect_identical(res$parameters$pairs, 0)
})

# ---- against the dense implementation ----------------------------------------

random_points <- function(seed) {
  set.seed(seed)
  n <- 500
  m <- 200
  sx <- runif(m, 100000, 160000)
  sy <- runif(m, 400000, 460000)
  dx <- runif(n, 100000, 160000)
  dy <- runif(n, 400000, 460000)
  # Twenty demand points on top of a practice (distance 0), and some empty.
  dx[1:20] <- sx[1:20]
  dy[1:20] <- sy[1:20]
  pop <- round(runif(n, 0, 5000))
  pop[21:30] <- 0
  list(demand = data.frame(x = dx, y = dy, population = pop),
       supply = data.frame(x = sx, y = sy,
                           capacity = round(runif(m, 0.2, 6), 1)))
}

test_that("every method and decay equals a dense implementation (500 x 200)", {
  p <- random_points(20240607)
  max_dist <- 8000
  rate <- 2e-4
  fs <- decay_functions(max_dist, rate)
  dem <- p$demand
  sup <- p$supply
  for (method in c("2sfca", "bfca")) {
    for (decay in names(fs)) {
      res <- accessibility_2sfca(
        dem, sup, max_dist, decay = decay, method = method,
        rate = if (decay == "exponential") rate
      )
      ref <- dense_fca(dem$x, dem$y, dem$population, sup$x, sup$y,
                       sup$capacity, max_dist, fs[[decay]],
                       balanced = method == "bfca")
      label <- paste(method, decay)
      expect_equal(res$demand$access_per_1000, ref$access, tolerance = 1e-10,
                   label = label)
      expect_equal(res$supply$ratio_per_1000, ref$ratio, tolerance = 1e-10,
                   label = label)
      expect_equal(res$supply$catchment_population, ref$catchment,
                   tolerance = 1e-10, label = label)
      expect_identical(res$demand$supply_in_reach, ref$supply_in_reach)
      expect_identical(res$supply$demand_in_reach, ref$demand_in_reach)
    }
  }
  # The data has what the comparison is meant to cover.
  expect_true(any(ref$supply_in_reach == 0))
  expect_true(all(ref$supply_in_reach[1:20] >= 1))

  # E2SFCA: the zone weights as a step function of the distance.
  zones <- data.frame(upper = c(2000, 5000, 8000), weight = c(1, 0.6, 0.1))
  stepped <- function(d) {
    zones$weight[findInterval(d, zones$upper, left.open = TRUE) + 1]
  }
  res <- accessibility_2sfca(dem, sup, max_dist, method = "e2sfca",
                             zones = zones)
  ref <- dense_fca(dem$x, dem$y, dem$population, sup$x, sup$y, sup$capacity,
                   max_dist, stepped)
  expect_equal(res$demand$access_per_1000, ref$access, tolerance = 1e-10)
  expect_equal(res$supply$ratio_per_1000, ref$ratio, tolerance = 1e-10)
})

test_that("a catchment far smaller than the extent (coarsened grid) is exact", {
  # 3 m catchment over a 1,000 km square: the grid would need 1e11 cells
  # of 3 m, so its cells are made larger; the pairs must not change.
  set.seed(11)
  m <- 300
  sx <- runif(m, 0, 1e6) + 1e6
  sy <- runif(m, 0, 1e6) + 1e6
  dx <- c(sx + runif(m, -3, 3), runif(200, 1e6, 2e6))
  dy <- c(sy + runif(m, -3, 3), runif(200, 1e6, 2e6))
  dem <- data.frame(x = dx, y = dy, population = rep(c(10, 20), 250))
  sup <- data.frame(x = sx, y = sy, capacity = rep(1, m))
  res <- accessibility_2sfca(dem, sup, 3)
  ref <- dense_fca(dx, dy, dem$population, sx, sy, sup$capacity, 3,
                   function(d) rep(1, length(d)))
  expect_equal(res$demand$access_per_1000, ref$access, tolerance = 1e-10)
  expect_identical(res$demand$supply_in_reach, ref$supply_in_reach)
  expect_true(sum(ref$supply_in_reach) > 100)
})

test_that("results are deterministic and do not depend on the supply order", {
  p <- random_points(3)
  a <- accessibility_2sfca(p$demand, p$supply, 8000, decay = "gaussian")
  b <- accessibility_2sfca(p$demand, p$supply, 8000, decay = "gaussian")
  expect_identical(a, b)
  o <- rev(seq_len(nrow(p$supply)))
  c <- accessibility_2sfca(p$demand, p$supply[o, ], 8000, decay = "gaussian")
  expect_equal(c$demand$access_per_1000, a$demand$access_per_1000,
               tolerance = 1e-12)
  expect_equal(c$supply$ratio_per_1000, a$supply$ratio_per_1000[o],
               tolerance = 1e-12)
})

# ---- columns, sf and coordinates ---------------------------------------------

test_that("column names are chosen by the user, for each data frame", {
  d <- data.frame(east = demand3$x, north = demand3$y,
                  inwoners = demand3$population)
  s <- data.frame(px = supply2$x, py = supply2$y, fte = supply2$capacity)
  res <- accessibility_2sfca(d, s, 10000, population = "inwoners",
                             capacity = "fte", x = c("east", "px"),
                             y = c("north", "py"))
  expect_equal(res$demand$access_per_1000, c(2 / 3, 7 / 6, 0),
               tolerance = 1e-14)
  # Integer columns are fine.
  d$inwoners <- as.integer(d$inwoners)
  res2 <- accessibility_2sfca(d, s, 10000, population = "inwoners",
                              capacity = "fte", x = c("east", "px"),
                              y = c("north", "py"))
  expect_identical(res2$demand$access_per_1000, res$demand$access_per_1000)
})

test_that("sf POINT input in RD New gives the same result; lon/lat is refused", {
  skip_if_not_installed("sf")
  d_sf <- sf::st_as_sf(demand3, coords = c("x", "y"), crs = 28992)
  s_sf <- sf::st_as_sf(supply2, coords = c("x", "y"), crs = 28992)
  res <- accessibility_2sfca(d_sf, s_sf, 10000)
  expect_s3_class(res$demand, "sf")
  expect_equal(res$demand$access_per_1000, c(2 / 3, 7 / 6, 0),
               tolerance = 1e-14)
  expect_equal(res$supply$ratio_per_1000, c(2 / 3, 1 / 2), tolerance = 1e-14)
  expect_match(res$parameters$crs, "RD New")
  # One sf, one data frame in the same coordinates.
  res2 <- accessibility_2sfca(d_sf, supply2, 10000)
  expect_equal(res2$demand$access_per_1000, res$demand$access_per_1000)

  ll <- sf::st_transform(d_sf, 4326)
  expect_true(sf::st_is_longlat(ll))
  e <- tryCatch(accessibility_2sfca(ll, supply2, 10000),
                spreiding_error = function(e) e)
  expect_s3_class(e, "spreiding_error")
  expect_identical(e$arg, "demand")
  e <- tryCatch(accessibility_2sfca(ll, sf::st_transform(s_sf, 4326), 10000),
                spreiding_error = function(e) e)
  expect_identical(e$arg, "demand")
  # `crs` is for coordinate columns only.
  e <- tryCatch(accessibility_2sfca(d_sf, supply2, 10000, crs = 28992),
                spreiding_error = function(e) e)
  expect_identical(e$arg, "crs")
  # Two different CRS.
  e <- tryCatch(accessibility_2sfca(d_sf, sf::st_transform(s_sf, 3035), 1e4),
                spreiding_error = function(e) e)
  expect_identical(e$arg, "supply")
  # Not points.
  poly <- sf::st_buffer(d_sf, 10)
  expect_error(accessibility_2sfca(poly, supply2, 10000),
               class = "spreiding_error")
})

test_that("small coordinates need a projected crs; a geographic crs is refused", {
  d <- data.frame(x = c(0, 6, 30), y = 0, population = c(1000, 2000, 500))
  s <- data.frame(x = c(0, 15), y = 0, capacity = c(2, 1))
  e <- tryCatch(accessibility_2sfca(d, s, 10), spreiding_error = function(e) e)
  expect_identical(e$arg, "demand")
  res <- accessibility_2sfca(d, s, 10, crs = 28992)
  expect_equal(res$demand$access_per_1000, c(2 / 3, 7 / 6, 0),
               tolerance = 1e-14)
  expect_match(res$parameters$crs, "RD New")
  e <- tryCatch(accessibility_2sfca(d, s, 10, crs = 4326),
                spreiding_error = function(e) e)
  expect_identical(e$arg, "crs")
  e <- tryCatch(accessibility_2sfca(d, s, 10, crs = "EPSG:4258"),
                spreiding_error = function(e) e)
  expect_identical(e$arg, "crs")
  expect_true(crs_is_geographic("GEOGCS[\"WGS 84\",DATUM[\"x\"]]"))
  expect_true(crs_is_geographic(
    "BOUNDCRS[SOURCECRS[GEOGCRS[\"x\"]],TARGETCRS[GEOGCRS[\"WGS 84\"]]]"))
  expect_false(crs_is_geographic("PROJCRS[\"Amersfoort / RD New\",BASEGEOGCRS[\"x\"]]"))
})

# ---- region_table() ----------------------------------------------------------

test_that("region_table() averages accessibility per region, population weighted", {
  # r1 holds D1 and D2: (1000 * 2/3 + 2000 * 7/6) / 3000 = 3000 / 3000 = 1;
  # r2 holds D3 only: 0. The weighted count is the population.
  res <- accessibility_2sfca(demand3, supply2, 10000)
  tab <- region_table(res$demand, "region",
                      inhabitants = count(),
                      access = mean(access_per_1000),
                      .weights = "population")
  expect_identical(tab$region, c("r1", "r2"))
  expect_equal(tab$inhabitants, c(3000, 500))
  expect_equal(tab$access, c(1, 0), tolerance = 1e-14)
})

test_that("the print method summarises the result", {
  res <- accessibility_2sfca(demand3, supply2, 10000)
  expect_snapshot(print(res))
  s <- rbind(supply2, data.frame(x = x0 + 100000, y = y0, capacity = 1))
  expect_snapshot(print(accessibility_2sfca(
    demand3, s, 10000, method = "e2sfca",
    zones = data.frame(upper = c(5000, 10000), weight = c(1, 0.25))
  )))
  expect_snapshot(print(accessibility_2sfca(
    demand3, supply2, 10000, decay = "exponential", rate = 1e-4,
    method = "bfca", crs = "EPSG:28992"
  )))
})

# ---- bad input ---------------------------------------------------------------

test_that("bad input gives classed errors naming the argument and the row", {
  bad_pop <- demand3
  bad_pop$population[2] <- -5
  na_cap <- supply2
  na_cap$capacity[2] <- NA
  na_xy <- demand3
  na_xy$y[3] <- NA
  expect_snapshot(error = TRUE, {
    accessibility_2sfca(bad_pop, supply2, 10000)
    accessibility_2sfca(demand3, na_cap, 10000)
    accessibility_2sfca(na_xy, supply2, 10000)
    accessibility_2sfca(demand3, supply2, 0)
    accessibility_2sfca(demand3, supply2, NA)
    accessibility_2sfca(demand3, supply2, c(1, 2))
    accessibility_2sfca(demand3, supply2, "20 km")
    accessibility_2sfca(demand3, supply2, 10000, decay = "triangular")
    accessibility_2sfca(demand3, supply2, 10000, method = "3sfca")
    accessibility_2sfca(demand3, supply2, 10000, decay = "exponential")
    accessibility_2sfca(demand3, supply2, 10000, decay = "exponential",
                        rate = -1)
    accessibility_2sfca(demand3, supply2, 10000, rate = 1e-4)
    accessibility_2sfca(demand3, supply2, 10000, zones = c(1, 0.5))
    accessibility_2sfca(demand3, supply2, 10000, method = "e2sfca",
                        decay = "gaussian")
    accessibility_2sfca(demand3, supply2, 10000, method = "e2sfca",
                        zones = data.frame(upper = c(5000, 9000),
                                           weight = c(1, 0.5)))
    accessibility_2sfca(demand3, supply2, 10000, method = "e2sfca",
                        zones = data.frame(upper = c(6000, 5000, 10000),
                                           weight = c(1, 0.5, 0.2)))
    accessibility_2sfca(demand3, supply2, 10000, method = "e2sfca",
                        zones = c(1, -0.5))
    accessibility_2sfca(demand3, supply2, 10000, method = "e2sfca",
                        zones = "steep")
    accessibility_2sfca(demand3, supply2, 10000, "step", "2sfca", "pop")
    accessibility_2sfca(demand3, supply2, 10000, pop = "population")
    accessibility_2sfca(demand3, supply2, 10000, population = "inwoners")
    accessibility_2sfca(demand3, supply2, 10000, capacity = c("a", "b"))
    accessibility_2sfca(demand3, supply2, 10000, x = c("x", "x", "x"))
    accessibility_2sfca(demand3, supply2, 10000, x = "east")
    accessibility_2sfca(as.list(demand3), supply2, 10000)
    accessibility_2sfca(transform(demand3, population = name), supply2, 10000)
    accessibility_2sfca(demand3, transform(supply2, x = as.character(x)),
                        10000)
    accessibility_2sfca(demand3, supply2, 10000, crs = 4326)
    accessibility_2sfca(demand3, supply2, 10000, crs = TRUE)
    accessibility_2sfca(transform(demand3, x = 5, y = 52), supply2, 10000)
  })
  e <- tryCatch(accessibility_2sfca(bad_pop, supply2, 10000),
                spreiding_error = function(e) e)
  expect_identical(e$arg, "demand")
  expect_identical(e$row, 2L)
  e <- tryCatch(accessibility_2sfca(demand3, na_cap, 10000),
                spreiding_error = function(e) e)
  expect_identical(e$arg, "supply")
  expect_identical(e$row, 2L)
  e <- tryCatch(accessibility_2sfca(demand3, supply2, -1),
                spreiding_error = function(e) e)
  expect_identical(e$arg, "max_dist")
  e <- tryCatch(accessibility_2sfca(demand3, supply2, 1e4, decay = "x"),
                spreiding_error = function(e) e)
  expect_identical(e$arg, "decay")
  e <- tryCatch(accessibility_2sfca(demand3, supply2, 1e4, method = "x"),
                spreiding_error = function(e) e)
  expect_identical(e$arg, "method")
})

test_that("the C entry checks its input again", {
  ok_d <- list(c(0, 1), c(0, 0), c(1, 1))
  ok_s <- list(0, 0, 1)
  step <- list(1L, NA_real_, double(), double())
  call_c <- function(d = ok_d, s = ok_s, r = 1, method = 1L, decay = step) {
    .Call(spreiding:::C_spr_c_access, d, s, r, method, decay)
  }
  expect_equal(call_c()$access, c(500, 500))
  expect_error(call_c(d = list(c(0, NA), c(0, 1), c(1, 1))),
               class = "spreiding_error")
  expect_error(call_c(s = list(0, 0, -1)), class = "spreiding_error")
  expect_error(call_c(r = 0), class = "spreiding_error")
  expect_error(call_c(d = list(1, 2)), class = "spreiding_internal_error")
  expect_error(call_c(method = 9L), class = "spreiding_internal_error")
  expect_error(call_c(decay = list(4L, -1, double(), double())),
               class = "spreiding_error")
  expect_error(call_c(decay = list(5L, NA_real_, c(2, 1), c(1, 1))),
               class = "spreiding_error")
  expect_error(call_c(s = list(c(-1e308, 1e308), c(0, 0), c(1, 1))),
               class = "spreiding_error")
})
