test_that("statistics() lists the built-ins as a data frame", {
  s <- statistics()
  expect_s3_class(s, "data.frame")
  expect_named(s, c("name", "kind", "arguments", "description", "provider"))
  builtin <- c("count", "sum", "mean", "min", "max", "rate", "prop", "rate_ci",
               "share", "ratio", "pct", "diff", "share_ratio")
  expect_true(all(builtin %in% s$name))
  expect_identical(s$kind[match(c("sum", "ratio"), s$name)],
                   c("reducing", "deriving"))
  expect_identical(s$arguments[s$name == "rate_ci"], "x, level = 0.95")
  expect_identical(unique(s$provider[s$name %in% builtin]), "spreiding")
  expect_s3_class(classifiers(), "data.frame")
  expect_s3_class(disclosure_rules(), "data.frame")
})

test_that("R statistics register, run per group, and unregister", {
  register_statistic("median_t", function(x) stats::median(x, na.rm = TRUE),
                     description = "median")
  withr::defer(unregister_statistic("median_t"))
  s <- statistics()
  expect_identical(s$provider[s$name == "median_t"], "R")
  d <- data.frame(g = c(1, 1, 1, 2, 2), x = c(5, 1, 3, 10, NA))
  t <- region_table(d, "g", m = median_t(x), n = count(), .regions = c(1, 2, 3))
  expect_equal(t$m, c(3, 10, NA))
})

test_that("R statistics can take weights, parameters and several outputs", {
  register_statistic("wq", function(x, .weights, p = 0.5) {
    o <- order(x)
    cw <- cumsum(.weights[o]) / sum(.weights)
    c(x[o][which(cw >= p)[1]], sum(.weights))
  }, outputs = c("_q", "_w"))
  withr::defer(unregister_statistic("wq"))
  d <- data.frame(g = c(1, 1, 1, 2), x = c(1, 2, 3, 7), w = c(1, 1, 4, 2))
  t <- region_table(d, "g", a = wq(x, p = 0.2), .weights = "w")
  expect_equal(t$a_q, c(2, 7))
  expect_equal(t$a_w, c(6, 2))
  expect_error(region_table(d, "g", a = wq(x)), class = "spreiding_error")
})

test_that("R deriving statistics get whole group-level columns", {
  register_statistic("rescale", function(a, to = 1) a / max(a) * to,
                     kind = "deriving")
  withr::defer(unregister_statistic("rescale"))
  d <- data.frame(g = c(1, 2, 2, 3, 3, 3))
  t <- region_table(d, "g", n = count(), r = rescale(n, to = 100))
  expect_equal(t$r, c(1, 2, 3) / 3 * 100)
})

test_that("names are unique; replace = TRUE overwrites; built-ins are fixed", {
  register_statistic("dup_t", function(x) 1)
  withr::defer(unregister_statistic("dup_t"))
  expect_error(register_statistic("dup_t", function(x) 2),
               class = "spreiding_error")
  register_statistic("dup_t", function(x) 2, replace = TRUE)
  expect_equal(region_table(data.frame(g = 1, x = 1), "g", v = dup_t(x))$v, 2)
  expect_error(register_statistic("sum", function(x) 1, replace = TRUE),
               class = "spreiding_error")
  expect_error(unregister_statistic("count"), class = "spreiding_error")
  expect_false(unregister_statistic("never_registered"))
})

test_that("classifiers and disclosure rules use the same registry mechanics", {
  register_classifier("above_t", function(x, cut = 0) ifelse(x > cut, 2L, 1L),
                      levels = c("no", "yes"), description = "above a cut")
  withr::defer(unregister_classifier("above_t"))
  cl <- classifiers()
  expect_identical(cl$arguments[cl$name == "above_t"], "x, cut = 0")
  expect_identical(cl$provider[cl$name == "above_t"], "R")
  register_disclosure_rule("tiny_t", function(counts, n = 5) counts < n)
  expect_identical(disclosure_rules()$kind[disclosure_rules()$name == "tiny_t"],
                   "primary")
  expect_true(unregister_disclosure_rule("tiny_t"))
  expect_false("tiny_t" %in% disclosure_rules()$name)
})

test_that("every registered .Call routine is used, and every one used is registered", {
  routines <- names(getDLLRegisteredRoutines("spreiding")$.Call)
  expect_true(all(startsWith(routines, "spr_c_")))
  ns <- asNamespace("spreiding")
  used <- unique(unlist(lapply(ls(ns, all.names = TRUE), function(f) {
    fun <- get(f, envir = ns)
    if (!is.function(fun)) return(NULL)
    regmatches(deparse(fun), gregexpr("C_spr_c_[A-Za-z0-9_]+", deparse(fun)))
  })))
  expect_setequal(sub("^C_", "", used), routines)
})
