# Point location (region_index(), locate_points()). Expected regions come
# from the rule written out below in plain R (the crossing-number test with
# half-open edges), from sf on the same input, and from known places.

# ---- helpers ---------------------------------------------------------------

# A closed axis-aligned square or rectangle as a ring matrix.
sq <- function(x0, y0, x1 = x0 + 1, y1 = y0 + 1) {
  matrix(c(x0, x1, x1, x0, x0, y0, y0, y1, y1, y0), ncol = 2)
}

# A regions object from a list of geometries (each a list of polygons, each
# a list of rings).
make_regions <- function(geoms, ids = seq_along(geoms), crs = NULL) {
  new_regions(data.frame(id = ids), geoms, id = "id", crs = crs)
}

# The documented rule, written out: a polygon (a list of closed rings) holds
# (px, py) when an odd number of its edges, each taken with its lower end
# (x0, y0) first, have y0 <= py < y1 and px < x0 + (py - y0) (x1 - x0) /
# (y1 - y0). Vectorised over points and edges (a points x edges matrix).
rule_polygon <- function(px, py, rings) {
  inside <- logical(length(px))
  for (m in rings) {
    n <- nrow(m)
    xa <- m[-n, 1]
    ya <- m[-n, 2]
    xb <- m[-1, 1]
    yb <- m[-1, 2]
    keep <- ya != yb
    low <- (ya < yb)[keep]
    x0 <- ifelse(low, xa[keep], xb[keep])
    y0 <- ifelse(low, ya[keep], yb[keep])
    x1 <- ifelse(low, xb[keep], xa[keep])
    y1 <- ifelse(low, yb[keep], ya[keep])
    along <- function(v) matrix(v, length(px), length(v), byrow = TRUE)
    X0 <- along(x0)
    Y0 <- along(y0)
    X1 <- along(x1)
    Y1 <- along(y1)
    PX <- matrix(px, length(px), length(x0))
    PY <- matrix(py, length(px), length(x0))
    X <- X0 + (PY - Y0) * (X1 - X0) / (Y1 - Y0)
    crossings <- rowSums(Y0 <= PY & PY < Y1 & PX < X)
    inside <- xor(inside, crossings %% 2 == 1)
  }
  inside
}

# The bounding box of each region, as a matrix with columns xmin, ymin,
# xmax, ymax (NA for an empty region).
region_boxes <- function(regions) {
  t(vapply(regions$geometry, function(g) {
    if (length(g) == 0) return(rep(NA_real_, 4))
    xy <- do.call(rbind, lapply(g, function(p) p[[1]]))
    c(min(xy[, 1]), min(xy[, 2]), max(xy[, 1]), max(xy[, 2]))
  }, numeric(4)))
}

# For each point and region: does the rule put the point in the region?
# Only regions whose bounding box holds a point are tested.
rule_holds <- function(px, py, regions, boxes = region_boxes(regions)) {
  g <- regions$geometry
  out <- matrix(FALSE, length(px), length(g))
  for (r in seq_along(g)) {
    if (is.na(boxes[r, 1])) next
    near <- px >= boxes[r, 1] & py >= boxes[r, 2] & px <= boxes[r, 3] &
      py <= boxes[r, 4]
    near[is.na(near)] <- FALSE
    if (!any(near)) next
    out[near, r] <- Reduce(`|`, lapply(g[[r]], function(p) {
      rule_polygon(px[near], py[near], p)
    }))
  }
  out
}

# The region of each point by the rule: the first region in row order that
# holds it.
rule_locate <- function(px, py, regions, boxes = region_boxes(regions)) {
  h <- rule_holds(px, py, regions, boxes)
  first <- apply(h, 1, function(r) if (any(r)) which(r)[1] else NA_integer_)
  regions[[attr(regions, "region_id")]][first]
}

# A partition of [0, n]^2 into quadrilaterals whose inner vertices are
# jittered (shared by the neighbours, so the quads tile the square
# exactly), with an enclave in a hole of one quad and one region of two
# separate quads.
jittered_tiles <- function(n = 6, seed = 20240501) {
  withr::local_seed(seed)
  vx <- matrix(0:n, n + 1, n + 1)
  vy <- t(vx)
  inner <- 2:n
  vx[inner, inner] <- vx[inner, inner] + runif((n - 1)^2, -0.3, 0.3)
  vy[inner, inner] <- vy[inner, inner] + runif((n - 1)^2, -0.3, 0.3)
  quad <- function(i, j) {
    idx <- cbind(c(i, i + 1, i + 1, i, i), c(j, j, j + 1, j + 1, j))
    cbind(vx[idx], vy[idx])
  }
  geoms <- list()
  ids <- character()
  for (j in 1:n) {
    for (i in 1:n) {
      if (i == 1 && j == 1) next
      if (i == n && j == n) next
      ring <- quad(i, j)
      poly <- list(ring)
      if (i == 3 && j == 3) poly <- list(ring, sq(2.4, 2.4, 2.6, 2.6))
      geoms[[length(geoms) + 1]] <- list(poly)
      ids <- c(ids, paste0("q", i, "-", j))
    }
  }
  geoms[[length(geoms) + 1]] <- list(list(quad(1, 1)), list(quad(n, n)))
  ids <- c(ids, "corners")
  geoms[[length(geoms) + 1]] <- list(list(sq(2.4, 2.4, 2.6, 2.6)))
  ids <- c(ids, "enclave")
  list(regions = make_regions(geoms, ids), vx = vx, vy = vy, n = n)
}

# The shared PC4 layer, read once.
pc4_layer <- local({
  cached <- NULL
  function() {
    path <- shared_data_path("nl", "nl_regions_rd.gpkg")
    if (is.null(cached)) {
      cached <<- read_regions(path, layer = "pc4_cbs2020", id = "postcode")
    }
    cached
  }
})

err <- function(expr) tryCatch(expr, spreiding_error = function(e) e)

# ---- exact cases on hand-made squares --------------------------------------

# Four unit squares: sw [0,1]^2, se [1,2]x[0,1], nw [0,1]x[1,2], ne [1,2]^2.
four <- make_regions(
  list(list(list(sq(0, 0))), list(list(sq(1, 0))),
       list(list(sq(0, 1))), list(list(sq(1, 1)))),
  c("sw", "se", "nw", "ne")
)

test_that("points inside, outside and on the boundaries of four squares", {
  pts <- data.frame(
    x = c(0.5, 1.5, 0.5, 1.5, 3, -1, 1, 1, 0.5, 1.5, 1, 0, 0, 2, 0.5, 2, 0, 2),
    y = c(0.5, 0.5, 1.5, 1.5, 0, 0.5, 0.5, 1.5, 1, 1, 1, 0, 2, 0, 0, 0.5, 1, 2)
  )
  expected <- c(
    "sw", "se", "nw", "ne", NA, NA,
    "se", "ne", # on a shared north-south edge: the square to the east
    "nw", "ne", # on a shared east-west edge: the square to the north
    "ne", # the vertex all four share: the one north-east of it
    "sw", NA, NA, # outer corners: only the south-west one belongs
    "sw", NA, # outer south edge in, outer east edge out
    "nw", # west edge, at the shared vertex of sw and nw
    NA # the outer north-east corner
  )
  expect_identical(locate_points(pts, four), expected)
  expect_identical(locate_points(pts, four), rule_locate(pts$x, pts$y, four))
})

test_that("a hole is outside its polygon, and an enclave filling it inside", {
  host <- list(list(sq(0, 0, 4, 4), sq(1, 1, 3, 3)))
  with_enclave <- make_regions(list(host, list(list(sq(1, 1, 3, 3)))),
                               c("host", "enclave"))
  hole_only <- make_regions(list(host), "host")
  pts <- data.frame(x = c(0.5, 2, 3.5, 1, 3, 2, 2, 5),
                    y = c(0.5, 2, 2, 2, 2, 1, 3, 5))
  expect_identical(
    locate_points(pts, with_enclave),
    c("host", "enclave", "host",
      "enclave", # west edge of the enclave: the enclave
      "host", # its east edge: the host, east of it
      "enclave", # its south edge: the enclave, north of it
      "host", # its north edge: the host
      NA)
  )
  expect_identical(locate_points(pts, hole_only),
                   c("host", NA, "host", NA, "host", NA, "host", NA))
})

test_that("points on a diagonal shared edge go to exactly one triangle", {
  tri <- make_regions(
    list(list(list(rbind(c(0, 0), c(1, 0), c(1, 1), c(0, 0)))),
         list(list(rbind(c(0, 0), c(1, 1), c(0, 1), c(0, 0))))),
    c("lower", "upper")
  )
  t <- c(0, 1:99 / 100, 1 / 3, 2 / 3, 0.1 * 1:9)
  got <- locate_points(data.frame(x = t, y = t), tri)
  expect_identical(got, rule_locate(t, t, tri))
  # on the diagonal itself both triangles are tested with the same numbers,
  # so each point goes to one of them (the lower one, east of the edge)
  expect_true(all(got == "lower"))
  expect_identical(locate_points(data.frame(x = 1, y = 1), tri), NA_character_)
})

test_that("a jittered tiling: the rule, exactly one tile per point, any grid", {
  tiles <- jittered_tiles()
  reg <- tiles$regions
  n <- tiles$n
  withr::local_seed(7)
  # random points, every vertex, points along every edge of every tile,
  # the vertices of the enclave
  rings <- lapply(reg$geometry, function(g) {
    do.call(rbind, unlist(g, recursive = FALSE))
  })
  along <- do.call(rbind, lapply(reg$geometry, function(g) {
    do.call(rbind, lapply(g, function(p) {
      do.call(rbind, lapply(p, function(m) {
        a <- m[-nrow(m), , drop = FALSE]
        b <- m[-1, , drop = FALSE]
        do.call(rbind, lapply(c(0.25, 0.5, 0.75), function(f) a + f * (b - a)))
      }))
    }))
  }))
  pts <- rbind(
    cbind(runif(3000, -0.5, n + 0.5), runif(3000, -0.5, n + 0.5)),
    cbind(as.vector(tiles$vx), as.vector(tiles$vy)),
    along,
    do.call(rbind, rings)
  )
  pts <- data.frame(x = pts[, 1], y = pts[, 2])
  expected <- rule_locate(pts$x, pts$y, reg)
  for (k in c(0.01, 0.3, 1, 4, 50)) {
    idx <- region_index(reg, cells_per_edge = k)
    expect_identical(locate_points(pts, idx), expected)
  }
  # a tiling: every point strictly inside the square is in exactly one tile
  inner <- pts$x > 0 & pts$x < n & pts$y > 0 & pts$y < n
  expect_false(anyNA(expected[inner]))
  h <- rule_holds(pts$x[inner], pts$y[inner], reg)
  expect_true(all(rowSums(h) == 1))
})

test_that("overlapping regions: a point in both goes to the first in row order", {
  ov <- make_regions(list(list(list(sq(0, 0, 2, 2))), list(list(sq(1, 1, 3, 3)))),
                     c("first", "second"))
  pts <- data.frame(x = c(1.5, 0.5, 2.5), y = c(1.5, 0.5, 2.5))
  expect_identical(locate_points(pts, ov), c("first", "first", "second"))
  vo <- make_regions(ov$geometry[2:1], c("second", "first"))
  expect_identical(locate_points(pts, vo), c("second", "first", "second"))
})

test_that("ids: the id column's type, or row numbers without one", {
  geoms <- four$geometry
  pts <- data.frame(x = c(1.5, 0.5, 9), y = c(0.5, 1.5, 9))
  expect_identical(locate_points(pts, make_regions(geoms, c(11L, 12L, 13L, 14L))),
                   c(12L, 13L, NA))
  f <- factor(c("a", "b", "c", "d"))
  expect_identical(locate_points(pts, make_regions(geoms, f)),
                   factor(c("b", "c", NA), levels = levels(f)))
  no_id <- four
  attr(no_id, "region_id") <- NULL
  expect_identical(locate_points(pts, no_id), c(2L, 3L, NA))
  expect_identical(locate_points(pts, four$geometry), c(2L, 3L, NA))
})

test_that("missing coordinates give NA; integer columns and other names work", {
  pts <- data.frame(east = c(1L, NA, 0L, NaN), north = c(0L, 1L, NA, 0.5))
  expect_identical(locate_points(pts, four, x = "east", y = "north"),
                   c("se", NA, NA, NA))
  expect_identical(locate_points(pts[0, ], four, x = "east", y = "north"),
                   character())
})

test_that("an index is reusable, deterministic and equals a fresh build", {
  tiles <- jittered_tiles()$regions
  withr::local_seed(3)
  pts <- data.frame(x = runif(2000, -1, 7), y = runif(2000, -1, 7))
  a <- region_index(tiles)
  b <- region_index(tiles)
  expect_identical(locate_points(pts, a), locate_points(pts, tiles))
  expect_identical(locate_points(pts, a), locate_points(pts, b))
  expect_identical(.Call(C_spr_c_index_info, a$pointer),
                   .Call(C_spr_c_index_info, b$pointer))
})

test_that("POLYGON geometries and regions without any area", {
  poly <- structure(
    list(structure(list(sq(0, 0)), class = c("XY", "POLYGON", "sfg")),
         structure(list(sq(1, 0)), class = c("XY", "POLYGON", "sfg"))),
    class = c("sfc_POLYGON", "sfc")
  )
  expect_identical(locate_points(data.frame(x = c(0.5, 1.5), y = 0.5), poly),
                   1:2)
  empty <- make_regions(list(list(), list(list(sq(0, 0)))), c("none", "one"))
  expect_identical(locate_points(data.frame(x = c(0.5, 5), y = 0.5), empty),
                   c("one", NA))
  nothing <- make_regions(list(list()), "none")
  expect_identical(locate_points(data.frame(x = 0, y = 0), nothing),
                   NA_character_)
})

test_that("the print method shows regions, CRS, grid and memory", {
  rd <- make_regions(four$geometry, c("sw", "se", "nw", "ne"), crs = 28992)
  expect_snapshot(print(region_index(rd)))
  expect_snapshot(print(region_index(four$geometry)))
})

# ---- bad input -------------------------------------------------------------

test_that("bad points, columns and coordinates are classed errors", {
  lines <- structure(
    list(structure(sq(0, 0), class = c("XY", "LINESTRING", "sfg"))),
    class = c("sfc_LINESTRING", "sfc")
  )
  expect_snapshot(error = TRUE, {
    locate_points(list(x = 1, y = 1), four)
    locate_points(data.frame(x = 1, yy = 2), four)
    locate_points(data.frame(x = "1", y = 2), four)
    locate_points(data.frame(x = 1, y = 2), four, x = c("x", "y"))
    locate_points(data.frame(x = c(0.5, 0.5, Inf), y = c(0.5, -Inf, 0.5)), four)
    locate_points(data.frame(x = c(0.5, -Inf), y = 0.5), four)
    locate_points(lines, four)
  })
  e <- err(locate_points(data.frame(x = c(0.5, 0.5, Inf),
                                    y = c(0.5, -Inf, 0.5)), four))
  expect_identical(e$arg, "points")
  expect_identical(e$row, 2L)
  e <- err(locate_points(data.frame(x = 1, yy = 2), four))
  expect_identical(e$arg, "points")
})

test_that("bad regions and index arguments are classed errors", {
  pts <- data.frame(x = 0.5, y = 0.5)
  pts_sfc <- structure(list(structure(c(0.5, 0.5), class = c("XY", "POINT", "sfg"))),
                       class = c("sfc_POINT", "sfc"))
  bad_geom <- four$geometry
  bad_geom[[3]][[1]][[1]][2, 1] <- NaN
  expect_snapshot(error = TRUE, {
    locate_points(pts, data.frame(a = 1))
    locate_points(pts, pts_sfc)
    locate_points(pts, bad_geom)
    region_index(four, cells_per_edge = 0)
    region_index(four, cells_per_edge = "many")
  })
  e <- err(locate_points(pts, bad_geom))
  expect_identical(e$arg, "regions")
  expect_identical(e$row, 3L)
})

test_that("an index restored from disk asks to be built again", {
  idx <- unserialize(serialize(region_index(four), NULL))
  expect_snapshot(error = TRUE, locate_points(data.frame(x = 0.5, y = 0.5), idx))
  expect_snapshot(print(idx))
})

test_that("CRS: transform when known, never guess, errors name the argument", {
  rd <- make_regions(four$geometry, c("sw", "se", "nw", "ne"), crs = 28992)
  engineering <- make_regions(four$geometry, c("sw", "se", "nw", "ne"),
                              crs = 'LOCAL_CS["arbitrary",UNIT["metre",1]]')
  lonlat <- data.frame(x = 5.1, y = 52.1)
  wgs84_point <- structure(
    list(structure(c(5.1, 52.1), class = c("XY", "POINT", "sfg"))),
    class = c("sfc_POINT", "sfc"),
    crs = structure(list(input = "EPSG:4326", wkt = NA_character_), class = "crs")
  )
  # no CRS given: the numbers are taken as they are (here: in sw)
  expect_identical(locate_points(data.frame(x = 0.5, y = 0.5), rd), "sw")
  expect_snapshot(error = TRUE, {
    locate_points(lonlat, four, crs = 4326)
    locate_points(lonlat, rd, crs = "EPSG:999999")
    locate_points(lonlat, rd, crs = TRUE)
    locate_points(lonlat, engineering, crs = 4326)
    locate_points(wgs84_point, rd, crs = 4326)
    locate_points(wgs84_point, engineering)
  })
  e <- err(locate_points(lonlat, engineering, crs = 4326))
  expect_identical(e$arg, "crs")
  e <- err(locate_points(wgs84_point, engineering))
  expect_identical(e$arg, "points")
  # a point far from the four squares once transformed to RD
  expect_identical(locate_points(wgs84_point, rd), NA_character_)
})

# ---- the real PC4 layer ----------------------------------------------------

test_that("known places in longitude and latitude get their PC4 in RD New", {
  pc4 <- pc4_layer()
  places <- data.frame(
    place = c("Utrecht Centraal", "Dom tower", "Dam square", "Den Burg",
              "North Sea"),
    lon = c(5.1101, 5.1213, 4.8932, 4.7965, 4.0),
    lat = c(52.0894, 52.0907, 52.3731, 53.0545, 52.5)
  )
  expected <- c(3511L, 3512L, 1012L, 1791L, NA)
  expect_identical(locate_points(places, pc4, x = "lon", y = "lat", crs = 4326),
                   expected)
  expect_identical(locate_points(places, pc4, x = "lon", y = "lat",
                                 crs = "EPSG:4326"), expected)
  skip_if_not_installed("sf")
  pts <- sf::st_as_sf(places, coords = c("lon", "lat"), crs = 4326)
  expect_identical(locate_points(pts, pc4), expected)
  expect_identical(locate_points(sf::st_geometry(pts), region_index(pc4)),
                   expected)
})

test_that("PC4 enclaves: a point in the hole gets the enclave, not the host", {
  pc4 <- pc4_layer()
  g <- pc4$geometry
  # find every hole of a PC4 that is exactly the outer ring of another PC4
  # (the same vertices, in any order and direction)
  ring_key <- function(m) {
    paste(nrow(m), sum(sort(m[, 1])), sum(sort(m[, 2])), min(m[, 1]), max(m[, 2]))
  }
  same_ring <- function(a, b) {
    setequal(paste(a[, 1], a[, 2]), paste(b[, 1], b[, 2]))
  }
  outer <- list()
  for (r in seq_along(g)) {
    for (p in g[[r]]) outer[[ring_key(p[[1]])]] <- c(outer[[ring_key(p[[1]])]], r)
  }
  found <- NULL
  holes <- list()
  for (r in seq_along(g)) {
    for (p in g[[r]]) {
      for (h in p[-1]) {
        e <- outer[[ring_key(h)]]
        e <- e[vapply(e, function(k) {
          any(vapply(g[[k]], function(q) same_ring(q[[1]], h), logical(1)))
        }, logical(1))]
        if (length(e)) {
          found <- rbind(found, c(host = r, enclave = e[1]))
          holes[[length(holes) + 1]] <- h
        }
      }
    }
  }
  expect_gt(NROW(found), 5)
  # A horizontal line through the middle of the enclave crosses its ring
  # (and so the host's hole) at xs; the enclave holds the middle of the
  # first crossing pair, the host the middle of the stretch of the line
  # inside the host that ends at the first crossing.
  crossings <- function(rings, y) {
    xs <- numeric()
    for (m in rings) {
      for (k in seq_len(nrow(m) - 1)) {
        a <- m[k, ]
        b <- m[k + 1, ]
        if ((a[2] <= y) != (b[2] <= y)) {
          xs <- c(xs, a[1] + (y - a[2]) * (b[1] - a[1]) / (b[2] - a[2]))
        }
      }
    }
    sort(xs)
  }
  pts <- t(vapply(seq_len(nrow(found)), function(i) {
    ring <- holes[[i]]
    y <- (min(ring[, 2]) + max(ring[, 2])) / 2
    xs <- crossings(list(ring), y)
    host <- crossings(unlist(g[[found[i, "host"]]], recursive = FALSE), y)
    k <- which.min(abs(host - xs[1]))
    stopifnot(k %% 2 == 0)
    c(enclave = (xs[1] + xs[2]) / 2, host = (host[k - 1] + host[k]) / 2, y = y)
  }, numeric(3)))
  got_in <- locate_points(data.frame(x = pts[, "enclave"], y = pts[, "y"]), pc4)
  got_out <- locate_points(data.frame(x = pts[, "host"], y = pts[, "y"]), pc4)
  expect_identical(got_in, pc4$postcode[found[, "enclave"]])
  expect_identical(got_out, pc4$postcode[found[, "host"]])
  expect_identical(got_in, rule_locate(pts[, "enclave"], pts[, "y"], pc4))
  expect_identical(got_out, rule_locate(pts[, "host"], pts[, "y"], pc4))
})

test_that("PC4 shared edges and vertices: the rule holds and gives one region", {
  pc4 <- pc4_layer()
  g <- pc4$geometry
  boxes <- region_boxes(pc4)
  # every edge of every PC4, with its region, keyed by its two ends
  edges <- do.call(rbind, lapply(seq_along(g), function(r) {
    do.call(rbind, lapply(unlist(g[[r]], recursive = FALSE), function(m) {
      n <- nrow(m)
      cbind(region = r, x0 = m[-n, 1], y0 = m[-n, 2], x1 = m[-1, 1], y1 = m[-1, 2])
    }))
  }))
  edges <- as.data.frame(edges)
  # exact integer ids for vertices and edges (match() compares doubles
  # exactly)
  vx <- c(edges$x0, edges$x1)
  vy <- c(edges$y0, edges$y1)
  ux <- unique(vx)
  uy <- unique(vy)
  vkey <- match(vx, ux) * (length(uy) + 1) + match(vy, uy)
  vid <- match(vkey, unique(vkey))
  ne <- nrow(edges)
  va <- vid[seq_len(ne)]
  vb <- vid[ne + seq_len(ne)]
  ekey <- pmin(va, vb) * (max(vid) + 1) + pmax(va, vb)
  eid <- match(ekey, unique(ekey))
  n_shared <- tabulate(eid)[eid]
  # vertices where three or more PC4s meet
  vreg <- unique(vid * (length(g) + 1) + rep(edges$region, 2))
  n_regions <- tabulate(vreg %/% (length(g) + 1))
  triple <- which(n_regions >= 3)
  expect_gt(length(triple), 100)
  first <- match(triple, vid)
  at <- data.frame(x = vx[first], y = vy[first])
  got <- locate_points(at, pc4)
  expect_identical(got, rule_locate(at$x, at$y, pc4, boxes))
  # where every edge from the vertex is shared by two PC4s (no gap or
  # overlap between them near it), exactly one of them holds the vertex
  unshared <- tabulate(vid[rep(n_shared != 2, 2)], nbins = max(vid))
  clean <- unshared[triple] == 0
  expect_gt(sum(clean), 100)
  h <- rule_holds(at$x[clean], at$y[clean], pc4, boxes)
  expect_true(all(rowSums(h) == 1))
  expect_false(anyNA(got[clean]))
  # edges shared by two PC4s: their midpoints
  shared <- edges[duplicated(eid), ]
  expect_gt(nrow(shared), 50000)
  mid <- data.frame(x = (shared$x0 + shared$x1) / 2, y = (shared$y0 + shared$y1) / 2)
  mid <- mid[round(seq(1, nrow(mid), length.out = 2000)), ]
  got <- locate_points(mid, pc4)
  expect_identical(got, rule_locate(mid$x, mid$y, pc4, boxes))
  expect_false(anyNA(got))
  # the one east-west shared edge of the layer: its midpoint lies exactly on
  # it and goes to the PC4 north of it (sf places points 1 cm away)
  flat <- shared[shared$y0 == shared$y1, ]
  expect_identical(nrow(flat), 1L)
  on <- data.frame(x = (flat$x0 + flat$x1) / 2, y = flat$y0 + c(0, 0.01, -0.01))
  got <- locate_points(on, pc4)
  expect_identical(got[1], got[2])
  expect_false(identical(got[2], got[3]))
  skip_if_not_installed("sf")
  old <- suppressMessages(sf::sf_use_s2(FALSE))
  on.exit(suppressMessages(sf::sf_use_s2(old)), add = TRUE)
  sfp <- sf::st_as_sf(on[2:3, ], coords = c("x", "y"), crs = 28992)
  north_south <- lengths(sf::st_intersects(sfp, sf::st_as_sf(pc4)))
  expect_identical(north_south, c(1L, 1L))
  hit <- unlist(sf::st_intersects(sfp, sf::st_as_sf(pc4)))
  expect_identical(got[2:3], pc4$postcode[hit])
})

test_that("PC4 agrees with sf::st_join on 100,000 random points", {
  skip_if_not_installed("sf")
  pc4 <- pc4_layer()
  old <- suppressMessages(sf::sf_use_s2(FALSE))
  on.exit(suppressMessages(sf::sf_use_s2(old)), add = TRUE)
  bb <- attr(pc4$geometry, "bbox")
  withr::local_seed(2024)
  pts <- data.frame(x = runif(1e5, bb[["xmin"]], bb[["xmax"]]),
                    y = runif(1e5, bb[["ymin"]], bb[["ymax"]]))
  ours <- locate_points(pts, region_index(pc4))
  hits <- sf::st_intersects(sf::st_as_sf(pts, coords = c("x", "y"), crs = 28992),
                            sf::st_as_sf(pc4))
  first <- vapply(hits, function(h) if (length(h)) min(h) else NA_integer_, 1L)
  # ties: points sf puts in more than one PC4. Random points do not land on
  # boundaries; the few ties are points where two PC4 polygons of the layer
  # overlap, and then the first PC4 in row order is the answer.
  ties <- sum(lengths(hits) > 1)
  expect_lt(ties, 50)
  expect_identical(ours, pc4$postcode[first])
  expect_gt(sum(!is.na(ours)), 30000)
})
