# Selection policies: inclusion probabilities against enumeration written
# out here, stages, reproducibility, outcomes, errors.

# Five applicants, each its own class, with 1 to 5 tickets.
five <- data.frame(id = 1:5, region_class = letters[1:5],
                   pc2 = c(10L, 10L, 11L, 11L, 12L))
five_tickets <- c(a = 1, b = 2, c = 3, d = 4, e = 5)

# Two places, sequential draws proportional to weight:
# P(i in sample) = w_i / W + sum_{j != i} w_j / W * w_i / (W - w_j).
two_of_five <- function(w) {
  W <- sum(w)
  vapply(seq_along(w), function(i) {
    w[i] / W + sum(vapply(setdiff(seq_along(w), i), function(j) {
      w[j] / W * w[i] / (W - w[j])
    }, double(1)))
  }, double(1))
}

test_that("weighted_lottery inclusion probabilities are exact for 5 of 2", {
  expected <- two_of_five(1:5)
  # applicant 1 by hand: 1/15 + 2/15*1/13 + 3/15*1/12 + 4/15*1/11 + 5/15*1/10
  expect_equal(expected[1], 1/15 + 2/(15*13) + 3/(15*12) + 4/(15*11) +
                 5/(15*10))
  expect_equal(sum(expected), 2)
  got <- inclusion_probabilities(five, 2, weighted_lottery(five_tickets))
  expect_identical(attr(got, "method"), "exact")
  expect_equal(got$inclusion, expected, tolerance = 1e-12)
  expect_equal(got$inclusion_se, rep(0, 5))
  # not proportional to tickets: 5 tickets are less than 5 times 1 ticket
  expect_lt(got$inclusion[5] / got$inclusion[1], 5)
})

test_that("the C kernel agrees with the enumeration (large simulation)", {
  sim <- inclusion_probabilities(five, 2, weighted_lottery(five_tickets),
                                 reps = 200000, seed = 11, exact_max = 0)
  expect_identical(attr(sim, "method"), "simulation")
  expected <- two_of_five(1:5)
  expect_equal(sim$inclusion_se, sqrt(sim$inclusion * (1 - sim$inclusion) /
                                        200000))
  expect_true(all(abs(sim$inclusion - expected) < 4.5 * sim$inclusion_se))
  expect_equal(sum(sim$inclusion), 2)
  # simulate_selection() reports the same per-applicant shares
  s <- simulate_selection(five, 2, weighted_lottery(five_tickets),
                          reps = 200000, seed = 11, threads = 1)
  expect_identical(s$inclusion, sim$inclusion)
})

test_that("exact enumeration handles more places and zero weights", {
  # 4 equal weights, 3 places: everyone 3/4
  a <- data.frame(region_class = rep("x", 4))
  got <- inclusion_probabilities(a, 3)
  expect_equal(got$inclusion, rep(0.75, 4))
  # weights 1, 1, 2, 0 and 1 place: 1/4, 1/4, 1/2, 0
  b <- data.frame(region_class = c("a", "a", "b", "z"))
  got <- inclusion_probabilities(b, 1, weighted_lottery(c(b = 2, z = 0)))
  expect_equal(got$inclusion, c(0.25, 0.25, 0.5, 0))
  # three places: both 1-weights and the 2-weight; the 0-weight never
  got <- inclusion_probabilities(b, 3, weighted_lottery(c(b = 2, z = 0)))
  expect_equal(got$inclusion, c(1, 1, 1, 0))
  sim <- inclusion_probabilities(b, 3, weighted_lottery(c(b = 2, z = 0)),
                                 reps = 1000, seed = 1, exact_max = 0)
  expect_equal(sim$inclusion, c(1, 1, 1, 0))
})

test_that("a quota is a sequential draw among the eligible, then among all", {
  # weights 1..5; applicants a, b, c eligible; 2 places, share 0.5 reserves
  # 1. Stage 1: j among {a, b, c} with w_j / 6; stage 2: one of the other
  # four with w_i / (15 - w_j).
  w <- 1:5
  elig <- 1:3
  expected <- vapply(1:5, function(i) {
    sum(vapply(elig, function(j) {
      w[j] / sum(w[elig]) * (if (i == j) 1 else w[i] / (sum(w) - w[j]))
    }, double(1)))
  }, double(1))
  pol <- quota(0.5, c("a", "b", "c")) + weighted_lottery(five_tickets)
  ex <- inclusion_probabilities(five, 2, pol)
  expect_identical(attr(ex, "method"), "exact")
  expect_equal(ex$inclusion, expected, tolerance = 1e-12)
  sim <- inclusion_probabilities(five, 2, pol, reps = 200000, seed = 3,
                                 exact_max = 0)
  expect_identical(attr(sim, "method"), "simulation")
  expect_true(all(abs(sim$inclusion - expected) < 4.5 * sim$inclusion_se))
  # the same as a list of policies
  sim2 <- inclusion_probabilities(five, 2, list(quota(0.5, c("a", "b", "c")),
                                                weighted_lottery(five_tickets)),
                                  reps = 200000, seed = 3, exact_max = 0)
  expect_identical(sim2$inclusion, sim$inclusion)
})

test_that("kernel and enumeration agree on bonded + quota + tickets", {
  # 12 applicants in three classes, 5 places: 1 bonded (class n or s), 2
  # reserved for s, 2 open; tickets 3 for s, 0.5 for w
  a <- data.frame(region_class = rep(c("n", "s", "w"), c(3, 4, 5)),
                  score = c(0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2))
  pol <- bonded(0.2, "X", eligible = c("n", "s")) + quota(0.4, "s") +
    weighted_lottery(c(s = 3, w = 0.5)) + contextual(c(n = 0.3))
  ex <- inclusion_probabilities(a, 5, pol)
  expect_identical(attr(ex, "method"), "exact")
  expect_equal(sum(ex$inclusion), 5)
  sim <- inclusion_probabilities(a, 5, pol, reps = 200000, seed = 5,
                                 exact_max = 0)
  expect_true(all(abs(sim$inclusion - ex$inclusion) <
                    4.5 * pmax(sim$inclusion_se, 1e-3)))
  # the s class gets at least its 2 reserved places
  expect_gte(sum(ex$inclusion[a$region_class == "s"]), 2)
})

test_that("quota(share = 0) is the base policy bit for bit", {
  a <- simulate_applicants(places = 100, seed = 4)
  base <- weighted_lottery(c(shortage = 3))
  s1 <- simulate_selection(a, 100, base, reps = 300, seed = 9, threads = 1)
  s2 <- simulate_selection(a, 100, quota(0, "shortage") + base, reps = 300,
                           seed = 9, threads = 1)
  expect_identical(s1$inclusion, s2$inclusion)
  expect_identical(s1$origin, s2$origin)
  expect_identical(s1$draws, s2$draws)
})

test_that("quota(share = 1) admits only eligible applicants when enough", {
  a <- simulate_applicants(places = 40, seed = 5)
  n_short <- sum(a$region_class == "shortage")
  places <- n_short - 2
  s <- simulate_selection(a, places, quota(1, "shortage"), reps = 100,
                          seed = 1, threads = 1)
  expect_equal(s$class$admitted_hi[s$class$region_class == "other"], 0)
  expect_equal(s$class$admitted_mean[s$class$region_class == "shortage"],
               places)
  expect_true(all(s$inclusion[a$region_class == "other"] == 0))
  # not enough eligible: all of them, the rest of the places from the others
  s <- simulate_selection(a, n_short + 5, quota(1, "shortage"), reps = 50,
                          seed = 1, threads = 1)
  expect_true(all(s$inclusion[a$region_class == "shortage"] == 1))
  expect_equal(s$class$admitted_mean[s$class$region_class == "other"], 5)
})

test_that("results are reproducible across seeds, threads and set.seed()", {
  a <- simulate_applicants(places = 150, seed = 6)
  pol <- quota(0.2, "shortage") + weighted_lottery(c(shortage = 2))
  s1 <- simulate_selection(a, 150, pol, reps = 500, seed = 42, threads = 1)
  s2 <- simulate_selection(a, 150, pol, reps = 500, seed = 42, threads = 2)
  expect_identical(s1$origin, s2$origin)
  expect_identical(s1$inclusion, s2$inclusion)
  expect_identical(s1$draws, s2$draws)
  s3 <- simulate_selection(a, 150, pol, reps = 500, seed = 43, threads = 2)
  expect_false(identical(s1$inclusion, s3$inclusion))
  set.seed(1)
  n1 <- simulate_selection(a, 150, pol, reps = 50, threads = 1)
  set.seed(1)
  n2 <- simulate_selection(a, 150, pol, reps = 50, threads = 2)
  expect_identical(n1$inclusion, n2$inclusion)
  expect_identical(n1$seed, n2$seed)
  # the replications of a longer run start as the shorter one
  s4 <- simulate_selection(a, 150, pol, reps = 1000, seed = 42, threads = 2)
  expect_identical(s4$draws[1:500, ], s1$draws)
})

test_that("simulate_applicants() follows the published origins", {
  a <- simulate_applicants(n = 200000, seed = 7)
  expect_named(a, c("id", "pc2", "region_class", "sex", "grade_band",
                    "score"))
  pc2 <- mulder2025_pc2
  share <- pc2$students_2011_2024 / sum(pc2$students_2011_2024)
  got <- as.vector(table(factor(a$pc2, levels = pc2$pc2))) / nrow(a)
  expect_lt(max(abs(got - share)), 0.003)
  # women: 22,757 of 33,554 with known sex in Table 1 (2011-2024)
  expect_equal(mean(a$sex == "f"), 22757 / (22757 + 10797), tolerance = 0.01)
  # the default shortage class: more than 450 inhabitants per student
  per <- pc2$inhabitants / pc2$students_2000_2024
  expect_setequal(unique(a$pc2[a$region_class == "shortage"]),
                  pc2$pc2[per > 450])
  expect_equal(nrow(simulate_applicants(places = 100, seed = 1)), 350)
  expect_identical(simulate_applicants(places = 10, seed = 1),
                   simulate_applicants(places = 10, seed = 1))
})

test_that("doctors, GPs, bonded places and practice regions add up", {
  # two origins, known rates, a practice matrix
  a <- data.frame(pc2 = rep(c(10L, 20L), c(30, 70)),
                  region_class = rep(c("shortage", "other"), c(30, 70)))
  rates <- data.frame(pc2 = c(10L, 20L), p_doctor = c(0.8, 0.9),
                      p_gp = c(0.4, 0.2))
  practice <- matrix(c(0.5, 0.5, 0, 0.25, 0.25, 0.5), 2, byrow = TRUE,
                     dimnames = list(c("10", "20"), c("N", "S", "W")))
  pol <- bonded(0.1, serve_region = c("N", "S"), compliance = 0.75,
                buyout = 1000) + quota(0.5, "shortage")
  s <- simulate_selection(a, 40, pol, reps = 200, seed = 1, rates = rates,
                          practice = practice, threads = 1)
  expect_equal(s$totals$bonded, 4)
  expect_equal(sum(s$origin$admitted_mean), 40)
  # every replication: 4 bonded, then 20 reserved for origin 10 (30 of
  # them), then 16 open; doctors are admitted times p_doctor
  expect_equal(s$origin$doctors_mean, s$origin$admitted_mean * c(0.8, 0.9))
  # GPs: open admitted times p_gp; bonded: compliant doctors all become
  # GPs, the others as anyone (p_gp)
  b <- s$origin$bonded_mean
  open <- s$origin$admitted_mean - b
  gp <- open * c(0.4, 0.2) + b * (0.75 * c(0.8, 0.9) + 0.25 * c(0.4, 0.2))
  expect_equal(s$origin$gps_mean, gp)
  bonded_doctors <- sum(b * c(0.8, 0.9))
  expect_equal(s$totals$buyouts, 0.25 * bonded_doctors)
  expect_equal(s$totals$buyout_revenue, 1000 * 0.25 * bonded_doctors)
  # practice: free GPs through the matrix, compliant bonded GPs 50/50 in N, S
  free <- open * c(0.4, 0.2) + b * 0.25 * c(0.4, 0.2)
  serve <- 0.75 * bonded_doctors
  expect_equal(s$practice$region, c("N", "S", "W"))
  expect_equal(s$practice$new_gps_mean,
               as.vector(free %*% practice) + c(serve, serve, 0) / 2)
  expect_equal(s$practice$bonded_gps, c(serve, serve, 0) / 2)
  expect_equal(sum(s$practice$new_gps_mean), sum(s$origin$gps_mean))
  # quantiles bracket the mean
  expect_true(all(s$origin$admitted_lo <= s$origin$admitted_mean &
                    s$origin$admitted_mean <= s$origin$admitted_hi))
})

test_that("the default rates and practice regions come from shipped data", {
  a <- simulate_applicants(places = 100, seed = 8)
  s <- simulate_selection(a, 100, reps = 100, seed = 2, threads = 1,
                          return_share = 0.6)
  pc2 <- mulder2025_pc2
  m <- match(s$origin$pc2, pc2$pc2)
  expect_equal(s$origin$doctors_mean, s$origin$admitted_mean *
                 pc2$doctors_2000_2010[m] / pc2$students_2000_2010[m])
  expect_equal(s$origin$gps_mean, s$origin$admitted_mean *
                 pc2$gps_2000_2010[m] / pc2$students_2000_2010[m])
  expect_equal(nrow(s$practice), 28)
  expect_true(all(grepl("^RA[0-9]{4}$", s$practice$region)))
  expect_equal(sum(s$practice$new_gps_mean), sum(s$origin$gps_mean))
  # rates from a link_cohort()-shaped table: 2 of 4 doctors, 1 GP in 10
  linked <- data.frame(pc2 = c(10L, 10L, 10L, 10L, 11L),
                       became_doctor = c(TRUE, TRUE, FALSE, NA, TRUE),
                       became_gp = c(TRUE, FALSE, FALSE, FALSE, FALSE))
  b <- data.frame(pc2 = c(10L, 10L, 11L), region_class = "x")
  s <- simulate_selection(b, 3, reps = 10, seed = 1, rates = linked,
                          threads = 1,
                          practice = matrix(1, 2, 1,
                                            dimnames = list(c("10", "11"),
                                                            "R")))
  expect_equal(s$origin$doctors_mean, c(2 * 2 / 4, 1))
  expect_equal(s$origin$gps_mean, c(2 * 1 / 4, 0))
})

test_that("years add up admission rounds", {
  a <- simulate_applicants(places = 50, seed = 3)
  s1 <- simulate_selection(a, 50, reps = 4000, seed = 1, threads = 1)
  s3 <- simulate_selection(a, 50, years = 3, reps = 4000, seed = 1,
                           threads = 2)
  expect_equal(s3$totals$admitted, 150)
  expect_equal(sum(s3$class$admitted_mean), 150)
  # per round the same inclusion probabilities (50 / 175 each: a lottery)
  expect_equal(mean(s3$inclusion), 50 / 175)
  expect_true(all(abs(s3$inclusion - 50 / 175) <
                    5 * sqrt((50 / 175) * (125 / 175) / 12000)))
})

test_that("without a class column the results have one class", {
  a <- data.frame(pc2 = c(10L, 11L, 12L, 12L))
  s <- simulate_selection(a, 2, reps = 20, seed = 1, threads = 1,
                          practice = matrix(1, 3, 1, dimnames = list(
                            c("10", "11", "12"), "R")))
  expect_equal(s$class$region_class, "all")
  expect_equal(s$class$admitted_mean, 2)
  expect_equal(s$origin$pc2, c(10L, 11L, 12L))
})

test_that("disclose = TRUE passes the origin table through disclose()", {
  a <- simulate_applicants(places = 300, seed = 9)
  s <- simulate_selection(a, 300, reps = 50, seed = 1, threads = 1,
                          disclose = TRUE)
  expect_s3_class(s$origin, "spreiding_disclosed")
  st <- s$origin$admitted_status[s$origin$level == "pc2"]
  small <- s$origin$admitted_status == "primary"
  expect_true(all(is.na(s$origin$admitted[small])))
  expect_true(any(st == "primary"))
})

test_that("compare_policies() gives one table and one figure", {
  a <- simulate_applicants(places = 100, seed = 2)
  cmp <- compare_policies(tickets = weighted_lottery(c(shortage = 3)),
                          quota = quota(0.3, "shortage"),
                          applicants = a, places = 100, reps = 100, seed = 1,
                          threads = 1)
  tab <- cmp$table
  expect_equal(levels(tab$policy), c("status quo", "tickets", "quota"))
  expect_equal(tab$admitted_change[tab$policy == "status quo"], c(0, 0))
  q <- tab[tab$policy == "quota" & tab$region_class == "shortage", ]
  # 30 reserved places, or all the shortage applicants when fewer
  expect_equal(q$admitted_lo, min(30, sum(a$region_class == "shortage")))
  sq <- simulate_selection(a, 100, lottery(), reps = 100, seed = 1,
                           threads = 1)
  expect_equal(tab$admitted_mean[tab$policy == "status quo"],
               sq$class$admitted_mean)
  pr <- cmp$practice
  expect_equal(nrow(pr), 3 * 28)
  expect_equal(pr$new_gps_change[pr$policy == "status quo"], rep(0, 28))
  expect_equal(pr$new_gps_mean[pr$policy == "status quo"],
               sq$practice$new_gps_mean)
  if (requireNamespace("ggplot2", quietly = TRUE)) {
    expect_s3_class(cmp$plot, "ggplot")
  }
})

test_that("contextual() is a weighted lottery with exp(score + bonus)", {
  # scores 0, 1 and a bonus of 1 for class b: weights 1, e, e, e^2
  a <- data.frame(region_class = c("a", "a", "b", "b"), score = c(0, 1, 0, 1))
  got <- inclusion_probabilities(a, 1, contextual(c(b = 1)))
  w <- exp(c(0, 1, 1, 2))
  expect_equal(got$inclusion, w / sum(w))
  # noise 2 halves score and bonus: weights exp((score + 2 * [b]) / 2)
  got2 <- inclusion_probabilities(a, 1, contextual(c(b = 2), noise = 2))
  w2 <- exp(c(0, 0.5, 1, 1.5))
  expect_equal(got2$inclusion, w2 / sum(w2))
  expect_equal(nrow(policies()), 5)
  expect_output(print(quota(0.2, "shortage") + lottery()), "quota")
})

test_that("more places than applicants admits everyone, with a message", {
  expect_message(
    s <- simulate_selection(five, 8, reps = 5, seed = 1, threads = 1),
    "all applicants are admitted"
  )
  expect_equal(s$inclusion, rep(1, 5))
  expect_message(p <- inclusion_probabilities(five, 6), "more than")
  expect_equal(p$inclusion, rep(1, 5))
})

test_that("bad input gives classed errors naming the argument", {
  arg_of <- function(expr) {
    e <- tryCatch(expr, spreiding_error = function(e) e)
    expect_s3_class(e, "spreiding_error")
    e$arg
  }
  expect_equal(arg_of(quota(1.2, "shortage")), "share")
  expect_equal(arg_of(quota(-0.1, "shortage")), "share")
  expect_equal(arg_of(bonded(0.1, "RA0101", compliance = 2)), "compliance")
  expect_equal(arg_of(weighted_lottery(c(shortage = -1))), "tickets")
  expect_equal(arg_of(weighted_lottery(3)), "tickets")
  expect_equal(arg_of(inclusion_probabilities(
    five, 2, weighted_lottery(c(north = 2)))), "tickets")
  expect_equal(arg_of(simulate_selection(five, 2, quota(0.5, "north"),
                                         reps = 5)), "eligible")
  expect_equal(arg_of(simulate_selection(five, 2, "lottery")), "policy")
  expect_equal(arg_of(simulate_selection(
    five, 2, quota(0.6, "a") + quota(0.6, "b"), reps = 5)), "policy")
  expect_equal(arg_of(simulate_selection(five, 2, reps = 0)), "reps")
  expect_equal(arg_of(simulate_selection(five, -1)), "places")
  expect_equal(arg_of(simulate_selection(five, 2, seed = "a")), "seed")
  expect_equal(arg_of(simulate_selection(five, 2, threads = 0)), "threads")
  expect_equal(arg_of(simulate_selection(five[-3], 2)), "applicants")
  expect_equal(arg_of(simulate_selection(
    five, 2, bonded(0.5, "Nowhere"), reps = 5,
    practice = matrix(1, 3, 1, dimnames = list(c("10", "11", "12"), "R")))),
    "serve_region")
  expect_equal(arg_of(simulate_selection(
    five, 2, reps = 5, practice = matrix(0.5, 3, 1,
                                         dimnames = list(c("10", "11", "12"),
                                                         "R")))),
    "practice")
  expect_snapshot(error = TRUE, quota(1.5, "shortage"))
  expect_snapshot(error = TRUE, weighted_lottery(c(shortage = -2)))
  expect_snapshot(error = TRUE,
                  simulate_selection(five, 2, weighted_lottery(c(north = 2))))
})

test_that("an origin column that is not atomic and a pool too large are classed errors", {
  # both found by the fuzzer (tests/fuzz)
  app <- simulate_applicants(places = 10, seed = 1)
  app$pc2 <- as.list(app$pc2)
  e <- tryCatch(simulate_selection(app, 5, reps = 2, seed = 1),
                spreiding_error = function(e) e)
  expect_s3_class(e, "spreiding_error")
  expect_identical(e$arg, "applicants")
  expect_match(conditionMessage(e), "atomic vector of region codes")
  e <- tryCatch(simulate_applicants(n = 2e9),
                spreiding_error = function(e) e)
  expect_s3_class(e, "spreiding_error")
  expect_identical(e$arg, "n")
  expect_match(conditionMessage(e), "at most 10,000,000")
})
