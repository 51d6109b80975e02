# bench/disclosure.R: disclose() against GaussSuppression and sdcTable.
#
# Run from the repository root after installing the package:
#   Rscript bench/disclosure.R          (or: make bench)
#
# A table of medical students by PC4 area x sex x cohort (4,068 x 2 x 2 =
# 16,272 cells, about 57,000 students; counts drawn with a fixed seed from a
# negative binomial with means proportional to the PC4 population), with the
# PC4 areas nested in their 90 PC2 areas (first two digits). Every tool
# applies the same primary rule (counts 1-9 are suppressed, zeros are
# published) to every cell and every total (PC2, national, and every margin
# over sex and cohort: 37,431 cells) and then suppresses complementary cells:
#
# - spreiding: disclose(tab, "n", hierarchy = pc4 ~ pc2), with the LP audit
#   (the default when Rglpk is installed) and without (audit = FALSE);
# - GaussSuppression::SuppressSmallCounts(maxN = 9, protectZeros = FALSE),
#   the PC4-in-PC2 hierarchy found from dimVar = c("pc4", "pc2", ...);
# - sdcTable: makeProblem() with an sdcHierarchies tree Total > PC2 > PC4,
#   primarySuppression(type = "freq", maxN = 9), protectTable() with method
#   "SIMPLEHEURISTIC" (which solves attacker problems) and with
#   "SIMPLEHEURISTIC_OLD" (fast, documented as possibly unsafe).
#
# A second, linked case (BENCH_LINKED=1; it adds about 20 minutes) gives the
# PC4 areas two parents that cut across each other, the gemeente and the AZW
# labour-market region: disclose(hierarchy = list(pc4 ~ gemeente, pc4 ~
# azw)); GaussSuppression with all three in dimVar; sdcTable with
# protect_linked_tables() on two tables that share the PC4 cells.
#
# Each tool runs in its own fresh Rscript (the anchors take minutes, and a
# child can be stopped at a time limit): the median time over BENCH_REPS
# runs, the growth of the resident-set peak and of R's heap peak over one
# run. The parent checks that every tool has the same cells with the same
# values and the same primary cells, counts the suppressed cells, and judges
# every tool's result with the same attacker: spreiding::audit_disclosure()
# on the table as published (numbers, "1-9" for a primary cell, blank for a
# complementary one), which bounds every hidden cell by linear programming.
#
# Environment: SPREIDING_SHARED_DATA names the shared data directory (the one
# holding nl/pc4_to_azw2023.csv and nl/pc4_population_2021.csv); default
# ../shared/data from the repository root. BENCH_REPS: timed runs per tool
# (default 3 for spreiding; the anchors run once, or BENCH_ANCHOR_REPS
# times, or BENCH_REPS times when only that is set). BENCH_TIMEOUT: time
# limit in seconds of each tool's child process (default 300; 0 = none);
# BENCH_SDCTABLE_TIMEOUT: that of sdcTable's SIMPLEHEURISTIC (default 30, as
# it takes more than 40 minutes here); BENCH_AUDIT_TIMEOUT: that of each
# audit (default 1800, as GaussSuppression's linked table takes about 18
# minutes to audit; 0 = none). BENCH_LINKED=1 adds the linked case.
#
# Internal mode, used by the script itself to start child processes:
#   Rscript bench/disclosure.R --child CASE TOOL REPS DATA_FILE OUT_FILE

# The anchors are not package dependencies; `make bench` installs them.
# Rglpk is not an anchor, but audit_disclosure() needs it.
for (pkg in c("GaussSuppression", "SSBtools", "sdcTable", "sdcHierarchies",
              "Rglpk")) {
  if (!requireNamespace(pkg, quietly = TRUE)) {
    stop(
      "bench/disclosure.R needs the package '", pkg, "', which is not a ",
      "dependency of spreiding. Install it (install.packages(\"", pkg,
      "\")), or run `make bench` (tools/install-deps.sh --bench).",
      call. = FALSE
    )
  }
}
if (!requireNamespace("spreiding", quietly = TRUE)) {
  stop("spreiding is not installed: run `make install` first.", call. = FALSE)
}
# spreiding shows a cli progress bar for calls over 2 seconds; keep it out of
# the report (only the drawing is skipped, the work is the same).
options(cli.progress_show_after = Inf)

args <- commandArgs(trailingOnly = TRUE)
mode <- if (length(args) && args[[1L]] == "--child") "child" else "main"

script_path <- local({
  file_arg <- grep("^--file=", commandArgs(trailingOnly = FALSE), value = TRUE)
  if (length(file_arg) == 1L) {
    normalizePath(sub("^--file=", "", file_arg))
  } else {
    file.path(getwd(), "bench", "disclosure.R")
  }
})
repo_root <- dirname(dirname(script_path))
source(file.path(dirname(script_path), "common.R"))

seed <- 20250601L
max_n <- 9L # the rule: counts 1..9 are suppressed (CBS: at least 10)

# ---------------------------------------------------------------------------
# The tools (run in the child processes)
# ---------------------------------------------------------------------------

# Each runner takes the data list `d` and returns the protected table.
# `dims` are the columns of the geographic hierarchy: the finest first.

run_spreiding <- function(d, case, audit) {
  if (case == "nested") {
    spreiding::disclose(d$nested, counts = "n", hierarchy = pc4 ~ pc2,
                        by = c("pc4", "sex", "cohort"), audit = audit)
  } else {
    spreiding::disclose(d$linked, counts = "n",
                        hierarchy = list(pc4 ~ gemeente, pc4 ~ azw),
                        by = c("pc4", "sex", "cohort"), audit = audit)
  }
}

# The PC4 hierarchy is detected from the data: pc4 codes nest in pc2 (and in
# gemeente and azw), so they share one output column, `pc4`, with "Total".
# protectZeros = FALSE: zeros are published, as with min_count(10).
run_gauss <- function(d, case) {
  tab <- if (case == "nested") d$nested else d$linked
  geo <- if (case == "nested") c("pc4", "pc2") else c("pc4", "gemeente", "azw")
  GaussSuppression::SuppressSmallCounts(
    tab, maxN = max_n, freqVar = "n", dimVar = c(geo, "sex", "cohort"),
    protectZeros = FALSE, printInc = FALSE
  )
}

# sdcTable wants each hierarchy as a tree: Total > parent > pc4.
sdc_tree <- function(child, parent) {
  h <- sdcHierarchies::hier_create(root = "Total", nodes = sort(unique(parent)))
  kids <- split(child, parent)
  for (p in names(kids)) {
    h <- sdcHierarchies::hier_add(h, root = p, nodes = sort(unique(kids[[p]])))
  }
  h
}

sdc_problem <- function(tab, parent) {
  dim_list <- list(
    pc4 = sdc_tree(tab$pc4, tab[[parent]]),
    sex = sdcHierarchies::hier_create(root = "Total", nodes = sort(unique(tab$sex))),
    cohort = sdcHierarchies::hier_create(root = "Total",
                                         nodes = sort(unique(tab$cohort)))
  )
  p <- sdcTable::makeProblem(data = tab[c("pc4", "sex", "cohort", "n")],
                             dimList = dim_list, freqVarInd = "n")
  sdcTable::primarySuppression(p, type = "freq", maxN = max_n)
}

# allowZeros = FALSE (the default): zeros are published, never suppressed.
# SIMPLEHEURISTIC solves attacker problems for every primary cell;
# SIMPLEHEURISTIC_OLD (sdcTable < 0.32) does not ("possibly unsafe but very
# fast", its documentation says): the audit below judges both.
run_sdctable <- function(d, case, method = "SIMPLEHEURISTIC") {
  if (case == "nested") {
    p <- sdc_problem(d$nested, "pc2")
    res <- sdcTable::protectTable(p, method = method)
    return(list(sdcTable::getInfo(res, type = "finalData")))
  }
  tab <- d$linked
  x <- sdc_problem(tab, "gemeente")
  y <- sdc_problem(tab, "azw")
  # The common cells: every PC4 area and the total. sdcTable drops the only
  # child of a node (a gemeente with one PC4 area) as a duplicate of its
  # parent, and protect_linked_tables() then fails (stopifnot in
  # .indices_common_cells); such a PC4 cell is matched through its parent.
  pc4 <- sort(unique(tab$pc4))
  common_code <- function(p, parent) {
    kept <- unique(sdcTable::sdcProb2df(p, addDups = FALSE,
                                        dimCodes = "original")$pc4)
    code <- pc4
    gone <- !code %in% kept
    code[gone] <- tab[[parent]][match(code[gone], tab$pc4)]
    c("Total", code)
  }
  res <- sdcTable::protect_linked_tables(
    x, y,
    common_cells = list(list("pc4", "pc4", common_code(x, "gemeente"),
                             common_code(y, "azw")),
                        list("sex", "sex", "ALL"),
                        list("cohort", "cohort", "ALL")),
    method = method
  )
  lapply(res, sdcTable::getInfo, type = "finalData")
}

runners <- list(
  spreiding = function(d, case) run_spreiding(d, case, audit = NA),
  spreiding_noaudit = function(d, case) run_spreiding(d, case, audit = FALSE),
  GaussSuppression = run_gauss,
  sdcTable_old = function(d, case) run_sdctable(d, case, "SIMPLEHEURISTIC_OLD"),
  sdcTable = run_sdctable
)
anchor_tools <- c("GaussSuppression", "sdcTable_old", "sdcTable")

# ---------------------------------------------------------------------------
# --child CASE TOOL REPS DATA OUT: run one tool REPS times in this fresh
# process. Before each run: garbage collection, the resident size, the
# resident peak reset, R's heap peak reset; after it: the time, the growth of
# both peaks. The record is saved after every run, so a run cut off by the
# time limit leaves the earlier ones. The tool's packages are loaded before
# the first baseline, so their code is not counted.
# ---------------------------------------------------------------------------

heap_bytes <- function(g, col) sum(g[, col] * c(56, 8)) # Ncells, Vcells

if (mode == "child") {
  case <- args[[2L]]
  tool <- args[[3L]]
  reps <- as.integer(args[[4L]])
  out_file <- args[[6L]]
  pkgs <- if (tool == "GaussSuppression") {
    c("GaussSuppression", "SSBtools")
  } else if (startsWith(tool, "sdcTable")) {
    c("sdcTable", "sdcHierarchies")
  } else {
    "spreiding"
  }
  for (p in pkgs) suppressPackageStartupMessages(loadNamespace(p))
  if (tool == "spreiding") loadNamespace("Rglpk")
  d <- readRDS(args[[5L]])
  rec <- list(time = double(), growth = double(), heap = double(),
              reset = NA, result = NULL)
  for (r in seq_len(reps)) {
    invisible(gc())
    rss_before <- proc_bytes("VmRSS")
    reset <- reset_peak()
    hwm_before <- proc_bytes("VmHWM")
    g0 <- gc(reset = TRUE)
    t <- system.time(res <- runners[[tool]](d, case), gcFirst = FALSE)
    g1 <- gc()
    hwm_after <- proc_bytes("VmHWM")
    rec$time <- c(rec$time, t[["elapsed"]])
    rec$growth <- c(rec$growth, if (reset || hwm_after > hwm_before) {
      max(hwm_after - rss_before, 0)
    } else {
      NA_real_
    })
    rec$heap <- c(rec$heap, max(heap_bytes(g1, 5L) - heap_bytes(g0, 1L), 0))
    rec$reset <- reset
    if (r == 1L) rec$result <- res
    rm(res)
    saveRDS(rec, out_file)
  }
  quit(save = "no", status = 0L)
}

# ---------------------------------------------------------------------------
# Main: the data
# ---------------------------------------------------------------------------

# SPREIDING_SHARED_DATA may name the shared data directory or its nl/.
find_nl_dir <- function() {
  env <- Sys.getenv("SPREIDING_SHARED_DATA", "")
  candidates <- if (nzchar(env)) {
    c(file.path(env, "nl"), env)
  } else {
    file.path(repo_root, "..", "shared", "data", "nl")
  }
  files <- c("pc4_to_azw2023.csv", "pc4_population_2021.csv")
  hit <- candidates[vapply(candidates, function(dir) {
    all(file.exists(file.path(dir, files)))
  }, NA)]
  if (length(hit)) normalizePath(hit[[1L]]) else NA_character_
}

# The most common value of x[i] among the rows of the same group, for rows
# where x is missing (a PC4 area without gemeente takes that of its PC3).
fill_from_group <- function(x, group) {
  miss <- which(is.na(x) | x == "")
  for (i in miss) {
    cand <- x[group == group[i] & !(is.na(x) | x == "")]
    if (!length(cand)) {
      cand <- x[substr(group, 1L, 2L) == substr(group[i], 1L, 2L) &
                  !(is.na(x) | x == "")]
    }
    tab <- table(cand)
    x[i] <- names(tab)[which.max(tab)]
  }
  x
}

# 4,068 PC4 areas with population, PC2, gemeente and AZW region.
make_areas <- function(nl_dir) {
  if (!is.na(nl_dir)) {
    azw <- utils::read.csv(file.path(nl_dir, "pc4_to_azw2023.csv"),
                           colClasses = c(postcode = "character",
                                          azw_code = "character"))
    pop <- utils::read.csv(file.path(nl_dir, "pc4_population_2021.csv"),
                           colClasses = c(postcode = "character"))
    areas <- data.frame(pc4 = azw$postcode, inwoners = azw$inwoners,
                        gemeente = pop$gemeente[match(azw$postcode, pop$postcode)],
                        azw = azw$azw_code, stringsAsFactors = FALSE)
    areas <- areas[order(areas$pc4), ]
    pc3 <- substr(areas$pc4, 1L, 3L)
    n_fill <- c(gemeente = sum(is.na(areas$gemeente) | areas$gemeente == ""),
                azw = sum(is.na(areas$azw) | areas$azw == ""))
    areas$gemeente <- fill_from_group(areas$gemeente, pc3)
    areas$azw <- fill_from_group(areas$azw, pc3)
    # CBS rounds PC4 populations to multiples of 5; 0 or NA means "fewer
    # than 5": weight 5, as in bench/region_table.R.
    areas$weight <- pmax(ifelse(is.na(areas$inwoners), 0, areas$inwoners), 5)
    source <- sprintf(paste0(
      "%s: the %s PC4 areas of pc4_to_azw2023.csv (population 1 Jan 2021, ",
      "AZW region) with the gemeente of pc4_population_2021.csv; %d areas ",
      "without gemeente and %d without AZW region take the most common one ",
      "of their PC3"), nl_dir, fmt_n(nrow(areas)), n_fill[["gemeente"]],
      n_fill[["azw"]])
  } else {
    # One code in every PC2 10..99, the rest drawn from 1011..9999; the
    # gemeenten are 355 runs of consecutive codes, the AZW regions 28 other
    # runs, so the two cut across each other.
    first <- vapply(10:99, function(p) {
      sample(max(1011L, p * 100L):(p * 100L + 99L), 1L)
    }, 1L)
    codes <- sort(c(first, sample(setdiff(1011:9999, first), 4068L - 90L)))
    cut_runs <- function(k) {
      breaks <- sort(sample(2:4068, k - 1L))
      findInterval(seq_len(4068L), breaks) + 1L
    }
    areas <- data.frame(pc4 = as.character(codes), inwoners = NA_real_,
                        gemeente = sprintf("gemeente %03d", cut_runs(355L)),
                        azw = sprintf("RA%02d", cut_runs(28L)),
                        stringsAsFactors = FALSE)
    areas$weight <- stats::rlnorm(4068L, log(2700), 1.2)
    source <- paste0(
      "shared data NOT FOUND (looked for nl/pc4_to_azw2023.csv and ",
      "nl/pc4_population_2021.csv in ../shared/data and ",
      "$SPREIDING_SHARED_DATA), so 4,068 random codes in 1011:9999 (every ",
      "PC2 10..99), log-normal weights, 355 synthetic gemeenten and 28 ",
      "synthetic AZW regions (runs of consecutive codes)")
  }
  areas$pc2 <- substr(areas$pc4, 1L, 2L)
  attr(areas, "source") <- source
  areas
}

# Students by PC4 x sex x cohort: Poisson with mean 58,000 x the area's share
# of the population x a gamma(2, 2) factor per area (so the PC4 totals are
# negative binomial) x the sex share (f 0.67, m 0.33) x the cohort share
# (2000-2010 0.42, 2011-2024 0.58), as in Mulder (2025): 1,711 PC4 areas
# have at least 10 students over both cohorts there; about 1,700 here.
make_tables <- function(areas) {
  sex <- c(f = 0.67, m = 0.33)
  cohort <- c(`2000-2010` = 0.42, `2011-2024` = 0.58)
  mu <- 58000 * areas$weight / sum(areas$weight) *
    stats::rgamma(nrow(areas), shape = 2, rate = 2)
  grid <- expand.grid(cohort = names(cohort), sex = names(sex),
                      i = seq_len(nrow(areas)), stringsAsFactors = FALSE)
  n <- stats::rpois(nrow(grid), mu[grid$i] * sex[grid$sex] * cohort[grid$cohort])
  nested <- data.frame(pc4 = areas$pc4[grid$i], pc2 = areas$pc2[grid$i],
                       sex = grid$sex, cohort = grid$cohort,
                       n = as.integer(n), stringsAsFactors = FALSE)
  linked <- data.frame(pc4 = areas$pc4[grid$i],
                       gemeente = areas$gemeente[grid$i],
                       azw = areas$azw[grid$i], sex = grid$sex,
                       cohort = grid$cohort, n = as.integer(n),
                       stringsAsFactors = FALSE)
  list(nested = nested, linked = linked)
}

nl_dir <- find_nl_dir()
set.seed(seed, kind = "Mersenne-Twister", normal.kind = "Inversion",
         sample.kind = "Rejection")
areas <- make_areas(nl_dir)
d <- make_tables(areas)
stopifnot(nrow(areas) == 4068L, length(unique(areas$pc2)) == 90L,
          !anyDuplicated(areas$pc4))

env_int <- function(name, default) {
  v <- Sys.getenv(name, "")
  if (nzchar(v)) as.integer(v) else default
}
reps_ours <- max(1L, env_int("BENCH_REPS", 3L))
reps_anchor <- max(1L, env_int("BENCH_ANCHOR_REPS",
                               if (nzchar(Sys.getenv("BENCH_REPS"))) reps_ours else 1L))
timeout <- max(0L, env_int("BENCH_TIMEOUT", 300L))
# sdcTable's SIMPLEHEURISTIC did not finish in 40 CPU minutes here: by
# default it gets 30 s, enough to show that.
timeout_sdc <- max(0L, env_int("BENCH_SDCTABLE_TIMEOUT", min(timeout, 30L)))
if (timeout_sdc == 0L && timeout > 0L) timeout_sdc <- timeout
time_limit <- function(tool) if (tool == "sdcTable") timeout_sdc else timeout
# an audit of a linked table with many cells that no move proves protected
# needs two programmes of some 20,000 variables per such cell
timeout_audit <- max(0L, env_int("BENCH_AUDIT_TIMEOUT", 1800L))
cases <- if (identical(Sys.getenv("BENCH_LINKED"), "1")) c("nested", "linked") else "nested"
geo_of <- list(nested = c("pc4", "pc2"), linked = c("pc4", "gemeente", "azw"))

# ---------------------------------------------------------------------------
# Run every tool in its own child process
# ---------------------------------------------------------------------------

rscript <- file.path(R.home("bin"), "Rscript")
timeout_bin <- Sys.which("timeout")
# Children must load the same packages as this process.
Sys.setenv(R_LIBS = paste(.libPaths(), collapse = .Platform$path.sep))
data_file <- tempfile("disclosure-", fileext = ".rds")
saveRDS(d, data_file, compress = FALSE)

run_child <- function(case, tool, reps) {
  out <- tempfile("disclosure-out-", fileext = ".rds")
  log <- tempfile("disclosure-log-")
  on.exit(unlink(c(out, log)))
  cmd <- c(shQuote(script_path), "--child", case, tool, reps,
           shQuote(data_file), shQuote(out))
  limit <- time_limit(tool)
  limited <- limit > 0L && nzchar(timeout_bin)
  status <- suppressWarnings(if (limited) {
    system2(timeout_bin, c(limit, shQuote(rscript), cmd),
            stdout = log, stderr = log)
  } else {
    system2(rscript, cmd, stdout = log, stderr = log)
  })
  rec <- if (file.exists(out)) readRDS(out) else list(time = double())
  rec$status <- as.integer(status)
  rec$timed_out <- limited && identical(rec$status, 124L)
  rec$message <- if (!identical(rec$status, 0L)) {
    msg <- if (file.exists(log)) utils::tail(readLines(log, warn = FALSE), 3L)
    paste(c(if (rec$timed_out) sprintf("stopped at the time limit of %d s", limit),
            if (identical(rec$status, 137L)) "exit status 137: killed, probably out of memory",
            if (!rec$timed_out) msg), collapse = " | ")
  }
  rec$ok <- length(rec$time) > 0L && !is.null(rec$result)
  rec
}

tools <- c("spreiding", "spreiding_noaudit", anchor_tools)
load_before <- load_average()
runs <- lapply(stats::setNames(cases, cases), function(case) {
  lapply(stats::setNames(tools, tools), function(tool) {
    rec <- run_child(case, tool,
                     if (tool %in% anchor_tools) reps_anchor else reps_ours)
    message(sprintf("  %s / %s: %s", case, tool, if (length(rec$time)) {
      paste(fmt_time(rec$time), collapse = ", ")
    } else {
      rec$message
    }))
    rec
  })
})
load_after <- load_average()
unlink(data_file)

# The rows of spreiding's result are the reference: with the LP audit, or
# without it if that run did not finish.
ref_tool <- list()
for (case in cases) {
  ok <- Filter(function(tool) runs[[case]][[tool]]$ok,
               c("spreiding", "spreiding_noaudit"))
  if (!length(ok)) {
    stop("spreiding::disclose() failed on the ", case, " case: ",
         runs[[case]]$spreiding$message, call. = FALSE)
  }
  ref_tool[[case]] <- ok[[1L]]
}

# ---------------------------------------------------------------------------
# Every tool's result on spreiding's rows
# ---------------------------------------------------------------------------

# The code of each row of a disclose() result in each by dimension: the code
# at the row's level, or "Total" where the dimension is added up.
row_keys <- function(res, by) {
  parts <- strsplit(as.character(res$level), " x ", fixed = TRUE)
  codes <- lapply(seq_along(by), function(j) {
    lev <- vapply(parts, `[`, "", j)
    out <- rep("Total", nrow(res))
    for (l in setdiff(unique(lev), "total")) {
      out[lev == l] <- as.character(res[[l]][lev == l])
    }
    out
  })
  do.call(paste, c(codes, sep = "\r"))
}

# The true value of every row: the finest cells summed within each row's
# codes (computed here, not taken from any tool).
true_values <- function(res, tab, by) {
  parts <- strsplit(as.character(res$level), " x ", fixed = TRUE)
  out <- rep(NA_real_, nrow(res))
  for (lev in unique(as.character(res$level))) {
    rows <- which(res$level == lev)
    cols <- setdiff(strsplit(lev, " x ", fixed = TRUE)[[1L]], "total")
    if (!length(cols)) {
      out[rows] <- sum(tab$n)
      next
    }
    g <- do.call(paste, c(lapply(tab[cols], as.character), sep = "\r"))
    s <- rowsum(as.double(tab$n), g)
    k <- do.call(paste, c(lapply(res[rows, cols, drop = FALSE], as.character),
                          sep = "\r"))
    out[rows] <- s[match(k, rownames(s)), 1L]
  }
  out
}

# An anchor's result as one row per key: value and suppression flags.
anchor_cells <- function(tool, result) {
  if (tool == "GaussSuppression") {
    key <- paste(result$pc4, result$sex, result$cohort, sep = "\r")
    return(data.frame(key = key, value = as.double(result$n),
                      primary = result$primary, suppressed = result$suppressed))
  }
  # sdcTable: one finalData per table; in the linked case the two tables
  # share the PC4 cells (which must have the same status in both).
  parts <- lapply(result, function(fd) {
    fd <- as.data.frame(fd)
    data.frame(key = paste(fd$pc4, fd$sex, fd$cohort, sep = "\r"),
               value = as.double(fd$Freq),
               primary = fd$sdcStatus == "u",
               suppressed = fd$sdcStatus %in% c("u", "x"))
  })
  all <- do.call(rbind, parts)
  dup <- duplicated(all$key)
  shared <- all[dup, ]
  first <- all[!dup, ]
  at <- match(shared$key, first$key)
  first$conflict <- FALSE
  first$conflict[at] <- first$suppressed[at] != shared$suppressed
  first$suppressed[at] <- first$suppressed[at] | shared$suppressed
  first
}

# The table as a reader sees it: numbers; "1-9" for a primary cell (the
# attacker knows it is 1..9, as disclose()'s own audit assumes); blank for a
# complementary cell. `blank_primary = TRUE` shows primary cells blank too.
as_published <- function(base, value, suppressed, blank_primary = FALSE) {
  n <- format(value, scientific = FALSE, trim = TRUE)
  n[suppressed] <- if (blank_primary) "" else ifelse(
    value[suppressed] >= 1 & value[suppressed] <= max_n,
    paste0("1-", max_n), "")
  base$n <- n
  base
}

# audit_disclosure() with the time limit (NULL audit when it is reached).
audit_one <- function(job) {
  hier <- if (job$case == "nested") pc4 ~ pc2 else list(pc4 ~ gemeente, pc4 ~ azw)
  start <- proc.time()[["elapsed"]]
  a <- tryCatch({
    if (timeout_audit > 0L) {
      setTimeLimit(elapsed = timeout_audit, transient = TRUE)
    }
    on.exit(setTimeLimit(elapsed = Inf))
    spreiding::audit_disclosure(job$pub, hierarchy = hier, counts = "n")
  }, error = function(e) {
    if (grepl("time limit", conditionMessage(e))) NULL else
      paste("audit_disclosure() failed:", conditionMessage(e))
  })
  setTimeLimit(elapsed = Inf)
  list(audit = a, time = proc.time()[["elapsed"]] - start)
}

# Audits the published tables of `rows` (a list of summaries) in forked
# processes, one per core (after all timing is done, so nothing competes
# with a timed run), and returns the number of unprotected primary cells of
# each. Tools that hide the same cells share one audit (spreiding with and
# without its LP audit often do).
run_audits <- function(rows, field) {
  jobs <- list()
  job_of <- integer(length(rows))
  for (i in seq_along(rows)) {
    job <- list(case = rows[[i]]$case, pub = rows[[i]][[field]])
    hit <- which(vapply(jobs, identical, NA, job))
    if (!length(hit)) {
      jobs[[length(jobs) + 1L]] <- job
      hit <- length(jobs)
    }
    job_of[i] <- hit[[1L]]
  }
  cores <- if (.Platform$OS.type == "unix") parallel::detectCores() else 1L
  done <- parallel::mclapply(jobs, audit_one, mc.cores = max(1L, cores),
                             mc.preschedule = FALSE)
  lapply(seq_along(rows), function(i) {
    r <- done[[job_of[i]]]
    if (inherits(r, "try-error") || is.character(r$audit)) {
      stop(rows[[i]]$tool, " (", rows[[i]]$case, "): ",
           if (is.character(r$audit)) r$audit else as.character(r), call. = FALSE)
    }
    prim <- rows[[i]]$primary_truth
    unprotected <- if (is.null(r$audit)) NA_integer_ else
      sum(prim[r$audit$row[!r$audit$protected]])
    message(sprintf("  %s / %s: audit (%s) %s, %s unprotected", rows[[i]]$case,
                    rows[[i]]$tool, field, fmt_time(r$time), unprotected))
    list(time = r$time, unprotected = unprotected)
  })
}

summaries <- list()
checks <- character()
for (case in cases) {
  ref <- runs[[case]][[ref_tool[[case]]]]$result
  by <- c("pc4", "sex", "cohort")
  tab <- d[[case]]
  keys <- row_keys(ref, by)
  if (anyDuplicated(keys)) {
    stop("two rows of the disclose() result have the same codes (", case,
         " case)", call. = FALSE)
  }
  truth <- true_values(ref, tab, by)
  primary_truth <- truth >= 1 & truth <= max_n
  base <- as.data.frame(unclass(ref)[c(geo_of[[case]], "sex", "cohort", "level")],
                        stringsAsFactors = FALSE)

  for (tool in tools) {
    run <- runs[[case]][[tool]]
    row <- list(case = case, tool = tool, run = run)
    if (!run$ok) {
      summaries[[length(summaries) + 1L]] <- row
      next
    }
    if (startsWith(tool, "spreiding")) {
      res <- run$result
      if (!identical(row_keys(res, by), keys)) {
        stop(tool, " and spreiding have different rows (", case, " case)",
             call. = FALSE)
      }
      st <- as.character(res$n_status)
      suppressed <- is.na(res$n)
      published_ok <- all(res$n[!suppressed] == truth[!suppressed])
      primary <- st == "primary"
      conflict <- 0L
    } else {
      cells <- anchor_cells(tool, run$result)
      at <- match(keys, cells$key)
      if (anyNA(at) || nrow(cells) != length(keys)) {
        stop(tool, " does not have the same cells as spreiding (", case,
             " case): ", sum(is.na(at)), " of spreiding's ", length(keys),
             " cells missing, ", nrow(cells), " cells in all", call. = FALSE)
      }
      cells <- cells[at, ]
      published_ok <- all(cells$value == truth)
      suppressed <- cells$suppressed
      primary <- cells$primary
      conflict <- if (is.null(cells$conflict)) 0L else sum(cells$conflict)
    }
    if (!published_ok) {
      stop(tool, " publishes values that differ from the sums of the cells (",
           case, " case)", call. = FALSE)
    }
    if (!identical(primary, primary_truth)) {
      stop(tool, " marks other primary cells than counts 1-", max_n, " (",
           sum(primary != primary_truth), " differ; ", case, " case)",
           call. = FALSE)
    }
    if (any(suppressed & !primary & truth == 0)) {
      checks <- c(checks, sprintf("%s (%s) suppresses %d zero cells as complements",
                                  tool, case, sum(suppressed & !primary & truth == 0)))
    }
    row$pub <- as_published(base, truth, suppressed)
    row$pub_blank <- as_published(base, truth, suppressed, blank_primary = TRUE)
    row$primary_truth <- primary_truth
    row$cells <- length(keys)
    row$finest <- sum(ref$level == ref$level[1L])
    row$primary <- sum(primary)
    row$secondary <- sum(suppressed & !primary)
    row$suppressed <- sum(suppressed)
    row$suppressed_finest <- sum(suppressed[seq_len(row$finest)])
    row$hidden_sum <- sum(truth[suppressed])
    row$conflict <- conflict
    summaries[[length(summaries) + 1L]] <- row
  }
}

# Every tool's table against the attacker disclose() protects against; then,
# where that one finds unprotected cells, against a weaker attacker who does
# not know which hidden cells are 1..9 (cells published blank). What the
# first finds protected the second does too, as it knows less.
audited <- Filter(function(s) s$run$ok, summaries)
res <- run_audits(audited, "pub")
for (i in seq_along(audited)) {
  audited[[i]]$audit_time <- res[[i]]$time
  audited[[i]]$unprotected <- res[[i]]$unprotected
  audited[[i]]$unprotected_blank <- if (identical(res[[i]]$unprotected, 0L)) 0L else NA_integer_
}
again <- which(vapply(audited, function(s) isTRUE(s$unprotected > 0L), NA))
if (length(again)) {
  res <- run_audits(audited[again], "pub_blank")
  for (k in seq_along(again)) {
    audited[[again[k]]]$unprotected_blank <- res[[k]]$unprotected
  }
}
for (s in audited) {
  at <- which(vapply(summaries, function(x) x$case == s$case && x$tool == s$tool, NA))
  s$pub <- s$pub_blank <- s$primary_truth <- NULL
  summaries[[at]] <- s
}

# ---------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------

get <- function(s, name, default = NA) if (is.null(s[[name]])) default else s[[name]]
tool_label <- c(spreiding = "spreiding (LP audit)",
                spreiding_noaudit = "spreiding audit = FALSE",
                GaussSuppression = "GaussSuppression",
                sdcTable_old = "sdcTable SIMPLEHEURISTIC_OLD",
                sdcTable = "sdcTable SIMPLEHEURISTIC")

cat("disclosure benchmark\n")
cat(sprintf(paste0("  R %s; spreiding %s, GaussSuppression %s (SSBtools %s), ",
                   "sdcTable %s (sdcHierarchies %s), Rglpk %s; %d cores\n"),
            getRversion(), utils::packageVersion("spreiding"),
            utils::packageVersion("GaussSuppression"),
            utils::packageVersion("SSBtools"), utils::packageVersion("sdcTable"),
            utils::packageVersion("sdcHierarchies"),
            utils::packageVersion("Rglpk"), parallel::detectCores()))
cat("  areas:", attr(areas, "source"), "\n")
tab <- d$nested
cat(sprintf(paste0("  cells: %s PC4 x sex x cohort (seed %d), %s students; ",
                   "%.1f%% of the cells 0, %.1f%% 1-%d, %.1f%% >= 10; ",
                   "%s PC4 areas with >= 10 students\n"),
            fmt_n(nrow(tab)), seed, fmt_n(sum(tab$n)), 100 * mean(tab$n == 0),
            100 * mean(tab$n >= 1 & tab$n <= max_n), max_n,
            100 * mean(tab$n > max_n),
            fmt_n(sum(rowsum(tab$n, tab$pc4) >= 10))))
cat(sprintf("  hierarchies: nested pc4 (4,068) ~ pc2 (%d); linked pc4 ~ gemeente (%d) and pc4 ~ azw (%d), %d gemeenten in more than one AZW region\n",
            length(unique(areas$pc2)), length(unique(areas$gemeente)),
            length(unique(areas$azw)),
            sum(tapply(areas$azw, areas$gemeente, function(x) length(unique(x))) > 1)))
cat(sprintf("  rule: counts 1-%d primary, zeros published; every tool protects every cell and every total\n", max_n))
cat(sprintf(paste0("  timing: each tool in a fresh Rscript, median of %d run(s) ",
                   "(anchors %d); time limit per tool %s, per audit %s; load average before / ",
                   "after: %s / %s\n"),
            reps_ours, reps_anchor,
            if (timeout > 0L && nzchar(timeout_bin)) {
              sprintf("%d s (sdcTable SIMPLEHEURISTIC %s)", timeout,
                      if (timeout_sdc > 0L) paste(timeout_sdc, "s") else "none")
            } else {
              "none"
            },
            if (timeout_audit > 0L) paste(timeout_audit, "s") else "none",
            load_before, load_after))
if (length(checks)) cat(paste0("  note: ", checks, "\n"), sep = "")
cat("\n")

for (case in cases) {
  rows <- Filter(function(s) s$case == case, summaries)
  ours_tool <- ref_tool[[case]]
  ours <- stats::median(runs[[case]][[ours_tool]]$time)
  report <- do.call(rbind, lapply(rows, function(s) {
    run <- s$run
    med <- if (length(run$time)) stats::median(run$time) else NA_real_
    data.frame(
      tool = tool_label[[s$tool]],
      time = if (run$ok) fmt_time(med) else "failed",
      `anchor/spreiding` = if (s$tool %in% anchor_tools && length(run$time))
        sprintf("%.1f", med / ours) else "-",
      runs = length(run$time),
      `peak RSS +` = fmt_mb(if (length(run$growth)) run$growth[[1L]] else NA),
      `R heap +` = fmt_mb(if (length(run$heap)) run$heap[[1L]] else NA),
      primary = if (run$ok) fmt_n(get(s, "primary")) else "-",
      secondary = if (run$ok) fmt_n(get(s, "secondary")) else "-",
      suppressed = if (run$ok) fmt_n(get(s, "suppressed")) else "-",
      `of them PC4 cells` = if (run$ok) fmt_n(get(s, "suppressed_finest")) else "-",
      `students hidden` = if (run$ok) fmt_n(get(s, "hidden_sum")) else "-",
      unprotected = if (run$ok && !is.na(get(s, "unprotected"))) fmt_n(get(s, "unprotected")) else "-",
      `unprotected (blank)` = if (run$ok && !is.na(get(s, "unprotected_blank"))) fmt_n(get(s, "unprotected_blank")) else "-",
      check.names = FALSE, stringsAsFactors = FALSE
    )
  }))
  first <- Filter(function(s) !is.null(s$cells), rows)[[1L]]
  cat(sprintf("%s case: %s cells (%s finest + totals)\n",
              if (case == "nested") "nested (pc4 ~ pc2)" else
                "linked (pc4 ~ gemeente, pc4 ~ azw)",
              fmt_n(get(first, "cells")), fmt_n(get(first, "finest"))))
  local({
    old <- options(width = 250)
    on.exit(options(old))
    print(report, right = FALSE, row.names = FALSE)
  })
  for (s in rows) {
    if (!s$run$ok) {
      cat(sprintf("  %s: %s\n", tool_label[[s$tool]], s$run$message))
    } else if (!identical(s$run$status, 0L)) {
      cat(sprintf("  %s: only %d run(s) done: %s\n", tool_label[[s$tool]],
                  length(s$run$time), s$run$message))
    }
    if (isTRUE(get(s, "conflict", 0L) > 0L)) {
      cat(sprintf("  %s: %d PC4 cells shared by the two tables got a different status in each\n",
                  tool_label[[s$tool]], s$conflict))
    }
  }
  sp <- Filter(function(s) s$tool == ours_tool, rows)[[1L]]
  cat(sprintf("  auditing one published table with audit_disclosure(): %s%s\n",
              fmt_time(get(sp, "audit_time")),
              if (is.na(get(sp, "unprotected"))) " (stopped at the time limit)" else ""))
  anchors <- Filter(function(s) s$tool %in% anchor_tools && s$run$ok, rows)
  result_line <- function(what, set) {
    if (!length(set)) {
      cat(sprintf("RESULT (%s): no %s finished.\n", case, what))
      return(invisible())
    }
    med <- vapply(set, function(s) stats::median(s$run$time), 0)
    best <- set[[which.min(med)]]
    cat(sprintf("RESULT (%s): the fastest %s, %s, takes %s, %s %s: anchor/spreiding %.1f; suppressed cells %s vs %s; unprotected %s vs %s.\n",
                case, what, tool_label[[best$tool]], fmt_time(min(med)),
                tool_label[[ours_tool]], fmt_time(ours), min(med) / ours,
                fmt_n(best$suppressed), fmt_n(sp$suppressed),
                fmt_n(best$unprotected), fmt_n(sp$unprotected)))
  }
  result_line("anchor", anchors)
  result_line("anchor that leaves no primary cell unprotected",
              Filter(function(s) identical(as.integer(s$unprotected), 0L), anchors))
  cat("\n")
}
cat(paste0(
  "  time: one call, from the input table to the protected table (sdcTable: building the hierarchies, makeProblem, primarySuppression, protectTable).\n",
  "  peak RSS +: growth of the child's resident-set peak over the first call, malloc included (GLPK, HiGHS); R heap +: growth of R's heap peak (gc).\n",
  "  suppressed: over all cells, totals included; students hidden: the sum of the suppressed cells' true values.\n",
  "  unprotected: primary cells that audit_disclosure() (linear programming) pins to an interval narrower than 1,\n",
  "    given every published number and, for each primary cell, that it is 1-", max_n, " (the attacker disclose() protects against);\n",
  "    (blank): the same when primary cells are published blank like complementary ones (only run when the first finds any).\n"))
