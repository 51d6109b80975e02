# Generators for the fuzz driver (tests/fuzz/fuzz.R): odd values, mutated
# data frames, odd geometry files and polygons, and one valid call per
# exported function to mutate. Every generator draws from R's RNG, so a run
# is fixed by its seed. Plain base R: no package is needed beyond spreiding
# itself (sf only for the polygon cases, skipped when it is absent).

# ---- odd values -------------------------------------------------------------

fuzz_latin1 <- function() {
  x <- "K\xf6ln \xe9t\xe9"
  Encoding(x) <- "latin1"
  x
}

fuzz_long_string <- function() strrep("ab\u00e9", 40000)

# Values an argument can be replaced by, drawn at random. Each element is a
# function of the length wanted (when a vector of that length makes sense).
fuzz_value_makers <- list(
  null = function(n) NULL,
  na = function(n) NA,
  na_chr = function(n) NA_character_,
  na_real = function(n) NA_real_,
  true = function(n) TRUE,
  logicals = function(n) rep_len(c(TRUE, FALSE, NA), n),
  zero = function(n) 0L,
  minus_one = function(n) -1,
  huge = function(n) 1e308,
  neg_huge = function(n) -1e308,
  inf = function(n) Inf,
  neg_inf = function(n) -Inf,
  nan = function(n) NaN,
  int_max = function(n) .Machine$integer.max,
  big_double = function(n) 2^53 + 1,
  tiny = function(n) 1e-300,
  fraction = function(n) 0.5,
  numbers = function(n) stats::runif(n, -1e6, 1e6),
  nums_odd = function(n) sample(c(NaN, Inf, -Inf, NA, -1, 0, 1e308, 2.5), n, TRUE),
  ints = function(n) sample(c(-5L, 0L, 1L, 2L, NA), n, TRUE),
  empty_num = function(n) numeric(0),
  empty_chr = function(n) character(0),
  empty_list = function(n) list(),
  empty_string = function(n) "",
  string = function(n) "x",
  strings = function(n) rep_len(c("a", "b", ""), n),
  dup_strings = function(n) c("a", "a"),
  utf8 = function(n) rep_len(c("\u00e9\u00df", "\u4e2d\u6587", "\U0001F600"), n),
  latin1 = function(n) rep_len(fuzz_latin1(), n),
  long_string = function(n) fuzz_long_string(),
  factor = function(n) factor(rep_len(c("a", "b"), n), levels = c("a", "b", "zz")),
  factor_na = function(n) factor(rep_len(NA_character_, n), levels = c("u", "v")),
  date = function(n) as.Date("2020-02-29") + seq_len(n),
  date_na = function(n) as.Date(rep(NA_character_, n)),
  posixct = function(n) as.POSIXct("2001-01-01 12:00:00", tz = "UTC") + seq_len(n),
  list_col = function(n) as.list(seq_len(n)),
  nested_list = function(n) list(a = list(b = 1), c = "x"),
  fun = function(n) function(x) x,
  env = function(n) new.env(),
  matrix = function(n) matrix(1:4, 2),
  complex = function(n) complex(real = 1, imaginary = 1),
  raw = function(n) as.raw(1:3),
  df_empty = function(n) data.frame(),
  df_one = function(n) data.frame(x = 1),
  formula = function(n) y ~ x,
  named_num = function(n) c(a = 1, b = 2),
  named_dup = function(n) c(a = 1, a = 2)
)

fuzz_value <- function(n = 3L) {
  k <- sample.int(length(fuzz_value_makers), 1L)
  list(kind = names(fuzz_value_makers)[k], value = fuzz_value_makers[[k]](n))
}

# ---- mutated data frames ----------------------------------------------------

fuzz_all_na <- function(df) {
  for (j in seq_along(df)) {
    v <- df[[j]]
    if (is.list(v)) next
    v[] <- NA
    df[[j]] <- v
  }
  df
}

# Odd values of the same type as `v` (so validation of the type passes and
# the values reach the kernels).
fuzz_typed <- function(v) {
  n <- length(v)
  if (n == 0) return(v)
  pick <- function(pool) pool[sample.int(length(pool), n, replace = TRUE)]
  if (inherits(v, "Date")) {
    return(as.Date(pick(c(NA, -1e6, 0, 1e6, 19000, 19000.5)), origin = "1970-01-01"))
  }
  if (inherits(v, "POSIXct")) return(v + pick(c(NA, -1e9, 0, 1e9)))
  if (is.factor(v)) {
    return(factor(pick(c(levels(v), NA)), levels = c(levels(v), "unused")))
  }
  if (is.logical(v)) return(pick(c(TRUE, FALSE, NA)))
  if (is.integer(v)) {
    return(pick(c(NA, 0L, -1L, 1L, .Machine$integer.max, -.Machine$integer.max)))
  }
  if (is.double(v)) {
    return(pick(c(NA, NaN, Inf, -Inf, 0, -0.5, 1e308, -1e308, 1e-300, 2^53,
                  v[1])))
  }
  if (is.character(v)) {
    return(pick(c(NA, "", v[1], "\u00e9\u00df", fuzz_latin1(), "  ",
                  strrep("z", 5000), "NA", "0")))
  }
  v
}

# A data frame mutated in one of many ways; returns list(kind, value).
fuzz_frame <- function(df) {
  n <- nrow(df)
  kinds <- c("zero_rows", "one_row", "all_na", "column", "column", "column",
             "typed", "typed", "typed", "typed", "typed",
             "dup_names", "empty_names", "drop_column", "dup_rows",
             "as_list", "as_matrix", "reverse", "na_names")
  kind <- sample(kinds, 1L)
  out <- switch(kind,
    zero_rows = df[0, , drop = FALSE],
    one_row = df[min(1L, n), , drop = FALSE],
    all_na = fuzz_all_na(df),
    column = {
      if (ncol(df) == 0) df else {
        j <- sample.int(ncol(df), 1L)
        v <- fuzz_value(n)
        val <- v$value
        kind <- paste0("column:", names(df)[j], ":", v$kind)
        if (is.null(val) || is.function(val) || is.environment(val) ||
            is.data.frame(val) || inherits(val, "formula") ||
            length(val) == 0 && n > 0) {
          df[[j]] <- NULL
        } else if (is.matrix(val)) {
          df[[j]] <- rep_len(as.vector(val), n)
        } else if (is.list(val)) {
          df[[j]] <- rep_len(val, n)
        } else {
          df[[j]] <- rep_len(val, n)
        }
        df
      }
    },
    typed = {
      if (ncol(df) >= 1) {
        j <- sample.int(ncol(df), 1L)
        kind <- paste0("typed:", names(df)[j])
        df[[j]] <- fuzz_typed(df[[j]])
      }
      df
    },
    dup_names = {
      if (ncol(df) >= 2) names(df)[2] <- names(df)[1]
      df
    },
    empty_names = {
      if (ncol(df) >= 1) names(df)[sample.int(ncol(df), 1L)] <- ""
      df
    },
    na_names = {
      if (ncol(df) >= 1) names(df)[sample.int(ncol(df), 1L)] <- NA
      df
    },
    drop_column = {
      if (ncol(df) >= 1) df[[sample.int(ncol(df), 1L)]] <- NULL
      df
    },
    dup_rows = df[rep(seq_len(n), 2L), , drop = FALSE],
    as_list = as.list(df),
    as_matrix = as.matrix(df),
    reverse = df[rev(seq_len(n)), , drop = FALSE]
  )
  list(kind = kind, value = out)
}

# ---- geometry ---------------------------------------------------------------

fuzz_geojson <- function(features) {
  paste0('{"type":"FeatureCollection","features":[',
         paste(features, collapse = ","), "]}")
}

fuzz_feature <- function(geometry, id = 1) {
  paste0('{"type":"Feature","properties":{"id":', id, '},"geometry":',
         geometry, "}")
}

# Geometry files that are corrupt, empty or odd, written under `dir` once
# per run. Returns a named character vector of paths.
fuzz_geometry_files <- function(dir) {
  dir.create(dir, showWarnings = FALSE, recursive = TRUE)
  path <- function(name) file.path(dir, name)
  files <- list()
  write <- function(name, text) {
    writeLines(text, path(name), useBytes = TRUE)
    files[[name]] <<- path(name)
  }
  writeBin(raw(0), path("empty.gpkg")); files$empty.gpkg <- path("empty.gpkg")
  writeBin(raw(0), path("empty.geojson"))
  files$empty.geojson <- path("empty.geojson")
  writeBin(as.raw(c(0x53, 0x51, 0x4c, 0x69, 0x74, 0x65, 0:200 %% 256)),
           path("corrupt.gpkg"))
  files$corrupt.gpkg <- path("corrupt.gpkg")
  writeBin(as.raw(c(0, 0, 0x27, 0x0a, sample(0:255, 500, TRUE))),
           path("corrupt.shp"))
  files$corrupt.shp <- path("corrupt.shp")
  write("truncated.geojson", '{"type":"FeatureCollection","features":[{"type":')
  write("no_features.geojson", fuzz_geojson(character()))
  write("null_geometry.geojson", fuzz_geojson(fuzz_feature("null")))
  write("empty_polygon.geojson",
        fuzz_geojson(fuzz_feature('{"type":"Polygon","coordinates":[]}')))
  write("bowtie.geojson", fuzz_geojson(fuzz_feature(
    '{"type":"Polygon","coordinates":[[[0,0],[1,1],[1,0],[0,1],[0,0]]]}')))
  write("unclosed.geojson", fuzz_geojson(fuzz_feature(
    '{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1]]]}')))
  write("two_points_ring.geojson", fuzz_geojson(fuzz_feature(
    '{"type":"Polygon","coordinates":[[[0,0],[1,0],[0,0]]]}')))
  write("points.geojson", fuzz_geojson(fuzz_feature(
    '{"type":"Point","coordinates":[0,0]}')))
  write("line.geojson", fuzz_geojson(fuzz_feature(
    '{"type":"LineString","coordinates":[[0,0],[1,1]]}')))
  write("huge_coords.geojson", fuzz_geojson(fuzz_feature(
    '{"type":"Polygon","coordinates":[[[-1e308,-1e308],[1e308,-1e308],[1e308,1e308],[-1e308,0],[-1e308,-1e308]]]}')))
  write("dup_ids.geojson", fuzz_geojson(c(
    fuzz_feature('{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}', 1),
    fuzz_feature('{"type":"Polygon","coordinates":[[[2,0],[3,0],[3,1],[2,0]]]}', 1))))
  write("mixed.geojson", fuzz_geojson(c(
    fuzz_feature('{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}', 1),
    fuzz_feature('{"type":"GeometryCollection","geometries":[]}', 2),
    fuzz_feature('{"type":"MultiPolygon","coordinates":[[[[5,5],[6,5],[6,6],[5,5]]],[]]}', 3))))
  write("not_json.geojson", "this is not a geometry file \u00e9")
  files$missing <- path("does-not-exist.gpkg")
  files$directory <- dir
  unlist(files)
}

# Small sf layers with odd polygons (NULL when sf is absent).
fuzz_sf_layers <- function() {
  if (!requireNamespace("sf", quietly = TRUE)) return(list())
  sq <- function(x0, y0, s = 1) {
    sf::st_polygon(list(cbind(c(x0, x0 + s, x0 + s, x0, x0),
                              c(y0, y0, y0 + s, y0 + s, y0))))
  }
  mk <- function(geoms, id = seq_along(geoms), crs = 28992) {
    sf::st_sf(id = id, geometry = sf::st_sfc(geoms, crs = crs))
  }
  bowtie <- sf::st_polygon(list(cbind(c(0, 1, 1, 0, 0), c(0, 1, 0, 1, 0))))
  list(
    squares = mk(list(sq(0, 0), sq(1, 0), sq(0, 1))),
    empty_polygon = mk(list(sf::st_polygon(), sq(0, 0))),
    bowtie = mk(list(bowtie, sq(3, 3))),
    zero_area = mk(list(sf::st_polygon(list(cbind(c(0, 1, 2, 0), c(0, 0, 0, 0)))))),
    dup_ids = mk(list(sq(0, 0), sq(2, 0)), id = c(1, 1)),
    na_ids = mk(list(sq(0, 0), sq(2, 0)), id = c(NA, 2)),
    no_crs = mk(list(sq(0, 0)), crs = NA_integer_),
    overlapping = mk(list(sq(0, 0, 2), sq(1, 1, 2))),
    huge = mk(list(sq(-1e300, -1e300, 1e300))),
    zero_rows = mk(list(sq(0, 0)))[0, ],
    points = sf::st_sf(id = 1:2, geometry = sf::st_sfc(sf::st_point(c(0, 0)),
                                                       sf::st_point(c(1, 1)),
                                                       crs = 28992))
  )
}
