# Every user-facing error is a classed `spreiding_error` naming the argument
# (and the row, where there is one); the messages are locked by snapshots.

err <- function(expr) {
  tryCatch(expr, spreiding_error = function(e) e)
}

d <- data.frame(
  pc2 = c(10L, 11L, 10L), became_doctor = c(TRUE, FALSE, TRUE),
  rating = c(1, 2, 0), region = c("a", "b", "a"), w = c(1, -1, 2)
)

test_that("bad data, by and statistics are classed errors naming the argument", {
  expect_snapshot(error = TRUE, {
    region_table(list(pc2 = 1), "pc2", n = count())
    region_table(d, "pc5", n = count())
    region_table(d, c("pc2", "pc2"), n = count())
    region_table(d, "pc2", n = sums(rating))
    region_table(d, "pc2", n = sum(ratting))
    region_table(d, "pc2", n = sum(region))
    region_table(d, "pc2", n = sum())
    region_table(d, "pc2", n = sum(rating, level = 2))
    region_table(d, "pc2", n = rate_ci(became_doctor, level = "high"))
    region_table(d, "pc2")
  })
  e <- err(region_table(d, "pc5", n = count()))
  expect_identical(e$arg, "by")
})

test_that("list and complex by columns are refused", {
  dl <- d
  dl$l <- I(list(1, 2, 3))
  dl$z <- complex(real = 1:3)
  expect_snapshot(error = TRUE, {
    region_table(dl, "l", n = count())
    region_table(dl, "z", n = count())
  })
})

test_that("weights: negative or NA is an error naming the row", {
  expect_snapshot(error = TRUE, {
    region_table(d, "pc2", n = count(), .weights = "w")
    region_table(d, "pc2", n = count(), .weights = c(1, NA, 1))
    region_table(d, "pc2", n = count(), .weights = 1:2)
  })
  e <- err(region_table(d, "pc2", n = count(), .weights = "w"))
  expect_identical(e$row, 2L)
  expect_identical(e$arg, ".weights")
})

test_that("duplicated names and forward references are errors", {
  expect_snapshot(error = TRUE, {
    region_table(d, "pc2", n = count(), n = sum(rating))
    region_table(d, "pc2", pc2 = count())
    region_table(d, "pc2", r = ratio(n, s), n = count(), s = sum(rating))
    region_table(d, "pc2", r = share(rating))
    region_table(d, "pc2", n = count(), r = ratio(n, nothing))
  })
})

test_that("a kernel error names the statistic, the column and the row", {
  expect_snapshot(error = TRUE, region_table(d, "pc2", r = rate(rating)))
  e <- err(region_table(d, "pc2", r = rate(rating)))
  expect_identical(e$row, 2L)
  expect_identical(e$arg, "rating")
})

test_that("a failing R plugin is reported, not propagated raw", {
  register_statistic("fails_t", function(x) stop("no good"))
  withr::defer(unregister_statistic("fails_t"))
  register_statistic("long_t", function(x) c(1, 2))
  withr::defer(unregister_statistic("long_t"))
  expect_snapshot(error = TRUE, {
    region_table(d, "pc2", f = fails_t(rating))
    region_table(d, "pc2", f = long_t(rating))
  })
})

test_that(".regions problems are reported", {
  expect_snapshot(error = TRUE, {
    region_table(d, "pc2", n = count(), .regions = c(10, 10, 12))
    region_table(d, "pc2", n = count(), .regions = c(10, NA))
    region_table(d, "pc2", n = count(), .regions = c("x", "y"))
    region_table(d, "pc2", n = count(), .regions = list(1, 2))
  })
})

test_that("registry misuse is reported", {
  expect_snapshot(error = TRUE, {
    register_statistic("sum", function(x) 1)
    register_statistic("bad name", function(x) 1)
    register_statistic("ok_t", "not a function")
    register_statistic("ok_t", function(x, p = "a") 1)
    unregister_statistic("rate")
  })
})

test_that("round_half_away checks its arguments", {
  expect_snapshot(error = TRUE, {
    round_half_away("1")
    round_half_away(1, 0.5)
    round_half_away(1, Inf)
  })
})
