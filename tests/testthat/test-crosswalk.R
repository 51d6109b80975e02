# Crosswalks and dissolving: hand-made squares with overlap areas worked
# out below, the two ways of cutting areas against each other, sf on the
# real PC4 and AZW layers, PC4 population moved to AZW regions through
# population shares (with uncovered = "nearest": all of them, as the
# derived pc4_to_azw2023.csv table has it), PC4 dissolved into PC2 against
# the sum of its areas and against sf::st_union(), and bad input.

# ---- helpers -----------------------------------------------------------------

# A closed rectangle ring, counter-clockwise (clockwise = TRUE reverses it).
rect <- function(x0, y0, x1, y1, clockwise = FALSE) {
  m <- cbind(c(x0, x1, x1, x0, x0), c(y0, y0, y1, y1, y0))
  if (clockwise) m[5:1, ] else m
}
ring <- function(...) {
  m <- matrix(c(...), ncol = 2, byrow = TRUE)
  rbind(m, m[1, ])
}

# A regions object from a list of MULTIPOLYGONs (lists of polygons, each a
# list of rings), ids in column `id`.
layer <- function(ids, geoms, crs = "EPSG:28992") {
  spreiding:::new_regions(data.frame(id = ids), geoms, id = "id", crs = crs)
}

# Rows i of a layer made by layer().
rows <- function(x, i) layer(x$id[i], unclass(x$geometry)[i])

# The squares. `from`:
#   A [0,2]x[0,2]                area 4
#   B [2,4]x[0,2], clockwise     area 4
#   F [1,3]x[0,3]                area 6
#   C [10,11]x[10,11]            area 1, far from everything in `to`
#   H [4,8]x[4,8] minus the hole [5,7]x[5,7]           area 12
#   M [20,21]x[0,1] and [22,23]x[0,1]                  area 2
#   T triangle (0,10) (4,10) (0,14)                    area 8
#   R [31,33]x[1,3]              area 4
#   E [9,10]x[4,5]               area 1, shares only the edge x = 9 with W
# `to`:
#   X [1,3]x[0,1], Y [1,3]x[1,3], Z [-1,0.5]x[-1,3], W [6,9]x[3,9],
#   V [20.5,22.5]x[-1,2], U [0,2]x[10,20],
#   L the L-shape [30,34]x[0,2] + [30,32]x[2,4] (concave, area 12)
squares <- function() {
  from <- layer(
    c("A", "B", "F", "C", "H", "M", "T", "R", "E"),
    list(
      list(list(rect(0, 0, 2, 2))),
      list(list(rect(2, 0, 4, 2, clockwise = TRUE))),
      list(list(rect(1, 0, 3, 3))),
      list(list(rect(10, 10, 11, 11))),
      list(list(rect(4, 4, 8, 8), rect(5, 5, 7, 7, clockwise = TRUE))),
      list(list(rect(20, 0, 21, 1)), list(rect(22, 0, 23, 1))),
      list(list(ring(0, 10, 4, 10, 0, 14))),
      list(list(rect(31, 1, 33, 3))),
      list(list(rect(9, 4, 10, 5)))
    )
  )
  to <- layer(
    c("X", "Y", "Z", "W", "V", "U", "L"),
    list(
      list(list(rect(1, 0, 3, 1))),
      list(list(rect(1, 1, 3, 3))),
      list(list(rect(-1, -1, 0.5, 3))),
      list(list(rect(6, 3, 9, 9))),
      list(list(rect(20.5, -1, 22.5, 2))),
      list(list(rect(0, 10, 2, 20))),
      list(list(ring(30, 0, 34, 0, 34, 2, 32, 2, 32, 4, 30, 4)))
    )
  )
  list(from = from, to = to)
}

# The crosswalk of the squares, worked out by hand: the area of each
# intersection over the area of the `from` square.
squares_expected <- data.frame(
  from_id = c("A", "A", "A", "B", "B", "F", "F", "C", "H", "M", "T", "R",
              "E"),
  to_id = c("X", "Y", "Z", "X", "Y", "X", "Y", NA, "W", "V", "U", "L", NA),
  area_share = c(
    1 / 4, 1 / 4, 1 / 4,  # A & X = [1,2]x[0,1], A & Y = [1,2]x[1,2],
                          # A & Z = [0,0.5]x[0,2]
    1 / 4, 1 / 4,         # B & X = [2,3]x[0,1], B & Y = [2,3]x[1,2]
    2 / 6, 4 / 6,         # F & X = [1,3]x[0,1], F & Y = [1,3]x[1,3]
    0,                    # C: no overlap
    (8 - 2) / 12,         # H & W = [6,8]x[4,8] minus hole part [6,7]x[5,7]
    (0.5 + 0.5) / 2,      # M & V = [20.5,21]x[0,1] + [22,22.5]x[0,1]
    6 / 8,                # T & U: x in [0,2], y from 10 to 14 - x
    3 / 4,                # R & L = [31,33]x[1,2] + [31,32]x[2,3]
    0                     # E only shares an edge with W
  )
)

pc4_azw <- function() {
  path <- shared_data_path("nl", "nl_regions_rd.gpkg")
  list(
    path = path,
    pc4 = read_regions(path, "pc4_cbs2020", id = "postcode"),
    azw = read_regions(path, "azw_regioplus_2023", id = "statcode")
  )
}

# ---- hand-made squares -------------------------------------------------------

test_that("region_crosswalk() gives the worked-out shares of the squares", {
  sq <- squares()
  cw <- suppressMessages(region_crosswalk(sq$from, sq$to))
  expect_s3_class(cw, "data.frame")
  expect_named(cw, c("from_id", "to_id", "area_share"))
  expect_identical(cw$from_id, squares_expected$from_id)
  expect_identical(cw$to_id, squares_expected$to_id)
  expect_equal(cw$area_share, squares_expected$area_share, tolerance = 1e-12)
})

test_that("shares sum to 1 per fully covered region; the rest are reported", {
  sq <- squares()
  expect_message(cw <- region_crosswalk(sq$from, sq$to),
                 paste("8 of 9 `from` regions are not fully covered by `to`",
                       "\\(2 not at all\\)"),
                 class = "spreiding_uncovered")
  total <- tapply(cw$area_share, factor(cw$from_id, unique(cw$from_id)), sum)
  expect_equal(total[["F"]], 1, tolerance = 1e-12)
  un <- attr(cw, "uncovered")
  expect_named(un, c("from_id", "area_covered"))
  expect_identical(un$from_id, c("A", "B", "C", "H", "M", "T", "R", "E"))
  expect_equal(un$area_covered,
               c(3 / 4, 1 / 2, 0, 1 / 2, 1 / 2, 3 / 4, 3 / 4, 0),
               tolerance = 1e-12)
  # No region is dropped: C and E are there with to_id NA and share 0.
  expect_setequal(cw$from_id, sq$from$id)
  expect_true(all(cw$area_share[is.na(cw$to_id)] == 0))

  covered <- region_crosswalk(rows(sq$from, 3), sq$to)
  expect_equal(nrow(attr(covered, "uncovered")), 0)
  expect_silent(region_crosswalk(rows(sq$from, 3), sq$to))
})

test_that("ids come from the id columns, or are row numbers", {
  sq <- squares()
  from <- sq$from
  attr(from, "region_id") <- NULL
  to <- sq$to
  to$code <- 100L + seq_len(nrow(to))
  attr(to, "region_id") <- "code"
  cw <- suppressMessages(region_crosswalk(from, to))
  expect_identical(cw$from_id, match(squares_expected$from_id, sq$from$id))
  expect_identical(cw$to_id, 100L + match(squares_expected$to_id, sq$to$id))
})

test_that("cutting by triangles agrees with GEOS overlay on the squares", {
  sq <- squares()
  g <- function(x) lapply(x$geometry, unclass)
  tri <- .Call(spreiding:::C_spr_c_crosswalk, g(sq$from), g(sq$to),
               sq$from$id, sq$to$id, 1L)
  ovl <- .Call(spreiding:::C_spr_c_crosswalk, g(sq$from), g(sq$to),
               sq$from$id, sq$to$id, 2L)
  expect_identical(tri$from, ovl$from)
  expect_identical(tri$to, ovl$to)
  expect_equal(tri$area, ovl$area, tolerance = 1e-12)
  expect_equal(tri$from_area, c(4, 4, 6, 1, 12, 2, 8, 4, 1))
})

test_that("a region inside another and the reverse crosswalk", {
  big <- layer("big", list(list(list(rect(0, 0, 10, 10)))))
  small <- layer(c("in", "edge", "out"), list(
    list(list(rect(2, 2, 3, 3))),
    list(list(rect(9, 9, 11, 11))),
    list(list(rect(20, 20, 21, 21)))
  ))
  cw <- suppressMessages(region_crosswalk(small, big))
  expect_identical(cw$to_id, c("big", "big", NA))
  expect_equal(cw$area_share, c(1, 1 / 4, 0))
  back <- suppressMessages(region_crosswalk(big, small))
  expect_identical(back$to_id, c("in", "edge"))
  expect_equal(back$area_share, c(1 / 100, 1 / 100))
})

test_that("population shares count the points in both regions", {
  sq <- squares()
  from <- rows(sq$from, c(1, 2, 4, 5)) # A, B, C, H: they do not overlap
  people <- data.frame(
    x = c(0.25, 1.5, 1.5, 1.5, 2.5, 10.5, 30),
    y = c(1, 0.5, 1.5, 1.9, 0.5, 10.5, 30),
    n = c(10, 20, 30, 40, 50, 60, 70)
  )
  cw <- suppressMessages(
    region_crosswalk(from, sq$to, weight = "population", population = people)
  )
  expect_named(cw, c("from_id", "to_id", "area_share", "population_share"))
  expect_identical(cw$from_id, c("A", "A", "A", "B", "B", "C", "H"))
  expect_identical(cw$to_id, c("X", "Y", "Z", "X", "Y", NA, "W"))
  # A holds (0.25, 1) in Z, (1.5, 0.5) in X, (1.5, 1.5) and (1.5, 1.9) in
  # Y: 10 + 20 + 30 + 40 = 100 people. B holds (2.5, 0.5) in X. C's 60
  # people live outside `to`; H has nobody; (30, 30) is outside both.
  expect_equal(cw$population_share,
               c(20 / 100, 70 / 100, 10 / 100, 1, 0, 0, NA))
  un <- attr(cw, "uncovered")
  expect_named(un, c("from_id", "area_covered", "population_covered"))
  expect_identical(un$from_id, c("A", "B", "C", "H"))
  expect_equal(un$population_covered, c(1, 1, 0, NA))

  # NULL counts: every point is one person.
  one <- suppressMessages(region_crosswalk(
    from, sq$to, weight = "population", population = people[1:4, 1:2],
    population_count = NULL
  ))
  expect_equal(one$population_share[one$from_id == "A"], c(1, 2, 1) / 4)

  # sf points carry their CRS and are transformed to the regions' one.
  skip_if_not_installed("sf")
  pts <- sf::st_as_sf(people, coords = c("x", "y"), crs = 28992)
  expect_equal(
    suppressMessages(region_crosswalk(from, sq$to, weight = "population",
                                      population = pts))$population_share,
    cw$population_share
  )
})

test_that("uncovered = \"nearest\" gives what `to` misses to the nearest region", {
  # `to`: two squares far apart, X [0,2]x[0,2] and Y [10,12]x[0,2].
  # `from`:
  #   a [1,9]x[0,1]    area 8; a & X = [1,2]x[0,1], area 1; the rest lies
  #                    outside `to` (partly covered)
  #   b [7,8]x[-4,-3]  overlaps nothing; distance to X sqrt(5^2 + 3^2),
  #                    to Y sqrt(2^2 + 3^2): nearest Y
  #   c [5.5,6.5]x[5,6] overlaps nothing; distance 3.5 in x and 3 in y to
  #                    both squares: a tie, so X (the first row)
  #   e               empty: no nearest region
  to <- layer(c("X", "Y"), list(list(list(rect(0, 0, 2, 2))),
                                list(list(rect(10, 0, 12, 2)))))
  from <- layer(c("a", "b", "c", "e"), list(
    list(list(rect(1, 0, 9, 1))),
    list(list(rect(7, -4, 8, -3))),
    list(list(rect(5.5, 5, 6.5, 6))),
    list()
  ))
  # People: in a, 10 in X at (1.5, 0.5), 20 outside `to` at (3, 0.5)
  # (nearest X, 1 away, Y 7), 30 outside at (8.5, 0.5) (nearest Y, 1.5
  # away, X 6.5); 5 in b; 70 outside `from`.
  people <- data.frame(x = c(1.5, 3, 8.5, 7.5, 20),
                       y = c(0.5, 0.5, 0.5, -3.5, 20),
                       n = c(10, 20, 30, 5, 70))

  # "report": a keeps 1/8 of its area and 10 of its 60 people in X; b, c
  # and e get a row with to_id NA.
  expect_message(
    rep <- region_crosswalk(from, to, weight = "population",
                            population = people),
    "4 of 4 `from` regions are not fully covered by `to` \\(3 not at all\\);",
    class = "spreiding_uncovered"
  )
  expect_identical(rep$from_id, c("a", "b", "c", "e"))
  expect_identical(rep$to_id, c("X", NA, NA, NA))
  expect_equal(rep$area_share, c(1 / 8, 0, 0, 0))
  expect_equal(rep$population_share, c(10 / 60, 0, NA, NA))

  # "nearest": b goes wholly to Y, c to X (the tie); a keeps its area
  # shares (7/8 stays unassigned) and its people outside `to` go to the
  # nearest square: 10 + 20 to X, 30 to Y (a pair with no common area).
  expect_message(
    near <- region_crosswalk(from, to, weight = "population",
                             population = people, uncovered = "nearest"),
    paste0("4 of 4 `from` regions are not fully covered by `to` \\(3 not ",
           "at all\\); 2 with no overlap were given to the nearest `to` ",
           "region;"),
    class = "spreiding_uncovered"
  )
  expect_identical(near$from_id, c("a", "a", "b", "c", "e"))
  expect_identical(near$to_id, c("X", "Y", "Y", "X", NA))
  expect_equal(near$area_share, c(1 / 8, 0, 1, 1, 0))
  expect_equal(near$population_share, c(30 / 60, 30 / 60, 1, NA, NA))
  # The attribute describes the coverage by `to` itself, as with "report".
  expect_identical(attr(near, "uncovered"), attr(rep, "uncovered"))
  un <- attr(near, "uncovered")
  expect_identical(un$from_id, c("a", "b", "c", "e"))
  expect_equal(un$area_covered, c(1 / 8, 0, 0, 0))
  expect_equal(un$population_covered, c(10 / 60, 0, NA, NA))

  # By area only.
  area <- suppressMessages(region_crosswalk(from, to, uncovered = "nearest"))
  expect_named(area, c("from_id", "to_id", "area_share"))
  expect_identical(area$from_id, c("a", "b", "c", "e"))
  expect_identical(area$to_id, c("X", "Y", "X", NA))
  expect_equal(area$area_share, c(1 / 8, 1, 1, 0))
  # "report" is the default.
  expect_identical(suppressMessages(region_crosswalk(from, to)),
                   suppressMessages(region_crosswalk(from, to,
                                                     uncovered = "report")))

  # sf points in another CRS are transformed before measuring distances.
  skip_if_not_installed("sf")
  pts <- sf::st_transform(
    sf::st_as_sf(people, coords = c("x", "y"), crs = 28992), 4326
  )
  near_sf <- suppressMessages(region_crosswalk(
    from, to, weight = "population", population = pts, uncovered = "nearest"
  ))
  expect_identical(near_sf$to_id, near$to_id)
  expect_equal(near_sf$population_share, near$population_share)
})

test_that("empty regions get a row; sf POLYGON layers are taken", {
  sq <- squares()
  from <- layer(c("e", "a"), list(list(), list(list(rect(0, 0, 1, 1)))))
  cw <- suppressMessages(region_crosswalk(from, sq$to))
  # a only shares an edge with X and a corner with Y.
  expect_identical(cw$from_id, c("e", "a"))
  expect_identical(cw$to_id, c(NA, "Z"))
  expect_equal(cw$area_share, c(0, 1 / 2))

  skip_if_not_installed("sf")
  polygons <- sf::st_cast(sf::st_as_sf(rows(sq$from, 1:3)), "POLYGON",
                          warn = FALSE)
  expect_s3_class(sf::st_geometry(polygons), "sfc_POLYGON")
  cw <- suppressMessages(region_crosswalk(polygons, sq$to))
  expect_equal(cw$area_share, squares_expected$area_share[1:7])
})

# ---- the real layers ---------------------------------------------------------

test_that("PC4 -> AZW equals sf's intersection areas", {
  skip_if_not_installed("sf")
  d <- pc4_azw()
  expect_message(cw <- region_crosswalk(d$pc4, d$azw),
                 class = "spreiding_uncovered")

  old <- suppressMessages(sf::sf_use_s2(FALSE))
  on.exit(suppressMessages(sf::sf_use_s2(old)), add = TRUE)
  pc4 <- sf::st_read(d$path, "pc4_cbs2020", quiet = TRUE)
  azw <- sf::st_read(d$path, "azw_regioplus_2023", quiet = TRUE)
  x <- suppressWarnings(sf::st_intersection(pc4["postcode"], azw["statcode"]))
  a <- as.numeric(sf::st_area(x))
  ref <- data.frame(
    from_id = x$postcode[a > 0], to_id = x$statcode[a > 0],
    area_share = a[a > 0] /
      as.numeric(sf::st_area(pc4))[match(x$postcode[a > 0], pc4$postcode)]
  )
  ref <- ref[order(match(ref$from_id, pc4$postcode),
                   match(ref$to_id, azw$statcode)), ]

  pairs <- cw[!is.na(cw$to_id), ]
  expect_identical(nrow(pairs), nrow(ref))
  expect_identical(pairs$from_id, ref$from_id)
  expect_identical(pairs$to_id, ref$to_id)
  expect_equal(pairs$area_share, ref$area_share, tolerance = 1e-6)
  expect_lt(max(abs(pairs$area_share - ref$area_share)), 1e-9)

  # PC4 5028 has an empty geometry: one row, no overlap.
  expect_identical(cw$to_id[cw$from_id == 5028], NA_character_)
  # The regions reported as not fully covered are those whose sf shares
  # sum to less than 1 (the coast, and the coarse AZW outline).
  ref_total <- tapply(ref$area_share, ref$from_id, sum)
  ref_short <- c(as.integer(names(ref_total))[ref_total < 1 - 1e-9], 5028L)
  un <- attr(cw, "uncovered")
  expect_setequal(un$from_id, ref_short)
  expect_equal(un$area_covered,
               as.vector(c(ref_total, `5028` = 0)[as.character(un$from_id)]),
               tolerance = 1e-9)
  # The rest sum to 1 (AZW regions overlap a little, so 2761 and 3069 are
  # covered by a hair more than once).
  total <- tapply(cw$area_share, cw$from_id, sum)
  covered <- total[!names(total) %in% un$from_id]
  expect_true(all(abs(covered - 1) < 1e-3))
  expect_gt(mean(abs(covered - 1) < 1e-9), 0.99)
})

test_that("cutting by triangles agrees with GEOS overlay on PC4 -> AZW", {
  d <- pc4_azw()
  args <- list(d$pc4$geometry, d$azw$geometry, as.character(d$pc4$postcode),
               d$azw$statcode)
  tri <- do.call(.Call, c(list(spreiding:::C_spr_c_crosswalk), args, 1L))
  ovl <- do.call(.Call, c(list(spreiding:::C_spr_c_crosswalk), args, 2L))
  expect_identical(tri$from, ovl$from)
  expect_identical(tri$to, ovl$to)
  expect_lt(max(abs(tri$area - ovl$area) / tri$from_area[tri$from]), 1e-9)
})

test_that("PC4 population moved to AZW by population shares adds up", {
  skip_if_not_installed("sf")
  d <- pc4_azw()
  old <- suppressMessages(sf::sf_use_s2(FALSE))
  on.exit(suppressMessages(sf::sf_use_s2(old)), add = TRUE)
  pc4 <- sf::st_as_sf(d$pc4)
  points <- suppressWarnings(
    sf::st_point_on_surface(pc4[!sf::st_is_empty(pc4),
                                c("postcode", "inwoners")])
  )
  points$inwoners[is.na(points$inwoners)] <- 0
  cw <- suppressMessages(region_crosswalk(
    d$pc4, d$azw, weight = "population", population = points,
    population_count = "inwoners"
  ))
  inwoners <- d$pc4$inwoners[match(cw$from_id, d$pc4$postcode)]
  into <- !is.na(cw$to_id)
  moved <- rowsum(inwoners[into] * cw$population_share[into], cw$to_id[into],
                  na.rm = TRUE)
  # Every PC4 point lies in one PC4 area, so the people of a PC4 area with a
  # point inside the AZW outline are moved whole; 6462 (6,880 people) has
  # its point outside the coarse outline (see the data's README).
  un <- attr(cw, "uncovered")
  outside <- un$from_id[!is.na(un$population_covered) &
                          un$population_covered == 0]
  expect_identical(outside, 6462L)
  expect_equal(sum(moved) + d$pc4$inwoners[d$pc4$postcode == 6462],
               17472870, tolerance = 1e-12)
  expect_equal(nrow(moved), 28)
})

test_that("uncovered = \"nearest\" moves all PC4 people to AZW regions", {
  skip_if_not_installed("sf")
  d <- pc4_azw()
  table <- utils::read.csv(shared_data_path("nl", "pc4_to_azw2023.csv"))
  old <- suppressMessages(sf::sf_use_s2(FALSE))
  on.exit(suppressMessages(sf::sf_use_s2(old)), add = TRUE)
  pc4 <- sf::st_as_sf(d$pc4)
  points <- suppressWarnings(
    sf::st_point_on_surface(pc4[!sf::st_is_empty(pc4),
                                c("postcode", "inwoners")])
  )
  points$inwoners[is.na(points$inwoners)] <- 0
  cw <- suppressMessages(region_crosswalk(
    d$pc4, d$azw, weight = "population", population = points,
    population_count = "inwoners", uncovered = "nearest"
  ))
  inwoners <- d$pc4$inwoners[match(cw$from_id, d$pc4$postcode)]
  into <- !is.na(cw$to_id)
  moved <- rowsum(inwoners[into] * cw$population_share[into], cw$to_id[into],
                  na.rm = TRUE)
  expect_equal(nrow(moved), 28)
  expect_equal(sum(moved), 17472870, tolerance = 1e-9)
  # The population shares of every PC4 area with people sum to 1.
  total <- tapply(cw$population_share, cw$from_id, sum)
  expect_true(all(abs(total[!is.na(total)] - 1) < 1e-9))
  # 6462 (its point outside the coarse AZW outline) goes where the derived
  # table puts it; 5028 has an empty geometry and keeps its NA row.
  row <- cw[cw$from_id == 6462, ]
  expect_identical(row$to_id, table$azw_code[table$postcode == 6462])
  expect_equal(row$population_share, 1)
  expect_identical(cw$to_id[cw$from_id == 5028], NA_character_)
  # Area shares of partly covered areas are not renormalised: the
  # attribute is the same as with "report".
  rep <- suppressMessages(region_crosswalk(
    d$pc4, d$azw, weight = "population", population = points,
    population_count = "inwoners"
  ))
  expect_identical(attr(cw, "uncovered"), attr(rep, "uncovered"))
  expect_identical(cw$area_share[into], rep$area_share[!is.na(rep$to_id)])
})

# ---- dissolve_regions() ------------------------------------------------------

test_that("dissolve_regions() unions squares into groups", {
  regions <- layer(c("a", "b", "c", "d"), list(
    list(list(rect(0, 0, 1, 1))),
    list(list(rect(1, 0, 2, 1))),
    list(list(rect(5, 5, 6, 6))),
    list(list(rect(0, 1, 2, 2, clockwise = TRUE)))
  ))
  regions$grp <- c("x", "x", "x", "y")
  out <- dissolve_regions(regions, "grp")
  expect_s3_class(out, "sf")
  expect_identical(names(out), c("grp", "geometry"))
  expect_identical(attr(out, "region_id"), "grp")
  expect_identical(out$grp, c("x", "y"))
  expect_s3_class(out$geometry, "sfc_MULTIPOLYGON")
  # x: the two adjacent squares become one 2 x 1 polygon; the far square
  # stays a second polygon.
  expect_length(out$geometry[[1]], 2)
  expect_equal(vapply(out$geometry, region_area, numeric(1)), c(3, 2))
  expect_identical(attr(out$geometry, "crs"), attr(regions$geometry, "crs"))

  by_vector <- dissolve_regions(regions, c(2, 2, 1, 1))
  expect_identical(names(by_vector), c("id", "geometry"))
  expect_identical(by_vector$id, c(1, 2))
  expect_equal(vapply(by_vector$geometry, region_area, numeric(1)), c(3, 2))
})

test_that("PC4 dissolved into PC2 keeps the areas and matches sf::st_union()", {
  d <- pc4_azw()
  pc4 <- d$pc4
  pc2 <- dissolve_regions(pc4, by = pc4$postcode %/% 100)
  expect_identical(nrow(pc2), 90L)
  expect_identical(pc2$id, sort(unique(pc4$postcode %/% 100)))
  expect_s3_class(pc2$geometry, "sfc_MULTIPOLYGON")

  # A PC2 area is the sum of its PC4 areas, less where PC4 areas overlap:
  # the generalised CBS layer has a few overlapping pairs (4196 and 4197
  # are nearly the same polygon). Overlaps come from the PC4 -> PC4
  # crosswalk, which the tests above check against sf.
  area4 <- vapply(pc4$geometry, region_area, numeric(1))
  self <- suppressMessages(region_crosswalk(pc4, pc4))
  self <- self[!is.na(self$to_id) & self$from_id < self$to_id &
                 self$from_id %/% 100 == self$to_id %/% 100, ]
  overlap <- rowsum(self$area_share * area4[match(self$from_id, pc4$postcode)],
                    self$from_id %/% 100)
  expected <- as.vector(rowsum(area4, pc4$postcode %/% 100))
  at <- match(as.integer(rownames(overlap)), pc2$id)
  expected[at] <- expected[at] - overlap
  expect_equal(vapply(pc2$geometry, region_area, numeric(1)), expected,
               tolerance = 1e-6)

  skip_if_not_installed("sf")
  old <- suppressMessages(sf::sf_use_s2(FALSE))
  on.exit(suppressMessages(sf::sf_use_s2(old)), add = TRUE)
  s4 <- sf::st_geometry(sf::st_as_sf(pc4))
  ours <- sf::st_geometry(sf::st_as_sf(pc2))
  groups <- split(seq_along(s4), pc4$postcode %/% 100)
  ref <- do.call(c, lapply(groups, function(i) sf::st_union(s4[i])))
  expect_equal(as.numeric(sf::st_area(ours)), as.numeric(sf::st_area(ref)),
               tolerance = 1e-9)
  for (k in c(1, 45, 90)) {
    diff <- sf::st_sym_difference(ours[k], ref[k])
    expect_lt(as.numeric(sum(sf::st_area(diff))),
              1e-9 * as.numeric(sf::st_area(ref[k])))
  }
})

# ---- bad input ---------------------------------------------------------------

test_that("bad input gives errors that name the argument", {
  sq <- squares()
  wgs84 <- layer("w", list(list(list(rect(4, 52, 5, 53)))), crs = "EPSG:4326")
  people <- data.frame(x = 0.5, y = 0.5, n = 1)
  bowtie <- layer("bow", list(list(list(ring(0, 0, 2, 2, 2, 0, 0, 2)))))
  expect_snapshot(error = TRUE, {
    region_crosswalk(sq$from, wgs84)
    region_crosswalk(data.frame(x = 1), sq$to)
    region_crosswalk(sq$from, list(1))
    region_crosswalk(sq$from, sq$to, weight = "people")
    region_crosswalk(sq$from, sq$to, weight = "population")
    region_crosswalk(sq$from, sq$to, population = people)
    region_crosswalk(sq$from, sq$to, weight = "population",
                     population = people[c("x", "y")])
    region_crosswalk(sq$from, sq$to, weight = "population",
                     population = people, population_count = "count")
    region_crosswalk(sq$from, sq$to, weight = "population",
                     population = data.frame(x = 0, y = 0, n = NA_real_))
    region_crosswalk(sq$from, sq$to, weight = "population",
                     population = list(x = 0, y = 0, n = 1))
    region_crosswalk(bowtie, sq$to)
  })
})

test_that("a bad `uncovered` names the argument", {
  sq <- squares()
  expect_snapshot(error = TRUE, {
    region_crosswalk(sq$from, sq$to, uncovered = "drop")
    region_crosswalk(sq$from, sq$to, uncovered = NA)
  })
})

test_that("bad input to dissolve_regions() names the argument", {
  sq <- squares()
  expect_snapshot(error = TRUE, {
    dissolve_regions(sq$from, "group")
    dissolve_regions(sq$from, 1:2)
    dissolve_regions(sq$from, c(1, 1, NA, 2, 2, 2, 3, 3, 3))
    dissolve_regions(data.frame(id = 1), "id")
  })
})

test_that("sf inputs with other geometry types and CRS are refused", {
  skip_if_not_installed("sf")
  sq <- squares()
  lines <- sf::st_sf(id = 1, geometry = sf::st_sfc(
    sf::st_linestring(rect(0, 0, 1, 1)), crs = 28992))
  not_points <- sf::st_sf(n = 1, geometry = sf::st_sfc(
    sf::st_linestring(rect(0, 0, 1, 1)), crs = 28992))
  expect_snapshot(error = TRUE, {
    region_crosswalk(lines, sq$to)
    region_crosswalk(sq$from, sq$to, weight = "population",
                     population = not_points)
  })
})
