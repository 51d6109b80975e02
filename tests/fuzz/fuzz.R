# Fuzz driver for every exported function of spreiding.
#
#   Rscript tests/fuzz/fuzz.R [calls] [seed]     (make fuzz: 10,000 calls)
#
# Each call takes a valid argument list for one exported function (cases.R)
# and breaks it: one or two arguments replaced by odd values (wrong types,
# NA, NaN/Inf, huge and negative numbers, empty and duplicated names, UTF-8
# and Latin-1 strings, dates, list columns, long strings), a data frame
# argument mutated (zero rows, one row, all NA, a column swapped for an odd
# one, duplicated or empty names, ...), an argument dropped, an expression
# argument replaced by an odd one, or a geometry argument replaced by a
# corrupt or empty file or an invalid polygon layer (generators.R). Calls run
# in this process, so a crash in C stops the run.
#
# Some calls (3%) run under a time limit of a few milliseconds, which R
# checks at every interrupt check: they stop part-way, as a user's Ctrl-C
# would stop them, and the calls after them must still work.
#
# Outcomes: "ok" (a value came back), "spreiding_error" (a classed error that
# names an argument of the function, in its `arg` field or in its message),
# "interrupted" (stopped by the time limit), and "other": any other error (base R, unclassed, internal, or classed but
# naming no argument), or a call that ran past the time limit. Any "other"
# is a finding: fuzz_main() prints them and exits non-zero.

fuzz_dir <- function() {
  args <- commandArgs(trailingOnly = FALSE)
  file <- sub("^--file=", "", args[grepl("^--file=", args)])
  if (length(file)) return(dirname(normalizePath(file[1])))
  if (!is.null(sys.frame(1)$ofile)) return(dirname(sys.frame(1)$ofile))
  "tests/fuzz"
}

# Does condition `e` name one of `args`?
fuzz_names_arg <- function(e, args) {
  if (!is.null(e$arg) && length(e$arg) == 1 && !is.na(e$arg) &&
      nzchar(e$arg)) {
    return(TRUE)
  }
  msg <- conditionMessage(e)
  any(vapply(args, function(a) grepl(paste0("`", a, "`"), msg, fixed = TRUE) ||
               grepl(a, msg, fixed = TRUE), NA))
}

fuzz_classify <- function(e, args) {
  if (inherits(e, "spreiding_internal_error")) return("other")
  if (inherits(e, "spreiding_error") && fuzz_names_arg(e, args)) {
    return("spreiding_error")
  }
  "other"
}

# Build one mutated call of `case`; returns list(args, what).
fuzz_mutate <- function(case, fname) {
  args <- case$args()
  what <- "valid"
  if (length(args) == 0) return(list(args = args, what = what))
  n_mut <- if (stats::runif(1) < 0.2) 2L else 1L
  for (m in seq_len(n_mut)) {
    # any argument: those of the valid call, and those left at their default
    pool <- setdiff(union(names(args), case$optional), case$fixed)
    if (length(pool) == 0) break
    a <- pool[sample.int(length(pool), 1L)]
    r <- stats::runif(1)
    if (a %in% case$nse && r < 0.6) {
      args[[a]] <- sample(case$nse_odd, 1L)[[1]]
      what <- c(what, paste0(a, "=expr:", deparse(args[[a]])[1]))
    } else if (a %in% names(case$odd) && r < 0.5) {
      k <- sample.int(length(case$odd[[a]]), 1L)
      args[a] <- list(case$odd[[a]][[k]])
      what <- c(what, paste0(a, "=geometry:", names(case$odd[[a]])[k]))
    } else if (is.data.frame(args[[a]]) && !inherits(args[[a]], "sf") &&
               r < 0.7) {
      f <- fuzz_frame(args[[a]])
      args[a] <- list(f$value)
      what <- c(what, paste0(a, "=frame:", f$kind))
    } else if (r < 0.9) {
      n <- if (is.data.frame(args[[a]])) nrow(args[[a]]) else
        max(1L, length(args[[a]]))
      v <- fuzz_value(n)
      args[a] <- list(v$value)
      what <- c(what, paste0(a, "=", v$kind))
    } else if (!a %in% case$required && a %in% names(args)) {
      # only arguments with a default are left out: leaving out one without
      # is R's own "argument is missing" error
      args[[a]] <- NULL
      what <- c(what, paste0(a, "=dropped"))
    }
  }
  list(args = args, what = paste(what[-1], collapse = " "))
}

# Run one call; returns list(outcome, message). `valid`, when given, is a
# predicate a returned value must satisfy.
fuzz_call <- function(fname, args, valid = NULL, time_limit = 20,
                      interrupt = FALSE) {
  fun <- getExportedValue("spreiding", fname)
  formals_names <- setdiff(names(formals(fun)), "...")
  arg_names <- unique(c(formals_names, names(args), "...", "data", "x"))
  arg_names <- arg_names[nzchar(arg_names)]
  where <- ""
  res <- tryCatch({
    setTimeLimit(elapsed = time_limit, transient = TRUE)
    on.exit(setTimeLimit(elapsed = Inf), add = TRUE)
    out <- withCallingHandlers(
      utils::capture.output(val <- do.call(fun, args)),
      warning = function(w) invokeRestart("muffleWarning"),
      message = function(m) invokeRestart("muffleMessage"),
      error = function(e) {
        if (!inherits(e, "spreiding_error")) {
          calls <- vapply(sys.calls(), function(cl) deparse(cl[[1]])[1], "")
          where <<- paste(utils::tail(calls[!grepl("^(function|tryCatch|withCallingHandlers|do.call|doTryCatch|tryCatchList|tryCatchOne|h|<Anonymous>|stop|.handleSimpleError|capture.output|withVisible|eval|\\(|evalq)", calls)], 4),
                          collapse = " > ")
        }
      }
    )
    if (!is.null(valid) && !isTRUE(valid(val))) {
      list(outcome = "other", message = "returned an invalid value")
    } else {
      list(outcome = "ok", message = "")
    }
  }, error = function(e) {
    # the limit is still set while a handler runs: lift it first
    setTimeLimit(elapsed = Inf)
    if (interrupt && grepl("time limit", conditionMessage(e))) {
      return(list(outcome = "interrupted", message = ""))
    }
    list(outcome = fuzz_classify(e, arg_names),
         message = paste0("[", paste(class(e), collapse = "/"), "] ",
                          conditionMessage(e),
                          if (nzchar(where)) paste0(" {", where, "}")))
  }, interrupt = function(i) {
    setTimeLimit(elapsed = Inf)
    list(outcome = "other", message = "interrupt")
  })
  setTimeLimit(elapsed = Inf)
  res
}

# Run `calls` fuzzed calls with seed `seed`. Returns a data frame with one
# row per call (function, mutation, outcome, message).
fuzz_run <- function(calls = 10000, seed = 20251123, dir = tempfile("fuzz"),
                     verbose = FALSE, functions = NULL, trace = NULL) {
  old_seed <- if (exists(".Random.seed", globalenv())) get(".Random.seed", globalenv())
  on.exit(if (!is.null(old_seed)) assign(".Random.seed", old_seed, globalenv()),
          add = TRUE)
  set.seed(seed)
  # a call that runs past 20 s is a finding; valgrind runs everything some
  # 50 times slower
  slow <- if (Sys.getenv("SPREIDING_SANITIZER") == "valgrind") 30 else 1
  ctx <- fuzz_context(dir)
  cases <- fuzz_cases(ctx)
  frames <- c("aggregate_small", "classify", "disclose", "expand_answers",
              "link_cohort", "link_register", "linkage_report",
              "origin_at_age", "publish",
              "region_crosswalk", "region_table", "statistics",
              "classifiers", "disclosure_rules")
  for (f in intersect(frames, names(cases))) cases[[f]]$valid <- is.data.frame
  for (f in names(cases)) {
    fm <- formals(getExportedValue("spreiding", f))
    cases[[f]]$required <- names(fm)[vapply(fm, function(v)
      is.symbol(v) && !nzchar(as.character(v)), NA)]
    cases[[f]]$optional <- setdiff(names(fm), c(cases[[f]]$required, "..."))
  }
  if (!is.null(functions)) cases <- cases[functions]
  exported <- getNamespaceExports("spreiding")
  exported <- exported[vapply(exported, function(f)
    is.function(getExportedValue("spreiding", f)), NA)]
  missing <- setdiff(exported, names(cases))
  if (is.null(functions) && length(missing)) {
    stop("no fuzz case for exported function(s): ",
         paste(missing, collapse = ", "))
  }
  weights <- vapply(cases, function(c) if (is.null(c$weight)) 1 else c$weight, 1)
  picks <- sample(names(cases), calls, replace = TRUE, prob = weights)
  out <- data.frame(fun = picks, what = "", outcome = "", message = "",
                    stringsAsFactors = FALSE)
  for (i in seq_len(calls)) {
    fname <- picks[i]
    case <- cases[[fname]]
    mut <- fuzz_mutate(case, fname)
    if (!is.null(trace)) {
      writeLines(paste0(fname, ": ", mut$what), trace)
    }
    interrupt <- stats::runif(1) < 0.03
    res <- fuzz_call(fname, mut$args, case$valid,
                     time_limit = if (interrupt) 0.005 else slow * 20,
                     interrupt = interrupt)
    if (fname %in% c("register_classifier", "register_statistic",
                     "register_disclosure_rule") && res$outcome == "ok") {
      un <- getExportedValue("spreiding", sub("^register", "unregister", fname))
      try(un(mut$args$name), silent = TRUE)
    }
    out$what[i] <- mut$what
    out$outcome[i] <- res$outcome
    out$message[i] <- tryCatch(substr(res$message, 1, 300), error = function(e)
      substr(iconv(res$message, "latin1", "UTF-8"), 1, 300))
    if (verbose && res$outcome == "other") {
      cat(sprintf("OTHER %s(%s): %s\n", fname, mut$what, out$message[i]))
    }
  }
  unlink(dir, recursive = TRUE)
  out
}

fuzz_summary <- function(res) {
  tab <- table(factor(res$fun),
               factor(res$outcome, levels = c("ok", "spreiding_error",
                                              "interrupted", "other")))
  tab <- cbind(as.data.frame.matrix(tab), total = rowSums(tab))
  rbind(tab, total = colSums(tab))
}

fuzz_main <- function() {
  args <- commandArgs(trailingOnly = TRUE)
  calls <- if (length(args) >= 1) as.integer(args[1]) else 10000L
  seed <- if (length(args) >= 2) as.integer(args[2]) else 20251123L
  t0 <- proc.time()[["elapsed"]]
  # the call under way is written to this file first, so that a crash (which
  # ends the process) leaves the call that caused it behind
  trace <- file.path(tempdir(), "fuzz-last-call.txt")
  trace <- Sys.getenv("SPREIDING_FUZZ_TRACE", trace)
  res <- fuzz_run(calls, seed, verbose = TRUE, trace = trace)
  print(fuzz_summary(res))
  cat(sprintf("%d calls, seed %d, %.0f s\n", calls, seed,
              proc.time()[["elapsed"]] - t0))
  bad <- res[res$outcome == "other", ]
  if (nrow(bad)) {
    cat("\nFINDINGS (outcome other):\n")
    agg <- stats::aggregate(list(calls = bad$fun),
                            list(fun = bad$fun, message = substr(bad$message, 1, 120)),
                            length)
    print(agg, right = FALSE)
    quit(status = 1)
  }
}

if (!exists("fuzz_here", inherits = FALSE)) fuzz_here <- fuzz_dir()
source(file.path(fuzz_here, "generators.R"))
source(file.path(fuzz_here, "cases.R"))

if (sys.nframe() == 0L && !interactive()) {
  suppressPackageStartupMessages(library(spreiding))
  fuzz_main()
}
