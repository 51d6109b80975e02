# Synthetic cohorts of medical students, calibrated to the published tables
# of Mulder (2025). Real CBS microdata never leave CBS Remote Access, so
# examples, demos and vignettes run on these instead. Everything is drawn
# vectorised in R; the calibration targets are computed from the shipped
# datasets mulder2025_pc2, mulder2025_table1 and pc4_population.

#' Simulate a synthetic cohort of first-year medical students
#'
#' Draws a **synthetic** population of first-year medicine students, their
#' address histories and their BIG registrations, in the shape of the CBS
#' microdata that Mulder (2025) analysed. Linking the three tables (the
#' postcode of the address at age 16; registered as doctor or GP by the end
#' of 2024) and tabulating per postcode-2 area reproduces the published
#' tables: the number of students per area exactly, the numbers of doctors
#' and GPs in expectation.
#'
#' **The data are synthetic.** No record describes a real person. The
#' person numbers are random, and the addresses are drawn from CBS
#' population counts per postcode-4 area ([pc4_population]), with two
#' random letters. Only the published aggregates of the report are
#' reproduced. Use the result for examples, tests and teaching, never as a
#' source of facts about individuals or small areas.
#'
#' @section Calibration targets:
#' For each cohort, computed from the shipped tables [mulder2025_pc2] and
#' [mulder2025_table1]:
#'
#' * **Cohort size**: 24,393 students (2000-2010) and 33,565 (2011-2024),
#'   times `scale`, rounded half away from zero.
#' * **Students per PC2 area**: as in appendix 1 (2000-2010) and appendix 2
#'   (2011-2024), times `scale`, rounded by the largest-remainder method so
#'   that the areas sum to the scaled number of students with a known PC2
#'   (22,491 and 31,665 at `scale = 1`). Every one of these students has an
#'   address on the day they turn 16, so the count per area is exact.
#' * **Unknown origin**: the other students (1,902 and 1,900 at
#'   `scale = 1`) have no address at age 16, in the ways real data lack
#'   one: no birth date (the few students of unknown sex: persons missing
#'   from the population register), first address after the 16th birthday
#'   (arrived later), or a gap in the address history around it (lived
#'   abroad for a while).
#' * **Sex**: the counts of Table 1 (men, women, unknown), and for
#'   2000-2010 the counts per area of appendix 8 (the blinded areas 87 and
#'   91 and the students of unknown origin share the remainder at random).
#' * **Doctors**: each student becomes a doctor independently (Bernoulli)
#'   with a probability that depends on the area and sex. 2000-2010: the
#'   rate per area and sex of appendix 8. For areas 87 and 91, the area
#'   rate of appendix 1, split between the sexes with the national ratio of
#'   Table 1. 2011-2024: the area rate of appendix 2, split the same way.
#'   Students of unknown origin get the residual rate per sex, so that the
#'   expected national count per sex is that of Table 1 (for example,
#'   1,465 doctors among the 1,902 students of unknown origin of
#'   2000-2010). Students of unknown sex never become doctors, as in
#'   Table 1.
#' * **GPs** (huisartsen), drawn among the doctors. 2000-2010: the GP rate
#'   per area of appendix 1. It is split between the sexes with the national
#'   share of GPs among doctors of each sex in Table 1 (4,053 of 14,365
#'   women, 1,451 of 6,680 men), scaled so that each area's expected number
#'   of GPs is the published one; students of unknown origin again take the
#'   residual. 2011-2024: 619 GPs nationally, with the share of GPs among
#'   doctors of each sex from Table 1.
#'
#' So the expected number of doctors and GPs per area is exactly the
#' published number (at `scale = 1`), and the observed number differs from
#' it by binomial sampling error only.
#'
#' @section Assumptions:
#' The report publishes aggregates only; the rest is assumed:
#'
#' * **Intake** rises modestly: the number of first-year students grows
#'   linearly by 2% of the first year's intake per year within each cohort.
#' * **Age**: on 1 September of the first year (the start of study) a
#'   student is 17 (12%), 18 (58%), 19 (22%) or 20 (8%), with the birthday
#'   uniform within that year of age.
#' * **Registration**: a doctor registers as *arts* 6 to 7 years after the
#'   start of study, a GP registers as *huisarts* 3 to 6 years after that
#'   (uniform); no date is after 31 December 2024. About 5% of doctors have
#'   a second *arts* row five years after the first (re-registration).
#'   2000-2010 starters have had time for both, so their year of study does
#'   not depend on the outcome. Of the 2011-2024 cohort only those who
#'   started up to 2018 can be doctors, and only those who started up to
#'   2014 can be GPs: a student's first year is drawn given the outcome, so
#'   that doctors come from the early years (fewer from 2017 and 2018) and
#'   GPs from the earliest (2011-2014), while the intake per year keeps the
#'   assumed overall trend. The published counts and rates per area are
#'   unaffected.
#' * **Address history**: a spell from birth; 0 to 3 moves before age 16;
#'   the spell that covers the 16th birthday (the origin, in a PC4 area of
#'   the student's PC2 drawn in proportion to its 2021 population); a move
#'   near the start of study (70%, in August, to a PC4 area of a city with a
#'   medical faculty) or one to five years later (30%, students who first
#'   stay at home); up to three later moves, one to four years apart. Most
#'   histories end with an open spell (`end` is `NA`); 3% end with
#'   emigration. Earlier homes lie in the same PC2 area in 60% of cases.
#' * **Irregular histories** among students of known origin, as in real
#'   address registers: about 5% moved in the half year before their 16th
#'   birthday, 4% moved (not to study) in the half year after it, a few
#'   moved on the birthday itself, and about 2% have an overlap: the
#'   previous spell was closed only after the move, so two spells cover the
#'   16th birthday. The overlaps are built so that the rule "take the spell
#'   with the latest start" gives the true origin.
#' * **Register**: besides the cohort, the register holds other doctors
#'   and GPs (10% as many persons as there are students), whose person
#'   numbers are not in `students`, as a real BIG extract would.
#'
#' @param cohorts Which cohorts to simulate: one or both of `"2000-2010"`
#'   and `"2011-2024"`.
#' @param scale A positive number: the size of the simulated cohorts
#'   relative to the real ones. `1` gives the published sizes (57,958
#'   students for both cohorts); `0.1` one tenth. Sizes per area are
#'   rounded, so small scales give coarse areas.
#' @param seed `NULL` to draw from the current random number stream, or a
#'   whole number. With a seed the result is the same on every run and
#'   platform (the Mersenne-Twister generator with R's default sampling is
#'   used), and the caller's random number state is left untouched.
#'
#' @return A list of three data frames, in the shape of the CBS microdata:
#' \describe{
#'   \item{`students`}{One row per student, sorted by `year` and
#'     `RINPERSOON`: `RINPERSOONS` (character, `"R"`), `RINPERSOON`
#'     (character, 9 digits, unique), `birth_date` (Date, `NA` for a few),
#'     `sex` (character, `"m"`, `"f"` or `NA` where unknown) and `year`
#'     (integer, first year of study).}
#'   \item{`addresses`}{One row per address spell, sorted by person and
#'     start: `RINPERSOONS`, `RINPERSOON`, `start` (Date), `end` (Date,
#'     `NA` while the person still lives there) and `postcode` (character,
#'     a six-position postcode such as `"3511AB"`). A spell covers the days
#'     `start <= d < end`.}
#'   \item{`register`}{BIG registrations, sorted by person and date:
#'     `RINPERSOONS`, `RINPERSOON`, `type` (`"arts"` for a doctor,
#'     `"huisarts"` for a GP, who also has an earlier `"arts"` row) and
#'     `date` (Date).}
#' }
#'
#' @source Calibrated to L. Mulder (2025), Regional origin of medical
#'   students 2000-2024, UMC Utrecht (see [mulder2025_pc2] and
#'   [mulder2025_table1]); addresses drawn from CBS population per PC4 area
#'   ([pc4_population], Bron: CBS, CC BY 4.0).
#' @seealso [link_cohort()] to link the three tables;
#'   [mulder2025_pc2], [mulder2025_table1] and [pc4_population] for the
#'   targets.
#' @export
#' @examples
#' sim <- simulate_cohort("2000-2010", scale = 0.05, seed = 1)
#' lapply(sim, head, 3)
#'
#' # postcode at age 16, and registered as doctor or GP by the end of 2024
#' linked <- link_cohort(sim$students, sim$addresses, sim$register)
#' table(linked$origin_status)
#'
#' # students and doctors per PC2 area beside 5% of the published counts
#' pc2 <- mulder2025_pc2
#' area <- factor(linked$pc2, levels = pc2$pc2)
#' head(data.frame(
#'   pc2 = pc2$pc2,
#'   students = tabulate(area, nlevels(area)),
#'   expected = 0.05 * pc2$students_2000_2010,
#'   doctors = tabulate(area[linked$became_doctor], nlevels(area)),
#'   expected_doctors = 0.05 * pc2$doctors_2000_2010
#' ))
simulate_cohort <- function(cohorts = c("2000-2010", "2011-2024"), scale = 1,
                            seed = NULL) {
  call <- sys.call()
  cohorts <- sim_check_cohorts(cohorts, call)
  sim_check_scale(scale, call)
  sim_check_seed(seed, call)
  if (!is.null(seed)) {
    restore <- sim_local_seed(seed)
    on.exit(restore(), add = TRUE)
  }

  pc2 <- spreiding::mulder2025_pc2
  table1 <- spreiding::mulder2025_table1
  pc4 <- spreiding::pc4_population

  parts <- lapply(cohorts, sim_students, scale = scale, pc2 = pc2,
                  table1 = table1)
  st <- do.call(rbind, parts)
  n <- nrow(st)

  n_extra <- as.integer(round_half_away(sim_par$extra_register * n))
  rin <- sprintf("%09d", sample.int(1e9L, n + n_extra) - 1L)
  st$rin <- rin[seq_len(n)]

  addresses <- sim_addresses(st, pc4)
  register <- sim_register(st, rin[n + seq_len(n_extra)])

  students <- data.frame(
    RINPERSOONS = rep.int("R", n),
    RINPERSOON = st$rin,
    birth_date = sim_as_date(st$birth),
    sex = c("m", "f", NA_character_)[st$sex],
    year = as.integer(st$year),
    stringsAsFactors = FALSE
  )
  students <- students[order(students$year, students$RINPERSOON,
                              method = "radix"), ]
  rownames(students) <- NULL

  list(students = students, addresses = addresses, register = register)
}

# The cohorts and the columns of mulder2025_pc2 that describe them. The
# shapes give, per first year, the relative chance of having become doctor
# (and GP) by the end of 2024; they are scaled to the published national
# counts.
sim_cohort_defs <- list(
  "2000-2010" = list(
    years = 2000:2010,
    students = "students_2000_2010",
    doctors = "doctors_2000_2010",
    gps = "gps_2000_2010",
    students_by_sex = c("students_m_2000_2010", "students_f_2000_2010"),
    doctors_by_sex = c("doctors_m_2000_2010", "doctors_f_2000_2010"),
    doctor_shape = rep(1, 11),
    gp_shape = rep(1, 11)
  ),
  "2011-2024" = list(
    years = 2011:2024,
    students = "students_2011_2024",
    doctors = "doctors_2011_2024",
    gps = NULL,
    students_by_sex = NULL,
    doctors_by_sex = NULL,
    doctor_shape = c(1, 1, 1, 1, 1, 1, 0.8, 0.35, 0, 0, 0, 0, 0, 0),
    gp_shape = c(1, 0.8, 0.55, 0.3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
  )
)

# The assumptions, in one place (days are days; shares are probabilities).
sim_par <- list(
  intake_growth = 0.02,
  age_at_start = c(`17` = 0.12, `18` = 0.58, `19` = 0.22, `20` = 0.08),
  doctor_days = c(2192L, 2557L),    # 6 to 7 years after 1 September
  gp_days = c(1096L, 2192L),        # 3 to 6 years after the arts row
  reregistration = 0.05,
  extra_register = 0.10,
  moves_before_16 = c(0.35, 0.35, 0.20, 0.10),   # 0, 1, 2, 3 moves
  moves_after_study = c(0.30, 0.35, 0.25, 0.10), # 0, 1, 2, 3 moves
  same_pc2_before = 0.6,
  same_pc2_after_16 = 0.5,
  move_before_16 = 0.05,
  move_after_16 = 0.04,
  move_on_16 = 0.003,
  overlap = 0.02,
  leave_at_start = 0.7,
  emigrate = 0.03,
  late_arrival = 0.55,
  nobirth_address = 0.5,
  # medical faculties: Amsterdam (two), Leiden, Rotterdam, Utrecht,
  # Nijmegen, Maastricht, Groningen
  study_pc2 = c(10L, 23L, 30L, 35L, 65L, 62L, 97L),
  study_weight = c(2, 1, 1, 1, 1, 1, 1),
  cutoff = as.numeric(as.Date("2024-12-31"))
)

sim_cohort_names <- names(sim_cohort_defs)

# Argument checks ----------------------------------------------------------

sim_check_cohorts <- function(cohorts, call) {
  choices <- paste0("\"", sim_cohort_names, "\"", collapse = " and ")
  if (!is.character(cohorts) || length(cohorts) == 0 || anyNA(cohorts)) {
    stop_spreiding(
      paste0("`cohorts` must be one or both of ", choices, ", not ",
             if (is.character(cohorts) && length(cohorts) > 0) "NA"
             else sim_describe(cohorts), "."),
      arg = "cohorts", call = call)
  }
  bad <- setdiff(cohorts, sim_cohort_names)
  if (length(bad) > 0) {
    stop_spreiding(
      paste0("`cohorts` must be one or both of ", choices, ", not \"",
             bad[1], "\".", did_you_mean(bad[1], sim_cohort_names)),
      arg = "cohorts", call = call)
  }
  sim_cohort_names[sim_cohort_names %in% cohorts]
}

sim_check_scale <- function(scale, call) {
  if (!is.numeric(scale) || length(scale) != 1 || is.na(scale) ||
      !is.finite(scale) || scale <= 0) {
    what <- if (is.numeric(scale) && length(scale) == 1) format(scale)
            else sim_describe(scale)
    stop_spreiding(paste0("`scale` must be a single positive number, not ",
                          what, "."), arg = "scale", call = call)
  }
  if (scale * 57958 > 1e8) {
    stop_spreiding(paste0("`scale` must be at most ", 1e8 %/% 57958,
                          " (over 100 million students), not ",
                          format(scale), "."), arg = "scale", call = call)
  }
}

sim_check_seed <- function(seed, call) {
  if (is.null(seed)) return(invisible())
  if (!is.numeric(seed) || length(seed) != 1 || is.na(seed) ||
      !is.finite(seed) || seed != trunc(seed) ||
      abs(seed) > .Machine$integer.max) {
    what <- if (is.numeric(seed) && length(seed) == 1) format(seed)
            else sim_describe(seed)
    stop_spreiding(paste0("`seed` must be NULL or a single whole number, not ",
                          what, "."), arg = "seed", call = call)
  }
}

# Seed the generator for the rest of the caller, and return a function that
# puts the caller's generator (kind and state) back as it was.
sim_local_seed <- function(seed) {
  env <- globalenv()
  kind <- RNGkind()
  had_seed <- exists(".Random.seed", envir = env, inherits = FALSE)
  old_seed <- if (had_seed) get(".Random.seed", envir = env, inherits = FALSE)
  set.seed(seed, kind = "Mersenne-Twister", normal.kind = "Inversion",
           sample.kind = "Rejection")
  function() {
    suppressWarnings(RNGkind(kind[1], kind[2], kind[3]))
    if (had_seed) {
      assign(".Random.seed", old_seed, envir = env)
    } else if (exists(".Random.seed", envir = env, inherits = FALSE)) {
      rm(".Random.seed", envir = env)
    }
  }
}

# Helpers ------------------------------------------------------------------

# "a character", "an empty character vector", "a numeric vector of length 2"
sim_describe <- function(x) {
  if (is.null(x) || length(x) == 1) return(describe(x))
  if (length(x) == 0) return(paste("an empty", class(x)[1], "vector"))
  paste0(describe(x), " vector of length ", length(x))
}

# Round non-negative `x` to integers summing to `total`: floors first, the
# rest to the largest remainders (ties to the first). Deterministic.
sim_largest_remainder <- function(x, total) {
  if (length(x) == 0) return(integer())
  fl <- floor(x + 1e-9)
  rest <- as.integer(total - sum(fl))
  if (rest > 0) {
    top <- order(-(x - fl), seq_along(x))[seq_len(rest)]
    fl[top] <- fl[top] + 1
  } else if (rest < 0) {
    top <- order(x - fl, -seq_along(x))
    top <- top[fl[top] > 0][seq_len(-rest)]
    fl[top] <- fl[top] - 1
  }
  as.integer(fl)
}

sim_as_date <- function(days) structure(as.numeric(days), class = "Date")

# Days since 1970-01-01 of a calendar date, vectorised arithmetic (the
# days-from-civil algorithm of H. Hinnant, proleptic Gregorian calendar).
sim_ymd <- function(y, m, d) {
  y <- y - (m <= 2)
  era <- y %/% 400
  yoe <- y - era * 400
  doy <- (153 * ((m + 9) %% 12) + 2) %/% 5 + d - 1
  doe <- yoe * 365 + yoe %/% 4 - yoe %/% 100 + doy
  as.numeric(era * 146097 + doe - 719468)
}

sim_sep1 <- function(year) sim_ymd(year, 9, 1)

# Uniform whole number of days in lo..hi (vectors; hi >= lo).
sim_uniform_days <- function(n, lo, hi) {
  lo + floor(stats::runif(n) * (hi - lo + 1))
}

# The day a person born on `birth` (days since 1970) turns `age`; 29
# February becomes 28 February in years that are not leap years.
sim_birthday <- function(birth, age) {
  out <- rep(NA_real_, length(birth))
  ok <- !is.na(birth)
  lt <- as.POSIXlt(sim_as_date(birth[ok]))
  y <- lt$year + 1900L + age
  m <- lt$mon + 1L
  d <- lt$mday
  leap <- (y %% 4L == 0L & y %% 100L != 0L) | y %% 400L == 0L
  d[m == 2L & d == 29L & !leap] <- 28L
  out[ok] <- sim_ymd(y, m, d)
  out
}

# Students -----------------------------------------------------------------

# One cohort's students: origin PC2 (NA unknown), sex (1 m, 2 f, 3
# unknown), first year, birth date, and registration dates (NA if none).
sim_students <- function(cohort, scale, pc2, table1) {
  def <- sim_cohort_defs[[cohort]]
  t1 <- table1[table1$cohort == cohort, ]
  total <- t1[t1$variable == "total", ]
  sx <- t1[t1$variable == "sex", ][
    match(c("male", "female", "unknown"), t1$category[t1$variable == "sex"]), ]
  sex_students <- sx$students
  sex_doctors <- ifelse(is.na(sx$doctors), 0, sx$doctors)
  sex_gps <- ifelse(is.na(sx$gps), 0, sx$gps)

  # composition: origin
  pub_students <- pc2[[def$students]]
  n_all <- as.integer(round_half_away(scale * total$students))
  n_known <- min(as.integer(round_half_away(scale * sum(pub_students))), n_all)
  n_g <- sim_largest_remainder(scale * pub_students, n_known)
  n_unknown <- n_all - n_known
  g <- c(rep.int(seq_len(nrow(pc2)), n_g), rep.int(NA_integer_, n_unknown))
  known <- !is.na(g)

  # composition: sex, fixed per area where published, the rest at random
  sex_total <- sim_largest_remainder(scale * sex_students, n_all)
  sex <- rep.int(NA_integer_, n_all)
  fixed_m <- fixed_f <- integer(nrow(pc2))
  if (!is.null(def$students_by_sex)) {
    pub_m <- pc2[[def$students_by_sex[1]]]
    pub_f <- pc2[[def$students_by_sex[2]]]
    by_sex <- !is.na(pub_m)
    fixed_m[by_sex] <- as.integer(round_half_away(
      n_g[by_sex] * pub_m[by_sex] / (pub_m[by_sex] + pub_f[by_sex])))
    fixed_f[by_sex] <- n_g[by_sex] - fixed_m[by_sex]
    pos <- c(sequence(n_g), integer(n_unknown))
    fix <- known & by_sex[pmax(g, 1L)]
    sex[fix] <- ifelse(pos[fix] <= fixed_m[g[fix]], 1L, 2L)
  }
  rest <- pmax(sex_total - c(sum(fixed_m), sum(fixed_f), 0L), 0L)
  unknown_slots <- which(!known)
  n_u <- min(rest[3], length(unknown_slots))
  sex[unknown_slots[sample.int(length(unknown_slots), n_u)]] <- 3L
  free <- which(is.na(sex))
  mf <- rest[1:2]
  if (sum(mf) != length(free)) {
    share <- if (sum(mf) > 0) mf / sum(mf)
             else sex_students[1:2] / sum(sex_students[1:2])
    mf <- sim_largest_remainder(length(free) * share, length(free))
  }
  sex[free] <- rep.int(1:2, mf)[sample.int(length(free))]

  # chance of becoming doctor: national by sex, area by area
  q <- sex_doctors[1:2] / sex_students[1:2]
  qi <- c(q, 0)[sex]
  area_rate <- pc2[[def$doctors]] / pub_students
  p <- sim_area_rates(qi, g, known, area_rate, nrow(pc2))
  if (!is.null(def$doctors_by_sex)) {
    pub_m <- pc2[[def$students_by_sex[1]]]
    pub_f <- pc2[[def$students_by_sex[2]]]
    rate_m <- pc2[[def$doctors_by_sex[1]]] / pub_m
    rate_f <- pc2[[def$doctors_by_sex[2]]] / pub_f
    fix <- known & !is.na(rate_m[pmax(g, 1L)])
    p[fix] <- ifelse(sex[fix] == 1L, rate_m[g[fix]], rate_f[g[fix]])
  }
  p <- sim_residual(p, known, sex, target = q * tabulate(sex, 3L)[1:2],
                    weight = rep.int(1, n_all))

  # chance of becoming GP, given doctor
  h <- sex_gps[1:2] / sex_doctors[1:2]
  hi <- c(h, 0)[sex]
  if (!is.null(def$gps)) {
    gp_rate <- pc2[[def$gps]] / pub_students
    pg <- sim_area_rates(p * hi, g, known, gp_rate, nrow(pc2))
    pg <- ifelse(p > 0, pmin(pg / p, 1), 0)
    pg <- sim_residual(pg, known, sex,
                       target = h * q * tabulate(sex, 3L)[1:2], weight = p)
  } else {
    pg <- hi
  }
  u <- stats::runif(n_all)
  doctor <- u < p
  gp <- doctor & stats::runif(n_all) < pg

  # first year, given the outcome
  years <- def$years
  w <- 1 + sim_par$intake_growth * (years - years[1])
  w <- w / sum(w)
  p_doc <- sum(total$doctors) / total$students
  p_gp <- sum(total$gps) / total$students
  pi_y <- def$doctor_shape * p_doc / sum(w * def$doctor_shape)
  gamma_y <- def$gp_shape * p_gp / sum(w * def$gp_shape)
  if (any(pi_y > 1) || any(gamma_y > pi_y)) {
    stop_spreiding_internal(paste0(
      "simulate_cohort(): the doctor and GP year shapes of cohort ", cohort,
      " do not fit the published counts (R/simulate.R); please report."))
  }
  outcome <- 1L + doctor + gp  # 1 neither, 2 doctor not GP, 3 GP
  year_prob <- list(w * (1 - pi_y), w * (pi_y - gamma_y), w * gamma_y)
  year <- integer(n_all)
  for (k in 1:3) {
    idx <- which(outcome == k)
    if (length(idx) > 0) {
      year[idx] <- years[sample.int(length(years), length(idx), replace = TRUE,
                                    prob = year_prob[[k]])]
    }
  }

  # birth date from the age on 1 September of the first year
  start <- sim_sep1(year)
  age <- as.integer(names(sim_par$age_at_start))[
    sample.int(4L, n_all, replace = TRUE, prob = sim_par$age_at_start)]
  birth <- sim_sep1(year - age) - sample.int(365L, n_all, replace = TRUE) + 1
  birth[sex == 3L] <- NA

  # registration dates, every one by the end of 2024
  cutoff <- sim_par$cutoff
  dd <- sim_par$doctor_days
  gd <- sim_par$gp_days
  doctor_hi <- pmin(dd[2], cutoff - start - ifelse(gp, gd[1], 0))
  doctor_date <- start + sim_uniform_days(n_all, dd[1], pmax(doctor_hi, dd[1]))
  gp_hi <- pmin(gd[2], cutoff - doctor_date)
  gp_date <- doctor_date + sim_uniform_days(n_all, gd[1], pmax(gp_hi, gd[1]))
  rereg_date <- doctor_date + 1826 + sample.int(181L, n_all, replace = TRUE) - 1
  rereg <- stats::runif(n_all) < sim_par$reregistration & rereg_date <= cutoff
  doctor_date[!doctor] <- NA
  gp_date[!gp] <- NA
  rereg_date[!(doctor & rereg)] <- NA
  if (any(c(doctor_date, gp_date) > cutoff, na.rm = TRUE)) {
    stop_spreiding_internal(paste0(
      "simulate_cohort(): a registration after 2024 (R/simulate.R); ",
      "please report."))
  }

  data.frame(pc2 = pc2$pc2[g], sex = sex, year = year, birth = birth,
             start = start, doctor_date = doctor_date, gp_date = gp_date,
             rereg_date = rereg_date)
}

# Per-student probabilities c_g * base_i, with c_g chosen per area so that
# the area's expected count, sum(c_g * base_i), is area_rate[g] times its
# number of students. Students of unknown origin get 0 here.
sim_area_rates <- function(base, g, known, area_rate, n_areas) {
  out <- numeric(length(base))
  if (!any(known)) return(out)
  gk <- g[known]
  denom <- as.numeric(rowsum(base[known], gk, reorder = TRUE))
  areas <- sort(unique(gk))
  size <- tabulate(gk, n_areas)[areas]
  c_g <- numeric(n_areas)
  c_g[areas] <- ifelse(denom > 0, area_rate[areas] * size / denom, 0)
  out[known] <- pmin(c_g[gk] * base[known], 1)
  out
}

# Residual probability per sex for students of unknown origin (sex 1 or 2;
# sex 3 stays 0): what the known students leave of `target` (the expected
# national count per sex), spread over the unknown-origin students'
# `weight`.
sim_residual <- function(p, known, sex, target, weight) {
  for (s in 1:2) {
    unk <- !known & sex == s
    if (!any(unk) || sum(weight[unk]) <= 0) next
    left <- target[s] - sum((p * weight)[known & sex == s])
    p[unk] <- min(max(left / sum(weight[unk]), 0), 1)
  }
  p[!known & sex == 3L] <- 0
  p
}

# Addresses ----------------------------------------------------------------

# Spell roles
sim_role <- c(birth = 1L, pre = 2L, post16 = 3L, study = 4L, later = 5L,
              arrival = 6L, return = 7L)

sim_addresses <- function(st, pc4) {
  n <- nrow(st)
  if (n == 0) {
    no_date <- sim_as_date(numeric())
    return(data.frame(RINPERSOONS = character(), RINPERSOON = character(),
                      start = no_date, end = no_date, postcode = character(),
                      stringsAsFactors = FALSE))
  }
  cutoff <- sim_par$cutoff
  b <- st$birth
  r <- sim_birthday(b, 16L)
  known <- !is.na(st$pc2)
  nobirth <- is.na(b)
  late <- !known & !nobirth & stats::runif(n) < sim_par$late_arrival
  gap <- !known & !nobirth & !late
  history <- known | gap

  # irregular histories among the students of known origin (disjoint)
  v <- stats::runif(n)
  ov <- known & v < sim_par$overlap
  after16 <- known & !ov & v < sim_par$overlap + sim_par$move_after_16
  before16 <- known & stats::runif(n) < sim_par$move_before_16
  on16 <- known & stats::runif(n) < sim_par$move_on_16

  ids <- seq_len(n)
  pieces <- list()
  add <- function(id, start, role) {
    pieces[[length(pieces) + 1L]] <<- list(id = id, start = start,
                                          role = rep.int(role, length(id)))
  }

  # birth spell and moves before 16 (gap students: not on the birthday)
  h <- ids[history]
  add(h, b[h], sim_role[["birth"]])
  k <- sample.int(4L, n, replace = TRUE, prob = sim_par$moves_before_16) - 1L
  k[!history] <- 0L
  k[ov] <- pmax(k[ov], 1L)
  pre <- rep.int(ids, k)
  span <- r[pre] - b[pre] - gap[pre]
  add(pre, b[pre] + ceiling(stats::runif(length(pre)) * span),
      sim_role[["pre"]])
  i <- ids[before16]
  add(i, r[i] - sample.int(180L, length(i), replace = TRUE), sim_role[["pre"]])
  i <- ids[on16]
  add(i, r[i], sim_role[["pre"]])
  i <- ids[after16]
  add(i, r[i] + sample.int(180L, length(i), replace = TRUE),
      sim_role[["post16"]])
  i <- ids[gap]
  add(i, r[i] + sample.int(300L, length(i), replace = TRUE),
      sim_role[["return"]])

  # the move to study, at the start or some years later
  at_start <- stats::runif(n) < sim_par$leave_at_start
  study <- ifelse(at_start,
                  st$start - sample.int(61L, n, replace = TRUE) + 1,
                  st$start + sim_uniform_days(n, 365, 1825))
  add(h, study[h], sim_role[["study"]])

  # arrivals: after the 16th birthday, or (no birth date) to study
  arrival <- rep(NA_real_, n)
  arrival[late] <- r[late] + ceiling(stats::runif(sum(late)) *
                                       (st$start[late] + 30 - r[late]))
  nb <- nobirth & stats::runif(n) < sim_par$nobirth_address
  arrival[nb] <- st$start[nb] - sample.int(61L, sum(nb), replace = TRUE) + 1
  i <- ids[!is.na(arrival)]
  add(i, arrival[i], sim_role[["arrival"]])

  # later moves, one to four years apart
  base <- ifelse(history, study, arrival)
  m <- sample.int(4L, n, replace = TRUE, prob = sim_par$moves_after_study) - 1L
  m[is.na(base)] <- 0L
  later_id <- rep.int(ids, m)
  gaps <- sim_uniform_days(length(later_id), 365, 1460)
  cs <- cumsum(gaps)
  before_group <- c(0, cs)[which(!duplicated(later_id))]
  later <- base[later_id] + cs - rep.int(before_group, m[m > 0])
  add(later_id, later, sim_role[["later"]])

  sp <- list(
    id = unlist(lapply(pieces, `[[`, "id"), use.names = FALSE),
    start = unlist(lapply(pieces, `[[`, "start"), use.names = FALSE),
    role = unlist(lapply(pieces, `[[`, "role"), use.names = FALSE)
  )
  keep <- sp$start <= cutoff
  o <- order(sp$id[keep], sp$start[keep], method = "radix")
  id <- sp$id[keep][o]
  start <- sp$start[keep][o]
  role <- sp$role[keep][o]
  nr <- length(id)
  same_next <- c(id[-1] == id[-nr], FALSE)
  dup <- c(FALSE, same_next[-nr] & start[-1] == start[-nr])
  id <- id[!dup]
  start <- start[!dup]
  role <- role[!dup]
  nr <- length(id)
  same_next <- c(id[-1] == id[-nr], FALSE)

  # end = next start; the last spell stays open, or ends by emigration
  end <- rep(NA_real_, nr)
  end[same_next] <- start[which(same_next) + 1L]
  last <- which(!same_next)
  emi <- last[stats::runif(length(last)) < sim_par$emigrate]
  emi_end <- pmax(start[emi], ifelse(is.na(r[id[emi]]), -Inf, r[id[emi]])) +
    sim_uniform_days(length(emi), 30, 1825)
  end[emi] <- ifelse(emi_end <= cutoff, emi_end, NA)

  # the origin spell: the last one starting on or before the 16th birthday
  covers <- !is.na(r[id]) & start <= r[id]
  origin_row <- history[id] & covers & !c(covers[-1] & same_next[-nr], FALSE)

  # gap: the spell before the return ends on or before the 16th birthday
  ret <- which(role == sim_role[["return"]])
  before <- ret - 1L
  end[before] <- r[id[before]] -
    floor(stats::runif(length(before)) * (r[id[before]] - start[before]))

  # overlap: the spell before the origin ends after the 16th birthday
  orow <- which(origin_row & ov[id])
  prev <- orow - 1L
  end[prev] <- r[id[prev]] + sample.int(200L, length(prev), replace = TRUE)

  # postcode-2 area of each spell
  home <- st$pc2
  home[gap] <- sim_sample_pc2(sum(gap), pc4)
  area <- rep(NA_integer_, nr)   # NA: anywhere, by population
  early <- role %in% sim_role[c("birth", "pre")]
  stay <- stats::runif(nr)
  area[early & stay < sim_par$same_pc2_before] <- home[id][
    early & stay < sim_par$same_pc2_before]
  near <- role %in% sim_role[c("post16", "return")] &
    stay < sim_par$same_pc2_after_16
  area[near] <- home[id][near]
  area[origin_row] <- home[id][origin_row]
  to_study <- role == sim_role[["study"]] |
    (role == sim_role[["arrival"]] & (nobirth[id] | stay < 0.5))
  area[to_study] <- sim_par$study_pc2[sample.int(
    length(sim_par$study_pc2), sum(to_study), replace = TRUE,
    prob = sim_par$study_weight)]

  postcode <- paste0(sim_sample_pc4(area, pc4), sim_letters(nr))

  out <- data.frame(
    RINPERSOONS = rep.int("R", nr),
    RINPERSOON = st$rin[id],
    start = sim_as_date(start),
    end = sim_as_date(end),
    postcode = postcode,
    stringsAsFactors = FALSE
  )
  out <- out[order(out$RINPERSOON, out$start, method = "radix"), ]
  rownames(out) <- NULL
  out
}

# PC2 areas drawn in proportion to their population.
sim_sample_pc2 <- function(n, pc4) {
  pop <- rowsum(as.numeric(pc4$inhabitants), pc4$pc2, reorder = TRUE)
  areas <- as.integer(rownames(pop))
  areas[sample.int(length(areas), n, replace = TRUE, prob = pop[, 1])]
}

# A PC4 area within each given PC2 area (anywhere when NA), drawn in
# proportion to population: one uniform draw on the cumulated population of
# the area's PC4 rows (pc4_population is sorted by pc4, hence by pc2).
sim_sample_pc4 <- function(area, pc4) {
  if (length(area) == 0) return(character())
  pop <- as.numeric(pc4$inhabitants)
  cum <- cumsum(pop)
  first <- match(pc4$pc2, pc4$pc2)
  lo_area <- c(0, cum)[first]                 # population before the area
  tot_area <- as.numeric(rowsum(pop, pc4$pc2, reorder = FALSE))[
    match(pc4$pc2, unique(pc4$pc2))]
  row <- match(area, pc4$pc2)
  lo <- ifelse(is.na(row), 0, lo_area[row])
  tot <- ifelse(is.na(row), cum[length(cum)], tot_area[row])
  hit <- findInterval(lo + stats::runif(length(area)) * tot, cum) + 1L
  last_row <- ifelse(is.na(row), length(cum),
                     length(cum) - match(area, rev(pc4$pc2)) + 1L)
  hit <- pmin(hit, last_row)
  sprintf("%04d", pc4$pc4[hit])
}

# Two letters of a Dutch six-position postcode: never F, I, O, Q, U or Y,
# and never SA, SD or SS.
sim_letters <- function(n) {
  letters20 <- strsplit("ABCDEGHJKLMNPRSTVWXZ", "")[[1]]
  first <- letters20[sample.int(20L, n, replace = TRUE)]
  second_s <- setdiff(letters20, c("A", "D", "S"))
  second <- ifelse(first == "S",
                   second_s[sample.int(length(second_s), n, replace = TRUE)],
                   letters20[sample.int(20L, n, replace = TRUE)])
  paste0(first, second)
}

# Register -----------------------------------------------------------------

sim_register <- function(st, extra_rin) {
  cutoff <- sim_par$cutoff
  n_extra <- length(extra_rin)
  extra_arts <- sim_uniform_days(n_extra, as.numeric(as.Date("1980-01-01")),
                                 cutoff)
  extra_gp <- extra_arts + sim_uniform_days(n_extra, sim_par$gp_days[1],
                                            sim_par$gp_days[2])
  extra_gp[stats::runif(n_extra) >= 0.3 | extra_gp > cutoff] <- NA

  rin <- c(st$rin, st$rin, st$rin, extra_rin, extra_rin)
  type <- rep(c("arts", "huisarts", "arts", "arts", "huisarts"),
              c(nrow(st), nrow(st), nrow(st), n_extra, n_extra))
  date <- c(st$doctor_date, st$gp_date, st$rereg_date, extra_arts, extra_gp)
  keep <- !is.na(date)
  out <- data.frame(
    RINPERSOONS = rep.int("R", sum(keep)),
    RINPERSOON = rin[keep],
    type = type[keep],
    date = sim_as_date(date[keep]),
    stringsAsFactors = FALSE
  )
  out <- out[order(out$RINPERSOON, out$date, out$type, method = "radix"), ]
  rownames(out) <- NULL
  out
}
