# bench/region_table.R: region_table() against data.table GForce and collapse.
#
# Run from the repository root after installing the package:
#   Rscript bench/region_table.R        (or: make bench)
#
# Generates 10 million person rows with a fixed seed: a PC4 postcode drawn
# from 4,068 Dutch codes (weighted by 2021 population when the shared CBS
# table is found), `doctor`, `gp` (about 2% NA) and `age`. Computes the same
# six statistics per PC4 with spreiding::region_table(), data.table (GForce,
# keyby) and collapse (qG + GRP + fsum/fmean), in one process, and reports
# the median time over rounds in which the tools take turns, the ratio
# anchor / spreiding (> 1: spreiding is faster), the
# memory R allocated during one call, peak RSS growth (which also sees
# malloc), and whether any input column was copied. Every timed call
# includes grouping: nothing is keyed or grouped beforehand. The three
# results must agree (same groups, values within 1e-9 relative, same NA
# pattern) or the script stops.
#
# Environment: SPREIDING_SHARED_DATA names the shared data directory (the one
# holding nl/pc4_population_2021.csv); default ../shared/data from the
# repository root. BENCH_N sets the number of rows (default 1e7), BENCH_ROUNDS
# the number of timing rounds (default 3).
# data.table honours R_DATATABLE_NUM_THREADS.

# The anchors are not package dependencies; `make bench` installs them.
for (pkg in c("data.table", "collapse")) {
  if (!requireNamespace(pkg, quietly = TRUE)) {
    stop(
      "bench/region_table.R needs the anchor package '", pkg, "', which is ",
      "not a dependency of spreiding. Install it (Debian: apt-get install ",
      "r-cran-", tolower(pkg), "; or install.packages(\"", pkg, "\")), ",
      "or run `make bench`.",
      call. = FALSE
    )
  }
}
if (!requireNamespace("spreiding", quietly = TRUE)) {
  stop("spreiding is not installed: run `make install` first.", call. = FALSE)
}
has_bench <- requireNamespace("bench", quietly = TRUE)

suppressPackageStartupMessages({
  library(data.table)
  library(collapse)
})

# ---------------------------------------------------------------------------
# Where are we, where is the shared data
# ---------------------------------------------------------------------------

script_dir <- local({
  file_arg <- grep("^--file=", commandArgs(trailingOnly = FALSE), value = TRUE)
  if (length(file_arg) == 1L) {
    dirname(normalizePath(sub("^--file=", "", file_arg)))
  } else {
    file.path(getwd(), "bench")
  }
})
repo_root <- dirname(script_dir)
source(file.path(script_dir, "common.R"))

find_population_csv <- function() {
  env <- Sys.getenv("SPREIDING_SHARED_DATA", "")
  candidates <- if (nzchar(env)) {
    c(env, file.path(env, "pc4_population_2021.csv"),
      file.path(env, "nl", "pc4_population_2021.csv"))
  } else {
    file.path(repo_root, "..", "shared", "data", "nl", "pc4_population_2021.csv")
  }
  hit <- candidates[file.exists(candidates) & !dir.exists(candidates)]
  if (length(hit)) normalizePath(hit[[1L]]) else NA_character_
}

n_rows <- as.integer(as.numeric(Sys.getenv("BENCH_N", "1e7")))
n_codes <- 4068L

# ---------------------------------------------------------------------------
# Data: 10 million persons, fixed seed
# ---------------------------------------------------------------------------

set.seed(20210101L, kind = "Mersenne-Twister", normal.kind = "Inversion",
         sample.kind = "Rejection")

pop_csv <- find_population_csv()
if (!is.na(pop_csv)) {
  pop <- utils::read.csv(pop_csv)[c("postcode", "inwoners")]
  pop$inwoners[is.na(pop$inwoners)] <- 0L
  # 4,074 rows; keep the 4,068 most populous (ties by postcode). CBS rounds
  # PC4 counts to multiples of 5, so a 0 or missing count means "fewer than
  # 5": those codes get weight 5, so every code keeps a chance to appear.
  pop <- pop[order(-pop$inwoners, pop$postcode), ][seq_len(n_codes), ]
  pop <- pop[order(pop$postcode), ]
  codes <- as.integer(pop$postcode)
  weight <- pmax(as.numeric(pop$inwoners), 5)
  code_source <- sprintf(
    "%s (the %d most populous codes, weights = 1 Jan 2021 population)",
    pop_csv, n_codes
  )
} else {
  codes <- sort(sample(1011:9999, n_codes))
  weight <- rep(1, n_codes)
  code_source <- paste0(
    "population table NOT FOUND (looked for ../shared/data/nl/",
    "pc4_population_2021.csv and $SPREIDING_SHARED_DATA), so ", n_codes,
    " random distinct codes in 1011:9999 with equal weights"
  )
}
stopifnot(length(codes) == n_codes, !anyDuplicated(codes))

# Every code appears at least once, so the table has exactly 4,068 rows; the
# rest are drawn by weight; then shuffle so rows are in no particular order.
pc4 <- c(codes, sample(codes, n_rows - n_codes, replace = TRUE, prob = weight))
pc4 <- pc4[sample.int(n_rows)]

# Registered health professionals: ~18% doctors, ~24% of doctors are GPs
# (about 4.3% of all rows), GP status unknown for ~2%; age 21-70, mean ~43.5,
# unknown for 0.5%.
doctor <- stats::runif(n_rows) < 0.18
gp <- doctor & stats::runif(n_rows) < 0.24
gp[stats::runif(n_rows) < 0.02] <- NA
age <- 21 + 49 * stats::rbeta(n_rows, 2.2, 2.6)
age[stats::runif(n_rows) < 0.005] <- NA

d <- data.frame(pc4 = pc4, doctor = doctor, gp = gp, age = age)
rm(pc4, doctor, gp, age)
invisible(gc())

# A data.table over the very same column vectors: setDT on a fresh list
# copies no column, and no key is set (keyby groups inside each timed call).
dt <- setDT(list(pc4 = d$pc4, doctor = d$doctor, gp = d$gp, age = d$age))
stopifnot(identical(
  vapply(d, data.table::address, ""), vapply(dt, data.table::address, "")
))

input_bytes <- sum(vapply(d, function(x) as.numeric(utils::object.size(x)), 0))

# ---------------------------------------------------------------------------
# The same six statistics three ways
# ---------------------------------------------------------------------------

stat_cols <- c("n", "doctors", "gps", "pct_gp", "mean_age", "per_gp")

run_spreiding <- function() {
  spreiding::region_table(
    d, "pc4",
    n = count(),
    doctors = sum(doctor),
    gps = sum(gp),
    pct_gp = rate(gp),
    mean_age = mean(age),
    per_gp = ratio(n, gps)
  )
}

# GForce handles only bare calls, so `100 * mean(gp)` inside j would switch
# it off for the whole j: scale after, on the 4,068 group rows.
run_datatable <- function() {
  out <- dt[, .(
    n = .N,
    doctors = sum(doctor),
    gps = sum(gp, na.rm = TRUE),
    pct_gp = mean(gp, na.rm = TRUE),
    mean_age = mean(age, na.rm = TRUE)
  ), keyby = pc4]
  set(out, j = "pct_gp", value = 100 * out[["pct_gp"]])
  set(out, j = "per_gp",
      value = fifelse(out[["gps"]] == 0L, NA_real_, out[["n"]] / out[["gps"]]))
  out
}

# Fastest sorted grouping in collapse here: qG (hash, then sort the unique
# codes) turned into a GRP, then one pass per statistic over group ids.
# fill = TRUE makes an all-NA group sum to 0, as sum(na.rm = TRUE) does.
run_collapse <- function() {
  g <- GRP(qG(d[["pc4"]], sort = TRUE, na.exclude = FALSE,
              return.groups = TRUE))
  n <- g[["group.sizes"]]
  gps <- fsum(d[["gp"]], g, na.rm = TRUE, fill = TRUE, use.g.names = FALSE)
  data.frame(
    pc4 = g[["groups"]][[1L]],
    n = n,
    doctors = fsum(d[["doctor"]], g, use.g.names = FALSE),
    gps = gps,
    pct_gp = 100 * fmean(d[["gp"]], g, na.rm = TRUE, use.g.names = FALSE),
    mean_age = fmean(d[["age"]], g, na.rm = TRUE, use.g.names = FALSE),
    per_gp = ifelse(gps == 0, NA_real_, n / gps)
  )
}

runners <- list(
  spreiding = run_spreiding,
  data.table = run_datatable,
  collapse = run_collapse
)

# ---------------------------------------------------------------------------
# Checks before timing: GForce is on, results agree, no input column copied
# ---------------------------------------------------------------------------

verbose_log <- local({
  old <- options(datatable.verbose = TRUE)
  on.exit(options(old))
  utils::capture.output(invisible(run_datatable()))
})
if (!any(grepl("GForce optimized j to", verbose_log, fixed = TRUE)) ||
    any(grepl("GForce FALSE", verbose_log, fixed = TRUE))) {
  stop("data.table did not use GForce for the anchor query:\n",
       paste(verbose_log, collapse = "\n"), call. = FALSE)
}
gforce_line <- grep("GForce optimized j to", verbose_log, value = TRUE)[[1L]]

# Runs f once with tracemem on every input column; returns the result and
# the names of the columns R duplicated. tracemem sees duplicate(), not a C
# memcpy into a fresh vector; mem_alloc below bounds that case.
run_traced <- function(f) {
  addr <- vapply(d, function(x) gsub("[<>]", "", tracemem(x)), "")
  on.exit(for (col in names(d)) untracemem(d[[col]]))
  log <- utils::capture.output(res <- f())
  copied <- names(addr)[vapply(addr, function(a) {
    any(grepl(paste0("tracemem[", a, " ->"), log, fixed = TRUE))
  }, NA)]
  list(result = res, copied = copied)
}

traced <- lapply(names(runners), function(tool) {
  tryCatch(run_traced(runners[[tool]]), error = function(e) {
    stop(tool, " failed on the benchmark data: ", conditionMessage(e),
         call. = FALSE)
  })
})
names(traced) <- names(runners)
results <- lapply(traced, `[[`, "result")

agree <- function(ours, anchor, ours_name, anchor_name, tol = 1e-9) {
  fail <- function(...) {
    stop(ours_name, " disagrees with ", anchor_name, ": ", ..., call. = FALSE)
  }
  if (!is.data.frame(ours) || inherits(ours, c("data.table", "tbl_df"))) {
    fail("result has class ", paste(class(ours), collapse = "/"),
         ", not a plain data.frame")
  }
  ours <- as.data.frame(ours)
  anchor <- as.data.frame(anchor)
  missing <- setdiff(c("pc4", stat_cols), names(ours))
  if (length(missing)) {
    fail("missing column(s) ", paste(missing, collapse = ", "),
         "; it has ", paste(names(ours), collapse = ", "))
  }
  if (nrow(ours) != nrow(anchor)) {
    fail(nrow(ours), " groups, ", anchor_name, " has ", nrow(anchor))
  }
  if (!identical(as.integer(ours$pc4), as.integer(anchor$pc4))) {
    i <- which(as.integer(ours$pc4) != as.integer(anchor$pc4))[1L]
    fail("pc4 groups differ (or are not sorted) from row ", i, ": ",
         ours$pc4[i], " vs ", anchor$pc4[i])
  }
  for (col in stat_cols) {
    a <- as.double(ours[[col]])
    b <- as.double(anchor[[col]])
    na_a <- is.na(a)
    na_b <- is.na(b)
    if (!identical(na_a, na_b)) {
      i <- which(na_a != na_b)[1L]
      fail("NA pattern of `", col, "` differs (", sum(na_a), " NA vs ",
           sum(na_b), "); first at pc4 ", ours$pc4[i], ": ", a[i], " vs ", b[i])
    }
    ok <- !na_a
    scale <- pmax(abs(a[ok]), abs(b[ok]))
    bad <- a[ok] != b[ok] & abs(a[ok] - b[ok]) > tol * scale
    if (any(bad)) {
      i <- which(ok)[which(bad)[1L]]
      fail("`", col, "` differs in ", sum(bad), " group(s); first at pc4 ",
           ours$pc4[i], ": ", format(a[i], digits = 17), " vs ",
           format(b[i], digits = 17))
    }
  }
  invisible(TRUE)
}

# Anchors against each other first, so a failure is pinned on the right tool.
agree(results$collapse, results$data.table, "collapse", "data.table")
agree(results$spreiding, results$data.table, "spreiding::region_table()",
      "data.table")
agree(results$spreiding, results$collapse, "spreiding::region_table()",
      "collapse")

# ---------------------------------------------------------------------------
# Memory: peak RSS growth over one call (Linux; includes malloc'd scratch)
# ---------------------------------------------------------------------------


peak_rss_growth <- function(f) {
  if (!file.exists("/proc/self/clear_refs")) return(NA_real_)
  invisible(gc())
  base <- proc_bytes("VmRSS")
  reset <- tryCatch({
    cat("5\n", file = "/proc/self/clear_refs")
    TRUE
  }, error = function(e) FALSE, warning = function(w) FALSE)
  if (!reset) return(NA_real_)
  invisible(f())
  max(proc_bytes("VmHWM") - base, 0)
}

peak_rss <- vapply(runners, peak_rss_growth, 0)

# ---------------------------------------------------------------------------
# Timing
# ---------------------------------------------------------------------------

# Other processes may share the machine, so the tools take turns: several
# rounds, each timing every tool in a rotated order, and the median is over
# all iterations of a tool pooled. mem_alloc is from the first round.
n_rounds <- max(1L, as.integer(Sys.getenv("BENCH_ROUNDS", "3")))

# Without bench: system.time() per iteration, and Rprofmem's byte count of
# one call (what bench::mark's mem_alloc reports too).



load_before <- load_average()
rounds <- lapply(seq_len(n_rounds), function(r) {
  k <- length(runners)
  mark_tools(runners[(seq_len(k) + r - 2L) %% k + 1L], 5L)
})
load_after <- load_average()

timing <- do.call(rbind, lapply(names(runners), function(tool) {
  times <- unlist(lapply(rounds, function(r) r[[tool]]$time))
  data.frame(tool = tool, median = stats::median(times), min = min(times),
             mem_alloc = rounds[[1L]][[tool]]$mem_alloc,
             n_itr = length(times))
}))
timing_how <- sprintf(
  "%s, %d rounds in rotated order, median over all iterations",
  if (has_bench) {
    sprintf("bench::mark %s (min_iterations = 5, filter_gc = FALSE)",
            utils::packageVersion("bench"))
  } else {
    "system.time() x 5 (bench not installed)"
  },
  n_rounds
)

# ---------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------


threads <- c(
  spreiding = "-",
  data.table = as.character(getDTthreads()),
  collapse = as.character(get_collapse("nthreads"))
)
copied <- vapply(traced, function(t) {
  if (length(t$copied)) paste(t$copied, collapse = ",") else "none"
}, "")

ours <- timing$median[timing$tool == "spreiding"]
report <- data.frame(
  tool = timing$tool,
  median = fmt_time(timing$median),
  min = fmt_time(timing$min),
  `anchor/spreiding` = sprintf("%.2f", timing$median / ours),
  mem_alloc = fmt_mb(timing$mem_alloc),
  `alloc/input` = sprintf("%.0f%%", 100 * timing$mem_alloc / input_bytes),
  `peak RSS +` = fmt_mb(peak_rss[timing$tool]),
  `cols copied` = copied[timing$tool],
  threads = threads[timing$tool],
  iterations = timing$n_itr,
  check.names = FALSE, row.names = NULL
)
report$`anchor/spreiding`[report$tool == "spreiding"] <- "-"

cat("region_table benchmark\n")
cat(sprintf("  R %s; spreiding %s, data.table %s, collapse %s; %d cores\n",
            getRversion(), utils::packageVersion("spreiding"),
            utils::packageVersion("data.table"),
            utils::packageVersion("collapse"), parallel::detectCores()))
cat(sprintf("  rows: %s, groups: %d (pc4), seed 20210101\n",
            format(n_rows, big.mark = ","), nrow(results$spreiding)))
cat("  pc4 codes:", code_source, "\n")
cat(sprintf("  input: 4 columns (int, lgl, lgl, dbl) = %s; none keyed or pre-grouped\n",
            fmt_mb(input_bytes)))
cat(sprintf("  rates: doctor %.1f%%, gp %.2f%% (NA %.1f%%), age mean %.1f (NA %.1f%%)\n",
            100 * mean(d$doctor), 100 * mean(d$gp, na.rm = TRUE),
            100 * mean(is.na(d$gp)), mean(d$age, na.rm = TRUE),
            100 * mean(is.na(d$age))))
cat(sprintf("  data.table: getDTthreads() = %d, datatable.optimize = %s, %s\n",
            getDTthreads(), format(getOption("datatable.optimize")),
            trimws(gforce_line)))
cat("  statistics: n = count(), doctors = sum(doctor), gps = sum(gp),",
    "pct_gp = rate(gp), mean_age = mean(age), per_gp = ratio(n, gps)\n")
cat("  results agree: same", nrow(results$spreiding),
    "groups, values within 1e-9 relative, same NA pattern\n")
cat("  timing:", timing_how, "\n")
cat("  load average before / after timing:", load_before, "/", load_after,
    "\n\n")
local({
  old <- options(width = 200)
  on.exit(options(old))
  print(report, right = FALSE, row.names = FALSE)
})
cat("\n")
cat(
  "  anchor/spreiding > 1 means spreiding is faster.\n",
  "  mem_alloc: bytes R allocated during one call (Rprofmem; malloc'd scratch is not seen).\n",
  "  peak RSS +: growth of the process's resident-set peak over one call, malloc included (approximate).\n",
  sprintf("  cols copied: input columns R duplicated during the call (tracemem); a copy of even the smallest column would add %s to mem_alloc.\n",
          fmt_mb(min(vapply(d, function(x) as.numeric(utils::object.size(x)), 0)))),
  "\n", sep = ""
)

anchors <- timing[timing$tool != "spreiding", ]
best <- anchors[which.min(anchors$median), ]
if (ours <= best$median) {
  cat(sprintf(
    "RESULT: spreiding::region_table IS at least as fast as the faster anchor (%s): %s vs %s, %.2fx.\n",
    best$tool, fmt_time(ours), fmt_time(best$median), best$median / ours))
} else {
  cat(sprintf(
    "RESULT: spreiding::region_table is NOT as fast as the faster anchor (%s): %s vs %s, %s is %.2fx faster.\n",
    best$tool, fmt_time(ours), fmt_time(best$median), best$tool,
    ours / best$median))
}
