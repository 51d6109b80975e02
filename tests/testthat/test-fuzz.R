# A reduced run of the fuzz driver (tests/fuzz/, `make fuzz` runs the full
# one), and regression tests for what the fuzzing found.

fuzz_files <- function() {
  dir <- testthat::test_path("..", "fuzz")
  if (!file.exists(file.path(dir, "fuzz.R"))) return(NULL)
  dir
}

test_that("a reduced fuzz run gives only values and named spreiding errors", {
  dir <- fuzz_files()
  skip_if(is.null(dir), "tests/fuzz not found")
  env <- new.env(parent = globalenv())
  env$fuzz_here <- normalizePath(dir)
  sys.source(file.path(dir, "fuzz.R"), envir = env)
  res <- env$fuzz_run(calls = 600, seed = 1)
  bad <- res[res$outcome == "other", ]
  expect_equal(nrow(bad), 0, info = paste(bad$fun, bad$what, bad$message,
                                          collapse = "\n"))
  expect_equal(nrow(res), 600)
  # both outcomes occur, for most functions
  expect_gt(sum(res$outcome == "ok"), 50)
  expect_gt(sum(res$outcome == "spreiding_error"), 50)
  expect_gt(length(unique(res$fun)), 40)
  # the driver leaves the registries as it found them
  expect_false(any(grepl("^fuzz_", spreiding::statistics()$name)))
})

test_that("odd objects at the C boundary give errors, not a crash", {
  dir <- fuzz_files()
  skip_if(is.null(dir), "tests/fuzz not found")
  skip_on_cran()
  # in a child process: a crash must fail this test, not end the suite
  lib <- dirname(getNamespaceInfo("spreiding", "path"))
  out <- suppressWarnings(system2(
    file.path(R.home("bin"), "Rscript"),
    c("--vanilla", shQuote(file.path(dir, "boundary.R")), "1500", "3"),
    stdout = TRUE, stderr = TRUE,
    env = paste0("R_LIBS=", paste(c(lib, .libPaths()), collapse = .Platform$path.sep))
  ))
  expect_null(attr(out, "status"))
  expect_true(any(grepl("no crash", out)), info = paste(utils::tail(out, 20),
                                                        collapse = "\n"))
})

expect_spreiding_error <- function(expr, arg) {
  e <- tryCatch(expr, error = function(e) e)
  expect_s3_class(e, "spreiding_error")
  expect_false(inherits(e, "spreiding_internal_error"))
  expect_equal(e$arg, arg)
}

test_that("a data frame argument with an unnamed or NA-named column is a classed error", {
  persons <- data.frame(id = 1:2, x = 3:4)
  names(persons)[2] <- NA
  register <- data.frame(id = 1, type = "arts", date = as.Date("2010-01-01"))
  expect_spreiding_error(link_register(persons, register), "persons")
  names(persons)[2] <- ""
  expect_spreiding_error(link_register(persons, register), "persons")
  # "did you mean" hints skip names that are NA
  demand <- data.frame(x = 0, y = 0, population = 1)
  supply <- data.frame(x = 0, y = 0, capacity = 1)
  names(supply)[3] <- NA
  expect_spreiding_error(accessibility_2sfca(demand, supply, 10), "supply")
})

test_that("disclose() and aggregate_small() of a table without rows give empty tables", {
  cells <- data.frame(pc2 = c("10", "11"), sex = c("f", "m"),
                      students = c(25, 3))
  d0 <- disclose(cells[0, ], "students", audit = FALSE)
  expect_equal(nrow(d0), 0)
  expect_equal(nrow(publish(d0)), 0)
  pc4 <- data.frame(pc4 = c("1011", "1101"), pc2 = c("10", "11"),
                    students = c(25, 4))
  expect_equal(nrow(aggregate_small(pc4[0, ], pc4 ~ pc2,
                                    counts = "students")), 0)
})

test_that("dimension and parent columns that are not codes are classed errors", {
  cells <- data.frame(pc2 = complex(real = 1:2), students = c(25, 3))
  expect_spreiding_error(disclose(cells, "students", by = "pc2",
                                  audit = FALSE), "by")
  pc4 <- data.frame(pc4 = c("1011", "1101"), pc2 = complex(real = 1:2),
                    students = c(25, 4))
  expect_spreiding_error(aggregate_small(pc4, pc4 ~ pc2, counts = "students"),
                         "hierarchy")
})

test_that("publish() refuses a disclosed table whose status column was changed", {
  cells <- data.frame(pc2 = c("10", "11", "12"), students = c(3, 12, 25))
  out <- disclose(cells, "students", audit = FALSE)
  # without the status the hidden 3 would be printed
  broken <- out
  broken$students_status <- as.Date("2020-01-01")
  expect_spreiding_error(publish(broken), "x")
  broken$students_status <- NA
  expect_spreiding_error(publish(broken), "x")
  broken$students_status <- NULL
  expect_spreiding_error(publish(broken), "x")
})

test_that("publish() refuses a disclosed table whose rows were reordered or dropped", {
  cells <- data.frame(pc2 = c("10", "11", "12", "13"),
                      students = c(3, 12, 25, 40))
  out <- disclose(cells, "students", audit = FALSE)
  # as disclosed: 3 is primary ("<10"), 12 its complement ("<20"; 12 + 3
  # = 15 of the total 80 minus 25 and 40)
  expect_equal(publish(out)$students, c("<10", "<20", "25", "40", "80"))
  # reordered, the labels were put on the rows of 25 and 3
  expect_spreiding_error(publish(out[c(3, 1, 2, 4, 5), ]), "x")
  expect_spreiding_error(publish(out[2:5, ]), "x")
  dropped <- out[1:4, ]
  expect_spreiding_error(publish(dropped), "x")
})

test_that("audit_disclosure() checks its counts and row relations", {
  skip_if_not_installed("Rglpk")
  tab <- data.frame(area = c("a", "b", "c", "all"),
                    n = c("12", "<10", "", "30"))
  rel <- data.frame(relation = 1, total = 4, part = 1:3)
  expect_spreiding_error(audit_disclosure(tab, rel, counts = mean), "counts")
  expect_spreiding_error(audit_disclosure(tab, rel, counts = NA), "counts")
  expect_spreiding_error(audit_disclosure(tab, rel[0, ], counts = "n"),
                         "hierarchy")
  expect_spreiding_error(audit_disclosure(tab, rel[c(1, 1:3), ], counts = "n"),
                         "hierarchy")
  rel$relation <- NA
  expect_spreiding_error(audit_disclosure(tab, rel, counts = "n"), "hierarchy")
})

test_that("link_cohort() takes a key column that is a factor", {
  students <- data.frame(RINPERSOONS = factor(c("R", NA)),
                         RINPERSOON = c("000000001", "000000002"),
                         birth_date = as.Date(c("1984-03-10", "1985-11-02")),
                         sex = c("f", "m"), year = c(2002L, 2003L))
  addresses <- data.frame(RINPERSOONS = "R", RINPERSOON = "000000001",
                          start = as.Date("1984-03-10"), end = as.Date(NA),
                          postcode = "9711AB")
  register <- data.frame(RINPERSOONS = "R", RINPERSOON = "000000001",
                         type = "arts", date = as.Date("2008-09-01"))
  x <- link_cohort(students, addresses, register)
  # the second student has no key and is left out; the first is linked
  expect_equal(nrow(x), 1)
  expect_equal(x$pc4, 9711L)
  expect_true(x$became_doctor)
})

test_that("plot_rates() of a table without a known rate is a classed error", {
  skip_if_not_installed("ggplot2")
  rates <- data.frame(region = c("North", "East"), pct = c(NA_real_, NA),
                      lo = c(1, 2), hi = c(3, 4))
  expect_spreiding_error(plot_rates(rates, pct, lo, hi), "table")
})

test_that("arguments found unchecked by the fuzzer are classed errors", {
  # register_statistic(kind =) went through match.arg()
  expect_spreiding_error(register_statistic("fuzz_x", function(x) 1,
                                            kind = 1), "kind")
  expect_spreiding_error(register_statistic("fuzz_x", function(x) 1,
                                            kind = c("a", "b")), "kind")
  expect_false("fuzz_x" %in% statistics()$name)
  # link_cohort(year =, sex =) of length 0 reached `[[`
  students <- data.frame(RINPERSOONS = "R", RINPERSOON = "000000001",
                         birth_date = as.Date("1984-03-10"), sex = "f",
                         year = 2002L)
  expect_spreiding_error(link_cohort(students, students, students,
                                     year = character()), "year")
  expect_spreiding_error(link_cohort(students, students, students,
                                     sex = NULL), "sex")
})

test_that("audit_disclosure() checks `protection`", {
  skip_if_not_installed("Rglpk")
  tab <- data.frame(area = c("a", "b", "c", "all"),
                    n = c("12", "<10", "", "30"))
  rel <- data.frame(relation = 1, total = 4, part = 1:3)
  expect_spreiding_error(audit_disclosure(tab, rel, counts = "n",
                                          protection = "a"), "protection")
  expect_spreiding_error(audit_disclosure(tab, rel, counts = "n",
                                          protection = c(1, 2)), "protection")
  expect_spreiding_error(audit_disclosure(tab, rel, counts = "n",
                                          protection = -1), "protection")
})

test_that("map_regions() checks the colours of `palette`", {
  skip_if_not_installed("ggplot2")
  skip_if_not_installed("sf")
  pc2 <- read_regions(system.file("extdata", "pc2.gpkg", package = "spreiding"),
                      id = "pc2")
  tab <- data.frame(pc2 = pc2$pc2, n = seq_along(pc2$pc2))
  expect_spreiding_error(map_regions(tab, pc2, n, palette = c("a", "a")),
                         "palette")
})

test_that("the messages of the new checks are locked", {
  persons <- data.frame(id = 1:2, x = 3:4)
  names(persons)[2] <- ""
  register <- data.frame(id = 1, type = "arts", date = as.Date("2010-01-01"))
  expect_snapshot(link_register(persons, register), error = TRUE)
  cells <- data.frame(pc2 = c("10", "11", "12", "13"),
                      students = c(3, 12, 25, 40))
  out <- disclose(cells, "students", audit = FALSE)
  expect_snapshot(publish(out[c(2, 1, 3:5), ]), error = TRUE)
  out$students_status <- NULL
  expect_snapshot(publish(out), error = TRUE)
  expect_snapshot(register_statistic("fuzz_x", function(x) 1, kind = 1),
                  error = TRUE)
})
