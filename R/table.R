# region_table(): the statistics engine. R parses the statistic calls into a
# plan and resolves every name; C groups the rows once (spr_c_group) and runs
# every kernel over the same groups (spr_c_table). See src/table.c.

#' Regional tables of counts, rates, shares and ratios
#'
#' Groups the rows of `data` by one or more columns, once, in C, and computes
#' every statistic named in `...` over the same groups: one row per region
#' (or region x sex, ...), ready for `write.csv()`, dplyr or ggplot2.
#'
#' @section Statistics:
#' Each element of `...` is a call such as `students = count()`,
#' `doctors = sum(became_doctor)` or `per_student = ratio(inhabitants,
#' students)`. Function names are looked up in the statistics registry (see
#' [statistics()]), never in your environment, so `sum` here is always the
#' engine's `sum`. There are two kinds:
#' * **reducing** statistics (`count`, `sum`, `mean`, `min`, `max`, `rate`,
#'   `prop`, `rate_ci`) take columns of `data` and reduce each group's rows;
#' * **deriving** statistics (`share`, `ratio`, `pct`, `diff`,
#'   `share_ratio`) take group-level columns: statistics defined earlier in
#'   the same call, or numeric columns of `.regions`. Derived values are
#'   computed from unrounded inputs.
#'
#' For multi-answer survey questions in long form (one row per respondent
#' and answer, from [expand_answers()]) two reducing statistics count
#' respondents instead of rows: `n_respondents(id)`, the number of distinct
#' `id`s in the group, and `pct_respondents(id)`, that number as a
#' percentage of all distinct `id`s in `data` (every group, the `NA` group of
#' respondents without an answer included), so that the column sums to more
#' than 100 when respondents name several regions. `id` may be character,
#' integer, double, factor or logical; rows with a missing `id` are left
#' out. With `.weights`, a respondent counts with its weight, which must be
#' the same on all its rows (a respondent's design weight).
#' The fractional share of respondents (each counting `1/k` in each of its
#' `k` answers) is `n = sum(weight)` followed by `share(n)`; see
#' [expand_answers()].
#'
#' Column arguments are bare names or strings. Numeric parameters such as
#' `rate_ci(x, level = 0.9)` or `ratio(a, b, scale = 1000)` are evaluated in
#' the calling environment. A call without a name is named after its
#' function and arguments, e.g. `sum(doctor)` becomes `sum_doctor`; a
#' statistic with several results (`rate_ci`) gives columns with suffixes
#' (`ci_lo`, `ci_hi`).
#'
#' Missing values are skipped by every reducing statistic (`count()` counts
#' rows). An empty group has count 0 and sum 0, and `NA` for means, rates,
#' minima and maxima; a rate, percentage or ratio whose denominator is 0 is
#' `NA`, never `Inf` or `NaN`. `rate()` is a percentage (0-100), `prop()` a
#' proportion (0-1); both need a logical or 0/1 column. `rate_ci()` is the
#' Wilson score interval of `rate()`, in percent.
#'
#' @section Groups and row order:
#' Grouping columns may be integer, double, character, factor or logical.
#' `NA` is a group of its own, sorted last. Without `.regions`, rows are
#' sorted by the `by` columns (character in C-locale byte order, factors by
#' level order) and only groups present in `data` appear. With `.regions`,
#' the rows are the regions in the order given, each one present even if it
#' has no rows in `data`; groups of `data` that are not among the regions
#' (such as `NA`) follow, sorted. With several `by` columns, `.regions`
#' applies to the first and is crossed with the combinations of the others
#' seen in `data`.
#'
#' @section Weights:
#' `.weights` are case (frequency) weights used by every reducing
#' statistic: a weighted count is the sum of the weights, a weighted rate is
#' `100 * sum(w * x) / sum(w)` over rows where `x` is not missing, and the
#' Wilson interval takes the summed weights as its `n`. Weights must be
#' non-negative and finite.
#'
#' @param data A data frame with one row per person (or unit).
#' @param by Names of the grouping columns (character vector).
#' @param ... Named statistic calls, see the Statistics section.
#' @param .regions `NULL`, a vector of all region ids that must appear, or a
#'   data frame whose first column is the region id and whose other columns
#'   (for instance `inhabitants`) are added to the result and can be used by
#'   deriving statistics. A region layer (`read_regions()`, `as_regions()` or
#'   an sf object) works too: its geometry is dropped and its id column
#'   (when it has one) comes first.
#' @param .weights `NULL`, the name of a column of `data`, or a numeric
#'   vector with one non-negative weight per row.
#' @return A data frame with the `by` columns, the other columns of a
#'   `.regions` data frame, then one column per statistic result, one row per
#'   group.
#' @seealso [statistics()] for the list of statistics, [register_statistic()]
#'   to add one, [round_half_away()] to round for publication.
#' @export
#' @examples
#' students <- data.frame(
#'   pc2 = c(10, 10, 10, 11, 11, 97),
#'   sex = c("f", "m", "f", "f", "m", "f"),
#'   became_doctor = c(TRUE, TRUE, FALSE, TRUE, TRUE, NA)
#' )
#' region_table(students, "pc2",
#'   students = count(),
#'   doctors = sum(became_doctor),
#'   pct_doctor = rate(became_doctor)
#' )
#'
#' # All regions, with inhabitants from a region table
#' regions <- data.frame(pc2 = c(10, 11, 12, 97),
#'                       inhabitants = c(813615, 319385, 178625, 232335))
#' region_table(students, "pc2",
#'   students = count(),
#'   inh_per_student = ratio(inhabitants, students),
#'   .regions = regions
#' )
#'
#' # The published Mulder (2025) counts: pass rates per PC2
#' tab <- region_table(mulder2025_pc2, "pc2",
#'   students = sum(students_2000_2010),
#'   doctors = sum(doctors_2000_2010),
#'   pct_doctor = pct(doctors, students)
#' )
#' head(transform(tab, pct_doctor = round_half_away(pct_doctor, 1)))
region_table <- function(data, by, ..., .regions = NULL, .weights = NULL) {
  call <- sys.call()
  env <- parent.frame()
  if (any(names(call) %in% c("d", "da", "dat", "b"))) {
    # R matched a statistic named `b` (or `d`, ...) to `by` (or `data`) by
    # partial matching; redo the match exactly from the call itself.
    return(region_table_exact(call, env))
  }
  dots <- as.list(substitute(list(...)))[-1]
  table_impl(data, by, dots, .regions, .weights, env, call)
}

region_table_exact <- function(call, env) {
  args <- as.list(call)[-1]
  nms <- names(args)
  take <- function(name, positional) {
    at <- which(nms == name)
    if (length(at) == 0 && positional) at <- which(!nzchar(nms))
    if (length(at) == 0) return(NULL)
    value <- eval(args[[at[1]]], env)
    args <<- args[-at[1]]
    nms <<- nms[-at[1]]
    value
  }
  data <- take("data", TRUE)
  by <- take("by", TRUE)
  regions <- take(".regions", FALSE)
  weights <- take(".weights", FALSE)
  table_impl(data, by, args, regions, weights, env, call)
}

table_impl <- function(data, by, dots, .regions, .weights, env, call) {
  check_data(data, call)
  by <- check_by(data, by, call)
  n <- nrow(data)
  weights <- check_weights(data, .weights, n, call)
  regions <- check_regions(.regions, data, by, call)
  plan <- plan_statistics(dots, data, by, regions, env, call)

  grp <- with_call(.Call(C_spr_c_group, unname(as.list(data)[by])), call)
  keys <- lapply(data[by], function(col) col[grp$first])
  layout <- region_layout(keys, regions, by)
  group <- grp$group
  size <- grp$size
  if (!is.null(layout$map)) {
    remapped <- .Call(C_spr_c_group_remap, group, layout$map, layout$ng)
    group <- remapped[[1]]
    size <- remapped[[2]]
  }
  ng <- length(size)
  groups <- list(n, group, size, NULL, NULL)
  if (plan$needs_order) {
    ord <- .Call(C_spr_c_group_order, group, ng)
    groups[[4]] <- ord[[1]]
    groups[[5]] <- ord[[2]]
  }
  seed <- lapply(layout$attributes[plan$seed_names], as.double)
  runner <- r_statistic_runner(plan, data, weights, groups)
  results <- with_call(
    .Call(C_spr_c_table, groups, plan$steps, plan$columns, weights,
          unname(seed), runner),
    call
  )
  names(results) <- plan$outputs
  out <- c(layout$keys, layout$attributes, results)
  structure(out, class = "data.frame", row.names = .set_row_names(ng),
            spreiding = table_provenance(plan, by))
}

# What each result column was computed from, for disclose(): the `by`
# columns, and per statistic column its statistic, kind and inputs (data
# columns for reducing statistics, group-level columns for deriving ones).
table_provenance <- function(plan, by) {
  cols <- list()
  for (step in plan$steps) {
    entry <- step[[1]]
    for (suffix in entry$outputs) {
      cols[[paste0(step[[4]], suffix)]] <- list(
        statistic = entry$name, kind = entry$kind, inputs = step[[5]]
      )
    }
  }
  list(by = by, columns = cols)
}

# ---- checks -------------------------------------------------------------------

check_data <- function(data, call) {
  check_frame(data, "data", call)
  if (nrow(data) > .Machine$integer.max - 1) {
    stop_spreiding("`data` has too many rows for region_table().",
                   arg = "data", call = call)
  }
}

describe <- function(x) {
  if (is.null(x)) return("NULL")
  cls <- class(x)[1]
  article <- if (grepl("^[aeiouAEIOU]", cls)) "an" else "a"
  paste(article, cls)
}

check_column_exists <- function(data, name, arg, call) {
  if (!name %in% names(data)) {
    stop_spreiding(paste0("Column ", backtick(name), " given in ",
                          backtick(arg), " is not in `data`.",
                          did_you_mean(name, names(data))),
                   arg = arg, call = call)
  }
}

check_by <- function(data, by, call) {
  if (!is.character(by) || length(by) < 1 || anyNA(by)) {
    stop_spreiding("`by` must be a character vector naming columns of `data`, such as `\"pc2\"`.",
                   arg = "by", call = call)
  }
  if (anyDuplicated(by)) {
    stop_spreiding(paste0("`by` names column ", backtick(by[anyDuplicated(by)]),
                          " twice."), arg = "by", call = call)
  }
  for (b in by) {
    check_column_exists(data, b, "by", call)
    col <- data[[b]]
    ok <- (is.atomic(col) && !is.null(col) && is.null(dim(col)) &&
             typeof(col) %in% c("logical", "integer", "double", "character"))
    if (!ok) {
      stop_spreiding(paste0("`by` column ", backtick(b), " is ", describe(col),
                            " of type ", typeof(col), "; a grouping column ",
                            "must be integer, double, character, factor or ",
                            "logical."),
                     arg = "by", call = call)
    }
  }
  by
}

check_weights <- function(data, weights, n, call) {
  if (is.null(weights)) return(NULL)
  if (is_string(weights)) {
    check_column_exists(data, weights, ".weights", call)
    name <- weights
    weights <- data[[weights]]
  } else {
    name <- NULL
  }
  if (!is.numeric(weights) || is.object(weights) || length(weights) != n) {
    stop_spreiding(paste0("`.weights` must be the name of a numeric column ",
                          "of `data` or a numeric vector with one weight per ",
                          "row (", n, ")."),
                   arg = ".weights", call = call)
  }
  bad <- which(is.na(weights) | weights < 0 | !is.finite(weights))
  if (length(bad)) {
    stop_spreiding(paste0("`.weights` must be non-negative and finite; row ",
                          bad[1], " has ", format(weights[bad[1]]),
                          if (length(bad) > 1) paste0(" (and ", length(bad) - 1,
                                                     " more rows)"), "."),
                   arg = ".weights", row = bad[1], call = call)
  }
  as.double(weights)
}

check_regions <- function(regions, data, by, call) {
  if (is.null(regions)) return(NULL)
  if (inherits(regions, "sf")) regions <- region_attributes(regions)
  if (is.data.frame(regions)) {
    if (ncol(regions) < 1) {
      stop_spreiding("A `.regions` data frame needs the region id as its first column.",
                     arg = ".regions", call = call)
    }
    ids <- regions[[1]]
    attrs <- as.list(regions)[-1]
    clash <- intersect(names(attrs), by)
    if (length(clash)) {
      stop_spreiding(paste0("`.regions` column ", backtick(clash[1]),
                            " has the name of a `by` column; only its ",
                            "first column is the region id."),
                     arg = ".regions", call = call)
    }
  } else if (is.atomic(regions) && is.null(dim(regions))) {
    ids <- regions
    attrs <- list()
  } else {
    stop_spreiding(paste0("`.regions` must be a vector of region ids or a ",
                          "data frame with the id first, not ",
                          describe(regions), "."),
                   arg = ".regions", call = call)
  }
  if (anyNA(ids)) {
    stop_spreiding(paste0("`.regions` ids must not be missing; row ",
                          which(is.na(ids))[1], " is NA."),
                   arg = ".regions", row = which(is.na(ids))[1], call = call)
  }
  if (anyDuplicated(ids)) {
    dup <- unique(ids[duplicated(ids)])
    stop_spreiding(paste0("`.regions` ids must be unique; duplicated: ",
                          paste(utils::head(dup, 5), collapse = ", "),
                          if (length(dup) > 5) ", ...", "."),
                   arg = ".regions", row = anyDuplicated(ids), call = call)
  }
  key <- data[[by[1]]]
  ids <- coerce_ids(ids, key, by[1], call)
  list(ids = ids, attributes = attrs)
}

# The attribute table of a region layer (read_regions(), as_regions() or
# sf): the geometry dropped, the region id column (if known) first.
region_attributes <- function(x) {
  geometry <- attr(x, "sf_column")
  id <- attr(x, "region_id")
  out <- as.list(x)
  out[geometry] <- NULL
  if (!is.null(id) && id %in% names(out)) {
    out <- c(out[id], out[setdiff(names(out), id)])
  }
  as.data.frame(out, stringsAsFactors = FALSE, optional = TRUE)
}

# Region ids in the type of the grouping column, so they can be matched and
# stacked with it.
coerce_ids <- function(ids, key, name, call) {
  fail <- function() {
    stop_spreiding(paste0("`.regions` ids (", typeof(ids), ") cannot be ",
                          "matched with `by` column ", backtick(name), " (",
                          class(key)[1], ")."),
                   arg = ".regions", call = call)
  }
  if (is.factor(key)) {
    ids <- as.character(ids)
    return(factor(ids, levels = union(levels(key), ids)))
  }
  if (is.character(key)) return(as.character(ids))
  if (is.factor(ids)) ids <- as.character(ids)
  if (is.numeric(key) || is.logical(key)) {
    num <- suppressWarnings(as.double(ids))
    if (anyNA(num)) fail()
    if (is.integer(key) && all(num == round(num)) &&
        all(abs(num) <= .Machine$integer.max)) {
      return(as.integer(num))
    }
    if (is.logical(key)) return(as.logical(num))
    out <- num
    attributes(out) <- attributes(key[0])
    return(out)
  }
  fail()
}

# ---- the plan -------------------------------------------------------------------

# Resolve each statistic call into a step: its registry entry, the columns
# or earlier results it reads, and its parameters.
plan_statistics <- function(dots, data, by, regions, env, call) {
  if (length(dots) == 0) {
    stop_spreiding("Give at least one statistic in `...`, such as `n = count()`.",
                   arg = "...", call = call)
  }
  labels <- names(dots) %||% rep("", length(dots))
  region_cols <- if (is.null(regions)) list() else regions$attributes
  seed_names <- names(region_cols)[vapply(region_cols, function(x)
    is.numeric(x) || is.logical(x), logical(1))]
  pool <- seed_names
  all_names <- c(by, names(region_cols))
  columns <- character()
  steps <- list()
  outputs <- character()
  needs_order <- FALSE
  parsed <- lapply(dots, parse_statistic_call, call = call)
  for (i in seq_along(dots)) {
    p <- parsed[[i]]
    entry <- p$entry
    label <- if (nzchar(labels[i])) labels[i] else default_label(p)
    args <- bind_arguments(p, env, call)
    is_reducing <- entry$kind == "reducing"
    index <- integer(length(args$columns))
    for (j in seq_along(args$columns)) {
      col <- args$columns[j]
      if (is_reducing) {
        key <- col
        if (has_key_args(entry)) {
          check_key_column(data, col, p, label, call)
          key <- paste0(col, key_suffix)
        } else {
          check_statistic_column(data, col, p, label, call)
        }
        if (!key %in% columns) columns <- c(columns, key)
        index[j] <- match(key, columns)
      } else {
        index[j] <- resolve_group_column(col, pool, data, parsed, dots, labels,
                                         i, p, label, call)
      }
    }
    outs <- paste0(label, entry$outputs)
    clash <- outs[outs %in% c(all_names, outputs) | duplicated(outs)]
    if (length(clash)) {
      stop_spreiding(paste0("Duplicated output name ", backtick(clash[1]),
                            ": every result column needs its own name."),
                     arg = "...", call = call)
    }
    outputs <- c(outputs, outs)
    pool <- c(pool, outs)
    if (is.function(entry$impl) || bitwAnd(entry$flags, 1L) != 0) {
      needs_order <- needs_order || is_reducing
    }
    steps[[i]] <- list(entry, index, args$params, label, args$columns)
  }
  list(steps = steps, columns = plan_columns(data, columns),
       column_names = sub(key_suffix, "", columns, fixed = TRUE),
       outputs = outputs, seed_names = seed_names, needs_order = needs_order)
}

# Identifier columns (statistics flagged SPREIDING_KEY_ARGS, such as
# pct_respondents) are handed to C as codes 1..m and kept apart from the
# same column used as a number, under the column name with this suffix.
key_suffix <- "\r(key)"

has_key_args <- function(entry) {
  !is.function(entry$impl) && bitwAnd(entry$flags, 4L) != 0
}

plan_columns <- function(data, columns) {
  is_key <- endsWith(columns, key_suffix)
  names <- sub(key_suffix, "", columns, fixed = TRUE)
  out <- lapply(seq_along(columns), function(j) {
    x <- data[[names[j]]]
    if (is_key[j]) key_codes(x) else statistic_column(x)
  })
  stats::setNames(out, names)
}

# Codes 1..m of the distinct values of x in order of first appearance, NA
# for missing values.
key_codes <- function(x) {
  if (is.factor(x)) x <- as.integer(x)
  match(x, unique(x[!is.na(x)]))
}

`%||%` <- function(x, y) if (is.null(x)) y else x

# Factors and logicals are handed to C as integer codes; everything else as is.
statistic_column <- function(x) {
  if (is.factor(x)) return(unclass(x))
  x
}

parse_statistic_call <- function(expr, call) {
  if (!is.call(expr) || !(is.symbol(expr[[1]]) || is.character(expr[[1]]))) {
    stop_spreiding(paste0("Each statistic in `...` must be a call such as ",
                          "`sum(x)`; got `", deparse1(expr), "`."),
                   arg = "...", call = call)
  }
  name <- as.character(expr[[1]])
  list(expr = expr, name = name,
       entry = registry_call_entry("statistics", "statistic", name, call))
}

# The registry entry that a call in `...` names, or a classed error that
# suggests the nearest name and says where the list is.
registry_call_entry <- function(family, what, name, call) {
  entry <- registry_entry(family, name)
  if (is.null(entry)) {
    stop_spreiding(paste0("Unknown ", what, " `", name, "()`.",
                          did_you_mean(name, registry_list(family)$name),
                          " See ", family, "() for the list."),
                   arg = "...", call = call)
  }
  entry
}

default_label <- function(p) {
  args <- vapply(as.list(p$expr)[-1], function(a) {
    if (is.symbol(a) || is.character(a)) as.character(a) else ""
  }, character(1))
  paste(c(p$name, args[nzchar(args)]), collapse = "_")
}

# The arguments of call `p$expr`, matched by name or position to its registry
# entry's column arguments and parameters; a classed error (message after
# `prefix`) when they do not match.
match_entry_call <- function(p, prefix, call = NULL) {
  formal_names <- c(p$entry$arguments, p$entry$params)
  template <- function() NULL
  formals(template) <- stats::setNames(
    rep(list(quote(expr = )), length(formal_names)), formal_names)
  tryCatch(
    as.list(match.call(template, p$expr))[-1],
    error = function(e) {
      stop_spreiding(paste0(prefix, conditionMessage(e), ". `", p$name,
                            "()` takes ",
                            if (length(formal_names)) paste(backtick(formal_names), collapse = ", ") else "no arguments",
                            "."),
                     arg = "...", call = call)
    }
  )
}

# Match the call's arguments to the entry's column arguments and parameters.
bind_arguments <- function(p, env, call) {
  entry <- p$entry
  matched <- match_entry_call(p, paste0("In `", deparse1(p$expr), "`: "),
                              call)
  columns <- vapply(entry$arguments, function(a) {
    v <- matched[[a]]
    if (is.null(v)) {
      stop_spreiding(paste0("`", deparse1(p$expr), "` is missing its column ",
                            "argument ", backtick(a), "."),
                     arg = "...", call = call)
    }
    if (!(is.symbol(v) || is_string(v))) {
      stop_spreiding(paste0("In `", deparse1(p$expr), "`, ", backtick(a),
                            " must be a column name, not `", deparse1(v), "`."),
                     arg = "...", call = call)
    }
    as.character(v)
  }, character(1))
  params <- vapply(seq_along(entry$params), function(k) {
    nm <- entry$params[k]
    v <- matched[[nm]]
    if (is.null(v)) {
      if (is.na(entry$defaults[k])) {
        stop_spreiding(paste0("`", deparse1(p$expr), "` needs the parameter ",
                              backtick(nm), "."),
                       arg = "...", call = call)
      }
      return(entry$defaults[k])
    }
    value <- eval(v, env)
    if (!is.numeric(value) || length(value) != 1 || is.na(value)) {
      stop_spreiding(paste0("In `", deparse1(p$expr), "`, parameter ",
                            backtick(nm), " must be a single number."),
                     arg = "...", call = call)
    }
    as.double(value)
  }, double(1))
  list(columns = unname(columns), params = params)
}

# The column `col` of `data` that statistic call `p` (output `label`) names.
statistic_input <- function(data, col, p, label, call) {
  if (!col %in% names(data)) {
    stop_spreiding(paste0("`", deparse1(p$expr), "` (", backtick(label),
                          ") refers to column ", backtick(col), ", which is ",
                          "not in `data`.", did_you_mean(col, names(data))),
                   arg = "...", call = call)
  }
  data[[col]]
}

check_statistic_column <- function(data, col, p, label, call) {
  x <- statistic_input(data, col, p, label, call)
  ok <- (is.numeric(x) || is.logical(x) || is.factor(x)) && is.null(dim(x)) &&
    typeof(x) %in% c("logical", "integer", "double")
  if (!ok) {
    stop_spreiding(paste0("`", deparse1(p$expr), "` needs a numeric or ",
                          "logical column, but ", backtick(col), " is ",
                          describe(x), "."),
                   arg = "...", call = call)
  }
}

check_key_column <- function(data, col, p, label, call) {
  x <- statistic_input(data, col, p, label, call)
  ok <- is.atomic(x) && !is.null(x) && is.null(dim(x)) &&
    typeof(x) %in% c("logical", "integer", "double", "character")
  if (!ok) {
    stop_spreiding(paste0("`", deparse1(p$expr), "` needs a column of ",
                          "identifiers (character, integer, double, factor ",
                          "or logical), but ", backtick(col), " is ",
                          describe(x), "."),
                   arg = "...", call = call)
  }
}

resolve_group_column <- function(col, pool, data, parsed, dots, labels, i, p,
                                 label, call) {
  at <- match(col, pool)
  if (!is.na(at)) return(at)
  later <- vapply(seq_along(dots), function(k) {
    k > i && (identical(labels[k], col) ||
                (!nzchar(labels[k]) && identical(default_label(parsed[[k]]), col)))
  }, logical(1))
  if (any(later)) {
    stop_spreiding(paste0("`", deparse1(p$expr), "` (", backtick(label),
                          ") uses ", backtick(col), ", which is defined later; ",
                          "a deriving statistic can only use statistics ",
                          "defined before it."),
                   arg = "...", call = call)
  }
  if (col %in% names(data)) {
    stop_spreiding(paste0("`", p$name, "()` is a deriving statistic: its ",
                          "arguments are group-level columns (earlier ",
                          "statistics or `.regions` columns), but ",
                          backtick(col), " is a column of `data`. Add, for ",
                          "example, `", col, " = sum(", col, ")` before it."),
                   arg = "...", call = call)
  }
  stop_spreiding(paste0("`", deparse1(p$expr), "` (", backtick(label),
                        ") refers to ", backtick(col), ", which is neither ",
                        "an earlier statistic nor a numeric `.regions` ",
                        "column.", did_you_mean(col, pool)),
                 arg = "...", call = call)
}

# ---- groups against .regions ------------------------------------------------------

# The output rows: key columns, .regions attributes, and the map from the
# groups found in `data` to output rows (NULL when they are the same).
region_layout <- function(keys, regions, by) {
  ng <- length(keys[[1]])
  if (is.null(regions)) {
    return(list(keys = keys, attributes = list(), map = NULL, ng = ng))
  }
  ids <- regions$ids
  if (length(by) == 1) {
    pos <- match(keys[[1]], ids)
    extra <- which(is.na(pos))
    map <- pos
    map[extra] <- length(ids) + seq_along(extra)
    new_keys <- list(c(ids, keys[[1]][extra]))
    rows <- c(seq_along(ids), rep(NA_integer_, length(extra)))
  } else {
    others <- lapply(keys[-1], identity)
    combo <- do.call(paste, c(lapply(others, format_key), sep = "\r"))
    first_other <- !duplicated(combo)
    n_other <- sum(first_other)
    seen_other <- lapply(others, function(col) col[first_other])
    o <- do.call(order, c(unname(seen_other),
                          list(na.last = TRUE, method = "radix")))
    required_first <- rep(ids, each = n_other)
    required_other <- lapply(seen_other, function(col) rep(col[o], length(ids)))
    key_all <- do.call(paste, c(list(format_key(required_first)),
                                lapply(required_other, format_key), sep = "\r"))
    key_seen <- do.call(paste, c(list(format_key(keys[[1]])),
                                 lapply(others, format_key), sep = "\r"))
    pos <- match(key_seen, key_all)
    extra <- which(is.na(pos))
    map <- pos
    map[extra] <- length(key_all) + seq_along(extra)
    new_keys <- c(list(c(required_first, keys[[1]][extra])),
                  Map(function(req, seen) c(req, seen[extra]), required_other, others))
    rows <- c(rep(seq_along(ids), each = n_other), rep(NA_integer_, length(extra)))
  }
  names(new_keys) <- by
  attrs <- lapply(regions$attributes, function(col) col[rows])
  list(keys = new_keys, attributes = attrs, map = as.integer(map),
       ng = length(rows))
}

format_key <- function(x) {
  out <- as.character(x)
  out[is.na(x)] <- "\001NA"
  out
}

# ---- R closures ------------------------------------------------------------------

# The callback spr_c_table() uses for statistics registered from R.
r_statistic_runner <- function(plan, data, weights, groups) {
  force(plan)
  function(step_index, pool) {
    step <- plan$steps[[step_index]]
    entry <- step[[1]]
    fun <- entry$impl
    params <- stats::setNames(as.list(step[[3]]), entry$params)
    label <- step[[4]]
    nout <- length(entry$outputs)
    ng <- length(groups[[3]])
    fail <- function(msg) {
      stop_spreiding(paste0("Statistic `", label, "` (`", entry$name,
                            "()`, registered from R) failed: ", msg),
                     arg = "...")
    }
    check_result <- function(v, len) {
      if (!(is.numeric(v) || is.logical(v)) || length(v) != len) {
        fail(paste0("it must return ", len, " number", if (len > 1) "s",
                    ", not ", describe(v), " of length ", length(v), "."))
      }
      as.double(v)
    }
    if (entry$kind == "reducing") {
      cols <- lapply(step[[5]], function(col) data[[col]])
      names(cols) <- entry$arguments
      order <- groups[[4]] + 1L
      start <- groups[[5]]
      size <- groups[[3]]
      use_w <- !is.null(weights) && ".weights" %in% names(formals(fun))
      if (!is.null(weights) && !use_w) {
        fail("it has no `.weights` argument, but `.weights` were given.")
      }
      res <- matrix(NA_real_, ng, nout)
      for (g in seq_len(ng)) {
        rows <- order[start[g] + seq_len(size[g])]
        a <- c(lapply(cols, `[`, rows), params)
        if (use_w) a$.weights <- weights[rows]
        v <- tryCatch(do.call(fun, a), error = function(e) fail(conditionMessage(e)))
        res[g, ] <- check_result(v, nout)
      }
      lapply(seq_len(nout), function(k) res[, k])
    } else {
      a <- c(stats::setNames(lapply(step[[2]], function(k) pool[[k]]),
                             entry$arguments), params)
      v <- tryCatch(do.call(fun, a), error = function(e) fail(conditionMessage(e)))
      if (nout == 1) return(list(check_result(v, ng)))
      v <- as.matrix(as.data.frame(v))
      if (nrow(v) != ng || ncol(v) != nout) {
        fail(paste0("it must return ", nout, " columns of ", ng, " values."))
      }
      lapply(seq_len(nout), function(k) as.double(v[, k]))
    }
  }
}

#' Round half away from zero, as published tables do
#'
#' `round()` in R rounds half to even on the binary value, so it turns
#' 7396.5 into 7396 and 2.675 into 2.67. Published tables (and the Mulder
#' 2025 report) round halves away from zero: 7397 and 2.68. This function
#' does that, treating each value as the decimal number printed with 15
#' significant digits, which makes it exact for every value written with up
#' to 15 significant digits.
#'
#' @param x A numeric vector.
#' @param digits Number of decimal places (negative: round to tens,
#'   hundreds, ...), a whole number. With 15 or more, `x` is returned as is.
#' @return A double vector like `x` (names and dimensions kept).
#' @export
#' @examples
#' round_half_away(c(7396.5, 0.5, -0.5, 84.5))
#' round(c(7396.5, 0.5, -0.5, 84.5))  # base R, for comparison
#' round_half_away(2.675, 2)
#' round_half_away(84.55, 1)
#' round_half_away(1234, -2)
round_half_away <- function(x, digits = 0) {
  call <- sys.call()
  if (!is.numeric(x)) {
    stop_spreiding(paste0("`x` must be numeric, not ", describe(x), "."),
                   arg = "x", call = call)
  }
  if (!is.numeric(digits) || length(digits) != 1 || is.na(digits) ||
      !is.finite(digits) || digits != round(digits)) {
    stop_spreiding("`digits` must be a single whole number.", arg = "digits",
                   call = call)
  }
  storage.mode(x) <- "double"
  if (digits >= 15) return(x)
  with_call(.Call(C_spr_c_round_half_away, x, as.integer(digits)), call)
}
