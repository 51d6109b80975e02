# classify() and the built-in classifiers quadrant(), thresholds() and
# coverage_bands(): hand-worked cases (the arithmetic is in the comments),
# ties at the cuts, NA, R-registered classifiers, bad input, the C boundary,
# and the 28 AZW regions with real population.

err <- function(expr) tryCatch(expr, spreiding_error = function(e) e)

q_levels <- c("favourable", "mixed: popular, high outflow",
              "mixed: unpopular, low outflow", "unfavourable")

# ---- quadrant -------------------------------------------------------------------

# Six regions. x (popularity) without the missing row 6: 2 + 4 + 6 + 8 + 5 =
# 25 over 5 regions, mean 5. y (outflow), all six present: 30 + 45 + 40 +
# 20 + 27 + 0 = 162 over 6, mean 27 (row 6 counts: without it the mean would
# be 162 / 5 = 32.4 and row 1 would be low).
qd <- data.frame(
  region = c("r1", "r2", "r3", "r4", "r5", "r6"),
  x = c(2, 4, 6, 8, 5, NA),
  y = c(30, 45, 40, 20, 27, 0),
  w = c(3, 1, 1, 1, 0, NA)
)

test_that("quadrant(): mean cuts, ties go low, NA gives NA", {
  out <- classify(qd, position = quadrant(x, y))
  # r1: x 2 <= 5 low, y 30 > 27 high       -> unfavourable
  # r2: x 4 low,      y 45 high            -> unfavourable
  # r3: x 6 > 5 high, y 40 high            -> mixed: popular, high outflow
  # r4: x 8 high,     y 20 <= 27 low       -> favourable
  # r5: x 5 = cut (low), y 27 = cut (low)  -> mixed: unpopular, low outflow
  # r6: x missing                          -> NA
  expect_s3_class(out$position, "factor")
  expect_identical(levels(out$position), q_levels)
  expect_identical(as.character(out$position),
                   q_levels[c(4, 4, 2, 1, 3, NA)])
  # the standalone function gives the same factor
  expect_identical(quadrant(qd$x, qd$y), out$position)
})

test_that("quadrant(): median, numeric and weighted-mean cuts", {
  # medians: x sorted 2 4 5 6 8 -> 5; y sorted 0 20 27 30 40 45 -> (27 +
  # 30) / 2 = 28.5. Same classes as with the means: r1 y 30 > 28.5 high.
  out <- classify(qd, p = quadrant(x, y, x_cut = "median", y_cut = "median"))
  expect_identical(as.character(out$p), q_levels[c(4, 4, 2, 1, 3, NA)])

  # numbers: x_cut 4, y_cut 30.
  # r1: x 2 low, y 30 = cut low      -> mixed: unpopular, low outflow
  # r2: x 4 = cut low, y 45 high     -> unfavourable
  # r3: x 6 high, y 40 high          -> mixed: popular, high outflow
  # r4: x 8 high, y 20 low           -> favourable
  # r5: x 5 high, y 27 low           -> favourable
  out <- classify(qd, p = quadrant(x, y, x_cut = 4, y_cut = 30))
  expect_identical(as.character(out$p), q_levels[c(3, 4, 2, 1, 1, NA)])

  # weighted mean of x over the rows where x is present (r6's missing weight
  # is not used): (3*2 + 1*4 + 1*6 + 1*8 + 0*5) / (3 + 1 + 1 + 1 + 0) =
  # 24 / 6 = 4. y cut: the mean, 27.
  # r2: x 4 = cut, low; r5: x 5 > 4, high, y 27 low -> favourable.
  out <- classify(qd, p = quadrant(x, y, x_cut = "weighted_mean", weights = w))
  expect_identical(as.character(out$p), q_levels[c(4, 4, 2, 1, 1, NA)])
  expect_equal(stats::weighted.mean(qd$x, qd$w, na.rm = TRUE), 4)

  # labels of your own, in the documented order
  out <- classify(qd, p = quadrant(x, y, labels = c("A", "B", "C", "D")))
  expect_identical(levels(out$p), c("A", "B", "C", "D"))
  expect_identical(as.character(out$p), c("D", "D", "B", "A", "C", NA))
})

test_that("quadrant() cuts equal R's mean() and median() on awkward numbers", {
  # Ties are decided by exact comparison with the cut, so the cut must be
  # R's own number. With an odd count the median is one of the values: a
  # tie in every case.
  for (seed in 1:20) {
    v <- withr::with_seed(seed, round(stats::rnorm(31, 10, 3), 3) / 7)
    u <- withr::with_seed(seed + 100, stats::runif(31) / 3)
    v[c(4, 17)] <- NA
    got_mean <- quadrant(v, u)
    hx <- v > mean(v, na.rm = TRUE)
    hy <- u > mean(u)
    want <- ifelse(hx & !hy, 1L, ifelse(hx & hy, 2L, ifelse(!hx & !hy, 3L, 4L)))
    expect_identical(as.integer(got_mean), want)
    got_median <- quadrant(v, u, x_cut = "median", y_cut = "median")
    hx <- v > stats::median(v, na.rm = TRUE)
    hy <- u > stats::median(u)
    want <- ifelse(hx & !hy, 1L, ifelse(hx & hy, 2L, ifelse(!hx & !hy, 3L, 4L)))
    expect_identical(as.integer(got_median), want)
    # the median value itself is low on x
    at <- which(v == stats::median(v, na.rm = TRUE))
    expect_true(as.integer(got_median[at]) %in% c(3L, 4L))
  }
})

# ---- thresholds --------------------------------------------------------------------

test_that("thresholds(): one cut, right-closed by default, ties below", {
  x <- c(1000, 3499, 3500, 3501, NA, 5000)
  # (-Inf, 3500] and (3500, Inf): 3500 itself is in the lower class.
  got <- thresholds(x, cuts = 3500, labels = c("no shortage", "shortage"))
  expect_identical(as.character(got),
                   c("no shortage", "no shortage", "no shortage", "shortage",
                     NA, "shortage"))
  # right = FALSE: (-Inf, 3500) and [3500, Inf): 3500 is a shortage.
  got <- thresholds(x, cuts = 3500, right = FALSE)
  expect_identical(levels(got), c("< 3500", ">= 3500"))
  expect_identical(as.integer(got), c(1L, 1L, 2L, 2L, NA, 2L))
  # base::cut() agrees on both sides
  expect_identical(as.integer(thresholds(x, cuts = 3500)),
                   as.integer(cut(x, c(-Inf, 3500, Inf))))
  expect_identical(as.integer(thresholds(x, cuts = 3500, right = FALSE)),
                   as.integer(cut(x, c(-Inf, 3500, Inf), right = FALSE)))
})

test_that("thresholds(): several cuts, default interval labels", {
  x <- c(2000, 2500, 3000, 3200, 3500, 4000, -1)
  # (-Inf, 2000] (2000, 3000] (3000, 3500] (3500, Inf):
  # 2000 -> 1, 2500 -> 2, 3000 -> 2, 3200 -> 3, 3500 -> 3, 4000 -> 4, -1 -> 1
  d <- data.frame(per_fte = x)
  out <- classify(d, cls = thresholds(per_fte, cuts = c(2000, 3000, 3500)))
  expect_identical(levels(out$cls),
                   c("<= 2000", "(2000, 3000]", "(3000, 3500]", "> 3500"))
  expect_identical(as.integer(out$cls), c(1L, 2L, 2L, 3L, 3L, 4L, 1L))
  # left-closed: [2000, 3000) ... 2000 -> 2, 3000 -> 3, 3500 -> 4
  got <- thresholds(x, cuts = c(2000, 3000, 3500), right = FALSE)
  expect_identical(levels(got),
                   c("< 2000", "[2000, 3000)", "[3000, 3500)", ">= 3500"))
  expect_identical(as.integer(got), c(2L, 2L, 3L, 3L, 4L, 4L, 1L))
})

test_that("thresholds(): the HPSA rule with high need", {
  # 42 CFR 5 App. A: shortage if ratio >= 3500, or 3000 < ratio < 3500
  # with high needs. Row by row:
  #  1: 2900, need   -> 2900 > 3000? no          -> no shortage
  #  2: 3000, need   -> 3000 > 3000? no          -> no shortage
  #  3: 3001, need   -> yes                      -> shortage
  #  4: 3499, need   -> yes                      -> shortage
  #  5: 3500, no     -> 3500 >= 3500             -> shortage
  #  6: 3600, no     -> yes                      -> shortage
  #  7: 3200, no     -> 3200 >= 3500? no         -> no shortage
  #  8: 3200, NA     -> no without need, yes with: rules differ -> NA
  #  9: 3700, NA     -> shortage under both rules -> shortage
  # 10: NA, need     -> NA
  # 11: 2000, NA     -> no shortage under both    -> no shortage
  d <- data.frame(
    ratio = c(2900, 3000, 3001, 3499, 3500, 3600, 3200, 3200, 3700, NA, 2000),
    need = c(TRUE, TRUE, TRUE, TRUE, FALSE, FALSE, FALSE, NA, NA, TRUE, NA)
  )
  lab <- c("no shortage", "shortage")
  want <- lab[c(1, 1, 2, 2, 2, 2, 1, NA, 2, NA, 1)]
  out <- classify(d, hpsa = thresholds(ratio, cuts = 3500, right = FALSE,
                                       high_need = need, high_need_cuts = 3000,
                                       high_need_right = TRUE, labels = lab))
  expect_identical(as.character(out$hpsa), want)
  # high need as 0/1 works the same
  d$need01 <- as.numeric(d$need)
  out <- classify(d, hpsa = thresholds(ratio, cuts = 3500, right = FALSE,
                                       high_need = need01,
                                       high_need_cuts = 3000,
                                       high_need_right = TRUE, labels = lab))
  expect_identical(as.character(out$hpsa), want)
  # plain R: the rule as the regulation words it
  rule <- ifelse(d$ratio >= 3500 | (d$need & d$ratio > 3000), 2, 1)
  expect_identical(as.character(out$hpsa)[!is.na(rule)], lab[rule[!is.na(rule)]])
  # high_need_right defaults to right: with right = FALSE, exactly 3000
  # with need is a shortage (row 2)
  got <- thresholds(d$ratio, cuts = 3500, right = FALSE, high_need = d$need,
                    high_need_cuts = 3000, labels = lab)
  expect_identical(as.character(got)[2], "shortage")
})

# ---- coverage_bands ----------------------------------------------------------------

test_that("coverage_bands(): the Bedarfsplanung bands, boundaries regular", {
  d <- data.frame(
    fte = c(74, 75, 100, 110, 111, 50, NA, 10, 0),
    target = c(100, 100, 100, 100, 100, 0, 100, NA, 100)
  )
  # ratios: 0.74 (< 0.75 undersupplied), 0.75 (not below 0.75: regular),
  # 1.00 regular, 1.10 (not above 1.10: regular), 1.11 oversupplied,
  # target 0 -> NA, actual NA -> NA, target NA -> NA, 0 / 100 = 0 < 0.75.
  out <- classify(d, cov = coverage_bands(fte, target))
  expect_identical(levels(out$cov), c("undersupplied", "regular", "oversupplied"))
  expect_identical(as.character(out$cov),
                   c("undersupplied", "regular", "regular", "regular",
                     "oversupplied", NA, NA, NA, "undersupplied"))
})

test_that("coverage_bands(): target from inhabitants, age factor, more bands", {
  d <- data.frame(inhabitants = c(167100, 167100, 167100),
                  fte = c(75, 74.9, 80), age = c(1, 1, 1.1))
  # target 167100 / 1671 = 100 FTE; with age 1.1 it is 110.
  # 75 / 100 = 0.75 regular; 74.9 / 100 = 0.749 undersupplied;
  # 80 / 110 = 0.727 undersupplied (without the age factor: 0.8, regular).
  out <- classify(d, cov = coverage_bands(fte, target = inhabitants / 1671,
                                          age_factor = age),
                  plain = coverage_bands(fte, inhabitants / 1671))
  expect_identical(as.character(out$cov),
                   c("regular", "undersupplied", "undersupplied"))
  expect_identical(as.character(out$plain),
                   c("regular", "undersupplied", "regular"))
  # four edges: [0, 0.5) [0.5, 0.75] (0.75, 1] (1, 1.1] (1.1, Inf)
  ratio <- c(0.4, 0.5, 0.75, 0.9, 1.0, 1.05, 1.1, 1.2)
  got <- coverage_bands(ratio * 100, rep(100, 8),
                        bands = c(0.5, 0.75, 1, 1.1),
                        labels = c("a", "b", "c", "d", "e"))
  expect_identical(as.character(got), c("a", "b", "b", "c", "c", "d", "d", "e"))
  # a constant target is used for every row
  got <- classify(data.frame(fte = c(50, 100, 200)), cov = coverage_bands(fte, 100))
  expect_identical(as.character(got$cov),
                   c("undersupplied", "regular", "oversupplied"))
})

# ---- classify() ---------------------------------------------------------------------

test_that("classify() keeps the table's rows, class and attributes", {
  d <- data.frame(g = c(1, 1, 2, 3, 3, 3), fte = c(1, 2, 3, 0.5, 0.5, 1))
  tab <- region_table(d, "g", n = count(), fte = sum(fte))
  out <- classify(tab, size = thresholds(n, cuts = 1))
  expect_identical(attr(out, "spreiding"), attr(tab, "spreiding"))
  expect_identical(class(out), class(tab))
  expect_identical(out[names(tab)], tab[names(tab)])
  # n = 2, 1, 3: (-Inf, 1] (1, Inf)
  expect_identical(as.character(out$size), c("> 1", "<= 1", "> 1"))
  expect_identical(names(out), c(names(tab), "size"))
})

test_that("classify(): names, order, strings, expressions and replacement", {
  d <- data.frame(a = c(1, 2, 3, 4), b = c(4, 3, 2, 1), t = c(9, 9, 9, 9))
  # default names: function and bare column names
  out <- classify(d, quadrant(a, b), thresholds(a, cuts = 2))
  expect_identical(names(out), c("a", "b", "t", "quadrant_a_b", "thresholds_a"))
  # strings name columns; spreiding:: prefixes are allowed
  out2 <- classify(d, q = spreiding::quadrant("a", "b"))
  expect_identical(out2$q, out$quadrant_a_b)
  # a classifier named t, ta, ... is not taken for `table`
  out3 <- classify(d, t = thresholds(a, cuts = 2))
  expect_identical(as.character(out3$t), c("<= 2", "<= 2", "> 2", "> 2"))
  out3 <- classify(table = d, tab = thresholds(a, cuts = 2))
  expect_identical(out3$tab, thresholds(d$a, cuts = 2))
  # later calls see earlier results; variables come from the caller
  cut_at <- 2.5
  out4 <- classify(d,
    hi = thresholds(a, cuts = cut_at, labels = c("lo", "hi")),
    both = thresholds(b, cuts = 3.5, high_need = hi == "hi",
                      high_need_cuts = 1.5)
  )
  # a = 1 2 3 4 -> lo lo hi hi; b = 4 3 2 1: rows 1, 2 cut 3.5 (4 > 3.5
  # high, 3 low), rows 3, 4 cut 1.5 (2 high, 1 low)
  expect_identical(as.character(out4$both), c("> 3.5", "<= 3.5", "> 3.5", "<= 3.5"))
  # a column of the same name is replaced
  out5 <- classify(d, a = thresholds(b, cuts = 2))
  expect_identical(names(out5), names(d))
  expect_identical(as.character(out5$a), c("> 2", "> 2", "<= 2", "<= 2"))
  # zero rows
  out6 <- classify(d[0, ], q = quadrant(a, b))
  expect_identical(nrow(out6), 0L)
  expect_identical(levels(out6$q), q_levels)
})

test_that("classifiers() lists the built-ins with their R signatures", {
  cl <- classifiers()
  expect_named(cl, c("name", "kind", "arguments", "description", "provider"))
  builtin <- cl[cl$name %in% c("quadrant", "thresholds", "coverage_bands"), ]
  expect_identical(nrow(builtin), 3L)
  expect_identical(unique(builtin$kind), "classifier")
  expect_identical(unique(builtin$provider), "spreiding")
  expect_match(builtin$arguments[builtin$name == "quadrant"],
               "^x, y, x_cut = \"mean\", y_cut = \"mean\", weights = NULL")
  expect_match(builtin$arguments[builtin$name == "coverage_bands"],
               "bands = c(0.75, 1.1)", fixed = TRUE)
  expect_error(unregister_classifier("quadrant"), class = "spreiding_error")
  expect_error(register_classifier("thresholds", function(x) 1L, levels = "a",
                                   replace = TRUE),
               class = "spreiding_error")
})

test_that("classifiers registered from R run in classify()", {
  register_classifier("sign3", function(x, tol = 0) {
    ifelse(x < -tol, "negative", ifelse(x > tol, "positive", "zero"))
  }, levels = c("negative", "zero", "positive"))
  withr::defer(unregister_classifier("sign3"))
  register_classifier("half", function(a, b) ifelse(a > b / 2, 2L, 1L),
                      levels = c("at most half", "over half"))
  withr::defer(unregister_classifier("half"))
  d <- data.frame(v = c(-2, -0.5, 0, 0.5, 2, NA), n = c(1, 2, 3, 4, 5, 6))
  out <- classify(d, s = sign3(v), s1 = sign3(v, tol = 1), h = half(n, 6))
  # tol 0: -2 -0.5 negative, 0 zero, 0.5 2 positive, NA -> NA
  expect_identical(as.character(out$s),
                   c("negative", "negative", "zero", "positive", "positive", NA))
  # tol 1: only |v| > 1 leaves zero
  expect_identical(as.character(out$s1),
                   c("negative", "zero", "zero", "zero", "positive", NA))
  # n > 6 / 2 = 3: rows 4, 5, 6
  expect_identical(as.character(out$h), rep(c("at most half", "over half"), each = 3))
  expect_identical(levels(out$h), c("at most half", "over half"))

  register_classifier("broken", function(x) x + 10, levels = c("a", "b"))
  withr::defer(unregister_classifier("broken"))
  e <- err(classify(d, b = broken(n)))
  expect_s3_class(e, "spreiding_error")
  expect_match(conditionMessage(e), "class codes 1 to 2")
  register_classifier("wrong_label", function(x) rep("c", length(x)),
                      levels = c("a", "b"))
  withr::defer(unregister_classifier("wrong_label"))
  expect_error(classify(d, b = wrong_label(n)), class = "spreiding_error")
})

# ---- bad input --------------------------------------------------------------------

bad <- data.frame(
  a = c(1, 2, 3), b = c(3, 2, 1), name = c("x", "y", "z"),
  fte = c(1, 2, 3), target = c(2, -1, 3), w = c(1, 1, 1),
  need = c(0, 2, 1), f = factor(c("p", "q", "p"))
)

test_that("bad classifier calls are classed errors naming the argument", {
  expect_snapshot(error = TRUE, {
    classify(bad, k = thresholds(a, cuts = c(3500, 3000)))
    classify(bad, k = thresholds(a, cuts = c(3000, 3000)))
    classify(bad, k = thresholds(a, cuts = 3500, labels = c("a", "b", "c")))
    classify(bad, k = coverage_bands(fte, target))
    classify(bad, k = coverage_bands(fte, fte, labels = c("under", "over")))
    classify(bad, k = coverage_bands(fte, fte, bands = c(1.1, 0.75)))
    classify(bad, k = coverage_bands(fte, fte, age_factor = 0))
    classify(bad, k = quadrant(a, b, x_cut = "average"))
    classify(bad, k = quadrant(a, b, y_cut = c(1, 2)))
    classify(bad, k = quadrant(a, b, y_cut = "weighted_mean"))
    classify(bad, k = quadrant(a, b, weights = w))
    classify(bad, k = quadrant(a, b, labels = c("good", "bad")))
    classify(bad, k = quadrnt(a, b))
    classify(bad, k = quadrant(a, name))
    classify(bad, k = quadrant(a, f))
    classify(bad, k = quadrant(a, bb))
    classify(bad, k = quadrant(a))
    classify(bad, k = quadrant(a, b, z = 1))
    classify(bad, k = thresholds(a))
    classify(bad, k = thresholds(a, cuts = 2, high_need = need,
                                 high_need_cuts = 1))
    classify(bad, k = thresholds(a, cuts = 2, high_need = w))
    classify(bad, k = thresholds(a, cuts = 2, high_need_cuts = 1))
    classify(bad, k = thresholds(a, cuts = 2, right = NA))
    classify(bad, k = quadrant(a, b), k = quadrant(b, a))
    classify(bad, k = a > 1)
    classify(bad)
    classify(list(a = 1), k = quadrant(a, a))
  })
})

test_that("errors carry the argument and row", {
  e <- err(classify(bad, k = thresholds(a, cuts = c(3500, 3000))))
  expect_identical(e$arg, "cuts")
  e <- err(classify(bad, k = thresholds(a, cuts = 1, labels = "x")))
  expect_identical(e$arg, "labels")
  e <- err(classify(bad, k = coverage_bands(fte, target)))
  expect_identical(e$arg, "target")
  expect_identical(e$row, 2L)
  e <- err(classify(bad, k = quadrant(a, b, x_cut = "avg")))
  expect_identical(e$arg, "x_cut")
  e <- err(classify(bad, k = quadrnt(a, b)))
  expect_identical(e$arg, "...")
  e <- err(classify(bad, k = quadrant(a, name)))
  expect_identical(e$arg, "y")
  e <- err(classify(bad, k = quadrant(a, b, y_cut = "weighted_mean")))
  expect_identical(e$arg, "weights")
  e <- err(classify(bad, k = thresholds(a, cuts = 2, high_need = need,
                                        high_need_cuts = 1)))
  expect_identical(e$arg, "high_need")
  expect_identical(e$row, 2L)
  # the same checks without classify()
  e <- err(quadrant(1:3, 1:2))
  expect_identical(e$arg, "y")
  e <- err(thresholds("a", cuts = 1))
  expect_identical(e$arg, "x")
  e <- err(coverage_bands(c(1, -2), c(1, 1)))
  expect_identical(e$arg, "actual")
  expect_identical(e$row, 2L)
  e <- err(quadrant(c(1, 2), c(1, 2), x_cut = "weighted_mean",
                    weights = c(-1, 1)))
  expect_identical(e$arg, "weights")
  expect_identical(e$row, 1L)
  e <- err(quadrant(c(1, 2), c(1, 2), x_cut = "weighted_mean",
                    weights = c(0, 0)))
  expect_identical(e$arg, "weights")
})

test_that("the kernels check their input again at the C boundary", {
  run <- function(name, args, params, nlevels) {
    entry <- spreiding:::registry_entry("classifiers", name)
    .Call(spreiding:::C_spr_c_classify, entry$impl, length(args[[1]]), args,
          params, nlevels, name, entry$arguments)
  }
  # thresholds: k = 2, right, high_need_right, cuts 3 2 (decreasing)
  e <- err(run("thresholds", list(c(1, 2), c(0, 0)), c(2, 1, 1, 3, 2, 3, 2), 3L))
  expect_s3_class(e, "spreiding_error")
  expect_match(conditionMessage(e), "strictly increasing")
  # coverage: a negative target in row 2
  e <- err(run("coverage_bands", list(c(1, 1), c(1, -1), c(1, 1)), c(0.75, 1.1), 3L))
  expect_identical(e$arg, "target")
  expect_identical(e$row, 2L)
  # quadrant: an unknown rule code, and a negative weight
  e <- err(run("quadrant", list(1, 1, 1), c(7, NA, 1, NA), 4L))
  expect_match(conditionMessage(e), "unknown cut rule")
  e <- err(run("quadrant", list(c(1, 2), c(1, 2), c(1, -1)), c(3, NA, 1, NA), 4L))
  expect_identical(e$arg, "weights")
  expect_identical(e$row, 2L)
  # high_need must be 0/1
  e <- err(run("thresholds", list(c(1, 2), c(0, 3)), c(1, 1, 1, 1.5, 1.5), 2L))
  expect_identical(e$arg, "high_need")
  expect_identical(e$row, 2L)
  # valid packed input classifies
  expect_identical(run("thresholds", list(c(1, 2), c(0, 1)), c(1, 1, 1, 1.5, 0.5), 2L),
                   c(1L, 2L))
})

# ---- real data: the 28 AZW regions -------------------------------------------------

test_that("every classifier on the 28 AZW regions with a synthetic GP capacity", {
  pc4 <- utils::read.csv(shared_data_path("nl", "pc4_to_azw2023.csv"))
  # One row (PC4 5028) has neither a region nor a population: leave it out.
  expect_true(all(is.na(pc4$inwoners[!nzchar(pc4$azw_code)])))
  pc4 <- pc4[nzchar(pc4$azw_code), ]
  ages <- utils::read.csv(shared_data_path("nl", "pc4_population_by_age_2021.csv"))
  # Population per AZW region through the PC4 -> AZW crosswalk, and the
  # number aged 65 or over from the PC4 age table.
  ages$old <- ages$leeftijd %in% c("65-69", "70-74", "75-79", "80-84",
                                   "85-89", "90-94", "95+")
  ages$azw <- pc4$azw_code[match(ages$postcode, pc4$postcode)]
  ages$old_n <- ifelse(ages$old, ages$inwoners, 0)
  old <- region_table(ages[!is.na(ages$azw), ], "azw", aged = sum(inwoners),
                      old = sum(old_n))
  regions <- region_table(pc4, "azw_code", inhabitants = sum(inwoners))
  expect_identical(nrow(regions), 28L)
  expect_equal(sum(regions$inhabitants), 17472870)
  expect_equal(regions$inhabitants,
               as.numeric(tapply(pc4$inwoners, pc4$azw_code, sum,
                                 na.rm = TRUE)[regions$azw_code]))
  regions$old_share <- old$old[match(regions$azw_code, old$azw)] /
    old$aged[match(regions$azw_code, old$azw)]
  expect_false(anyNA(regions$old_share))

  # Synthetic capacity: FTE around inhabitants / 2,300, preference and
  # outflow percentages, all with a fixed seed.
  withr::with_seed(20251103, {
    regions$fte <- round(regions$inhabitants / 2300 * stats::runif(28, 0.6, 1.5), 1)
    regions$pref_pct <- round(stats::runif(28, 1, 17), 1)
    regions$outflow_pct <- round(stats::runif(28, 15, 35), 1)
  })
  national_old <- sum(old$old) / sum(old$aged)
  regions$age_factor <- 0.8 + 0.2 * regions$old_share / national_old
  regions$high_need <- regions$old_share > stats::quantile(regions$old_share, 0.75)

  out <- classify(regions,
    position = quadrant(pref_pct, outflow_pct),
    position_w = quadrant(pref_pct, outflow_pct, x_cut = "median",
                          y_cut = "weighted_mean", weights = fte),
    hpsa = thresholds(inhabitants / fte, cuts = 3500, right = FALSE,
                      high_need = high_need, high_need_cuts = 3000,
                      high_need_right = TRUE,
                      labels = c("no shortage", "shortage")),
    per_fte = thresholds(inhabitants / fte, cuts = c(2000, 2500, 3000, 3500)),
    coverage = coverage_bands(fte, target = inhabitants / 2300,
                              age_factor = age_factor)
  )
  expect_identical(nrow(out), 28L)
  expect_identical(out$azw_code, regions$azw_code)

  # The same classes in plain R.
  quad <- function(hx, hy) {
    q_levels[ifelse(hx & !hy, 1, ifelse(hx & hy, 2, ifelse(!hx & !hy, 3, 4)))]
  }
  want <- quad(regions$pref_pct > mean(regions$pref_pct),
               regions$outflow_pct > mean(regions$outflow_pct))
  expect_identical(as.character(out$position), want)
  expect_gte(length(unique(want)), 3)
  want <- quad(regions$pref_pct > stats::median(regions$pref_pct),
               regions$outflow_pct > sum(regions$outflow_pct * regions$fte) /
                 sum(regions$fte))
  expect_identical(as.character(out$position_w), want)

  ratio <- regions$inhabitants / regions$fte
  want <- ifelse(ratio >= 3500 | (regions$high_need & ratio > 3000),
                 "shortage", "no shortage")
  expect_identical(as.character(out$hpsa), want)
  expect_identical(sort(unique(want)), c("no shortage", "shortage"))
  expect_identical(as.integer(out$per_fte),
                   as.integer(cut(ratio, c(-Inf, 2000, 2500, 3000, 3500, Inf))))

  grad <- regions$fte / (regions$inhabitants / 2300 * regions$age_factor)
  want <- ifelse(grad < 0.75, "undersupplied",
                 ifelse(grad > 1.10, "oversupplied", "regular"))
  expect_identical(as.character(out$coverage), want)
  expect_identical(sort(unique(want)),
                   c("oversupplied", "regular", "undersupplied"))
})
