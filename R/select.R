# Selection policies for medical school and what they would do to the
# regional origin of students and to future GPs per region (Mulder 2025,
# appendices 11-12). Policies are small objects (lottery(), quota(), ...)
# that R compiles into one sampling plan: a weight per applicant and a list
# of stages (bonded places, reserved places, open places). src/select.c
# draws the admission rounds (Efraimidis-Spirakis keys, partial selection,
# one xoshiro256** stream per replication, optional OpenMP); everything
# else -- pass rates, practice regions, summaries -- is done here.

# ---- policies -----------------------------------------------------------------

#' Selection policies for medical school
#'
#' Build the admission policies that [simulate_selection()],
#' [inclusion_probabilities()] and [compare_policies()] simulate: an
#' unweighted lottery, a lottery with extra tickets, reserved places
#' (quota), bonded places and a contextual score bonus. The Mulder (2025)
#' report (appendices 11 and 12) and the debate of November 2025 discuss
#' all of them as ways to admit more students from regions short of GPs.
#'
#' @section How a policy selects:
#' Every policy is one sampling plan: a **weight** per applicant and
#' **stages** of places.
#'
#' * The weight is the product of the applicant's tickets (`tickets` of
#'   every `weighted_lottery()`, 1 by default) and, with `contextual()`,
#'   `exp((score + bonus) / noise)`.
#' * Places are drawn **sequentially without replacement**: each place goes
#'   to one of the applicants still waiting with probability proportional to
#'   their weight. This is what a lottery with tickets does when a drawn
#'   applicant's other tickets are removed. The resulting inclusion
#'   probabilities are *not* proportional to the tickets (an applicant with
#'   twice the tickets is less than twice as likely to be admitted when
#'   many are admitted); [inclusion_probabilities()] reports them. The
#'   kernel draws this with Efraimidis-Spirakis keys (one exponential per
#'   applicant divided by their weight; the places go to the smallest keys).
#' * `contextual()` is the same mechanism read as a ranking: ranking the
#'   applicants by `score + bonus + noise * G`, with `G` standard Gumbel
#'   noise, and admitting the best is exactly sequential sampling with
#'   weights `exp((score + bonus) / noise)`. A small `noise` makes the
#'   selection nearly deterministic on the score; a large one makes it a
#'   lottery.
#' * Stages: first the places of `bonded()` (among its `eligible`
#'   applicants, or all), then the reserved places of each `quota()` in the
#'   order given (among its `eligible` applicants), then the remaining
#'   places among everyone not yet admitted. Each stage is a sequential
#'   draw of its own among those still waiting. (The kernel draws the keys
#'   once per round and, after a stage, shifts the keys of its eligible
#'   applicants left over by the largest admitted key: by the memorylessness
#'   of the exponential distribution these are fresh keys.) So a stage with
#'   no places (`share = 0`) changes nothing, bit for bit. A stage with
#'   fewer eligible applicants than places admits all of them and leaves the
#'   rest of its places to the open stage. The number of places of a stage
#'   is `share * places` rounded half away from zero.
#'
#' @section Combining policies:
#' Add policies with `+`, or give a list: `quota(0.2, "shortage") +
#' weighted_lottery(c(shortage = 2))` reserves 20% of the places for
#' applicants of the `"shortage"` class and draws every place with two
#' tickets for them. Tickets of several `weighted_lottery()` terms
#' multiply, bonuses of several `contextual()` terms add; there can be any
#' number of quotas but at most one `bonded()`. `lottery()` adds nothing
#' and stands for the status quo.
#'
#' @section Design:
#' Policies are plain objects, not a fourth plugin registry: a policy is
#' not a kernel over rows but a description that compiles to one weight per
#' applicant and a list of stages, which one C kernel draws. Other policies
#' are sums of these five, each reading any column of the applicants
#' through `by` (region class, grade band, sex, or one a [classify()] call
#' made); an R function that returns such a sum is a policy of your own.
#' [policies()] lists the five kinds in the same layout as the registries
#' ([statistics()], [classifiers()], [disclosure_rules()]).
#'
#' @param tickets A named vector of non-negative numbers: tickets per value
#'   of the column `by` of the applicants; values not named get 1 ticket.
#' @param by Name of the applicants' column the policy reads: the region
#'   class by default (see [simulate_applicants()]).
#' @param share Share of the places, between 0 and 1.
#' @param eligible Values of the column `by` whose applicants are eligible
#'   for the reserved (or bonded) places. For `bonded()`, `NULL` makes
#'   every applicant eligible.
#' @param serve_region Practice regions (for instance AZW region codes or
#'   names, as in the columns of the `practice` matrix of
#'   [simulate_selection()]) where bonded graduates serve; a named vector of
#'   positive numbers gives the shares in which they are spread, otherwise
#'   they are spread equally.
#' @param compliance Probability that a bonded graduate serves (the others
#'   buy out), between 0 and 1.
#' @param buyout Buy-out sum in euro per bonded graduate who does not serve
#'   (250,000 as in Germany's Landarztquote).
#' @param bonus A named vector of finite numbers: score bonus per value of
#'   `by`; values not named get 0.
#' @param score Name of the numeric score column of the applicants (for
#'   instance from their grade band); when the applicants have no such
#'   column every score is 0.
#' @param noise Positive scale of the Gumbel noise added to the scores.
#' @param x A policy.
#' @param ... Ignored.
#' @return A `spreiding_policy` object.
#' @seealso [simulate_selection()], [inclusion_probabilities()],
#'   [compare_policies()], [policies()]
#' @references L. Mulder (2025). Regional origin of medical students
#'   2000-2024. UMC Utrecht, appendices 11-12. P. S. Efraimidis and P. G.
#'   Spirakis (2006). Weighted random sampling with a reservoir. Information
#'   Processing Letters 97(5), 181-185.
#' @export
#' @examples
#' lottery()
#' weighted_lottery(c(shortage = 3))
#' quota(0.2, "shortage") + weighted_lottery(c(shortage = 2))
#' bonded(0.08, serve_region = c("RA0101", "RA0102"), compliance = 0.9)
#' contextual(c(shortage = 0.5))
lottery <- function() new_policy(list())

#' @rdname lottery
#' @export
weighted_lottery <- function(tickets, by = "region_class") {
  call <- sys.call()
  check_class_values(tickets, "tickets", call, min = 0)
  check_column_name(by, "by", call)
  new_policy(list(list(type = "weighted_lottery", tickets = tickets, by = by)))
}

#' @rdname lottery
#' @export
quota <- function(share, eligible, by = "region_class") {
  call <- sys.call()
  check_share(share, "share", call)
  check_eligible(eligible, "eligible", call)
  check_column_name(by, "by", call)
  new_policy(list(list(type = "quota", share = as.double(share),
                       eligible = as.character(eligible), by = by)))
}

#' @rdname lottery
#' @export
bonded <- function(share, serve_region, compliance = 1, buyout = 250000,
                   eligible = NULL, by = "region_class") {
  call <- sys.call()
  check_share(share, "share", call)
  if (missing(serve_region) || !(is.character(serve_region) ||
                                 (is.numeric(serve_region) &&
                                  !is.null(names(serve_region)))) ||
      length(serve_region) < 1 || anyNA(serve_region)) {
    stop_spreiding(paste0("`serve_region` must name the practice regions ",
                          "where bonded graduates serve, such as ",
                          "`c(\"RA0101\", \"RA0102\")`, or be a named vector ",
                          "of their shares."),
                   arg = "serve_region", call = call)
  }
  if (is.numeric(serve_region)) {
    if (any(!is.finite(serve_region) | serve_region < 0) ||
        sum(serve_region) <= 0 || any(!nzchar(names(serve_region)))) {
      stop_spreiding(paste0("The shares in `serve_region` must be finite, ",
                            "non-negative, named and not all 0."),
                     arg = "serve_region", call = call)
    }
    serve <- serve_region / sum(serve_region)
  } else {
    serve <- stats::setNames(rep(1 / length(serve_region),
                                 length(serve_region)), serve_region)
  }
  check_share(compliance, "compliance", call)
  if (!is.numeric(buyout) || length(buyout) != 1 || !is.finite(buyout) ||
      buyout < 0) {
    stop_spreiding("`buyout` must be a single non-negative number (euro).",
                   arg = "buyout", call = call)
  }
  if (!is.null(eligible)) check_eligible(eligible, "eligible", call)
  check_column_name(by, "by", call)
  new_policy(list(list(type = "bonded", share = as.double(share),
                       serve = serve, compliance = as.double(compliance),
                       buyout = as.double(buyout),
                       eligible = if (!is.null(eligible)) as.character(eligible),
                       by = by)))
}

#' @rdname lottery
#' @export
contextual <- function(bonus, by = "region_class", score = "score",
                       noise = 1) {
  call <- sys.call()
  check_class_values(bonus, "bonus", call, min = -Inf)
  check_column_name(by, "by", call)
  check_column_name(score, "score", call)
  if (!is.numeric(noise) || length(noise) != 1 || !is.finite(noise) ||
      noise <= 0) {
    stop_spreiding("`noise` must be a single positive number.",
                   arg = "noise", call = call)
  }
  new_policy(list(list(type = "contextual", bonus = bonus, by = by,
                       score = score, noise = as.double(noise))))
}

new_policy <- function(parts) {
  structure(list(parts = parts), class = "spreiding_policy")
}

#' @export
`+.spreiding_policy` <- function(e1, e2) {
  if (missing(e2)) return(e1)
  call <- sys.call()
  new_policy(c(as_policy(e1, "e1", call)$parts,
               as_policy(e2, "e2", call)$parts))
}

#' @rdname lottery
#' @export
print.spreiding_policy <- function(x, ...) {
  cat("<spreiding_policy> ", policy_label(x), "\n", sep = "")
  invisible(x)
}

# A policy from a policy or a list of policies.
as_policy <- function(x, arg, call) {
  if (inherits(x, "spreiding_policy")) return(x)
  if (is.list(x) && length(x) > 0 &&
      all(vapply(x, inherits, logical(1), "spreiding_policy"))) {
    return(new_policy(do.call(c, lapply(x, function(p) p$parts))))
  }
  stop_spreiding(paste0("`", arg, "` must be a policy such as `lottery()` or ",
                        "`quota(0.2, \"shortage\")`, a sum of policies or a ",
                        "list of them, not ", describe(x), "."),
                 arg = arg, call = call)
}

policy_label <- function(policy) {
  parts <- policy$parts
  if (length(parts) == 0) return("lottery()")
  fmt_named <- function(v) {
    paste0("c(", paste0(names(v), " = ", format(v, trim = TRUE),
                        collapse = ", "), ")")
  }
  labels <- vapply(parts, function(p) {
    switch(p$type,
      weighted_lottery = paste0("weighted_lottery(", fmt_named(p$tickets), ")"),
      quota = paste0("quota(", p$share, ", ",
                     paste0("\"", p$eligible, "\"", collapse = "/"), ")"),
      bonded = paste0("bonded(", p$share, ", compliance = ", p$compliance,
                      ")"),
      contextual = paste0("contextual(", fmt_named(p$bonus), ")")
    )
  }, character(1))
  paste(labels, collapse = " + ")
}

#' List the kinds of selection policy
#'
#' The built-in kinds of selection policy, in the layout of the plugin
#' registries ([statistics()], [classifiers()], [disclosure_rules()]).
#'
#' @return A data frame with the columns `name`, `kind` (`"weights"` for
#'   the kinds that change each applicant's weight, `"stage"` for those
#'   that reserve places), `arguments`, `description` and `provider`.
#' @seealso [lottery()]
#' @export
#' @examples
#' policies()
policies <- function() {
  fns <- c("lottery", "weighted_lottery", "quota", "bonded", "contextual")
  args <- vapply(fns, function(f) {
    fm <- formals(get(f, envir = asNamespace("spreiding")))
    paste(vapply(names(fm), function(n) {
      if (identical(fm[[n]], quote(expr = ))) n
      else paste(n, "=", deparse1(fm[[n]]))
    }, character(1)), collapse = ", ")
  }, character(1))
  data.frame(
    name = fns,
    kind = c("weights", "weights", "stage", "stage", "weights"),
    arguments = unname(args),
    description = c(
      "Unweighted lottery (the status quo)",
      "Extra lottery tickets per applicant class",
      "Share of places reserved for eligible applicants",
      "Bonded places with compliance and buy-out",
      "Score bonus per applicant class before a ranking with noise"
    ),
    provider = "spreiding",
    stringsAsFactors = FALSE
  )
}

check_share <- function(x, arg, call) {
  if (!is.numeric(x) || length(x) != 1 || is.na(x) || x < 0 || x > 1) {
    stop_spreiding(paste0("`", arg, "` must be a single number between 0 ",
                          "and 1, not ",
                          if (is.numeric(x) && length(x) == 1) format(x)
                          else describe(x), "."),
                   arg = arg, call = call)
  }
}

check_eligible <- function(x, arg, call) {
  if (missing(x) || !(is.character(x) || is.factor(x)) || length(x) < 1 ||
      anyNA(x)) {
    stop_spreiding(paste0("`", arg, "` must name the classes whose ",
                          "applicants are eligible, such as `\"shortage\"`."),
                   arg = arg, call = call)
  }
}

check_column_name <- function(x, arg, call) {
  if (!is_string(x) || !nzchar(x)) {
    stop_spreiding(paste0("`", arg, "` must be the name of a column of the ",
                          "applicants."), arg = arg, call = call)
  }
}

check_class_values <- function(x, arg, call, min) {
  ok <- is.numeric(x) && length(x) >= 1 && !is.null(names(x)) &&
    all(nzchar(names(x))) && !anyNA(names(x)) && !anyDuplicated(names(x))
  if (!ok) {
    stop_spreiding(paste0("`", arg, "` must be a named numeric vector with ",
                          "one value per class, such as `c(shortage = 2)`."),
                   arg = arg, call = call)
  }
  bad <- which(!is.finite(x) | x < min)
  if (length(bad)) {
    stop_spreiding(paste0("`", arg, "` must be finite",
                          if (min == 0) " and non-negative", "; `",
                          names(x)[bad[1]], "` is ", format(x[bad[1]]), "."),
                   arg = arg, call = call)
  }
}

# ---- compiling a policy into a sampling plan ------------------------------------

# The applicants' values of column `by`, checked to contain `values`.
policy_classes <- function(applicants, by, values, arg, call) {
  if (!by %in% names(applicants)) {
    stop_spreiding(paste0("The policy reads the column ", backtick(by),
                          ", which `applicants` does not have.",
                          did_you_mean(by, names(applicants))),
                   arg = "applicants", call = call)
  }
  v <- as.character(applicants[[by]])
  unknown <- setdiff(values, v)
  if (length(unknown)) {
    known <- sort(unique(v[!is.na(v)]))
    stop_spreiding(paste0("Unknown region class ", backtick(unknown[1]),
                          " in `", arg, "`: column ", backtick(by),
                          " of `applicants` has ",
                          paste0("\"", utils::head(known, 10), "\"",
                                 collapse = ", "),
                          if (length(known) > 10) ", ...", "."),
                   arg = arg, call = call)
  }
  v
}

compile_policy <- function(policy, applicants, places, call) {
  n <- nrow(applicants)
  log_w <- rep(0, n)
  stages <- list()
  n_bonded <- 0L
  bond <- NULL
  for (p in policy$parts) {
    if (p$type == "weighted_lottery") {
      v <- policy_classes(applicants, p$by, names(p$tickets), "tickets", call)
      t <- p$tickets[match(v, names(p$tickets))]
      t[is.na(t)] <- 1
      log_w <- log_w + log(unname(t))
    } else if (p$type == "contextual") {
      v <- policy_classes(applicants, p$by, names(p$bonus), "bonus", call)
      b <- p$bonus[match(v, names(p$bonus))]
      b[is.na(b)] <- 0
      s <- if (p$score %in% names(applicants)) applicants[[p$score]] else 0
      if (!is.numeric(s) || anyNA(s) || any(!is.finite(s))) {
        stop_spreiding(paste0("Column ", backtick(p$score), " of ",
                              "`applicants` (the score of `contextual()`) ",
                              "must be numeric without missing values."),
                       arg = "applicants", call = call)
      }
      log_w <- log_w + (s + unname(b)) / p$noise
    } else if (p$type %in% c("quota", "bonded")) {
      if (p$type == "bonded") {
        n_bonded <- n_bonded + 1L
        if (n_bonded > 1) {
          stop_spreiding("A policy can have at most one `bonded()` term.",
                         arg = "policy", call = call)
        }
        bond <- p
      }
      elig <- if (is.null(p$eligible)) rep(TRUE, n) else {
        v <- policy_classes(applicants, p$by, p$eligible, "eligible", call)
        !is.na(v) & v %in% p$eligible
      }
      stages[[length(stages) + 1]] <- list(
        type = p$type, eligible = elig,
        count = as.integer(round_half_away(p$share * places)), share = p$share
      )
    }
  }
  # bonded places first, then the quotas in order, then the open places
  is_bond <- vapply(stages, function(s) s$type == "bonded", logical(1))
  stages <- c(stages[is_bond], stages[!is_bond])
  total_share <- sum(vapply(stages, function(s) s$share, double(1)))
  if (total_share > 1 + 1e-12) {
    stop_spreiding(paste0("The shares of the quotas and bonded places of ",
                          "`policy` add up to ", format(total_share),
                          ", more than 1."), arg = "policy", call = call)
  }
  if (length(stages) > 29) {
    stop_spreiding("A policy can have at most 29 quotas.", arg = "policy",
                   call = call)
  }
  mask <- rep(0L, n)
  for (s in seq_along(stages)) {
    mask <- mask + stages[[s]]$eligible * 2L^(s - 1L)
  }
  ns <- length(stages) + 1L
  mask <- as.integer(mask + 2L^(ns - 1L))
  counts <- c(vapply(stages, function(s) s$count, integer(1)), 0L)
  # Weights relative to the largest, so that exp() cannot overflow. A
  # weight of 0 gets a key above every positive weight's (1e300 against at
  # most 37 * 1e200), so such applicants are admitted only when no one else
  # is left, and then uniformly among themselves.
  if (!any(is.finite(log_w))) log_w <- rep(0, n)
  w <- exp(log_w - max(log_w[is.finite(log_w)]))
  inv_w <- ifelse(w > 0, pmin(1 / w, 1e200), 1e300)
  list(inv_w = inv_w, mask = mask, counts = counts,
       types = c(vapply(stages, function(s) s$type, character(1)), "open"),
       bond = bond, weight = w)
}

# ---- the kernel call -------------------------------------------------------------

check_whole <- function(x, arg, min, call, max = .Machine$integer.max) {
  if (!is.numeric(x) || length(x) != 1 || is.na(x) || x != trunc(x) ||
      x < min || x > max) {
    stop_spreiding(paste0("`", arg, "` must be a single whole number of at ",
                          "least ", min,
                          if (max < .Machine$integer.max) {
                            paste0(" and at most ", format(max, big.mark = ",",
                                                           scientific = FALSE))
                          },
                          ", not ",
                          if (is.numeric(x) && length(x) == 1) format(x)
                          else describe(x), "."),
                   arg = arg, call = call)
  }
  as.integer(x)
}

check_applicants <- function(applicants, origin, call) {
  check_frame(applicants, "applicants", call)
  if (nrow(applicants) < 1) {
    stop_spreiding("`applicants` has no rows.", arg = "applicants",
                   call = call)
  }
  check_has_columns(applicants, origin, "applicants", call)
  if (length(origin) == 0) return(invisible())
  o <- applicants[[origin]]
  if (!is.atomic(o) || !is.null(dim(o)) || is.complex(o) || is.raw(o)) {
    stop_spreiding(paste0("Column ", backtick(origin), " of `applicants` ",
                          "must be an atomic vector of region codes, not ",
                          describe(o), "."),
                   arg = "applicants", call = call)
  }
}

# Places capped at the number of applicants, with a message.
check_places <- function(places, n, call) {
  places <- check_whole(places, "places", 0, call)
  if (places > n) {
    message("`places` (", places, ") is more than the number of applicants (",
            n, "): all applicants are admitted.")
    places <- as.integer(n)
  }
  places
}

# The base seed of the replications: `seed`, or one drawn from R's
# generator (so that set.seed() makes the run reproducible).
select_seed <- function(seed, call) {
  sim_check_seed(seed, call)
  if (is.null(seed)) {
    return(floor(stats::runif(1) * 2^31) * 2^21 +
             floor(stats::runif(1) * 2^21))
  }
  abs(as.double(seed))
}

# Threads asked for, at most the processors OpenMP sees (1 without OpenMP).
check_threads <- function(threads, call) {
  threads <- check_whole(threads, "threads", 1, call, max = 1024)
  min(threads, max(1L, .Call(C_spr_c_select_openmp)))
}

# Run the kernel: per replication and group (and stage) the admitted.
run_select <- function(plan, places, group, ngroups, reps, years, seed,
                       threads, call) {
  if (as.double(reps) * years * length(plan$inv_w) > 2^31 * 1e3) {
    stop_spreiding("`reps` times `years` times the applicants is too large.",
                   arg = "reps", call = call)
  }
  res <- with_call(
    .Call(C_spr_c_select, as.double(plan$inv_w), plan$mask,
          as.integer(plan$counts), as.integer(places), as.integer(group),
          as.integer(ngroups), as.integer(reps), as.integer(years),
          as.double(seed), as.integer(threads)),
    call
  )
  ns <- length(plan$counts)
  list(counts = array(res[[1]], c(reps, ngroups, ns)), incl = res[[2]])
}

# ---- synthetic applicants -------------------------------------------------------

#' Simulate a pool of applicants to medical school
#'
#' A synthetic pool of applicants whose regional origin follows the
#' published student origins of Mulder (2025): each applicant's postcode-2
#' area (PC2) at age 16 is drawn with probability proportional to the
#' number of first-year students from that area in `cohort`, so the pool
#' looks like the applicants of the years the report describes. Each year
#' there are 3 to 4 applicants per place (the report's appendix 11);
#' `places` with `per_place = 3.5` gives such a pool.
#'
#' The columns:
#' * `id`: 1 to `n`;
#' * `pc2`: origin PC2 area (integer);
#' * `region_class`: the class of the origin area from `regions`; by default
#'   `"shortage"` for the 11 PC2 areas with more than 450 inhabitants per
#'   first-year student of 2000-2024 (the national figure is 331; the news
#'   of November 2025 cites one student per 600 to 700 inhabitants in the
#'   north and Zeeland against one per 200 in the Randstad), `"other"`
#'   elsewhere;
#' * `sex`: `"f"` or `"m"`, with the share of women of the cohort's Table 1;
#' * `grade_band`: `"A"` (an average final-exam grade of 8 or more), `"B"`
#'   (7 to 8), `"C"` (below 7), with shares 0.2, 0.45 and 0.35 -- an
#'   assumption for illustration, not a published figure;
#' * `score`: 2, 1 and 0 for the grade bands, used by [contextual()].
#'
#' @param n Number of applicants, at most 10 million; by default
#'   `per_place * places`, rounded.
#' @param regions `NULL` (the 90 PC2 areas of [mulder2025_pc2] with the
#'   default classes) or a data frame with a column `pc2`, a column
#'   `students` (relative numbers of applicants per area) and optionally a
#'   column `region_class` (for instance from [classify()]).
#' @param places Number of places, used for the default `n`.
#' @param per_place Applicants per place.
#' @param cohort `"2011-2024"` or `"2000-2010"`: whose origins and share of
#'   women to follow (default regions only).
#' @param seed `NULL` or a whole number: seed for R's generator, restored
#'   afterwards.
#' @return A data frame with one row per applicant and the columns above.
#' @seealso [simulate_selection()]
#' @export
#' @examples
#' a <- simulate_applicants(places = 100, seed = 1)
#' head(a)
#' table(a$region_class)
#'
#' # region classes from classify(): more than 450 inhabitants per student
#' r <- classify(mulder2025_pc2,
#'   region_class = thresholds(inhabitants / students_2000_2024, cuts = 450,
#'                             labels = c("other", "shortage")))
#' r$students <- r$students_2011_2024
#' a2 <- simulate_applicants(places = 100, regions = r, seed = 1)
#' table(a2$region_class)
simulate_applicants <- function(n = NULL, regions = NULL, places = NULL,
                                per_place = 3.5,
                                cohort = c("2011-2024", "2000-2010"),
                                seed = NULL) {
  call <- sys.call()
  cohort <- arg_choice(cohort, c("2011-2024", "2000-2010"), "cohort", call)
  if (!is.numeric(per_place) || length(per_place) != 1 ||
      !is.finite(per_place) || per_place <= 0) {
    stop_spreiding("`per_place` must be a single positive number.",
                   arg = "per_place", call = call)
  }
  if (is.null(n)) {
    if (is.null(places)) {
      stop_spreiding("Give `n` (applicants) or `places`.", arg = "n",
                     call = call)
    }
    places <- check_whole(places, "places", 1, call, max = 1e6)
    n <- round_half_away(per_place * places)
  }
  # 10 million applicants is some 700 years of Dutch applicants
  n <- check_whole(n, "n", 1, call, max = 1e7)
  sim_check_seed(seed, call)
  regions <- applicant_regions(regions, cohort, call)
  if (!is.null(seed)) {
    restore <- sim_local_seed(seed)
    on.exit(restore(), add = TRUE)
  }
  t1 <- spreiding::mulder2025_table1
  sx <- t1[t1$cohort == cohort & t1$variable == "sex", ]
  p_f <- sx$students[sx$category == "female"] /
    sum(sx$students[sx$category %in% c("female", "male")])
  at <- sample.int(nrow(regions), n, replace = TRUE, prob = regions$students)
  band <- sample(c("A", "B", "C"), n, replace = TRUE,
                 prob = c(0.2, 0.45, 0.35))
  data.frame(
    id = seq_len(n),
    pc2 = regions$pc2[at],
    region_class = regions$region_class[at],
    sex = ifelse(stats::runif(n) < p_f, "f", "m"),
    grade_band = band,
    score = c(A = 2, B = 1, C = 0)[band],
    stringsAsFactors = FALSE,
    row.names = NULL
  )
}

default_regions <- function(cohort) {
  pc2 <- spreiding::mulder2025_pc2
  per_student <- pc2$inhabitants / pc2$students_2000_2024
  data.frame(
    pc2 = pc2$pc2,
    students = pc2[[paste0("students_", sub("-", "_", cohort))]],
    region_class = ifelse(per_student > 450, "shortage", "other"),
    stringsAsFactors = FALSE
  )
}

applicant_regions <- function(regions, cohort, call) {
  if (is.null(regions)) return(default_regions(cohort))
  check_frame(regions, "regions", call)
  check_has_columns(regions, c("pc2", "students"), "regions", call)
  s <- regions$students
  if (!is.numeric(s) || anyNA(s) || any(s < 0) || sum(s) <= 0) {
    stop_spreiding(paste0("Column `students` of `regions` must be ",
                          "non-negative numbers, not all 0."),
                   arg = "regions", call = call)
  }
  if (is.null(regions$region_class)) regions$region_class <- "all"
  regions$region_class <- as.character(regions$region_class)
  regions
}

# ---- pass rates and practice regions ---------------------------------------------

# Doctors and GPs per student for each origin, from `rates`: NULL (the
# shipped Mulder tables, 2000-2010 cohort: the later cohort is still in
# training), a link_cohort() result, or a data frame with p_doctor and
# p_gp. Origins without a rate get the overall one.
origin_rates <- function(rates, origins, origin, call) {
  if (is.null(rates)) {
    pc2 <- spreiding::mulder2025_pc2
    tab <- data.frame(o = pc2$pc2, students = pc2$students_2000_2010,
                      doctors = pc2$doctors_2000_2010,
                      gps = pc2$gps_2000_2010)
  } else {
    check_frame(rates, "rates", call)
    check_has_columns(rates, origin, "rates", call)
    if (all(c("became_doctor", "became_gp") %in% names(rates))) {
      o <- rates[[origin]]
      keep <- !is.na(o)
      tab <- data.frame(
        o = sort(unique(o[keep])),
        students = as.vector(tapply(rep(1, sum(keep)), o[keep], sum)),
        doctors = as.vector(tapply(rates$became_doctor[keep] %in% TRUE,
                                   o[keep], sum)),
        gps = as.vector(tapply(rates$became_gp[keep] %in% TRUE, o[keep], sum))
      )
    } else if (all(c("p_doctor", "p_gp") %in% names(rates))) {
      p <- rates[c("p_doctor", "p_gp")]
      if (!all(vapply(p, is.numeric, logical(1))) ||
          anyNA(unlist(p)) || any(unlist(p) < 0 | unlist(p) > 1) ||
          any(p$p_gp > p$p_doctor)) {
        stop_spreiding(paste0("Columns `p_doctor` and `p_gp` of `rates` ",
                              "must be probabilities with `p_gp` <= ",
                              "`p_doctor`."), arg = "rates", call = call)
      }
      tab <- data.frame(o = rates[[origin]], students = 1e6,
                        doctors = 1e6 * p$p_doctor, gps = 1e6 * p$p_gp)
    } else {
      stop_spreiding(paste0("`rates` must be a link_cohort() result (with ",
                            "`became_doctor` and `became_gp`) or have the ",
                            "columns `p_doctor` and `p_gp`."),
                     arg = "rates", call = call)
    }
  }
  overall <- c(sum(tab$doctors), sum(tab$gps)) / sum(tab$students)
  m <- match(as.character(origins), as.character(tab$o))
  p_doc <- ifelse(is.na(m), overall[1], tab$doctors[m] / tab$students[m])
  p_gp <- ifelse(is.na(m), overall[2], tab$gps[m] / tab$students[m])
  list(p_doctor = p_doc, p_gp = p_gp)
}

azw_cache <- new.env(parent = emptyenv())

# PC2 -> AZW area shares of the shipped layers, and the AZW inhabitants.
default_home <- function() {
  if (is.null(azw_cache$home)) {
    pc2 <- read_regions(system.file("extdata", "pc2.gpkg",
                                    package = "spreiding"), id = "pc2")
    azw <- read_regions(system.file("extdata", "azw.gpkg",
                                    package = "spreiding"), id = "statcode")
    cw <- suppressMessages(region_crosswalk(pc2, azw))
    regions <- sort(unique(as.character(azw$statcode)))
    home <- matrix(0, 90, length(regions),
                   dimnames = list(as.character(10:99), regions))
    home[cbind(as.character(cw$from_id), as.character(cw$to_id))] <-
      cw$area_share
    home <- home / rowSums(home)
    inh <- spreiding::mulder2025_pc2$inhabitants
    azw_cache$home <- home
    azw_cache$inhabitants <- colSums(home * inh)
    azw_cache$names <- stats::setNames(as.character(azw$statnaam),
                                       as.character(azw$statcode))
  }
  azw_cache
}

# Origin x practice-region probabilities for the origins `origins`.
practice_matrix <- function(practice, return_share, origins, call) {
  if (is.null(practice)) {
    d <- default_home()
    home <- d$home
    rest <- d$inhabitants / sum(d$inhabitants)
    m <- match(as.character(origins), rownames(home))
    out <- matrix(rest, length(origins), ncol(home), byrow = TRUE,
                  dimnames = list(as.character(origins), colnames(home)))
    known <- !is.na(m)
    out[known, ] <- return_share * home[m[known], , drop = FALSE] +
      (1 - return_share) * out[known, , drop = FALSE]
    return(list(matrix = out, names = d$names))
  }
  if (!is.matrix(practice) || !is.numeric(practice) ||
      is.null(rownames(practice)) || is.null(colnames(practice))) {
    stop_spreiding(paste0("`practice` must be a numeric matrix with origin ",
                          "regions as row names and practice regions as ",
                          "column names."), arg = "practice", call = call)
  }
  if (anyNA(practice) || any(practice < 0) ||
      any(abs(rowSums(practice) - 1) > 1e-6)) {
    stop_spreiding(paste0("The rows of `practice` must be probabilities ",
                          "that sum to 1."), arg = "practice", call = call)
  }
  m <- match(as.character(origins), rownames(practice))
  if (anyNA(m)) {
    stop_spreiding(paste0("Origin ", backtick(origins[is.na(m)][1]),
                          " of the applicants has no row in `practice`."),
                   arg = "practice", call = call)
  }
  out <- practice[m, , drop = FALSE]
  rownames(out) <- as.character(origins)
  list(matrix = out, names = NULL)
}

# ---- simulate_selection -----------------------------------------------------------

#' Simulate selection policies for medical school
#'
#' Monte Carlo over admission rounds: in each replication, `years` rounds
#' of `places` admissions are drawn from `applicants` under `policy` (see
#' [lottery()] for what each policy does), and the admitted students are
#' counted per origin postcode-2 area and per region class. From those
#' counts follow the expected doctors and GPs per origin, using
#' origin-specific pass rates, and the expected new GPs per practice region
#' (the 28 AZW labour-market regions by default), with bonded graduates in
#' their serve regions.
#'
#' @section Outcomes:
#' * **Doctors and GPs.** An admitted student from origin `o` becomes a
#'   doctor with probability `p_doctor[o]` and a GP with probability
#'   `p_gp[o]`: by default the shares of the 2000-2010 cohort of
#'   [mulder2025_pc2] (the 2011-2024 cohort is still in training), or
#'   estimated from a [link_cohort()] result given as `rates`. Bonded
#'   students become doctors at the same rate; of those who comply
#'   (`compliance`) every one becomes a GP in a serve region; the others
#'   buy out (`buyout` euro each) and then become GPs as anyone else does.
#'   The numbers per replication are expected values given the admitted
#'   students; their quantiles show the uncertainty of the admission
#'   lottery, not of the careers.
#' * **Practice regions.** Non-bonded GPs (and bonded ones who buy out)
#'   practise in region `r` with probability `practice[o, r]`. Without a
#'   `practice` matrix, the **documented assumption** is: a share
#'   `return_share` (default 0.5) returns to the AZW region of their origin
#'   (a PC2 area spread over AZW regions by area, from the shipped layers
#'   via [region_crosswalk()]), the rest settles anywhere in proportion to
#'   the AZW regions' inhabitants. Change `return_share` or give `practice`
#'   when better data (such as the Nivel alumni survey) are at hand.
#'
#' @section Reproducibility:
#' Each replication draws from its own xoshiro256** stream seeded from
#' `seed` and the replication number, so a result is identical bit for bit
#' whatever `threads` is. Without `seed` the base seed is drawn from R's
#' generator, so `set.seed()` before the call makes it reproducible.
#'
#' @param applicants A data frame with one row per applicant: the origin
#'   column (`origin`, PC2 by default) and the columns the policy reads
#'   (region class, score), such as [simulate_applicants()] gives.
#' @param places Places per year. More places than applicants admits
#'   everyone (with a message).
#' @param policy A policy ([lottery()], [weighted_lottery()], [quota()],
#'   [bonded()], [contextual()]), a sum of them or a list of them.
#' @param years Admission rounds per replication; counts are totals over
#'   the years.
#' @param reps Number of replications.
#' @param seed `NULL` or a whole number.
#' @param rates `NULL` (the shipped Mulder tables), a [link_cohort()]
#'   result, or a data frame with the origin column and `p_doctor` and
#'   `p_gp`.
#' @param practice `NULL` or a matrix of probabilities with one row per
#'   origin (row names) and one column per practice region (column names),
#'   rows summing to 1.
#' @param return_share Without `practice`: the share of GPs who practise in
#'   the AZW region of their origin.
#' @param disclose `FALSE`, or `TRUE` to pass the table per origin through
#'   [disclose()] with its default rule (cells of fewer than 10 admitted are
#'   suppressed, with secondary suppression), on the rounded mean numbers
#'   admitted.
#' @param threads Number of threads (OpenMP); the result does not depend
#'   on it.
#' @param origin Name of the origin column of `applicants`.
#' @param class Name of the region-class column of `applicants` by which
#'   the results are summarised (without it, one class `"all"`).
#' @return A list of class `spreiding_selection` with
#'   * `origin`: one row per origin area: `admitted`, `doctors`, `gps` and
#'     `bonded` as `_mean`, `_lo` (2.5% quantile) and `_hi` (97.5%)
#'     columns, over the replications;
#'   * `class`: the same per region class;
#'   * `practice`: one row per practice region: `new_gps_mean`, `_lo`,
#'     `_hi`, and `bonded_gps` (from bonded places, expected);
#'   * `totals`: one row: places, applicants, replications, years,
#'     admitted, bonded, expected buy-outs and buy-out revenue;
#'   * `inclusion`: per applicant the share of rounds in which they were
#'     admitted;
#'   * `policy`, `seed` and the per-replication totals per class
#'     (`draws`, a matrix).
#'   With `disclose = TRUE`, `origin` is a [disclose()] result.
#' @seealso [lottery()] for the policies, [compare_policies()],
#'   [inclusion_probabilities()], [simulate_applicants()]
#' @export
#' @examples
#' a <- simulate_applicants(places = 200, seed = 1)
#' s <- simulate_selection(a, places = 200,
#'                         quota(0.2, "shortage") +
#'                           weighted_lottery(c(shortage = 2)),
#'                         reps = 200, seed = 1, threads = 1)
#' s$class
#' head(s$origin)
simulate_selection <- function(applicants, places, policy = lottery(),
                               years = 1, reps = 1000, seed = NULL,
                               rates = NULL, practice = NULL,
                               return_share = 0.5, disclose = FALSE,
                               threads = getOption("spreiding.threads", 2),
                               origin = "pc2", class = "region_class") {
  call <- sys.call()
  check_column_name(origin, "origin", call)
  check_column_name(class, "class", call)
  check_applicants(applicants, origin, call)
  n <- nrow(applicants)
  policy <- as_policy(policy, "policy", call)
  places <- check_places(places, n, call)
  years <- check_whole(years, "years", 1, call, max = 1000)
  reps <- check_whole(reps, "reps", 1, call, max = 1e7)
  threads <- check_threads(threads, call)
  check_share(return_share, "return_share", call)
  if (!is.logical(disclose) || length(disclose) != 1 || is.na(disclose)) {
    stop_spreiding("`disclose` must be TRUE or FALSE.", arg = "disclose",
                   call = call)
  }
  plan <- compile_policy(policy, applicants, places, call)
  base_seed <- select_seed(seed, call)

  o <- applicants[[origin]]
  if (anyNA(o)) {
    stop_spreiding(paste0("Column ", backtick(origin), " of `applicants` ",
                          "has missing values (row ", which(is.na(o))[1],
                          ")."), arg = "applicants", row = which(is.na(o))[1],
                   call = call)
  }
  # without a class column, one class "all"
  cl <- if (class %in% names(applicants)) {
    as.character(applicants[[class]])
  } else {
    rep("all", n)
  }
  cl[is.na(cl)] <- "(unknown)"
  combo <- paste(o, cl, sep = "\r")
  key <- unique(combo)
  key <- key[order(match(o[match(key, combo)], sort(unique(o))),
                   cl[match(key, combo)])]
  group <- match(combo, key)
  g_origin <- o[match(key, combo)]
  g_class <- cl[match(key, combo)]
  ng <- length(key)

  run <- run_select(plan, places, group, ng, reps, years, base_seed, threads,
                    call)
  counts <- run$counts
  ns <- dim(counts)[3]
  bonded_stage <- which(plan$types == "bonded")
  all_adm <- matrix(0, reps, ng)
  for (s in seq_len(ns)) all_adm <- all_adm + matrix(counts[, , s], reps, ng)
  bond_adm <- if (length(bonded_stage)) {
    matrix(as.double(counts[, , bonded_stage]), reps, ng)
  } else {
    matrix(0, reps, ng)
  }
  open_adm <- all_adm - bond_adm

  r <- origin_rates(rates, g_origin, origin, call)
  comp <- if (is.null(plan$bond)) 0 else plan$bond$compliance
  doctors <- sweep(all_adm, 2, r$p_doctor, "*")
  free_gps <- sweep(open_adm, 2, r$p_gp, "*") +
    sweep(bond_adm, 2, (1 - comp) * r$p_gp, "*")
  bond_gps <- sweep(bond_adm, 2, comp * r$p_doctor, "*")
  gps <- free_gps + bond_gps

  pm <- practice_matrix(practice, return_share, g_origin, call)
  new_gps <- free_gps %*% pm$matrix
  serve_total <- rowSums(bond_gps)
  bonded_gps <- NULL
  if (!is.null(plan$bond)) {
    serve <- plan$bond$serve
    missing_regions <- setdiff(names(serve), colnames(new_gps))
    if (length(missing_regions)) {
      stop_spreiding(paste0("Serve region ", backtick(missing_regions[1]),
                            " of `bonded()` is not a practice region (",
                            paste(utils::head(colnames(new_gps), 5),
                                  collapse = ", "), ", ...)."),
                     arg = "serve_region", call = call)
    }
    add <- outer(serve_total, serve[colnames(new_gps)])
    add[is.na(add)] <- 0
    new_gps <- new_gps + add
    bonded_gps <- colMeans(add)
  }

  by_origin <- function(m) {
    u <- sort(unique(g_origin))
    out <- matrix(0, reps, length(u))
    for (j in seq_along(u)) {
      out[, j] <- rowSums(m[, g_origin == u[j], drop = FALSE])
    }
    out
  }
  by_class <- function(m) {
    u <- sort(unique(g_class))
    out <- matrix(0, reps, length(u), dimnames = list(NULL, u))
    for (j in seq_along(u)) {
      out[, j] <- rowSums(m[, g_class == u[j], drop = FALSE])
    }
    out
  }
  summarise <- function(m, name) {
    q <- apply(m, 2, stats::quantile, probs = c(0.025, 0.975), names = FALSE)
    out <- data.frame(colMeans(m), q[1, ], q[2, ])
    names(out) <- paste0(name, c("_mean", "_lo", "_hi"))
    out
  }
  u_origin <- sort(unique(g_origin))
  origin_tab <- data.frame(u_origin, stringsAsFactors = FALSE)
  names(origin_tab) <- origin
  origin_tab <- cbind(origin_tab,
                      summarise(by_origin(all_adm), "admitted"),
                      summarise(by_origin(doctors), "doctors"),
                      summarise(by_origin(gps), "gps"),
                      bonded_mean = colMeans(by_origin(bond_adm)))
  class_adm <- by_class(all_adm)
  class_tab <- data.frame(colnames(class_adm), stringsAsFactors = FALSE)
  names(class_tab) <- class
  class_tab <- cbind(class_tab,
                     summarise(class_adm, "admitted"),
                     summarise(by_class(doctors), "doctors"),
                     summarise(by_class(gps), "gps"),
                     bonded_mean = colMeans(by_class(bond_adm)))
  rownames(class_tab) <- NULL
  practice_tab <- data.frame(region = colnames(new_gps),
                             stringsAsFactors = FALSE)
  if (!is.null(pm$names)) practice_tab$name <- unname(pm$names[practice_tab$region])
  practice_tab <- cbind(practice_tab, summarise(new_gps, "new_gps"),
                        bonded_gps = if (is.null(bonded_gps)) 0 else
                          unname(bonded_gps))
  rownames(practice_tab) <- NULL
  bonded_total <- mean(rowSums(bond_adm))
  buyouts <- if (is.null(plan$bond)) 0 else
    mean(rowSums(sweep(bond_adm, 2, r$p_doctor, "*"))) * (1 - comp)
  totals <- data.frame(
    policy = policy_label(policy), applicants = n, places = places,
    years = years, reps = reps, admitted = mean(rowSums(all_adm)),
    bonded = bonded_total, buyouts = buyouts,
    buyout_revenue = if (is.null(plan$bond)) 0 else buyouts * plan$bond$buyout,
    stringsAsFactors = FALSE
  )
  if (disclose) {
    origin_tab$admitted <- round_half_away(origin_tab$admitted_mean)
    origin_tab <- with_call(
      spreiding::disclose(origin_tab, counts = "admitted", by = origin,
                          audit = FALSE),
      call
    )
  }
  structure(list(origin = origin_tab, class = class_tab,
                 practice = practice_tab, totals = totals,
                 inclusion = run$incl / (reps * years),
                 policy = policy, seed = base_seed, draws = class_adm),
            class = "spreiding_selection")
}

#' @export
print.spreiding_selection <- function(x, ...) {
  t <- x$totals
  cat("<spreiding_selection> ", t$policy, "\n", sep = "")
  cat(format(t$applicants, big.mark = ","), " applicants, ",
      format(t$places, big.mark = ","), " places, ", t$years, " year(s), ",
      format(t$reps, big.mark = ","), " replications\n", sep = "")
  print(x$class, row.names = FALSE, digits = 4)
  invisible(x)
}

# ---- inclusion probabilities -------------------------------------------------------

#' Inclusion probabilities of applicants under a policy
#'
#' Each applicant's probability of admission under `policy` in one round of
#' `places` admissions. For small pools (at most `exact_max` applicants,
#' 20 by default) it is exact: the probability of every ordered sequence
#' of draws, `prod_j w_(j) / (W - w_(1) - ... - w_(j-1))` within a stage
#' (with `W` the weight of the applicants the stage can still draw), summed
#' by a recursion over the sets of applicants already drawn, stage after
#' stage (quotas and bonded places included). Otherwise it is the share of
#' `reps` simulated rounds in which the applicant was admitted, with its
#' Monte Carlo standard error `sqrt(p (1 - p) / reps)`.
#'
#' @inheritParams simulate_selection
#' @param reps Replications when simulating.
#' @param exact_max Largest pool computed exactly.
#' @return `applicants` with the columns `inclusion` and `inclusion_se` (0
#'   when exact) added, and the attribute `"method"` (`"exact"` or
#'   `"simulation"`).
#' @seealso [simulate_selection()], [lottery()]
#' @export
#' @examples
#' a <- data.frame(id = 1:5, region_class = c("shortage", "shortage",
#'                                           "other", "other", "other"))
#' inclusion_probabilities(a, places = 2, weighted_lottery(c(shortage = 3)))
inclusion_probabilities <- function(applicants, places, policy = lottery(),
                                    reps = 10000, seed = NULL,
                                    threads = getOption("spreiding.threads", 2),
                                    exact_max = 20) {
  call <- sys.call()
  check_applicants(applicants, character(), call)
  n <- nrow(applicants)
  policy <- as_policy(policy, "policy", call)
  places <- check_places(places, n, call)
  reps <- check_whole(reps, "reps", 1, call, max = 1e8)
  threads <- check_threads(threads, call)
  exact_max <- check_whole(exact_max, "exact_max", 0, call, max = 24)
  plan <- compile_policy(policy, applicants, places, call)
  if (n <= exact_max) {
    applicants$inclusion <- exact_inclusion(plan, places)
    applicants$inclusion_se <- 0
    attr(applicants, "method") <- "exact"
    return(applicants)
  }
  base_seed <- select_seed(seed, call)
  run <- run_select(plan, places, rep(1L, n), 1L, reps, 1L, base_seed,
                    threads, call)
  p <- run$incl / reps
  applicants$inclusion <- p
  applicants$inclusion_se <- sqrt(p * (1 - p) / reps)
  attr(applicants, "method") <- "simulation"
  applicants
}

# Exact inclusion probabilities of a policy's stages: a distribution over
# the sets S of admitted applicants (bit masks), advanced one draw at a time.
# Within a stage a state is (S, r), r the draws the stage still makes; a
# draw adds applicant j, eligible for the stage and not in S, with
# probability w_j / (sum of those weights), or uniformly among them when
# their weights are all 0 (the kernel's order: positive weights first).
# Only the states reached are kept, so a pool of 20 has at most
# choose(20, 10) of them at a time.
exact_inclusion <- function(plan, places) {
  w <- plan$weight
  n <- length(w)
  bits <- 2^(seq_len(n) - 1)
  has <- function(S, j) bitwAnd(S, bits[j]) > 0
  count_in <- function(S, set) {
    out <- numeric(length(S))
    for (j in which(set)) out <- out + has(S, j)
    out
  }
  ns <- length(plan$counts)
  states <- 0
  probs <- 1
  for (s in seq_len(ns)) {
    elig <- bitwAnd(plan$mask, 2^(s - 1)) > 0
    taken <- count_in(states, rep(TRUE, n))
    cand <- sum(elig) - count_in(states, elig)
    left <- places - taken
    r <- if (s == ns) pmin(left, cand) else pmin(plan$counts[s], cand, left)
    repeat {
      act <- r > 0
      if (!any(act)) break
      S <- states[act]
      p <- probs[act]
      ra <- r[act]
      wpos <- numeric(length(S))
      ncand <- numeric(length(S))
      for (j in which(elig)) {
        free <- !has(S, j)
        wpos <- wpos + free * w[j]
        ncand <- ncand + free
      }
      uniform <- wpos <= 0
      denom <- ifelse(uniform, ncand, wpos)
      nS <- list(states[!act])
      nP <- list(probs[!act])
      nR <- list(r[!act])
      for (j in which(elig)) {
        ok <- !has(S, j)
        pj <- p[ok] * ifelse(uniform[ok], 1, w[j]) / denom[ok]
        keep <- pj > 0
        nS[[length(nS) + 1]] <- (S[ok] + bits[j])[keep]
        nP[[length(nP) + 1]] <- pj[keep]
        nR[[length(nR) + 1]] <- (ra[ok] - 1)[keep]
      }
      S <- unlist(nS)
      rr <- unlist(nR)
      key <- S + rr * 2^n
      sums <- rowsum(unlist(nP), key, reorder = FALSE)
      keys <- as.numeric(rownames(sums))
      r <- keys %/% 2^n
      states <- keys - r * 2^n
      probs <- as.vector(sums)
    }
    sums <- rowsum(probs, states, reorder = FALSE)
    states <- as.numeric(rownames(sums))
    probs <- as.vector(sums)
  }
  vapply(seq_len(n), function(j) sum(probs[has(states, j)]), double(1))
}

# ---- comparing policies -------------------------------------------------------------

#' Compare selection policies against the status quo
#'
#' Runs [simulate_selection()] for the status quo (an unweighted
#' [lottery()]) and for each policy in `...` with the same applicants,
#' places and seed, and returns one table and one figure: admitted
#' students, doctors and GPs per region class, and the change against the
#' status quo.
#'
#' @param ... Named policies, such as `quota = quota(0.2, "shortage")`.
#' @param applicants,places,years,reps,seed,rates,practice,return_share,threads,class
#'   As in [simulate_selection()].
#' @param status_quo The reference policy.
#' @return A list with `table` (a data frame: one row per policy and region
#'   class of origin, with `admitted_mean`, `_lo`, `_hi`, `gps_mean`,
#'   `_lo`, `_hi` -- GPs by their class of origin, wherever they practise
#'   -- and `admitted_change` and `gps_change` against the status quo),
#'   `practice` (one row per policy and practice region: the `practice`
#'   table of [simulate_selection()] and `new_gps_change` against the
#'   status quo; bonded graduates count in their serve regions) and
#'   `plot` (a ggplot2 figure: admitted students and expected GPs per
#'   policy and region class, means with 95% intervals; `NULL` without
#'   ggplot2).
#' @seealso [simulate_selection()]
#' @export
#' @examples
#' a <- simulate_applicants(places = 100, seed = 2)
#' cmp <- compare_policies(
#'   tickets = weighted_lottery(c(shortage = 3)),
#'   quota = quota(0.3, "shortage"),
#'   applicants = a, places = 100, reps = 200, seed = 1, threads = 1
#' )
#' cmp$table
compare_policies <- function(..., applicants, places, status_quo = lottery(),
                             years = 1, reps = 1000, seed = NULL,
                             rates = NULL, practice = NULL,
                             return_share = 0.5,
                             threads = getOption("spreiding.threads", 2),
                             class = "region_class") {
  call <- sys.call()
  pols <- list(...)
  if (length(pols) == 0) {
    stop_spreiding("Give at least one policy in `...` to compare.",
                   arg = "...", call = call)
  }
  nms <- names(pols) %||% rep("", length(pols))
  for (i in seq_along(pols)) {
    pols[[i]] <- as_policy(pols[[i]], "...", call)
    if (!nzchar(nms[i])) nms[i] <- policy_label(pols[[i]])
  }
  if (anyDuplicated(c("status quo", nms))) {
    stop_spreiding("The policies in `...` need distinct names.", arg = "...",
                   call = call)
  }
  all <- c(list(as_policy(status_quo, "status_quo", call)), pols)
  labels <- c("status quo", nms)
  if (is.null(seed)) seed <- select_seed(NULL, call)
  runs <- lapply(all, function(p) {
    simulate_selection(applicants, places, p, years = years, reps = reps,
                       seed = seed, rates = rates, threads = threads,
                       class = class, practice = practice,
                       return_share = return_share)
  })
  rows <- lapply(seq_along(runs), function(i) {
    ct <- runs[[i]]$class
    data.frame(policy = labels[i], ct[c(class, "admitted_mean", "admitted_lo",
                                       "admitted_hi", "gps_mean", "gps_lo",
                                       "gps_hi")],
               stringsAsFactors = FALSE, check.names = FALSE)
  })
  tab <- do.call(rbind, rows)
  base <- rows[[1]]
  m <- match(tab[[class]], base[[class]])
  tab$admitted_change <- tab$admitted_mean - base$admitted_mean[m]
  tab$gps_change <- tab$gps_mean - base$gps_mean[m]
  tab$policy <- factor(tab$policy, levels = labels)
  rownames(tab) <- NULL
  regions <- do.call(rbind, lapply(seq_along(runs), function(i) {
    pt <- runs[[i]]$practice
    data.frame(policy = labels[i], pt, stringsAsFactors = FALSE)
  }))
  base_gps <- runs[[1]]$practice$new_gps_mean
  regions$new_gps_change <- regions$new_gps_mean -
    base_gps[match(regions$region, runs[[1]]$practice$region)]
  regions$policy <- factor(regions$policy, levels = labels)
  rownames(regions) <- NULL
  plot <- NULL
  if (requireNamespace("ggplot2", quietly = TRUE)) {
    what <- c("Admitted students", "Expected GPs")
    d <- rbind(
      data.frame(policy = tab$policy, class_ = tab[[class]],
                 what = what[1], mean = tab$admitted_mean,
                 lo = tab$admitted_lo, hi = tab$admitted_hi),
      data.frame(policy = tab$policy, class_ = tab[[class]],
                 what = what[2], mean = tab$gps_mean, lo = tab$gps_lo,
                 hi = tab$gps_hi)
    )
    d$what <- factor(d$what, what)
    n_class <- length(unique(d$class_))
    # Okabe-Ito colours
    colours <- rep(c("#D55E00", "#0072B2", "#009E73", "#E69F00", "#CC79A7",
                     "#56B4E9"), length.out = n_class)
    plot <- ggplot2::ggplot(d, ggplot2::aes(x = .data$policy, y = .data$mean,
                                            colour = .data$class_)) +
      ggplot2::geom_pointrange(
        ggplot2::aes(ymin = .data$lo, ymax = .data$hi),
        position = ggplot2::position_dodge(width = 0.4)
      ) +
      ggplot2::facet_wrap(ggplot2::vars(.data$what), scales = "free_y") +
      ggplot2::scale_colour_manual(values = colours) +
      ggplot2::labs(x = NULL,
                    y = paste0("Number from ",
                               if (years == 1) "one year" else
                                 paste(years, "years"),
                               " of admissions (mean, 95% interval)"),
                    colour = plot_title(class)) +
      ggplot2::theme_minimal() +
      ggplot2::theme(plot.background = ggplot2::element_rect(fill = "white",
                                                             colour = NA),
                     axis.text.x = ggplot2::element_text(angle = 20,
                                                         hjust = 1))
  }
  list(table = tab, practice = regions, plot = plot)
}
