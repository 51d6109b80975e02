# Reference computations for test-disclose.R, written without spreiding:
# which output row is which cell, the true value of every row (totals
# recomputed from the input rows), the additive relations of a table with
# all its totals (built from the input columns), and random tables for the
# property test.

# The one row of a disclose() result at `level` whose key columns equal the
# values in `...` (compared as text).
disc_row <- function(out, level, ...) {
  keys <- list(...)
  hit <- out$level == level
  for (k in names(keys)) {
    v <- as.character(out[[k]])
    hit <- hit & !is.na(v) & v == as.character(keys[[k]])
  }
  w <- which(hit)
  if (length(w) != 1) {
    stop("expected one row at level '", level, "' with ",
         paste(names(keys), keys, sep = " = ", collapse = ", "), "; found ",
         length(w))
  }
  w
}

# The true value of `count` in every row of `out`: input rows keep their
# value; an appended row is the sum over the input rows that agree with it
# on every key column it has (columns that are NA in it are aggregated away).
disc_truth <- function(out, input, count, keys) {
  n_in <- nrow(input)
  truth <- numeric(nrow(out))
  truth[seq_len(n_in)] <- input[[count]]
  for (i in seq_len(nrow(out))[-seq_len(n_in)]) {
    take <- rep(TRUE, n_in)
    for (k in keys) {
      v <- out[[k]][i]
      if (!is.na(v)) take <- take & as.character(input[[k]]) == as.character(v)
    }
    truth[i] <- sum(input[[count]][take])
  }
  truth
}

# Hierarchy edges as c(child, parent) pairs from formulas.
disc_edges <- function(hierarchy) {
  if (is.null(hierarchy)) return(list())
  if (inherits(hierarchy, "formula")) hierarchy <- list(hierarchy)
  lapply(hierarchy, function(f) c(all.vars(f[[2]]), all.vars(f[[3]])))
}

# The additive relations of the published table, built from the input
# columns: for every dimension (by column) and every edge child -> parent
# of its hierarchy (plus top level -> "total"), each parent cell equals the
# sum of its children, all other coordinates fixed. Cells are identified by
# the `level` string ("pc4 x sex", ...) and the key columns. `map_rows` are
# the rows of `out` from which child -> parent codes are read (default: the
# input rows). Returns a list of list(total = row, parts = rows).
disc_relations <- function(out, by, hierarchy = NULL,
                           map_rows = which(out$level == out$level[1])) {
  edges <- disc_edges(hierarchy)
  lev <- do.call(rbind, strsplit(out$level, " x ", fixed = TRUE))
  if (ncol(lev) != length(by)) stop("level strings do not match `by`")
  code <- matrix("", nrow(out), length(by))
  for (d in seq_along(by)) {
    for (l in setdiff(unique(lev[, d]), "total")) {
      at <- lev[, d] == l
      code[at, d] <- as.character(out[[l]][at])
    }
  }
  rels <- list()
  for (d in seq_along(by)) {
    levels_d <- by[d]
    repeat {
      up <- unique(vapply(Filter(function(e) e[1] %in% levels_d, edges),
                          `[`, character(1), 2))
      new <- setdiff(up, levels_d)
      if (length(new) == 0) break
      levels_d <- c(levels_d, new)
    }
    e_d <- Filter(function(e) e[1] %in% levels_d, edges)
    tops <- setdiff(levels_d, vapply(e_d, `[`, character(1), 1))
    e_d <- c(e_d, lapply(tops, function(t) c(t, "total")))
    other <- rep("", nrow(out))
    for (k in seq_along(by)[-d]) {
      other <- paste(other, lev[, k], code[, k], sep = "\r")
    }
    for (e in e_d) {
      child_rows <- which(lev[, d] == e[1])
      if (e[2] == "total") {
        parent_code <- rep("", length(child_rows))
      } else {
        src <- map_rows[!is.na(out[[e[1]]][map_rows])]
        from <- as.character(out[[e[1]]][src])
        to <- as.character(out[[e[2]]][src])
        parent_code <- to[match(code[child_rows, d], from)]
      }
      groups <- split(child_rows, paste(other[child_rows], parent_code,
                                        sep = "\r\r"))
      tot_rows <- which(lev[, d] == e[2])
      key_tot <- paste(other[tot_rows], code[tot_rows, d], sep = "\r\r")
      for (j in seq_along(tot_rows)) {
        parts <- groups[[key_tot[j]]]
        rels[[length(rels) + 1]] <- list(total = tot_rows[j],
                                          parts = as.integer(parts))
      }
    }
  }
  rels
}

# Relations with exactly one hidden cell (total and parts together).
disc_single_hidden <- function(rels, hidden) {
  Filter(function(r) sum(hidden[c(r$total, r$parts)]) == 1, rels)
}

# A small random table for the property test: flat, nested (pc4 ~ pc2),
# a chain (pc4 ~ pc2, pc2 ~ province) or linked (pc4 ~ gemeente,
# pc4 ~ azw), optionally crossed with sex. Counts are a mixture of zeros,
# small counts (1..9) and larger ones.
disc_random_table <- function() {
  kind <- sample(c("flat", "nested", "chain", "linked"), 1)
  cross <- stats::runif(1) < 0.35
  n_pc2 <- sample(2:3, 1)
  per_pc2 <- sample(1:3, n_pc2, replace = TRUE)
  if (kind == "flat") per_pc2 <- pmax(per_pc2, 2)
  pc2 <- as.character(10 + seq_len(n_pc2))
  pc4 <- unlist(Map(function(p, k) paste0(p, sprintf("%02d", seq_len(k))),
                    pc2, per_pc2), use.names = FALSE)
  cells <- data.frame(pc4 = pc4, pc2 = substr(pc4, 1, 2),
                      stringsAsFactors = FALSE)
  cells$province <- ifelse(cells$pc2 == pc2[1], "P1", "P2")
  cells$gemeente <- paste0("G", sample(1:2, nrow(cells), replace = TRUE))
  cells$azw <- paste0("A", sample(1:2, nrow(cells), replace = TRUE))
  if (cross) {
    cells <- cells[rep(seq_len(nrow(cells)), each = 2), ]
    cells$sex <- rep(c("f", "m"), length.out = nrow(cells))
  }
  rownames(cells) <- NULL
  n <- nrow(cells)
  type <- sample(1:3, n, replace = TRUE, prob = c(0.15, 0.35, 0.5))
  cells$n <- ifelse(type == 1, 0L,
                    ifelse(type == 2, sample(1:9, n, replace = TRUE),
                           sample(10:40, n, replace = TRUE)))
  cells$n <- as.integer(cells$n)
  hierarchy <- switch(kind,
    flat = NULL,
    nested = pc4 ~ pc2,
    chain = list(pc4 ~ pc2, pc2 ~ province),
    linked = list(pc4 ~ gemeente, pc4 ~ azw)
  )
  keep <- c("pc4", unlist(lapply(disc_edges(hierarchy), `[`, 2)),
            if (cross) "sex", "n")
  list(table = cells[unique(keep)], hierarchy = hierarchy,
       by = c("pc4", if (cross) "sex"), kind = kind)
}

# The condition raised by `expr`, for checking its fields.
disc_error <- function(expr) {
  tryCatch({
    expr
    NULL
  }, error = function(e) e)
}
