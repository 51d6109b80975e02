# Disclosure control: disclose(), the rule constructors, audit_disclosure(),
# publish() and aggregate_small(). R checks the input and builds the
# dimensions; C (src/disclose.c) builds every cell and relation, applies the
# C rules and does the secondary suppression; the exact audit is a linear
# programme per group of linked suppressed cells (Rglpk).

# ---- rules ------------------------------------------------------------------

#' Disclosure rules
#'
#' Rules for [disclose()]. A *primary* rule marks the cells that may not be
#' published; complementary (secondary) suppression then hides enough other
#' cells that no primary cell can be worked out from the published ones.
#'
#' * `min_count(n)`: cells of 1 to `n - 1` persons (CBS: fewer than 10).
#'   Zeros are published unless `zeros = "suppress"`.
#' * `dominance(n, k)`: for magnitude columns (FTE, income): cells whose `n`
#'   largest contributions make up `k`% or more of the cell total. `top`
#'   names the column holding the sum of the `n` largest contributions per
#'   cell (for `n = 1`, `region_table(..., top = max(fte))`). For totals that
#'   [disclose()] computes, the largest `top` among the cells below is used:
#'   exact for `n = 1`, a lower bound for larger `n`.
#' * `secondary(protection)`: settings of the complementary suppression,
#'   which always runs. A suppressed cell is *protected* when the interval an
#'   attacker can derive for it from everything published is at least
#'   `protection` wide: `1` (the default) asks that no suppressed count can
#'   be worked out exactly; larger values ask for wider intervals.
#' * `disclosure_rule(name, ...)`: any rule in the registry (see
#'   [disclosure_rules()]), including plugins registered with
#'   [register_disclosure_rule()] or from C.
#'
#' @param n For `min_count()`, the smallest publishable count; for
#'   `dominance()`, the number of largest contributions.
#' @param zeros `"safe"` (publish zeros) or `"suppress"`.
#' @param k Percentage of the cell total.
#' @param top Name of the column with the sum of the `n` largest
#'   contributions per cell.
#' @param columns Count columns the rule applies to; `NULL` for all the
#'   `counts` of [disclose()].
#' @param protection Smallest width of the interval an attacker may derive
#'   for a suppressed cell.
#' @param .name Name of a registered disclosure rule.
#' @param ... Parameters of the rule (numbers) and its further column
#'   arguments (column names).
#' @param .columns As `columns`.
#' @return A `spreiding_rule` object for the `rules` argument of
#'   [disclose()].
#' @seealso [disclose()], [disclosure_rules()]
#' @export
#' @examples
#' min_count(10)
#' dominance(n = 1, k = 80, top = "largest_fte")
#' secondary(protection = 2)
min_count <- function(n = 10, zeros = c("safe", "suppress"), columns = NULL) {
  call <- sys.call()
  zeros <- arg_choice(zeros, c("safe", "suppress"), "zeros", call)
  check_whole_number(n, "n", 1, call)
  disclosure_rule("min_count", n = n, zeros = as.double(zeros == "suppress"),
                  .columns = columns)
}

#' @rdname min_count
#' @export
dominance <- function(n = 1, k = 80, top, columns = NULL) {
  call <- sys.call()
  if (missing(top) || !is_string(top)) {
    stop_spreiding(paste0("`top` must name the column with the sum of the ",
                          "largest contributions per cell."),
                   arg = "top", call = call)
  }
  check_whole_number(n, "n", 1, call)
  disclosure_rule("dominance", n = n, k = k, top = top, .columns = columns)
}

#' @rdname min_count
#' @export
secondary <- function(protection = 1) {
  call <- sys.call()
  if (!is.numeric(protection) || length(protection) != 1 ||
      !is.finite(protection) || protection < 0) {
    stop_spreiding("`protection` must be a single number of at least 0.",
                   arg = "protection", call = call)
  }
  disclosure_rule("secondary", protection = protection)
}

#' @rdname min_count
#' @export
disclosure_rule <- function(.name, ..., .columns = NULL) {
  call <- sys.call()
  name <- .name
  columns <- .columns
  if (!is_string(name)) {
    stop_spreiding("`.name` must be the name of a disclosure rule.",
                   arg = ".name", call = call)
  }
  entry <- .Call(C_spr_c_registry_get, "disclosure_rules", name)
  if (is.null(entry)) {
    stop_spreiding(paste0("There is no disclosure rule ", backtick(name),
                          ".", did_you_mean(name, disclosure_rules()$name),
                          " See `disclosure_rules()`."),
                   arg = ".name", call = call)
  }
  dots <- list(...)
  if (length(dots) && (is.null(names(dots)) || any(!nzchar(names(dots))))) {
    stop_spreiding(paste0("Give the parameters of ", backtick(name),
                          " by name, e.g. `", name, "(",
                          c(entry$params, entry$arguments[-1], "n")[1],
                          " = ...)`."),
                   arg = "...", call = call)
  }
  params <- entry$defaults
  names(params) <- entry$params
  aux <- character()
  extra <- entry$arguments[-1]
  for (nm in names(dots)) {
    v <- dots[[nm]]
    if (nm %in% entry$params) {
      if (!is.numeric(v) || length(v) != 1 || is.na(v)) {
        stop_spreiding(paste0("Parameter ", backtick(nm), " of ",
                              backtick(name), " must be a single number."),
                       arg = nm, call = call)
      }
      params[[nm]] <- as.double(v)
    } else if (nm %in% extra) {
      if (!is_string(v)) {
        stop_spreiding(paste0("Argument ", backtick(nm), " of ",
                              backtick(name), " must name a column."),
                       arg = nm, call = call)
      }
      aux[[nm]] <- v
    } else {
      stop_spreiding(paste0(backtick(name), " has no parameter ",
                            backtick(nm), ".",
                            did_you_mean(nm, c(entry$params, extra))),
                     arg = nm, call = call)
    }
  }
  missing_param <- names(params)[is.na(params)]
  if (length(missing_param)) {
    stop_spreiding(paste0(backtick(name), " needs a value for ",
                          backtick(missing_param[1]), "."),
                   arg = missing_param[1], call = call)
  }
  missing_aux <- setdiff(extra, names(aux))
  if (length(missing_aux)) {
    stop_spreiding(paste0(backtick(name), " needs the column argument ",
                          backtick(missing_aux[1]), "."),
                   arg = missing_aux[1], call = call)
  }
  if (!is.null(columns) && (!is.character(columns) || anyNA(columns))) {
    stop_spreiding("`columns` must be NULL or names of count columns.",
                   arg = ".columns", call = call)
  }
  structure(list(name = name, kind = entry$kind, params = params,
                 aux = aux[extra], columns = columns, entry = entry),
            class = "spreiding_rule")
}

#' @export
format.spreiding_rule <- function(x, ...) {
  shown <- as.character(x$params)
  if (x$name == "min_count") {
    shown[names(x$params) == "zeros"] <-
      if (x$params[["zeros"]] != 0) "\"suppress\"" else "\"safe\""
  }
  args <- c(if (length(x$params)) paste0(names(x$params), " = ", shown),
            if (length(x$aux)) paste0(names(x$aux), " = \"", x$aux, "\""),
            if (!is.null(x$columns)) paste0("columns = ", deparse1(x$columns)))
  paste0(x$name, "(", paste(args, collapse = ", "), ")")
}

#' @export
print.spreiding_rule <- function(x, ...) {
  cat("<disclosure rule> ", format(x), "\n", sep = "")
  invisible(x)
}

check_whole_number <- function(x, arg, min, call) {
  if (!is.numeric(x) || length(x) != 1 || !is.finite(x) || x < min ||
      x != round(x)) {
    stop_spreiding(paste0("`", arg, "` must be a whole number of at least ",
                          min, "."), arg = arg, call = call)
  }
}

# ---- disclose() ---------------------------------------------------------------

#' Suppress the cells of a regional table that may not be published
#'
#' Applies primary disclosure rules (such as CBS's minimum of 10 persons per
#' cell) to every cell of a table *and* to every total that can be formed
#' from it, then suppresses further cells (complementary or secondary
#' suppression) until no suppressed cell can be worked out from the
#' published cells, and suppresses every derived statistic (rate, ratio,
#' difference) computed from a suppressed count.
#'
#' @section Cells and totals:
#' `table` holds the finest cells, one row each (say PC4 x sex x cohort).
#' Every `by` column is a dimension. `hierarchy` says how a dimension rolls
#' up: `pc4 ~ pc2` (PC4 areas add up to PC2 areas, which add up to the
#' national total), a chain `list(pc4 ~ pc2, pc2 ~ province)`, or linked
#' hierarchies that cut across each other, `list(pc4 ~ gemeente, pc4 ~
#' azw)`. The parent of a formula is a column of `table`; a two-column data
#' frame (child codes, parent codes, named after the two levels) gives the
#' mapping instead. A dimension without a hierarchy rolls up into its total
#' directly. All totals, including every margin of every crossed dimension
#' (PC2 x total sex, total x sex, ...), are computed from the cells and
#' appended to the result after the input rows; in them, the dimension
#' columns that were added up are `NA`, and the column `level` says which
#' level each row is at (`"pc4 x sex"`, `"pc2 x total"`, ...).
#'
#' @section Secondary suppression:
#' An attacker knows every published cell, how cells add up, that counts are
#' whole numbers of at least 0, and that a cell suppressed by `min_count(n)`
#' lies between 1 (0 when zeros are suppressed) and `n - 1`. The heuristic:
#' 1. while a relation (a total and the cells that add up to it) has exactly
#'    one suppressed cell, suppress one more of its published cells. The
#'    choice looks one step ahead: a cell whose other relations already hold
#'    one suppressed cell closes those too (score -1 each), a cell whose
#'    other relations hold none opens new ones (+1 each); the lowest score
#'    wins, so suppressions form rectangles rather than chains. Before the
#'    score come two tiers: a zero (it can only move up, so it cannot
#'    protect a cell of 1) and the grand total are taken only when nothing
#'    else is left. Ties go to the more detailed, then the smaller, then the
#'    earlier cell, so the result is deterministic;
#' 2. derive the attacker's interval of every suppressed cell by interval
#'    propagation over all relations, and for a primary cell whose interval
#'    is narrower than the protection level (see [secondary()]), suppress a
#'    published cell of its relations (or, when all of them are suppressed,
#'    of the nearest relations beyond), chosen the same way; repeat from 1;
#' 3. give every primary cell a certificate: a move, that is a change of
#'    hidden cells that keeps every relation and every attacker's bound and
#'    changes the cell by the protection level. A move is a feasible point
#'    of the attacker's linear programme, so the cell is protected, whatever
#'    else the attacker combines. The search (in C) balances one relation at
#'    a time with the hidden cell that unbalances the fewest others (a
#'    rectangle or cube of cells in a crossed table, Repsilber's hypercube
#'    generalised to linked hierarchies); when it fails it retries with the
#'    most constrained relation first. A cell without a move gets one
#'    through published cells, and the fewest of those are suppressed;
#' 4. publish again each complementary cell, the most valuable first, when
#'    every certificate through it can be replaced by one without it (this
#'    also publishes complements the published cells pin down anyway, which
#'    hide nothing). Every certificate is checked again in R, independently
#'    of the C code that found it;
#' 5. a primary cell still without a certificate (rare) is checked by linear
#'    programming when `audit` allows ([audit_disclosure()]), and steps 1
#'    and 2 add complements until it is protected.
#' This does not find the smallest possible set of suppressions (that
#' problem is NP-hard), but every result is checked. On national PC4 x sex
#' x cohort tables (`bench/disclosure.R`, PC4 in PC2, and PC4 linked into
#' gemeenten and AZW regions) it hides fewer cells than sdcTable's and
#' GaussSuppression's heuristics, which there also leave some cells of 1 to
#' 9 that an attacker who knows the rule can work out.

#' @section Derived statistics:
#' A derived statistic computed from a suppressed count would give the count
#' away (a rate with its published denominator, inhabitants per student with
#' the published number of inhabitants). With `derived = TRUE`, the
#' dependencies of a [region_table()] result are read from how it was made
#' (`rate(doctor)` depends on `sum(doctor)` and `count()` columns, `ratio(a,
#' b)` on what `a` and `b` depend on, `.regions` columns on nothing); in any
#' other data frame, every numeric column that is neither a count nor a
#' dimension is taken to depend on all counts of its row. A named list such
#' as `list(pct_doctor = c("doctors", "students"))` says it exactly. Derived
#' columns are `NA` in the appended total rows (they are not recomputed).
#'
#' @param table A data frame of counts, one row per cell, such as a
#'   [region_table()] result.
#' @param counts Names of the count columns the rules apply to: counts of
#'   persons (whole numbers of at least 0), or magnitudes such as FTE for
#'   [dominance()] or a plugin rule, with at most 6 decimals. A magnitude
#'   column is protected in units of its last decimal (FTE to one decimal:
#'   in tenths), which is what an attacker who sees the published precision
#'   knows; `secondary(protection)` is in the column's own units.
#' @param rules A list of rules: [min_count()], [dominance()],
#'   [secondary()], [disclosure_rule()].
#' @param hierarchy `NULL`, a formula `child ~ parent`, a two-column data
#'   frame, or a list of these; see the section Cells and totals.
#' @param derived `TRUE`, `FALSE` or a named list of the counts each derived
#'   column is computed from; see the section Derived statistics.
#' @param by Dimension columns. By default the `by` columns of a
#'   [region_table()] result, otherwise every character, factor or logical
#'   column that is not a parent in `hierarchy`.
#' @param audit `NA` (check the primary cells that have no certificate by
#'   linear programming when Rglpk is installed), `TRUE` (always; an error
#'   without Rglpk) or `FALSE` (such cells are protected by interval
#'   propagation only). Cells with a certificate need no programme.
#' @return A data frame of class `spreiding_disclosed`: the rows of `table`
#'   followed by the computed totals, a column `level`, the suppressed
#'   values set to `NA`, and per count and per derived column a factor
#'   `<column>_status` with levels `ok`, `primary`, `secondary`, `derived`.
#'   The attribute `"disclosure"` holds the rules, the relations and the
#'   attacker's interval of every suppressed cell (not the hidden values).
#'   Pass it to [publish()] for printing or writing.
#' @seealso [publish()], [audit_disclosure()], [aggregate_small()]
#' @export
#' @examples
#' cells <- data.frame(
#'   pc2 = c("10", "10", "11", "11", "12", "12"),
#'   sex = c("f", "m", "f", "m", "f", "m"),
#'   students = c(25, 14, 3, 19, 40, 31)
#' )
#' out <- disclose(cells, "students", audit = FALSE)
#' out
#' publish(out)
disclose <- function(table, counts, rules = list(min_count(10)),
                     hierarchy = NULL, derived = TRUE, by = NULL,
                     audit = NA) {
  call <- sys.call()
  check_frame(table, "table", call)
  prov <- attr(table, "spreiding")
  counts <- check_counts(table, counts, call)
  rules <- check_rules(rules, counts, table, call)
  if (!is.logical(audit) || length(audit) != 1) {
    stop_spreiding("`audit` must be NA, TRUE or FALSE.", arg = "audit",
                   call = call)
  }
  solver <- have_solver()
  if (isTRUE(audit) && !solver) stop_no_solver(call)
  use_lp <- if (is.na(audit)) solver else audit
  edges <- parse_hierarchy(hierarchy, table, call)
  by <- check_dims(table, by, prov, edges, counts, call)
  dims <- build_dims(table, by, edges, call)

  aux_in <- aux_columns(table, rules)
  cells <- with_call(
    .Call(C_spr_c_disclose_cells, lapply(dims, `[[`, "c_def"),
          lapply(table[counts], as.double), unname(aux_in)),
    call
  )
  ncell <- nrow(cells[[1]])
  values <- cells[[3]]
  colnames(values) <- counts
  rel <- add_implied_relations(
    list(ptr = cells[[4]], member = cells[[5]], dim = cells[[6]]),
    dims, cells[[1]], cells[[2]]
  )
  aux <- lapply(seq_along(aux_in), function(j) cells[[7]][, j])
  names(aux) <- names(aux_in)
  detail <- cell_detail(cells[[1]], dims)

  protection <- rule_protection(rules)
  for (col in counts) {
    n <- rule_threshold(col, rules)
    room <- n - 1 - zeros_safe(col, rules)
    if (!is.na(n) && n > 1 && protection > room) {
      stop_spreiding(paste0("`secondary(protection = ", protection, ")` ",
                            "cannot be met: a cell hidden by min_count(", n,
                            ") is known to lie in an interval of width ",
                            room, "."), arg = "rules", call = call)
    }
  }
  status <- matrix(0L, ncell, length(counts), dimnames = list(NULL, counts))
  lower <- upper <- matrix(NA_real_, ncell, length(counts))
  # per count, the cells whose rule bounds the attacker knows (hidden by
  # min_count(), so below its threshold); a cell hidden by another rule,
  # such as dominance(), may hold any count
  bounded <- stats::setNames(vector("list", length(counts)), counts)
  scale <- vapply(counts, function(col) {
    count_scale(table[[col]], col, rules, call)
  }, double(1))
  for (k in seq_along(counts)) {
    # totals of a magnitude column are sums of decimals: back to whole units
    values[, k] <- round(values[, k] * scale[[k]]) / scale[[k]]
    prim <- apply_primary(rules, counts[k], values[, k], aux, call)
    v <- round(values[, k] * scale[[k]])
    prior <- attacker_prior(rules, counts[k], v, prim)
    bounded[[k]] <- which(is.finite(prior$hi))
    priority <- rank_cells(v, detail)
    tier <- as.integer(ifelse(v <= prior$lo, 2L,
                              ifelse(detail == max(detail), 1L, 0L)))
    res <- protect_column(rel, v, prim, priority, tier, prior,
                          protection * scale[[k]], use_lp, call)
    status[, k] <- res$status
    lower[, k] <- res$lower / scale[[k]]
    upper[, k] <- res$upper / scale[[k]]
  }

  out <- assemble_cells(table, cells, dims, by, counts)
  for (k in seq_along(counts)) {
    x <- values[, k]
    x[status[, k] != 0L] <- NA
    out[[counts[k]]] <- restore_type(x, table[[counts[k]]])
  }
  deps <- derived_dependencies(derived, table, prov, counts, by, dims, call)
  out <- add_status_columns(out, counts, status, deps, nrow(table))
  audit_df <- suppressed_intervals(status, lower, upper, counts, protection,
                                   rules, values)
  structure(out, class = c("spreiding_disclosed", "data.frame"),
            disclosure = list(
              counts = counts, by = by, rules = lapply(rules, format),
              thresholds = vapply(counts, rule_threshold, double(1),
                                  rules = rules),
              zeros_safe = vapply(counts, zeros_safe, logical(1),
                                  rules = rules),
              protection = protection, relations = rel,
              levels = lapply(dims, `[[`, "levels"),
              intervals = audit_df, exact = use_lp, bounded = bounded,
              derived = deps, n_input = nrow(table)
            ))
}

# ---- checks ---------------------------------------------------------------------

check_counts <- function(table, counts, call) {
  if (!is.character(counts) || length(counts) == 0 || anyNA(counts) ||
      anyDuplicated(counts)) {
    stop_spreiding("`counts` must name one or more count columns of `table`.",
                   arg = "counts", call = call)
  }
  check_has_columns(table, counts, "table", call)
  for (col in counts) {
    x <- table[[col]]
    if (!is.numeric(x) || !is.null(dim(x))) {
      stop_spreiding(paste0("Count column ", backtick(col), " must be ",
                            "numeric, not ", describe(x), "."),
                     arg = "counts", call = call)
    }
    check_not_missing(x, paste("Count column", backtick(col)),
                      "a count must be known to decide whether it may be published.",
                      "counts", call)
    bad <- which(!is.finite(x) | x < 0)
    if (length(bad)) {
      stop_spreiding(paste0("Count column ", backtick(col), " must hold ",
                            "finite numbers of at least 0; row ", bad[1],
                            " has ", format(x[bad[1]]), "."),
                     arg = "counts", row = bad[1], call = call)
    }
  }
  counts
}

# 10^d for the fewest decimals d (at most 6) that make the finite values
# of x whole.
value_scale <- function(x) {
  x <- x[is.finite(x)]
  for (d in 0:6) {
    y <- x * 10^d
    if (all(abs(y - round(y)) <= pmax(1e-6, 1e-15 * abs(y)))) return(10^d)
  }
  10^6
}

# The unit each count column is protected in: 1 for counts of persons, and
# 10^-d for a magnitude column (FTE, income) given to d decimals (d <= 6).
# The engine reasons in whole units, so a magnitude column is handled as a
# whole number of its last decimal: an attacker who knows the published
# precision knows that much, and no more. min_count() is for persons, so
# its columns must be whole.
count_scale <- function(x, col, rules, call) {
  d <- round(log10(value_scale(x)))
  y <- x * 10^d
  off <- abs(y - round(y)) > pmax(1e-6, 1e-15 * abs(y))
  if (any(off)) {
    bad <- which(off)[1]
    stop_spreiding(paste0("Count column ", backtick(col), " has more than 6 ",
                          "decimals (row ", bad, " has ",
                          format(x[bad], digits = 15), "); round it to the ",
                          "precision you publish."),
                   arg = "counts", row = bad, call = call)
  }
  if (d > 0 && !is.na(rule_threshold(col, rules))) {
    bad <- which(x != round(x))[1]
    stop_spreiding(paste0("Count column ", backtick(col), " must hold ",
                          "whole numbers for min_count(), which counts ",
                          "persons; row ", bad, " has ", format(x[bad]),
                          ". For a magnitude such as FTE use dominance(), ",
                          "and give min_count() the count columns with ",
                          "`columns =`."),
                   arg = "counts", row = bad, call = call)
  }
  if (max(abs(y), 0) > 2^50) {
    stop_spreiding(paste0("Count column ", backtick(col), " is too large to ",
                          "handle exactly at ", d, " decimals."),
                   arg = "counts", call = call)
  }
  10^d
}

check_not_missing <- function(x, what, hint, arg, call) {
  bad <- which(is.na(x))
  if (length(bad)) {
    stop_spreiding(paste0(what, " is missing in row ", bad[1], "; ", hint),
                   arg = arg, row = bad[1], call = call)
  }
}

check_rules <- function(rules, counts, table, call) {
  if (inherits(rules, "spreiding_rule")) rules <- list(rules)
  if (!is.list(rules) || length(rules) == 0) {
    stop_spreiding(paste0("`rules` must be a list of disclosure rules, such ",
                          "as `list(min_count(10))`."),
                   arg = "rules", call = call)
  }
  rules <- lapply(seq_along(rules), function(i) {
    r <- rules[[i]]
    if (is_string(r)) r <- with_call(disclosure_rule(r), call)
    if (!inherits(r, "spreiding_rule")) {
      stop_spreiding(paste0("Element ", i, " of `rules` is ", describe(r),
                            ", not a disclosure rule such as `min_count(10)`."),
                     arg = "rules", call = call)
    }
    unknown <- setdiff(r$columns, counts)
    if (length(unknown)) {
      stop_spreiding(paste0("Rule ", backtick(format(r)), " applies to ",
                            backtick(unknown[1]), ", which is not one of ",
                            "`counts`."),
                     arg = "rules", call = call)
    }
    for (col in r$aux) {
      check_has_columns(table, col, "table", call)
      if (!is.numeric(table[[col]]) || anyNA(table[[col]])) {
        stop_spreiding(paste0("Column ", backtick(col), " of rule ",
                              backtick(format(r)), " must be numeric ",
                              "without missing values."),
                       arg = "rules", call = call)
      }
    }
    r
  })
  if (!any(vapply(rules, function(r) r$kind == "primary", logical(1)))) {
    stop_spreiding("`rules` needs at least one primary rule, such as `min_count(10)`.",
                   arg = "rules", call = call)
  }
  rules
}

check_dims <- function(table, by, prov, edges, counts, call) {
  parents <- unique(vapply(edges, `[[`, "", "parent"))
  if (is.null(by)) {
    by <- prov$by
    if (is.null(by)) {
      kinds <- vapply(table, function(x) is.character(x) || is.factor(x) ||
                        is.logical(x), logical(1))
      by <- names(table)[kinds]
    }
    children <- unique(vapply(edges, `[[`, "", "child"))
    by <- union(by, intersect(setdiff(children, parents), names(table)))
    by <- setdiff(by, c(parents, counts, "level"))
  } else {
    if (!is.character(by) || anyNA(by) || anyDuplicated(by)) {
      stop_spreiding("`by` must name the dimension columns of `table`.",
                     arg = "by", call = call)
    }
    check_has_columns(table, by, "table", call)
    by <- setdiff(by, parents)
  }
  if (length(by) == 0) {
    stop_spreiding(paste0("No dimension columns: give `by`, the columns ",
                          "that identify a cell (such as `c(\"pc4\", \"sex\")`)."),
                   arg = "by", call = call)
  }
  clash <- intersect(by, counts)
  if (length(clash)) {
    stop_spreiding(paste0(backtick(clash[1]), " cannot be both a dimension ",
                          "and a count."), arg = "by", call = call)
  }
  if ("level" %in% names(table)) {
    stop_spreiding(paste0("`table` already has a column `level`, which ",
                          "disclose() adds; rename it."),
                   arg = "table", call = call)
  }
  for (b in by) {
    x <- table[[b]]
    if (!is.null(dim(x)) || is.list(x) || is.complex(x) || is.raw(x)) {
      stop_spreiding(paste0("Dimension column ", backtick(b), " must be an ",
                            "atomic vector of codes, not ", describe(x), "."),
                     arg = "by", call = call)
    }
    check_not_missing(x, paste("Dimension column", backtick(b)),
                      "give unknown values a code of their own (such as \"unknown\").",
                      "by", call)
  }
  by
}

# ---- hierarchy -------------------------------------------------------------------

# Each element of `hierarchy` becomes an edge: child level, parent level and,
# for data frames, the code map (NULL: read both columns from `table`).
parse_hierarchy <- function(hierarchy, table, call) {
  if (is.null(hierarchy)) return(list())
  if (inherits(hierarchy, "formula") || is.data.frame(hierarchy)) {
    hierarchy <- list(hierarchy)
  }
  if (!is.list(hierarchy)) {
    stop_spreiding(paste0("`hierarchy` must be NULL, a formula such as ",
                          "`pc4 ~ pc2`, a two-column data frame, or a list ",
                          "of these."), arg = "hierarchy", call = call)
  }
  edges <- lapply(seq_along(hierarchy), function(i) {
    h <- hierarchy[[i]]
    if (inherits(h, "formula")) {
      vars <- all.vars(h)
      if (length(h) != 3 || length(all.vars(h[[2]])) != 1 ||
          length(all.vars(h[[3]])) != 1 || !is.symbol(h[[2]]) ||
          !is.symbol(h[[3]])) {
        stop_spreiding(paste0("Element ", i, " of `hierarchy` must be a ",
                              "formula `child ~ parent` with one column ",
                              "name on each side, not `", deparse1(h), "`."),
                       arg = "hierarchy", call = call)
      }
      child <- vars[1]
      parent <- vars[2]
      check_has_columns(table, c(child, parent), "table", call)
      list(child = child, parent = parent, map = NULL)
    } else if (is.data.frame(h)) {
      if (ncol(h) != 2) {
        stop_spreiding(paste0("Element ", i, " of `hierarchy` is a data ",
                              "frame with ", ncol(h), " columns; it needs ",
                              "two: child codes and parent codes, named ",
                              "after their levels."),
                       arg = "hierarchy", call = call)
      }
      nm <- names(h)
      bad <- which(is.na(h[[1]]) | is.na(h[[2]]))
      if (length(bad)) {
        stop_spreiding(paste0("Row ", bad[1], " of hierarchy element ", i,
                              " has a missing code."),
                       arg = "hierarchy", row = bad[1], call = call)
      }
      key <- as.character(h[[1]])
      dup <- which(duplicated(key))
      for (d in dup) {
        first <- match(key[d], key)
        if (!identical(as.character(h[[2]][first]), as.character(h[[2]][d]))) {
          stop_spreiding(paste0("In hierarchy element ", i, ", ", nm[1], " ",
                                key[d], " has two parents: ",
                                h[[2]][first], " (row ", first, ") and ",
                                h[[2]][d], " (row ", d, ")."),
                         arg = "hierarchy", row = d, call = call)
        }
      }
      list(child = nm[1], parent = nm[2],
           map = list(from = key, to = h[[2]]))
    } else {
      stop_spreiding(paste0("Element ", i, " of `hierarchy` is ",
                            describe(h), "; use a formula `child ~ parent` ",
                            "or a two-column data frame."),
                     arg = "hierarchy", call = call)
    }
  })
  for (e in edges) {
    if (identical(e$child, e$parent) || identical(e$parent, "total")) {
      stop_spreiding(paste0("Hierarchy `", e$child, " ~ ", e$parent,
                            "` is not a relation between two levels",
                            if (identical(e$parent, "total"))
                              " (`total` is reserved for the national total)",
                            "."), arg = "hierarchy", call = call)
    }
  }
  pairs <- paste(vapply(edges, `[[`, "", "child"),
                 vapply(edges, `[[`, "", "parent"))
  if (anyDuplicated(pairs)) {
    stop_spreiding(paste0("`hierarchy` gives `", sub(" ", " ~ ",
                                                     pairs[anyDuplicated(pairs)]),
                          "` twice."), arg = "hierarchy", call = call)
  }
  check_cycles(edges, call)
  edges
}

check_cycles <- function(edges, call) {
  child <- vapply(edges, `[[`, "", "child")
  parent <- vapply(edges, `[[`, "", "parent")
  visit <- function(node, path) {
    if (node %in% path) {
      cyc <- c(path[match(node, path):length(path)], node)
      stop_spreiding(paste0("`hierarchy` has a cycle: ",
                            paste(cyc, collapse = " -> "), "."),
                     arg = "hierarchy", call = call)
    }
    for (p in parent[child == node]) visit(p, c(path, node))
  }
  for (c0 in unique(child)) visit(c0, character())
}

# Levels of each dimension, the code of every row at every level, and the
# definition handed to C: list(codes, ncodes, parents, maps).
build_dims <- function(table, by, edges, call) {
  child <- vapply(edges, `[[`, "", "child")
  used <- logical(length(edges))
  dims <- lapply(by, function(b) {
    levels <- b
    values <- list(table[[b]])
    i <- 1
    while (i <= length(levels)) {
      lv <- levels[i]
      for (e in which(child == lv)) {
        used[e] <<- TRUE
        edge <- edges[[e]]
        if (!edge$parent %in% levels) {
          pv <- parent_values(edge, values[[i]], table, call)
          levels <- c(levels, edge$parent)
          values[[length(values) + 1]] <- pv
        } else {
          # reached twice (a diamond): both ways must agree
          pv <- parent_values(edge, values[[i]], table, call)
          j <- match(edge$parent, levels)
          bad <- which(as.character(pv) != as.character(values[[j]]))
          if (length(bad)) {
            stop_spreiding(paste0("Row ", bad[1], " of `table` reaches ",
                                  edge$parent, " ", values[[j]][bad[1]],
                                  " one way and ", pv[bad[1]], " another."),
                           arg = "hierarchy", row = bad[1], call = call)
          }
        }
      }
      i <- i + 1
    }
    if ("total" %in% levels) {
      stop_spreiding("A level cannot be called `total`; that name is reserved.",
                     arg = "hierarchy", call = call)
    }
    uniq <- lapply(values, sorted_unique)
    codes <- Map(function(v, u) match(v, u), values, uniq)
    ncodes <- vapply(uniq, length, integer(1))
    parents <- lapply(levels, function(lv) {
      p <- vapply(edges[child == lv], `[[`, "", "parent")
      if (length(p) == 0) -1L else match(p, levels) - 1L
    })
    maps <- lapply(seq_along(levels), function(l) {
      lapply(parents[[l]], function(p) {
        if (p < 0) return(NULL)
        m <- integer(ncodes[l])
        m[codes[[l]]] <- codes[[p + 1]]
        m
      })
    })
    list(name = b, levels = levels, values = uniq,
         depth = level_depths(levels, parents),
         c_def = list(codes, ncodes, parents, maps))
  })
  unused <- which(!used)
  if (length(unused)) {
    e <- edges[[unused[1]]]
    stop_spreiding(paste0("Hierarchy `", e$child, " ~ ", e$parent, "`: ",
                          backtick(e$child), " is not a dimension (`by`) ",
                          "column nor a level above one."),
                   arg = "hierarchy", call = call)
  }
  dims
}

# Steps from the finest level; the total is one step above the highest.
level_depths <- function(levels, parents) {
  depth <- c(0L, rep(NA_integer_, length(levels) - 1))
  for (iter in seq_along(levels)) {
    for (l in seq_along(levels)) {
      if (is.na(depth[l])) next
      for (p in parents[[l]]) {
        if (p >= 0 && (is.na(depth[p + 1]) || depth[p + 1] < depth[l] + 1)) {
          depth[p + 1] <- depth[l] + 1L
        }
      }
    }
  }
  c(depth, max(depth) + 1L)
}

sorted_unique <- function(x) {
  if (is.factor(x)) return(factor(levels(x)[levels(x) %in% x], levels(x)))
  sort(unique(x), method = "radix")
}

parent_values <- function(edge, child_values, table, call) {
  if (is.null(edge$map)) {
    pv <- table[[edge$parent]]
    if (length(child_values) != length(pv)) {
      stop_spreiding(paste0("`", edge$child, " ~ ", edge$parent, "`: ",
                            backtick(edge$child), " is not a column of ",
                            "`table`; give the mapping as a data frame."),
                     arg = "hierarchy", call = call)
    }
    if (is.list(pv) || is.complex(pv) || is.raw(pv) || !is.null(dim(pv))) {
      stop_spreiding(paste0("Column ", backtick(edge$parent), " must be ",
                            "an atomic vector of codes."),
                     arg = "hierarchy", call = call)
    }
    bad <- which(is.na(pv))
    if (length(bad)) {
      stop_spreiding(paste0(edge$child, " ", child_values[bad[1]], " (row ",
                            bad[1], " of `table`) has no ", edge$parent, "."),
                     arg = "hierarchy", row = bad[1], call = call)
    }
    key <- as.character(child_values)
    first <- match(key, key)
    bad <- which(as.character(pv) != as.character(pv[first]))
    if (length(bad)) {
      stop_spreiding(paste0(edge$child, " ", key[bad[1]], " has two parents ",
                            "in `table`: ", edge$parent, " ", pv[first[bad[1]]],
                            " (row ", first[bad[1]], ") and ", pv[bad[1]],
                            " (row ", bad[1], ")."),
                     arg = "hierarchy", row = bad[1], call = call)
    }
    return(pv)
  }
  at <- match(as.character(child_values), edge$map$from)
  bad <- which(is.na(at))
  if (length(bad)) {
    stop_spreiding(paste0(edge$child, " ", child_values[bad[1]], " (row ",
                          bad[1], " of `table`) has no parent in the ",
                          edge$child, " -> ", edge$parent, " hierarchy."),
                   arg = "hierarchy", row = bad[1], call = call)
  }
  edge$map$to[at]
}

# ---- cells -------------------------------------------------------------------------

# Linked hierarchies imply relations between their totals that no single
# edge states. When every PC4 area of gemeente g lies in AZW region u, g is
# part of u: then u = (its whole gemeenten) + (its other PC4 areas), and u =
# g when g is all of u. A published u and a published g can pin a hidden
# cell through such a relation, and the heuristic looks at stated relations
# only, so they are stated: for every level with two or more parents, every
# cell of one parent level that holds whole cells of another gets the
# relation, all other coordinates fixed. The exact check needs none of this
# (they are sums of stated relations); they only guide the heuristic.
add_implied_relations <- function(rel, dims, lev, code) {
  add <- list()
  add_dim <- integer()
  for (d in seq_along(dims)) {
    def <- dims[[d]]$c_def
    parents <- def[[3]]
    maps <- def[[4]]
    for (l in seq_along(parents)) {
      ps <- parents[[l]]
      if (sum(ps >= 0) < 2) next
      # the cell's coordinates in the other dimensions ("" when none)
      other <- rep("", nrow(lev))
      for (e in seq_along(dims)[-d]) {
        other <- paste(other, lev[, e], code[, e], sep = "|")
      }
      key <- paste(other, lev[, d], code[, d], sep = "|")
      for (ia in seq_along(ps)) for (ib in seq_along(ps)) {
        if (ia == ib || ps[ia] < 0 || ps[ib] < 0) next
        ma <- maps[[l]][[ia]]
        mb <- maps[[l]][[ib]]
        # the codes of level a whose children all lie in one code of b
        n_b <- vapply(split(mb, ma), function(x) length(unique(x)), 1L)
        whole <- as.integer(names(n_b)[n_b == 1L])
        if (length(whole) == 0) next
        home <- mb[match(whole, ma)]
        cells_b <- which(lev[, d] == ps[ib] & code[, d] %in% home)
        # per code u of b: its whole codes of a, and its other children
        inner <- lapply(seq_len(max(mb)), function(u) {
          g <- whole[home == u]
          c(paste(ps[ia], g, sep = "|"),
            paste(l - 1L, which(mb == u & !ma %in% g), sep = "|"))
        })
        parts <- lapply(cells_b, function(i) {
          paste(other[i], inner[[code[i, d]]], sep = "|")
        })
        at <- match(unlist(parts), key)
        at <- split(at, factor(rep.int(seq_along(parts), lengths(parts)),
                               levels = seq_along(parts)))
        add <- c(add, Map(function(i, m) c(i, m[!is.na(m)]), cells_b, at))
        add_dim <- c(add_dim, rep(d, length(cells_b)))
      }
    }
  }
  if (length(add) == 0) return(rel)
  size <- lengths(add)
  list(ptr = c(rel$ptr, rel$ptr[length(rel$ptr)] + cumsum(size)),
       member = c(rel$member, as.integer(unlist(add))),
       dim = c(rel$dim, add_dim))
}

# Per cell, how aggregated it is: the sum over dimensions of its level's
# depth (0 for the finest level, the total the deepest).
cell_detail <- function(lev, dims) {
  out <- integer(nrow(lev))
  for (d in seq_along(dims)) out <- out + dims[[d]]$depth[lev[, d] + 1L]
  out
}

# Complement preference: non-zero first, then detailed, small, early.
rank_cells <- function(v, detail) {
  o <- order(v == 0, detail, v, seq_along(v), method = "radix")
  r <- integer(length(v))
  r[o] <- seq_along(v)
  r
}

# Auxiliary rule columns (such as dominance()'s `top`) at every cell: the
# input values, and at a total the largest value below it.
aux_columns <- function(table, rules) {
  cols <- unique(unlist(lapply(rules, `[[`, "aux")))
  stats::setNames(lapply(table[cols], as.double), cols)
}

apply_primary <- function(rules, col, v, aux, call) {
  prim <- integer(length(v))
  for (r in rules) {
    if (r$kind != "primary") next
    if (!is.null(r$columns) && !col %in% r$columns) next
    cols <- c(list(v), unname(aux[r$aux]))
    entry <- r$entry
    if (is.function(entry$impl)) {
      args <- c(cols, as.list(r$params))
      names(args) <- c(entry$arguments, names(r$params))
      res <- tryCatch(do.call(entry$impl, args), error = function(e) {
        stop_spreiding(paste0("Disclosure rule ", backtick(r$name), " failed: ",
                              conditionMessage(e)), arg = "rules", call = call)
      })
      if (!is.logical(res) || length(res) != length(v)) {
        stop_spreiding(paste0("Disclosure rule ", backtick(r$name), " must ",
                              "return one TRUE/FALSE per cell (", length(v),
                              "), not ", describe(res), "."),
                       arg = "rules", call = call)
      }
      hit <- !is.na(res) & res
    } else {
      hit <- with_call(.Call(C_spr_c_disclose_rule, entry$impl, cols,
                             unname(r$params), r$name), call) == 1L
    }
    prim[hit] <- 1L
  }
  prim
}

rule_threshold <- function(col, rules) {
  n <- NA_real_
  for (r in rules) {
    if (r$name == "min_count" && (is.null(r$columns) || col %in% r$columns)) {
      n <- max(n, r$params[["n"]], na.rm = TRUE)
    }
  }
  n
}

zeros_safe <- function(col, rules) {
  for (r in rules) {
    if (r$name == "min_count" && (is.null(r$columns) || col %in% r$columns) &&
        r$params[["zeros"]] != 0) return(FALSE)
  }
  TRUE
}

rule_protection <- function(rules) {
  p <- 1
  for (r in rules) if (r$name == "secondary") p <- r$params[["protection"]]
  p
}

# What an attacker knows of a suppressed cell before looking at the
# relations: a count >= 0; for a cell of 1..n-1 hidden by min_count(n),
# that it is at most n - 1 (and at least 1 when zeros are published).
attacker_prior <- function(rules, col, v, prim) {
  n <- rule_threshold(col, rules)
  lo <- rep(0, length(v))
  hi <- rep(Inf, length(v))
  if (!is.na(n)) {
    small <- prim == 1L & v < n
    hi[small] <- n - 1
    if (zeros_safe(col, rules)) lo[small & v > 0] <- 1
  }
  list(lo = lo, hi = hi)
}

protect_column <- function(rel, v, prim, priority, tier, prior, protection,
                           use_lp, call) {
  force <- integer()
  wide <- integer()
  stuck <- integer() # rounds in a row each exposed cell has been exposed
  status <- prim
  # Hiding more cells only widens what an attacker can derive, so a cell
  # proven protected stays protected: later rounds check the rest only.
  proven <- integer()
  first <- TRUE
  repeat {
    res <- .Call(C_spr_c_disclose_protect, rel$ptr, rel$member, v, status,
                 priority, tier, prior$lo, prior$hi, as.double(protection), force,
                 wide)
    added <- sum(res[[1]] != status)
    if (first) {
      # every primary cell gets a certificate (a move that proves it
      # protected), buying complements where needed; then complements no
      # certificate needs are published again. The certificates are checked
      # here, independently of the C code that found them. (The internal
      # option lets the tests take the path of cells without a certificate:
      # with moves capped at 1 cell none is found.)
      cap <- getOption("spreiding.move_cap", 256L)
      res <- .Call(C_spr_c_disclose_certify, rel$ptr, rel$member, v, res[[1]],
                   priority, tier, prior$lo, prior$hi, as.double(protection),
                   as.integer(cap))
      proven <- certified_cells(rel, v, res[[1]], prior, res[[5]], protection)
      first <- FALSE
    }
    status <- res[[1]]
    lower <- res[[2]]
    upper <- res[[3]]
    if (!use_lp) break
    check <- setdiff(which(status == 1L), proven)
    exposed <- lp_exposed(rel, v, status, prior, check, protection)
    proven <- c(proven, setdiff(check, exposed))
    # nothing changed since the last round: every cell linked to these is
    # hidden already, so only the rule's own bounds remain, and those were
    # checked against `protection` up front
    if (length(exposed) == 0 ||
        (added == 0 && identical(exposed, union(force, wide)))) break
    # a cell exposed again after its own complement gets one in each of its
    # relations, so that rounds do not add one distant cell at a time; when
    # that does not help either, so do the hidden cells around it, one
    # relation further out each round (what pins it may lie there)
    again <- exposed[exposed %in% names(stuck)]
    stuck <- stats::setNames(c(stuck[as.character(again)] + 1L,
                               rep(1L, length(setdiff(exposed, again)))),
                             c(again, setdiff(exposed, again)))
    wide <- again
    # exposed a third time: hide a published cell in each relation that
    # the exact programmes show pins it; where they name none, the hidden
    # cells around it get complements, one relation further out each round
    hard <- again[stuck[as.character(again)] > 2L]
    breakers <- pin_breakers(rel, v, status, prior, hard)
    status[breakers] <- 2L
    if (length(breakers) == 0) {
      for (c in again[stuck[as.character(again)] > 3L]) {
        wide <- union(wide, hidden_around(rel, status, c,
                                          stuck[[as.character(c)]] - 3L))
      }
    }
    force <- setdiff(exposed, again)
  }
  # complementary cells the published ones pin down hide nothing: publish
  # them (those found by propagation, and with the audit those that linear
  # programming proves pinned; the certificate step has published every
  # complement it did not need, so that check is for the complements added
  # after it)
  pinned <- which(status == 2L & upper - lower < 0.5)
  if (use_lp && length(stuck)) {
    pinned <- union(pinned, lp_exposed(rel, v, status, prior,
                                       setdiff(which(status == 2L), pinned),
                                       1, unproven = "ignore"))
  }
  status[pinned] <- 0L
  lower[status == 0L] <- NA
  upper[status == 0L] <- NA
  list(status = status, lower = lower, upper = upper)
}

# The primary cells whose certificate from spr_c_disclose_certify() holds:
# its cells are all hidden, it keeps every relation balanced, and it moves
# the cell by `protection` (there and back, as far as the bounds allow)
# with every cell within the attacker's bounds.
certified_cells <- function(rel, v, status, prior, cert, protection) {
  ptr <- cert[[1]]
  len <- diff(ptr)
  owner <- rep.int(seq_along(len), len)
  if (length(owner) == 0) return(integer())
  cell <- cert[[2]]
  delta <- cert[[3]]
  bad <- owner[status[cell] == 0L]
  # relations: total = sum of parts, so sum(coef * delta) must be 0
  nrel <- length(rel$ptr) - 1L
  coef <- rep(-1L, length(rel$member))
  coef[rel$ptr[-length(rel$ptr)] + 1L] <- 1L
  rel_of <- rep.int(seq_len(nrel), diff(rel$ptr))
  by_cell <- split(seq_along(rel$member), factor(rel$member,
                                                 seq_along(status)))
  at <- by_cell[cell]
  k <- lengths(at)
  pos <- unlist(at, use.names = FALSE)
  key <- rep.int(owner, k) * (nrel + 1) + rel_of[pos]
  imb <- rowsum(rep.int(delta, k) * coef[pos], key, reorder = FALSE)
  bad <- c(bad, as.numeric(rownames(imb)[imb[, 1] != 0]) %/% (nrel + 1))
  # how far each move fits, there (+) and back (-): the least over its cells
  need <- max(1, ceiling(protection - 1e-9))
  room <- function(dir) {
    d <- delta * dir
    r <- ifelse(d > 0, prior$hi[cell] - v[cell], v[cell] - prior$lo[cell])
    t <- pmin(floor((r + 1e-9) / abs(d)), need)
    o <- order(owner, t)
    first <- o[!duplicated(owner[o])]
    out <- numeric(length(len))
    out[owner[first]] <- t[first]
    out
  }
  self <- cell == owner
  step <- numeric(length(len))
  step[owner[self]] <- abs(delta[self])
  ok <- (room(1) + room(-1)) * step >= need & len > 0
  ok[bad] <- FALSE
  intersect(which(ok), which(status == 1L))
}

# Published cells whose hiding unpins the hidden cells `cells`. The dual
# values of the programmes that maximise and minimise a pinned cell name
# the relations whose published values fix it (x_c = sum of y_r times the
# published part of relation r, plus bound terms); in each such relation
# the smallest published cell (zeros last) is taken.
pin_breakers <- function(rel, v, status, prior, cells) {
  if (length(cells) == 0) return(integer())
  vv <- v
  vv[status != 0L] <- 0
  lm <- lp_models(rel, vv, status, prior)
  out <- integer()
  for (c in cells) {
    m <- lm$model(lm$comp[c])
    if (length(m$rels) == 0) next
    w <- numeric(length(m$vars))
    w[match(c, m$vars)] <- 1
    for (max in c(TRUE, FALSE)) {
      d <- lp_optimum(m, w, max)$dual
      if (length(d) != length(m$rels)) next
      for (r in m$rels[abs(d) > 1e-9]) {
        mem <- rel$member[(rel$ptr[r] + 1L):rel$ptr[r + 1L]]
        pub <- mem[status[mem] == 0L & !mem %in% out]
        if (length(pub)) out <- c(out, pub[order(v[pub] == 0, v[pub], pub)][1])
      }
    }
  }
  out
}

# The hidden cells within `radius` relations of cell `c` (c included).
hidden_around <- function(rel, status, c, radius) {
  found <- c
  frontier <- c
  for (i in seq_len(radius)) {
    pos <- which(rel$member %in% frontier)
    rels <- unique(findInterval(pos - 1L, rel$ptr, left.open = FALSE))
    members <- rel$member[sequence(diff(rel$ptr)[rels], from = rel$ptr[rels] + 1L)]
    frontier <- setdiff(members[status[members] != 0L], found)
    if (length(frontier) == 0) break
    found <- c(found, frontier)
  }
  found
}

# ---- the exact audit -----------------------------------------------------------------

have_solver <- function() requireNamespace("Rglpk", quietly = TRUE)

stop_no_solver <- function(call) {
  stop_spreiding(paste0("The exact audit needs the Rglpk package: ",
                        "install.packages(\"Rglpk\") (Debian: apt-get ",
                        "install r-cran-rglpk)."),
                 arg = "audit", call = call)
}

# The linear programmes of the exact audit: one per component of linked
# suppressed cells (variables: its suppressed cells; constraints: the
# relations they are in, with the published cells moved to the right-hand
# side; bounds: the attacker's prior). `v` holds the published values.
lp_models <- function(rel, v, status, prior) {
  comp <- .Call(C_spr_c_disclose_components, rel$ptr, rel$member,
                as.integer(status))
  ncomp <- max(comp, 0L)
  nrel <- length(rel$ptr) - 1L
  rel_of <- rep.int(seq_len(nrel), diff(rel$ptr))
  coef <- rep(-1, length(rel$member))
  coef[rel$ptr[-length(rel$ptr)] + 1L] <- 1 # the total
  cell <- rel$member
  hidden <- status[cell] != 0L
  comp_of_rel <- integer(nrel)
  comp_of_rel[rel_of[hidden]] <- comp[cell[hidden]]
  known <- rowsum(ifelse(hidden, 0, coef * v[cell]), rel_of, reorder = TRUE)
  rhs_all <- -as.double(known)
  rels_by_comp <- split(seq_len(nrel), factor(comp_of_rel, seq_len(ncomp)))
  vars_by_comp <- split(seq_along(comp), factor(comp, seq_len(ncomp)))
  entries <- which(hidden)
  entries_by_comp <- split(entries, factor(comp[cell[entries]], seq_len(ncomp)))
  model <- function(k) {
    vars <- vars_by_comp[[k]]
    rels <- rels_by_comp[[k]]
    e <- entries_by_comp[[k]]
    mat <- slam::simple_triplet_matrix(match(rel_of[e], rels),
                                       match(cell[e], vars), coef[e],
                                       nrow = length(rels),
                                       ncol = length(vars))
    hi <- prior$hi[vars]
    fin <- which(is.finite(hi))
    list(vars = vars, rels = rels, mat = mat, rhs = rhs_all[rels],
         bounds = list(lower = list(ind = seq_along(vars), val = prior$lo[vars]),
                       upper = list(ind = fin, val = hi[fin])))
  }
  list(comp = comp, ncomp = ncomp, model = model)
}

# Optimise sum(weights * x) over a component model; NULL when unbounded.
lp_optimum <- function(m, weights, max) {
  if (length(m$rels) == 0) {
    # in no relation: each variable alone within its bounds
    lo <- m$bounds$lower$val
    hi <- rep(Inf, length(m$vars))
    hi[m$bounds$upper$ind] <- m$bounds$upper$val
    x <- if (max) ifelse(weights > 0, hi, lo) else ifelse(weights > 0, lo, hi)
    if (any(!is.finite(x[weights != 0]))) return(NULL)
    return(list(x = x, optimum = sum(weights * x)))
  }
  s <- Rglpk::Rglpk_solve_LP(weights, m$mat, rep("==", length(m$rels)),
                             m$rhs, bounds = m$bounds, max = max,
                             control = list(presolve = length(m$vars) > 500))
  if (s$status != 0) {
    if (!max) {
      stop_spreiding(paste0("No counts fit the published table: its cells ",
                            "and totals contradict each other (around row ",
                            m$vars[1], ")."), arg = "published",
                     row = m$vars[1])
    }
    return(NULL)
  }
  list(x = s$solution, optimum = s$optimum, dual = s$auxiliary$dual)
}

# The primary cells among `targets` that an attacker may be able to narrow
# to an interval narrower than `protection`. `v` holds the true values, so
# a feasible solution in which a cell lies `protection` or more from its
# true value proves the cell protected. Per group of linked suppressed
# cells, programmes push every unproven cell towards the far end of its
# bounds (then the other way), which settles almost all of them in a few
# solves; in groups of at most `whole_limit` cells the rest get a pair of
# programmes each, which is exact. In larger groups a cell still unproven
# counts as exposed: that costs an extra suppression, never a disclosure.
lp_exposed <- function(rel, v, status, prior, targets, protection,
                       whole_limit = 2000L, exact_limit = 20L,
                       unproven = "exposed") {
  if (length(targets) == 0) return(integer())
  # cells a move (spr_c_disclose_moves()) shows protected need no programme
  moved <- .Call(C_spr_c_disclose_moves, rel$ptr, rel$member,
                 as.integer(status), as.double(v), as.double(prior$lo),
                 as.double(prior$hi), as.integer(targets),
                 as.double(protection), 256L)
  targets <- targets[!moved]
  if (length(targets) == 0) return(integer())
  tol <- protection - 1e-7
  vv <- v
  vv[status != 0L] <- 0
  lm <- lp_models(rel, vv, status, prior)
  size <- tabulate(lm$comp, lm$ncomp)
  by_comp <- split(targets, factor(lm$comp[targets], seq_len(lm$ncomp)))
  exposed <- integer()
  for (k in which(lengths(by_comp) > 0)) {
    # only an exact check can prove a cell exposed
    if (unproven == "ignore" && size[k] > whole_limit) next
    m <- lm$model(k)
    open <- setdiff(by_comp[[k]], push_moves(m, by_comp[[k]], v, prior, tol))
    # in a large group, two programmes per cell are affordable for a few
    # cells only: the others are first tried within the hidden cells near
    # them; more than `exact_limit` still unproven count as exposed
    if (length(open) > exact_limit && size[k] > whole_limit) {
      open <- setdiff(open, ball_moves(rel, v, status, prior, open, tol))
    }
    if (length(open) && (size[k] <= whole_limit ||
                         length(open) <= exact_limit)) {
      open <- setdiff(open, prove_moves(m, open, v, tol, alone = TRUE))
    } else if (unproven == "ignore") {
      open <- integer()
    }
    exposed <- c(exposed, open)
  }
  exposed
}

# Cells of `cells` proven to move by `tol` from `v` by programmes over the
# hidden cells within `radius` relations of each, all other cells held at
# their values: a solution there is a solution of the whole table, so a
# cell that moves there is protected (one that does not may still be).
ball_moves <- function(rel, v, status, prior, cells, tol, radius = 3L) {
  proven <- integer()
  open <- cells
  hidden <- which(status != 0L)
  while (length(open)) {
    c <- open[1]
    ball <- hidden_around(rel, status, c, radius)
    sb <- status
    sb[setdiff(hidden, ball)] <- 0L
    vv <- v
    vv[sb != 0L] <- 0
    lm <- lp_models(rel, vv, sb, prior)
    m <- lm$model(lm$comp[c])
    inside <- intersect(open, m$vars)
    ok <- prove_moves(m, inside, v, tol, alone = TRUE)
    proven <- c(proven, ok)
    open <- setdiff(open, c(c, inside))
  }
  proven
}

# Cells of `cells` proven to move by `tol` from `v`: each programme pushes
# every open cell towards one end of its bounds: the end farthest from `v`,
# then the nearest, then mixed directions; stops after two rounds without
# progress.
push_moves <- function(m, cells, v, prior, tol, max_rounds = 10L) {
  proven <- integer()
  open <- cells
  idle <- 0L
  for (round in seq_len(max_rounds)) {
    if (length(open) == 0 || idle >= 2L) break
    at <- match(open, m$vars)
    if (round <= 2L) {
      up <- (prior$hi[open] - v[open]) >= (v[open] - prior$lo[open])
      if (round == 2L) up <- !up
    } else {
      # mixed directions, fixed per cell and round (no random numbers, so
      # the user's random stream is left alone and results are repeatable)
      up <- (open * 40503 + round * 977) %% 65536 < 32768
    }
    w <- numeric(length(m$vars))
    w[at] <- ifelse(up, 1, -1)
    sol <- lp_optimum(m, w, TRUE)
    if (is.null(sol)) { # unbounded: push down only
      w[at] <- -1
      sol <- lp_optimum(m, w, TRUE)
    }
    moved <- if (is.null(sol)) logical(length(open)) else
      abs(sol$x[at] - v[open]) >= tol
    idle <- if (any(moved)) 0L else idle + 1L
    proven <- c(proven, open[moved])
    open <- open[!moved]
  }
  proven
}

# The cells of `cells` (all among m$vars) proven to move by `tol` or more.
prove_moves <- function(m, cells, v, tol, alone) {
  proven <- integer()
  open <- cells
  at <- match(open, m$vars)
  progress <- TRUE
  while (length(open) && progress) {
    progress <- FALSE
    for (max in c(TRUE, FALSE)) {
      w <- numeric(length(m$vars))
      w[at] <- 1
      sol <- lp_optimum(m, w, max)
      if (is.null(sol)) next
      moved <- abs(sol$x[at] - v[open]) >= tol
      if (any(moved)) {
        progress <- TRUE
        proven <- c(proven, open[moved])
        open <- open[!moved]
        at <- at[!moved]
      }
      if (length(open) == 0) break
    }
  }
  if (alone) {
    for (i in seq_along(open)) {
      w <- numeric(length(m$vars))
      w[at[i]] <- 1
      hi <- lp_optimum(m, w, TRUE)
      if (is.null(hi) || hi$optimum - v[open[i]] >= tol) {
        proven <- c(proven, open[i])
        next
      }
      lo <- lp_optimum(m, w, FALSE)
      if (hi$optimum - lo$optimum >= tol) proven <- c(proven, open[i])
    }
  }
  proven
}

suppressed_intervals <- function(status, lower, upper, counts, protection,
                                 rules, values) {
  rows <- lapply(seq_along(counts), function(k) {
    hid <- which(status[, k] != 0L)
    n <- rule_threshold(counts[k], rules)
    st <- c("primary", "secondary")[status[hid, k]]
    lo <- lower[hid, k]
    hi <- upper[hid, k]
    data.frame(row = hid, column = rep(counts[k], length(hid)), status = st,
               lower = lo, upper = hi,
               protected = hi - lo >= protection - 1e-9 &
                 (st != "primary" | is.na(n) | values[hid, k] >= n |
                    lo < n),
               stringsAsFactors = FALSE)
  })
  do.call(rbind, rows)
}

# ---- output ------------------------------------------------------------------------

# The result rows: input rows as they are, then the computed cells with the
# dimension columns of their levels filled and everything else NA.
assemble_cells <- function(table, cells, dims, by, counts) {
  n <- nrow(table)
  lev <- cells[[1]]
  code <- cells[[2]]
  ncell <- nrow(lev)
  extra <- seq_len(ncell - n) + n
  out <- table
  if (ncell > n) {
    idx <- c(seq_len(n), rep(NA_integer_, ncell - n))
    out <- table[idx, , drop = FALSE]
    row.names(out) <- NULL
  }
  for (d in seq_along(dims)) {
    dim <- dims[[d]]
    for (l in seq_along(dim$levels)) {
      lv <- dim$levels[l]
      vals <- dim$values[[l]]
      if (!lv %in% names(out)) {
        # a level known only from a mapping data frame
        col <- vals[dim$c_def[[1]][[l]]]
        out[[lv]] <- c(col, vals[rep(NA_integer_, ncell - n)])
      }
      if (ncell > n) {
        x <- out[[lv]]
        # the value at this level of every computed cell whose own level is
        # this one or one below it on a single path
        at_code <- level_code(dim, l, lev[extra, d], code[extra, d])
        x[extra] <- vals[at_code]
        out[[lv]] <- x
      }
    }
  }
  level_names <- vapply(seq_along(dims), function(d) {
    c(dims[[d]]$levels, "total")[lev[, d] + 1L]
  }, character(ncell))
  level_names <- matrix(level_names, nrow = ncell)
  out$level <- do.call(paste, c(split(level_names, col(level_names)),
                                sep = " x "))
  out
}

# Code at level l (1-based) of cells at levels `lev` (0-based) with codes
# `code`: the cell's own code at l, the mapped code when l is above the
# cell's level along the hierarchy, NA otherwise.
level_code <- function(dim, l, lev, code) {
  out <- rep(NA_integer_, length(lev))
  own <- lev == l - 1L
  out[own] <- code[own]
  def <- dim$c_def
  for (from in seq_along(dim$levels)) {
    if (from == l) next
    path <- level_path(def[[3]], from - 1L, l - 1L)
    if (is.null(path)) next
    sel <- lev == from - 1L
    if (!any(sel)) next
    cc <- code[sel]
    cur <- from - 1L
    for (p in path) {
      k <- match(p, def[[3]][[cur + 1L]])
      cc <- def[[4]][[cur + 1L]][[k]][cc]
      cur <- p
    }
    out[sel] <- cc
  }
  out
}

# The levels passed going up from `from` to `to` (0-based), or NULL.
level_path <- function(parents, from, to) {
  for (p in parents[[from + 1L]]) {
    if (p < 0) next
    if (p == to) return(p)
    rest <- level_path(parents, p, to)
    if (!is.null(rest)) return(c(p, rest))
  }
  NULL
}

restore_type <- function(x, like) {
  if (is.integer(like)) return(as.integer(x))
  x
}

status_levels <- c("ok", "primary", "secondary", "derived")

derived_dependencies <- function(derived, table, prov, counts, by, dims,
                                 call) {
  dim_cols <- unique(unlist(lapply(dims, `[[`, "levels")))
  candidates <- setdiff(names(table)[vapply(table, is.numeric, logical(1))],
                        c(counts, dim_cols))
  if (isFALSE(derived)) return(list())
  if (is.list(derived)) {
    nm <- names(derived)
    if (is.null(nm) || any(!nzchar(nm))) {
      stop_spreiding("`derived` must be TRUE, FALSE or a named list.",
                     arg = "derived", call = call)
    }
    check_has_columns(table, nm, "table", call)
    for (d in nm) {
      bad <- setdiff(derived[[d]], counts)
      if (length(bad)) {
        stop_spreiding(paste0("`derived$", d, "` names ", backtick(bad[1]),
                              ", which is not one of `counts`."),
                       arg = "derived", call = call)
      }
    }
    return(derived)
  }
  if (!isTRUE(derived)) {
    stop_spreiding("`derived` must be TRUE, FALSE or a named list.",
                   arg = "derived", call = call)
  }
  cols <- prov$columns
  if (is.null(cols)) {
    return(stats::setNames(rep(list(counts), length(candidates)), candidates))
  }
  memo <- list()
  deps_of <- function(col) {
    if (col %in% counts) return(col)
    if (!is.null(memo[[col]])) return(memo[[col]])
    rec <- cols[[col]]
    if (is.null(rec)) return(character()) # a .regions column
    if (rec$kind == "deriving") {
      out <- unique(unlist(lapply(rec$inputs, deps_of)))
    } else {
      match_count <- vapply(counts, function(k) {
        ck <- cols[[k]]
        !is.null(ck) && (ck$statistic == "count" ||
                           (ck$statistic == "sum" &&
                              any(ck$inputs %in% rec$inputs)))
      }, logical(1))
      out <- if (any(match_count)) counts[match_count] else counts
    }
    memo[[col]] <<- out
    out
  }
  out <- lapply(candidates, deps_of)
  names(out) <- candidates
  out[lengths(out) > 0]
}

add_status_columns <- function(out, counts, status, deps, n_input) {
  for (k in seq_along(counts)) {
    out[[paste0(counts[k], "_status")]] <-
      factor(status_levels[status[, k] + 1L], status_levels)
  }
  for (d in names(deps)) {
    hit <- rowSums(status[, deps[[d]], drop = FALSE] != 0L) > 0
    st <- ifelse(hit, "derived", "ok")
    st[-seq_len(n_input)] <- NA
    x <- out[[d]]
    x[hit] <- NA
    out[[d]] <- x
    out[[paste0(d, "_status")]] <- factor(st, status_levels)
  }
  out
}

#' @export
print.spreiding_disclosed <- function(x, ...) {
  info <- attr(x, "disclosure")
  st <- x[paste0(info$counts, "_status")]
  n_prim <- sum(vapply(st, function(s) sum(s == "primary"), 0))
  n_sec <- sum(vapply(st, function(s) sum(s == "secondary"), 0))
  cat("<disclosed table> ", nrow(x), " cells (", info$n_input, " given, ",
      nrow(x) - info$n_input, " totals); suppressed: ", n_prim, " primary, ",
      n_sec, " secondary\n", sep = "")
  cat("rules: ", paste(info$rules, collapse = ", "), "\n", sep = "")
  shown <- structure(x, class = "data.frame", disclosure = NULL)
  if (nrow(x) > 40) {
    print(shown[c(1:20, (nrow(x) - 9):nrow(x)), , drop = FALSE], ...)
    cat("... ", nrow(x) - 30, " more rows (rows 21 to ", nrow(x) - 10,
        " not shown)\n", sep = "")
  } else {
    print(shown, ...)
  }
  invisible(x)
}

# Subsetting keeps a disclose() result only when its rows stay as they are
# and its count and status columns are all kept: publish() and
# audit_disclosure() address cells by row. Anything else is a plain data
# frame of published values.
#' @export
`[.spreiding_disclosed` <- function(x, i, j, ..., drop) {
  rows_kept <- nargs() == 2L || missing(i)
  out <- NextMethod()
  info <- attr(x, "disclosure")
  need <- c(info$counts, paste0(info$counts, "_status"))
  if (is.data.frame(out) && rows_kept && all(need %in% names(out))) {
    attr(out, "disclosure") <- info
    class(out) <- class(x)
    return(out)
  }
  if (is.data.frame(out)) {
    attr(out, "disclosure") <- NULL
    class(out) <- setdiff(class(out), "spreiding_disclosed")
  }
  out
}

# ---- audit_disclosure() ------------------------------------------------------------

#' Check what an attacker can work out from a published table
#'
#' For every hidden cell of a published table, the interval `[lower,
#' upper]` that an attacker can derive from all published cells and all
#' relations between them (counts are at least 0; a cell published as an
#' interval such as `"<10"` lies in it), by linear programming. A cell is
#' *protected* when the interval is at least `protection` wide and, for a
#' cell hidden by `min_count(n)`, its lower bound is below `n`. [disclose()]
#' runs this check itself when Rglpk is installed.
#'
#' The relations come from one of:
#' * a [disclose()] result (`hierarchy = NULL`): the relations it used;
#' * a data frame with a `level` column as [disclose()] writes it (for
#'   instance read back from a CSV file), with the same `hierarchy`;
#' * `hierarchy` as a data frame of row relations with integer columns
#'   `relation`, `total` and `part`: within each relation the `part` rows
#'   add up to the `total` row. This fits tables that carry their own
#'   totals, such as Table 1 of Mulder (2025).
#'
#' Count columns may be numeric (`NA` hidden) or character as published:
#' numbers, intervals `"<10"` (0 to 9), `"10-19"` or `"10–19"`, and blanks
#' or symbols (`""`, `"x"`, `"."`) for hidden cells of unknown size.
#'
#' @param published A [disclose()] result or a published table, see
#'   Details.
#' @param hierarchy `NULL` for a [disclose()] result; otherwise as in
#'   [disclose()], or a data frame of row relations.
#' @param counts Count columns to audit; by default those of the
#'   [disclose()] result.
#' @param protection Smallest protected interval width; by default the one
#'   [disclose()] used, else 1.
#' @return A data frame with one row per hidden cell: `row` (in
#'   `published`), `column`, `status` (`primary`, `secondary` or, for tables
#'   not made by [disclose()], `hidden`), `lower`, `upper`, `exact` and
#'   `protected`. In groups of more than 2,000 linked hidden cells, a cell
#'   shown protected by two feasible solutions, or by a move of the
#'   protection width from one (a change of hidden cells that keeps every
#'   relation and bound), gets the span of those as its interval
#'   (`exact = FALSE`, a part of the exact interval); every other interval
#'   is exact, and so is every verdict.
#' @seealso [disclose()]
#' @export
#' @examplesIf requireNamespace("Rglpk", quietly = TRUE)
#' # A total of 30 with two hidden cells, one published as "<10"
#' tab <- data.frame(area = c("a", "b", "c", "all"),
#'                   n = c("12", "<10", "", "30"))
#' audit_disclosure(tab, data.frame(relation = 1, total = 4, part = 1:3),
#'                  counts = "n")
audit_disclosure <- function(published, hierarchy = NULL, counts = NULL,
                             protection = NULL) {
  call <- sys.call()
  check_frame(published, "published", call)
  if (!is.null(protection) && (!is.numeric(protection) ||
      length(protection) != 1 || !is.finite(protection) || protection < 0)) {
    stop_spreiding("`protection` must be a single number of at least 0.",
                   arg = "protection", call = call)
  }
  if (!have_solver()) stop_no_solver(call)
  info <- attr(published, "disclosure")
  if (inherits(published, "spreiding_disclosed") && is.null(hierarchy) &&
      !is.null(info)) {
    counts <- counts %||% info$counts
    protection <- protection %||% info$protection
    rel <- info$relations
    out <- lapply(counts, function(col) {
      st <- as.integer(published[[paste0(col, "_status")]]) - 1L
      st[is.na(st)] <- 0L
      v <- as.double(published[[col]])
      st[is.na(v) & st == 0L] <- 2L
      n <- info$thresholds[[col]]
      lo <- rep(0, length(v))
      hi <- rep(Inf, length(v))
      if (!is.na(n)) {
        # older objects do not say which primary cells the rule bounds
        small <- if (is.null(info$bounded)) which(st == 1L) else
          info$bounded[[col]]
        hi[small] <- n - 1
        if (info$zeros_safe[[col]]) lo[small] <- 1
      }
      audit_rows(rel, v, st, lo, hi, col, c("primary", "secondary"),
                 protection, n)
    })
    return(do.call(rbind, out))
  }
  if (!is.character(counts) || length(counts) == 0 || anyNA(counts)) {
    stop_spreiding("Give `counts`, the count columns to audit.",
                   arg = "counts", call = call)
  }
  check_has_columns(published, counts, "published", call)
  protection <- protection %||% 1
  if (is_row_relations(hierarchy)) {
    rel <- row_relations(hierarchy, nrow(published), call)
  } else {
    rel <- relations_from_levels(published, hierarchy, counts, call)
  }
  out <- lapply(counts, function(col) {
    b <- published_bounds(published[[col]], col, call)
    st <- ifelse(b$lo == b$hi, 0L, 1L)
    check_relations_feasible(rel, b, col, call)
    audit_rows(rel, ifelse(st == 0L, b$lo, NA), st, b$lo, b$hi, col,
               "hidden", protection, NA)
  })
  do.call(rbind, out)
}

audit_rows <- function(rel, v, st, lo, hi, col, labels, protection, n) {
  # a magnitude column with decimals is audited in units of its last decimal
  # (the engine reasons in whole units); see count_scale()
  s <- value_scale(c(v, lo, hi))
  if (s > 1) {
    v <- round(v * s)
    lo <- round(lo * s)
    hi <- round(hi * s)
    protection <- protection * s
  }
  hidden <- which(st != 0L)
  if (length(hidden) == 0) {
    return(data.frame(row = integer(), column = character(),
                      status = character(), lower = double(),
                      upper = double(), exact = logical(),
                      protected = logical(),
                      stringsAsFactors = FALSE))
  }
  iv <- audit_intervals(rel, v, st, list(lo = lo, hi = hi), hidden,
                        protection)
  iv$lower <- iv$lower / s
  iv$upper <- iv$upper / s
  protection <- protection / s
  status <- labels[pmin(st[hidden], length(labels))]
  data.frame(row = hidden, column = col, status = status,
             lower = iv$lower, upper = iv$upper, exact = iv$exact,
             # "below the threshold" matters for cells the rule bounds
             # (min_count()), not for those hidden by dominance()
             protected = iv$upper - iv$lower >= protection - 1e-9 &
               (status != "primary" | !is.finite(hi[hidden]) | is.na(n) |
                  iv$lower < n),
             stringsAsFactors = FALSE)
}

# Attacker intervals of the hidden cells `which`. In groups of linked
# hidden cells of at most `whole_limit` cells (an internal option, so the
# tests can take the other path on small tables), every interval is exact
# (two programmes per cell). In larger groups, two programmes per cell take too
# long (each solves thousands of variables), so: one programme gives a
# feasible point, and a cell with a move from it of `protection` is
# protected; then programmes that push all cells of the group to one end of
# their bounds or the other give more feasible solutions, and a cell whose
# values in them already span `protection` is protected. Such a cell's
# interval is reported as the span seen (a part of the exact interval,
# `exact = FALSE`); every other cell gets its exact interval. The verdict
# `protected` is exact either way.
audit_intervals <- function(rel, v, status, prior, which, protection,
                            whole_limit = getOption("spreiding.audit_exact",
                                                    2000L)) {
  lm <- lp_models(rel, v, status, prior)
  size <- tabulate(lm$comp, lm$ncomp)
  lower <- upper <- rep(NA_real_, length(v))
  exact <- rep(TRUE, length(v))
  tol <- protection - 1e-7
  targets <- split(which, factor(lm$comp[which], seq_len(lm$ncomp)))
  for (k in which(lengths(targets) > 0)) {
    m <- lm$model(k)
    open <- targets[[k]]
    if (size[k] > whole_limit) {
      # a cell with a move (spr_c_disclose_moves()) of `protection` from a
      # feasible point, every relation and bound kept, is protected; its
      # interval is reported as the span of that move
      moved_from <- function(x) {
        x0 <- v
        x0[m$vars] <- x
        mv <- .Call(C_spr_c_disclose_moves, rel$ptr, rel$member,
                    as.integer(status), as.double(x0), as.double(prior$lo),
                    as.double(prior$hi), as.integer(open),
                    as.double(protection), 256L)
        lower[open[mv]] <<- x0[open[mv]] - attr(mv, "down")[mv]
        upper[open[mv]] <<- x0[open[mv]] + attr(mv, "up")[mv]
        exact[open[mv]] <<- FALSE
        open[!mv]
      }
      seen_lo <- rep(Inf, length(v))
      seen_hi <- rep(-Inf, length(v))
      idle <- 0L
      # the first programme only finds a feasible point; the next ones push
      # the open cells to one end of their bounds or the other
      for (round in 0:10) {
        w <- numeric(length(m$vars))
        at <- match(open, m$vars)
        if (round > 0L) {
          w[at] <- if (round <= 2L) c(1, -1)[round] else
            ifelse((open * 40503 + round * 977) %% 65536 < 32768, 1, -1)
        }
        sol <- lp_optimum(m, w, TRUE)
        if (is.null(sol)) sol <- lp_optimum(m, -abs(w), TRUE)
        if (is.null(sol)) next
        before <- length(open)
        seen_lo[open] <- pmin(seen_lo[open], sol$x[at])
        seen_hi[open] <- pmax(seen_hi[open], sol$x[at])
        done <- seen_hi[open] - seen_lo[open] >= tol
        lower[open[done]] <- seen_lo[open[done]]
        upper[open[done]] <- seen_hi[open[done]]
        exact[open[done]] <- FALSE
        open <- open[!done]
        if (length(open)) open <- moved_from(sol$x)
        idle <- if (length(open) < before) 0L else idle + 1L
        if (length(open) == 0 || idle >= 2L) break
      }
    }
    for (t in open) {
      w <- numeric(length(m$vars))
      w[match(t, m$vars)] <- 1
      lower[t] <- lp_optimum(m, w, FALSE)$optimum
      hi <- lp_optimum(m, w, TRUE)
      upper[t] <- if (is.null(hi)) Inf else hi$optimum
    }
  }
  list(lower = round(lower[which], 6), upper = round(upper[which], 6),
       exact = exact[which])
}

is_row_relations <- function(h) {
  is.data.frame(h) && all(c("relation", "total", "part") %in% names(h))
}

row_relations <- function(h, nrow, call) {
  for (col in c("relation", "total", "part")) {
    x <- h[[col]]
    if (col != "relation" && (!is.numeric(x) || anyNA(x) ||
                                any(x < 1 | x > nrow | x != round(x)))) {
      stop_spreiding(paste0("Column `", col, "` of the row relations must ",
                            "hold row numbers of `published` (1 to ", nrow,
                            ")."), arg = "hierarchy", call = call)
    }
  }
  if (nrow(h) == 0 || anyNA(h$relation) ||
      anyDuplicated(h[c("relation", "part")])) {
    stop_spreiding(paste0("The row relations must have rows, and name each ",
                          "part once per relation."),
                   arg = "hierarchy", call = call)
  }
  groups <- split(seq_len(nrow(h)), factor(h$relation, unique(h$relation)))
  ptr <- 0L
  member <- integer()
  for (g in groups) {
    total <- unique(h$total[g])
    if (length(total) != 1) {
      stop_spreiding(paste0("Relation ", h$relation[g[1]], " has more than ",
                            "one total row."), arg = "hierarchy", call = call)
    }
    if (total %in% h$part[g]) {
      stop_spreiding(paste0("Relation ", h$relation[g[1]], " has row ", total,
                            " as its total and as a part."),
                     arg = "hierarchy", call = call)
    }
    member <- c(member, as.integer(total), as.integer(h$part[g]))
    ptr <- c(ptr, length(member))
  }
  list(ptr = as.integer(ptr), member = member,
       names = names(groups))
}

# Relations of a table written by disclose() (with its `level` column):
# rebuilt from the input cells, then matched to the rows by level and codes.
relations_from_levels <- function(published, hierarchy, counts, call) {
  if (!"level" %in% names(published)) {
    stop_spreiding(paste0("`published` needs the `level` column that ",
                          "disclose() writes, or give `hierarchy` as row ",
                          "relations (columns relation, total, part)."),
                   arg = "hierarchy", call = call)
  }
  edges <- parse_hierarchy(hierarchy, published, call)
  lv <- as.character(published$level)
  parents <- unique(vapply(edges, `[[`, "", "parent"))
  finest <- lv[1]
  by <- setdiff(strsplit(finest, " x ", fixed = TRUE)[[1]], parents)
  base <- published[lv == finest, , drop = FALSE]
  base$level <- NULL
  dims <- build_dims(base, by, edges, call)
  cells <- with_call(.Call(C_spr_c_disclose_cells,
                           lapply(dims, `[[`, "c_def"),
                           list(rep(0, nrow(base))), list()), call)
  full <- assemble_cells(base, cells, dims, by, counts)
  cols <- c(unique(unlist(lapply(dims, `[[`, "levels"))), "level")
  key <- function(d) do.call(paste, c(lapply(d[cols], as.character), sep = "\r"))
  at <- match(key(full), key(published))
  if (anyNA(at)) {
    miss <- which(is.na(at))[1]
    stop_spreiding(paste0("`published` has no row for the ", full$level[miss],
                          " cell ", paste(unlist(lapply(full[miss, cols[-length(cols)]],
                                                        as.character)),
                                          collapse = " / "),
                          "; every total must be in the table."),
                   arg = "published", call = call)
  }
  list(ptr = cells[[4]], member = at[cells[[5]]])
}

# What a published count column tells an attacker about each cell.
published_bounds <- function(x, col, call) {
  if (is.numeric(x)) {
    lo <- ifelse(is.na(x), 0, x)
    hi <- ifelse(is.na(x), Inf, x)
    return(list(lo = as.double(lo), hi = as.double(hi)))
  }
  if (is.factor(x)) x <- as.character(x)
  if (!is.character(x)) {
    stop_spreiding(paste0("Count column ", backtick(col), " must be numeric ",
                          "or character, not ", describe(x), "."),
                   arg = "counts", call = call)
  }
  s <- trimws(x)
  s[is.na(s)] <- ""
  lo <- rep(NA_real_, length(s))
  hi <- lo
  num <- grepl("^[0-9][0-9 ,]*([.][0-9]+)?$", s)
  lo[num] <- hi[num] <- as.double(gsub("[ ,]", "", s[num]))
  lt <- grepl("^<\\s*[0-9]+$", s)
  hi[lt] <- as.double(sub("^<\\s*", "", s[lt])) - 1
  lo[lt] <- 0
  rng <- grepl("^[0-9]+\\s*[-\u2013]\\s*[0-9]+$", s)
  parts <- strsplit(s[rng], "\\s*[-\u2013]\\s*")
  lo[rng] <- as.double(vapply(parts, `[`, "", 1))
  hi[rng] <- as.double(vapply(parts, `[`, "", 2))
  blank <- s %in% c("", "x", ".", "-", "*", "NA")
  lo[blank] <- 0
  hi[blank] <- Inf
  bad <- which(is.na(lo))
  if (length(bad)) {
    stop_spreiding(paste0("Count column ", backtick(col), " has \"", s[bad[1]],
                          "\" in row ", bad[1], "; expected a number, an ",
                          "interval such as \"<10\" or \"10-19\", or a blank."),
                   arg = "counts", row = bad[1], call = call)
  }
  list(lo = lo, hi = hi)
}

check_relations_feasible <- function(rel, b, col, call) {
  for (r in seq_len(length(rel$ptr) - 1L)) {
    m <- rel$member[(rel$ptr[r] + 1L):rel$ptr[r + 1L]]
    t <- m[1]
    parts <- m[-1]
    name <- if (!is.null(rel$names)) rel$names[r] else r
    if (sum(b$lo[parts]) > b$hi[t] || sum(b$hi[parts]) < b$lo[t]) {
      stop_spreiding(paste0("In column ", backtick(col), ", relation ", name,
                            " cannot hold: its parts (rows ",
                            paste(parts, collapse = ", "), ") add up to ",
                            if (sum(b$lo[parts]) > b$hi[t]) "more" else "less",
                            " than its total (row ", t, ")."),
                     arg = "hierarchy", call = call)
    }
  }
}

# ---- publish() -----------------------------------------------------------------------

#' Format a disclosed table for printing or writing
#'
#' Turns a [disclose()] result into a table of text, the way reports print
#' them: every number rounded half away from zero, totals labelled, and
#' suppressed cells shown as intervals, blanks or a symbol.
#'
#' With `style = "interval"`, a cell suppressed by `min_count(10)` reads
#' `"<10"`; a complementary cell reads `"<20"` (or `"10–19"`, or `"<10"`)
#' when the attacker's interval that [disclose()] computed for it already
#' lies within that range, so the label tells nothing new, and the symbol
#' otherwise; suppressed derived statistics read as the symbol. `"blank"`
#' leaves every suppressed cell empty, `"symbol"` shows the symbol (CBS
#' uses `"x"`).
#'
#' @param x A [disclose()] result.
#' @param style `"interval"`, `"blank"` or `"symbol"`.
#' @param digits Decimal places per column, a named integer vector such as
#'   `c(pct_doctor = 1)`; other columns get 0 when they hold whole numbers
#'   and 1 otherwise.
#' @param symbol Text for a suppressed cell.
#' @return A data frame of character columns, without the status columns
#'   and `level`; `"Total"` where a dimension was added up.
#' @seealso [disclose()], [round_half_away()]
#' @export
#' @examples
#' cells <- data.frame(pc2 = c("10", "11", "12", "13"),
#'                     students = c(3, 12, 25, 40))
#' publish(disclose(cells, "students", audit = FALSE))
publish <- function(x, style = c("interval", "blank", "symbol"),
                    digits = NULL, symbol = "x") {
  call <- sys.call()
  check_frame(x, "x", call)
  info <- attr(x, "disclosure")
  if (!inherits(x, "spreiding_disclosed") || is.null(info)) {
    # rows taken or reordered with `[` leave a plain data frame
    was <- is.data.frame(x) && any(grepl("_status$", names(x)))
    stop_spreiding(paste0(
      if (was) {
        paste0("The rows of `x` were reordered or dropped after ",
               "disclose(); publish its result as it is, then reorder or ",
               "filter the published table.")
      } else {
        paste0("`x` must be a result of disclose(), not ", describe(x), ".")
      }), arg = "x", call = call)
  }
  style <- arg_choice(style, c("interval", "blank", "symbol"), "style", call)
  if (!is_string(symbol)) {
    stop_spreiding("`symbol` must be a single string.", arg = "symbol",
                   call = call)
  }
  if (!is.null(digits) && (!is.numeric(digits) || is.null(names(digits)) ||
                           anyNA(digits))) {
    stop_spreiding("`digits` must be a named vector of whole numbers.",
                   arg = "digits", call = call)
  }
  # interval labels and totals are kept by row number: rows reordered or
  # dropped since disclose() would get another row's label
  rows <- c(info$relations$member, info$intervals$row)
  if (!identical(row.names(x), as.character(seq_len(nrow(x)))) ||
      length(rows) && max(rows) > nrow(x)) {
    stop_spreiding(paste0("The rows of `x` were reordered or dropped after ",
                          "disclose(); publish its result as it is, then ",
                          "reorder or filter the published table."),
                   arg = "x", call = call)
  }
  n_input <- info$n_input
  status_cols <- grep("_status$", names(x), value = TRUE)
  dim_cols <- unique(unlist(info$levels))
  keep <- setdiff(names(x), c(status_cols, "level"))
  iv <- info$intervals
  out <- lapply(keep, function(col) {
    v <- x[[col]]
    if (col %in% dim_cols) {
      s <- as.character(v)
      s[is.na(s) & seq_along(s) > n_input] <- "Total"
      return(s)
    }
    if (!is.numeric(v)) return(as.character(v))
    d <- if (col %in% names(digits)) digits[[col]] else
      if (all(is.na(v) | v == round(v))) 0 else 1
    s <- ifelse(is.na(v), "", formatC(round_half_away(v, d), format = "f",
                                      digits = d))
    st <- x[[paste0(col, "_status")]]
    if (col %in% info$counts &&
        (!(is.factor(st) || is.character(st)) || anyNA(st))) {
      stop_spreiding(paste0("`x` has lost the status column of ", backtick(col),
                            "; publish the result of disclose() as it is."),
                     arg = "x", call = call)
    }
    if (is.null(st)) return(s)
    hidden <- !is.na(st) & st != "ok"
    s[hidden] <- switch(style, blank = "", symbol = symbol,
                        interval = symbol)
    if (style == "interval" && col %in% info$counts) {
      n <- info$thresholds[[col]]
      rows <- iv[iv$column == col, , drop = FALSE]
      s[rows$row] <- interval_labels(rows, n, symbol)
    }
    s
  })
  names(out) <- keep
  structure(out, class = "data.frame", row.names = .set_row_names(nrow(x)))
}

interval_labels <- function(rows, n, symbol) {
  lab <- rep(symbol, nrow(rows))
  if (is.na(n)) return(lab)
  lo <- rows$lower
  hi <- rows$upper
  ok <- !is.na(hi)
  # a cell hidden by a rule other than min_count() (dominance()) may hold
  # n or more: it gets the interval labels of a complement, never "<n"
  small <- rows$status == "primary" & hi <= n - 1
  lab[ok & small] <- paste0("<", n)
  sec <- ok & !small
  lab[sec & hi <= 2 * n - 1] <- paste0("<", 2 * n)
  lab[sec & hi <= 2 * n - 1 & lo >= n] <- paste0(n, "\u2013", 2 * n - 1)
  lab[sec & hi <= n - 1] <- paste0("<", n)
  lab
}

# ---- aggregate_small() -------------------------------------------------------------

#' Keep areas of at least `min` persons and fold the rest into their parent
#'
#' The approach of Mulder (2025) for PC4 areas: a PC4 area is shown when it
#' holds at least `min` persons; the smaller ones of each PC2 area are added
#' up into one row "rest of <PC2>". The result then goes through
#' [disclose()], so a rest row that itself holds fewer than `min` persons is
#' suppressed, with a complement so that it cannot be worked out from the
#' PC2 total.
#'
#' @param table A data frame with one row per child area (and per value of
#'   any other dimension columns, such as sex).
#' @param hierarchy One formula `child ~ parent` (both columns of `table`)
#'   or a two-column mapping data frame, as in [disclose()].
#' @param min Smallest number of persons of a row that is shown.
#' @param counts Count columns to add up; the first decides what is kept.
#'   By default every numeric column other than the child and parent.
#' @return A [disclose()] result: the kept rows, then the rest rows, then
#'   the parent and national totals. The child column becomes character.
#' @seealso [disclose()]
#' @export
#' @examples
#' pc4 <- data.frame(pc4 = c("1011", "1012", "1013", "1101", "1102"),
#'                   pc2 = c("10", "10", "10", "11", "11"),
#'                   students = c(25, 4, 3, 30, 12))
#' aggregate_small(pc4, pc4 ~ pc2, counts = "students")
aggregate_small <- function(table, hierarchy, min = 10, counts = NULL) {
  call <- sys.call()
  check_frame(table, "table", call)
  check_whole_number(min, "min", 1, call)
  edges <- parse_hierarchy(hierarchy, table, call)
  if (length(edges) != 1) {
    stop_spreiding("`hierarchy` must be one relation `child ~ parent`.",
                   arg = "hierarchy", call = call)
  }
  child <- edges[[1]]$child
  parent <- edges[[1]]$parent
  check_has_columns(table, child, "table", call)
  if (is.null(counts)) {
    counts <- setdiff(names(table)[vapply(table, is.numeric, logical(1))],
                      c(child, parent))
  }
  counts <- check_counts(table, counts, call)
  pv <- parent_values(edges[[1]], table[[child]], table, call)
  others <- setdiff(names(table)[vapply(table, function(x)
    is.character(x) || is.factor(x) || is.logical(x), logical(1))],
    c(child, parent, counts))
  small <- table[[counts[1]]] < min
  kept <- table[!small, c(child, others, counts), drop = FALSE]
  kept[[child]] <- as.character(kept[[child]])
  kept[[parent]] <- pv[!small]
  rest <- NULL
  if (any(small)) {
    groups <- c(list(pv[small]), lapply(table[small, others, drop = FALSE],
                                        identity))
    key <- do.call(paste, c(lapply(groups, as.character), sep = "\r"))
    first <- !duplicated(key)
    sums <- rowsum(as.matrix(table[small, counts, drop = FALSE]), key,
                   reorder = FALSE)
    rest <- data.frame(row.names = NULL,
                       x = paste("rest of", pv[small][first]))
    names(rest) <- child
    for (o in others) rest[[o]] <- table[small, o][first]
    for (k in counts) rest[[k]] <- restore_type(sums[, k], table[[k]])
    rest[[parent]] <- pv[small][first]
  }
  folded <- rbind(kept, rest[names(kept)])
  row.names(folded) <- NULL
  with_call(
    disclose(folded, counts, rules = list(min_count(min)),
             hierarchy = stats::as.formula(paste(child, "~", parent)),
             by = c(child, others)),
    call
  )
}
