# Cohort linkage: the region a person lived in at a given age, from an
# address history, and first registrations from a register (src/link.c).

origin_levels <- c("found", "overlap_resolved", "gap_filled", "no_address",
                   "no_birth_date")

#' Region of residence at a given age, from address histories
#'
#' For every person, finds the address spell that covers the day they turned
#' `age` (16 in the Mulder 2025 study of medical students) and returns its
#' region. The join is one pass in C over the address spells, which may come
#' in any order; persons are indexed by their id once.
#'
#' @section Reference date:
#' The reference date is the person's `age`-th birthday. Someone born on 29
#' February has their birthday on 28 February in years that are not leap
#' years. An address spell covers the dates `start <= d < end`; `end = NA`
#' means the person still lives there.
#'
#' @section Overlaps and gaps:
#' When several spells cover the reference date (registrations overlap),
#' `overlap` chooses: `"latest_start"` takes the spell that started last
#' (ties: the later end, then the later row of `addresses`), `"longest"` the
#' longest spell (an open one is longest; ties: the later start, then the
#' later row), and `"error"` stops, naming the first such person. When no
#' spell covers it, `gap` may fill it: `"before"` takes the last spell that
#' ended before the date, `"after"` the first that starts after it,
#' `"nearest"` whichever is closer (ties go to the one before); `"none"`
#' (the default) leaves the origin missing. A gap is filled only when the
#' distance from the reference date to the spell's nearest covered day is at
#' most `max_gap` days.
#'
#' @section Dates:
#' Dates may be `Date`, `POSIXct` (converted to the calendar date in the time
#' zone stored with the vector, or the session's time zone when none is
#' stored) or numbers of days since 1970-01-01. Character dates are refused:
#' convert them with `as.Date()` first, so that their format is yours to
#' state.
#'
#' @param persons A data frame with one row per person.
#' @param addresses A data frame of address spells, several per person.
#' @param age The age at which to take the address, a whole number.
#' @param id Name of the id column in both tables, or two names for a
#'   two-part key such as CBS's `c("RINPERSOONS", "RINPERSOON")`.
#' @param birth Name of the birth-date column of `persons`.
#' @param start,end Names of the columns of `addresses` with the first day of
#'   a spell and the day after its last day (`NA`: still living there).
#' @param region Name of the column of `addresses` with the region (e.g. the
#'   postcode).
#' @param overlap,gap How to resolve overlapping spells and gaps; see the
#'   section on overlaps and gaps.
#' @param max_gap Largest gap, in days, that `gap` may fill.
#' @return `persons`, in the same order, with two columns added (or
#'   replaced): `origin`, the region at the reference date (of the type of
#'   `addresses[[region]]`), and `origin_status`, a factor with levels
#'   `found`, `overlap_resolved`, `gap_filled`, `no_address` and
#'   `no_birth_date`.
#' @seealso [link_register()], [link_cohort()]
#' @export
#' @examples
#' persons <- data.frame(id = 1:3,
#'                       birth_date = as.Date(c("1990-05-01", "1992-02-29", NA)))
#' addresses <- data.frame(
#'   id = c(1, 1, 2, 2),
#'   start = as.Date(c("1990-05-01", "2004-01-01", "1992-02-29", "2010-06-01")),
#'   end = as.Date(c("2004-01-01", NA, "2008-02-28", NA)),
#'   postcode = c("3511AB", "9711CD", "1012JS", "4331AA")
#' )
#' origin_at_age(persons, addresses, age = 16)
#' # person 2 turned 16 on 28 February 2008, the day their spell ended:
#' origin_at_age(persons, addresses, age = 16, gap = "before")
origin_at_age <- function(persons, addresses, age = 16, id = "id",
                          birth = "birth_date", start = "start", end = "end",
                          region = "postcode",
                          overlap = c("latest_start", "longest", "error"),
                          gap = c("none", "before", "after", "nearest"),
                          max_gap = Inf) {
  call <- sys.call()
  res <- origin_impl(persons, addresses, age, id, birth, start, end, region,
                     overlap, gap, max_gap, call)
  persons$origin <- res$origin
  persons$origin_status <- res$status
  persons
}

origin_impl <- function(persons, addresses, age, id, birth, start, end,
                        region, overlap, gap, max_gap, call) {
  check_frame(persons, "persons", call)
  check_frame(addresses, "addresses", call)
  check_names_arg(id, "id", 1:2, call)
  for (a in c("birth", "start", "end", "region")) {
    check_names_arg(get(a), a, 1, call)
  }
  check_has_columns(persons, c(id, birth), "persons", call)
  check_has_columns(addresses, c(id, start, end, region), "addresses", call)
  age <- check_age(age, call)
  overlap <- arg_choice(overlap, c("latest_start", "longest", "error"),
                        "overlap", call)
  gap <- arg_choice(gap, c("none", "before", "after", "nearest"), "gap", call)
  if (!is.numeric(max_gap) || length(max_gap) != 1 || is.na(max_gap) ||
      max_gap < 0) {
    stop_spreiding("`max_gap` must be a non-negative number of days (or Inf).",
                   arg = "max_gap", call = call)
  }
  keys <- key_columns(persons, addresses, id, "addresses", call)
  birth_days <- date_column(persons, birth, "persons", call)
  start_days <- date_column(addresses, start, "addresses", call)
  end_days <- date_column(addresses, end, "addresses", call)
  # Missing starts and spells that end before they start are refused in C,
  # naming the first such row, without temporary copies of the columns.
  res <- with_call(
    .Call(C_spr_c_origin, keys[[1]], keys[[2]], birth_days, start_days,
          end_days, age, match(overlap, c("latest_start", "longest", "error")),
          match(gap, c("none", "before", "after", "nearest")),
          as.double(max_gap)),
    call
  )
  status <- res[[2]]
  if (any(status == 6L)) {
    first <- which(status == 6L)[1]
    stop_spreiding(paste0("Person ", format_id(persons, id, first), " (row ",
                          first, " of `persons`) has more than one address ",
                          "spell covering their reference date. Use ",
                          "`overlap = \"latest_start\"` or `\"longest\"` to ",
                          "choose one."),
                   arg = "overlap", row = first, call = call)
  }
  list(
    origin = addresses[[region]][res[[1]]],
    status = factor(origin_levels[status], levels = origin_levels),
    unmatched = res[[4]]
  )
}

#' Outcomes from a register: who registered, and when first
#'
#' Adds, for each outcome, whether the person has a registration of that
#' type (such as the BIG register's registrations as doctor, "arts", and as
#' general practitioner, "huisarts") and the date of their first one.
#' Several register rows per person are fine; rows of other types are
#' ignored, and so are rows dated after `censor`. A row without a date
#' counts as a registration at an unknown date: the outcome is `TRUE`, its
#' date `NA` unless a dated row gives one.
#'
#' @inheritParams origin_at_age
#' @param register A data frame with one row per registration.
#' @param type,date Names of the columns of `register` with the registration
#'   type and date.
#' @param outcomes A named character vector: names become the columns
#'   `became_<name>` and `<name>_date`, values are the register types.
#' @param censor `NULL`, or a date: registrations after it are ignored
#'   (for example the date the register was extracted).
#' @return `persons`, in the same order, with the columns `became_<name>`
#'   (logical) and `<name>_date` (Date) for every outcome.
#' @seealso [origin_at_age()], [link_cohort()]
#' @export
#' @examples
#' persons <- data.frame(id = 1:3)
#' register <- data.frame(
#'   id = c(1, 1, 2, 3),
#'   type = c("arts", "huisarts", "arts", "tandarts"),
#'   date = as.Date(c("2008-07-01", "2012-09-01", "2010-01-15", "2009-01-01"))
#' )
#' link_register(persons, register)
#' link_register(persons, register, censor = as.Date("2011-12-31"))
link_register <- function(persons, register, id = "id", type = "type",
                          date = "date",
                          outcomes = c(doctor = "arts", gp = "huisarts"),
                          censor = NULL) {
  call <- sys.call()
  res <- register_impl(persons, register, id, type, date, outcomes, censor,
                       call)
  for (k in names(outcomes)) {
    persons[[paste0("became_", k)]] <- res$has[[k]]
    persons[[paste0(k, "_date")]] <- res$first[[k]]
  }
  persons
}

register_impl <- function(persons, register, id, type, date, outcomes, censor,
                          call) {
  check_frame(persons, "persons", call)
  check_frame(register, "register", call)
  check_names_arg(id, "id", 1:2, call)
  check_names_arg(type, "type", 1, call)
  check_names_arg(date, "date", 1, call)
  check_has_columns(persons, id, "persons", call)
  check_has_columns(register, c(id, type, date), "register", call)
  if (!is.character(outcomes) || length(outcomes) < 1 || anyNA(outcomes) ||
      is.null(names(outcomes)) || any(!nzchar(names(outcomes))) ||
      anyDuplicated(names(outcomes)) ||
      any(make.names(names(outcomes)) != names(outcomes))) {
    stop_spreiding(paste0("`outcomes` must be a named character vector such ",
                          "as `c(doctor = \"arts\", gp = \"huisarts\")`, with ",
                          "distinct, syntactic names."),
                   arg = "outcomes", call = call)
  }
  censor_day <- NA_real_
  if (!is.null(censor)) {
    censor_day <- date_value(censor, "censor", call)
  }
  keys <- key_columns(persons, register, id, "register", call)
  code <- match(as.character(register[[type]]), outcomes)
  days <- date_column(register, date, "register", call)
  res <- with_call(
    .Call(C_spr_c_register, keys[[1]], keys[[2]], code, length(outcomes),
          days, censor_day),
    call
  )
  first <- lapply(res[[1]], function(d) structure(d, class = "Date"))
  names(first) <- names(res[[2]]) <- names(outcomes)
  list(first = first, has = res[[2]], unmatched = res[[3]])
}

#' Link a cohort of students to their origin and to the register
#'
#' The whole linkage of the Mulder (2025) study in one call: students'
#' region at age 16 from their address history ([origin_at_age()]), the
#' postcode-4 and postcode-2 areas derived from it, and whether (and when)
#' they registered as doctor and as GP ([link_register()]). Students without
#' a valid pseudonymised key (a missing or empty id) are excluded, as in the
#' study, and counted in the linkage report.
#'
#' @inheritParams origin_at_age
#' @inheritParams link_register
#' @param students A data frame with one row per student.
#' @param year Name of the column with the first year of study.
#' @param sex Name of the column with the student's sex.
#' @param cohorts A named list of the years in each cohort.
#' @param ... Passed to [origin_at_age()]: `birth`, `start`, `end`,
#'   `region`, `overlap`, `gap`, `max_gap`.
#' @return A data frame with one row per student with a valid key, in input
#'   order: the id columns, `year`, `cohort`, `sex`, `pc4` and `pc2`
#'   (integers; `NA` when the origin is unknown or not a postcode),
#'   `origin_status`, and for every outcome `became_<name>` and
#'   `<name>_date`. The linkage report ([linkage_report()]) is kept as the
#'   attribute `"linkage_report"`.
#' @seealso [simulate_cohort()] for data in this shape.
#' @export
#' @examples
#' students <- data.frame(
#'   RINPERSOONS = "R", RINPERSOON = c("000000001", "000000002", NA),
#'   birth_date = as.Date(c("1984-03-10", "1985-11-02", "1984-01-01")),
#'   sex = c("f", "m", "f"), year = c(2002L, 2003L, 2002L)
#' )
#' addresses <- data.frame(
#'   RINPERSOONS = "R", RINPERSOON = c("000000001", "000000002"),
#'   start = as.Date(c("1984-03-10", "1985-11-02")), end = as.Date(NA),
#'   postcode = c("9711AB", "3511CD")
#' )
#' register <- data.frame(RINPERSOONS = "R", RINPERSOON = "000000001",
#'                        type = "arts", date = as.Date("2008-09-01"))
#' x <- link_cohort(students, addresses, register)
#' x
#' linkage_report(x)
link_cohort <- function(students, addresses, register, age = 16,
                        id = c("RINPERSOONS", "RINPERSOON"), year = "year",
                        sex = "sex",
                        cohorts = list(`2000-2010` = 2000:2010,
                                       `2011-2024` = 2011:2024),
                        outcomes = c(doctor = "arts", gp = "huisarts"),
                        type = "type", date = "date", censor = NULL, ...) {
  call <- sys.call()
  check_frame(students, "students", call)
  check_names_arg(id, "id", 1:2, call)
  check_names_arg(year, "year", 1, call)
  check_names_arg(sex, "sex", 1, call)
  check_has_columns(students, c(id, year, sex), "students", call)
  if (!is.list(cohorts) || is.null(names(cohorts)) ||
      any(!nzchar(names(cohorts))) ||
      !all(vapply(cohorts, is.numeric, logical(1)))) {
    stop_spreiding("`cohorts` must be a named list of years, such as `list(`2000-2010` = 2000:2010)`.",
                   arg = "cohorts", call = call)
  }
  n_input <- nrow(students)
  valid <- Reduce(`&`, lapply(id, function(col) {
    x <- students[[col]]
    !is.na(x) & (!is.character(x) | nzchar(as.character(x)))
  }), rep(TRUE, n_input))
  students <- students[valid, , drop = FALSE]

  dots <- list(...)
  known <- c("birth", "start", "end", "region", "overlap", "gap", "max_gap")
  unknown <- setdiff(names(dots), known)
  if (length(unknown) || (length(dots) && is.null(names(dots)))) {
    stop_spreiding(paste0("Arguments in `...` are passed to origin_at_age(), ",
                          "which takes ", paste(backtick(known), collapse = ", "),
                          "; unknown: ",
                          paste(backtick(unknown), collapse = ", "), "."),
                   arg = "...", call = call)
  }
  o <- formals(origin_at_age)
  get_arg <- function(name) if (name %in% names(dots)) dots[[name]] else eval(o[[name]])
  origin <- origin_impl(
    students, addresses, age, id, get_arg("birth"), get_arg("start"),
    get_arg("end"), get_arg("region"), get_arg("overlap"), get_arg("gap"),
    get_arg("max_gap"), call
  )
  reg <- register_impl(students, register, id, type, date, outcomes, censor,
                       call)

  code <- as.character(origin$origin)
  pc4 <- suppressWarnings(as.integer(substr(code, 1, 4)))
  pc4[!grepl("^[1-9][0-9]{3}", code) | is.na(code)] <- NA_integer_
  yr <- students[[year]]
  cohort <- rep(NA_character_, nrow(students))
  for (k in rev(names(cohorts))) cohort[yr %in% cohorts[[k]]] <- k

  out <- students[id]
  out$year <- yr
  out$cohort <- cohort
  out$sex <- students[[sex]]
  out$pc4 <- pc4
  out$pc2 <- pc4 %/% 100L
  out$origin_status <- origin$status
  for (k in names(outcomes)) {
    out[[paste0("became_", k)]] <- reg$has[[k]]
    out[[paste0(k, "_date")]] <- reg$first[[k]]
  }
  rownames(out) <- NULL

  status_counts <- as.vector(table(origin$status))
  not_postcode <- sum(!is.na(origin$origin) & is.na(pc4))
  report <- data.frame(
    step = c("input", "key", rep("origin", length(origin_levels)), "postcode",
             "postcode", "address history", rep("register", length(outcomes)),
             "register"),
    status = c("students", "excluded: no valid pseudonymised key",
               origin_levels, "known PC4", "origin not a postcode",
               "address spells of other persons",
               paste0("became_", names(outcomes)),
               "register rows of other persons"),
    n = c(n_input, n_input - nrow(students), status_counts,
          sum(!is.na(pc4)), not_postcode, origin$unmatched,
          vapply(reg$has, sum, integer(1)), reg$unmatched),
    stringsAsFactors = FALSE
  )
  attr(out, "linkage_report") <- report
  out
}

#' The linkage report of a linked cohort
#'
#' Counts per step and status of [link_cohort()]: students in, students
#' excluded for want of a valid pseudonymised key, the origin status of the
#' others (found, overlap resolved, gap filled, no address at the reference
#' date, no birth date), how many have a known PC4, and how many registered
#' per outcome.
#'
#' @param x The result of [link_cohort()].
#' @return A data frame with the columns `step`, `status` and `n`.
#' @export
#' @examples
#' example(link_cohort)
linkage_report <- function(x) {
  report <- attr(x, "linkage_report")
  if (is.null(report)) {
    stop_spreiding("`x` has no linkage report; it must come from link_cohort().",
                   arg = "x", call = sys.call())
  }
  report
}

# ---- checks shared by the linkage functions --------------------------------

check_names_arg <- function(x, arg, lengths, call) {
  if (!is.character(x) || !(length(x) %in% lengths) || anyNA(x)) {
    stop_spreiding(paste0("`", arg, "` must be ",
                          if (identical(lengths, 1:2)) "one or two column names" else "a column name",
                          "."), arg = arg, call = call)
  }
}


check_age <- function(age, call) {
  if (!is.numeric(age) || length(age) != 1 || is.na(age) || age < 0 ||
      age != round(age) || age > 150) {
    stop_spreiding("`age` must be a whole number of years from 0 to 150.",
                   arg = "age", call = call)
  }
  as.integer(age)
}


# Key columns of two tables, in one type per column so C can compare them.
key_columns <- function(persons, other, id, other_arg, call) {
  pk <- vector("list", length(id))
  ok <- vector("list", length(id))
  for (j in seq_along(id)) {
    a <- persons[[id[j]]]
    b <- other[[id[j]]]
    for (side in list(list(a, "persons"), list(b, other_arg))) {
      v <- side[[1]]
      if (!(is.atomic(v) && typeof(v) %in% c("integer", "double", "character")) ||
          !is.null(dim(v)) || inherits(v, c("Date", "POSIXt"))) {
        stop_spreiding(paste0("Id column ", backtick(id[j]), " of `", side[[2]],
                              "` must be integer, double, character or ",
                              "factor, not ", describe(v), "."),
                       arg = side[[2]], call = call)
      }
    }
    if (is.factor(a)) a <- as.character(a)
    if (is.factor(b)) b <- as.character(b)
    if (is.character(a) != is.character(b)) {
      a <- id_as_character(a)
      b <- id_as_character(b)
    } else if (is.numeric(a) && typeof(a) != typeof(b)) {
      a <- as.double(a)
      b <- as.double(b)
    }
    pk[[j]] <- a
    ok[[j]] <- b
  }
  list(pk, ok)
}

id_as_character <- function(x) {
  if (is.character(x)) return(x)
  out <- format(x, scientific = FALSE, trim = TRUE)
  out[is.na(x)] <- NA_character_
  out
}

format_id <- function(x, id, row) {
  paste0("(", paste(vapply(id, function(col) as.character(x[[col]][row]),
                           character(1)), collapse = ", "), ")")
}


# A date column as days since 1970-01-01, without copying Date vectors.
date_column <- function(x, col, arg, call) {
  v <- x[[col]]
  what <- paste0("Column ", backtick(col), " of `", arg, "`")
  date_days(v, what, arg, call)
}

date_days <- function(v, what, arg, call) {
  if (inherits(v, "Date")) return(v)
  if (inherits(v, "POSIXt")) {
    tz <- attr(as.POSIXct(v), "tzone")
    if (is.null(tz) || !nzchar(tz[1])) tz <- ""
    return(as.Date(as.POSIXct(v), tz = tz[1]))
  }
  if (is.numeric(v) && !is.object(v)) return(v)
  if (is.character(v) || is.factor(v)) {
    stop_spreiding(paste0(what, " holds text, not dates. Convert it first, ",
                          "for example with `as.Date(x, format = \"%Y-%m-%d\")`."),
                   arg = arg, call = call)
  }
  stop_spreiding(paste0(what, " must be dates (Date, POSIXct or days since ",
                        "1970-01-01), not ", describe(v), "."),
                 arg = arg, call = call)
}

date_value <- function(v, arg, call) {
  d <- date_days(v, paste0("`", arg, "`"), arg, call)
  if (length(d) != 1 || is.na(d)) {
    stop_spreiding(paste0("`", arg, "` must be a single date."), arg = arg,
                   call = call)
  }
  as.double(d)
}

# The day each person turns `age` (29 February -> 28 February in common
# years), as a Date; used by the tests to check the C calendar arithmetic.
reference_date <- function(birth, age) {
  days <- date_days(birth, "`birth`", "birth", sys.call())
  structure(.Call(C_spr_c_reference_date, days, check_age(age, sys.call())),
            class = "Date")
}
