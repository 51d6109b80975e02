# bench/spatial.R: locate_points() and region_crosswalk() against sf.
#
# Run from the repository root after installing the package:
#   Rscript bench/spatial.R             (or: make bench)
#
# Uses the real CBS layers of the shared data (nl/nl_regions_rd.gpkg,
# EPSG:28992): the 4,068 PC4 areas of 2020 and the 28 AZW labour-market
# regions of 2023. Two tasks, each against sf with s2 off (planar, as the
# layers are in RD New):
#
# - points: which PC4 area holds each of 200,000 and 5,000,000 points drawn
#   uniformly (fixed seed) in the bounding box of the PC4 layer, which is the
#   bounding box of the Netherlands; about 43% of them fall on land in a PC4
#   area. spreiding::locate_points(points, pc4), which builds its index
#   inside the call, against sf::st_join(points, pc4["postcode"], join =
#   st_intersects), which builds its STRtree inside the call. sf gets its
#   points as an sf object made before timing (st_as_sf is not timed;
#   locate_points takes the coordinate columns as they are).
# - crosswalk: the share of each PC4 area in each AZW region.
#   spreiding::region_crosswalk(pc4, azw) against sf::st_intersection() +
#   sf::st_area() turned into the same shares, and against
#   sf::st_interpolate_aw(pc4["inwoners"], azw, extensive = TRUE), which
#   moves the PC4 population to the AZW regions by area: the crosswalk's
#   shares do the same, and are timed without that last sum.
#
# Before any timing the results must agree, or the script stops: every point
# gets the same PC4 area as sf, except points that sf finds in more than one
# area (overlapping PC4 polygons, or a point exactly on a shared boundary),
# which locate_points gives to one of them (the first in row order, or the
# one east of the boundary) -- they are counted and must be among sf's;
# crosswalk pairs identical, shares equal to 1e-6 (absolute), and the
# population moved to each AZW region equal to st_interpolate_aw's to 1e-6
# (relative).
#
# Timing: for 200,000 points and the crosswalk, bench::mark in this process
# in BENCH_ROUNDS rounds (default 3) in which the tools take turns. For
# 5,000,000 points, each tool runs once per round in a fresh Rscript child
# (sf takes about a minute), BENCH_BIG_ROUNDS rounds (default 1). Memory:
# mem_alloc (bytes R allocated in one call, from bench's Rprofmem; not
# malloc), and peak RSS growth over one call in a fresh Rscript child per
# tool and task (VmHWM after /proc/self/clear_refs, above the loaded input;
# malloc included; Linux only).
#
# Environment: SPREIDING_SHARED_DATA names the shared data directory (the one
# holding nl/nl_regions_rd.gpkg); default ../shared/data from the repository
# root. BENCH_POINTS sets the point counts (default "2e5,5e6"), BENCH_ROUNDS
# and BENCH_BIG_ROUNDS the rounds (counts of a million points or more are
# "big").
#
# Internal mode, used by the script itself to start child processes:
#   Rscript bench/spatial.R --child TASK TOOL N OUT_FILE [keep]

for (pkg in c("sf")) {
  if (!requireNamespace(pkg, quietly = TRUE)) {
    stop(
      "bench/spatial.R needs the anchor package '", pkg, "', which is not a ",
      "dependency of spreiding (only suggested). Install it (Debian: ",
      "apt-get install r-cran-sf; or install.packages(\"sf\")), or run ",
      "`make bench`.",
      call. = FALSE
    )
  }
}
if (!requireNamespace("spreiding", quietly = TRUE)) {
  stop("spreiding is not installed: run `make install` first.", call. = FALSE)
}
has_bench <- requireNamespace("bench", quietly = TRUE)
options(cli.progress_show_after = Inf)

args <- commandArgs(trailingOnly = TRUE)
mode <- if (length(args) && args[[1L]] == "--child") "child" else "main"

script_path <- local({
  file_arg <- grep("^--file=", commandArgs(trailingOnly = FALSE), value = TRUE)
  if (length(file_arg) == 1L) {
    normalizePath(sub("^--file=", "", file_arg))
  } else {
    file.path(getwd(), "bench", "spatial.R")
  }
})
repo_root <- dirname(dirname(script_path))
source(file.path(dirname(script_path), "common.R"))

seed <- 20230401L

# ---------------------------------------------------------------------------
# Data
# ---------------------------------------------------------------------------

find_layers <- function() {
  env <- Sys.getenv("SPREIDING_SHARED_DATA", "")
  roots <- if (nzchar(env)) c(env, file.path(env, "data")) else
    file.path(repo_root, "..", "shared", "data")
  hit <- file.path(roots, "nl", "nl_regions_rd.gpkg")
  hit <- hit[file.exists(hit)]
  if (!length(hit)) {
    stop("bench/spatial.R needs the shared CBS layers nl/nl_regions_rd.gpkg: ",
         "set SPREIDING_SHARED_DATA to the shared data directory (looked in ",
         paste(roots, collapse = ", "), ").", call. = FALSE)
  }
  normalizePath(hit[[1L]])
}
gpkg <- find_layers()

suppressPackageStartupMessages(library(sf))
invisible(suppressMessages(sf_use_s2(FALSE)))

read_layers <- function() {
  list(
    pc4 = spreiding::read_regions(gpkg, "pc4_cbs2020", id = "postcode"),
    azw = spreiding::read_regions(gpkg, "azw_regioplus_2023", id = "statcode"),
    pc4_sf = sf::st_read(gpkg, "pc4_cbs2020", quiet = TRUE),
    azw_sf = sf::st_read(gpkg, "azw_regioplus_2023", quiet = TRUE)
  )
}

# n points, uniform in the bounding box of the PC4 layer; the same in every
# process.
make_points <- function(n, layers) {
  set.seed(seed + as.integer(n %% 1e6), kind = "Mersenne-Twister",
           normal.kind = "Inversion", sample.kind = "Rejection")
  bb <- as.numeric(sf::st_bbox(layers$pc4_sf))
  data.frame(x = stats::runif(n, bb[1], bb[3]),
             y = stats::runif(n, bb[2], bb[4]))
}

points_sf <- function(pts, layers) {
  s <- sf::st_as_sf(pts, coords = c("x", "y"), crs = sf::st_crs(layers$pc4_sf))
  s$pid <- seq_len(nrow(pts))
  s[c("pid", attr(s, "sf_column"))]
}

# ---------------------------------------------------------------------------
# The tools
# ---------------------------------------------------------------------------

# `env` holds the inputs: layers, and pts / pts_sf for the points task.
runners <- list(
  points = list(
    spreiding = function(env) spreiding::locate_points(env$pts, env$layers$pc4),
    sf = function(env) {
      sf::st_join(env$pts_sf, env$layers$pc4_sf["postcode"],
                  join = sf::st_intersects)
    }
  ),
  crosswalk = list(
    spreiding = function(env) {
      suppressMessages(spreiding::region_crosswalk(env$layers$pc4,
                                                   env$layers$azw))
    },
    sf_intersection = function(env) {
      pc4 <- env$layers$pc4_sf
      x <- suppressWarnings(sf::st_intersection(pc4["postcode"],
                                                env$layers$azw_sf["statcode"]))
      a <- as.numeric(sf::st_area(x))
      keep <- a > 0
      data.frame(
        from_id = x$postcode[keep], to_id = x$statcode[keep],
        area_share = a[keep] /
          as.numeric(sf::st_area(pc4))[match(x$postcode[keep], pc4$postcode)]
      )
    },
    sf_interpolate_aw = function(env) {
      pc4 <- env$layers$pc4_sf["inwoners"]
      pc4$inwoners[is.na(pc4$inwoners)] <- 0
      suppressWarnings(sf::st_interpolate_aw(pc4, env$layers$azw_sf,
                                             extensive = TRUE))
    }
  )
)

tool_label <- c(
  spreiding = "spreiding", sf = "sf::st_join",
  sf_intersection = "sf::st_intersection + st_area",
  sf_interpolate_aw = "sf::st_interpolate_aw"
)

# ---------------------------------------------------------------------------
# Memory of this process (Linux)
# ---------------------------------------------------------------------------



# ---------------------------------------------------------------------------
# Child: --child TASK TOOL N OUT [keep]. Loads the inputs, notes the resident
# size, resets the resident peak, runs the tool once, notes the peak.
# ---------------------------------------------------------------------------

if (mode == "child") {
  task <- args[[2L]]
  tool <- args[[3L]]
  n <- as.numeric(args[[4L]])
  keep <- length(args) >= 6L && args[[6L]] == "keep"
  loadNamespace("spreiding")
  env <- new.env()
  env$layers <- read_layers()
  if (task == "points") {
    env$pts <- make_points(n, env$layers)
    if (tool == "sf") env$pts_sf <- points_sf(env$pts, env$layers)
  }
  invisible(gc())
  rss_before <- proc_bytes("VmRSS")
  reset <- reset_peak()
  hwm_before <- proc_bytes("VmHWM")
  t <- system.time(res <- runners[[task]][[tool]](env), gcFirst = FALSE)
  hwm_after <- proc_bytes("VmHWM")
  if (keep && task == "points" && tool == "sf") {
    res <- list(pid = res$pid, postcode = res$postcode)
  }
  saveRDS(list(time = t[["elapsed"]], rss_before = rss_before,
               hwm_before = hwm_before, hwm_after = hwm_after, reset = reset,
               result = if (keep) res), args[[5L]])
  quit(save = "no", status = 0L)
}

# ---------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------

rscript <- file.path(R.home("bin"), "Rscript")
# Children must load the same spreiding and sf as this process.
Sys.setenv(R_LIBS = paste(.libPaths(), collapse = .Platform$path.sep))

n_points <- as.numeric(strsplit(Sys.getenv("BENCH_POINTS", "2e5,5e6"),
                                ",")[[1L]])
n_rounds <- max(1L, as.integer(Sys.getenv("BENCH_ROUNDS", "3")))
n_big_rounds <- max(1L, as.integer(Sys.getenv("BENCH_BIG_ROUNDS", "1")))
is_big <- function(n) n >= 1e6

t_read <- system.time(layers <- read_layers())
env <- new.env()
env$layers <- layers

# Runs one tool once in a fresh Rscript; returns its time and memory.
run_child <- function(task, tool, n = 0, keep = FALSE) {
  out <- tempfile("spatial-out-", fileext = ".rds")
  log <- tempfile("spatial-log-")
  on.exit(unlink(c(out, log)))
  status <- suppressWarnings(system2(
    rscript,
    c(shQuote(script_path), "--child", task, tool,
      format(n, scientific = FALSE), shQuote(out), if (keep) "keep"),
    stdout = log, stderr = log
  ))
  if (!identical(as.integer(status), 0L) || !file.exists(out)) {
    msg <- if (file.exists(log)) utils::tail(readLines(log, warn = FALSE), 3L)
    stop(tool, " failed in its child process (", task, ", n = ", n, "): ",
         paste(c(msg, if (identical(as.integer(status), 137L))
           "(exit status 137: killed, probably out of memory)"),
           collapse = " | "), call. = FALSE)
  }
  res <- readRDS(out)
  res$growth <- if (isTRUE(res$reset) || res$hwm_after > res$hwm_before) {
    max(res$hwm_after - res$rss_before, 0)
  } else {
    NA_real_
  }
  res
}

# --- Agreement ----------------------------------------------------------------

# ours: a postcode per point (NA outside); theirs: st_join's pid and postcode
# (a point in several areas has several rows, one outside every area one row
# with NA). Returns the counts; stops on a real difference.
check_points <- function(ours, theirs, n) {
  matched <- !is.na(theirs$postcode)
  n_hits <- tabulate(theirs$pid[matched], nbins = n)
  single <- which(n_hits == 1L)
  first <- theirs$postcode[matched][match(single, theirs$pid[matched])]
  bad_single <- single[is.na(ours[single]) | ours[single] != first]
  bad_none <- which(n_hits == 0L & !is.na(ours))
  multi <- which(n_hits > 1L)
  sets <- split(theirs$postcode[matched & theirs$pid %in% multi],
                theirs$pid[matched & theirs$pid %in% multi])
  in_set <- vapply(seq_along(multi), function(i) {
    ours[multi[i]] %in% sets[[as.character(multi[i])]]
  }, NA)
  if (length(bad_single) || length(bad_none) || !all(in_set)) {
    i <- c(bad_single, bad_none, multi[!in_set])[1L]
    stop(sprintf(paste0(
      "locate_points disagrees with sf::st_join for %d points ",
      "(first: point %d, spreiding %s, sf %s)."),
      length(bad_single) + length(bad_none) + sum(!in_set), i, ours[i],
      paste(theirs$postcode[theirs$pid == i], collapse = "/")), call. = FALSE)
  }
  pairs <- unique(vapply(sets, function(s) paste(sort(s), collapse = "/"), ""))
  list(inside = sum(n_hits > 0L), ties = length(multi),
       tie_pairs = if (length(pairs) == 0L) {
         "none"
       } else if (length(pairs) <= 5L) {
         paste(pairs, collapse = ", ")
       } else {
         paste0(length(pairs), " pairs of areas, e.g. ",
                paste(pairs[1:5], collapse = ", "))
       })
}

cw_ours <- runners$crosswalk$spreiding(env)
cw_sf <- runners$crosswalk$sf_intersection(env)
cw_aw <- runners$crosswalk$sf_interpolate_aw(env)
cw_check <- local({
  pairs <- cw_ours[!is.na(cw_ours$to_id), ]
  ref <- cw_sf[order(match(cw_sf$from_id, layers$pc4$postcode),
                     match(cw_sf$to_id, layers$azw$statcode)), ]
  if (nrow(pairs) != nrow(ref) || !identical(pairs$from_id, ref$from_id) ||
      !identical(pairs$to_id, ref$to_id)) {
    stop("region_crosswalk gives other pairs than sf::st_intersection (",
         nrow(pairs), " vs ", nrow(ref), ").", call. = FALSE)
  }
  d <- max(abs(pairs$area_share - ref$area_share))
  if (d > 1e-6) {
    stop("region_crosswalk shares differ from sf::st_intersection's by up ",
         "to ", format(d), ".", call. = FALSE)
  }
  inw <- layers$pc4$inwoners
  inw[is.na(inw)] <- 0
  moved <- rowsum(inw[match(pairs$from_id, layers$pc4$postcode)] *
                    pairs$area_share, pairs$to_id)
  theirs <- cw_aw$inwoners[match(rownames(moved), layers$azw_sf$statcode)]
  rel <- max(abs(moved[, 1] - theirs) / theirs)
  if (rel > 1e-6) {
    stop("population moved by region_crosswalk differs from ",
         "sf::st_interpolate_aw's by up to ", format(rel), " (relative).",
         call. = FALSE)
  }
  list(pairs = nrow(pairs), max_diff = d, aw_rel = rel,
       uncovered = nrow(attr(cw_ours, "uncovered")))
})

# --- Timing -------------------------------------------------------------------


min_iter <- as.integer(ceiling(5 / n_rounds))

time_in_process <- function(task) {
  tools <- names(runners[[task]])
  k <- length(tools)
  rounds <- lapply(seq_len(n_rounds), function(r) {
    order <- tools[(seq_len(k) + r - 2L) %% k + 1L]
    mark_tools(runners[[task]][order], min_iter, env)
  })
  do.call(rbind, lapply(tools, function(tool) {
    times <- unlist(lapply(rounds, function(r) r[[tool]]$time))
    data.frame(tool = tool, median = stats::median(times), min = min(times),
               mem_alloc = rounds[[1L]][[tool]]$mem_alloc,
               n_itr = length(times))
  }))
}


load_before <- load_average()
results <- list()

results$crosswalk <- list(
  timing = time_in_process("crosswalk"),
  growth = vapply(names(runners$crosswalk), function(tool) {
    run_child("crosswalk", tool)$growth
  }, 0)
)

for (n in n_points) {
  key <- paste0("points_", format(n, scientific = FALSE))
  if (!is_big(n)) {
    env$pts <- make_points(n, layers)
    env$pts_sf <- points_sf(env$pts, layers)
    check <- check_points(runners$points$spreiding(env),
                          runners$points$sf(env), n)
    results[[key]] <- list(
      n = n, check = check,
      timing = time_in_process("points"),
      growth = vapply(names(runners$points), function(tool) {
        run_child("points", tool, n)$growth
      }, 0)
    )
    env$pts <- env$pts_sf <- NULL
    invisible(gc())
  } else {
    tools <- names(runners$points)
    runs <- lapply(seq_len(n_big_rounds), function(r) {
      order <- if (r %% 2L == 1L) tools else rev(tools)
      stats::setNames(lapply(order, function(tool) {
        run_child("points", tool, n, keep = r == 1L)
      }), order)
    })
    check <- check_points(runs[[1L]]$spreiding$result, runs[[1L]]$sf$result, n)
    results[[key]] <- list(
      n = n, check = check,
      timing = do.call(rbind, lapply(tools, function(tool) {
        times <- vapply(runs, function(r) r[[tool]]$time, 0)
        data.frame(tool = tool, median = stats::median(times),
                   min = min(times), mem_alloc = NA_real_,
                   n_itr = length(times))
      })),
      growth = vapply(tools, function(tool) {
        max(vapply(runs, function(r) r[[tool]]$growth, 0))
      }, 0)
    )
  }
}
load_after <- load_average()

# --- Report -------------------------------------------------------------------


report_table <- function(res, title) {
  tm <- res$timing
  ours <- tm$median[tm$tool == "spreiding"]
  out <- data.frame(
    tool = tool_label[tm$tool],
    median = fmt_time(tm$median),
    min = fmt_time(tm$min),
    `sf/spreiding` = sprintf("%.1f", tm$median / ours),
    mem_alloc = fmt_mb(tm$mem_alloc),
    `peak RSS +` = fmt_mb(res$growth[tm$tool]),
    iterations = tm$n_itr,
    check.names = FALSE, row.names = NULL
  )
  out$`sf/spreiding`[tm$tool == "spreiding"] <- "-"
  cat(title, "\n", sep = "")
  old <- options(width = 200)
  on.exit(options(old))
  print(out, right = FALSE, row.names = FALSE)
  cat("\n")
}

cat("spatial benchmark\n")
cat(sprintf("  R %s; spreiding %s, sf %s%s; GEOS %s, GDAL %s, PROJ %s; %d cores\n",
            getRversion(), utils::packageVersion("spreiding"),
            utils::packageVersion("sf"),
            if (has_bench) paste0(", bench ", utils::packageVersion("bench")) else "",
            sf::sf_extSoftVersion()[["GEOS"]], sf::sf_extSoftVersion()[["GDAL"]],
            sf::sf_extSoftVersion()[["PROJ"]], parallel::detectCores()))
cat(sprintf("  layers: %s (read in %.1f s, both ways, not timed)\n", gpkg,
            t_read[["elapsed"]]))
cat(sprintf("  PC4: %s areas, %s vertices; AZW: %d regions; sf_use_s2(FALSE)\n",
            fmt_n(nrow(layers$pc4)),
            fmt_n(length(unlist(layers$pc4$geometry)) / 2),
            nrow(layers$azw)))
cat(sprintf("  points: uniform in the PC4 bounding box, seed %d (+ n mod 1e6)\n",
            seed))
cat(sprintf(
  "  timing: in process, %s, %d rounds in rotated order, median over all iterations; %s points: fresh Rscript per run, %d round(s)\n",
  if (has_bench) sprintf("bench::mark %s (min_iterations = %d, filter_gc = FALSE)",
                         utils::packageVersion("bench"), min_iter)
  else "system.time() (bench not installed)",
  n_rounds, paste(fmt_n(n_points[is_big(n_points)]), collapse = ", "),
  n_big_rounds))
cat("  load average before / after timing:", load_before, "/", load_after,
    "\n\n")

for (n in n_points) {
  res <- results[[paste0("points_", format(n, scientific = FALSE))]]
  report_table(res, sprintf("points: %s points, %s in a PC4 area", fmt_n(n),
                            fmt_n(res$check$inside)))
  cat(sprintf(
    "  agreement: identical PC4 for every point but %s that sf finds in more than one area, where neighbouring PC4 polygons overlap (%s); locate_points gives each of them one of sf's areas.\n\n",
    fmt_n(res$check$ties), res$check$tie_pairs))
}
report_table(results$crosswalk, "crosswalk: PC4 -> AZW by area")
cat(sprintf(
  "  agreement: %s pairs identical to sf::st_intersection's, shares within %.1e; population moved to AZW within %.1e (relative) of sf::st_interpolate_aw; %s PC4 areas reported as not fully covered.\n\n",
  fmt_n(cw_check$pairs), cw_check$max_diff, cw_check$aw_rel,
  fmt_n(cw_check$uncovered)))

cat(
  "  sf/spreiding > 1 means spreiding is faster.\n",
  "  points: locate_points() builds its grid index inside the call; st_join() its STRtree. st_as_sf() of the points is not timed.\n",
  "  crosswalk: region_crosswalk() returns every pair's share; st_interpolate_aw() only the population per AZW region.\n",
  "  mem_alloc: bytes R allocated during one call (Rprofmem; malloc'd scratch, GEOS and the index are not seen); n/a for runs in child processes.\n",
  "  peak RSS +: growth of a fresh process's resident-set peak over one call, above the loaded input (VmHWM after /proc/self/clear_refs; malloc included).\n\n",
  sep = ""
)

result_line <- function(what, tm, anchor, goal) {
  ours <- tm$median[tm$tool == "spreiding"]
  theirs <- tm$median[tm$tool == anchor]
  speed <- theirs / ours
  cat(sprintf("RESULT: %s vs %s: %.1fx faster (%s vs %s); goal >= %gx: %s.\n",
              what, tool_label[[anchor]], speed, fmt_time(ours),
              fmt_time(theirs), goal, if (speed >= goal) "MET" else "NOT MET"))
}
for (n in n_points) {
  res <- results[[paste0("points_", format(n, scientific = FALSE))]]
  result_line(sprintf("locate_points, %s points", fmt_n(n)), res$timing, "sf",
              20)
}
tm <- results$crosswalk$timing
anchors <- tm[tm$tool != "spreiding", ]
result_line("region_crosswalk, PC4 -> AZW", tm,
            anchors$tool[which.min(anchors$median)], 5)
