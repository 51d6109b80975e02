# Helpers shared by the benchmarks in bench/: each script sources this file
# (it only defines functions, so running it alone does nothing).

# Bytes of a field of /proc/self/status (VmRSS, VmHWM); NA off Linux.
proc_bytes <- function(field) {
  if (!file.exists("/proc/self/status")) return(NA_real_)
  line <- grep(paste0("^", field, ":"), readLines("/proc/self/status"),
               value = TRUE)
  if (!length(line)) return(NA_real_)
  as.numeric(gsub("[^0-9]", "", line)) * 1024
}

# Reset the resident-set peak (VmHWM) so a later read measures one call;
# FALSE where the kernel does not allow it.
reset_peak <- function() {
  tryCatch({
    cat("5\n", file = "/proc/self/clear_refs")
    TRUE
  }, error = function(e) FALSE, warning = function(w) FALSE)
}

# Without the bench package: R-allocated bytes of one call of f(...)
# (Rprofmem) and the elapsed times of `iterations` calls.
mark_fallback <- function(f, iterations = 5L, ...) {
  prof <- tempfile()
  utils::Rprofmem(prof, threshold = 0)
  invisible(f(...))
  utils::Rprofmem(NULL)
  lines <- readLines(prof)
  unlink(prof)
  bytes <- as.numeric(sub("^([0-9]+) ?:.*$", "\\1",
                          grep("^[0-9]+ ?:", lines, value = TRUE)))
  times <- vapply(seq_len(iterations), function(i) {
    system.time(f(...), gcFirst = FALSE)[["elapsed"]]
  }, 0)
  list(time = times, mem_alloc = sum(bytes))
}

load_average <- function() {
  if (!file.exists("/proc/loadavg")) return("n/a")
  paste(strsplit(readLines("/proc/loadavg", warn = FALSE)[1L], " ")[[1L]][1:3],
        collapse = " ")
}

fmt_time <- function(s) {
  ifelse(is.na(s), "n/a",
         ifelse(s >= 1, sprintf("%.2f s", s), sprintf("%.0f ms", s * 1e3)))
}
fmt_mb <- function(b) ifelse(is.na(b), "n/a", sprintf("%.1f MB", b / 1e6))
fmt_gb <- function(b) ifelse(is.na(b), "n/a", sprintf("%.2f GB", b / 1e9))
fmt_n <- function(n) format(n, big.mark = ",", scientific = FALSE)

# Time the functions `fns` (a named list), each called as f(...), with
# bench::mark when it is installed (the fallback above otherwise): per tool
# the elapsed times of at least `min_iterations` calls and the R-allocated
# bytes of one.
mark_tools <- function(fns, min_iterations, ...) {
  if (!requireNamespace("bench", quietly = TRUE)) {
    return(lapply(fns, mark_fallback, iterations = min_iterations, ...))
  }
  # The calls name their function and arguments through symbols bound in
  # `env`, so no data set is ever embedded in (or deparsed from) a call.
  env <- new.env(parent = globalenv())
  args <- list(...)
  arg_names <- lapply(seq_along(args), function(j) as.name(paste0(".arg", j)))
  for (j in seq_along(args)) assign(paste0(".arg", j), args[[j]], envir = env)
  exprs <- lapply(seq_along(fns), function(i) {
    assign(paste0(".fn", i), fns[[i]], envir = env)
    as.call(c(list(as.name(paste0(".fn", i))), arg_names))
  })
  names(exprs) <- names(fns)
  marks <- bench::mark(exprs = exprs, env = env, check = FALSE,
                       min_iterations = min_iterations, filter_gc = FALSE)
  stats::setNames(lapply(seq_along(fns), function(i) {
    list(time = as.numeric(marks$time[[i]]),
         mem_alloc = as.numeric(marks$mem_alloc[[i]]))
  }), names(fns))
}
