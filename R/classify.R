# classify(): region classes from region-level columns. R parses each
# classifier call, evaluates its column arguments in the table and checks
# every argument; C (src/classify.c) runs the kernel of every C classifier of
# the registry -- the built-ins quadrant(), thresholds() and
# coverage_bands(), and plugins from other packages -- and checks the codes
# it returns. Classifiers registered from R (register_classifier()) run here.

#' Classify regions: labour-market position, shortage thresholds, coverage
#'
#' Adds one factor column per classifier call to a table with one row per
#' region, such as a [region_table()] result: the labour-market position of
#' the Nivel factsheet ([quadrant()]), a population-per-GP designation in
#' the manner of the US HPSA ([thresholds()]), or the German coverage bands
#' ([coverage_bands()]).
#'
#' @section Classifier calls:
#' Each element of `...` is a call such as `position = quadrant(pref_pct,
#' outflow_pct)`. The function name is looked up in the classifier registry
#' (see [classifiers()]), never in your environment. The built-ins are
#' [quadrant()], [thresholds()] and [coverage_bands()]; classifiers
#' registered with [register_classifier()] or from another package's C code
#' are called the same way, with their column arguments and numeric
#' parameters.
#'
#' **Column arguments** (`x`, `y`, `weights`, `high_need`, `actual`,
#' `target`, `age_factor` of the built-ins; the arguments without a default
#' of a registered classifier) are evaluated in `table`: a bare column name,
#' a string naming a column, or an expression of columns, such as
#' `target = inhabitants / 1671` or `high_need = over_65_pct > 25`. Names
#' that are not columns are looked up in the calling environment, and a
#' single value is used for every row. Column arguments must be numeric
#' (`high_need` may also be logical). **Other arguments** (cuts, rules,
#' labels, numeric parameters) are evaluated in the calling environment.
#'
#' The calls run in order and each one sees the columns added by the ones
#' before it. A call without a name is named after its function and its
#' bare column names: `quadrant(pref, outflow)` becomes
#' `quadrant_pref_outflow`. A column of `table` with the same name is
#' replaced.
#'
#' @param table A data frame with one row per region (a [region_table()]
#'   result, a tibble or an sf object work too).
#' @param ... Named classifier calls, see the section Classifier calls.
#' @return `table` with one factor column added (or replaced) per call, its
#'   levels in the classifier's order; rows, other columns, class and
#'   attributes are kept.
#' @seealso [classifiers()] lists the classifiers; [register_classifier()]
#'   adds one.
#' @export
#' @examples
#' regions <- data.frame(
#'   region = c("Utrecht", "Zeeland", "Drenthe", "Amsterdam"),
#'   pref_pct = c(16.3, 3.1, 7.6, 14.0),
#'   outflow_pct = c(18, 31, 27, 20),
#'   inhabitants = c(1360000, 385000, 494000, 1200000),
#'   fte = c(700, 105, 160, 800),
#'   high_need = c(FALSE, TRUE, TRUE, FALSE)
#' )
#' classify(regions,
#'   position = quadrant(pref_pct, outflow_pct),
#'   hpsa = thresholds(inhabitants / fte, cuts = 3500, right = FALSE,
#'                     labels = c("no shortage", "shortage"),
#'                     high_need = high_need, high_need_cuts = 3000,
#'                     high_need_right = TRUE),
#'   coverage = coverage_bands(actual = fte, target = inhabitants / 1671)
#' )
classify <- function(table, ...) {
  call <- sys.call()
  env <- parent.frame()
  if (any(names(call) %in% c("t", "ta", "tab", "tabl"))) {
    # R matched a classifier named `t` (or `ta`, ...) to `table` by partial
    # matching; redo the match exactly from the call itself.
    return(classify_exact(call, env))
  }
  dots <- as.list(substitute(list(...)))[-1]
  classify_impl(table, dots, env, call)
}

classify_exact <- function(call, env) {
  args <- as.list(call)[-1]
  nms <- names(args)
  at <- which(nms == "table")
  if (length(at) == 0) at <- which(!nzchar(nms))
  if (length(at) == 0) {
    stop_spreiding("`table` is missing: give the data frame to classify.",
                   arg = "table", call = call)
  }
  table <- eval(args[[at[1]]], env)
  classify_impl(table, args[-at[1]], env, call)
}

classify_impl <- function(table, dots, env, call) {
  if (!is.data.frame(table)) {
    stop_spreiding(paste0("`table` must be a data frame, not ",
                          describe(table), "."), arg = "table", call = call)
  }
  if (length(dots) == 0) {
    stop_spreiding(paste0("Give at least one classifier in `...`, such as ",
                          "`position = quadrant(pref_pct, outflow_pct)`."),
                   arg = "...", call = call)
  }
  labels <- names(dots) %||% rep("", length(dots))
  done <- character()
  for (i in seq_along(dots)) {
    p <- parse_classifier_call(dots[[i]], call)
    label <- if (nzchar(labels[i])) labels[i] else default_label(p)
    if (label %in% done) {
      stop_spreiding(paste0("Duplicated output name ", backtick(label),
                            ": every classifier needs its own name."),
                     arg = "...", call = call)
    }
    done <- c(done, label)
    value <- tryCatch(
      run_classifier_call(p, table, env),
      spreiding_error = function(e) {
        e$message <- paste0("In `", label, " = ", deparse1(p$expr), "`: ",
                            e$message)
        e$call <- call
        stop(e)
      }
    )
    table[[label]] <- value
  }
  table
}

parse_classifier_call <- function(expr, call) {
  head <- if (is.call(expr)) expr[[1]] else NULL
  # spreiding::quadrant(...) names the same registry entry as quadrant(...)
  if (is.call(head) && length(head) == 3 &&
      identical(head[[1]], as.name("::")) && is.symbol(head[[3]])) {
    head <- head[[3]]
    expr[[1]] <- head
  }
  if (!(is.symbol(head) || is.character(head))) {
    stop_spreiding(paste0("Each classifier in `...` must be a call such as ",
                          "`quadrant(x, y)`; got `", deparse1(expr), "`."),
                   arg = "...", call = call)
  }
  name <- as.character(head)
  list(expr = expr, name = name,
       entry = registry_call_entry("classifiers", "classifier", name, call))
}

# The built-in classifiers with an R front-end, and which of its arguments
# are columns (evaluated in the table).
classifier_frontends <- list(
  quadrant = c("x", "y", "weights"),
  thresholds = c("x", "high_need"),
  coverage_bands = c("actual", "target", "age_factor")
)

is_frontend <- function(entry) {
  entry$provider == "spreiding" && entry$name %in% names(classifier_frontends)
}

run_classifier_call <- function(p, table, env) {
  if (is_frontend(p$entry)) {
    run_frontend_call(p, table, env)
  } else {
    run_registered_call(p, table, env)
  }
}

# A column argument: a literal string names a column; anything else is
# evaluated with the table's columns in scope. A single value is recycled.
class_eval_column <- function(expr, arg, table, env, n) {
  if (is.character(expr) && length(expr) == 1) {
    if (!expr %in% names(table)) {
      stop_spreiding(paste0("Column ", backtick(expr), " given in ",
                            backtick(arg), " is not in `table`.",
                            did_you_mean(expr, names(table))),
                     arg = arg)
    }
    return(table[[expr]])
  }
  if (is.symbol(expr) && !as.character(expr) %in% names(table) &&
      !exists(as.character(expr), envir = env)) {
    stop_spreiding(paste0(backtick(arg), " refers to ", backtick(expr),
                          ", which is neither a column of `table` nor a ",
                          "variable.",
                          did_you_mean(as.character(expr), names(table))),
                   arg = arg)
  }
  value <- tryCatch(
    eval(expr, as.list(table), env),
    error = function(e) {
      if (inherits(e, "spreiding_error")) stop(e)
      stop_spreiding(paste0("Cannot evaluate ", backtick(arg), " = `",
                            deparse1(expr), "` in `table`: ",
                            conditionMessage(e), "."),
                     arg = arg)
    }
  )
  if (!is.null(value) && length(value) == 1 && n != 1 && is.null(dim(value))) {
    value <- rep(value, n)
  }
  value
}

# Any other argument: evaluated in the calling environment.
class_eval_param <- function(expr, arg, env) {
  tryCatch(eval(expr, env), error = function(e) {
    if (inherits(e, "spreiding_error")) stop(e)
    stop_spreiding(paste0("Cannot evaluate ", backtick(arg), " = `",
                          deparse1(expr), "`: ", conditionMessage(e), "."),
                   arg = arg)
  })
}

run_frontend_call <- function(p, table, env) {
  fun <- get(p$name, envir = asNamespace("spreiding"), inherits = FALSE)
  matched <- tryCatch(
    as.list(match.call(fun, p$expr))[-1],
    error = function(e) {
      stop_spreiding(paste0(conditionMessage(e), ". `", p$name, "()` takes ",
                            paste(backtick(names(formals(fun))),
                                  collapse = ", "), "."),
                     arg = "...")
    }
  )
  columns <- classifier_frontends[[p$name]]
  n <- nrow(table)
  # Bind each evaluated argument to its formal's name, and call the
  # front-end by name: its own error calls stay short (`quadrant(x = x)`).
  frame <- new.env(parent = asNamespace("spreiding"))
  for (nm in names(matched)) {
    value <- if (nm %in% columns) {
      class_eval_column(matched[[nm]], nm, table, env, n)
    } else {
      class_eval_param(matched[[nm]], nm, env)
    }
    assign(nm, value, envir = frame)
  }
  args <- lapply(names(matched), as.name)
  names(args) <- names(matched)
  value <- eval(as.call(c(as.name(p$name), args)), frame)
  if (length(value) != n) {
    stop_spreiding_internal(paste0("classifier `", p$name, "()` returned ",
                                   length(value), " classes for ", n, " rows"))
  }
  value
}

# A classifier of the registry without a front-end (a plugin from C or an R
# function): its column arguments and numeric parameters, as in
# region_table().
run_registered_call <- function(p, table, env) {
  entry <- p$entry
  n <- nrow(table)
  matched <- match_entry_call(p, "")
  cols <- lapply(entry$arguments, function(a) {
    if (is.null(matched[[a]])) {
      stop_spreiding(paste0("`", deparse1(p$expr), "` is missing its column ",
                            "argument ", backtick(a), "."), arg = a)
    }
    v <- class_eval_column(matched[[a]], a, table, env, n)
    class_column(v, a, n, logical_ok = TRUE)
  })
  names(cols) <- entry$arguments
  params <- vapply(seq_along(entry$params), function(k) {
    nm <- entry$params[k]
    v <- matched[[nm]]
    if (is.null(v)) {
      if (is.na(entry$defaults[k])) {
        stop_spreiding(paste0("`", deparse1(p$expr), "` needs the parameter ",
                              backtick(nm), "."), arg = nm)
      }
      return(entry$defaults[k])
    }
    value <- class_eval_param(v, nm, env)
    if (!is.numeric(value) || length(value) != 1 || is.na(value)) {
      stop_spreiding(paste0("Parameter ", backtick(nm), " must be a single ",
                            "number."), arg = nm)
    }
    as.double(value)
  }, double(1))
  levels <- entry$levels
  if (is.function(entry$impl)) {
    codes <- run_r_classifier(entry, cols, params, n)
  } else {
    codes <- .Call(C_spr_c_classify, entry$impl, n, unname(cols), params,
                   length(levels), entry$name, entry$arguments)
  }
  new_classes(codes, levels)
}

# A classifier registered from R returns integer codes into its levels, the
# labels themselves (character), or a factor with those labels.
run_r_classifier <- function(entry, cols, params, n) {
  fun <- entry$impl
  levels <- entry$levels
  a <- c(cols, stats::setNames(as.list(params), entry$params))
  fail <- function(msg) {
    stop_spreiding(paste0("Classifier `", entry$name, "()` (registered ",
                          "from R) failed: ", msg), arg = "...")
  }
  v <- tryCatch(do.call(fun, a), error = function(e) fail(conditionMessage(e)))
  if (length(v) != n) {
    fail(paste0("it returned ", length(v), " classes for ", n, " rows."))
  }
  if (is.factor(v)) v <- as.character(v)
  if (is.character(v)) {
    codes <- match(v, levels)
    bad <- which(is.na(codes) & !is.na(v))
    if (length(bad)) {
      fail(paste0("row ", bad[1], " got the class \"", v[bad[1]], "\", which ",
                  "is not one of its levels (",
                  paste0("\"", levels, "\"", collapse = ", "), ")."))
    }
    return(codes)
  }
  if (is.logical(v) && all(is.na(v))) return(rep(NA_integer_, n))
  ok <- is.numeric(v) && all(is.na(v) | (v == round(v) & v >= 1 &
                                            v <= length(levels)))
  if (!ok) {
    bad <- if (is.numeric(v)) which(!is.na(v) & !(v == round(v) & v >= 1 & v <= length(levels)))[1] else 1L
    fail(paste0("it must return class codes 1 to ", length(levels),
                " (or NA) or its labels, not ", describe(v),
                if (is.numeric(v)) paste0(" with ", format(v[bad]), " in row ", bad),
                "."))
  }
  as.integer(v)
}

new_classes <- function(codes, levels) {
  structure(as.integer(codes), levels = as.character(levels),
            class = "factor")
}

# ---- the built-ins ------------------------------------------------------------

# A numeric column argument of a classifier, as double. `n` is the length
# it must have (NULL: any); a single value is recycled to it.
class_column <- function(v, arg, n = NULL, logical_ok = FALSE, call = NULL) {
  ok <- (is.numeric(v) || (logical_ok && is.logical(v))) && is.null(dim(v))
  if (!ok) {
    stop_spreiding(paste0("`", arg, "` must be ",
                          if (logical_ok) "numeric or logical" else "numeric",
                          ", not ", describe(v), "."),
                   arg = arg, call = call)
  }
  if (!is.null(n) && length(v) == 1) v <- rep(v, n)
  if (!is.null(n) && length(v) != n) {
    stop_spreiding(paste0("`", arg, "` has ", length(v), " values; it needs ",
                          "one per region (", n, ") or a single one."),
                   arg = arg, call = call)
  }
  as.double(v)
}

class_first_bad <- function(bad, v, arg, what, call) {
  i <- which(bad)
  if (length(i)) {
    stop_spreiding(paste0("`", arg, "` must be ", what, "; row ", i[1],
                          " is ", format(v[i[1]]),
                          if (length(i) > 1) paste0(" (and ", length(i) - 1,
                                                   " more rows)"), "."),
                   arg = arg, row = i[1], call = call)
  }
}

class_check_cuts <- function(cuts, arg, call, positive = FALSE) {
  if (!is.numeric(cuts) || is.object(cuts) || length(cuts) < 1 ||
      any(!is.finite(cuts))) {
    stop_spreiding(paste0("`", arg, "` must be one or more finite numbers, ",
                          "in increasing order."), arg = arg, call = call)
  }
  cuts <- as.double(cuts)
  down <- which(diff(cuts) <= 0)
  if (length(down)) {
    j <- down[1]
    stop_spreiding(paste0("`", arg, "` must be strictly increasing, but ",
                          arg, "[", j + 1, "] = ", format(cuts[j + 1]),
                          " is not above ", arg, "[", j, "] = ",
                          format(cuts[j]), "."), arg = arg, call = call)
  }
  if (positive && cuts[1] <= 0) {
    stop_spreiding(paste0("`", arg, "` must be positive; ", arg, "[1] is ",
                          format(cuts[1]), "."), arg = arg, call = call)
  }
  cuts
}

class_check_labels <- function(labels, k, what, call) {
  ok <- is.character(labels) && length(labels) == k && !anyNA(labels) &&
    !anyDuplicated(labels)
  if (!ok) {
    got <- if (!is.character(labels)) {
      describe(labels)
    } else if (length(labels) != k) {
      paste(length(labels), if (length(labels) == 1) "label" else "labels")
    } else if (anyNA(labels)) {
      "a missing label"
    } else {
      paste0("the label \"", labels[anyDuplicated(labels)], "\" twice")
    }
    stop_spreiding(paste0("`labels` must be ", k, " distinct strings, one ",
                          "per class (", what, "), not ", got, "."),
                   arg = "labels", call = call)
  }
  labels
}

class_check_flag <- function(x, arg, call) {
  if (!is.logical(x) || length(x) != 1 || is.na(x)) {
    stop_spreiding(paste0("`", arg, "` must be TRUE or FALSE."), arg = arg,
                   call = call)
  }
  x
}

# Run a built-in kernel through the registry.
class_run_builtin <- function(name, args, params, nlevels, call) {
  entry <- registry_entry("classifiers", name)
  n <- length(args[[1]])
  with_call(.Call(C_spr_c_classify, entry$impl, n, args, as.double(params),
                  as.integer(nlevels), name, entry$arguments), call)
}

cut_rules <- c("mean", "median", "weighted_mean")

# A cut: c(rule, value), rule 0 for a number, 1 mean, 2 median, 3 weighted
# mean (the codes of src/classify.c).
cut_rule <- function(cut, arg, call) {
  if (is.numeric(cut) && !is.object(cut) && length(cut) == 1 &&
      is.finite(cut)) {
    return(c(0, as.double(cut)))
  }
  if (is_string(cut) && cut %in% cut_rules) {
    return(c(match(cut, cut_rules), NA_real_))
  }
  shown <- if (is_string(cut)) {
    paste0("\"", cut, "\"")
  } else if (is.atomic(cut) && length(cut) == 1) {
    format(cut)
  } else if (is.atomic(cut)) {
    paste0(describe(cut), " vector of length ", length(cut))
  } else {
    describe(cut)
  }
  stop_spreiding(paste0("`", arg, "` must be \"mean\", \"median\", ",
                        "\"weighted_mean\" or a finite number, not ", shown,
                        ".",
                        if (is_string(cut)) did_you_mean(cut, cut_rules) else ""),
                 arg = arg, call = call)
}

#' Labour-market position: popularity against expected outflow
#'
#' The four-way classification of the Nivel factsheet on young GPs: each
#' region's popularity `x` (the percentage of recently qualified GPs who
#' name it as a preferred work region) against its expected outflow `y`
#' (the percentage of its GPs expected to leave within five years). Low
#' popularity with high outflow is an unfavourable labour-market position,
#' high popularity with low outflow a favourable one.
#'
#' Each variable is split at its cut into "high" (above the cut) and "low"
#' (at or below it). **Ties**: a value equal to its cut is low. The classes,
#' in the order of the factor levels (and of `labels`):
#'
#' | level | `x` (popularity) | `y` (outflow) |
#' |---|---|---|
#' | `"favourable"` | high | low |
#' | `"mixed: popular, high outflow"` | high | high |
#' | `"mixed: unpopular, low outflow"` | low | low |
#' | `"unfavourable"` | low | high |
#'
#' A cut is `"mean"` (the default), `"median"`, `"weighted_mean"` (with
#' `weights`, such as each region's GP capacity in FTE or its population) or
#' a number, such as 100 for a ratio to the national level. Means and
#' medians are those of R's [mean()], [stats::median()] and
#' [stats::weighted.mean()] over the regions where that variable is present.
#' **Missing values**: a region with `x` or `y` missing gets `NA`. Each cut
#' is computed from the regions where its own variable is present, so a
#' region with only `y` missing still counts towards the cut of `x`.
#'
#' Use it inside [classify()], where `x`, `y` and `weights` are columns of
#' the table, or on plain vectors.
#'
#' @param x Popularity per region (numeric), e.g. the percentage of
#'   respondents naming the region as preferred.
#' @param y Expected outflow per region (numeric), e.g. the percentage of
#'   its GPs expected to leave within five years.
#' @param x_cut,y_cut Where `x` and `y` are split: `"mean"`, `"median"`,
#'   `"weighted_mean"` or a number.
#' @param weights Non-negative weights per region, only for
#'   `"weighted_mean"` cuts (and then required).
#' @param labels The four class labels, in the order of the table above.
#' @return A factor with one class per region (levels `labels`).
#' @references Nivel factsheet on the current and preferred work regions of
#'   GPs who qualified up to five years before the 2019 survey of 1,104
#'   alumni (28 AZW regions), Figure 5: the percentage of alumni who would
#'   like to work in a region against the percentage of its GPs expected to
#'   leave in 2018-2023.
#' @seealso [classify()], [thresholds()], [coverage_bands()]
#' @export
#' @examples
#' pref <- c(16.3, 3.1, 7.6, 12.0, NA)
#' outflow <- c(18, 31, 27, 28, 25)
#' quadrant(pref, outflow)
#' quadrant(pref, outflow, x_cut = "median", y_cut = 25)
#' # the same in a table
#' regions <- data.frame(pref = pref, outflow = outflow,
#'                       fte = c(700, 140, 230, 400, 90))
#' classify(regions, position = quadrant(pref, outflow,
#'                                       y_cut = "weighted_mean",
#'                                       weights = fte))
quadrant <- function(x, y, x_cut = "mean", y_cut = "mean", weights = NULL,
                     labels = c("favourable", "mixed: popular, high outflow",
                                "mixed: unpopular, low outflow",
                                "unfavourable")) {
  call <- sys.call()
  if (missing(x) || missing(y)) {
    arg <- if (missing(x)) "x" else "y"
    stop_spreiding(paste0("`", arg, "` is missing."), arg = arg, call = call)
  }
  x <- class_column(x, "x", call = call)
  n <- length(x)
  y <- class_column(y, "y", n, call = call)
  xr <- cut_rule(x_cut, "x_cut", call)
  yr <- cut_rule(y_cut, "y_cut", call)
  weighted <- c(xr[1], yr[1]) == 3
  if (any(weighted)) {
    if (is.null(weights)) {
      stop_spreiding(paste0("`", c("x_cut", "y_cut")[weighted][1],
                            " = \"weighted_mean\"` needs `weights`."),
                     arg = "weights", call = call)
    }
    weights <- class_column(weights, "weights", n, call = call)
    for (axis in which(weighted)) {
      present <- !is.na(list(x, y)[[axis]])
      class_first_bad(present & !(is.finite(weights) & weights >= 0), weights,
                "weights", "finite and non-negative", call)
      if (!any(present & weights > 0)) {
        stop_spreiding(paste0("`weights` must have a positive sum over the ",
                              "regions where `", c("x", "y")[axis],
                              "` is present."),
                       arg = "weights", call = call)
      }
    }
  } else if (!is.null(weights)) {
    stop_spreiding(paste0("`weights` are only used by a \"weighted_mean\" ",
                          "cut; set `x_cut` or `y_cut` to \"weighted_mean\", ",
                          "or drop `weights`."),
                   arg = "weights", call = call)
  } else {
    weights <- rep(1, n)
  }
  labels <- class_check_labels(labels, 4, "the four positions", call)
  new_classes(class_run_builtin("quadrant", list(x, y, weights), c(xr, yr), 4L,
                          call), labels)
}

#' Classes between cuts, such as shortage designations
#'
#' Cuts `x` into classes at increasing `cuts`, like [base::cut()] with the
#' outer classes open: with `k` cuts there are `k + 1` classes. For
#' instance inhabitants per GP FTE, with a cut of 3,500 as in the US
#' designation of Health Professional Shortage Areas (HPSA).
#'
#' **Ties**: with `right = TRUE` (the default, as in `cut()`) the classes are
#' right-closed, `(-Inf, c1], (c1, c2], ..., (ck, Inf)`: a value equal to a
#' cut falls in the class below it. With `right = FALSE` they are
#' left-closed, `(-Inf, c1), [c1, c2), ..., [ck, Inf)`: a value equal to a
#' cut falls in the class above it. **Missing values**: `NA` in `x` gives
#' `NA`.
#'
#' @section A second condition: high need:
#' With `high_need` (logical or 0/1 per region), the regions where it is
#' `TRUE` are classed by `high_need_cuts` (one per cut, for instance lower
#' ones) and `high_need_right` instead of `cuts` and `right`. A region whose
#' `high_need` is `NA` gets the class that both rules give it, or `NA` when
#' they differ.
#'
#' The HPSA rule for primary care (42 CFR Part 5, Appendix A, Part I) is a
#' population to FTE primary care physician ratio of **at least 3,500:1**,
#' or of **less than 3,500:1 but more than 3,000:1** where the area has
#' unusually high needs for primary care or insufficient capacity of its
#' providers. It is, exactly:
#'
#' ```
#' thresholds(inhabitants / fte, cuts = 3500, right = FALSE,
#'            high_need = high_need, high_need_cuts = 3000,
#'            high_need_right = TRUE,
#'            labels = c("no shortage", "shortage"))
#' ```
#'
#' `right = FALSE` puts a ratio of exactly 3,500 in "shortage" (at least
#' 3,500); `high_need_right = TRUE` keeps exactly 3,000 with high needs in
#' "no shortage" (more than 3,000). The full designation also needs a
#' rational service area and overused or inaccessible resources nearby,
#' which no ratio expresses.
#'
#' @param x Numeric value per region, e.g. inhabitants per GP FTE.
#' @param cuts Increasing finite numbers: the class boundaries.
#' @param labels `length(cuts) + 1` class labels, from the lowest class up.
#'   By default they describe the intervals of `cuts`, such as `"<= 3500"`
#'   and `"> 3500"`.
#' @param right Are the classes closed on the right (a value equal to a cut
#'   in the class below)?
#' @param high_need `NULL`, or logical (or 0/1) per region: where `TRUE`,
#'   `high_need_cuts` apply.
#' @param high_need_cuts Increasing cuts for the regions with high need,
#'   one per element of `cuts`; required with `high_need`.
#' @param high_need_right `right` for `high_need_cuts`.
#' @return A factor with one class per region (levels `labels`).
#' @references Code of Federal Regulations, Title 42, Part 5, Appendix A:
#'   Criteria for designation of areas having shortages of primary medical
#'   care professional(s). US Health Resources and Services Administration
#'   (HRSA).
#' @seealso [classify()], [quadrant()], [coverage_bands()]
#' @export
#' @examples
#' per_fte <- c(2100, 3000, 3200, 3500, 4100, NA)
#' thresholds(per_fte, cuts = 3500)
#' thresholds(per_fte, cuts = c(2500, 3500),
#'            labels = c("well served", "tight", "shortage"))
#' # HPSA-like: at least 3,500, or more than 3,000 with high need
#' need <- c(TRUE, TRUE, TRUE, FALSE, FALSE, TRUE)
#' thresholds(per_fte, cuts = 3500, right = FALSE,
#'            high_need = need, high_need_cuts = 3000,
#'            high_need_right = TRUE,
#'            labels = c("no shortage", "shortage"))
thresholds <- function(x, cuts, labels = NULL, right = TRUE, high_need = NULL,
                       high_need_cuts = NULL, high_need_right = right) {
  call <- sys.call()
  if (missing(x)) {
    stop_spreiding("`x` is missing.", arg = "x", call = call)
  }
  if (missing(cuts)) {
    stop_spreiding(paste0("`cuts` is missing: give the class boundaries, ",
                          "such as `cuts = 3500`."), arg = "cuts", call = call)
  }
  x <- class_column(x, "x", call = call)
  n <- length(x)
  cuts <- class_check_cuts(cuts, "cuts", call)
  k <- length(cuts)
  right <- class_check_flag(right, "right", call)
  high_need_right <- class_check_flag(high_need_right, "high_need_right", call)
  if (is.null(labels)) {
    labels <- cut_labels(cuts, right)
  } else {
    labels <- class_check_labels(labels, k + 1,
                           paste0(k + 1, " classes for ", k, " cut",
                                  if (k > 1) "s"), call)
  }
  if (is.null(high_need)) {
    if (!is.null(high_need_cuts)) {
      stop_spreiding("`high_need_cuts` needs `high_need`, the regions they apply to.",
                     arg = "high_need_cuts", call = call)
    }
    need <- rep(0, n)
    need_cuts <- cuts
  } else {
    need <- class_column(high_need, "high_need", n, logical_ok = TRUE,
                         call = call)
    class_first_bad(!is.na(need) & need != 0 & need != 1, high_need, "high_need",
              "TRUE/FALSE (or 1/0)", call)
    if (is.null(high_need_cuts)) {
      stop_spreiding(paste0("`high_need` needs `high_need_cuts`: the cuts ",
                            "for the regions with high need, such as 3000."),
                     arg = "high_need_cuts", call = call)
    }
    need_cuts <- class_check_cuts(high_need_cuts, "high_need_cuts", call)
    if (length(need_cuts) != k) {
      stop_spreiding(paste0("`high_need_cuts` must have one cut per element ",
                            "of `cuts` (", k, "), not ", length(need_cuts),
                            "."), arg = "high_need_cuts", call = call)
    }
  }
  params <- c(k, right, high_need_right, cuts, need_cuts)
  new_classes(class_run_builtin("thresholds", list(x, need), params, k + 1L, call),
              labels)
}

cut_labels <- function(cuts, right) {
  f <- vapply(cuts, function(v) format(v, digits = 15, scientific = FALSE,
                                       trim = TRUE), character(1))
  k <- length(f)
  inner <- if (k > 1) {
    if (right) paste0("(", f[-k], ", ", f[-1], "]")
    else paste0("[", f[-k], ", ", f[-1], ")")
  }
  if (right) c(paste("<=", f[1]), inner, paste(">", f[k]))
  else c(paste("<", f[1]), inner, paste(">=", f[k]))
}

#' Coverage bands: under-, regular and oversupply
#'
#' The coverage ratio (German: Versorgungsgrad) is a region's actual GP
#' capacity over its target capacity, `actual / (target * age_factor)`;
#' `coverage_bands()` puts it into bands. The defaults are those of the
#' German needs-based planning of ambulatory care
#' (Bedarfsplanungs-Richtlinie): GP care is undersupplied below 75% and
#' oversupplied above 110% of the target.
#'
#' **Boundaries**: a ratio below `bands[1]` is in the first class; a ratio
#' equal to `bands[1]` is not below it, and a ratio equal to a later edge is
#' not above it. So with the defaults the classes are `[0, 0.75)`,
#' `[0.75, 1.10]` and `(1.10, Inf)`: exactly 75% and exactly 110% are both
#' "regular", following the wording of the Richtlinie (undersupply when the
#' GP ratio falls *more than* 25% below the target, oversupply when it
#' exceeds it by *more than* 10%). With more edges the inner classes are
#' right-closed: `[b1, b2], (b2, b3], ...`.
#'
#' **Target capacity** is the capacity a region should have, e.g. its
#' inhabitants over a norm of inhabitants per GP. Inside [classify()] it can
#' be written as an expression: `target = inhabitants / 1671`. (The
#' Richtlinie's general ratio for GPs was 1,671 inhabitants per GP after its
#' 2019 reform and 1,581 after a later update of its demand factor; use the
#' norm that fits your data, in FTE where `actual` is FTE.) `age_factor`
#' multiplies the target for regions whose population needs more care (as
#' the Richtlinie's demography and morbidity factor does), e.g. 1.08 for an
#' older region.
#'
#' **Missing values**: `NA` in any input gives `NA`, and so does a target of
#' 0. Negative capacities and targets and non-positive age factors are
#' errors.
#'
#' @param actual Actual capacity per region, e.g. GP FTE (non-negative).
#' @param target Target capacity per region, in the same unit
#'   (non-negative).
#' @param bands Increasing positive edges of the coverage ratio.
#' @param labels `length(bands) + 1` class labels, from the lowest ratio up.
#' @param age_factor `NULL` or a positive factor per region that multiplies
#'   `target`.
#' @return A factor with one class per region (levels `labels`).
#' @references Gemeinsamer Bundesausschuss: Richtlinie ueber die
#'   Bedarfsplanung sowie die Massstaebe zur Feststellung von Ueberversorgung
#'   und Unterversorgung in der vertragsaerztlichen Versorgung
#'   (Bedarfsplanungs-Richtlinie).
#' @seealso [classify()], [quadrant()], [thresholds()]
#' @export
#' @examples
#' fte <- c(60, 75, 100, 110, 130, NA)
#' coverage_bands(actual = fte, target = 100)
#' # target from inhabitants per GP, older regions need more
#' regions <- data.frame(fte = c(50, 80, 120), inhabitants = c(120000, 130000, 150000),
#'                       age = c(1.1, 1.0, 0.95))
#' classify(regions,
#'   coverage = coverage_bands(fte, target = inhabitants / 1671, age_factor = age))
coverage_bands <- function(actual, target, bands = c(0.75, 1.10),
                           labels = c("undersupplied", "regular",
                                      "oversupplied"),
                           age_factor = NULL) {
  call <- sys.call()
  if (missing(actual) || missing(target)) {
    arg <- if (missing(actual)) "actual" else "target"
    stop_spreiding(paste0("`", arg, "` is missing."), arg = arg, call = call)
  }
  actual <- class_column(actual, "actual", call = call)
  n <- length(actual)
  target <- class_column(target, "target", n, call = call)
  class_first_bad(!is.na(actual) & !(is.finite(actual) & actual >= 0), actual,
            "actual", "finite and non-negative", call)
  class_first_bad(!is.na(target) & !(is.finite(target) & target >= 0), target,
            "target", "finite and non-negative", call)
  if (is.null(age_factor)) {
    age <- rep(1, n)
  } else {
    age <- class_column(age_factor, "age_factor", n, call = call)
    class_first_bad(!is.na(age) & !(is.finite(age) & age > 0), age, "age_factor",
              "finite and positive", call)
  }
  bands <- class_check_cuts(bands, "bands", call, positive = TRUE)
  k <- length(bands)
  labels <- class_check_labels(labels, k + 1,
                         paste0(k + 1, " classes for ", k, " band edge",
                                if (k > 1) "s"), call)
  new_classes(class_run_builtin("coverage_bands", list(actual, target, age), bands,
                          k + 1L, call), labels)
}

# classifiers() shows the built-ins with their R signatures, not the packed
# parameters their kernels read.
frontend_signature <- function(name) {
  f <- formals(get(name, envir = asNamespace("spreiding"), inherits = FALSE))
  parts <- vapply(names(f), function(nm) {
    if (identical(f[[nm]], quote(expr = ))) return(nm)
    d <- f[[nm]]
    text <- deparse1(d)
    if (nchar(text) > 30 && is.call(d) && identical(d[[1]], as.name("c"))) {
      text <- paste0("c(", deparse1(d[[2]]), ", ...)")
    }
    paste(nm, "=", text)
  }, character(1))
  paste(parts, collapse = ", ")
}

with_frontend_signatures <- function(list) {
  at <- which(list$provider == "spreiding" &
                list$name %in% names(classifier_frontends))
  for (i in at) list$arguments[i] <- frontend_signature(list$name[i])
  list
}
