# simulate_cohort(): the shape of the three tables, reproducibility, and the
# calibration to the published tables of Mulder (2025). The calibration is
# checked with a linkage written out here in base R, independent of the
# package's own link_cohort(). Expected values come from the shipped
# published tables.

# Postcode-2 area at age 16 and outcomes per student, in plain base R: the
# reference date is the 16th birthday (29 February -> 28 February in a year
# that is not a leap year); the address spell covering it (start <= ref <
# end, end NA = open), the latest start winning; PC2 = the first two
# characters of its postcode; doctor / GP = any register row of that type
# on or before 31 December 2024.
base_link <- function(sim) {
  s <- sim$students
  y16 <- as.integer(format(s$birth_date, "%Y")) + 16L
  md <- format(s$birth_date, "%m-%d")
  leap <- (y16 %% 4L == 0L & y16 %% 100L != 0L) | y16 %% 400L == 0L
  md[!is.na(md) & md == "02-29" & !leap] <- "02-28"
  ref <- as.Date(ifelse(is.na(y16), NA, paste0(y16, "-", md)))

  a <- sim$addresses
  a$ref <- ref[match(a$RINPERSOON, s$RINPERSOON)]
  a <- a[!is.na(a$ref) & a$start <= a$ref & (is.na(a$end) | a$ref < a$end), ]
  a <- a[order(a$RINPERSOON, -as.numeric(a$start)), ]
  a <- a[!duplicated(a$RINPERSOON), ]

  reg <- sim$register[sim$register$date <= as.Date("2024-12-31"), ]
  data.frame(
    RINPERSOON = s$RINPERSOON,
    cohort = ifelse(s$year <= 2010L, "2000-2010", "2011-2024"),
    sex = s$sex,
    ref = ref,
    pc2 = as.integer(substr(a$postcode, 1, 2))[match(s$RINPERSOON,
                                                     a$RINPERSOON)],
    doctor = s$RINPERSOON %in% reg$RINPERSOON[reg$type == "arts"],
    gp = s$RINPERSOON %in% reg$RINPERSOON[reg$type == "huisarts"],
    stringsAsFactors = FALSE
  )
}

# Counts per PC2 area 10..99 (0 where absent).
per_pc2 <- function(pc2, x = rep(TRUE, length(pc2))) {
  ok <- !is.na(pc2)
  out <- tabulate(pc2[ok & x], 99L)[10:99]
  out
}

sim1 <- simulate_cohort(seed = 20250101)
linked1 <- base_link(sim1)

# The shipped population per PC4 -------------------------------------------

test_that("pc4_population covers every PC2 area of the Mulder tables", {
  x <- pc4_population
  expect_s3_class(x, "data.frame")
  expect_named(x, c("pc4", "pc2", "inhabitants"))
  for (col in names(x)) expect_type(x[[col]], "integer")
  expect_false(anyNA(x))
  expect_false(anyDuplicated(x$pc4) > 0)
  expect_false(is.unsorted(x$pc4))
  expect_true(all(x$pc4 >= 1000L & x$pc4 <= 9999L))
  expect_identical(x$pc2, x$pc4 %/% 100L)
  expect_true(all(x$inhabitants >= 0L))
  # CBS figures for 1 January 2021, rounded to multiples of 5
  expect_identical(sum(x$inhabitants), 17472870L)
  expect_true(all(x$inhabitants %% 5L == 0L))
  inhabited <- unique(x$pc2[x$inhabitants > 0])
  expect_setequal(inhabited, mulder2025_pc2$pc2)
})

# Shape --------------------------------------------------------------------

test_that("the three tables have exactly the documented columns and types", {
  sim <- simulate_cohort(scale = 0.02, seed = 1)
  expect_type(sim, "list")
  expect_named(sim, c("students", "addresses", "register"))

  s <- sim$students
  expect_s3_class(s, "data.frame")
  expect_named(s, c("RINPERSOONS", "RINPERSOON", "birth_date", "sex", "year"))
  expect_type(s$RINPERSOONS, "character")
  expect_true(all(s$RINPERSOONS == "R"))
  expect_type(s$RINPERSOON, "character")
  expect_true(all(grepl("^[0-9]{9}$", s$RINPERSOON)))
  expect_s3_class(s$birth_date, "Date")
  expect_type(s$sex, "character")
  expect_true(all(s$sex %in% c("m", "f", NA)))
  expect_type(s$year, "integer")
  expect_true(all(s$year %in% 2000:2024))

  a <- sim$addresses
  expect_named(a, c("RINPERSOONS", "RINPERSOON", "start", "end", "postcode"))
  expect_type(a$RINPERSOONS, "character")
  expect_type(a$RINPERSOON, "character")
  expect_s3_class(a$start, "Date")
  expect_s3_class(a$end, "Date")
  expect_type(a$postcode, "character")
  expect_true(all(grepl("^[1-9][0-9]{3}[A-Z]{2}$", a$postcode)))
  expect_false(anyNA(a$start))
  expect_true(all(is.na(a$end) | a$start < a$end))
  expect_true(all(a$RINPERSOON %in% s$RINPERSOON))

  r <- sim$register
  expect_named(r, c("RINPERSOONS", "RINPERSOON", "type", "date"))
  expect_type(r$type, "character")
  expect_true(all(r$type %in% c("arts", "huisarts")))
  expect_s3_class(r$date, "Date")
  expect_false(anyNA(r$date))

  for (x in sim) expect_identical(rownames(x), as.character(seq_len(nrow(x))))
})

test_that("keys are unique, every PC4 exists, and no date is after 2024", {
  s <- sim1$students
  expect_false(anyDuplicated(s$RINPERSOON) > 0)
  a <- sim1$addresses
  expect_false(anyDuplicated(a[c("RINPERSOON", "start")]) > 0)
  expect_true(all(as.integer(substr(a$postcode, 1, 4)) %in%
                    pc4_population$pc4[pc4_population$inhabitants > 0]))
  # letters of Dutch postcodes: no F, I, O, Q, U, Y; no SA, SD, SS
  expect_false(any(grepl("[FIOQUY]", substr(a$postcode, 5, 6))))
  expect_false(any(substr(a$postcode, 5, 6) %in% c("SA", "SD", "SS")))
  end <- as.Date("2024-12-31")
  expect_true(all(a$start <= end))
  expect_true(all(is.na(a$end) | a$end <= end))
  expect_true(all(sim1$register$date <= end))
  expect_true(all(s$birth_date <= end, na.rm = TRUE))
  # most histories end with an open spell
  last <- !duplicated(a$RINPERSOON, fromLast = TRUE)
  expect_gt(mean(is.na(a$end[last])), 0.9)
})

test_that("a GP is also a doctor, registered earlier; dates are plausible", {
  s <- sim1$students
  r <- sim1$register[sim1$register$RINPERSOON %in% s$RINPERSOON, ]
  arts <- tapply(r$date[r$type == "arts"], r$RINPERSOON[r$type == "arts"], min)
  gp <- tapply(r$date[r$type == "huisarts"],
               r$RINPERSOON[r$type == "huisarts"], min)
  expect_true(all(names(gp) %in% names(arts)))
  expect_true(all(gp > arts[names(gp)]))
  # 6-7 years after 1 September of the first year; GP 3-6 years later
  start <- as.numeric(as.Date(paste0(s$year, "-09-01")))
  names(start) <- s$RINPERSOON
  years_to_arts <- (arts - start[names(arts)]) / 365.25
  expect_true(all(years_to_arts >= 5.99 & years_to_arts <= 7.01))
  years_to_gp <- (gp - arts[names(gp)]) / 365.25
  expect_true(all(years_to_gp >= 2.99 & years_to_gp <= 6.01))
  # 17 to 20 years old at the start of study, mostly 18
  age <- (start - as.numeric(s$birth_date)) / 365.25
  expect_true(all(age > 16.99 & age < 21.01, na.rm = TRUE))
  expect_gt(mean(floor(age) == 18, na.rm = TRUE), 0.5)
  # the register also holds doctors outside the cohort
  expect_true(any(!sim1$register$RINPERSOON %in% s$RINPERSOON))
})

test_that("the 2011-2024 doctors started by 2018 and the GPs by 2014", {
  l <- linked1
  year <- sim1$students$year[match(l$RINPERSOON, sim1$students$RINPERSOON)]
  expect_true(all(year[l$doctor & l$cohort == "2011-2024"] <= 2018L))
  expect_true(all(year[l$gp & l$cohort == "2011-2024"] <= 2014L))
  # every year of the cohort has students, intake rising
  n <- tabulate(year - 1999L, 25L)
  expect_true(all(n > 0))
  expect_lt(n[1], n[11])   # 2000 against 2010
  expect_lt(n[12], n[25])  # 2011 against 2024
})

# Sizes --------------------------------------------------------------------

test_that("cohort sizes are exact at scale 1 and 0.1", {
  expect_identical(as.vector(table(linked1$cohort)), c(24393L, 33565L))
  small <- simulate_cohort(scale = 0.1, seed = 2)
  year <- small$students$year
  # 2439.3 -> 2439; 3356.5 rounds half away from zero -> 3357
  expect_identical(c(sum(year <= 2010L), sum(year >= 2011L)), c(2439L, 3357L))
  one <- simulate_cohort("2011-2024", scale = 0.1, seed = 2)
  expect_identical(nrow(one$students), 3357L)
  expect_true(all(one$students$year >= 2011L))
})

test_that("a scale too small for any student gives empty tables", {
  sim <- simulate_cohort(scale = 1e-5, seed = 1)
  expect_identical(vapply(sim, nrow, 1L),
                   c(students = 0L, addresses = 0L, register = 0L))
  expect_named(sim$students, c("RINPERSOONS", "RINPERSOON", "birth_date",
                               "sex", "year"))
  expect_s3_class(sim$addresses$start, "Date")
})

# Reproducibility ----------------------------------------------------------

test_that("the same seed gives identical results, another seed differs", {
  a <- simulate_cohort(scale = 0.05, seed = 7)
  b <- simulate_cohort(scale = 0.05, seed = 7)
  c <- simulate_cohort(scale = 0.05, seed = 8)
  expect_identical(a, b)
  expect_false(identical(a$students, c$students))
  expect_false(identical(a$addresses, c$addresses))
})

test_that("a seed leaves the caller's random number state untouched", {
  set.seed(99)
  before <- .Random.seed
  simulate_cohort(scale = 0.01, seed = 1)
  expect_identical(.Random.seed, before)

  # also another generator kind
  old_kind <- RNGkind()
  withr::defer(suppressWarnings(RNGkind(old_kind[1], old_kind[2], old_kind[3])))
  suppressWarnings(RNGkind("L'Ecuyer-CMRG", "Box-Muller", "Rounding"))
  kind <- RNGkind()
  set.seed(3)
  before <- .Random.seed
  x <- simulate_cohort(scale = 0.01, seed = 1)
  expect_identical(RNGkind(), kind)
  expect_identical(.Random.seed, before)
  expect_identical(x, simulate_cohort(scale = 0.01, seed = 1))
  suppressWarnings(RNGkind(old_kind[1], old_kind[2], old_kind[3]))

  # and the absence of a seed
  seed_env <- globalenv()
  saved <- get(".Random.seed", envir = seed_env)
  rm(".Random.seed", envir = seed_env)
  simulate_cohort(scale = 0.01, seed = 1)
  expect_false(exists(".Random.seed", envir = seed_env, inherits = FALSE))
  assign(".Random.seed", saved, envir = seed_env)
})

test_that("without a seed the current stream is used", {
  set.seed(5)
  a <- simulate_cohort(scale = 0.01)
  set.seed(5)
  b <- simulate_cohort(scale = 0.01)
  expect_identical(a, b)
  expect_false(identical(a, simulate_cohort(scale = 0.01)))
})

# Arguments ----------------------------------------------------------------

test_that("bad arguments are classed errors naming the argument", {
  expect_snapshot(error = TRUE, {
    simulate_cohort("2000-2011")
    simulate_cohort(character())
    simulate_cohort(2000)
    simulate_cohort(scale = 0)
    simulate_cohort(scale = -1)
    simulate_cohort(scale = "1")
    simulate_cohort(scale = c(1, 2))
    simulate_cohort(scale = NA_real_)
    simulate_cohort(scale = Inf)
    simulate_cohort(seed = 1.5)
    simulate_cohort(seed = "a")
  })
  e <- tryCatch(simulate_cohort(scale = 0), spreiding_error = function(e) e)
  expect_s3_class(e, "spreiding_error")
  expect_identical(e$arg, "scale")
  e <- tryCatch(simulate_cohort("x"), spreiding_error = function(e) e)
  expect_identical(e$arg, "cohorts")
  e <- tryCatch(simulate_cohort(seed = NA), spreiding_error = function(e) e)
  expect_identical(e$arg, "seed")
})

test_that("cohorts may be given in any order, once each", {
  a <- simulate_cohort(c("2011-2024", "2000-2010", "2011-2024"),
                       scale = 0.01, seed = 4)
  expect_identical(a, simulate_cohort(scale = 0.01, seed = 4))
})

# Calibration --------------------------------------------------------------
#
# Published counts come from the shipped tables. At scale 1 the students per
# area, the unknown-origin counts and the sex counts are exact by
# construction. The doctors and GPs are independent Bernoulli draws whose
# expected count per area equals the published count; the variance of such
# a sum is at most that of a binomial with the same mean, n p (1 - p), so
# z = (observed - published) / sqrt(n p (1 - p)) is conservative.
# Tolerances: every area within 5 standard deviations (each fails with
# probability < 6e-7, all 270 together < 2e-4); the sum of the 90 squared z
# of each outcome below the chi-square(90) quantile 1 - 1e-6; national
# totals within 5 standard deviations.

pub <- mulder2025_pc2
t1 <- mulder2025_table1

check_rates <- function(observed, published, students, label) {
  p <- published / students
  z <- (observed - published) / sqrt(students * p * (1 - p))
  expect_true(all(abs(z) < 5),
              label = paste0(label, ": max |z| = ", format(max(abs(z)))))
  expect_lt(sum(z^2), stats::qchisq(1 - 1e-6, length(z)))
  zn <- (sum(observed) - sum(published)) / sqrt(sum(students * p * (1 - p)))
  expect_lt(abs(zn), 5)
  invisible(z)
}

test_that("students per PC2 area and of unknown origin are exact", {
  old <- linked1[linked1$cohort == "2000-2010", ]
  new <- linked1[linked1$cohort == "2011-2024", ]
  expect_identical(per_pc2(old$pc2), pub$students_2000_2010)
  expect_identical(per_pc2(new$pc2), pub$students_2011_2024)
  expect_identical(sum(is.na(old$pc2)), 24393L - 22491L)
  expect_identical(sum(is.na(new$pc2)), 33565L - 31665L)
})

test_that("students of unknown origin lack an address at 16 in several ways", {
  s <- sim1$students
  l <- linked1
  unknown <- l$RINPERSOON[is.na(l$pc2)]
  a <- sim1$addresses[sim1$addresses$RINPERSOON %in% unknown, ]
  first <- tapply(a$start, a$RINPERSOON, min)
  ref <- l$ref[match(names(first), l$RINPERSOON)]
  no_birth <- sum(is.na(s$birth_date))
  expect_gt(no_birth, 0)
  expect_lt(no_birth, 50)
  arrived_later <- sum(first > ref, na.rm = TRUE)
  gap <- sum(first <= ref, na.rm = TRUE)
  expect_gt(arrived_later, 500)
  expect_gt(gap, 500)
})

test_that("overlaps and moves around 16 do not change the origin", {
  a <- sim1$addresses
  l <- linked1
  a$ref <- l$ref[match(a$RINPERSOON, l$RINPERSOON)]
  covering <- a[!is.na(a$ref) & a$start <= a$ref &
                  (is.na(a$end) | a$ref < a$end), ]
  n_cover <- table(covering$RINPERSOON)
  # about 2% of students of known origin have two spells covering 16
  share <- sum(n_cover > 1) / sum(!is.na(l$pc2))
  expect_gt(share, 0.01)
  expect_lt(share, 0.03)
  # moves on the 16th birthday itself, and within half a year of it
  expect_gt(sum(a$start == a$ref, na.rm = TRUE), 0)
  near <- !is.na(a$ref) & abs(as.numeric(a$start - a$ref)) <= 182
  expect_gt(sum(near), 0.05 * nrow(l))
  # some were born on 29 February, so the 28 February rule is exercised
  expect_gt(sum(format(sim1$students$birth_date, "%m-%d") == "02-29",
                na.rm = TRUE), 0)
})

test_that("doctors and GPs per PC2 area agree with the published tables", {
  old <- linked1[linked1$cohort == "2000-2010", ]
  new <- linked1[linked1$cohort == "2011-2024", ]
  z_doc <- check_rates(per_pc2(old$pc2, old$doctor), pub$doctors_2000_2010,
                       pub$students_2000_2010, "doctors 2000-2010")
  z_gp <- check_rates(per_pc2(old$pc2, old$gp), pub$gps_2000_2010,
                      pub$students_2000_2010, "GPs 2000-2010")
  z_new <- check_rates(per_pc2(new$pc2, new$doctor), pub$doctors_2011_2024,
                       pub$students_2011_2024, "doctors 2011-2024")

  # by sex, 2000-2010, the areas of appendix 8
  shown <- !is.na(pub$students_m_2000_2010)
  for (s in c("m", "f")) {
    x <- old[!is.na(old$sex) & old$sex == s, ]
    expect_identical(per_pc2(x$pc2)[shown],
                     pub[[paste0("students_", s, "_2000_2010")]][shown])
    check_rates(per_pc2(x$pc2, x$doctor)[shown],
                pub[[paste0("doctors_", s, "_2000_2010")]][shown],
                pub[[paste0("students_", s, "_2000_2010")]][shown],
                paste("doctors", s, "2000-2010"))
  }
})

test_that("national totals by sex agree with Table 1", {
  for (cohort in c("2000-2010", "2011-2024")) {
    l <- linked1[linked1$cohort == cohort, ]
    tab <- t1[t1$cohort == cohort & t1$variable == "sex", ]
    sex <- c(male = "m", female = "f")
    for (cat in names(sex)) {
      row <- tab[tab$category == cat, ]
      x <- l[!is.na(l$sex) & l$sex == sex[[cat]], ]
      expect_identical(nrow(x), row$students)
      for (what in c("doctors", "gps")) {
        p <- row[[what]] / row$students
        got <- sum(x[[if (what == "doctors") "doctor" else "gp"]])
        expect_lt(abs(got - row[[what]]) / sqrt(row$students * p * (1 - p)), 5,
                  label = paste(cohort, cat, what))
      }
    }
    unknown <- tab$students[tab$category == "unknown"]
    expect_identical(sum(is.na(l$sex)), unknown)
    expect_false(any(l$doctor[is.na(l$sex)]))
    total <- t1[t1$cohort == cohort & t1$variable == "total", ]
    for (what in c("doctors", "gps")) {
      p <- total[[what]] / total$students
      got <- sum(l[[if (what == "doctors") "doctor" else "gp"]])
      expect_lt(abs(got - total[[what]]) /
                  sqrt(total$students * p * (1 - p)), 5)
    }
  }
})

test_that("link_cohort() finds the same origin as the base-R linkage", {
  skip_if_not(exists("link_cohort", asNamespace("spreiding")))
  link_cohort <- get("link_cohort", asNamespace("spreiding"))
  linked <- link_cohort(sim1$students, sim1$addresses, sim1$register)
  key <- match(linked1$RINPERSOON, linked$RINPERSOON)
  expect_false(anyNA(key))
  expect_identical(as.integer(linked$pc2[key]), linked1$pc2)
  expect_identical(as.logical(linked$became_doctor[key]), linked1$doctor)
  expect_identical(as.logical(linked$became_gp[key]), linked1$gp)
  for (cohort in c("2000-2010", "2011-2024")) {
    l <- linked[linked$cohort == cohort, ]
    col <- paste0("students_", sub("-", "_", cohort))
    expect_identical(per_pc2(l$pc2), pub[[col]])
  }
  status <- as.character(linked$origin_status)
  expect_identical(sum(status == "no_birth_date"),
                   sum(t1$students[t1$variable == "sex" &
                                     t1$category == "unknown"]))
  expect_gt(sum(status == "overlap_resolved"), 0)
  expect_identical(sum(status %in% c("no_address", "no_birth_date")),
                   (24393L - 22491L) + (33565L - 31665L))
})
