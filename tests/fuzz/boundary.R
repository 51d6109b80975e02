# Fuzzing the C boundary: every registered .Call routine of spreiding is
# called with the right number of arguments, each an odd R object (NULL,
# NA, wrong types, empty and short lists, data frames, environments,
# functions, large and negative integers; not sizes so large that a
# routine would rightly allocate gigabytes for them). R code never calls them so; the
# point is that the checks at the C boundary turn anything into an R error
# and nothing crashes the process. Errors are expected and ignored: only a
# crash (the process dying) is a finding.
#
#   Rscript tests/fuzz/boundary.R [calls] [seed]      (make fuzz: 20,000)
#
# The routine under way is written to $SPREIDING_FUZZ_TRACE (default
# $TMPDIR/fuzz-boundary-last-call.txt) first, so a crash leaves it behind.
# The registry routines that add and remove entries are left out (they
# would change the registries of the session).

boundary_values <- function() {
  list(NULL, NA, 1L, -1L, 0L, 1.5, NaN, -Inf, "a", c("a", NA), "",
       list(), list(1, "a"), list(list(1)), list(NULL, NULL, NULL, NULL),
       integer(0), 1:3, c(1, 2, 3), TRUE, data.frame(x = 1),
       data.frame(a = 1:2, b = c("x", "y")), quote(x), new.env(),
       matrix(1, 2, 2), -.Machine$integer.max, 1e6,
       as.raw(1:16), function() 1, list(1L, 2L, 3L, 4L, 5L),
       list(integer(0), integer(0), integer(0), NULL, NULL))
}

boundary_run <- function(calls = 20000, seed = 1, trace = NULL) {
  set.seed(seed)
  routines <- getDLLRegisteredRoutines("spreiding")$.Call
  routines <- routines[!names(routines) %in%
                         c("spr_c_registry_add", "spr_c_registry_remove")]
  ns <- asNamespace("spreiding")
  vals <- boundary_values()
  counts <- stats::setNames(integer(length(routines)), names(routines))
  for (i in seq_len(calls)) {
    k <- sample.int(length(routines), 1L)
    name <- names(routines)[k]
    nargs <- routines[[k]]$numParameters
    args <- lapply(seq_len(nargs), function(j) vals[[sample.int(length(vals), 1L)]])
    if (!is.null(trace)) {
      writeLines(paste0(name, "(", paste(vapply(args, function(a)
        paste(class(a), collapse = "/"), ""), collapse = ", "), ")"), trace)
    }
    sym <- get(paste0("C_", name), ns)
    try(suppressWarnings(utils::capture.output(do.call(.Call, c(list(sym), args)))),
        silent = TRUE)
    counts[name] <- counts[name] + 1L
  }
  counts
}

if (sys.nframe() == 0L && !interactive()) {
  suppressPackageStartupMessages(library(spreiding))
  args <- commandArgs(trailingOnly = TRUE)
  calls <- if (length(args) >= 1) as.integer(args[1]) else 20000L
  seed <- if (length(args) >= 2) as.integer(args[2]) else 1L
  trace <- Sys.getenv("SPREIDING_FUZZ_TRACE",
                      file.path(tempdir(), "fuzz-boundary-last-call.txt"))
  t0 <- proc.time()[["elapsed"]]
  counts <- boundary_run(calls, seed, trace)
  print(data.frame(calls = counts))
  cat(sprintf("C boundary: %d calls to %d routines, seed %d, no crash, %.0f s\n",
              calls, length(counts), seed, proc.time()[["elapsed"]] - t0))
}
