# Memory and handles outside R's heap: a spatial index (malloc'd, owned by
# an external pointer with a C finaliser), a GEOS session (the same, in
# dissolve_regions() and region_crosswalk()) and a GDAL dataset (opened and
# closed by read_regions(), on success and on every error). Opening and
# freeing many of each must not grow the process nor leave files open.

proc_status_kb <- function(field = "VmRSS") {
  f <- "/proc/self/status"
  if (!file.exists(f)) return(NA_real_)
  line <- grep(paste0("^", field, ":"), readLines(f), value = TRUE)
  as.numeric(gsub("[^0-9]", "", line))
}

open_files <- function() {
  if (!dir.exists("/proc/self/fd")) return(NA_integer_)
  length(list.files("/proc/self/fd"))
}

# A GeoJSON file of `k` regions, each a 64-gon of radius 1 around (3 * i, 0).
polygon_file <- function(k = 4, sides = 64) {
  feature <- function(i) {
    a <- 2 * pi * c(seq_len(sides) - 1, 0) / sides
    xy <- sprintf("[%.6f,%.6f]", 3 * i + cos(a), sin(a))
    sprintf(paste0('{"type":"Feature","properties":{"id":%d},"geometry":',
                   '{"type":"Polygon","coordinates":[[%s]]}}'),
            i, paste(xy, collapse = ","))
  }
  f <- tempfile(fileext = ".geojson")
  writeLines(paste0('{"type":"FeatureCollection","features":[',
                    paste(vapply(seq_len(k), feature, ""), collapse = ","),
                    "]}"), f)
  f
}

# Run `f(i)` `n` times (a garbage collection every 1,000, so that the
# finalisers run) after a warm-up, and return the growth of the resident set
# in KB and of the number of open files. (The first few thousand calls grow
# the heap as malloc's arenas settle: a leak shows as growth after that.)
growth <- function(n, f, warm = 3000) {
  for (i in seq_len(warm)) {
    f(i)
    if (i %% 1000 == 0) gc()
  }
  gc(); gc()
  rss <- proc_status_kb()
  fds <- open_files()
  for (i in seq_len(n)) {
    f(i)
    if (i %% 1000 == 0) gc()
  }
  gc(); gc()
  c(rss = proc_status_kb() - rss, files = open_files() - fds)
}

test_that("10,000 spatial indexes are built and freed without growth", {
  skip_on_cran()
  skip_under_sanitizer()
  skip_if_not(file.exists("/proc/self/status"))
  regions <- read_regions(polygon_file(), id = "id")
  idx <- region_index(regions)
  # the index works: the centre of region 2 is in it, a point between is not
  expect_equal(locate_points(data.frame(x = c(6, 4.5), y = 0), idx), c(2L, NA))
  g <- growth(10000, function(i) region_index(regions))
  # each index holds 256 edges and its cells (tens of KB): 10,000 leaked
  # would be hundreds of MB
  expect_lt(g[["rss"]], 20 * 1024)
})

test_that("10,000 GDAL datasets are opened and closed, also on errors", {
  skip_on_cran()
  skip_under_sanitizer()
  skip_if_not(file.exists("/proc/self/status"))
  f <- polygon_file(k = 2, sides = 8)
  expect_equal(nrow(read_regions(f, id = "id")), 2)
  g <- growth(10000, function(i) {
    switch(i %% 3 + 1,
      read_regions(f, id = "id"),
      # the dataset is open when the id turns out to be missing
      tryCatch(read_regions(f, id = "no_such_column"),
               spreiding_error = function(e) NULL),
      # and when the CRS cannot be had
      tryCatch(read_regions(f, crs = "no such crs"),
               spreiding_error = function(e) NULL)
    )
  })
  expect_equal(g[["files"]], 0)
  expect_lt(g[["rss"]], 20 * 1024)
})

test_that("GEOS sessions of dissolve_regions() are freed", {
  skip_on_cran()
  skip_under_sanitizer()
  skip_if_not(file.exists("/proc/self/status"))
  regions <- read_regions(polygon_file(k = 3, sides = 16), id = "id")
  one <- dissolve_regions(regions, by = c(1, 1, 2))
  expect_equal(nrow(one), 2)
  g <- growth(2000, function(i) {
    dissolve_regions(regions, by = c(1, 1, 2))
    # a failing call: the session is open when the group count is wrong
    tryCatch(dissolve_regions(regions, by = 1:2),
             spreiding_error = function(e) NULL)
  }, warm = 500)
  expect_lt(g[["rss"]], 20 * 1024)
})
