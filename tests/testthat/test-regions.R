test_that("gdal_version() reports three release numbers", {
  v <- gdal_version()
  expect_type(v, "character")
  expect_named(v, c("gdal", "geos", "proj"))
  expect_false(anyNA(v))
  expect_true(all(nzchar(v)))
  expect_match(v, "^[0-9]+\\.[0-9]+\\.[0-9]+")
  expect_true(numeric_version(v[["gdal"]]) >= "3.0.0")
})

test_that("gdal_version() matches the GDAL that gdal-config describes", {
  gdal_config <- Sys.which("gdal-config")
  skip_if(!nzchar(gdal_config), "gdal-config is not on the PATH")
  expected <- system2(gdal_config, "--version", stdout = TRUE)
  expect_identical(gdal_version()[["gdal"]], trimws(expected[[1]]))
})

test_that("gdal_version() matches the GEOS that geos-config describes", {
  geos_config <- Sys.which("geos-config")
  skip_if(!nzchar(geos_config), "geos-config is not on the PATH")
  expected <- system2(geos_config, "--version", stdout = TRUE)
  expect_identical(gdal_version()[["geos"]], trimws(expected[[1]]))
})
