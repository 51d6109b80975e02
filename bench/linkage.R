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
# spreiding shows a cli progress bar for calls over 2 seconds; keep it out of
# the report (only the drawing is skipped, the work is the same).
options(cli.progress_show_after = Inf)

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

source(file.path(dirname(script_path), "common.R"))

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

# The data.table anchors for origin_at_age(). setDT() on fresh lists over
# the input columns: no input column is copied and the inputs are not
# modified. Timed: the reference date, the join (data.table sorts and
# indexes the unsorted spells itself, inside the join), the tie-break sort of
# the matches, and building the output. A row-number column is added to the
# spells because `.I` in a join's j is not x's row number.

# Matches (i row, start, end, address row) -> one row per person: latest
# start, then latest end (NA, or the far-future date that replaced it,
# first), then the later row of `addresses`. GForce counts the matches and
# takes the first.
resolve_matches <- function(m, persons, addresses, birth) {
  np <- nrow(persons)
  setorderv(m, c("pi", "s", "e", "xrow"), order = c(1L, -1L, -1L, -1L),
            na.last = FALSE)
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

# The idiomatic one: end NA -> far future (a new vector as long as the
# spells, timed: origin_at_age handles NA itself), then the non-equi join
# addresses[persons, on = .(id, start <= ref, end > ref)].
far_future <- as.Date("9999-12-31")
run_datatable_origin <- function(d, age = 16L) {
  persons <- d$persons
  addresses <- d$addresses
  birth <- persons[["birth_date"]]
  p <- setDT(list(id = persons[["id"]], ref = reference_date(birth, age),
                  pi = seq_len(nrow(persons))))
  a <- setDT(list(id = addresses[["id"]], start = addresses[["start"]],
                  end = fcoalesce(addresses[["end"]], far_future),
                  row = seq_len(nrow(addresses))))
  m <- a[p, on = .(id, start <= ref, end > ref), nomatch = NULL,
         .(pi = i.pi, s = x.start, e = x.end, xrow = x.row)]
  resolve_matches(m, persons, addresses, birth)
}

# The faster one here: equi join on id (every spell of the person, about 5),
# then keep the spells that cover the reference date (end NA kept as is).
run_datatable_equi_origin <- function(d, age = 16L) {
  persons <- d$persons
  addresses <- d$addresses
  birth <- persons[["birth_date"]]
  p <- setDT(list(id = persons[["id"]], ref = reference_date(birth, age),
                  pi = seq_len(nrow(persons))))
  a <- setDT(list(id = addresses[["id"]], start = addresses[["start"]],
                  end = addresses[["end"]], row = seq_len(nrow(addresses))))
  m <- a[p, on = "id", nomatch = NULL,
         .(pi = i.pi, ref = i.ref, s = x.start, e = x.end, xrow = x.row)]
  m <- m[s <= ref & (is.na(e) | e > ref)]
  resolve_matches(m, persons, addresses, birth)
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
                data.table = run_datatable_origin,
                data.table_equi = run_datatable_equi_origin),
  register = list(spreiding = run_spreiding_register,
                  data.table = run_datatable_register)
)

# ---------------------------------------------------------------------------
# Memory of this process (Linux)
# ---------------------------------------------------------------------------



# ---------------------------------------------------------------------------
# Child processes
# ---------------------------------------------------------------------------

# --generate N FILE: generate the data and save it, uncompressed, to FILE.
if (mode == "--generate") {
  t <- system.time(d <- generate_linkage_data(as.numeric(args[[2L]]), seed))
  saveRDS(d, args[[3L]], compress = FALSE)
  cat(sprintf("%.0f %.0f %.0f %.3f %.0f\n", nrow(d$persons),
              nrow(d$addresses), nrow(d$register), t[["elapsed"]],
              proc_bytes("VmHWM")))
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

# ---------------------------------------------------------------------------
# Main: data, agreement, peak memory in children, timing, report
# ---------------------------------------------------------------------------

has_bench <- requireNamespace("bench", quietly = TRUE)
rscript <- file.path(R.home("bin"), "Rscript")
# Children must load the same spreiding and data.table as this process.
Sys.setenv(R_LIBS = paste(.libPaths(), collapse = .Platform$path.sep))

tool_label <- list(
  origin = c(spreiding = "spreiding",
             data.table = "data.table non-equi join",
             data.table_equi = "data.table equi join + filter"),
  register = c(spreiding = "spreiding",
               data.table = "data.table join + min + dcast")
)
task_label <- c(origin = "origin_at_age(persons, addresses, age = 16)",
                register = "link_register(persons, register)")

n_persons <- as.numeric(Sys.getenv("BENCH_PERSONS", "2e6"))
t_generate <- system.time(d <- generate_linkage_data(n_persons, seed))
invisible(gc())

bytes_of <- function(x) as.numeric(utils::object.size(x))
input_bytes <- c(origin = bytes_of(d$persons) + bytes_of(d$addresses),
                 register = bytes_of(d$persons) + bytes_of(d$register))
input_frames <- list(origin = c("persons", "addresses"),
                     register = c("persons", "register"))

# Runs f once with tracemem on every input column of the task; returns the
# result and the input columns R duplicated ("frame$column").
run_traced <- function(f, task) {
  cols <- unlist(lapply(input_frames[[task]], function(fr) {
    stats::setNames(lapply(names(d[[fr]]), function(nm) d[[fr]][[nm]]),
                    paste0(fr, "$", names(d[[fr]])))
  }), recursive = FALSE)
  addr <- vapply(cols, function(x) gsub("[<>]", "", tracemem(x)), "")
  on.exit(for (x in cols) untracemem(x))
  log <- utils::capture.output(res <- f(d))
  copied <- names(addr)[vapply(addr, function(a) {
    any(grepl(paste0("tracemem[", a, " ->"), log, fixed = TRUE))
  }, NA)]
  list(result = res, copied = copied)
}

traced <- lapply(stats::setNames(names(runners), names(runners)), function(task) {
  lapply(stats::setNames(names(runners[[task]]), names(runners[[task]])),
         function(tool) {
    tryCatch(run_traced(runners[[task]][[tool]], task), error = function(e) {
      stop(tool, " failed on the ", task, " benchmark data: ",
           conditionMessage(e), call. = FALSE)
    })
  })
})

# --- Agreement --------------------------------------------------------------

fail <- function(ours_name, anchor_name, ...) {
  stop(ours_name, " disagrees with ", anchor_name, ": ", ..., call. = FALSE)
}

check_frame_shape <- function(ours, anchor, cols, ours_name, anchor_name) {
  if (!is.data.frame(ours) || inherits(ours, c("data.table", "tbl_df"))) {
    fail(ours_name, anchor_name, "result has class ",
         paste(class(ours), collapse = "/"), ", not a plain data.frame")
  }
  missing <- setdiff(cols, names(ours))
  if (length(missing)) {
    fail(ours_name, anchor_name, "missing column(s) ",
         paste(missing, collapse = ", "), "; it has ",
         paste(names(ours), collapse = ", "))
  }
  if (nrow(ours) != nrow(d$persons)) {
    fail(ours_name, anchor_name, nrow(ours), " rows, persons has ",
         nrow(d$persons))
  }
  for (col in names(d$persons)) {
    if (!identical(ours[[col]], d$persons[[col]])) {
      fail(ours_name, anchor_name, "persons column `", col,
           "` changed or reordered")
    }
  }
}

differ <- function(a, b) {
  na_a <- is.na(a)
  na_b <- is.na(b)
  (na_a != na_b) | (!na_a & !na_b & a != b)
}

# Prints the first differing persons with all their spells, then stops.
compare_origin <- function(ours, anchor, ours_name, anchor_name, age) {
  check_frame_shape(ours, anchor, c("origin", "origin_status"), ours_name,
                    anchor_name)
  if (!identical(class(ours$origin), class(anchor$origin)) ||
      typeof(ours$origin) != typeof(anchor$origin)) {
    fail(ours_name, anchor_name, "`origin` is ", typeof(ours$origin), "/",
         paste(class(ours$origin), collapse = "/"), ", ", anchor_name,
         "'s is ", typeof(anchor$origin), "/",
         paste(class(anchor$origin), collapse = "/"))
  }
  if (!identical(levels(ours$origin_status), status_levels)) {
    fail(ours_name, anchor_name, "`origin_status` levels are ",
         paste(levels(ours$origin_status), collapse = ", "))
  }
  bad <- which(differ(ours$origin, anchor$origin) |
                 differ(as.character(ours$origin_status),
                        as.character(anchor$origin_status)))
  if (!length(bad)) return(invisible(TRUE))
  ref <- reference_date(d$persons$birth_date, age)
  for (i in utils::head(bad, 5L)) {
    rows <- which(d$addresses$id == d$persons$id[i])
    spells <- d$addresses[rows, ]
    spells$row <- rows
    spells$covers <- spells$start <= ref[i] &
      (is.na(spells$end) | spells$end > ref[i])
    cat(sprintf(
      "person row %d, id %d, born %s, reference date %s: %s gives %s (%s), %s gives %s (%s); spells:\n",
      i, d$persons$id[i], format(d$persons$birth_date[i]), format(ref[i]),
      ours_name, format(ours$origin[i]), ours$origin_status[i], anchor_name,
      format(anchor$origin[i]), anchor$origin_status[i]))
    print(spells[order(spells$start), ], row.names = FALSE)
  }
  fail(ours_name, anchor_name, "origin or status differs for ", length(bad),
       " of ", nrow(d$persons), " persons at age ", age,
       "; first at person row ", bad[1L], " (printed above)")
}

register_cols <- c(rbind(paste0("became_", names(outcomes)),
                         paste0(names(outcomes), "_date")))

compare_register <- function(ours, anchor, ours_name, anchor_name) {
  check_frame_shape(ours, anchor, register_cols, ours_name, anchor_name)
  for (col in register_cols) {
    if (!identical(class(ours[[col]]), class(anchor[[col]])) ||
        typeof(ours[[col]]) != typeof(anchor[[col]])) {
      fail(ours_name, anchor_name, "`", col, "` is ", typeof(ours[[col]]),
           "/", paste(class(ours[[col]]), collapse = "/"))
    }
    bad <- which(differ(ours[[col]], anchor[[col]]))
    if (length(bad)) {
      i <- bad[1L]
      rows <- which(d$register$id == d$persons$id[i])
      print(d$register[rows, ], row.names = FALSE)
      fail(ours_name, anchor_name, "`", col, "` differs for ", length(bad),
           " persons; first at person row ", i, ", id ", d$persons$id[i],
           ": ", format(ours[[col]][i]), " vs ", format(anchor[[col]][i]),
           " (the person's register rows are printed above)")
    }
  }
  invisible(TRUE)
}

results <- lapply(traced, function(t) lapply(t, `[[`, "result"))

# Anchors against each other first, so a failure is pinned on the right tool.
compare_origin(results$origin$data.table_equi, results$origin$data.table,
               "data.table equi join", "data.table non-equi join", age)
compare_origin(results$origin$spreiding, results$origin$data.table,
               "spreiding::origin_at_age()", "data.table", age)
compare_register(results$register$spreiding, results$register$data.table,
                 "spreiding::link_register()", "data.table")

# Untimed extra checks. Age 17 exercises the 29 February rule (at 16 a
# person born on 29 February turns 16 in a leap year, from 1960 to 2005).
compare_origin(spreiding::origin_at_age(d$persons, d$addresses, age = 17),
               run_datatable_origin(d, age = 17L),
               "spreiding::origin_at_age(age = 17)", "data.table", 17L)
censor <- as.Date("2015-01-01")
local({
  r <- setDT(list(id = d$register$id, type = d$register$type,
                  date = d$register$date))
  dc <- d
  dc$register <- r[date <= censor]
  setDF(dc$register)
  compare_register(
    spreiding::link_register(d$persons, d$register, censor = censor),
    run_datatable_register(dc),
    "spreiding::link_register(censor = 2015-01-01)",
    "data.table on rows dated <= 2015-01-01"
  )
})
feb29 <- sum(format(d$persons$birth_date, "%m-%d") == "02-29", na.rm = TRUE)

# --- Peak resident memory, one fresh child process per tool -----------------

data_file <- tempfile("linkage-", fileext = ".rds")
t_save <- system.time(saveRDS(d, data_file, compress = FALSE))

# Runs one tool once in a fresh Rscript; returns its time and memory, or
# ok = FALSE with the exit status and the end of its output.
run_child <- function(tool, task, file, keep = FALSE) {
  out <- tempfile("linkage-out-", fileext = ".rds")
  log <- tempfile("linkage-log-")
  on.exit(unlink(c(out, log)))
  status <- suppressWarnings(system2(
    rscript,
    c(shQuote(script_path), "--child", tool, task, shQuote(file),
      shQuote(out), if (keep) "keep"),
    stdout = log, stderr = log
  ))
  if (!identical(as.integer(status), 0L) || !file.exists(out)) {
    msg <- if (file.exists(log)) utils::tail(readLines(log, warn = FALSE), 3L)
    return(list(ok = FALSE, status = status,
                message = paste(c(msg, if (identical(as.integer(status), 137L))
                  "(exit status 137: killed, probably out of memory)"),
                  collapse = " | ")))
  }
  res <- readRDS(out)
  res$ok <- TRUE
  res$growth <- if (isTRUE(res$reset) || res$hwm_after > res$hwm_before) {
    max(res$hwm_after - res$rss_before, 0)
  } else {
    NA_real_
  }
  res
}

children <- lapply(stats::setNames(names(runners), names(runners)), function(task) {
  lapply(stats::setNames(names(runners[[task]]), names(runners[[task]])),
         function(tool) run_child(tool, task, data_file))
})
for (task in names(children)) for (tool in names(children[[task]])) {
  if (!children[[task]][[tool]]$ok) {
    stop(tool, " failed in its child process (", task, "): ",
         children[[task]][[tool]]$message, call. = FALSE)
  }
}
reset_ok <- all(unlist(lapply(children, function(t) lapply(t, `[[`, "reset"))))

# --- Timing -------------------------------------------------------------------

# Other processes may share the machine, so the tools take turns: several
# rounds, each timing every tool in a rotated order; the median is over all
# iterations of a tool pooled, at least 3. mem_alloc is from the first round.
n_rounds <- max(1L, as.integer(Sys.getenv("BENCH_ROUNDS", "3")))
min_iter <- as.integer(ceiling(3 / n_rounds))




load_before <- load_average()
timing <- lapply(stats::setNames(names(runners), names(runners)), function(task) {
  tools <- names(runners[[task]])
  k <- length(tools)
  rounds <- lapply(seq_len(n_rounds), function(r) {
    order <- tools[(seq_len(k) + r - 2L) %% k + 1L]
    mark_tools(runners[[task]][order], min_iter, d)
  })
  do.call(rbind, lapply(tools, function(tool) {
    times <- unlist(lapply(rounds, function(r) r[[tool]]$time))
    data.frame(tool = tool, median = stats::median(times), min = min(times),
               mem_alloc = rounds[[1L]][[tool]]$mem_alloc,
               n_itr = length(times))
  }))
})
load_after <- load_average()
timing_how <- sprintf(
  "%s, %d rounds in rotated order, median over all iterations",
  if (has_bench) {
    sprintf("bench::mark %s (min_iterations = %d, filter_gc = FALSE)",
            utils::packageVersion("bench"), min_iter)
  } else {
    sprintf("system.time() x %d per round (bench not installed)", min_iter)
  },
  n_rounds
)

# --- Report -------------------------------------------------------------------


print_table <- function(x) {
  old <- options(width = 200)
  on.exit(options(old))
  print(x, right = FALSE, row.names = FALSE)
}

report_task <- function(task) {
  tm <- timing[[task]]
  ours <- tm$median[tm$tool == "spreiding"]
  growth <- vapply(children[[task]], `[[`, 0, "growth")
  copied <- vapply(traced[[task]], function(t) {
    if (length(t$copied)) paste(t$copied, collapse = ",") else "none"
  }, "")
  out <- data.frame(
    tool = tool_label[[task]][tm$tool],
    median = fmt_time(tm$median),
    min = fmt_time(tm$min),
    `data.table/spreiding` = sprintf("%.2f", tm$median / ours),
    mem_alloc = fmt_mb(tm$mem_alloc),
    `alloc/input` = sprintf("%.0f%%", 100 * tm$mem_alloc / input_bytes[[task]]),
    `peak RSS +` = fmt_mb(growth[tm$tool]),
    `cols copied` = copied[tm$tool],
    threads = ifelse(tm$tool == "spreiding", "-", as.character(getDTthreads())),
    iterations = tm$n_itr,
    check.names = FALSE, row.names = NULL
  )
  out$`data.table/spreiding`[tm$tool == "spreiding"] <- "-"
  cat(task_label[[task]], "\n", sep = "")
  print_table(out)
  cat("\n")
}

origin_status <- table(results$origin$spreiding$origin_status)
a <- d$addresses
cat("linkage benchmark\n")
cat(sprintf("  R %s; spreiding %s, data.table %s%s; %d cores, %s memory\n",
            getRversion(), utils::packageVersion("spreiding"),
            utils::packageVersion("data.table"),
            if (has_bench) paste0(", bench ", utils::packageVersion("bench")) else "",
            parallel::detectCores(),
            fmt_gb(1024 * as.numeric(gsub("[^0-9]", "", grep("^MemTotal:",
              readLines("/proc/meminfo"), value = TRUE))))))
cat(sprintf("  seed %d; generated in %.1f s\n", seed, t_generate[["elapsed"]]))
cat(sprintf("  persons: %s (id integer, birth_date Date 1960-2005, %s NA, %s born on 29 Feb), input order kept\n",
            format(nrow(d$persons), big.mark = ","),
            format(sum(is.na(d$persons$birth_date)), big.mark = ","),
            format(feb29, big.mark = ",")))
cat(sprintf("  addresses: %s spells (%.2f per person; %.1f%% open, %s zero-length), rows shuffled, postcode integer PC4 1011-9999\n",
            format(nrow(a), big.mark = ","), nrow(a) / nrow(d$persons),
            100 * mean(is.na(a$end)),
            format(sum(!is.na(a$end) & a$end == a$start), big.mark = ",")))
cat(sprintf("  register: %s rows (%s), %s of them for ids outside the cohort\n",
            format(nrow(d$register), big.mark = ","),
            paste(sprintf("%s %s", names(table(d$register$type)),
                          prettyNum(as.vector(table(d$register$type)),
                                    big.mark = ",")), collapse = ", "),
            format(sum(!d$register$id %in% d$persons$id), big.mark = ",")))
cat(sprintf("  input: persons + addresses = %s; persons + register = %s; nothing sorted, keyed or indexed\n",
            fmt_mb(input_bytes[["origin"]]), fmt_mb(input_bytes[["register"]])))
cat("  origin_status at 16:",
    paste(sprintf("%s %s", names(origin_status),
                  prettyNum(as.vector(origin_status), big.mark = ",")),
          collapse = ", "), "\n")
cat("  results identical: origin and origin_status per person at age 16 (all three tools) and 17;",
    "became_*/ *_date per person, with and without censor = 2015-01-01\n")
cat(sprintf("  data.table: getDTthreads() = %d; setDT() on fresh lists over the input columns (no copy)\n",
            getDTthreads()))
cat("  timing:", timing_how, "\n")
cat("  load average before / after timing:", load_before, "/", load_after,
    "\n")
cat(sprintf("  peak RSS +: one fresh Rscript per tool and task, reading the same data from an uncompressed .rds in tempdir (saved once, %.1f s)%s\n\n",
            t_save[["elapsed"]],
            if (reset_ok) "" else "; /proc/self/clear_refs NOT writable, so n/a where the tool's peak stayed below the loading peak"))

report_task("origin")
report_task("register")

cat(
  "  data.table/spreiding > 1 means spreiding is faster.\n",
  "  data.table non-equi join: end NA -> 9999-12-31 (fcoalesce, timed), then addresses[persons, on = .(id, start <= ref, end > ref)].\n",
  "  data.table equi join + filter: addresses[persons, on = \"id\"] (all of a person's spells), then start <= ref & (is.na(end) | end > ref).\n",
  "  Both: reference date with as.POSIXlt year arithmetic and the 29 Feb fix, setorderv + GForce .N / xrow[1L] for latest start/end/row, output built as a data.frame.\n",
  "  register: rows of the two types (%chin%), GForce min(date) by (id, type), dcast to one row per id, join on persons' ids.\n",
  "  mem_alloc: bytes R allocated during one call (Rprofmem; malloc'd scratch is not seen).\n",
  "  peak RSS +: growth of a fresh process's resident-set peak over one call, above the loaded input (VmHWM after /proc/self/clear_refs; malloc included).\n",
  "  cols copied: input columns R duplicated during the call (tracemem).\n\n",
  sep = ""
)

goal_lines <- function(anchor) {
  tm <- timing$origin
  ours <- tm$median[tm$tool == "spreiding"]
  theirs <- tm$median[tm$tool == anchor]
  speed <- theirs / ours
  mem_ours <- children$origin$spreiding$growth
  mem_theirs <- children$origin[[anchor]]$growth
  cat(sprintf(
    "RESULT: origin_at_age vs %s: %.2fx faster (%s vs %s; goal >= 1.5x: %s); peak RSS + %s vs %s = %.0f%% (goal <= 50%%: %s).\n",
    tool_label$origin[[anchor]], speed, fmt_time(ours), fmt_time(theirs),
    if (speed >= 1.5) "MET" else "NOT MET", fmt_mb(mem_ours),
    fmt_mb(mem_theirs), 100 * mem_ours / mem_theirs,
    if (!is.na(mem_ours) && !is.na(mem_theirs) && mem_ours <= 0.5 * mem_theirs) {
      "MET"
    } else {
      "NOT MET"
    }))
}
goal_lines("data.table")
goal_lines("data.table_equi")
tr <- timing$register
cat(sprintf("RESULT: link_register vs data.table: %.2fx faster (%s vs %s); peak RSS + %s vs %s.\n",
            tr$median[tr$tool == "data.table"] / tr$median[tr$tool == "spreiding"],
            fmt_time(tr$median[tr$tool == "spreiding"]),
            fmt_time(tr$median[tr$tool == "data.table"]),
            fmt_mb(children$register$spreiding$growth),
            fmt_mb(children$register$data.table$growth)))
unlink(data_file)

# ---------------------------------------------------------------------------
# National scale (BENCH_NATIONAL=1): 18 million persons, ~90 million spells
# ---------------------------------------------------------------------------

# The data are generated once, in a child process, with the same seed and
# generator, and saved uncompressed to tempdir; every tool then runs once in
# its own fresh Rscript that reads that file. A tool that fails (an R error
# such as "cannot allocate vector", or killed by the kernel for lack of
# memory) is reported, not fatal.
if (identical(Sys.getenv("BENCH_NATIONAL"), "1")) {
  n_national <- as.numeric(Sys.getenv("BENCH_NATIONAL_PERSONS", "18e6"))
  rm(d, results, traced)
  invisible(gc())
  mem_total <- 1024 * as.numeric(gsub("[^0-9]", "", grep(
    "^MemTotal:", readLines("/proc/meminfo"), value = TRUE)))
  nat_file <- tempfile("linkage-national-", fileext = ".rds")
  gen_log <- tempfile("linkage-generate-")
  cat(sprintf("\nnational scale: generating %s persons ...\n",
              fmt_n(n_national)))
  status <- suppressWarnings(system2(
    rscript, c(shQuote(script_path), "--generate",
               format(n_national, scientific = FALSE), shQuote(nat_file)),
    stdout = gen_log, stderr = gen_log
  ))
  gen_out <- readLines(gen_log, warn = FALSE)
  unlink(gen_log)
  if (!identical(as.integer(status), 0L)) {
    unlink(nat_file)
    stop("generating the national data failed (exit status ", status, "): ",
         paste(utils::tail(gen_out, 3L), collapse = " | "), call. = FALSE)
  }
  gen <- as.numeric(strsplit(utils::tail(gen_out, 1L), " ")[[1L]])
  nat <- lapply(stats::setNames(names(runners), names(runners)), function(task) {
    lapply(stats::setNames(names(runners[[task]]), names(runners[[task]])),
           function(tool) {
      cat(sprintf("  running %s: %s ...\n", task, tool_label[[task]][[tool]]))
      run_child(tool, task, nat_file, keep = TRUE)
    })
  })
  file_bytes <- file.size(nat_file)
  unlink(nat_file)

  # Agreement of each anchor that completed with spreiding.
  agreement <- function(task, tool) {
    a <- nat[[task]]$spreiding
    b <- nat[[task]][[tool]]
    if (tool == "spreiding") return("-")
    if (!a$ok || !b$ok) return("n/a")
    for (col in names(b$result)) {
      x <- a$result[[col]]
      y <- b$result[[col]]
      if (is.factor(x)) x <- as.character(x)
      if (is.factor(y)) y <- as.character(y)
      bad <- which(differ(x, y))
      if (length(bad) || !identical(class(x), class(y))) {
        i <- bad[1L]
        return(sprintf("DIFFERS: %s, %d persons, first row %d: %s vs %s", col,
                       length(bad), i, format(x[i]), format(y[i])))
      }
    }
    "identical"
  }

  rows <- do.call(rbind, lapply(names(nat), function(task) {
    do.call(rbind, lapply(names(nat[[task]]), function(tool) {
      r <- nat[[task]][[tool]]
      data.frame(
        task = task, tool = tool_label[[task]][[tool]],
        time = if (r$ok) fmt_time(r$time) else "FAILED",
        `peak RSS` = if (r$ok) fmt_gb(r$hwm_after) else "-",
        `peak RSS +` = if (r$ok) fmt_gb(r$growth) else "-",
        `vs spreiding` = agreement(task, tool),
        check.names = FALSE
      )
    }))
  }))

  cat(sprintf(
    "\nnational scale: %s persons, %s spells, %s register rows (seed %d; generated once in a child in %.0f s, peak RSS %s; saved uncompressed to tempdir, %s; each tool ran once in its own fresh Rscript reading that file); machine memory %s\n",
    fmt_n(gen[1L]), fmt_n(gen[2L]), fmt_n(gen[3L]), seed, gen[4L],
    fmt_gb(gen[5L]),
    fmt_gb(file_bytes), fmt_gb(mem_total)))
  print_table(rows)
  cat("  peak RSS: the child's resident peak, loaded input included; peak RSS +: its growth over one call.\n")
  for (task in names(nat)) for (tool in names(nat[[task]])) {
    r <- nat[[task]][[tool]]
    if (!r$ok) {
      cat(sprintf("  %s / %s failed: %s\n", task, tool_label[[task]][[tool]],
                  r$message))
    }
  }
  cat("\n")
  for (tool in setdiff(names(nat$origin), "spreiding")) {
    r <- nat$origin[[tool]]
    ours <- nat$origin$spreiding
    cat(sprintf(
      "RESULT (national): %s %s within the machine's %s%s.\n",
      tool_label$origin[[tool]],
      if (r$ok) "completed" else "did NOT complete", fmt_gb(mem_total),
      if (r$ok && ours$ok) {
        sprintf(" (peak RSS %s; origin_at_age %.2fx faster, peak RSS + %s vs %s)",
                fmt_gb(r$hwm_after), r$time / ours$time, fmt_gb(ours$growth),
                fmt_gb(r$growth))
      } else {
        ""
      }))
  }
}
