# Disclosure control: disclose(), audit_disclosure(), publish(),
# aggregate_small(). Every expected value is worked out by hand in the
# comments or recomputed here without spreiding (base R sums, relations
# built from the input columns in helper-disclose.R). The exact audit
# (linear programming) needs Rglpk; only the expectations that call
# audit_disclosure() or depend on its intervals skip without it.

status_of <- function(out, col = "n") as.character(out[[paste0(col, "_status")]])

# audit_disclosure() rows sorted by row, then column.
audit_sorted <- function(...) {
  a <- audit_disclosure(...)
  a[order(a$row, a$column), , drop = FALSE]
}

# ---- 1. hand-worked small tables -------------------------------------------------

test_that("one dimension: the 3 is primary, the 12 its complement, the total is published", {
  d <- data.frame(region = c("A", "B", "C", "D"), n = c(3L, 12L, 25L, 40L))
  out <- disclose(d, "n")
  expect_s3_class(out, "spreiding_disclosed")
  expect_s3_class(out, "data.frame")

  # The input rows in input order, then the national total.
  expect_identical(nrow(out), 5L)
  expect_identical(out$region[1:4], d$region)
  expect_true(is.na(out$region[5]))
  expect_identical(out$level, c(rep("region", 4), "total"))

  # 3 is in 1..9: primary. The one relation A + B + C + D = total then has
  # a single suppressed cell; the cheapest other cell (non-zero, a detail
  # rather than the total, smallest value) is B = 12: secondary.
  expect_s3_class(out$n_status, "factor")
  expect_identical(levels(out$n_status),
                   c("ok", "primary", "secondary", "derived"))
  expect_identical(status_of(out),
                   c("primary", "secondary", "ok", "ok", "ok"))
  # total: 3 + 12 + 25 + 40 = 80
  expect_equal(out$n, c(NA, NA, 25, 40, 80))

  skip_if_not_installed("Rglpk")
  # Attacker: A + B = 80 - 25 - 40 = 15, A in [1, 9] (primary, zeros safe),
  # so A in [1, 9] and B = 15 - A in [6, 14]. Both widths >= 1.
  a <- audit_sorted(out)
  expect_identical(as.integer(a$row), 1:2)
  expect_identical(as.character(a$column), c("n", "n"))
  expect_identical(as.character(a$status), c("primary", "secondary"))
  expect_equal(a$lower, c(1, 6), tolerance = 1e-6)
  expect_equal(a$upper, c(9, 14), tolerance = 1e-6)
  expect_true(all(a$protected))
})

test_that("region x sex with margins: the classic 2 x 2 pattern of four cells", {
  d <- data.frame(
    region = rep(c("A", "B", "C"), each = 2),
    sex = rep(c("f", "m"), 3),
    n = c(3L, 20L, 15L, 30L, 40L, 50L)
  )
  out <- disclose(d, "n")
  # Margins: A = 3 + 20 = 23, B = 15 + 30 = 45, C = 40 + 50 = 90;
  # f = 3 + 15 + 40 = 58, m = 20 + 30 + 50 = 100; all = 23 + 45 + 90 = 158.
  expect_identical(nrow(out), 6L + 3L + 2L + 1L)
  expect_setequal(unique(out$level), c("region x sex", "region x total",
                                       "total x sex", "total x total"))
  expect_equal(out$n[disc_row(out, "region x total", region = "A")], 23)
  expect_equal(out$n[disc_row(out, "region x total", region = "C")], 90)
  expect_equal(out$n[disc_row(out, "total x sex", sex = "m")], 100)
  expect_equal(out$n[disc_row(out, "total x total")], 158)

  # A-f = 3 is primary. Row A needs a complement: A-m (20, a detail) beats
  # the margin A (23). Column f needs one: B-f = 15 is the smallest of
  # B-f 15, C-f 40 (the margin 58 comes last). Then column m holds A-m alone
  # and row B holds B-f alone; both pick B-m (30 < C-m 50; 30 before the
  # margin B = 45). Whatever order the relations are visited in, the result
  # is A-f, A-m, B-f, B-m: four cells.
  hidden <- is.na(out$n)
  expect_identical(sum(hidden), 4L)
  expect_identical(which(hidden), 1:4)
  expect_identical(status_of(out)[1:6], c("primary", "secondary", "secondary",
                                          "secondary", "ok", "ok"))
  expect_true(all(status_of(out)[7:12] == "ok"))

  # Every relation (each row and column of the table with its margins) has
  # 0 or >= 2 suppressed cells: rows A, B (2 each), C (0), total row (0);
  # columns f, m (2 each), total column (0): 7 relations.
  rels <- disc_relations(out, by = c("region", "sex"))
  expect_length(rels, 7)
  expect_length(disc_single_hidden(rels, hidden), 0)

  skip_if_not_installed("Rglpk")
  # With t = A-f in [1, 9]: A-m = 23 - t in [14, 22]; B-f = 58 - 40 - t =
  # 18 - t in [9, 17]; B-m = 45 - B-f = 27 + t in [28, 36] (check: column m,
  # A-m + B-m = 50 = 100 - 50).
  a <- audit_sorted(out)
  expect_identical(as.integer(a$row), 1:4)
  expect_equal(a$lower, c(1, 14, 9, 28), tolerance = 1e-6)
  expect_equal(a$upper, c(9, 22, 17, 36), tolerance = 1e-6)
  expect_true(all(a$protected))
})

test_that("two primaries in different rows and columns: one rectangle, not a chain", {
  d <- data.frame(
    region = rep(c("A", "B", "C"), each = 3),
    kind = rep(c("x", "y", "z"), 3),
    n = c(3L, 50L, 20L, 40L, 4L, 30L, 25L, 35L, 45L)
  )
  out <- disclose(d, "n", by = c("region", "kind"))
  # A-x = 3 and B-y = 4 are primary. Row A then holds one suppressed cell.
  # A-y (50) also sits in column y, which holds B-y alone: it closes two
  # relations at once (score -2), where A-z (20, the smallest) would open
  # column z (score 0). Column x likewise takes B-x (closes row B too).
  # Choosing by value alone gives a chain of six cells: A-x, A-z, B-z, B-y,
  # C-x, C-y.
  hidden <- which(is.na(out$n))
  expect_identical(hidden, c(1L, 2L, 4L, 5L))
  expect_identical(status_of(out)[1:9],
                   c("primary", "secondary", "ok", "secondary", "primary",
                     "ok", "ok", "ok", "ok"))

  skip_if_not_installed("Rglpk")
  # With A-x = 3 + t: A-y = 50 - t, B-x = 40 - t, B-y = 4 + t; A-x and B-y
  # in [1, 9] give t in [-2, 5], so A-x in [1, 8], A-y in [45, 52], B-x in
  # [35, 42], B-y in [2, 9].
  a <- audit_sorted(out)
  expect_identical(as.integer(a$row), c(1L, 2L, 4L, 5L))
  expect_equal(a$lower, c(1, 45, 35, 2), tolerance = 1e-6)
  expect_equal(a$upper, c(8, 52, 42, 9), tolerance = 1e-6)
  expect_true(all(a$protected))
})

test_that("a PC2 total below 10 is primary; the national total stays published", {
  d <- data.frame(
    pc4 = c("1011", "1012", "1111", "1112", "1211", "1212"),
    pc2 = c("10", "10", "11", "11", "12", "12"),
    n = c(2L, 5L, 20L, 30L, 15L, 25L)
  )
  out <- disclose(d, "n", hierarchy = pc4 ~ pc2)
  # PC2 10 = 2 + 5 = 7, PC2 11 = 20 + 30 = 50, PC2 12 = 15 + 25 = 40;
  # national = 7 + 50 + 40 = 97.
  expect_identical(nrow(out), 6L + 3L + 1L)
  expect_identical(out$level[1:6], rep("pc4", 6))
  r10 <- disc_row(out, "pc2", pc2 = "10")
  r11 <- disc_row(out, "pc2", pc2 = "11")
  r12 <- disc_row(out, "pc2", pc2 = "12")
  rt <- disc_row(out, "total")
  expect_true(is.na(out$pc4[r10]))
  expect_true(is.na(out$pc2[rt]))

  # 2, 5 and the PC2 total 7 are all primary (relation PC2 10 then has three
  # suppressed cells). National = PC2 10 + 11 + 12 has one; its cheapest
  # other part is PC2 12 = 40 (< 50; the national total comes last).
  # PC2 12 = 1211 + 1212 then has one; its cheapest part is 1211 = 15.
  st <- status_of(out)
  expect_identical(st[1:6], c("primary", "primary", "ok", "ok",
                              "secondary", "ok"))
  expect_identical(st[c(r10, r11, r12, rt)],
                   c("primary", "ok", "secondary", "ok"))
  expect_equal(out$n[c(r11, rt)], c(50, 97))
  expect_equal(out$n[c(3, 4, 6)], c(20, 30, 25))

  skip_if_not_installed("Rglpk")
  # a = 1011, b = 1012 in [1, 9]; P = PC2 10 = a + b in [2, 9], so a, b in
  # [1, 8]; P + Q = 97 - 50 = 47 gives Q = PC2 12 in [38, 45]; Q = c + 25
  # gives c = 1211 in [13, 20].
  a <- audit_sorted(out)
  expect_identical(as.integer(a$row), sort(c(1L, 2L, 5L, r10, r12)))
  lower <- c(1, 1, 13, 2, 38)[order(c(1L, 2L, 5L, r10, r12))]
  upper <- c(8, 8, 20, 9, 45)[order(c(1L, 2L, 5L, r10, r12))]
  expect_equal(a$lower, lower, tolerance = 1e-6)
  expect_equal(a$upper, upper, tolerance = 1e-6)
  expect_true(all(a$protected))
})

test_that("zeros are published by default, suppressed on request, never complements", {
  d <- data.frame(region = c("A", "B", "C", "D", "E"),
                  n = c(0L, 4L, 15L, 30L, 51L))
  # total: 0 + 4 + 15 + 30 + 51 = 100

  # Default (zeros safe): 0 stays, 4 is primary, and the complement is the
  # smallest NON-ZERO other cell, C = 15, although A = 0 is smaller.
  out <- disclose(d, "n")
  expect_identical(status_of(out), c("ok", "primary", "secondary", "ok", "ok", "ok"))
  expect_equal(out$n, c(0, NA, NA, 30, 51, 100))

  # zeros = "suppress": 0 and 4 are both primary. The relation already has
  # two suppressed cells, and A + B = 100 - 96 = 4 with A, B in [0, 9]
  # leaves each in [0, 4] (width 4 >= 1): nothing more is suppressed.
  out0 <- disclose(d, "n", rules = list(min_count(10, zeros = "suppress")))
  expect_identical(status_of(out0), c("primary", "primary", "ok", "ok", "ok", "ok"))
  expect_equal(out0$n, c(NA, NA, 15, 30, 51, 100))

  skip_if_not_installed("Rglpk")
  a <- audit_sorted(out0)
  expect_identical(as.integer(a$row), 1:2)
  expect_equal(a$lower, c(0, 0), tolerance = 1e-6)
  expect_equal(a$upper, c(4, 4), tolerance = 1e-6)
  expect_true(all(a$protected))
})

test_that("a magnitude column with decimals is protected in units of its last decimal", {
  # FTE to one decimal. A: 4.5 >= 80% of 5.0, so A is primary under
  # dominance(); B 1.0 < 2.48, C 1.2 < 3.36, D 2.0 < 6.64, and at the total
  # 20.6 the largest is 4.5. The relation A + B + C + D = 20.6 holds A
  # alone, so its smallest detail B (3.1) is the complement: A + B = 20.6 -
  # 4.2 - 8.3 = 8.1, and each lies in [0, 8.1].
  d <- data.frame(region = c("A", "B", "C", "D"), fte = c(5.0, 3.1, 4.2, 8.3),
                  top = c(4.5, 1.0, 1.2, 2.0), n = c(6L, 4L, 12L, 15L))
  rules <- list(min_count(10, columns = "n"),
                dominance(n = 1, k = 80, top = "top", columns = "fte"))
  out <- disclose(d, c("fte", "n"), rules = rules, audit = FALSE)
  expect_identical(status_of(out, "fte"),
                   c("primary", "secondary", "ok", "ok", "ok"))
  # the total is 20.6 exactly, not a sum with rounding error
  expect_identical(out$fte[5], 20.6)
  iv <- attr(out, "disclosure")$intervals
  iv <- iv[iv$column == "fte", ]
  expect_equal(iv$lower, c(0, 0))
  expect_equal(iv$upper, c(8.1, 8.1))
  expect_identical(publish(out)$fte, c("x", "x", "4.2", "8.3", "20.6"))
  # a protection level in FTE: 0.5 wide is met by [0, 8.1]
  out2 <- disclose(d, "fte", rules = list(dominance(top = "top"),
                                          secondary(protection = 0.5)),
                   audit = FALSE)
  expect_identical(status_of(out2, "fte")[1:2], c("primary", "secondary"))

  # min_count() counts persons: decimals in its column are an error naming
  # the row; more than 6 decimals are an error for any rule
  e <- disc_error(disclose(d, "fte"))
  expect_identical(e$arg, "counts")
  expect_identical(e$row, 2L)
  d$fte[2] <- 3.1234567
  e <- disc_error(disclose(d, "fte", rules = list(dominance(top = "top"))))
  expect_identical(e$row, 2L)
  expect_match(conditionMessage(e), "more than 6 decimals")

  skip_if_not_installed("Rglpk")
  a <- audit_sorted(out)
  a <- a[a$column == "fte", ]
  expect_equal(a$upper, c(8.1, 8.1), tolerance = 1e-6)
  # the published strings audited on their own: "4.2" is read as 4.2
  pub <- data.frame(area = c("a", "b", "c", "all"),
                    fte = c("4.2", "x", "x", "20.6"))
  a2 <- audit_disclosure(pub, data.frame(relation = 1, total = 4, part = 1:3),
                         counts = "fte")
  expect_equal(a2$upper, c(16.4, 16.4), tolerance = 1e-6)
})

test_that("dominance(): a cell led by one contributor is hidden and never labelled <10", {
  # FTE per region and the largest single contribution in each.
  d <- data.frame(region = c("A", "B", "C", "D"), fte = c(50, 30, 40, 80),
                  top = c(45, 10, 12, 20))
  out <- disclose(d, "fte", rules = list(dominance(n = 1, k = 80, top = "top")))
  # A: 45 >= 80% of 50 = 40, so A is primary; B 10 < 24, C 12 < 32, D 20 <
  # 64; at the total 200 the largest contribution is 45 < 160. The relation
  # A + B + C + D = 200 then holds A alone; its smallest detail is B = 30.
  expect_identical(status_of(out, "fte"),
                   c("primary", "secondary", "ok", "ok", "ok"))
  expect_equal(out$fte, c(NA, NA, 40, 80, 200))
  # No min_count(): no threshold, so hidden cells print as the symbol.
  expect_identical(publish(out)$fte[1:2], c("x", "x"))

  # With min_count(10) as well, E = 5 is primary under both rules. The
  # attacker knows E is 1..9 but not that A is below 10: A + E = 205 - 30 -
  # 40 - 80 = 55, so A in [46, 54] and E in [1, 9]. A prints as the symbol,
  # not "<10" (it is 50), E as "<10".
  d2 <- rbind(d, data.frame(region = "E", fte = 5, top = 5))
  out2 <- disclose(d2, "fte", rules = list(min_count(10),
                                           dominance(n = 1, k = 80, top = "top")))
  expect_identical(status_of(out2, "fte"),
                   c("primary", "ok", "ok", "ok", "primary", "ok"))
  expect_identical(publish(out2)$fte[c(1, 5)], c("x", "<10"))

  skip_if_not_installed("Rglpk")
  a <- audit_sorted(out)
  expect_equal(a$lower, c(0, 0), tolerance = 1e-6) # A + B = 80
  expect_equal(a$upper, c(80, 80), tolerance = 1e-6)
  a2 <- audit_sorted(out2)
  expect_identical(as.integer(a2$row), c(1L, 5L))
  expect_equal(a2$lower, c(46, 1), tolerance = 1e-6)
  expect_equal(a2$upper, c(54, 9), tolerance = 1e-6)
  expect_true(all(a2$protected))
})

test_that("moves prove a cell protected only when the bounds allow one", {
  moves <- function(status, value, lo, hi, protection = 1) {
    # one relation: cell 3 (the total) = cell 1 + cell 2
    as.vector(.Call(spreiding:::C_spr_c_disclose_moves, c(0L, 3L),
                    c(3L, 1L, 2L), as.integer(status), as.double(value),
                    as.double(lo), as.double(hi), which(status != 0L),
                    as.double(protection), 64L))
  }
  # a = 1 (primary, 1..9), b = 0 hidden, total 1 published: a + 1 needs
  # b - 1 < 0, a - 1 < 1; b + 1 needs a - 1; b - 1 < 0. Nothing moves.
  expect_identical(moves(c(1, 2, 0), c(1, 0, 1), c(1, 0, 0), c(9, Inf, Inf)),
                   c(FALSE, FALSE))
  # b = 4, total 5: a + 1 with b - 1 = 3; b - 1 with a + 1 = 2.
  expect_identical(moves(c(1, 2, 0), c(1, 4, 5), c(1, 0, 0), c(9, Inf, Inf)),
                   c(TRUE, TRUE))
  # the span proven: a (at its lower bound 1) only up, b only down
  span <- .Call(spreiding:::C_spr_c_disclose_moves, c(0L, 3L), c(3L, 1L, 2L),
                c(1L, 2L, 0L), c(1, 4, 5), c(1, 0, 0), c(9, Inf, Inf), 1:2,
                1, 64L)
  expect_identical(attr(span, "up"), c(1L, 0L))
  expect_identical(attr(span, "down"), c(0L, 1L))
  # a = 1, b = 1, total 2: a can reach 2 (b = 0) and no lower, so its
  # interval [1, 2] is 1 wide: protected at protection 1, not at 2.
  expect_identical(moves(c(1, 2, 0), c(1, 1, 2), c(1, 0, 0), c(9, Inf, Inf)),
                   c(TRUE, TRUE))
  expect_identical(moves(c(1, 2, 0), c(1, 1, 2), c(1, 0, 0), c(9, Inf, Inf),
                         protection = 2), c(FALSE, FALSE))
  # the 2 x 2 pattern of the region x sex test: a rectangle moves all four
  d <- data.frame(region = rep(c("A", "B", "C"), each = 2),
                  sex = rep(c("f", "m"), 3), n = c(3L, 20L, 15L, 30L, 40L, 50L))
  out <- disclose(d, "n", by = c("region", "sex"), audit = FALSE)
  rel <- attr(out, "disclosure")$relations
  st <- as.integer(out$n_status) - 1L
  truth <- c(3, 20, 15, 30, 40, 50, 23, 45, 90, 58, 100, 158)
  got <- .Call(spreiding:::C_spr_c_disclose_moves, rel$ptr, rel$member, st,
               truth, ifelse(st == 1L, 1, 0), ifelse(st == 1L, 9, Inf),
               which(st != 0L), 1, 64L)
  expect_identical(as.vector(got), rep(TRUE, 4))
})

test_that("certificates: each primary cell's move is checked, and unneeded complements are published", {
  certify <- function(ptr, member, value, status, lo, hi) {
    n <- length(value)
    .Call(spreiding:::C_spr_c_disclose_certify, ptr, member, as.double(value),
          as.integer(status), rank(value, ties.method = "first"),
          integer(n), as.double(lo), as.double(hi), 1, 64L)
  }
  # one relation: cell 5 (total 100, published) = a 3 (primary, 1..9) +
  # b 20 + c 30 (both hidden as complements) + d 47 (published). a needs
  # one hidden partner. Pruning tries the most valuable complement first:
  # c is published when a finds a move through b, and b, then needed,
  # stays hidden.
  ptr <- c(0L, 5L)
  member <- c(5L, 1L, 2L, 3L, 4L)
  v <- c(3, 20, 30, 47, 100)
  res <- certify(ptr, member, v, c(1, 2, 2, 0, 0), c(1, 0, 0, 0, 0),
                 c(9, Inf, Inf, Inf, Inf))
  expect_identical(res[[1]], c(1L, 2L, 0L, 0L, 0L))
  expect_identical(res[[4]], integer())
  # a's certificate: a and b change in opposite directions (the total
  # stays), worked out by hand; nothing else moves
  cert <- res[[5]]
  cells <- cert[[2]][(cert[[1]][1] + 1):cert[[1]][2]]
  delta <- cert[[3]][(cert[[1]][1] + 1):cert[[1]][2]]
  expect_setequal(cells, 1:2)
  expect_identical(sum(delta), 0L)
  expect_identical(sort(abs(delta)), c(1L, 1L))
  # only primary cells get certificates
  expect_identical(diff(cert[[1]])[2:5], rep(0L, 4))

  # the check in R accepts it, and refuses it when tampered with: a
  # delta that breaks the relation, a published cell in the move, or a
  # move the bounds do not allow
  rel <- list(ptr = ptr, member = member)
  prior <- list(lo = c(1, 0, 0, 0, 0), hi = c(9, Inf, Inf, Inf, Inf))
  chk <- function(status, cert, v = c(3, 20, 30, 47, 100)) {
    spreiding:::certified_cells(rel, v, status, prior, cert, 1)
  }
  expect_identical(chk(res[[1]], cert), 1L)
  broken <- cert
  broken[[3]][broken[[2]] == 2L] <- 2L * broken[[3]][broken[[2]] == 2L]
  expect_identical(chk(res[[1]], broken), integer())
  expect_identical(chk(c(1L, 0L, 0L, 0L, 0L), cert), integer())
  # with a at 1 (its lower bound) and b at 0, neither can give the other a
  # unit: the move fits neither way
  expect_identical(chk(res[[1]], cert, c(1, 0, 30, 69, 100)), integer())

  # with no complement at all, one is bought: the cheapest, b
  res <- certify(ptr, member, v, c(1, 0, 0, 0, 0), c(1, 0, 0, 0, 0),
                 c(9, Inf, Inf, Inf, Inf))
  expect_identical(res[[1]], c(1L, 2L, 0L, 0L, 0L))
})

test_that("1 + 1 = 2 pins both small cells, so a third cell is suppressed", {
  d <- data.frame(region = c("A", "B", "C", "D"), n = c(1L, 1L, 30L, 40L))
  out <- disclose(d, "n")
  # Both 1s are primary, so the relation has two suppressed cells. But
  # A + B = 72 - 30 - 40 = 2 with A, B >= 1 (zeros safe) gives A = B = 1:
  # width 0. One more complement: the cheapest published cell, C = 30.
  # Then A + B + C = 72 - 40 = 32: A, B in [1, 9], C = 32 - A - B in [14, 30].
  expect_identical(status_of(out), c("primary", "primary", "secondary", "ok", "ok"))
  expect_equal(out$n, c(NA, NA, NA, 40, 72))

  skip_if_not_installed("Rglpk")
  a <- audit_sorted(out)
  expect_identical(as.integer(a$row), 1:3)
  expect_equal(a$lower, c(1, 1, 14), tolerance = 1e-6)
  expect_equal(a$upper, c(9, 9, 30), tolerance = 1e-6)
  expect_true(all(a$protected))
})

# ---- 2. nested and linked hierarchies crossed with sex ---------------------------

nested_cells <- function(add = 0L) {
  pc4 <- c("1011", "1012", "1013", "1101", "1102", "1201", "1202", "1203")
  data.frame(
    pc4 = rep(pc4, each = 2),
    pc2 = rep(substr(pc4, 1, 2), each = 2),
    gemeente = rep(c("G1", "G1", "G2", "G2", "G2", "G3", "G3", "G3"), each = 2),
    azw = rep(c("A1", "A2", "A1", "A2", "A2", "A1", "A2", "A2"), each = 2),
    sex = rep(c("f", "m"), 8),
    # f, m for 1011, 1012, 1013, 1101, 1102, 1201, 1202, 1203
    n = c(12L, 3L, 25L, 18L, 0L, 7L, 30L, 41L, 2L, 15L, 8L, 9L, 60L, 33L,
          14L, 1L) + add
  )
}

# Compare the rows of `out` at `level` with a base-R aggregate() of the
# input over `keys`.
expect_totals <- function(out, input, level, keys) {
  if (length(keys)) {
    agg <- stats::aggregate(input["n"], input[keys], sum)
  } else {
    agg <- data.frame(n = sum(input$n))
  }
  rows <- vapply(seq_len(nrow(agg)), function(i) {
    do.call(disc_row, c(list(out, level), as.list(agg[i, keys, drop = FALSE])))
  }, integer(1))
  expect_equal(out$n[rows], agg$n, label = paste("totals at", level))
  expect_identical(sum(out$level == level), nrow(agg))
}

test_that("nested pc4 ~ pc2 x sex: appended totals are the aggregate() sums", {
  big <- nested_cells(add = 10L)[c("pc4", "pc2", "sex", "n")]
  out <- disclose(big, "n", hierarchy = pc4 ~ pc2, by = c("pc4", "sex"))
  # Every cell is >= 10, so nothing is suppressed and every total shows.
  expect_true(all(status_of(out) == "ok"))
  # 16 input rows + 3 pc2 x 2 sex + 2 total x sex + 8 pc4 x total
  # + 3 pc2 x total + 1 total x total = 36
  expect_identical(nrow(out), 36L)
  expect_identical(out$level[1:16], rep("pc4 x sex", 16))
  expect_identical(out$pc4[1:16], big$pc4)
  expect_identical(out$sex[1:16], big$sex)
  expect_setequal(unique(out$level),
                  c("pc4 x sex", "pc2 x sex", "total x sex", "pc4 x total",
                    "pc2 x total", "total x total"))
  expect_totals(out, big, "pc2 x sex", c("pc2", "sex"))
  expect_totals(out, big, "total x sex", "sex")
  expect_totals(out, big, "pc4 x total", "pc4")
  expect_totals(out, big, "pc2 x total", "pc2")
  expect_totals(out, big, "total x total", character())
  # aggregated-away columns are NA in appended rows
  expect_true(all(is.na(out$pc4[out$level == "pc2 x sex"])))
  expect_true(all(is.na(out$sex[out$level == "pc4 x total"])))
})

test_that("nested pc4 ~ pc2 x sex with small cells: no relation has one suppressed cell", {
  d <- nested_cells()[c("pc4", "pc2", "sex", "n")]
  out <- disclose(d, "n", hierarchy = pc4 ~ pc2, by = c("pc4", "sex"))
  expect_identical(nrow(out), 36L)
  truth <- disc_truth(out, d, "n", c("pc4", "pc2", "sex"))
  shown <- !is.na(out$n)
  expect_equal(out$n[shown], truth[shown])
  expect_false(any(truth[shown] %in% 1:9))
  # primary exactly where the true value is in 1..9
  expect_identical(status_of(out) == "primary", truth %in% 1:9)
  expect_identical(status_of(out) != "ok", !shown)

  # pc4 -> pc2: 3 pc2 x 3 (f, m, total) = 9; pc2 -> total: 3;
  # sex -> total: one per area cell, 8 pc4 + 3 pc2 + 1 total = 12. 24 in all.
  rels <- disc_relations(out, c("pc4", "sex"), pc4 ~ pc2)
  expect_length(rels, 24)
  for (r in rels) expect_equal(sum(truth[r$parts]), truth[r$total])
  expect_length(disc_single_hidden(rels, !shown), 0)
})

test_that("linked pc4 ~ gemeente and pc4 ~ azw x sex: totals, levels, relations", {
  big <- nested_cells(add = 10L)[c("pc4", "gemeente", "azw", "sex", "n")]
  h <- list(pc4 ~ gemeente, pc4 ~ azw)
  out <- disclose(big, "n", hierarchy = h, by = c("pc4", "sex"))
  expect_true(all(status_of(out) == "ok"))
  # 16 + (3 gemeente + 2 azw + 1 total) x 3 + 8 pc4 x total = 42
  expect_identical(nrow(out), 42L)
  expect_setequal(unique(out$level),
                  c("pc4 x sex", "gemeente x sex", "azw x sex", "total x sex",
                    "pc4 x total", "gemeente x total", "azw x total",
                    "total x total"))
  expect_totals(out, big, "gemeente x sex", c("gemeente", "sex"))
  expect_totals(out, big, "azw x sex", c("azw", "sex"))
  expect_totals(out, big, "total x sex", "sex")
  expect_totals(out, big, "pc4 x total", "pc4")
  expect_totals(out, big, "gemeente x total", "gemeente")
  expect_totals(out, big, "azw x total", "azw")
  expect_totals(out, big, "total x total", character())
  # a gemeente row says nothing about azw, and the other way round
  expect_true(all(is.na(out$azw[out$level == "gemeente x sex"])))
  expect_true(all(is.na(out$gemeente[out$level == "azw x total"])))

  d <- nested_cells()[c("pc4", "gemeente", "azw", "sex", "n")]
  out <- disclose(d, "n", hierarchy = h, by = c("pc4", "sex"))
  truth <- disc_truth(out, d, "n", c("pc4", "gemeente", "azw", "sex"))
  shown <- !is.na(out$n)
  expect_equal(out$n[shown], truth[shown])
  expect_false(any(truth[shown] %in% 1:9))
  expect_identical(status_of(out) == "primary", truth %in% 1:9)
  # pc4 -> gemeente 3 x 3 = 9, pc4 -> azw 2 x 3 = 6, gemeente -> total 3,
  # azw -> total 3, sex -> total 8 + 3 + 2 + 1 = 14: 35 relations.
  rels <- disc_relations(out, c("pc4", "sex"), h)
  expect_length(rels, 35)
  for (r in rels) expect_equal(sum(truth[r$parts]), truth[r$total])
  expect_length(disc_single_hidden(rels, !shown), 0)

  skip_if_not_installed("Rglpk")
  a <- audit_disclosure(out)
  expect_setequal(a$row, which(!shown))
  expect_true(all(a$lower <= truth[a$row] + 1e-6 & truth[a$row] <= a$upper + 1e-6))
  expect_true(all(a$protected[a$status == "primary"]))
})

test_that("linked x sex: an exposure through two relations is repaired", {
  skip_if_not_installed("Rglpk")
  # pc4 -> gemeente, azw: 1102 (G2, A2), 1103 (G1, A1), 1201 (G1, A2),
  # 1202 (G1, A1), 1203 (G2, A1). Cells by pc4 x sex, n:
  d <- data.frame(
    pc4 = c("1102", "1102", "1103", "1201", "1202", "1203", "1203"),
    gemeente = c("G2", "G2", "G1", "G1", "G1", "G2", "G2"),
    azw = c("A2", "A2", "A1", "A2", "A1", "A1", "A1"),
    sex = c("f", "m", "m", "f", "m", "f", "m"),
    n = c(5L, 6L, 3L, 1L, 5L, 3L, 20L)
  )
  # Totals: 1103 = 3, 1201 = 1, 1202 = 5 (primary), 1203 = 23, A1 = 3 + 5 +
  # 23 = 31, G1 = 3 + 1 + 5 = 9 (primary). If 1203 and A1 were published,
  # 1103 + 1202 = 31 - 23 = 8, so G1 = 8 + 1201 >= 9 (1201 >= 1), and G1 <=
  # 9 (primary): G1 = 9 and 1201 = 1 exactly. disclose() must not leave
  # that: every primary cell must come out protected.
  out <- disclose(d, "n", hierarchy = list(pc4 ~ gemeente, pc4 ~ azw),
                  by = c("pc4", "sex"))
  a <- audit_disclosure(out)
  expect_identical(a$row[a$status == "primary" & !a$protected], integer())
  # the same without certificates (see the next section): the programmes
  # find the exposure and the repair rounds close it
  withr::with_options(list(spreiding.move_cap = 1L), {
    out <- disclose(d, "n", hierarchy = list(pc4 ~ gemeente, pc4 ~ azw),
                    by = c("pc4", "sex"))
  })
  a <- audit_disclosure(out)
  expect_identical(a$row[a$status == "primary" & !a$protected], integer())
})

test_that("linked: a region made of whole gemeenten is a relation of its own", {
  # A1 is exactly G1 + G2; A2 is exactly G3. G2 = 3 + 4 = 7 is primary, as
  # are its two PC4 cells. Without the relation A1 = G1 + G2, publishing
  # A1 (57) and G1 (50) pins G2 = 7, which interval propagation over the
  # stated relations (G2 = 1013 + 1014, A1 = 1011 + ... + 1014) does not
  # see: it only bounds G2 by 2..12.
  d <- data.frame(pc4 = c("1011", "1012", "1013", "1014", "2011"),
                  gemeente = c("G1", "G1", "G2", "G2", "G3"),
                  azw = c("A1", "A1", "A1", "A1", "A2"),
                  n = c(20L, 30L, 3L, 4L, 40L))
  out <- disclose(d, "n", hierarchy = list(pc4 ~ gemeente, pc4 ~ azw),
                  audit = FALSE)
  # rows: the 5 PC4 cells, G1, G2, G3, A1, A2, total
  rel <- attr(out, "disclosure")$relations
  members <- lapply(seq_len(length(rel$ptr) - 1L), function(r) {
    rel$member[(rel$ptr[r] + 1L):rel$ptr[r + 1L]]
  })
  expect_true(list(c(9L, 6L, 7L)) %in% members) # A1 = G1 + G2
  expect_true(list(c(10L, 8L)) %in% members)    # A2 = G3
  # G2 is then alone in T = G1 + G2 + G3 and in A1 = G1 + G2: G1 closes
  # both; G1 is alone in G1 = 1011 + 1012: the smaller, 1011 (20)
  expect_identical(status_of(out),
                   c("secondary", "ok", "primary", "primary", "ok",
                     "secondary", "primary", "ok", "ok", "ok", "ok"))
  skip_if_not_installed("Rglpk")
  a <- audit_disclosure(out)
  expect_true(all(a$protected))
  # G2 = 1013 + 1014 with both in 1..9 and G2 itself at most 9: 2..9, and
  # 1011 = 57 - 30 - G2 absorbs any of these
  expect_equal(a$lower[a$row == 7], 2, tolerance = 1e-6)
  expect_equal(a$upper[a$row == 7], 9, tolerance = 1e-6)
})

# ---- 3. property test ---------------------------------------------------------------

test_that("random hierarchical and linked tables: nothing in 1..9 shows, all is protected", {
  has_lp <- requireNamespace("Rglpk", quietly = TRUE)
  n_tables <- if (has_lp) 1000L else 100L
  set.seed(20250623)
  problems <- character()
  note <- function(k, g, what) {
    problems[length(problems) + 1] <<- paste0(
      "table ", k, " (", g$kind, ", by ", paste(g$by, collapse = "+"), "): ",
      what
    )
  }
  kinds <- character()
  for (k in seq_len(n_tables)) {
    g <- disc_random_table()
    kinds[k] <- g$kind
    out <- tryCatch(disclose(g$table, "n", hierarchy = g$hierarchy, by = g$by),
                    error = function(e) e)
    if (inherits(out, "error")) {
      note(k, g, paste("error:", conditionMessage(out)))
      next
    }
    keys <- setdiff(names(g$table), "n")
    truth <- disc_truth(out, g$table, "n", keys)
    shown <- !is.na(out$n)
    if (!isTRUE(all.equal(out$n[shown], truth[shown]))) {
      note(k, g, "a published value differs from the recomputed one")
    }
    if (any(out$n[shown] %in% 1:9)) note(k, g, "a count in 1..9 is published")
    if (!identical(status_of(out) == "primary", truth %in% 1:9)) {
      note(k, g, "primary cells are not exactly the cells in 1..9")
    }
    rels <- disc_relations(out, g$by, g$hierarchy)
    if (length(disc_single_hidden(rels, !shown))) {
      note(k, g, "a relation has exactly one suppressed cell")
    }
    if (has_lp && any(!shown)) {
      a <- audit_disclosure(out)
      if (!setequal(a$row, which(!shown))) {
        note(k, g, "the audit does not list exactly the suppressed cells")
      }
      inside <- a$lower <= truth[a$row] + 1e-6 & truth[a$row] <= a$upper + 1e-6
      if (!all(inside)) note(k, g, "a true value lies outside its audit interval")
      if (!all(a$protected[a$status == "primary"])) {
        note(k, g, "a primary cell is not protected")
      }
      if (!all(a$protected[a$status != "primary"])) {
        note(k, g, "a secondary cell is not protected")
      }
    }
  }
  expect_setequal(unique(kinds), c("flat", "nested", "chain", "linked"))
  expect_identical(utils::head(problems, 10), character())
})

test_that("cells without a certificate are protected by the programmes and repair rounds", {
  skip_if_not_installed("Rglpk")
  # with moves capped at one cell no certificate is found, so every primary
  # cell takes the path of the rare cell without one: linear programmes,
  # complements for the exposed, and the dual values of the programmes
  withr::local_options(spreiding.move_cap = 1L)
  set.seed(20261204)
  problems <- character()
  kinds <- character()
  for (k in seq_len(60)) {
    g <- disc_random_table()
    kinds[k] <- g$kind
    out <- disclose(g$table, "n", hierarchy = g$hierarchy, by = g$by)
    truth <- disc_truth(out, g$table, "n", setdiff(names(g$table), "n"))
    shown <- !is.na(out$n)
    if (any(out$n[shown] %in% 1:9)) problems <- c(problems, paste(k, "1..9 shown"))
    if (any(!shown)) {
      a <- audit_disclosure(out)
      if (!all(a$protected[a$status == "primary"])) {
        problems <- c(problems, paste(k, "a primary cell is not protected"))
      }
    }
  }
  expect_true("linked" %in% kinds)
  expect_identical(problems, character())
})

test_that("the audit of large groups (moves from feasible points) agrees with the exact one", {
  skip_if_not_installed("Rglpk")
  # every group counts as large when the exact limit is 0; the verdicts
  # must be those of the exact audit, and every partial interval must lie
  # inside the exact one and be at least the protection wide
  set.seed(20261205)
  problems <- character()
  n_exposed <- n_partial <- 0
  for (k in seq_len(40)) {
    g <- disc_random_table()
    out <- disclose(g$table, "n", hierarchy = g$hierarchy, by = g$by)
    if (!any(out$n_status == "secondary")) next
    # publish one complementary cell again: some primary cells may become
    # exposed, which both audits must see
    sec <- which(out$n_status == "secondary")
    truth <- disc_truth(out, g$table, "n", setdiff(names(g$table), "n"))
    out$n[sec[1]] <- truth[sec[1]]
    out$n_status[sec[1]] <- "ok"
    exact <- audit_disclosure(out)
    fast <- withr::with_options(list(spreiding.audit_exact = 0L),
                                audit_disclosure(out))
    n_exposed <- n_exposed + sum(!exact$protected)
    if (!identical(fast$row, exact$row) ||
        !identical(fast$protected, exact$protected)) {
      problems <- c(problems, paste(k, "verdicts differ"))
      next
    }
    part <- !fast$exact
    n_partial <- n_partial + sum(part)
    inside <- fast$lower[part] >= exact$lower[part] - 1e-6 &
      fast$upper[part] <= exact$upper[part] + 1e-6 &
      fast$upper[part] - fast$lower[part] >= 1 - 1e-6
    if (!all(inside)) problems <- c(problems, paste(k, "a partial interval"))
  }
  expect_identical(problems, character())
  # the test is only worth something if some cells were exposed and some
  # were proven by moves or push solutions
  expect_gt(n_exposed, 0)
  expect_gt(n_partial, 0)
})

# ---- 4. derived statistics ---------------------------------------------------------

test_that("a rate is set NA with status 'derived' where its inputs are suppressed", {
  d <- data.frame(region = c("A", "B", "C"),
                  students = c(50L, 40L, 60L),
                  doctors = c(3L, 12L, 45L))
  d$pct <- 100 * d$doctors / d$students
  out <- disclose(d, c("students", "doctors"),
                  derived = list(pct = c("doctors", "students")))
  # students: 50, 40, 60, total 150 -- nothing in 1..9.
  # doctors: 3 is primary; complement in A + B + C = 60 is B = 12.
  expect_identical(status_of(out, "students"), rep("ok", 4))
  expect_identical(status_of(out, "doctors"),
                   c("primary", "secondary", "ok", "ok"))
  expect_equal(out$pct[1:3], c(NA, NA, 100 * 45 / 60))  # C: 75
  expect_identical(as.character(out$pct_status[1:3]),
                   c("derived", "derived", "ok"))
  expect_true(all(levels(out$pct_status) %in%
                    c("ok", "primary", "secondary", "derived")))
})

test_that("derived = TRUE finds the inputs of a region_table() statistic", {
  persons <- data.frame(
    region = rep(c("A", "B", "C"), c(50, 40, 60)),
    became_doctor = c(rep(c(TRUE, FALSE), c(3, 47)),
                      rep(c(TRUE, FALSE), c(12, 28)),
                      rep(c(TRUE, FALSE), c(45, 15)))
  )
  tab <- region_table(persons, "region", students = count(),
                      doctors = sum(became_doctor),
                      pct = pct(doctors, students))
  out <- disclose(tab, c("students", "doctors"))
  # The same counts as above: doctors 3 (primary) and 12 (secondary).
  expect_identical(status_of(out, "doctors"),
                   c("primary", "secondary", "ok", "ok"))
  expect_equal(out$pct[1:3], c(NA, NA, 75))
  expect_identical(as.character(out$pct_status[1:3]),
                   c("derived", "derived", "ok"))
})

test_that("an f - m difference is suppressed where either part is", {
  d <- data.frame(region = c("A", "B", "C"),
                  n_f = c(4L, 15L, 30L), n_m = c(20L, 25L, 35L))
  d$diff <- d$n_f - d$n_m
  out <- disclose(d, c("n_f", "n_m"), derived = list(diff = c("n_f", "n_m")))
  # n_f: 4 primary, complement 15 (relation 4 + 15 + 30 = 49);
  # n_m: 20, 25, 35, total 80, all shown.
  expect_identical(status_of(out, "n_f"), c("primary", "secondary", "ok", "ok"))
  expect_identical(status_of(out, "n_m"), rep("ok", 4))
  expect_equal(out$diff[1:3], c(NA, NA, 30 - 35))
  expect_identical(as.character(out$diff_status[1:3]),
                   c("derived", "derived", "ok"))
})

# ---- 5. publish() --------------------------------------------------------------------

test_that("publish() marks primary and secondary cells in each style", {
  d <- data.frame(region = c("A", "B", "C", "D"), n = c(3L, 12L, 25L, 40L))
  out <- disclose(d, "n")

  # interval style (the default): the primary 3 reads "<10". The secondary
  # 12 has attacker interval [6, 14] (A + B = 15, A in [1, 9]; the interval
  # propagation and the exact audit agree here), which lies inside [0, 19]
  # but not inside [10, 19]: "<20" tells nothing new, "10-19" would.
  int <- publish(out)
  expect_true(is.data.frame(int))
  expect_true(all(vapply(int[c("region", "n")], is.character, logical(1))))
  expect_identical(int$n, c("<10", "<20", "25", "40", "80"))
  expect_identical(int$region, c("A", "B", "C", "D", "Total"))

  # blank and symbol styles show every suppressed cell, primary or
  # secondary, the same way: "" or the symbol ("x" by default).
  expect_identical(publish(out, style = "blank")$n, c("", "", "25", "40", "80"))
  expect_identical(publish(out, style = "symbol")$n,
                   c("x", "x", "25", "40", "80"))
  expect_identical(publish(out, style = "symbol", symbol = "*")$n[1:2],
                   c("*", "*"))
})

test_that("publish() output audits as protected when read back", {
  skip_if_not_installed("Rglpk")
  d <- data.frame(region = c("A", "B", "C", "D"), n = c(3L, 12L, 25L, 40L))
  pub <- publish(disclose(d, "n"))
  # read back as printed: "<10" is [0, 9], "<20" is [0, 19]; with
  # A + B = 80 - 25 - 40 = 15: A in [max(0, 15 - 19), min(9, 15)] = [0, 9],
  # B in [max(0, 15 - 9), min(19, 15)] = [6, 15].
  rel <- data.frame(relation = 1L, total = 5L, part = 1:4)
  a <- audit_sorted(pub, hierarchy = rel, counts = "n")
  expect_identical(as.integer(a$row), 1:2)
  expect_equal(a$lower, c(0, 6), tolerance = 1e-6)
  expect_equal(a$upper, c(9, 15), tolerance = 1e-6)
  expect_true(all(a$protected))
})

test_that("publish() writes Total in aggregated dimensions of a crossed table", {
  d <- data.frame(region = rep(c("A", "B"), each = 2), sex = rep(c("f", "m"), 2),
                  n = c(20L, 30L, 40L, 50L))
  out <- disclose(d, "n")
  p <- publish(out)
  is_tot <- function(lv, k) vapply(strsplit(lv, " x "), `[`, "", k) == "total"
  expect_true(all(p$region[is_tot(out$level, 1)] == "Total"))
  expect_true(all(p$sex[is_tot(out$level, 2)] == "Total"))
  expect_identical(p$region[!is_tot(out$level, 1)],
                   out$region[!is_tot(out$level, 1)])
  # 20 + 30 + 40 + 50 = 140
  expect_identical(p$n[out$level == "total x total"], "140")
})

test_that("publish() rounds half away from zero", {
  d <- data.frame(region = c("A", "B", "C"), n = c(20L, 30L, 40L),
                  rate = c(2.675, 1.25, -0.35), amount = c(7396.5, 84.5, 12.25))
  out <- disclose(d, "n", derived = list(rate = "n", amount = "n"))
  p <- publish(out, digits = c(rate = 2L, amount = 0L))
  # base round() gives 2.67 (2.675 is 2.67499... in binary) and 7396 (half
  # to even); published tables give 2.68 and 7397.
  expect_identical(p$rate[1:3], c("2.68", "1.25", "-0.35"))
  expect_identical(p$amount[1:3], c("7397", "85", "12"))
  expect_identical(p$n, c("20", "30", "40", "90"))

  # default: 0 digits for counts, 1 for columns that are not whole numbers:
  # 2.675 -> 2.7, 1.25 -> 1.3 (base round: 1.2), -0.35 -> -0.4,
  # 7396.5 -> 7396.5, 84.5 -> 84.5, 12.25 -> 12.3.
  p1 <- publish(out)
  expect_identical(p1$rate[1:3], c("2.7", "1.3", "-0.4"))
  expect_identical(p1$amount[1:3], c("7396.5", "84.5", "12.3"))
})

# ---- 6. aggregate_small() ----------------------------------------------------------------

test_that("aggregate_small() folds small PC4 areas into a rest row per PC2", {
  sim <- simulate_cohort("2000-2010", scale = 1, seed = 7)
  linked <- link_cohort(sim$students, sim$addresses, sim$register)
  persons <- linked[!is.na(linked$pc4) & linked$pc2 %in% 30:39, ]
  tab <- stats::aggregate(list(students = rep(1L, nrow(persons))),
                          persons[c("pc4", "pc2")], sum)
  tab <- tab[order(tab$pc4), ]
  rownames(tab) <- NULL

  out <- aggregate_small(tab, pc4 ~ pc2, min = 10, counts = "students")
  expect_s3_class(out, "spreiding_disclosed")
  child <- out$level == "pc4"
  rest <- child & grepl("^rest of", out$pc4)
  kept <- child & !rest

  # kept children: exactly the PC4 areas with at least 10 students, with
  # their own count where shown, >= 10; a hidden one is a complement.
  big <- tab[tab$students >= 10, ]
  expect_setequal(out$pc4[kept], as.character(big$pc4))
  m <- match(out$pc4[kept], as.character(big$pc4))
  shown <- !is.na(out$students[kept])
  expect_equal(out$students[kept][shown], big$students[m][shown])
  expect_true(all(out$students[kept][shown] >= 10))
  expect_true(all(status_of(out, "students")[kept][!shown] == "secondary"))

  # one rest row per PC2 that has small areas, holding their sum
  small_sum <- tapply(tab$students[tab$students < 10],
                      tab$pc2[tab$students < 10], sum)
  expect_setequal(as.character(out$pc2[rest]), names(small_sum))
  rest_truth <- as.vector(small_sum[as.character(out$pc2[rest])])
  rest_shown <- !is.na(out$students[rest])
  expect_equal(out$students[rest][rest_shown], rest_truth[rest_shown])
  expect_true(all(out$students[rest][rest_shown] >= 10))
  expect_identical(status_of(out, "students")[rest] == "primary",
                   rest_truth %in% 1:9)

  # kept + rest = the PC2 total (aggregate), shown and recomputed
  pc2_sum <- tapply(tab$students, tab$pc2, sum)
  for (p in names(pc2_sum)) {
    r <- disc_row(out, "pc2", pc2 = p)
    if (!is.na(out$students[r])) expect_equal(out$students[r], pc2_sum[[p]])
    kids <- which(child & as.character(out$pc2) == p)
    orig <- ifelse(rest[kids], small_sum[p],
                   tab$students[match(out$pc4[kids], as.character(tab$pc4))])
    expect_equal(sum(orig), pc2_sum[[p]])
  }
  expect_equal(out$students[disc_row(out, "total")], sum(tab$students))

  rels <- disc_relations(out, "pc4", pc4 ~ pc2)
  expect_length(disc_single_hidden(rels, is.na(out$students)), 0)
})

# ---- 7. Table 1 as shipped --------------------------------------------------------------

test_that("Table 1: the hidden GP cells of 2011-2024 by migration background", {
  t1 <- spreiding::mulder2025_table1
  block <- t1[t1$cohort == "2011-2024" &
                t1$variable %in% c("total", "migration_background"), ]
  rownames(block) <- NULL
  # row 1 is the cohort total; rows 2..12 the migration backgrounds
  expect_identical(block$category[1], "total")
  expect_identical(block$gps_published[1], "619")
  pub <- block$gps_published[-1]
  names(pub) <- block$category[-1]
  expect_identical(unname(pub[c("Netherlands", "Europe (excl. Netherlands)",
                                "Other Asia")]), c("507", "28", "30"))
  expect_identical(unname(pub["Turkey"]), "<20")
  expect_identical(sum(pub == "<10"), 6L)
  expect_identical(unname(pub["unknown"]), "")

  skip_if_not_installed("Rglpk")
  rel <- data.frame(relation = 1L, total = 1L, part = 2:12)
  a <- audit_sorted(block, hierarchy = rel, counts = "gps_published")
  hidden <- which(!grepl("^[0-9]+$", block$gps_published))
  expect_identical(as.integer(a$row), hidden)
  expect_true(all(a$column == "gps_published"))

  # Hidden sum: 619 - 507 - 28 - 30 = 54 over Turkey T ("<20": [0, 19]), six
  # cells S ("<10") and unknown U (blank: [0, Inf)).
  # T: upper min(19, 54) = 19; lower 0 (U can take the rest) -> [0, 19].
  # S: upper min(9, 54) = 9; lower 0.
  # U: lower max(0, 54 - 19 - 6 * 9) = max(0, -19) = 0; upper 54 minus the
  #    least the others can hold, 54 - 0 - 6 * 0 = 54.
  # "<10" is read as [0, 9], not [1, 9]: a printed table does not say that
  # zeros would have been printed, so the bound an attacker can rely on is 0
  # (the brief's reading of the contract; with [1, 9], S lower would be 1
  # and U upper 54 - 6 = 48).
  what <- block$category[a$row]
  low <- setNames(a$lower, what)
  up <- setNames(a$upper, what)
  expect_equal(unname(c(low["Turkey"], up["Turkey"])), c(0, 19), tolerance = 1e-6)
  s <- block$gps_published[a$row] == "<10"
  expect_equal(a$lower[s], rep(0, 6), tolerance = 1e-6)
  expect_equal(a$upper[s], rep(9, 6), tolerance = 1e-6)
  expect_equal(unname(c(low["unknown"], up["unknown"])), c(0, 54),
               tolerance = 1e-6)
  expect_true(all(a$protected))
})

# ---- 8. bad input ------------------------------------------------------------------------

bad_counts <- function(n) data.frame(region = c("A", "B", "C"), n = n)

test_that("bad counts are classed errors naming the argument and the row", {
  for (n in list(c(12L, -1L, 30L), c(12, 2.5, 30), c(12L, NA, 30L))) {
    expect_error(disclose(bad_counts(n), "n"), class = "spreiding_error")
    e <- disc_error(disclose(bad_counts(n), "n"))
    expect_true(e$arg %in% c("counts", "table"), label = paste("arg", e$arg))
    expect_identical(e$row, 2L)
  }
})

test_that("bad hierarchies are classed errors naming `hierarchy`", {
  # a data-frame hierarchy without a parent for 1111
  d <- data.frame(pc4 = c("1011", "1012", "1111"), n = c(20L, 30L, 40L))
  map <- data.frame(pc4 = c("1011", "1012"), pc2 = c("10", "10"))
  expect_error(disclose(d, "n", hierarchy = map), class = "spreiding_error")
  expect_identical(disc_error(disclose(d, "n", hierarchy = map))$arg, "hierarchy")

  # a formula hierarchy in which 1011 lies in two PC2 areas
  d2 <- data.frame(pc4 = c("1011", "1011", "1012"), pc2 = c("10", "11", "10"),
                   sex = c("f", "m", "f"), n = c(20L, 30L, 40L))
  expect_error(disclose(d2, "n", hierarchy = pc4 ~ pc2, by = c("pc4", "sex")),
               class = "spreiding_error")
  e <- disc_error(disclose(d2, "n", hierarchy = pc4 ~ pc2, by = c("pc4", "sex")))
  expect_identical(e$arg, "hierarchy")

  # a cycle
  d3 <- data.frame(a = c("x", "y"), b = c("y", "x"), n = c(20L, 30L))
  expect_error(disclose(d3, "n", hierarchy = list(a ~ b, b ~ a)),
               class = "spreiding_error")
  e <- disc_error(disclose(d3, "n", hierarchy = list(a ~ b, b ~ a)))
  expect_identical(e$arg, "hierarchy")
})

test_that("an unknown rule name is a classed error", {
  expect_error(disclosure_rule("nope"), class = "spreiding_error")
  # the argument at fault is the first one, `.name`
  expect_identical(disc_error(disclosure_rule("nope"))$arg,
                   names(formals(disclosure_rule))[1])
})

test_that("the error messages are stable", {
  d2 <- data.frame(pc4 = c("1011", "1011", "1012"), pc2 = c("10", "11", "10"),
                   sex = c("f", "m", "f"), n = c(20L, 30L, 40L))
  d3 <- data.frame(a = c("x", "y"), b = c("y", "x"), n = c(20L, 30L))
  expect_snapshot(error = TRUE, {
    disclose(bad_counts(c(12L, -1L, 30L)), "n")
    disclose(d2, "n", hierarchy = pc4 ~ pc2, by = c("pc4", "sex"))
    disclose(d3, "n", hierarchy = list(a ~ b, b ~ a))
    disclosure_rule("nope")
  })
})

test_that("without Rglpk the exact audit is a classed error saying so", {
  skip_if(requireNamespace("Rglpk", quietly = TRUE), "Rglpk is installed")
  d <- data.frame(region = c("A", "B", "C", "D"), n = c(3L, 12L, 25L, 40L))
  out <- disclose(d, "n")
  expect_error(audit_disclosure(out), class = "spreiding_error")
  expect_match(conditionMessage(disc_error(audit_disclosure(out))), "Rglpk")
  expect_error(disclose(d, "n", audit = TRUE), class = "spreiding_error")
  expect_identical(disc_error(disclose(d, "n", audit = TRUE))$arg, "audit")
})

test_that("row relations whose published parts exceed the total are refused", {
  skip_if_not_installed("Rglpk")
  # relation 7: total 10, but 8 + 5 = 13 > 10 before the hidden cell
  pub <- data.frame(category = c("total", "a", "b", "c"),
                    n = c("10", "8", "5", "<10"))
  rel <- data.frame(relation = 7L, total = 1L, part = 2:4)
  expect_error(audit_disclosure(pub, hierarchy = rel, counts = "n"),
               class = "spreiding_error")
  e <- disc_error(audit_disclosure(pub, hierarchy = rel, counts = "n"))
  expect_identical(e$arg, "hierarchy")
  expect_match(conditionMessage(e), "\\b7\\b")
  expect_snapshot(error = TRUE,
                  audit_disclosure(pub, hierarchy = rel, counts = "n"))
})

test_that("a disclosure rule written in R is applied like a built-in", {
  register_disclosure_rule("odd_count", function(x, k = 1) x %% 2 == k,
                           description = "Odd counts (a test rule)")
  on.exit(unregister_disclosure_rule("odd_count"))
  d <- data.frame(area = c("a", "b", "c"), n = c(12, 15, 20))
  # 15 is odd; the total 47 is odd too; with two hidden cells in the one
  # relation (15 and 47), nothing more is needed: 12 and 20 stay.
  out <- disclose(d, "n", rules = list(disclosure_rule("odd_count")),
                  audit = FALSE)
  expect_equal(out$n, c(12, NA, 20, NA))
  expect_equal(as.character(out$n_status),
               c("ok", "primary", "ok", "primary"))
  # a parameter given in the rule call reaches the function: k = 0 hides
  # the even counts 12 and 20 (not the odd total 47); the relation then has
  # two hidden cells whose sum 32 leaves each anywhere in [0, 32]
  expect_equal(
    as.character(disclose(d, "n", rules = list(disclosure_rule("odd_count", k = 0)),
                          audit = FALSE)$n_status),
    c("primary", "ok", "primary", "ok"))
})

test_that("subsetting keeps a disclose() result only when its cells stay addressable", {
  d <- data.frame(region = c("A", "B", "C", "D"), n = c(5, 30, 42, 83))
  out <- disclose(d, "n", audit = FALSE)
  # columns kept with every count and status column: still a result
  kept <- out[c("region", "n", "n_status")]
  expect_s3_class(kept, "spreiding_disclosed")
  expect_identical(publish(kept)$n, publish(out)$n)
  # a status column dropped, or rows taken: a plain data frame that prints
  for (sub in list(out[c("region", "n")], out[1:2, ], out[out$n > 40, ])) {
    expect_identical(class(sub), "data.frame")
    expect_null(attr(sub, "disclosure"))
    expect_output(print(sub), "region")
  }
  expect_identical(out[, "n"], c(NA, NA, 42, 83, 160))
})
