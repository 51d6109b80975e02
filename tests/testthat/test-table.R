# Every expected value here is worked out by hand in the test (with base R
# on the same small data), or taken from the published Mulder (2025) tables.

small <- function() {
  data.frame(
    g = c(2L, 1L, 2L, NA, 1L, 3L, 1L),
    x = c(1, 2, NA, 4, 5, 6, 3),
    k = c(3L, NA, 1L, 2L, 7L, 4L, 1L),
    y = c(TRUE, FALSE, TRUE, NA, TRUE, FALSE, NA),
    w = c(1, 2, 0.5, 1, 1, 3, 0)
  )
}

test_that("reducing statistics match hand-computed values", {
  d <- small()
  t <- region_table(d, "g",
    n = count(), sx = sum(x), sk = sum(k), mx = mean(x), lo = min(k),
    hi = max(x), r = rate(y), p = prop(y)
  )
  expect_identical(t$g, c(1L, 2L, 3L, NA))
  expect_identical(t$n, c(3L, 2L, 1L, 1L))
  # group 1: x = 2, 5, 3; k = NA, 7, 1; y = FALSE, TRUE, NA
  expect_equal(t$sx, c(2 + 5 + 3, 1, 6, 4))
  expect_identical(t$sk, c(8L, 4L, 4L, 2L))
  expect_equal(t$mx, c(10 / 3, 1, 6, 4))
  expect_identical(t$lo, c(1L, 1L, 4L, 2L))
  expect_equal(t$hi, c(5, 1, 6, 4))
  expect_equal(t$r, c(50, 100, 0, NA))
  expect_equal(t$p, c(0.5, 1, 0, NA))
})

test_that("weights are case weights in every reducing statistic", {
  d <- small()
  t <- region_table(d, "g", n = count(), sx = sum(x), mx = mean(x),
                    r = rate(y), hi = max(x), .weights = "w")
  # group 1: w = 2, 1, 0; x = 2, 5, 3; y = FALSE, TRUE, NA
  expect_equal(t$n, c(3, 1.5, 3, 1))
  expect_equal(t$sx, c(2 * 2 + 5 * 1 + 3 * 0, 1 * 1, 6 * 3, 4))
  expect_equal(t$mx, c((4 + 5) / 3, 1, 6, 4))
  expect_equal(t$r, c(100 * 1 / 3, 100, 0, NA))
  expect_equal(t$hi, c(5, 1, 6, 4)) # weight-0 row (x = 3) left out
  # a weight vector instead of a column name gives the same table
  expect_equal(region_table(d, "g", n = count(), .weights = d$w)$n, t$n)
})

test_that("rate_ci is the Wilson interval", {
  d <- data.frame(g = rep(1:2, c(40, 10)),
                  y = c(rep(c(TRUE, FALSE), c(13, 27)), rep(TRUE, 10)))
  t <- region_table(d, "g", ci = rate_ci(y), ci90 = rate_ci(y, level = 0.9))
  wilson <- function(s, n, level) {
    z <- qnorm(1 - (1 - level) / 2)
    p <- s / n
    centre <- (p + z^2 / (2 * n)) / (1 + z^2 / n)
    half <- z / (1 + z^2 / n) * sqrt(p * (1 - p) / n + z^2 / (4 * n^2))
    100 * c(centre - half, min(1, centre + half))
  }
  expect_equal(c(t$ci_lo[1], t$ci_hi[1]), wilson(13, 40, 0.95))
  expect_equal(c(t$ci90_lo[1], t$ci90_hi[1]), wilson(13, 40, 0.9))
  expect_equal(c(t$ci_lo[2], t$ci_hi[2]), wilson(10, 10, 0.95))
  # prop.test's interval without continuity correction is Wilson's
  pt <- prop.test(13, 40, correct = FALSE)$conf.int
  expect_equal(c(t$ci_lo[1], t$ci_hi[1]), 100 * as.numeric(pt))
})

test_that("deriving statistics combine earlier columns", {
  d <- small()
  t <- region_table(d, "g", n = count(), sx = sum(x),
                    sh = share(n), rt = ratio(sx, n, scale = 10),
                    pc = pct(sx, n), df = diff(sx, n), sr = share_ratio(sx, n))
  n <- c(3, 2, 1, 1)
  sx <- c(10, 1, 6, 4)
  expect_equal(t$sh, 100 * n / sum(n))
  expect_equal(t$rt, 10 * sx / n)
  expect_equal(t$pc, 100 * sx / n)
  expect_equal(t$df, sx - n)
  expect_equal(t$sr, (sx / sum(sx)) / (n / sum(n)))
})

test_that("empty groups from .regions: zero counts and sums, NA otherwise", {
  d <- small()
  regions <- data.frame(id = c(3L, 9L, 1L), inhabitants = c(600, 900, 300))
  t <- region_table(d, "g", n = count(), sx = sum(x), mx = mean(x),
                    lo = min(x), r = rate(y), ci = rate_ci(y),
                    per = ratio(inhabitants, n), .regions = regions)
  # regions in the order given, then the groups of data not among them
  expect_identical(t$g, c(3L, 9L, 1L, 2L, NA))
  expect_equal(t$inhabitants, c(600, 900, 300, NA, NA))
  expect_identical(t$n, c(1L, 0L, 3L, 2L, 1L))
  expect_equal(t$sx, c(6, 0, 10, 1, 4))
  expect_equal(t$mx, c(6, NA, 10 / 3, 1, 4))
  expect_equal(t$lo, c(6, NA, 2, 1, 4))
  expect_equal(t$r, c(0, NA, 50, 100, NA))
  expect_true(is.na(t$ci_lo[2]) && is.na(t$ci_hi[2]))
  # denominator 0: NA, never Inf or NaN
  expect_equal(t$per, c(600, NA, 100, NA, NA))
  expect_false(any(is.nan(t$per) | is.infinite(t$per)))
})

test_that("a vector of region ids works too, and ids are matched by value", {
  d <- data.frame(pc2 = c(10, 10, 12), x = 1:3)
  t <- region_table(d, "pc2", n = count(), .regions = c("12", "11", "10"))
  expect_equal(t$pc2, c(12, 11, 10))
  expect_identical(t$n, c(1L, 0L, 2L))
})

test_that("factor levels absent from data appear only through .regions", {
  d <- data.frame(f = factor(c("b", "a", "b"), levels = c("c", "b", "a")),
                  x = 1:3)
  t <- region_table(d, "f", n = count(), s = sum(x))
  expect_identical(as.character(t$f), c("b", "a")) # level order, not alphabetical
  expect_identical(levels(t$f), c("c", "b", "a"))
  expect_identical(t$s, c(4L, 2L))
  t2 <- region_table(d, "f", n = count(), .regions = levels(d$f))
  expect_identical(as.character(t2$f), c("c", "b", "a"))
  expect_identical(t2$n, c(0L, 2L, 1L))
})

test_that("groups of every key type sort as documented, NA last", {
  d <- data.frame(
    i = c(5L, -2L, NA, 5L, 100000000L),
    r = c(2.5, -1, NA, 2.5, -0),
    s = c("b", "B", NA, "b", "a"),
    l = c(TRUE, FALSE, NA, TRUE, FALSE)
  )
  expect_identical(region_table(d, "i", n = count())$i,
                   c(-2L, 5L, 100000000L, NA))
  expect_identical(region_table(d, "r", n = count())$n, c(1L, 1L, 2L, 1L))
  # C-locale byte order: upper case first
  expect_identical(region_table(d, "s", n = count())$s, c("B", "a", "b", NA))
  expect_identical(region_table(d, "l", n = count())$l, c(FALSE, TRUE, NA))
  # -0 and 0 are one group
  expect_identical(region_table(data.frame(r = c(0, -0)), "r", n = count())$n, 2L)
})

test_that("several by columns give the sorted combinations present", {
  set.seed(1)
  d <- data.frame(a = sample(c(3L, 1L, NA), 200, TRUE),
                  b = sample(c("x", "y", NA), 200, TRUE),
                  v = rnorm(200))
  t <- region_table(d, c("a", "b"), n = count(), s = sum(v))
  ref <- aggregate(v ~ a + b, transform(d, a = addNA(factor(a)), b = addNA(factor(b))),
                   function(v) c(n = length(v), s = sum(v)))
  ref <- ref[order(ref$a, ref$b), ]
  expect_identical(nrow(t), nrow(ref))
  expect_identical(t$a, as.integer(as.character(ref$a)))
  expect_identical(t$b, as.character(ref$b))
  expect_equal(t$n, unname(ref$v[, "n"]))
  expect_equal(t$s, unname(ref$v[, "s"]))
})

test_that(".regions with several by columns is crossed with the others", {
  d <- data.frame(pc2 = c(10, 10, 11), sex = c("m", "f", "f"))
  t <- region_table(d, c("pc2", "sex"), n = count(), .regions = c(11, 12, 10))
  expect_equal(t$pc2, c(11, 11, 12, 12, 10, 10))
  expect_identical(t$sex, c("f", "m", "f", "m", "f", "m"))
  expect_identical(t$n, c(1L, 0L, 0L, 0L, 1L, 1L))
})

test_that("large data with many groups agrees with tapply", {
  set.seed(42)
  n <- 2e5
  d <- data.frame(pc4 = sample(1011:9999, n, TRUE),
                  s = sample(sprintf("r%04d", 1:3000), n, TRUE),
                  z = round(runif(n) * 1e6) / 7,
                  y = sample(c(TRUE, FALSE, NA), n, TRUE))
  t <- region_table(d, "pc4", n = count(), m = mean(z), r = rate(y))
  expect_equal(t$n, as.vector(table(d$pc4)), ignore_attr = TRUE)
  expect_equal(t$m, as.vector(tapply(d$z, d$pc4, mean)))
  expect_equal(t$r, as.vector(tapply(d$y, d$pc4, function(v) 100 * mean(v, na.rm = TRUE))))
  t2 <- region_table(d, "s", n = count())
  expect_identical(t2$s, sort(unique(d$s), method = "radix"))
  t3 <- region_table(d, "z", n = count()) # doubles with many distinct values
  expect_identical(nrow(t3), length(unique(d$z)))
  expect_identical(t3$z, sort(unique(d$z)))
})

test_that("unnamed statistics are named after the call", {
  d <- small()
  t <- region_table(d, "g", count(), sum(x), rate_ci(y))
  expect_named(t, c("g", "count", "sum_x", "rate_ci_y_lo", "rate_ci_y_hi"))
})

test_that("statistic names that partially match `by` or `data` are statistics", {
  d <- small()
  t <- region_table(d, "g", a = count(), b = sum(x), d = mean(x))
  expect_named(t, c("g", "a", "b", "d"))
  expect_equal(t$b, c(10, 1, 6, 4))
})

test_that("names in calls are never looked up in the caller's environment", {
  d <- small()
  count <- function() stop("not this one")
  x <- 1:1000
  expect_identical(region_table(d, "g", n = count(), s = sum(x))$n,
                   c(3L, 2L, 1L, 1L))
  k <- 1000
  expect_equal(region_table(d, "g", n = count(), r = ratio(n, n, scale = k))$r,
               rep(1000, 4))
})

test_that("zero rows give zero groups, or the empty .regions", {
  d <- small()[0, ]
  expect_identical(nrow(region_table(d, "g", n = count())), 0L)
  t <- region_table(d, "g", n = count(), s = sum(x), .regions = 1:2)
  expect_identical(t$n, c(0L, 0L))
  expect_equal(t$s, c(0, 0))
})

test_that("round_half_away rounds halves away from zero", {
  # 7396.5 is the Mulder inhabitants-per-student case; R gives 7396
  expect_identical(round_half_away(7396.5), 7397)
  expect_identical(round_half_away(c(0.5, 1.5, 2.5, -0.5, -2.5)),
                   c(1, 2, 3, -1, -3))
  # decimals whose binary value lies just below the half
  expect_identical(round_half_away(2.675, 2), 2.68)
  expect_identical(round_half_away(1.005, 2), 1.01)
  expect_identical(round_half_away(84.55, 1), 84.6)
  expect_identical(round_half_away(-0.125, 2), -0.13)
  expect_identical(round_half_away(c(1250, 1349, -150), -2), c(1300, 1300, -200))
  expect_identical(round_half_away(c(NA, Inf, 0, 1e-20)), c(NA, Inf, 0, 0))
  expect_identical(round_half_away(c(a = 2L, b = 3L)), c(a = 2, b = 3))
  expect_identical(round_half_away(123456789012.5), 123456789013)
  # against exact decimal arithmetic on integers for many random values
  set.seed(3)
  k <- sample(-10^6:10^6, 5000)
  expect_identical(round_half_away(k / 10), sign(k) * ((abs(k) + 5) %/% 10))
  expect_identical(round_half_away(k / 100, 1), sign(k) * ((abs(k) + 5) %/% 10) / 10)
})

test_that("appendix 1 pass rates are reproduced from the shipped counts", {
  path <- shared_data_path("mulder2025", "appendix1_pc2_cohort2000_2010.csv")
  published <- utils::read.csv(path)
  t <- region_table(mulder2025_pc2, "pc2",
    students = sum(students_2000_2010),
    doctors = sum(doctors_2000_2010),
    gps = sum(gps_2000_2010),
    pct_doctor = pct(doctors, students),
    pct_gp = pct(gps, students),
    .regions = published$pc2
  )
  expect_identical(t$pc2, published$pc2)
  expect_identical(round_half_away(t$pct_doctor, 1), published$pct_doctor)
  expect_identical(round_half_away(t$pct_gp, 1), published$pct_gp)
})

test_that("appendix 2 pass rates are reproduced from the shipped counts", {
  path <- shared_data_path("mulder2025", "appendix2_pc2_cohort2011_2024.csv")
  published <- utils::read.csv(path)
  t <- region_table(mulder2025_pc2, "pc2",
    students = sum(students_2011_2024),
    doctors = sum(doctors_2011_2024),
    pct_doctor = pct(doctors, students),
    .regions = published$pc2
  )
  expect_identical(round_half_away(t$pct_doctor, 1), published$pct_doctor)
})

test_that("appendix 5 counts are appendix 1 + appendix 2 through region_table", {
  t <- region_table(mulder2025_pc2, "pc2",
    s1 = sum(students_2000_2010), s2 = sum(students_2011_2024),
    s5 = sum(students_2000_2024), d1 = sum(doctors_2000_2010),
    d2 = sum(doctors_2011_2024), d5 = sum(doctors_2000_2024),
    .regions = 10:99
  )
  expect_identical(t$s5, t$s1 + t$s2)
  expect_identical(t$d5, t$d1 + t$d2)
})

test_that("the demo runs the pipeline on shipped data only", {
  dir <- withr::local_tempdir()
  out <- utils::capture.output(res <- suppressMessages(demo(dir, scale = 0.1)))
  # every file it names is there and not empty
  expect_true(all(file.exists(res$files)))
  expect_true(all(file.size(res$files) > 0))
  expect_true(all(dirname(res$files) == dir))
  csv <- c("pc2_synthetic_published.csv", "pc2_published_tables.csv",
           "azw_labour_market.csv")
  expect_true(all(csv %in% basename(res$files)))
  if (requireNamespace("ggplot2", quietly = TRUE) &&
      requireNamespace("sf", quietly = TRUE)) {
    expect_true(all(c("map_inhabitants_per_student.png", "azw_quadrant.png")
                    %in% basename(res$files)))
  }
  # the published CSV shows no count between 1 and 9
  pub <- utils::read.csv(file.path(dir, "pc2_synthetic_published.csv"),
                         colClasses = "character")
  for (k in c("students", "doctors", "gps")) {
    n <- suppressWarnings(as.numeric(pub[[k]]))
    expect_false(any(n >= 1 & n <= 9, na.rm = TRUE))
  }
  # 28 AZW regions, each with a position
  expect_identical(nrow(res$azw), 28L)
  expect_false(anyNA(res$azw$position))
  pub <- res$published
  expect_identical(nrow(pub), 90L)
  expect_equal(pub$inh_per_student,
               mulder2025_pc2$inhabitants / mulder2025_pc2$students_2000_2024)
  # the news article: about 1 student per 200 inhabitants in the Randstad
  # (Leiden, 23) and 1 per 600-700 in the north (Stadskanaal, 95)
  per <- round_half_away(pub$inh_per_student)
  expect_lt(per[pub$pc2 == 23], 250)
  expect_gt(per[pub$pc2 == 95], 600)
  # the synthetic table has every PC2 area, then the unknown origins
  syn <- res$synthetic
  expect_identical(syn$pc2, c(mulder2025_pc2$pc2, NA))
  expect_identical(sum(syn$students), sum(res$linked$cohort == "2000-2010"))
  rep <- linkage_report(res$linked)
  expect_identical(rep$n[rep$status == "students"], nrow(res$linked))
})

test_that("round_half_away with many or very negative digits", {
  expect_identical(round_half_away(1 / 3, 20), 1 / 3)
  expect_identical(round_half_away(123456, -400), 0)
  expect_identical(round_half_away(-5e5, -6), -1e6)
})

test_that("long runs work in a fresh session (cli's C API is loaded)", {
  skip_on_cran()
  script <- tempfile(fileext = ".R")
  writeLines(c(
    "library(spreiding)",
    "set.seed(1)",
    "d <- data.frame(g = sample(1:50, 3e6, TRUE), y = sample(c(TRUE, FALSE), 3e6, TRUE))",
    "t <- region_table(d, 'g', n = count(), r = rate(y))",
    "stopifnot(identical(t$n, as.vector(table(d$g))))",
    "stopifnot(isTRUE(all.equal(t$r, as.vector(100 * tapply(d$y, d$g, mean)))))",
    "cat('ok')"
  ), script)
  out <- system2(file.path(R.home("bin"), "Rscript"), c("--vanilla", script),
                 stdout = TRUE, stderr = TRUE)
  expect_identical(tail(out, 1), "ok")
})

test_that("long loops check for interrupts, and the session carries on", {
  skip_on_cran()
  d <- data.frame(g = rep_len(c(5L, 1L, 3L), 3e7), x = 1)
  # R raises the time-limit error from R_CheckUserInterrupt(), so an error
  # here shows the C loops reach that check while they run.
  expect_error({
    setTimeLimit(elapsed = 0.05, transient = TRUE)
    region_table(d, "g", n = count(), s = sum(x), m = mean(x), r = rate(x))
  }, "time limit")
  setTimeLimit()
  expect_identical(region_table(d[1:6, ], "g", n = count())$n, c(2L, 2L, 2L))
})

test_that(".regions may be a region layer: geometry dropped, id first", {
  sq <- function(x0) {
    structure(list(list(matrix(c(x0, 0, x0 + 1, 0, x0 + 1, 1, x0, 1, x0, 0),
                               ncol = 2, byrow = TRUE))),
              class = c("XY", "MULTIPOLYGON", "sfg"))
  }
  geometry <- structure(list(sq(0), sq(1), sq(2)),
                        class = c("sfc_MULTIPOLYGON", "sfc"))
  layer <- structure(
    list(inhabitants = c(100, 200, 300), code = c(12L, 10L, 11L),
         geometry = geometry),
    class = c("sf", "data.frame"), row.names = 1:3, sf_column = "geometry",
    region_id = "code"
  )
  d <- data.frame(code = c(10L, 10L, 11L))
  t <- region_table(d, "code", n = count(), per = ratio(inhabitants, n),
                    .regions = layer)
  expect_named(t, c("code", "inhabitants", "n", "per"))
  expect_identical(t$code, c(12L, 10L, 11L))
  expect_equal(t$per, c(NA, 100, 300))
})
