# The three plugin registries: statistics, classifiers, disclosure rules.
# They live in C (src/registry.c); these are the R doors to them.

registry_entry <- function(family, name) {
  .Call(C_spr_c_registry_get, family, name)
}

registry_list <- function(family) {
  x <- .Call(C_spr_c_registry_list, family)
  as.data.frame(x, stringsAsFactors = FALSE)
}

#' List the plugin registries
#'
#' The engine keeps three registries with the same mechanics: statistics
#' (used by [region_table()]), classifiers and disclosure rules. Each entry
#' is built in (provider `"spreiding"`), comes from another package's C code
#' through the API in `inst/include/spreiding.h` (provider: that package), or
#' is an R function registered with [register_statistic()] and friends
#' (provider `"R"`).
#'
#' @return A data frame with one row per entry and the columns `name`,
#'   `kind` (`"reducing"` or `"deriving"` for statistics, `"classifier"`,
#'   `"primary"` for disclosure rules), `arguments` (column arguments, then
#'   numeric parameters with their defaults; for the built-in classifiers
#'   the arguments of [quadrant()], [thresholds()] and [coverage_bands()]),
#'   `description` and `provider`.
#' @export
#' @examples
#' statistics()
#' classifiers()
#' disclosure_rules()
statistics <- function() registry_list("statistics")

#' @rdname statistics
#' @export
classifiers <- function() with_frontend_signatures(registry_list("classifiers"))

#' @rdname statistics
#' @export
disclosure_rules <- function() registry_list("disclosure_rules")

# Split the formals of an R plugin into column arguments (no default) and
# numeric parameters (with a numeric default).
plugin_formals <- function(fun, call) {
  f <- formals(fun)
  nms <- setdiff(names(f), c(".weights", "..."))
  no_default <- vapply(nms, function(n) identical(f[[n]], quote(expr = )),
                       logical(1))
  args <- nms[no_default]
  params <- nms[!no_default]
  defaults <- vapply(params, function(n) {
    v <- eval(f[[n]], environment(fun))
    if (!is.numeric(v) || length(v) != 1) {
      stop_spreiding(paste0("Parameter ", backtick(n), " of `fun` must have ",
                            "a single number as default (or no default, ",
                            "making it a column argument)."),
                     arg = "fun", call = call)
    }
    as.double(v)
  }, double(1))
  list(args = args, params = params, defaults = unname(defaults))
}

check_plugin_name <- function(name, call) {
  if (!is_string(name) || !grepl("^[A-Za-z][A-Za-z0-9._]{0,63}$", name)) {
    stop_spreiding(paste0("`name` must be a single name: a letter, then ",
                          "letters, digits, `.` or `_`."),
                   arg = "name", call = call)
  }
}

registry_add <- function(family, name, kind, fun, description, outputs,
                         levels, replace, call) {
  check_plugin_name(name, call)
  if (!is.function(fun)) {
    stop_spreiding("`fun` must be a function.", arg = "fun", call = call)
  }
  if (!is_string(description)) {
    stop_spreiding("`description` must be a single string.",
                   arg = "description", call = call)
  }
  if (!is.logical(replace) || length(replace) != 1 || is.na(replace)) {
    stop_spreiding("`replace` must be TRUE or FALSE.", arg = "replace",
                   call = call)
  }
  fm <- plugin_formals(fun, call)
  entry <- list(
    name = name, kind = kind, arguments = fm$args, params = fm$params,
    defaults = fm$defaults, outputs = outputs, description = description,
    provider = "R", flags = 0L, impl = fun, levels = as.character(levels)
  )
  with_call(.Call(C_spr_c_registry_add, family, entry, replace), call)
  invisible(name)
}

registry_remove <- function(family, name, call) {
  check_plugin_name(name, call)
  with_call(invisible(.Call(C_spr_c_registry_remove, family, name)), call)
}

#' Register a statistic written in R
#'
#' Adds an R function to the statistics registry, so that [region_table()]
#' can call it by name like a built-in.
#'
#' A **reducing** statistic is called once per group with the group's rows of
#' its column arguments (and, when [region_table()] has `.weights` and `fun`
#' has a `.weights` argument, the group's weights), and returns one number,
#' or one per element of `outputs`. A **deriving** statistic is called once
#' with whole group-level columns (earlier statistics or `.regions` columns)
#' and returns a vector with one value per group.
#'
#' Arguments of `fun` without a default are column arguments; arguments with
#' a numeric default are parameters, given as numbers in the call (e.g.
#' `trimmed(x, trim = 0.1)`).
#'
#' Built-in entries cannot be replaced or removed. C plugins from other
#' packages register through `inst/include/spreiding.h` instead.
#'
#' @param name Name to call the statistic by.
#' @param fun An R function, see Details.
#' @param kind `"reducing"` (rows of a group to one value) or `"deriving"`
#'   (group-level columns to a new column).
#' @param description One line shown by [statistics()].
#' @param outputs Suffixes of the result columns when `fun` returns more
#'   than one value per group, e.g. `c("_lo", "_hi")`; `""` for one.
#' @param replace Overwrite an entry of the same name registered earlier?
#' @return `name`, invisibly.
#' @seealso [statistics()], [region_table()]
#' @export
#' @examples
#' register_statistic("median_x", function(x) stats::median(x, na.rm = TRUE),
#'                    description = "Median of x")
#' d <- data.frame(g = c(1, 1, 2), x = c(1, 5, 3))
#' region_table(d, "g", med = median_x(x))
#' unregister_statistic("median_x")
register_statistic <- function(name, fun, kind = c("reducing", "deriving"),
                               description = "", outputs = "",
                               replace = FALSE) {
  call <- sys.call()
  kind <- arg_choice(kind, c("reducing", "deriving"), "kind", call)
  if (!is.character(outputs) || length(outputs) < 1 || anyNA(outputs) ||
      anyDuplicated(outputs)) {
    stop_spreiding("`outputs` must be distinct suffixes, such as `\"\"` or `c(\"_lo\", \"_hi\")`.",
                   arg = "outputs", call = call)
  }
  registry_add("statistics", name, kind, fun, description, outputs,
               character(), replace, call)
}

#' @rdname register_statistic
#' @return `unregister_statistic()`: `TRUE` if the entry was there, invisibly.
#' @export
unregister_statistic <- function(name) {
  registry_remove("statistics", name, sys.call())
}

#' Register a classifier or disclosure rule written in R
#'
#' Adds an R function to the classifier or disclosure-rule registry. A
#' classifier takes region-level columns and returns one class per region
#' (an integer code into `levels`, a character vector of labels or a factor
#' with those labels; `NA` for no class), and [classify()] calls it by name;
#' a primary disclosure rule takes a numeric vector of cell counts and
#' returns a logical vector, `TRUE` for the cells to suppress. Arguments with
#' a numeric default are parameters.
#'
#' @inheritParams register_statistic
#' @param levels The class labels, in order.
#' @return `name`, invisibly; the `unregister_*()` functions return `TRUE`
#'   if the entry was there, invisibly.
#' @seealso [classifiers()], [classify()], [disclosure_rules()]
#' @export
#' @examples
#' register_classifier("above_mean", function(x) ifelse(x > mean(x), 2L, 1L),
#'                     levels = c("at or below mean", "above mean"))
#' classifiers()
#' classify(data.frame(fte = c(2, 5, 11)), size = above_mean(fte))
#' unregister_classifier("above_mean")
register_classifier <- function(name, fun, levels, description = "",
                                replace = FALSE) {
  call <- sys.call()
  if (!is.character(levels) || length(levels) < 1 || anyNA(levels) ||
      anyDuplicated(levels)) {
    stop_spreiding("`levels` must be distinct class labels.", arg = "levels",
                   call = call)
  }
  registry_add("classifiers", name, "classifier", fun, description, "",
               levels, replace, call)
}

#' @rdname register_classifier
#' @export
unregister_classifier <- function(name) {
  registry_remove("classifiers", name, sys.call())
}

#' @rdname register_classifier
#' @export
register_disclosure_rule <- function(name, fun, description = "",
                                     replace = FALSE) {
  registry_add("disclosure_rules", name, "primary", fun, description, "",
               character(), replace, sys.call())
}

#' @rdname register_classifier
#' @export
unregister_disclosure_rule <- function(name) {
  registry_remove("disclosure_rules", name, sys.call())
}

#' Version of spreiding's C plugin API
#'
#' The version of the C API that `inst/include/spreiding.h` declares and the
#' installed package implements (`SPREIDING_API_VERSION`). A plugin package
#' compiled against another version must be reinstalled; its `.onLoad()` can
#' compare this number with the one it was built with.
#'
#' @return An integer.
#' @export
#' @examples
#' c_api_version()
c_api_version <- function() .Call(C_spr_c_api_version)
