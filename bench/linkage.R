# bench/linkage.R: origin_at_age() and link_register() against data.table.
#
# Run from the repository root after installing the package:
#   Rscript bench/linkage.R             (or: make bench)
#   BENCH_NATIONAL=1 Rscript bench/linkage.R   (adds the national scale, minutes)
#
# Generates, with a fixed seed, 2 million persons and about 10 million
# address spells (contiguous histories with moves, the last spell open,
# about 1% extra overlapping spells and 1% gaps), with the spell rows
# shuffled, and a register of 1.5 million rows. Then, in one process:
#
# - origin: spreiding::origin_at_age(persons, addresses, age = 16) against a
#   data.table non-equi join (reference date, NA end -> far future, join,
#   latest start / latest end / last row wins, one row per person in input
#   order, status found / overlap_resolved / no_address / no_birth_date);
# - register: spreiding::link_register(persons, register) against a
#   data.table equi-join, min date per (id, type), dcast, join to persons.
#
# The two results must be identical (the script stops and prints the first
# differing persons if not). It reports the median time over rounds in which
# the tools take turns, the ratio data.table / spreiding (> 1: spreiding is
# faster), the memory R allocated during one call, and peak RSS growth
# measured in a fresh Rscript child process per tool (which also sees
# malloc). Every timed call includes all preparation: nothing is sorted,
# keyed or indexed beforehand.
#
# Environment: BENCH_PERSONS sets the number of persons (default 2e6; spells
# and register rows scale with it), BENCH_ROUNDS the number of timing rounds
# (default 3), BENCH_NATIONAL=1 adds a run at 18 million persons and about
# 90 million spells, each tool in its own child process (BENCH_NATIONAL_PERSONS
# changes the 18e6). data.table honours R_DATATABLE_NUM_THREADS.
#
# Internal modes, used by the script itself to start child processes:
#   Rscript bench/linkage.R --generate N FILE
#   Rscript bench/linkage.R --child TOOL TASK DATA_FILE OUT_FILE [keep]

# The anchor is not a package dependency; `make bench` installs it.
if (!requireNamespace("data.table", quietly = TRUE)) {
  stop(
    "bench/linkage.R needs the anchor package 'data.table', which is not a ",
    "dependency of spreiding. Install it (Debian: apt-get install ",
    "r-cran-data.table; or install.packages(\"data.table\")), or run ",
    "`make bench`.",
    call. = FALSE
  )
}

suppressPackageStartupMessages(library(data.table))

args <- commandArgs(trailingOnly = TRUE)
mode <- if (length(args) && args[[1L]] %in% c("--generate", "--child")) {
  args[[1L]]
} else {
  "main"
}

if (mode != "--generate" && !requireNamespace("spreiding", quietly = TRUE)) {
  stop("spreiding is not installed: run `make install` first.", call. = FALSE)
}

script_path <- local({
  file_arg <- grep("^--file=", commandArgs(trailingOnly = FALSE), value = TRUE)
  if (length(file_arg) == 1L) {
    normalizePath(sub("^--file=", "", file_arg))
  } else {
    file.path(getwd(), "bench", "linkage.R")
  }
})

seed <- 20240229L
age <- 16L
outcomes <- c(doctor = "arts", gp = "huisarts")
status_levels <- c("found", "overlap_resolved", "gap_filled", "no_address",
                   "no_birth_date")

# ---------------------------------------------------------------------------
# Data
# ---------------------------------------------------------------------------

as_date <- function(days) structure(as.double(days), class = "Date")

# Persons, address spells and a register, all from one fixed seed. Per 1
# million persons: about 5 million spells and 0.75 million register rows.
#
# persons:   id (integer, unique, 9 digits, random order), birth_date (Date,
#            1960-2005, 0.1% NA).
# addresses: id, start, end (Date; a spell covers start <= d < end; end NA on
#            the last spell), postcode (integer PC4 in 1011:9999).
#            Histories start at birth; 10% of persons (immigrants) arrive at
#            a random later date and 0.5% have no spell at all. 1 + Poisson(4)
#            spells per person, so 4 moves on average, each on a day drawn
#            uniformly over the history, or (40%) between age 18 and 30.
#            Moves on the same day give zero-length spells, which cover no
#            day. Gaps: 1% of the closed spells end 1-365 days before the
#            next one starts. Overlaps: 1% extra spells, each overlapping a
#            random spell of the same person: 80% start inside it and last
#            1-730 days, 10% share its start (another end), 5% duplicate its
#            start and end (another postcode: only the row order decides),
#            5% start inside it and stay open (end NA).
#            The rows are shuffled at the end.
# register:  id (95% persons, 5% ids outside the cohort), type ("arts" 45%,
#            "huisarts" 20%, "other" 35%), date (Date, 1985-2023).
generate_linkage_data <- function(n_persons, seed) {
  set.seed(seed, kind = "Mersenne-Twister", normal.kind = "Inversion",
           sample.kind = "Rejection")
  day <- function(x) as.integer(as.Date(x))
  horizon <- day("2024-01-01")
  n <- as.integer(n_persons)

  id <- 100000000L + sample.int(899999999L, n)
  birth <- day("1960-01-01") +
    as.integer(stats::runif(n) * (day("2006-01-01") - day("1960-01-01")))
  arrive <- birth
  immigrant <- which(stats::runif(n) < 0.10)
  arrive[immigrant] <- birth[immigrant] + as.integer(
    stats::runif(length(immigrant)) * (horizon - 30L - birth[immigrant])
  )
  k <- (1L + stats::rpois(n, 4)) * (stats::runif(n) >= 0.005)

  # Move days, then sorted within person (pm is already sorted).
  pm <- rep.int(seq_len(n), pmax(k - 1L, 0L))
  u <- stats::runif(length(pm))
  lo <- arrive[pm] + 1L
  move <- lo + as.integer(u * (horizon - lo))
  young_lo <- pmax(lo, birth[pm] + 6575L)              # age 18
  young_hi <- pmin(horizon - 1L, birth[pm] + 10958L)   # age 30
  young <- which(stats::runif(length(pm)) < 0.4 & young_hi > young_lo)
  move[young] <- young_lo[young] +
    as.integer(u[young] * (young_hi[young] - young_lo[young]))
  move <- move[order(pm, move, method = "radix")]
  rm(pm, u, lo, young_lo, young_hi, young)

  # Contiguous histories: each spell ends where the next one starts.
  pid <- rep.int(seq_len(n), k)
  s <- length(pid)
  is_first <- c(TRUE, pid[-1L] != pid[-s])
  is_last <- c(pid[-1L] != pid[-s], TRUE)
  start <- integer(s)
  start[is_first] <- arrive[k > 0L]
  start[!is_first] <- move
  end <- rep.int(NA_integer_, s)
  end[!is_last] <- move
  rm(move, is_first)

  # Gaps: shorten 1% of the closed spells by 1-365 days (they stay >= 1 day).
  closed <- which(!is_last & end - start >= 2L)
  gap <- closed[sample.int(length(closed), round(0.01 * s))]
  end[gap] <- end[gap] - 1L - as.integer(
    stats::runif(length(gap)) * pmin(365L, end[gap] - start[gap] - 1L)
  )
  rm(closed, gap, is_last)

  # Overlaps: 1% extra spells, each on top of a random spell.
  n_extra <- round(0.01 * s)
  base <- sample.int(s, n_extra)
  base_end <- end[base]
  base_len <- pmax(ifelse(is.na(base_end), horizon, base_end) - start[base], 1L)
  kind <- sample.int(4L, n_extra, replace = TRUE, prob = c(80, 10, 5, 5))
  x_start <- start[base] + as.integer(stats::runif(n_extra) * base_len)
  x_end <- x_start + 1L + as.integer(stats::runif(n_extra) * 730)
  same <- kind == 2L | kind == 3L
  x_start[same] <- start[base][same]
  x_end[kind == 2L] <- x_start[kind == 2L] + 1L +
    as.integer(stats::runif(sum(kind == 2L)) * 3650)
  x_end[kind == 3L] <- base_end[kind == 3L]
  x_end[kind == 4L] <- NA_integer_

  pid <- c(pid, pid[base])
  start <- c(start, x_start)
  end <- c(end, x_end)
  rm(base, base_end, base_len, kind, x_start, x_end, same)
  s <- length(pid)
  postcode <- 1010L + sample.int(8989L, s, replace = TRUE)

  shuffle <- sample.int(s)
  addresses <- data.frame(
    id = id[pid][shuffle],
    start = as_date(start[shuffle]),
    end = as_date(end[shuffle]),
    postcode = postcode[shuffle]
  )
  rm(pid, start, end, postcode, shuffle)

  birth <- as_date(birth)
  birth[stats::runif(n) < 0.001] <- NA
  persons <- data.frame(id = id, birth_date = birth)

  n_reg <- round(0.75 * n)
  reg_id <- id[sample.int(n, n_reg, replace = TRUE)]
  outside <- which(stats::runif(n_reg) < 0.05)
  reg_id[outside] <- sample.int(99999999L, length(outside), replace = TRUE)
  register <- data.frame(
    id = reg_id,
    type = sample(c("arts", "huisarts", "other"), n_reg, replace = TRUE,
                  prob = c(45, 20, 35)),
    date = as_date(day("1985-01-01") +
                     as.integer(stats::runif(n_reg) * (horizon - day("1985-01-01"))))
  )

  list(persons = persons, addresses = addresses, register = register)
}

# ---------------------------------------------------------------------------
# The two tasks, spreiding and data.table
# ---------------------------------------------------------------------------

run_spreiding_origin <- function(d, age = 16L) {
  spreiding::origin_at_age(d$persons, d$addresses, age = age)
}

run_spreiding_register <- function(d) {
  spreiding::link_register(d$persons, d$register)
}

# The day a person turns `age`: same month and day, `age` years later; 29
# February becomes 28 February in a year that is not a leap year. Base R
# (data.table has no date arithmetic of its own), vectorised through
# POSIXlt fields: as.Date() of a POSIXlt normalises 29 Feb of a common year
# to 1 March, hence the fix before it.
reference_date <- function(birth, age) {
  lt <- as.POSIXlt(birth)
  year <- lt$year + as.integer(age)
  y <- year + 1900L
  leap <- (y %% 4L == 0L & y %% 100L != 0L) | y %% 400L == 0L
  feb29 <- which(lt$mon == 1L & lt$mday == 29L & !leap)
  lt$year <- year
  lt$mday[feb29] <- 28L
  as.Date(lt)
}

# The data.table anchor for origin_at_age(). setDT() on fresh lists over the
# input columns: no input column is copied, and the inputs are not modified.
# Timed: the reference date, the NA end -> far-future replacement (a new
# 10-million vector: origin_at_age handles NA itself), the non-equi join
# (data.table sorts/indexes the spells itself, inside the join), the
# tie-break sort of the matches, and building the output.
far_future <- as.Date("9999-12-31")
run_datatable_origin <- function(d, age = 16L) {
  persons <- d$persons
  addresses <- d$addresses
  birth <- persons[["birth_date"]]
  np <- nrow(persons)
  p <- setDT(list(id = persons[["id"]], ref = reference_date(birth, age),
                  pi = seq_len(np)))
  a <- setDT(list(id = addresses[["id"]], start = addresses[["start"]],
                  end = fcoalesce(addresses[["end"]], far_future),
                  row = seq_len(nrow(addresses))))
  m <- a[p, on = .(id, start <= ref, end > ref), nomatch = NULL,
         .(pi = i.pi, s = x.start, e = x.end, xrow = x.row)]
  # Latest start, then latest end (NA is now the far future), then the
  # later row of `addresses`.
  setorderv(m, c("pi", "s", "e", "xrow"), order = c(1L, -1L, -1L, -1L))
  top <- m[, .(n = .N, xrow = xrow[1L]), by = pi]
  row <- rep.int(NA_integer_, np)
  row[top$pi] <- top$xrow
  status <- rep.int(4L, np)                       # no_address
  status[top$pi] <- ifelse(top$n > 1L, 2L, 1L)    # overlap_resolved / found
  no_birth <- which(is.na(birth))
  row[no_birth] <- NA_integer_
  status[no_birth] <- 5L                          # no_birth_date
  out <- persons
  out$origin <- addresses[["postcode"]][row]
  out$origin_status <- structure(status, levels = status_levels,
                                 class = "factor")
  out
}

# The data.table anchor for link_register(): rows of the two outcome types,
# first date per (id, type) (GForce min), dcast to one row per id, then a
# join on persons' ids, which keeps persons' order. Timed from the raw
# register; setDT() on fresh lists, no input column copied.
run_datatable_register <- function(d) {
  persons <- d$persons
  register <- d$register
  r <- setDT(list(id = register[["id"]], type = register[["type"]],
                  date = register[["date"]]))
  first <- r[type %chin% outcomes, .(date = min(date)), by = .(id, type)]
  wide <- dcast(first, id ~ type, value.var = "date")
  p <- setDT(list(id = persons[["id"]]))
  j <- wide[p, on = "id"]
  out <- persons
  for (k in names(outcomes)) {
    date <- j[[outcomes[[k]]]]
    if (is.null(date)) date <- as_date(rep.int(NA_real_, nrow(p)))
    out[[paste0("became_", k)]] <- !is.na(date)
    out[[paste0(k, "_date")]] <- date
  }
  out
}

runners <- list(
  origin = list(spreiding = run_spreiding_origin,
                data.table = run_datatable_origin),
  register = list(spreiding = run_spreiding_register,
                  data.table = run_datatable_register)
)

# ---------------------------------------------------------------------------
# Memory of this process (Linux)
# ---------------------------------------------------------------------------

proc_bytes <- function(field) {
  if (!file.exists("/proc/self/status")) return(NA_real_)
  status <- readLines("/proc/self/status")
  line <- grep(paste0("^", field, ":"), status, value = TRUE)
  if (!length(line)) return(NA_real_)
  as.numeric(gsub("[^0-9]", "", line)) * 1024
}

reset_peak <- function() {
  tryCatch({
    cat("5\n", file = "/proc/self/clear_refs")
    TRUE
  }, error = function(e) FALSE, warning = function(w) FALSE)
}

# ---------------------------------------------------------------------------
# Child processes
# ---------------------------------------------------------------------------

# --generate N FILE: generate the data and save it, uncompressed, to FILE.
if (mode == "--generate") {
  t <- system.time(d <- generate_linkage_data(as.numeric(args[[2L]]), seed))
  saveRDS(d, args[[3L]], compress = FALSE)
  cat(sprintf("generated in %.1f s, peak RSS %.1f GB\n", t[["elapsed"]],
              proc_bytes("VmHWM") / 1e9))
  quit(save = "no", status = 0L)
}

# --child TOOL TASK DATA OUT [keep]: load the data, note the resident size,
# reset the resident peak, run the tool once, note the peak. The tool's
# package is loaded before the baseline, so its code is not counted.
if (mode == "--child") {
  tool <- args[[2L]]
  task <- args[[3L]]
  keep <- length(args) >= 6L && args[[6L]] == "keep"
  if (tool == "spreiding") loadNamespace("spreiding")
  d <- readRDS(args[[4L]])
  invisible(gc())
  rss_before <- proc_bytes("VmRSS")
  reset <- reset_peak()
  hwm_before <- proc_bytes("VmHWM")
  t <- system.time(res <- runners[[task]][[tool]](d), gcFirst = FALSE)
  hwm_after <- proc_bytes("VmHWM")
  cols <- if (task == "origin") {
    c("origin", "origin_status")
  } else {
    c(paste0("became_", names(outcomes)), paste0(names(outcomes), "_date"))
  }
  saveRDS(list(
    time = t[["elapsed"]], rss_before = rss_before, hwm_before = hwm_before,
    hwm_after = hwm_after, reset = reset,
    result = if (keep) unclass(res)[cols]
  ), args[[5L]])
  quit(save = "no", status = 0L)
}
