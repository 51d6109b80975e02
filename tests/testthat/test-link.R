# Hand-made address histories; every expected origin is worked out in the
# comments from the rule start <= reference date < end.

day <- function(x) as.Date(x)

test_that("reference dates: birthdays, with 29 February on 28 February", {
  b <- day(c("1990-05-01", "1992-02-29", "1992-02-29", "2000-02-29",
             "1899-12-31", NA))
  expect_identical(
    spreiding:::reference_date(b, 16),
    day(c("2006-05-01", "2008-02-29", "2008-02-29", "2016-02-29",
          "1915-12-31", NA))
  )
  expect_identical(spreiding:::reference_date(b[2], 15), day("2007-02-28"))
  expect_identical(spreiding:::reference_date(b[4], 100), day("2100-02-28"))
  # 1900 is not a leap year, 2000 is (the 400-year rule)
  expect_identical(spreiding:::reference_date(day("1884-02-29"), 116), day("2000-02-29"))
  expect_identical(spreiding:::reference_date(day("1884-02-29"), 16), day("1900-02-28"))
  expect_identical(spreiding:::reference_date(b[1], 0), b[1])
  # against R's own calendar on many random birth dates
  set.seed(5)
  r <- day("1900-01-01") + sample(0:60000, 2000)
  lt <- as.POSIXlt(r)
  y <- lt$year + 1900 + 16
  d <- lt$mday
  d[lt$mon == 1 & d == 29 & !((y %% 4 == 0 & y %% 100 != 0) | y %% 400 == 0)] <- 28
  expect_identical(spreiding:::reference_date(r, 16),
                   as.Date(sprintf("%04d-%02d-%02d", y, lt$mon + 1, d)))
})

persons1 <- data.frame(id = 1:6, birth_date = day(c(
  "1990-05-01", # 1: moves on the reference date 2006-05-01
  "1990-05-01", # 2: open-ended spell
  "1990-05-01", # 3: two spells overlap the reference date
  "1990-05-01", # 4: gap from 2006-03-01 to 2006-06-01
  "1990-05-01", # 5: no address at all
  NA            # 6: no birth date
)))
addresses1 <- data.frame(
  id = c(1, 1, 2, 2, 3, 3, 3, 4, 4),
  start = day(c("1990-05-01", "2006-05-01", "1990-05-01", "2001-01-01",
                "2000-01-01", "2005-01-01", "2006-06-01", "1990-05-01",
                "2006-06-01")),
  end = day(c("2006-05-01", NA, "2001-01-01", NA, "2010-01-01", "2007-01-01",
              NA, "2006-03-01", NA)),
  postcode = c("1011", "1012", "2011", "2012", "3011", "3012", "3013", "4011",
               "4012")
)

test_that("spells cover start <= d < end; moves on the day and open spells", {
  o <- origin_at_age(persons1, addresses1, age = 16)
  expect_identical(o$origin, c("1012", "2012", "3012", NA, NA, NA))
  expect_identical(as.character(o$origin_status),
                   c("found", "found", "overlap_resolved", "no_address",
                     "no_address", "no_birth_date"))
  expect_identical(levels(o$origin_status),
                   c("found", "overlap_resolved", "gap_filled", "no_address",
                     "no_birth_date"))
  expect_identical(o[names(persons1)], persons1) # input rows, in input order
})

test_that("overlap rules: latest start, longest, error", {
  # person 3: 3011 [2000, 2010) and 3012 [2005, 2007) both cover 2006-05-01
  o <- origin_at_age(persons1, addresses1, overlap = "longest")
  expect_identical(o$origin[3], "3011")
  expect_error(origin_at_age(persons1, addresses1, overlap = "error"),
               "Person \\(3\\)", class = "spreiding_error")
  # ties on start: the later end wins, an open end is latest, then the later row
  p <- data.frame(id = 1, birth_date = day("1990-05-01"))
  a <- data.frame(id = 1, start = day("2000-01-01"),
                  end = day(c("2010-01-01", NA, "2009-01-01")),
                  postcode = c("a", "b", "c"))
  expect_identical(origin_at_age(p, a)$origin, "b")
  a$end <- day("2010-01-01")
  expect_identical(origin_at_age(p, a)$origin, "c")
  expect_identical(origin_at_age(p, a[3:1, ])$origin, "a")
})

test_that("gap rules, with and without max_gap", {
  # person 4: 4011 ends 2006-03-01 (last day 02-28, 62 days before 05-01),
  # 4012 starts 2006-06-01 (31 days after)
  g <- function(...) origin_at_age(persons1[4, ], addresses1, ...)$origin
  expect_identical(g(gap = "none"), NA_character_)
  expect_identical(g(gap = "before"), "4011")
  expect_identical(g(gap = "after"), "4012")
  expect_identical(g(gap = "nearest"), "4012")
  expect_identical(g(gap = "before", max_gap = 62), "4011")
  expect_identical(g(gap = "before", max_gap = 61), NA_character_)
  expect_identical(g(gap = "after", max_gap = 31), "4012")
  expect_identical(g(gap = "nearest", max_gap = 30), NA_character_)
  o <- origin_at_age(persons1[4:5, ], addresses1, gap = "nearest")
  expect_identical(as.character(o$origin_status), c("gap_filled", "no_address"))
  # equal distances: the spell before wins
  p <- data.frame(id = 1, birth_date = day("1990-05-01"))
  a <- data.frame(id = 1, start = day(c("1990-05-01", "2006-05-11")),
                  end = day(c("2006-04-22", NA)), postcode = c("b", "a"))
  # last covered day 04-21 is 10 days before; 05-11 is 10 days after
  expect_identical(origin_at_age(p, a, gap = "nearest")$origin, "b")
})

test_that("two-column keys join on both parts", {
  p <- data.frame(RINPERSOONS = c("R", "S"), RINPERSOON = c("000000001", "000000001"),
                  birth_date = day("1990-01-01"))
  a <- data.frame(RINPERSOONS = c("S", "R"), RINPERSOON = "000000001",
                  start = day("1980-01-01"), end = day(NA), postcode = c("s", "r"))
  o <- origin_at_age(p, a, id = c("RINPERSOONS", "RINPERSOON"))
  expect_identical(o$origin, c("r", "s"))
  # numeric and character ids of the same person are matched
  p2 <- data.frame(id = c(12L, 100000L), birth_date = day("1990-01-01"))
  a2 <- data.frame(id = c("100000", "12"), start = day("1980-01-01"), end = day(NA),
                   postcode = c("x", "y"))
  expect_identical(origin_at_age(p2, a2)$origin, c("y", "x"))
})

test_that("dates may be POSIXct or numbers of days; text is refused", {
  p <- data.frame(id = 1, birth_date = as.POSIXct("1990-05-01 23:30", tz = "UTC"))
  a <- data.frame(id = 1, start = as.numeric(day(c("1990-01-01", "2006-05-01"))),
                  end = as.numeric(day(c("2006-05-01", NA))), postcode = c("a", "b"))
  expect_identical(origin_at_age(p, a)$origin, "b")
  p$birth_date <- "1990-05-01"
  expect_snapshot(error = TRUE, origin_at_age(p, a))
})

test_that("region keeps its type; address rows of other persons are ignored", {
  p <- data.frame(id = 2:1, birth_date = day("1990-01-01"))
  a <- data.frame(id = c(1, 2, 99), start = day("1980-01-01"), end = day(NA),
                  pc4 = c(3511L, 9711L, 1L))
  expect_identical(origin_at_age(p, a, region = "pc4")$origin, c(9711L, 3511L))
})

test_that("bad input is a classed error naming argument, column and row", {
  a <- addresses1
  expect_snapshot(error = TRUE, {
    origin_at_age(persons1, a[, -2])
    origin_at_age(persons1, a, birth = "birthday")
    origin_at_age(list(), a)
    origin_at_age(persons1, a, age = -1)
    origin_at_age(persons1, a, age = 16.5)
    origin_at_age(persons1, a, overlap = "first")
    origin_at_age(rbind(persons1, persons1[2, ]), a)
  })
  a$end[3] <- day("1980-01-01")
  expect_snapshot(error = TRUE, origin_at_age(persons1, a))
  e <- tryCatch(origin_at_age(persons1, a), spreiding_error = identity)
  expect_identical(e$row, 3L)
  a <- addresses1
  a$start[5] <- NA
  e <- tryCatch(origin_at_age(persons1, a), spreiding_error = identity)
  expect_identical(e$row, 5L)
  p <- persons1
  p$id[4] <- NA
  e <- tryCatch(origin_at_age(p, addresses1), spreiding_error = identity)
  expect_identical(c(e$arg, as.character(e$row)), c("persons", "4"))
  a <- addresses1
  a$id[2] <- NA # address rows without an id cannot belong to anyone
  expect_identical(origin_at_age(persons1, a)$origin[1], NA_character_)
  e <- tryCatch(origin_at_age(rbind(persons1, persons1[2, ]), addresses1),
                spreiding_error = identity)
  expect_match(conditionMessage(e), "id \\(2\\) is in rows 2 and 7")
})

test_that("register: first registration per outcome, censoring, no-date rows", {
  p <- data.frame(id = c(3, 1, 2, 4))
  r <- data.frame(
    id = c(1, 1, 1, 2, 2, 3, 9, 4),
    type = c("huisarts", "arts", "arts", "arts", "tandarts", "huisarts", "arts", "arts"),
    date = day(c("2015-01-01", "2010-06-01", "2009-01-01", "2012-01-01",
                 "2000-01-01", NA, "2000-01-01", "2030-01-01"))
  )
  x <- link_register(p, r)
  expect_identical(x$became_doctor, c(FALSE, TRUE, TRUE, TRUE))
  expect_identical(x$doctor_date, day(c(NA, "2009-01-01", "2012-01-01", "2030-01-01")))
  expect_identical(x$became_gp, c(TRUE, TRUE, FALSE, FALSE))
  expect_identical(x$gp_date, day(c(NA, "2015-01-01", NA, NA)))
  y <- link_register(p, r, censor = day("2012-12-31"))
  expect_identical(y$became_doctor, c(FALSE, TRUE, TRUE, FALSE))
  expect_identical(y$became_gp, c(TRUE, FALSE, FALSE, FALSE))
  z <- link_register(p, r, outcomes = c(dentist = "tandarts"))
  expect_identical(z$became_dentist, c(FALSE, FALSE, TRUE, FALSE))
  expect_snapshot(error = TRUE, {
    link_register(p, r, outcomes = c("arts"))
    link_register(p, r, censor = "2020-01-01")
    link_register(p, r[-2])
  })
})

test_that("link_cohort: keys, origin, PC4/PC2, cohorts, register, report", {
  s <- data.frame(
    RINPERSOONS = "R",
    RINPERSOON = c("000000001", "000000002", "", "000000004", "000000005"),
    birth_date = day(c("1984-03-10", "1985-11-02", "1984-01-01", "1996-02-29", NA)),
    sex = c("f", "m", "f", "m", "f"),
    year = c(2002L, 2004L, 2002L, 2014L, 2015L)
  )
  a <- data.frame(
    RINPERSOONS = "R",
    RINPERSOON = c("000000001", "000000002", "000000002", "000000004", "000000007"),
    start = day(c("1984-03-10", "1985-11-02", "2001-01-01", "2012-02-29", "1980-01-01")),
    end = day(c(NA, NA, "2002-01-01", NA, NA)),
    postcode = c("9711AB", "3511CD", "1012JS", "unknown", "1011AA")
  )
  r <- data.frame(RINPERSOONS = "R",
                  RINPERSOON = c("000000001", "000000001", "000000002", "000000009"),
                  type = c("arts", "huisarts", "arts", "arts"),
                  date = day(c("2008-09-01", "2013-01-01", "2011-01-01", "2011-01-01")))
  x <- link_cohort(s, a, r)
  expect_named(x, c("RINPERSOONS", "RINPERSOON", "year", "cohort", "sex", "pc4",
                    "pc2", "origin_status", "became_doctor", "doctor_date",
                    "became_gp", "gp_date"))
  expect_identical(x$RINPERSOON, c("000000001", "000000002", "000000004", "000000005"))
  expect_identical(x$pc4, c(9711L, 1012L, NA, NA))
  expect_identical(x$pc2, c(97L, 10L, NA, NA))
  expect_identical(x$cohort, c("2000-2010", "2000-2010", "2011-2024", "2011-2024"))
  expect_identical(as.character(x$origin_status),
                   c("found", "overlap_resolved", "found", "no_birth_date"))
  expect_identical(x$became_doctor, c(TRUE, TRUE, FALSE, FALSE))
  expect_identical(x$became_gp, c(TRUE, FALSE, FALSE, FALSE))
  rep <- linkage_report(x)
  n <- function(status) rep$n[rep$status == status]
  expect_identical(n("students"), 5L)
  expect_identical(n("excluded: no valid pseudonymised key"), 1L)
  expect_identical(n("found"), 2L)
  expect_identical(n("origin not a postcode"), 1L)
  expect_identical(n("address spells of other persons"), 1L)
  expect_identical(n("register rows of other persons"), 1L)
  expect_identical(n("became_doctor"), 2L)
  expect_error(linkage_report(s), class = "spreiding_error")
  expect_identical(link_cohort(s, a, r, gap = "before")$pc4[4], NA_integer_)
  expect_error(link_cohort(s, a, r, gapp = "before"), class = "spreiding_error")
})

test_that("origin_at_age equals a data.table non-equi join on random data", {
  skip_if_not_installed("data.table")
  set.seed(11)
  n <- 1e5
  persons <- data.frame(id = sample(n * 3, n),
                        birth_date = day("1960-01-01") + sample(0:16000, n, TRUE))
  persons$birth_date[sample(n, 50)] <- NA
  k <- rpois(n, 4)
  a <- data.frame(id = rep(persons$id, k))
  a$start <- persons$birth_date[match(a$id, persons$id)] +
    round(runif(nrow(a), -2000, 9000))
  a$start[is.na(a$start)] <- day("1970-01-01")
  a$end <- a$start + round(rexp(nrow(a), 1 / 2500))
  a$end[sample(nrow(a), nrow(a) %/% 5)] <- NA
  a$postcode <- sample(1011:9999, nrow(a), TRUE)
  a <- a[sample(nrow(a)), ]
  mine <- origin_at_age(persons, a, region = "postcode")
  # data.table's `:=` and joins need a caller that data.table recognises as
  # data.table-aware; under R CMD check the test's environment is not one.
  reference <- function(persons, a) {
  dt <- data.table::as.data.table(a)
  dt[, row := .I]
  dt[, end2 := data.table::fifelse(is.na(end), day("9999-12-31"), end)]
  p <- data.table::as.data.table(persons)
  lt <- as.POSIXlt(p$birth_date)
  y <- lt$year + 1900 + 16
  d <- lt$mday
  d[!is.na(d) & lt$mon == 1 & d == 29 &
      !((y %% 4 == 0 & y %% 100 != 0) | y %% 400 == 0)] <- 28
  p[, ref := as.Date(ifelse(is.na(birth_date), NA,
                            sprintf("%04d-%02d-%02d", y, lt$mon + 1, d)))]
  p[, pos := .I]
  j <- dt[p[!is.na(ref)], on = .(id, start <= ref, end2 > ref), nomatch = NULL,
          .(pos, row = x.row, s = x.start, e = x.end2, postcode = x.postcode)]
  data.table::setorder(j, pos, -s, -e, -row)
  cnt <- j[, .N, by = pos]
  best <- j[!duplicated(pos)]
  ref_origin <- rep(NA_integer_, n)
  ref_origin[best$pos] <- best$postcode
  status <- rep("no_address", n)
  status[cnt$pos] <- ifelse(cnt$N > 1, "overlap_resolved", "found")
  status[is.na(persons$birth_date)] <- "no_birth_date"
  list(origin = ref_origin, status = status)
  }
  environment(reference) <- list2env(list(n = n, day = day), parent = globalenv())
  ref <- reference(persons, a)
  ref_origin <- ref$origin
  status <- ref$status
  expect_identical(mine$origin, ref_origin)
  expect_identical(as.character(mine$origin_status), status)
  expect_gt(sum(status == "overlap_resolved"), 1000)
})
