# Disclosure safety net: whatever the cohort, the table shape and the rules,
# a pipeline simulate_cohort() -> link_cohort() -> region_table() ->
# disclose() -> publish() never prints a count from 1 to 9 (CBS's rule: no
# cell of fewer than 10 persons), in any count column, on any row (totals
# included), in any publication style. 1,000 random pipelines at tiny scale
# (tens to a few hundred students each: most cells are small, which is
# where the rule bites).

safety_pipeline <- function(seed) {
  set.seed(seed)
  cohort <- sample(c("2000-2010", "2011-2024"), 1)
  sim <- simulate_cohort(cohort, scale = stats::runif(1, 0.001, 0.006),
                         seed = seed)
  linked <- link_cohort(sim$students, sim$addresses, sim$register)
  linked <- linked[!is.na(linked$pc2), ]
  linked$pc2 <- as.character(linked$pc2)
  linked$pc4 <- as.character(linked$pc4)
  shape <- sample(c("pc2", "pc2_sex", "pc4_in_pc2"), 1)
  by <- switch(shape, pc2 = "pc2", pc2_sex = c("pc2", "sex"),
               pc4_in_pc2 = c("pc4", "pc2"))
  tab <- region_table(linked, by, students = count(),
                      doctors = sum(became_doctor), gps = sum(became_gp))
  n_min <- sample(c(10, 10, 15, 20), 1)
  rules <- list(min_count(n_min, zeros = sample(c("safe", "suppress"), 1)))
  if (stats::runif(1) < 0.5) rules <- c(rules, list(secondary()))
  counts <- sample(list("students", c("students", "doctors"),
                        c("students", "doctors", "gps")), 1)[[1]]
  out <- disclose(tab, counts, rules = rules,
                  hierarchy = if (shape == "pc4_in_pc2") pc4 ~ pc2,
                  audit = FALSE)
  style <- sample(c("interval", "blank", "symbol"), 1)
  list(out = out, pub = publish(out, style = style), counts = counts,
       style = style, n_input = nrow(tab))
}

# The cells of `text` (published strings) that read as a number from 1 to 9.
small_printed <- function(text) {
  v <- suppressWarnings(as.numeric(gsub("[ ,]", "", text)))
  which(!is.na(v) & v >= 1 & v <= 9)
}

test_that("1,000 random pipelines never publish a count from 1 to 9", {
  skip_on_cran()
  problems <- character()
  cells <- hidden <- 0
  for (seed in seq_len(1000)) {
    r <- safety_pipeline(seed)
    for (col in r$counts) {
      text <- r$pub[[col]]
      bad <- small_printed(text)
      if (length(bad)) {
        problems <- c(problems, sprintf("seed %d, %s, row %d: \"%s\"", seed,
                                        col, bad[1], text[bad[1]]))
      }
      # and disclose() itself marks every cell of 1 to 9 as not publishable
      status <- as.character(r$out[[paste0(col, "_status")]])
      v <- r$out[[col]]
      open <- which(status == "ok" & v >= 1 & v <= 9)
      if (length(open)) {
        problems <- c(problems, sprintf("seed %d, %s: cell %d of value %g is ok",
                                        seed, col, open[1], v[open[1]]))
      }
      cells <- cells + length(v)
      hidden <- hidden + sum(status != "ok")
    }
  }
  expect_equal(problems, character())
  # the pipelines exercise the rule: many cells are small and hidden
  expect_gt(hidden, 1000)
  expect_gt(cells - hidden, 1000)
})

test_that("the check itself finds a small count", {
  expect_equal(small_printed(c("12", "<10", "", "x", "3", "1,234", "9.0")),
               c(5L, 7L))
})
