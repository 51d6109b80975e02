# map_regions(), plot_quadrant() and plot_rates(): the ggplot objects are
# inspected (layers, mapped aesthetics, fills, legend labels, the plot data)
# and rendered to PNG. The map uses the shipped PC2 layer with a hand-made
# table of counts, so that which cells disclose() hides is known.

err <- function(expr) tryCatch(expr, spreiding_error = function(e) e)

pc2_layer <- function() {
  read_regions(system.file("extdata", "pc2.gpkg", package = "spreiding"),
               id = "pc2")
}

# Students per PC2 area: 20 + (pc2 %% 7) for most areas, 3, 5, 7 and 9 in
# 85 to 88 (below min_count(10): primary), and no row for 12 and 13.
# `per_student` = inhabitants / students is derived from the counts, so it
# is hidden in 85 to 88 as well.
map_table <- function(regions) {
  keep <- !regions$pc2 %in% c(12, 13)
  tab <- data.frame(pc2 = regions$pc2[keep],
                    inhabitants = regions$inhabitants[keep])
  tab$students <- 20 + tab$pc2 %% 7
  tab$students[match(85:88, tab$pc2)] <- c(3, 5, 7, 9)
  tab$per_student <- tab$inhabitants / tab$students
  tab
}

disclosed_map_table <- function(regions) {
  disclose(map_table(regions), "students", audit = FALSE, by = "pc2",
           derived = list(per_student = "students"))
}

# The geom_sf layers that show one category (mapped to colour).
category_layers <- function(p) {
  Filter(function(l) "colour" %in% names(l$mapping), p$layers)
}

png_size <- function(file) {
  if (requireNamespace("png", quietly = TRUE)) {
    dim(png::readPNG(file))[1:2]
  } else {
    NULL
  }
}

test_that("map_regions(): values, suppressed cells and regions without data", {
  skip_if_not_installed("ggplot2")
  skip_if_not_installed("sf")
  pc2 <- pc2_layer()
  out <- disclosed_map_table(pc2)
  # the hidden counts are primary, nothing else is hidden: 4 suppressed in
  # the one relation (the national total) protect each other
  expect_equal(sort(out$pc2[out$students_status %in% "primary"]), 85:88)
  p <- map_regions(out, pc2, per_student)
  expect_s3_class(p, "ggplot")

  # layer 1: the regions with a value, fill mapped to it
  expect_s3_class(p$layers[[1]]$geom, "GeomSf")
  expect_equal(all.vars(p$layers[[1]]$mapping$fill), c(".data", "value"))
  shown <- p$layers[[1]]$data
  expect_setequal(as.integer(shown$id), setdiff(pc2$pc2, c(12, 13, 85:88)))
  expect_equal(shown$value,
               pc2$inhabitants[match(shown$id, pc2$pc2)] /
                 (20 + as.integer(shown$id) %% 7))

  # one layer for "fewer than 10", one for "no data", then the hatching
  cats <- category_layers(p)
  expect_length(cats, 2)
  expect_equal(as.character(unique(cats[[1]]$data$category)), "fewer than 10")
  expect_setequal(as.integer(cats[[1]]$data$id), 85:88)
  expect_equal(as.character(unique(cats[[2]]$data$category)), "no data")
  expect_setequal(as.integer(cats[[2]]$data$id), c(12, 13))
  expect_equal(cats[[1]]$aes_params$fill, "grey75")
  expect_equal(cats[[2]]$aes_params$fill, "white")
  hatch <- p$layers[[length(p$layers)]]
  expect_true(all(sf::st_geometry_type(hatch$data) %in%
                    c("LINESTRING", "MULTILINESTRING")))
  # the hatching lies within the hidden regions
  hidden <- sf::st_union(sf::st_geometry(cats[[1]]$data))
  expect_true(sf::st_covered_by(sf::st_buffer(hidden, 1),
                                x = sf::st_geometry(hatch$data),
                                sparse = FALSE)[1, 1])

  # the built plot: fills of the layers and the legend of the categories
  built <- ggplot2::ggplot_build(p)
  expect_equal(unique(built$data[[2]]$fill), "grey75")
  expect_equal(unique(built$data[[3]]$fill), "white")
  colour <- built$plot$scales$get_scales("colour")
  expect_equal(colour$get_labels(), c("fewer than 10", "no data"))
  expect_equal(built$plot$scales$get_scales("fill")$name, "per student")

  # no suppressed value anywhere in the plot data: the values of 85 to 88
  # are absent from every layer
  hidden_values <- out$inhabitants[match(85:88, out$pc2)] / c(3, 5, 7, 9)
  for (l in p$layers) {
    d <- as.data.frame(l$data)
    nums <- unlist(d[vapply(d, is.numeric, logical(1))])
    expect_false(any(nums %in% c(3, 5, 7, 9, hidden_values)))
  }
  for (i in seq_along(p$layers)) {
    ld <- ggplot2::layer_data(p, i)
    nums <- unlist(ld[vapply(ld, is.numeric, logical(1))])
    expect_false(any(nums %in% hidden_values))
  }
  expect_true(all(is.na(cats[[1]]$data$value)))
})

test_that("map_regions(): values a status marks hidden are dropped anyway", {
  skip_if_not_installed("ggplot2")
  skip_if_not_installed("sf")
  pc2 <- pc2_layer()
  tab <- map_table(pc2)
  # a table that still holds the hidden values beside its status column
  tab$per_student_status <- factor(
    ifelse(tab$pc2 == 50, "secondary", "ok"),
    c("ok", "primary", "secondary", "derived")
  )
  secret <- tab$per_student[tab$pc2 == 50]
  p <- map_regions(tab, pc2, "per_student", suppressed = "grey",
                   labels = c(suppressed = "hidden"))
  cats <- category_layers(p)
  expect_equal(as.character(unique(cats[[1]]$data$category)), "hidden")
  expect_equal(as.integer(cats[[1]]$data$id), 50L)
  expect_true(is.na(cats[[1]]$data$value))
  for (i in seq_along(p$layers)) {
    ld <- ggplot2::layer_data(p, i)
    expect_false(any(unlist(ld[vapply(ld, is.numeric, logical(1))]) ==
                       secret, na.rm = TRUE))
  }
  # "grey": no hatching layer
  expect_length(p$layers, 3)
})

test_that("map_regions(): grey style, secondary cells, legend labels", {
  skip_if_not_installed("ggplot2")
  skip_if_not_installed("sf")
  pc2 <- pc2_layer()
  tab <- map_table(pc2)
  # one small cell only: disclose() must hide a second one in the national
  # total (a published total minus the rest would give it away)
  tab$students[match(86:88, tab$pc2)] <- 30
  tab$per_student <- tab$inhabitants / tab$students
  out <- disclose(tab, "students", audit = FALSE, by = "pc2",
                  derived = list(per_student = "students"))
  n_sec <- sum(out$students_status %in% "secondary")
  expect_gte(n_sec, 1)
  p <- map_regions(out, pc2, students, suppressed = "grey",
                   labels = c(title = "Students", primary = "1 to 9"))
  built <- ggplot2::ggplot_build(p)
  expect_equal(built$plot$scales$get_scales("colour")$get_labels(),
               c("1 to 9", "suppressed", "no data"))
  expect_equal(built$plot$scales$get_scales("fill")$name, "Students")
  cats <- category_layers(p)
  expect_equal(as.integer(cats[[1]]$data$id), 85L)
  expect_equal(cats[[1]]$aes_params$fill, "grey45")
  expect_equal(nrow(cats[[2]]$data), n_sec)
  expect_equal(cats[[2]]$aes_params$fill, "grey75")
  expect_length(p$layers, 4)
})

test_that("map_regions(): sequential and diverging palettes", {
  skip_if_not_installed("ggplot2")
  skip_if_not_installed("sf")
  pc2 <- pc2_layer()
  tab <- data.frame(pc2 = pc2$pc2, share_ratio = 0.5 + (pc2$pc2 - 10) / 89,
                    count = pc2$pc2)
  # share_ratio is 1 in pc2 54.5: exactly 1 at no region; set one
  tab$share_ratio[tab$pc2 == 40] <- 1
  p <- map_regions(tab, pc2, share_ratio)
  ld <- ggplot2::layer_data(p, 1)
  # a value of 1 gets the middle colour of the diverging scale
  expect_equal(ld$fill[as.integer(p$layers[[1]]$data$id) == 40], "#FFFFBF")
  # the lowest (0.5, pc2 10) the low end, the highest (1.5, pc2 99) the
  # high end, equally far from 1
  expect_equal(ld$fill[as.integer(p$layers[[1]]$data$id) == 10], "#4575B4")
  expect_equal(ld$fill[as.integer(p$layers[[1]]$data$id) == 99], "#D73027")

  p <- map_regions(tab, pc2, count)
  ld <- ggplot2::layer_data(p, 1)
  # viridis ends: dark purple for the least, yellow for the most
  expect_equal(ld$fill[as.integer(p$layers[[1]]$data$id) == 10], "#440154")
  expect_equal(ld$fill[as.integer(p$layers[[1]]$data$id) == 99], "#FDE725")

  p <- map_regions(tab, pc2, count, palette = c("white", "black"))
  ld <- ggplot2::layer_data(p, 1)
  expect_equal(ld$fill[as.integer(p$layers[[1]]$data$id) == 99], "#000000")
  p <- map_regions(tab, pc2, count, palette = "diverging")
  expect_s3_class(p$scales$get_scales("fill"), "ScaleContinuous")
})

test_that("map_regions(): the AZW layer with character ids, and sf input", {
  skip_if_not_installed("ggplot2")
  skip_if_not_installed("sf")
  azw <- read_regions(system.file("extdata", "azw.gpkg",
                                  package = "spreiding"), id = "statcode")
  tab <- data.frame(region = azw$statcode[1:20],
                    ratio = seq(0.6, 1.4, length.out = 20))
  p <- map_regions(tab, azw, ratio, id = "region")
  cats <- category_layers(p)
  expect_setequal(cats[[1]]$data$id, azw$statcode[21:28])
  # a plain sf object knows no id column: the table's id must be one of
  # its columns
  plain <- sf::st_as_sf(as.data.frame(azw))
  expect_equal(err(map_regions(tab, plain, ratio, id = "region"))$arg,
               "regions")
  names(tab)[1] <- "statcode"
  p2 <- map_regions(tab, plain, ratio)
  expect_equal(p2$layers[[1]]$data$id, p$layers[[1]]$data$id)
})

test_that("map_regions(): bad input", {
  skip_if_not_installed("ggplot2")
  skip_if_not_installed("sf")
  pc2 <- pc2_layer()
  tab <- map_table(pc2)
  expect_snapshot(error = TRUE, map_regions(tab, pc2, studnets))
  e <- err(map_regions(tab, pc2, "nope"))
  expect_s3_class(e, "spreiding_error")
  expect_equal(e$arg, "fill")
  tab$text <- as.character(tab$students)
  expect_snapshot(error = TRUE, map_regions(tab, pc2, text))
  expect_equal(err(map_regions(tab, pc2, students, suppressed = "dots"))$arg,
               "suppressed")
  expect_equal(err(map_regions(tab, as.data.frame(pc2), students))$arg,
               "regions")
  # ids not among the regions: a warning with how many and which
  odd <- rbind(tab[1:3, ], tab[1:2, ])
  odd$pc2[4:5] <- c(5, 100)
  expect_snapshot(p <- map_regions(odd, pc2, students, id = "pc2"))
  expect_setequal(as.integer(p$layers[[1]]$data$id), tab$pc2[1:3])
  expect_warning(map_regions(odd, pc2, students), class = "spreiding_warning")
  none <- odd[4:5, ]
  expect_snapshot(error = TRUE, map_regions(none, pc2, students, id = "pc2"))
  # several rows per region
  two <- rbind(tab, tab)
  expect_equal(err(map_regions(two, pc2, students, id = "pc2"))$arg, "table")
  expect_equal(err(map_regions(tab, pc2, students, labels = c(x = "a")))$arg,
               "labels")
  expect_equal(err(map_regions(tab, pc2, students, palette = 3))$arg,
               "palette")
})

test_that("the missing-package error says what to install", {
  e <- err(spreiding:::plot_need(c("ggplot2", "notapackage.xyz"),
                                 "map_regions()", NULL))
  expect_s3_class(e, "spreiding_missing_package")
  expect_match(e$message, "install.packages(\"notapackage.xyz\")",
               fixed = TRUE)
})

# ---- plot_quadrant -----------------------------------------------------------

# x: 1 + 2 + 3 + 6 + 8 = 20 over 5, mean 4; y: 10 + 20 + 30 + 40 + 0 = 100
# over 5, mean 20. Row 6 has no y and is left out (it still counts towards
# the mean of x in quadrant(): 20 + 4 = 24 over 6 = 4, unchanged).
qd <- data.frame(
  name = c("A", "B", "C", "D", "E", "F"),
  pref = c(1, 2, 3, 6, 8, 4),
  outflow = c(10, 20, 30, 40, 0, NA)
)

test_that("plot_quadrant(): cut lines, positions, labels", {
  skip_if_not_installed("ggplot2")
  p <- plot_quadrant(qd, pref, outflow, name)
  built <- ggplot2::ggplot_build(p)
  geoms <- vapply(p$layers, function(l) class(l$geom)[1], "")
  expect_equal(geoms[1:4], c("GeomVline", "GeomHline", "GeomPoint",
                             "GeomText"))
  expect_equal(built$data[[1]]$xintercept, 4)
  expect_equal(built$data[[2]]$yintercept, 20)
  expect_equal(unique(built$data[[1]]$linetype), "dashed")
  # A (1, 10): low, low; B (2, 20): y at the cut is low; C (3, 30): low x,
  # high y; D (6, 40) high, high; E (8, 0) high x, low y
  expect_equal(as.character(p$data$position),
               c("mixed: unpopular, low outflow",
                 "mixed: unpopular, low outflow", "unfavourable",
                 "mixed: popular, high outflow", "favourable"))
  expect_equal(p$data$label, c("A", "B", "C", "D", "E"))
  expect_equal(built$data[[3]]$colour[5], "#009E73")
  expect_equal(built$data[[3]]$colour[3], "#D55E00")
  # the corner labels: favourable bottom right, unfavourable top left
  corners <- p$layers[[4]]$data
  expect_equal(corners$x[corners$text == "favourable"], Inf)
  expect_equal(corners$y[corners$text == "favourable"], -Inf)
  expect_equal(corners$x[corners$text == "unfavourable"], -Inf)
  expect_equal(corners$y[corners$text == "unfavourable"], Inf)
  if (requireNamespace("ggrepel", quietly = TRUE)) {
    expect_s3_class(p$layers[[5]]$geom, "GeomTextRepel")
  }
  expect_equal(all.vars(p$layers[[5]]$mapping$label), c(".data", "label"))

  # numeric and median cuts, the same as quadrant() gives
  p <- plot_quadrant(qd, "pref", "outflow", x_cut = "median", y_cut = 25)
  built <- ggplot2::ggplot_build(p)
  # median of 1, 2, 3, 4, 6, 8 is (3 + 4) / 2 = 3.5
  expect_equal(built$data[[1]]$xintercept, 3.5)
  expect_equal(built$data[[2]]$yintercept, 25)
  expect_equal(as.character(p$data$position),
               as.character(quadrant(qd$pref, qd$outflow, "median",
                                     25)[1:5]))
  expect_length(p$layers, 4)
})

test_that("plot_quadrant(): bad input", {
  skip_if_not_installed("ggplot2")
  expect_equal(err(plot_quadrant(qd, name, outflow))$arg, "x")
  expect_equal(err(plot_quadrant(qd, pref, outfow))$arg, "y")
  expect_equal(err(plot_quadrant(qd, pref, outflow, x_cut = "mode"))$arg,
               "x_cut")
})

# ---- plot_rates --------------------------------------------------------------

test_that("plot_rates(): ranked dots with Wilson intervals", {
  skip_if_not_installed("ggplot2")
  students <- data.frame(
    region = rep(c("North", "East", "South", "West"), c(40, 60, 80, 120)),
    became_doctor = rep(c(TRUE, FALSE, TRUE, FALSE, TRUE, FALSE, TRUE, FALSE),
                        c(30, 10, 35, 25, 60, 20, 70, 50))
  )
  tab <- region_table(students, "region",
                      pct_doctor = rate(became_doctor),
                      rate_ci(became_doctor))
  p <- plot_rates(tab, pct_doctor)
  # rates: North 30/40 = 75, East 35/60 = 58.3, South 60/80 = 75,
  # West 70/120 = 58.3; ties ranked by name, the highest at the top (last
  # level)
  expect_equal(levels(p$data$label), c("East", "West", "North", "South"))
  built <- ggplot2::ggplot_build(p)
  eb <- built$data[[1]]
  # Wilson interval of North, 30 of 40 at 95 %, by the formula
  z <- stats::qnorm(0.975)
  n <- 40
  ph <- 0.75
  centre <- (ph + z^2 / (2 * n)) / (1 + z^2 / n)
  half <- z * sqrt(ph * (1 - ph) / n + z^2 / (4 * n^2)) / (1 + z^2 / n)
  north <- which(p$data$label == "North")
  expect_equal(eb$xmin[eb$y == 3], 100 * (centre - half))
  expect_equal(eb$xmax[eb$y == 3], 100 * (centre + half))
  expect_equal(p$data$rate[north], 75)
  expect_match(p$labels$x, "Wilson")

  # explicit bounds, and a disclosed table: hidden rates are left out
  tab2 <- region_table(students, "region", n = count(),
                       doctors = sum(became_doctor),
                       pct_doctor = rate(became_doctor),
                       ci = rate_ci(became_doctor))
  tab2$doctors[1] <- 9
  out <- disclose(tab2, "doctors", audit = FALSE,
                  derived = list(pct_doctor = "doctors", ci_lo = "doctors",
                                 ci_hi = "doctors"))
  p <- plot_rates(out, pct_doctor, ci_lo, ci_hi)
  hidden <- out$region[!out$pct_doctor_status %in% c("ok", NA)]
  expect_gte(length(hidden), 2)
  expect_false(any(hidden %in% as.character(p$data$label)))
  expect_match(p$labels$caption, paste(length(hidden), "rows"))
})

test_that("plot_rates(): groups side by side", {
  skip_if_not_installed("ggplot2")
  # a: f 80 % and m 40 % (mean 60); b: f 50 % and m 50 % (mean 50)
  tab <- data.frame(region = c("a", "a", "b", "b"),
                    sex = c("f", "m", "f", "m"),
                    pct = c(80, 40, 50, 50), lo = c(70, 30, 40, 40),
                    hi = c(90, 50, 60, 60))
  p <- plot_rates(tab, pct, lo, hi, colour = sex)
  expect_equal(levels(p$data$label), c("b", "a"))
  # rows 1 (b) and 2 (a); f above m, 0.18 either side
  expect_equal(p$data$y, c(2.18, 1.82, 1.18, 0.82))
  built <- ggplot2::ggplot_build(p)
  expect_equal(built$data[[2]]$colour, c("#0072B2", "#D55E00",
                                          "#0072B2", "#D55E00"))
  expect_equal(built$plot$scales$get_scales("colour")$name, "sex")
  expect_equal(err(plot_rates(rbind(tab, tab), pct, lo, hi,
                              colour = sex))$arg, "label")
  expect_equal(err(plot_rates(tab, pct, lo, hi))$arg, "label")
})

test_that("plot_rates(): an interval that cannot be found is an error", {
  skip_if_not_installed("ggplot2")
  tab <- data.frame(region = c("a", "b"), pct = c(10, 20))
  e <- err(plot_rates(tab, pct))
  expect_s3_class(e, "spreiding_error")
  expect_equal(e$arg, "lower")
})

# ---- autoplot() of an accessibility result ----------------------------------

# Villages A and B in reach of the one practice (10 FTE) at A, village C
# 30 km away: R = 10 / 3000 inhabitants, so A and B get 1000 * 10 / 3000
# = 3.333 FTE per 1,000 and C gets nothing.
access_example <- function() {
  villages <- data.frame(x = c(150000, 156000, 180000), y = 450000,
                         population = c(1000, 2000, 500))
  practice <- data.frame(x = 150000, y = 450000, capacity = 10)
  accessibility_2sfca(villages, practice, max_dist = 10000,
                      crs = "EPSG:28992")
}

test_that("autoplot() maps an accessibility result", {
  skip_if_not_installed("ggplot2")
  p <- ggplot2::autoplot(access_example())
  expect_s3_class(p, "ggplot")
  expect_length(p$layers, 3)
  reached <- p$layers[[1]]$data
  expect_equal(reached$x, c(150000, 156000))
  expect_equal(reached$access, rep(1000 * 10 / 3000, 2))
  expect_equal(all.vars(p$layers[[1]]$mapping$colour), c(".data", "access"))
  alone <- p$layers[[2]]$data
  expect_equal(alone$x, 180000)
  expect_identical(alone$what, "no supply in reach (1)")
  expect_identical(p$layers[[3]]$data$what, "supply point (1)")
  expect_true(inherits(p$coordinates, "CoordFixed"))
  expect_match(p$labels$caption, "RD New", fixed = TRUE)
  # without the supply layer
  expect_length(ggplot2::autoplot(access_example(), supply = FALSE)$layers, 2)
  e <- err(ggplot2::autoplot(access_example(), supply = NA))
  expect_s3_class(e, "spreiding_error")
  expect_identical(e$arg, "supply")
})

# ---- rendering ---------------------------------------------------------------

test_that("every figure renders to a PNG of the asked size", {
  skip_if_not_installed("ggplot2")
  skip_if_not_installed("sf")
  pc2 <- pc2_layer()
  dir <- withr::local_tempdir()
  students <- data.frame(region = c("a", "b", "c"), x = c(TRUE, FALSE, TRUE))
  rates <- region_table(students, "region", r = rate(x), r_ci = rate_ci(x))
  figures <- list(
    map = map_regions(disclosed_map_table(pc2), pc2, per_student),
    grey = map_regions(disclosed_map_table(pc2), pc2, per_student,
                       suppressed = "grey"),
    quadrant = plot_quadrant(qd, pref, outflow, name),
    rates = plot_rates(rates, r, colour = "region"),
    access = ggplot2::autoplot(access_example())
  )
  for (nm in names(figures)) {
    file <- file.path(dir, paste0(nm, ".png"))
    ggplot2::ggsave(file, figures[[nm]], width = 4, height = 5, dpi = 50)
    expect_gt(file.size(file), 1000)
    size <- png_size(file)
    if (!is.null(size)) expect_equal(size, c(250, 200))
  }
})
