# Shoelace area of a ring (a closed two-column matrix), orientation ignored,
# and of a MULTIPOLYGON in sf layout: outer rings minus holes. Worked-out
# reference areas for the region tests.
ring_area <- function(m) {
  n <- nrow(m)
  abs(sum(m[-n, 1] * m[-1, 2] - m[-1, 1] * m[-n, 2])) / 2
}
region_area <- function(g) {
  sum(vapply(g, function(p) {
    a <- vapply(p, ring_area, numeric(1))
    a[1] - sum(a[-1])
  }, numeric(1)))
}
