# Multi-answer survey questions: expand_answers(), the respondent statistics
# of region_table() (n_respondents, pct_respondents) and simulate_survey().
# Expected values are worked out by hand in the comments, computed with
# plain base R on the same data, or the figures published in the Nivel
# factsheet (Vis et al., 2020).

err <- function(expr) tryCatch(expr, spreiding_error = function(e) e)

# Four alumni: one region, two, three, and none (does not work as a GP).
alumni <- function() {
  d <- data.frame(id = c("a1", "a2", "a3", "a4"),
                  university = c("UMCU", "UMCG", "UMCU", "LUMC"),
                  stringsAsFactors = FALSE)
  d$regions <- list("A", c("A", "B"), c("A", "B", "C"), character(0))
  d
}

# expand_answers ------------------------------------------------------------

test_that("one row per respondent and answer, weight 1/k, none kept at 0", {
  long <- expand_answers(alumni(), "id", "regions")
  expect_s3_class(long, "data.frame")
  expect_named(long, c("id", "university", "regions", "weight"))
  expect_identical(long$id, c("a1", "a2", "a2", "a3", "a3", "a3", "a4"))
  expect_identical(long$university,
                   c("UMCU", "UMCG", "UMCG", "UMCU", "UMCU", "UMCU", "LUMC"))
  expect_identical(long$regions, c("A", "A", "B", "A", "B", "C", NA))
  expect_equal(long$weight, c(1, 1 / 2, 1 / 2, 1 / 3, 1 / 3, 1 / 3, 0))
  expect_identical(rownames(long), as.character(1:7))
  # every respondent with an answer sums to 1
  expect_equal(as.vector(tapply(long$weight, long$id, sum)), c(1, 1, 1, 0))
})

test_that("fractional shares by hand: 1, 2 and 3 regions, sums to 100", {
  long <- expand_answers(alumni(), "id", "regions")
  tab <- region_table(long, "regions",
    alumni = sum(weight), alumni_share = share(alumni),
    .regions = c("A", "B", "C", "D")
  )
  expect_identical(tab$regions, c("A", "B", "C", "D", NA))
  # A: a1 counts 1, a2 1/2, a3 1/3 -> 11/6; B: 1/2 + 1/3 = 5/6; C: 1/3;
  # D nobody; the NA row (a4, no region) 0. Respondents who work: 3.
  expect_equal(tab$alumni, c(11 / 6, 5 / 6, 1 / 3, 0, 0))
  expect_equal(tab$alumni_share, 100 * c(11, 5, 2, 0, 0) / 18)
  expect_equal(sum(tab$alumni_share[1:4]), 100)
})

test_that("pct_respondents counts respondents without an answer too", {
  long <- expand_answers(alumni(), "id", "regions")
  tab <- region_table(long, "regions",
    n = n_respondents(id), pct = pct_respondents(id),
    .regions = c("A", "B", "C", "D")
  )
  # A is named by a1, a2, a3; B by a2, a3; C by a3; D by nobody; a4 gave
  # no answer. All 4 respondents are the denominator.
  expect_identical(tab$n, c(3L, 2L, 1L, 0L, 1L))
  expect_equal(tab$pct, c(75, 50, 25, 0, 25))
  expect_equal(sum(tab$pct), 175)
  expect_gt(sum(tab$pct[1:4]), 100)
})

test_that("the Nivel ratio: alumni share over FTE share, by hand", {
  long <- expand_answers(alumni(), "id", "regions")
  capacity <- data.frame(region = c("A", "B", "C", "D"),
                         fte = c(50, 30, 20, 100))
  tab <- region_table(long, "regions",
    alumni = sum(weight),
    alumni_share = share(alumni),
    fte_share = share(fte),
    ratio = share_ratio(alumni, fte),
    ratio_of_shares = ratio(alumni_share, fte_share),
    .regions = capacity
  )
  # alumni shares 11/18, 5/18, 2/18, 0; FTE shares 50/200, 30/200, 20/200,
  # 100/200. A: (11/18) / (1/4) = 22/9; B: (5/18) / (3/20) = 50/27;
  # C: (1/9) / (1/10) = 10/9; D: 0. The NA row has no FTE: NA.
  expect_equal(tab$fte_share[1:4], c(25, 15, 10, 50))
  expect_equal(tab$ratio, c(22 / 9, 50 / 27, 10 / 9, 0, NA))
  expect_equal(tab$ratio_of_shares, tab$ratio)
})

test_that("separated strings: sep, blanks, repeats, none, NA and empty", {
  d <- data.frame(
    id = 1:6,
    pref = c("Utrecht ; Drenthe", "Zeeland", "geen voorkeur", NA, "",
             "Utrecht;Utrecht; ;geen voorkeur;Flevoland"),
    stringsAsFactors = FALSE
  )
  long <- expand_answers(d, "id", "pref", sep = ";", none = "geen voorkeur")
  expect_identical(long$id, c(1L, 1L, 2L, 3L, 4L, 5L, 6L, 6L))
  expect_identical(long$pref, c("Utrecht", "Drenthe", "Zeeland", NA, NA, NA,
                                "Utrecht", "Flevoland"))
  expect_equal(long$weight, c(1 / 2, 1 / 2, 1, 0, 0, 0, 1 / 2, 1 / 2))

  # without `none`, "geen voorkeur" is an answer of its own
  long2 <- expand_answers(d[3, ], "id", "pref", sep = ";")
  expect_identical(long2$pref, "geen voorkeur")
  expect_equal(long2$weight, 1)

  # a factor column is read as its labels
  f <- d
  f$pref <- factor(f$pref)
  expect_identical(expand_answers(f, "id", "pref", sep = ";",
                                  none = "geen voorkeur"), long)
})

test_that("list columns of numbers and factors; other columns kept as they are", {
  d <- data.frame(id = c(10, 20, 30))
  d$codes <- list(c(3L, 1L, NA), NULL, 2L)
  d$other <- list("x", c("y", "z"), NULL)
  long <- expand_answers(d, "id", "codes", weight = "w")
  expect_named(long, c("id", "codes", "other", "w"))
  expect_identical(long$codes, c(3L, 1L, NA, 2L))
  expect_identical(long$id, c(10, 10, 20, 30))
  expect_identical(long$other, list("x", "x", c("y", "z"), NULL))
  expect_equal(long$w, c(1 / 2, 1 / 2, 0, 1))

  g <- data.frame(id = 1:2)
  g$codes <- list(factor(c("b", "a")), factor("b", levels = c("a", "b")))
  expect_identical(expand_answers(g, "id", "codes")$codes, c("b", "a", "b"))

  # a single-answer character column without separators needs no `sep`
  s <- data.frame(id = 1:3, region = c("Utrecht", NA, "Twente"))
  long <- expand_answers(s, "id", "region")
  expect_identical(long$region, c("Utrecht", NA, "Twente"))
  expect_equal(long$weight, c(1, 0, 1))

  # zero respondents
  z <- expand_answers(alumni()[0, ], "id", "regions")
  expect_identical(nrow(z), 0L)
  expect_named(z, c("id", "university", "regions", "weight"))
})

# Respondent statistics -------------------------------------------------------

test_that("respondent statistics agree with base R on random data", {
  set.seed(11)
  n <- 30000
  d <- data.frame(
    g = sample(c(letters[1:12], NA), n, replace = TRUE),
    id = sprintf("r%05d", sample.int(9000, n, replace = TRUE)),
    stringsAsFactors = FALSE
  )
  d$id[sample.int(n, 50)] <- NA
  tab <- region_table(d, "g", n = n_respondents(id), pct = pct_respondents(id))
  ok <- !is.na(d$id)
  key <- ifelse(is.na(d$g), "<NA>", d$g)
  distinct <- tapply(d$id[ok], key[ok], function(x) length(unique(x)))
  total <- length(unique(d$id[ok]))
  tab_key <- ifelse(is.na(tab$g), "<NA>", tab$g)
  expect_identical(tab$n, as.integer(distinct[tab_key]))
  expect_equal(tab$pct, 100 * as.numeric(distinct[tab_key]) / total)
})

test_that("identifiers of every type, and the same column as key and number", {
  d <- data.frame(g = c(1, 1, 2, 2, 2), id = c(7, 7, 7, 8, 9))
  # group 1: respondent 7 (twice) -> 1; group 2: 7, 8, 9 -> 3; 3 in all.
  tab <- region_table(d, "g", n = n_respondents(id), s = sum(id),
                      pct = pct_respondents(id))
  expect_identical(tab$n, c(1L, 3L))
  expect_equal(tab$s, c(14, 24))
  expect_equal(tab$pct, c(100 / 3, 100))
  for (conv in list(as.integer, as.character, factor, function(x) x == 7)) {
    e <- d
    e$id <- conv(d$id)
    t2 <- region_table(e, "g", n = n_respondents(id))
    distinct <- tapply(e$id, e$g, function(x) length(unique(x)))
    expect_identical(t2$n, as.integer(distinct))
  }
})

test_that("design weights count once per respondent; differing weights are refused", {
  long <- expand_answers(alumni(), "id", "regions")
  long$design <- unname(c(a1 = 2, a2 = 1, a3 = 0.5, a4 = 4)[long$id])
  tab <- region_table(long, "regions", n = n_respondents(id),
                      pct = pct_respondents(id), .weights = "design")
  # A: 2 + 1 + 0.5 = 3.5; B: 1 + 0.5; C: 0.5; NA: 4; total 7.5
  expect_equal(tab$n, c(3.5, 1.5, 0.5, 4))
  expect_equal(tab$pct, 100 * c(3.5, 1.5, 0.5, 4) / 7.5)
  # a weight that differs between the rows of respondent a2 (rows 2, 3)
  long$design[3] <- 1.5
  expect_snapshot(error = TRUE, {
    region_table(long, "regions", pct = pct_respondents(id),
                 .weights = "design")
  })
  e <- err(region_table(long, "regions", pct = pct_respondents(id),
                        .weights = "design"))
  expect_identical(e$row, 3L)
  expect_identical(e$arg, "id")
})

test_that("empty data: zero respondents, and NA percentages", {
  long <- expand_answers(alumni(), "id", "regions")[0, ]
  tab <- region_table(long, "regions", n = n_respondents(id),
                      pct = pct_respondents(id), .regions = c("A", "B"))
  expect_identical(tab$n, c(0L, 0L))
  expect_identical(tab$pct, c(NA_real_, NA_real_))
})

test_that("the respondent statistics are listed as built-ins", {
  s <- statistics()
  row <- s[s$name %in% c("n_respondents", "pct_respondents"), ]
  expect_identical(row$kind, c("reducing", "reducing"))
  expect_identical(row$arguments, c("id", "id"))
  expect_identical(unique(row$provider), "spreiding")
})

# simulate_survey --------------------------------------------------------------

sv <- simulate_survey(seed = 2019)

test_that("the synthetic survey has the documented shape", {
  expect_named(sv, c("respondents", "regions"))
  r <- sv$respondents
  expect_s3_class(r, "data.frame")
  expect_named(r, c("id", "university", "work_regions", "preferred_regions"))
  expect_identical(nrow(r), 1104L)
  expect_identical(r$id, 1:1104)
  expect_setequal(unique(r$university),
                  c("AMC", "VUmc", "LUMC", "Erasmus MC", "UMC Utrecht",
                    "Radboudumc", "UMCG", "Maastricht UMC+"))
  expect_type(r$work_regions, "list")
  expect_type(r$preferred_regions, "list")
  codes <- sv$regions$region
  for (col in c("work_regions", "preferred_regions")) {
    x <- r[[col]]
    expect_true(all(vapply(x, is.character, logical(1))))
    expect_true(all(unlist(x) %in% codes))
    # distinct, in code order
    expect_true(all(vapply(x, function(v) !is.unsorted(v, strictly = TRUE),
                           logical(1))))
  }
  expect_true(all(lengths(r$work_regions) >= 1))
  # several work regions are common (most alumni are locums)
  expect_gt(mean(lengths(r$work_regions) > 1), 0.25)
  expect_equal(mean(lengths(r$work_regions)), 1.6, tolerance = 1e-3)

  g <- sv$regions
  expect_named(g, c("region", "name", "inhabitants", "gp_fte", "outflow_pct"))
  expect_identical(nrow(g), 28L)
  expect_type(g$inhabitants, "integer")
  # the population per AZW region adds up to the CBS total of pc4_population
  expect_identical(sum(g$inhabitants), sum(pc4_population$inhabitants))
  expect_true(all(g$gp_fte > 0 & g$outflow_pct > 0 & g$outflow_pct < 100))
})

test_that("regions are the 28 AZW regions of the shipped layer", {
  azw <- read_regions(system.file("extdata", "azw.gpkg", package = "spreiding"),
                      id = "statcode")
  expect_identical(sv$regions$region, sort(azw$statcode))
  expect_identical(sv$regions$name,
                   azw$statnaam[match(sv$regions$region, azw$statcode)])
})

test_that("inhabitants are the CBS PC4 population summed per AZW region", {
  path <- shared_data_path("nl", "pc4_to_azw2023.csv")
  x <- utils::read.csv(path, stringsAsFactors = FALSE)
  # three PC4 polygons have no population; CBS publishes none for them
  per <- tapply(x$inwoners, x$azw_code, sum, na.rm = TRUE)
  expect_identical(sv$regions$inhabitants,
                   as.integer(per[sv$regions$region]))
})

# the factsheet's percentages of respondents preferring a region
published <- c(RA0512 = 16.3, RA0410 = 2.4, RA0102 = 7.6)
top_four <- c("RA0309", "RA0919", "RA0616", "RA0717")

preference_table <- function(sv) {
  pref <- expand_answers(sv$respondents, "id", "preferred_regions")
  region_table(pref, "preferred_regions", pct = pct_respondents(id),
               .regions = sv$regions["region"])
}

test_that("n = 1104 reproduces the published preference percentages", {
  tab <- preference_table(sv)
  pct <- stats::setNames(round_half_away(tab$pct, 1), tab$preferred_regions)
  expect_identical(unname(pct[names(published)]), unname(published))
  expect_identical(unname(round_half_away(tab$pct[is.na(tab$preferred_regions)], 1)), 1.6)
  # Utrecht first; then Midden-Gelderland, Rijnmond, Amsterdam and
  # Amstelland-Kennemerland-Meerlanden at 10.5% to 14%; Flevoland last
  regional <- pct[!is.na(names(pct))]
  expect_identical(names(sort(regional, decreasing = TRUE))[1], "RA0512")
  expect_true(all(regional[top_four] >= 10.5 & regional[top_four] <= 14))
  others <- regional[setdiff(names(regional), c("RA0512", top_four))]
  expect_true(all(others < 10.5 & others >= 2.4))
  expect_identical(names(which.min(regional)), "RA0410")
  # several answers: the regions sum to more than 100%
  expect_gt(sum(regional), 100)
  # no preference: exactly round(0.016 * 1104) = 18 respondents
  expect_identical(sum(lengths(sv$respondents$preferred_regions) == 0), 18L)
})

test_that("a large survey keeps the published marginals (sampling tolerance)", {
  big <- simulate_survey(n = 150000, seed = 7)
  tab <- preference_table(big)
  pct <- stats::setNames(tab$pct, tab$preferred_regions)
  # counts are round(n * p), so the percentage is within 50 / n of p;
  # allow the published rounding (0.05) on top
  tol <- 0.05 + 50 / 150000
  expect_true(all(abs(pct[names(published)] - published) <= tol))
  expect_lte(abs(pct[is.na(names(pct))] - 1.6), tol)

  # fractional work shares sum to 100 and follow the factsheet's findings
  work <- expand_answers(big$respondents, "id", "work_regions")
  w <- region_table(work, "work_regions",
    alumni = sum(weight), alumni_share = share(alumni),
    ratio = share_ratio(alumni, gp_fte),
    .regions = big$regions[c("region", "gp_fte")]
  )
  expect_equal(sum(w$alumni_share), 100)
  expect_equal(sum(w$alumni), 150000)
  ratio <- stats::setNames(w$ratio, w$work_regions)
  over <- c("RA0512", "RA0616", "RA0511", "RA0919", "RA0204", "RA1324",
            "RA1325", "RA1427")
  under <- c("RA0205", "RA0410", "RA0206", "RA1020", "RA1323", "RA1326")
  about_one <- c("RA0101", "RA0818")
  expect_true(all(ratio[over] > 1.1))
  expect_true(all(ratio[under] < 0.8))
  expect_true(all(abs(ratio[about_one] - 1) < 0.1))

  # labour-market position with the mean of each axis as the cut
  x <- pct[!is.na(names(pct))]
  y <- stats::setNames(big$regions$outflow_pct, big$regions$region)[names(x)]
  unfavourable <- c("RA1222", "RA0207", "RA0102", "RA0103", "RA1121",
                    "RA0410", "RA0204", "RA1324")
  favourable <- c("RA0512", "RA0309", "RA0616", "RA0919")
  expect_true(all(x[unfavourable] < mean(x) & y[unfavourable] > mean(y)))
  expect_true(all(x[favourable] > mean(x) & y[favourable] < mean(y)))
  expect_identical(names(which.max(y)), "RA1222")   # Zeeland worst
  expect_identical(names(which.min(y)), "RA0512")   # Utrecht best

  # alumni work mostly near their training university
  umcg <- work[work$university == "UMCG", ]
  near <- umcg$work_regions %in% c("RA0101", "RA0204", "RA0102", "RA0103")
  expect_gt(sum(umcg$weight[near]) / sum(umcg$weight), 0.6)
})

test_that("tiny surveys still give everyone a work region", {
  for (n in c(1, 2, 5, 17)) {
    s <- simulate_survey(n = n, seed = n)
    expect_identical(nrow(s$respondents), as.integer(n))
    expect_true(all(lengths(s$respondents$work_regions) >= 1))
  }
})

test_that("the same seed gives the same survey, another seed another", {
  a <- simulate_survey(n = 300, seed = 5)
  expect_identical(a, simulate_survey(n = 300, seed = 5))
  b <- simulate_survey(n = 300, seed = 6)
  expect_false(identical(a$respondents, b$respondents))
  expect_identical(a$regions, b$regions)
})

test_that("a seed leaves the caller's random number state untouched", {
  set.seed(99)
  before <- .Random.seed
  simulate_survey(n = 50, seed = 1)
  expect_identical(.Random.seed, before)

  old_kind <- RNGkind()
  withr::defer(suppressWarnings(RNGkind(old_kind[1], old_kind[2], old_kind[3])))
  suppressWarnings(RNGkind("L'Ecuyer-CMRG", "Box-Muller", "Rounding"))
  kind <- RNGkind()
  set.seed(3)
  before <- .Random.seed
  x <- simulate_survey(n = 50, seed = 1)
  expect_identical(RNGkind(), kind)
  expect_identical(.Random.seed, before)
  expect_identical(x, simulate_survey(n = 50, seed = 1))
  suppressWarnings(RNGkind(old_kind[1], old_kind[2], old_kind[3]))

  seed_env <- globalenv()
  saved <- get(".Random.seed", envir = seed_env)
  rm(".Random.seed", envir = seed_env)
  simulate_survey(n = 50, seed = 1)
  expect_false(exists(".Random.seed", envir = seed_env, inherits = FALSE))
  assign(".Random.seed", saved, envir = seed_env)
})

test_that("without a seed the current stream is used", {
  set.seed(5)
  a <- simulate_survey(n = 50)
  set.seed(5)
  b <- simulate_survey(n = 50)
  expect_identical(a, b)
  expect_false(identical(a, simulate_survey(n = 50)))
})

# Bad input -------------------------------------------------------------------

test_that("bad input to expand_answers is a classed error naming the argument", {
  d <- alumni()
  s <- data.frame(id = 1:3, regions = c("A", "A;B", "C"))
  n <- data.frame(id = 1:2, regions = c(1, 2))
  bad_list <- data.frame(id = 1:2)
  bad_list$regions <- list("A", list("B"))
  dup <- data.frame(id = c(1, 2, 1), regions = c("A", "B", "C"))
  na_id <- data.frame(id = c(1, NA), regions = c("A", "B"))
  clash <- data.frame(id = 1, regions = "A", weight = 2)
  expect_snapshot(error = TRUE, {
    expand_answers(list(id = 1), "id", "regions")
    expand_answers(d, "ids", "regions")
    expand_answers(d, 1, "regions")
    expand_answers(d, "id", "region")
    expand_answers(d, "id", "id")
    expand_answers(n, "id", "regions")
    expand_answers(s, "id", "regions")
    expand_answers(s, "id", "regions", sep = "")
    expand_answers(bad_list, "id", "regions")
    expand_answers(dup, "id", "regions")
    expand_answers(na_id, "id", "regions")
    expand_answers(clash, "id", "regions")
    expand_answers(d, "id", "regions", none = list("x"))
  })
  e <- err(expand_answers(d, "ids", "regions"))
  expect_identical(e$arg, "id")
  e <- err(expand_answers(n, "id", "regions"))
  expect_identical(e$arg, "answers")
  e <- err(expand_answers(s, "id", "regions"))
  expect_identical(e$arg, "sep")
  expect_identical(e$row, 2L)
  e <- err(expand_answers(dup, "id", "regions"))
  expect_identical(e$arg, "id")
  expect_identical(e$row, 3L)
  e <- err(expand_answers(bad_list, "id", "regions"))
  expect_identical(e$row, 2L)
})

test_that("respondent statistics refuse columns that are not identifiers", {
  d <- data.frame(g = 1:2)
  d$ids <- list(1, 2)
  expect_snapshot(error = TRUE, {
    region_table(d, "g", p = pct_respondents(ids))
    region_table(d, "g", p = pct_respondents(nobody))
  })
})

test_that("bad n and seed for simulate_survey are classed errors", {
  expect_snapshot(error = TRUE, {
    simulate_survey(n = 0)
    simulate_survey(n = 10.5)
    simulate_survey(n = "1104")
    simulate_survey(n = 2e6)
    simulate_survey(seed = "a")
  })
  e <- err(simulate_survey(n = 0))
  expect_identical(e$arg, "n")
  e <- err(simulate_survey(seed = 1.5))
  expect_identical(e$arg, "seed")
})
