# The C plugin API (inst/include/spreiding.h) is proved by a real consumer:
# tests/plugin holds spreidingplugin, a tiny package that registers two
# statistics, two classifiers and a disclosure rule from C using nothing but
# the installed header. These tests build and install it into a temporary
# library, load it, and use its entries through spreiding's own functions.

plugin_name <- "spreidingplugin"
plugin_state <- new.env(parent = emptyenv())

# Installs a plugin package (by default tests/plugin) into a temporary
# library, once per session, and returns that library. Skips where a
# package cannot be built.
plugin_library <- function(name = plugin_name,
                           source_dir = testthat::test_path("..", "plugin")) {
  state <- plugin_state[[name]]
  if (is.null(state)) state <- plugin_state[[name]] <- new.env()
  skip_on_cran()
  skip_if_not_installed("withr")
  if (!is.null(state$error)) stop(state$error, call. = FALSE)
  if (!is.null(state$lib)) return(state$lib)

  r <- file.path(R.home("bin"), "R")
  skip_if_not(
    file.exists(r) || file.exists(paste0(r, ".exe")),
    "R CMD INSTALL is not available"
  )
  cc <- suppressWarnings(tryCatch(
    system2(r, c("CMD", "config", "CC"), stdout = TRUE, stderr = TRUE),
    error = function(e) ""
  ))
  cc <- strsplit(trimws(paste(cc, collapse = " ")), "[[:space:]]+")[[1]][1]
  skip_if(is.na(cc) || !nzchar(Sys.which(cc)), "no C compiler for R CMD INSTALL")
  # LinkingTo needs the installed headers, not a load_all() of the sources.
  installed <- find.package("spreiding", lib.loc = .libPaths(), quiet = TRUE)
  skip_if(
    length(installed) == 0L ||
      !file.exists(file.path(installed[1], "include", "spreiding.h")),
    "spreiding is not installed with its headers"
  )
  skip_if_not(
    file.exists(file.path(source_dir, "DESCRIPTION")),
    paste("the sources of", name, "are not available")
  )

  # Build from a copy so that no object files land in the source tree.
  build_dir <- tempfile(paste0(name, "-src-"))
  dir.create(build_dir)
  file.copy(source_dir, build_dir, recursive = TRUE)
  path <- file.path(build_dir, name)
  file.rename(file.path(build_dir, basename(source_dir)), path)
  unlink(list.files(
    file.path(path, "src"), "[.](o|so|dll)$", full.names = TRUE
  ))

  lib <- tempfile(paste0(name, "-lib-"))
  dir.create(lib)
  libs <- paste(c(lib, .libPaths()), collapse = .Platform$path.sep)
  # The child R finds spreiding (for LinkingTo) through R_LIBS; R_TESTS
  # would point it at R CMD check's startup file. Set in the environment
  # rather than with system2(env = ), which Windows ignores.
  out <- withr::with_envvar(
    c(R_LIBS = libs, R_TESTS = ""),
    suppressWarnings(system2(
      r,
      c("CMD", "INSTALL", "--no-test-load", "-l", shQuote(lib), shQuote(path)),
      stdout = TRUE, stderr = TRUE
    ))
  )
  status <- attr(out, "status")
  if (!is.null(status) && status != 0L) {
    state$error <- paste0(
      "R CMD INSTALL of ", name, " failed (status ", status, "):\n",
      paste(out, collapse = "\n")
    )
    stop(state$error, call. = FALSE)
  }
  state$lib <- lib
  lib
}

# Attaches the plugin for the calling test and unloads it (running its
# .onUnload, which unregisters its entries) when the test ends.
local_plugin <- function(env = parent.frame()) {
  lib <- plugin_library()
  withr::defer(
    if (isNamespaceLoaded(plugin_name)) unloadNamespace(plugin_name),
    envir = env
  )
  library(plugin_name, lib.loc = lib, character.only = TRUE)
  invisible(lib)
}

entry <- function(registry, name) registry[registry$name == name, ]

test_that("the plugin binds to the engine's API version", {
  local_plugin()
  versions <- .Call(get(
    "spreidingplugin_c_api_versions",
    envir = asNamespace(plugin_name)
  ))
  expect_equal(versions[["engine"]], versions[["compiled"]])
  # ... which is the version the installed header declares.
  header <- readLines(file.path(
    find.package("spreiding", lib.loc = .libPaths())[1], "include",
    "spreiding.h"
  ))
  declared <- sub(
    "^#define SPREIDING_API_VERSION[[:space:]]+([0-9]+).*$", "\\1",
    grep("^#define SPREIDING_API_VERSION[[:space:]]", header, value = TRUE)
  )
  expect_equal(versions[["engine"]], as.integer(declared))
})

test_that("the plugin's entries are listed in spreiding's registries", {
  local_plugin()

  stats <- spreiding::statistics()
  expect_s3_class(stats, "data.frame")
  expect_true(all(
    c("name", "kind", "arguments", "description", "provider") %in% names(stats)
  ))
  geomean <- entry(stats, "geomean")
  expect_equal(nrow(geomean), 1L)
  expect_equal(geomean$kind, "reducing")
  expect_equal(geomean$provider, "spreidingplugin")
  expect_match(geomean$arguments, "x")
  logratio <- entry(stats, "logratio")
  expect_equal(nrow(logratio), 1L)
  expect_equal(logratio$kind, "deriving")
  expect_equal(logratio$provider, "spreidingplugin")
  expect_match(logratio$arguments, "a.*b")

  above <- entry(spreiding::classifiers(), "above")
  expect_equal(nrow(above), 1L)
  expect_equal(above$provider, "spreidingplugin")
  max_count <- entry(spreiding::disclosure_rules(), "max_count")
  expect_equal(nrow(max_count), 1L)
  expect_equal(max_count$provider, "spreidingplugin")

  # The plugin's own view, through spreiding's exported R functions.
  provided <- get("provided", envir = asNamespace(plugin_name))()
  expect_equal(
    provided[c("registry", "name")],
    data.frame(
      registry = c("statistics", "statistics", "classifiers",
                   "classifiers", "disclosure_rules"),
      name = c("geomean", "logratio", "above", "share_band", "max_count")
    )
  )
  expect_equal(provided$kind[1:2], c("reducing", "deriving"))
})

test_that("unloading the plugin unregisters its entries; loading restores them", {
  local_plugin()
  unloadNamespace(plugin_name)
  expect_false("geomean" %in% spreiding::statistics()$name)
  expect_false("logratio" %in% spreiding::statistics()$name)
  expect_false("above" %in% spreiding::classifiers()$name)
  expect_false("share_band" %in% spreiding::classifiers()$name)
  expect_false("max_count" %in% spreiding::disclosure_rules()$name)

  # Registering again (replace = 1 in the plugin) after a reload works too.
  local_plugin()
  expect_true("geomean" %in% spreiding::statistics()$name)
  expect_true("max_count" %in% spreiding::disclosure_rules()$name)
})

test_that("geomean() and logratio() match arithmetic done by hand", {
  local_plugin()
  d <- data.frame(
    g = c("a", "b", "a", "c", "b", "a", "c"),
    x = c(2, 8, 8, NA, 0.5, NA, NA)
  )
  res <- spreiding::region_table(
    d, "g",
    gm = geomean(x), s = sum(x), n = count(), lr = logratio(s, n),
    .regions = c("a", "b", "c", "d")
  )
  expect_equal(res$g, c("a", "b", "c", "d"))
  # a: 2, 8 and a missing value; b: 8, 0.5; c: only missing; d: no rows.
  expect_equal(res$gm, c(exp(mean(log(c(2, 8)))), exp(mean(log(c(8, 0.5)))),
                         NA, NA))
  expect_equal(res$gm[1:2], c(4, 2))
  expect_equal(res$s, c(10, 8.5, 0, 0))
  expect_equal(res$n, c(3, 2, 2, 0))
  # c and d: the sum is not positive, so the log ratio is undefined.
  expect_equal(res$lr, c(log(10 / 3), log(8.5 / 2), NA, NA))
})

test_that("geomean() reads integer columns and uses case weights", {
  local_plugin()
  d <- data.frame(
    g = c("a", "a", "b", "b", "b", "c", "e"),
    x = c(1L, 27L, 4L, NA, 16L, NA, 5L),
    w = c(2, 1, 0.5, 3, 1.5, 1, 0)
  )
  res <- spreiding::region_table(
    d, "g",
    gm = geomean(x), s = sum(x), n = count(), lr = logratio(s, n),
    .regions = c("a", "b", "c", "d", "e"), .weights = "w"
  )
  expect_equal(res$g, c("a", "b", "c", "d", "e"))
  # exp(sum(w log x) / sum(w)) over the rows where x is present:
  # a: (2 log 1 + 1 log 27) / 3 = log 3; b: (0.5 log 4 + 1.5 log 16) / 2
  # = 3.5 log 2; c: no values; d: no rows; e: only a zero weight.
  expect_equal(res$gm, c(3, 2^3.5, NA, NA, NA))
  expect_equal(res$s, c(2 * 1 + 1 * 27, 0.5 * 4 + 1.5 * 16, 0, 0, 0))
  expect_equal(res$n, c(3, 5, 1, 0, 0))
  expect_equal(res$lr, c(log(29 / 3), log(26 / 5), NA, NA, NA))
})

test_that("logratio() is NA, never Inf or NaN, where it is undefined", {
  local_plugin()
  d <- data.frame(
    g = c("a", "b", "c", "d", "e"),
    y = c(1e300, -2, 3, NA, 6),
    z = c(1e-300, 4, 0, 5, 3)
  )
  res <- spreiding::region_table(
    d, "g", a = sum(y), b = sum(z), lr = logratio(a, b)
  )
  expect_equal(res$g, c("a", "b", "c", "d", "e"))
  # a: a / b overflows, its log does not; b: a < 0; c: b = 0; d: a = 0.
  expect_equal(res$lr, c(600 * log(10), NA, NA, NA, log(2)))
})

test_that("geomean() runs over many rows, across interrupt checks", {
  local_plugin()
  n <- 200000L
  g <- rep(c("p", "q", "r"), length.out = n)
  x <- 0.5 + (seq_len(n) %% 97) / 10
  x[seq(5, n, by = 1001)] <- NA
  res <- spreiding::region_table(
    data.frame(g = g, x = x), "g", gm = geomean(x)
  )
  by_hand <- vapply(
    c("p", "q", "r"),
    function(r) exp(mean(log(x[g == r]), na.rm = TRUE)),
    numeric(1), USE.NAMES = FALSE
  )
  expect_equal(res$gm[match(c("p", "q", "r"), res$g)], by_hand)
})

test_that("geomean() of a value <= 0 is a spreiding_error naming the row", {
  local_plugin()
  d <- data.frame(g = c("a", "a", "b", "b", "b"), x = c(2, 3, 1, -7, 0))
  cnd <- expect_error(
    spreiding::region_table(d, "g", gm = geomean(x)),
    class = "spreiding_error"
  )
  expect_equal(cnd$row, 4L)
  expect_equal(cnd$arg, "x")
  expect_match(conditionMessage(cnd), "\\b4\\b")
  expect_match(conditionMessage(cnd), "-7", fixed = TRUE)

  # Rows are the user's rows, also when rows of other groups come first.
  d <- data.frame(
    g = c("z", "a", "z", NA, "b", "b"),
    x = c(1, 2, 3, 4, -5, 6)
  )
  cnd <- expect_error(
    spreiding::region_table(d, "g", gm = geomean(x), .regions = c("a", "b")),
    class = "spreiding_error"
  )
  expect_equal(cnd$row, 5L)
  expect_match(conditionMessage(cnd), "\\b5\\b")

  d <- data.frame(g = c("a", "b", "a", "b"), x = c(5L, 2L, 0L, 1L))
  cnd <- expect_error(
    spreiding::region_table(d, "g", gm = geomean(x)),
    class = "spreiding_error"
  )
  expect_equal(cnd$row, 3L)
  expect_match(conditionMessage(cnd), "\\b3\\b")
})

test_that("the C rule max_count() suppresses in disclose() and gets complements", {
  local_plugin()
  # areas a..d and their total 4 + 150 + 30 + 40 = 224: min_count(10)
  # hides the 4, max_count(n = 100) the 150 and the total 224. The one
  # relation 224 = 4 + 150 + 30 + 40 then has three hidden cells; the 4
  # stays anywhere in [1, 9] (224 - 150 = 74 is not published), so no
  # complement is needed.
  d <- data.frame(area = c("a", "b", "c", "d"), n = c(4, 150, 30, 40))
  out <- spreiding::disclose(
    d, "n",
    rules = list(spreiding::min_count(10),
                 spreiding::disclosure_rule("max_count", n = 100)),
    audit = FALSE
  )
  expect_equal(as.character(out$n_status),
               c("primary", "primary", "ok", "ok", "primary"))
  expect_equal(out$n, c(NA, NA, 30, 40, NA))
})

test_that("the C classifiers above() and share_band() work in classify()", {
  local_plugin()
  sb <- entry(spreiding::classifiers(), "share_band")
  expect_equal(sb$kind, "classifier")
  expect_equal(sb$provider, "spreidingplugin")
  expect_equal(sb$arguments, "part, whole, lo = 0.25, hi = 0.75")

  tab <- data.frame(
    region = c("a", "b", "c", "d", "e", "f"),
    gps = c(1, 5, 9, 3, NA, 0),
    all = c(10, 10, 10, 4, 10, 0)
  )
  out <- spreiding::classify(tab,
    band = share_band(gps, all),
    narrow = share_band(gps, all, lo = 0.5, hi = 0.5),
    big = above(all, cut = 9)
  )
  # shares: a 0.1, b 0.5, c 0.9, d 0.75, e NA (gps missing), f NA (all 0).
  # Default band [0.25, 0.75]: a below, b within, c above, d within (the
  # upper edge is inside). Band [0.5, 0.5]: only b within.
  expect_s3_class(out$band, "factor")
  expect_equal(levels(out$band), c("below", "within", "above"))
  expect_equal(as.character(out$band),
               c("below", "within", "above", "within", NA, NA))
  expect_equal(as.character(out$narrow),
               c("below", "within", "above", "above", NA, NA))
  # above(): all > 9 is "yes", 4 and 0 are "no".
  expect_equal(levels(out$big), c("no", "yes"))
  expect_equal(as.character(out$big), c("yes", "yes", "yes", "no", "yes", "no"))
  # an expression of columns as a column argument
  out2 <- spreiding::classify(tab, band = share_band(gps, all * 2))
  # shares halved: 0.05, 0.25, 0.45, 0.375, NA, NA
  expect_equal(as.character(out2$band),
               c("below", "within", "within", "within", NA, NA))
})

test_that("a C classifier's errors are spreiding_errors naming the argument and row", {
  local_plugin()
  tab <- data.frame(gps = c(1, 12, 3), all = c(10, 10, 10))
  cnd <- expect_error(
    spreiding::classify(tab, band = share_band(gps, all)),
    class = "spreiding_error"
  )
  expect_equal(cnd$arg, "part")
  expect_equal(cnd$row, 2L)
  expect_match(conditionMessage(cnd), "share_band", fixed = TRUE)
  expect_match(conditionMessage(cnd), "row 2", fixed = TRUE)
  cnd <- expect_error(
    spreiding::classify(tab, band = share_band(gps, all, lo = 0.9, hi = 0.1)),
    class = "spreiding_error"
  )
  expect_match(conditionMessage(cnd), "lo <= hi", fixed = TRUE)
  expect_error(spreiding::classify(tab, band = share_band(gps)),
               class = "spreiding_error")
  expect_error(spreiding::classify(tab, band = share_band(gps, all, lo = "a")),
               class = "spreiding_error")
})

# ---- the example package of the "Writing a plugin" vignette -----------------

# inst/examples/spreidingextra is shown in full in the vignette; building it
# here proves that what the vignette shows compiles and works.
# (named through a variable: R CMD check would look a literal up on CRAN)
extra_name <- "spreidingextra"

local_extra <- function(env = parent.frame()) {
  lib <- plugin_library(
    extra_name,
    system.file("examples", extra_name, package = "spreiding")
  )
  withr::defer(
    if (isNamespaceLoaded(extra_name)) unloadNamespace(extra_name),
    envir = env
  )
  library(extra_name, lib.loc = lib, character.only = TRUE)
  invisible(lib)
}

test_that("the vignette's C plugins compute what their R versions do", {
  local_extra()
  practices <- data.frame(
    region = c("a", "a", "a", "b", "c", "c", "d"),
    fte = c(1.5, 4.0, 2.5, 3.0, 6.5, 0.4, NA)
  )
  tab <- region_table(practices, "region", fte = sum(fte), top1 = max(fte),
                      top2 = second_largest(fte))
  # by hand: a -> 2.5 (of 4.0, 2.5, 1.5); b has one value -> 0; c -> 0.4;
  # d has none -> NA
  expect_equal(tab$top2, c(2.5, 0, 0.4, NA))

  # relative_band(): the mean of 8, 3, 6.9 is 5.966...; 8 > 1.1 * mean,
  # 3 < 0.9 * mean, 6.9 > 6.563 (1.1 * mean), so "above" as well
  cls <- classify(tab[1:3, ], band = relative_band(fte))
  expect_identical(as.character(cls$band),
                   c("above the mean", "below the mean", "above the mean"))
  cls <- classify(tab[1:3, ], band = relative_band(fte, above = 1.2))
  expect_identical(as.character(cls$band)[3], "around the mean")
  e <- tryCatch(classify(tab, band = relative_band(fte, below = 2)),
                spreiding_error = function(e) e)
  expect_s3_class(e, "spreiding_error")
  expect_match(conditionMessage(e), "`below` (2)", fixed = TRUE)

  # p_percent(): c has 6.9 - 6.5 - 0.4 = 0 < 10% of 6.5, so it is primary;
  # a has 8 - 4 - 2.5 = 1.5 >= 0.4; b has 3 - 3 - 0 = 0 < 0.3
  cells <- tab[1:3, c("region", "fte", "top1", "top2")]
  out <- disclose(cells, "fte", audit = FALSE, rules = list(
    disclosure_rule("p_percent", top1 = "top1", top2 = "top2", p = 10)
  ))
  st <- as.character(out$fte_status)
  expect_identical(st[2:3], c("primary", "primary"))
  p_rule <- function(x, t1, t2, p) x > 0 & x - t1 - t2 < p / 100 * t1
  expect_identical(st[1:3] == "primary",
                   p_rule(cells$fte, cells$top1, cells$top2, 10))

  e <- tryCatch(region_table(data.frame(g = 1, x = -1), "g",
                             s = second_largest(x)),
                spreiding_error = function(e) e)
  expect_s3_class(e, "spreiding_error")
  expect_match(conditionMessage(e), "at least 0")
})

test_that("unloading the vignette's example package unregisters its plugins", {
  local_extra()
  expect_true("p_percent" %in% disclosure_rules()$name)
  unloadNamespace(extra_name)
  expect_false("second_largest" %in% statistics()$name)
  expect_false("relative_band" %in% classifiers()$name)
  expect_false("p_percent" %in% disclosure_rules()$name)
})
