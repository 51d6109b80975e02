# Figures: choropleth maps of disclosed region tables (map_regions()), the
# Nivel quadrant figure (plot_quadrant()) and ranked rates with their Wilson
# intervals (plot_rates()). Each returns a ggplot object; ggplot2 (and sf for
# maps) are suggested packages, checked when a function is called.

utils::globalVariables(".data")

# ---- map_regions() -----------------------------------------------------------

#' Map one column of a region table
#'
#' Draws a choropleth of one column of a region table, such as a
#' [disclose()]d [region_table()] result, over region polygons. Cells that
#' [disclose()] suppressed are drawn distinctly and have their own legend
#' entries, so that a suppressed cell never looks like a zero or like a
#' region without data.
#'
#' @section Suppressed cells and missing regions:
#' The status column `<fill>_status` of a [disclose()] result says why a
#' value is missing. A region is drawn as
#' * **"fewer than n"** (`n` the threshold of [min_count()], 10 by default)
#'   when its cell was suppressed by the minimum count, or when the value is
#'   derived (a rate, a ratio) from such a count: dark grey with
#'   `suppressed = "grey"`, light grey with diagonal hatching with
#'   `suppressed = "hatch"`;
#' * **"suppressed"** when it was suppressed for another reason (to protect
#'   other cells, or by another rule): light grey;
#' * **"no data"** when the table has no row for it, or its value is
#'   missing without being suppressed (a rate over no persons): white.
#' The values of suppressed cells are never part of the plot data, even
#' when the table still holds them.
#'
#' @section Palettes:
#' Colour-blind safe by default: viridis (sequential) for counts, rates and
#' ratios such as inhabitants per student; a blue-yellow-red scale
#' (ColorBrewer RdYlBu) diverging around 1 for ratios to the national
#' level, such as `share_ratio()` columns (detected by the statistic a
#' [region_table()] column was made with, or by a column name containing
#' "ratio" when the table does not say).
#'
#' @section Which rows are drawn:
#' The rows whose `id` is present; in a [disclose()] result with several
#' dimensions (PC2 x sex), the rows at the level of `id` with every other
#' dimension added up (level `"pc2 x total"`). Every region must then have
#' at most one row. Ids of the table that are not among the regions are
#' reported in a warning (how many, and which).
#'
#' @param table A data frame with one row per region: a [region_table()]
#'   or [disclose()] result, or any data frame with an id column.
#' @param regions Region polygons: a regions object from [read_regions()]
#'   or [as_regions()], or an sf object.
#' @param fill The column of `table` to map: a bare name or a string. It
#'   must be numeric.
#' @param id The column of `table` that identifies the regions, a string.
#'   By default the first `by` column of the table (as [region_table()] and
#'   [disclose()] record it), else the id column of `regions`. It is
#'   matched with the column of the same name in `regions`, or else with
#'   the id column of `regions` (see [read_regions()]); ids are compared as
#'   text, so `10` matches `"10"`.
#' @param suppressed `"hatch"` or `"grey"`, see the section Suppressed
#'   cells.
#' @param palette `NULL` (see the section Palettes), `"sequential"`,
#'   `"diverging"`, or a vector of at least two colours for
#'   [ggplot2::scale_fill_gradientn()].
#' @param labels `NULL`, or a named character vector replacing some of the
#'   texts of the legend: `title` (the legend title of `fill`, by default
#'   the column name with spaces for underscores), `primary` ("fewer than
#'   10"), `suppressed` ("suppressed") and `no_data` ("no data").
#' @return A ggplot object: the regions coloured by `fill`, the suppressed
#'   and missing regions in a second layer, and the hatching (if any) in a
#'   third. Add layers, scales and themes as to any ggplot.
#' @seealso [disclose()], [read_regions()], [plot_quadrant()],
#'   [plot_rates()]
#' @export
#' @examples
#' if (requireNamespace("ggplot2", quietly = TRUE) &&
#'     requireNamespace("sf", quietly = TRUE)) {
#'   pc2 <- read_regions(system.file("extdata", "pc2.gpkg",
#'                                   package = "spreiding"), id = "pc2")
#'   # made-up counts of students; none for PC2 area 12, few in 85 and 86
#'   tab <- data.frame(pc2 = pc2$pc2, inhabitants = pc2$inhabitants)
#'   tab$students <- 10 + (tab$pc2 * 7) %% 50
#'   tab$students[tab$pc2 %in% c(85, 86)] <- c(4, 6)
#'   tab <- tab[tab$pc2 != 12, ]
#'   tab$per_student <- tab$inhabitants / tab$students
#'   out <- disclose(tab, "students", by = "pc2", audit = FALSE,
#'                   derived = list(per_student = "students"))
#'   map_regions(out, pc2, per_student,
#'               labels = c(title = "Inhabitants\nper student"))
#' }
map_regions <- function(table, regions, fill, id = NULL, suppressed = "hatch",
                        palette = NULL, labels = NULL) {
  call <- sys.call()
  plot_need(c("ggplot2", "sf"), "map_regions()", call)
  check_frame(table, "table", call)
  if (!inherits(regions, "sf")) {
    stop_spreiding(paste0("`regions` must be a regions object (from ",
                          "read_regions() or as_regions()) or an sf object, ",
                          "not ", describe(regions), "."),
                   arg = "regions", call = call)
  }
  if (missing(fill)) {
    stop_spreiding("`fill` is missing: name the column of `table` to map.",
                   arg = "fill", call = call)
  }
  fill <- plot_column(substitute(fill), parent.frame(), table, "fill", call)
  value <- table[[fill]]
  if (!is.numeric(value)) {
    stop_spreiding(paste0("`fill` must name a numeric column; ",
                          backtick(fill), " is ", describe(value), ".",
                          if (is.character(value)) paste0(
                            " Map the disclose() result, not the text ",
                            "of publish().") else ""),
                   arg = "fill", call = call)
  }
  suppressed <- arg_choice(suppressed, c("hatch", "grey"), "suppressed", call)
  texts <- map_texts(labels, fill, call)
  palette <- map_palette(palette, table, fill, call)

  keys <- map_keys(table, regions, id, call)
  rows <- map_rows(table, keys$id, call)
  info <- attr(table, "disclosure")
  category <- map_categories(table, rows, fill, info)
  value <- value[rows]
  value[category != "ok"] <- NA
  category[category == "ok" & is.na(value)] <- "no_data"

  tab_ids <- key_text(table[[keys$id]][rows])
  reg_ids <- key_text(.subset2(regions, keys$region_id))
  unmatched <- unique(tab_ids[!tab_ids %in% reg_ids])
  if (length(unmatched) == length(unique(tab_ids))) {
    stop_spreiding(paste0("None of the ids in column ", backtick(keys$id),
                          " of `table` is a region of `regions` (column ",
                          backtick(keys$region_id), "): the table has ",
                          regions_enumerate(unique(tab_ids), 5),
                          ", the regions ", regions_enumerate(reg_ids, 5), "."),
                   arg = "id", call = call)
  }
  if (length(unmatched) > 0) {
    warn_regions(paste0(length(unmatched), " of ", length(unique(tab_ids)),
                        " ids in column ", backtick(keys$id), " of `table` ",
                        if (length(unmatched) == 1) "is not a region" else
                          "are not regions",
                        " of `regions` and ", if (length(unmatched) == 1)
                          "is" else "are", " not drawn: ",
                        regions_enumerate(unmatched), "."), call = call)
  }
  at <- match(reg_ids, tab_ids)
  geo <- sf::st_geometry(regions)
  data <- data.frame(id = reg_ids, value = value[at],
                     category = ifelse(is.na(at), "no_data", category[at]),
                     stringsAsFactors = FALSE)
  data$geometry <- geo
  data <- sf::st_as_sf(data, sf_column_name = "geometry")

  threshold <- map_threshold(info, fill)
  primary_text <- texts[["primary"]] %||% paste("fewer than", threshold)
  legend <- c(primary = primary_text,
              suppressed = texts[["suppressed"]] %||% "suppressed",
              no_data = texts[["no_data"]] %||% "no data")
  greys <- if (suppressed == "grey") {
    c(primary = "grey45", suppressed = "grey75", no_data = "white")
  } else {
    c(primary = "grey75", suppressed = "grey75", no_data = "white")
  }
  hatched <- if (suppressed == "hatch") "primary" else character()
  border <- "grey35"
  ok <- data[data$category == "ok", ]
  other <- data[data$category != "ok", ]
  present <- names(legend)[names(legend) %in% other$category]
  other$category <- factor(legend[other$category], levels = legend[present])

  p <- ggplot2::ggplot() +
    ggplot2::geom_sf(data = ok, ggplot2::aes(fill = .data$value),
                     colour = border, linewidth = 0.15) +
    map_fill_scale(palette, texts[["title"]])
  if (nrow(other) > 0) {
    # one layer per category, so that each has one fill; the categories
    # share a colour scale (all the same border) for their legend entries
    for (k in present) {
      p <- p + ggplot2::geom_sf(
        data = other[as.character(other$category) == legend[[k]], ],
        ggplot2::aes(colour = .data$category), fill = greys[[k]],
        linewidth = 0.15, key_glyph = map_key_glyph
      )
    }
    p <- p +
      ggplot2::scale_colour_manual(
        values = stats::setNames(rep(border, length(present)),
                                 legend[present]),
        name = NULL, drop = FALSE,
        guide = ggplot2::guide_legend(
          order = 2, override.aes = list(fill = unname(greys[present]),
                                         hatch = present %in% hatched)
        )
      )
    hatch <- other[as.character(other$category) %in% legend[hatched], ]
    if (nrow(hatch) > 0) {
      lines <- map_hatch(hatch, data)
      p <- p + ggplot2::geom_sf(data = lines, colour = "grey20",
                                linewidth = 0.25, inherit.aes = FALSE,
                                show.legend = FALSE)
    }
  }
  p +
    ggplot2::coord_sf(datum = NA) +
    ggplot2::theme_void() +
    ggplot2::theme(legend.key.size = ggplot2::unit(0.5, "cm"),
                   plot.background = ggplot2::element_rect(fill = "white",
                                                           colour = NA))
}

# Stop with a classed error unless the packages are installed.
plot_need <- function(pkgs, what, call) {
  missing <- pkgs[!vapply(pkgs, requireNamespace, logical(1), quietly = TRUE)]
  if (length(missing)) {
    stop_spreiding(paste0(what, " needs the package",
                          if (length(missing) > 1) "s " else " ",
                          paste(missing, collapse = " and "),
                          ": install.packages(",
                          if (length(missing) > 1) "c(" else "",
                          paste0("\"", missing, "\"", collapse = ", "),
                          if (length(missing) > 1) ")" else "", ")."),
                   call = call, class = "spreiding_missing_package")
  }
}

# A column argument given as a bare name or a string.
plot_column <- function(expr, env, table, arg, call) {
  name <- NULL
  if (is.symbol(expr)) {
    name <- as.character(expr)
    if (!name %in% names(table)) {
      value <- tryCatch(eval(expr, env), error = function(e) NULL)
      if (is_string(value)) name <- value
    }
  } else if (is_string(expr)) {
    name <- expr
  } else {
    value <- tryCatch(eval(expr, env), error = function(e) NULL)
    if (is_string(value)) name <- value
  }
  if (is.null(name)) {
    stop_spreiding(paste0("`", arg, "` must be a column name, bare or as a ",
                          "string, not `", deparse1(expr), "`."),
                   arg = arg, call = call)
  }
  if (!name %in% names(table)) {
    stop_spreiding(paste0("`table` has no column ", backtick(name), " (`",
                          arg, "`).", did_you_mean(name, names(table))),
                   arg = arg, call = call)
  }
  name
}

# A readable title from a column name.
plot_title <- function(name) gsub("_", " ", name, fixed = TRUE)

map_texts <- function(labels, fill, call) {
  known <- c("title", "primary", "suppressed", "no_data")
  out <- list(title = plot_title(fill))
  if (is.null(labels)) return(out)
  nm <- names(labels)
  if (!is.character(labels) || is.null(nm) || anyNA(labels) ||
      !all(nm %in% known)) {
    stop_spreiding(paste0("`labels` must be a named character vector with ",
                          "names among ", paste0("\"", known, "\"",
                                                 collapse = ", "), "."),
                   arg = "labels", call = call)
  }
  out[nm] <- as.list(labels)
  out
}

map_palette <- function(palette, table, fill, call) {
  if (is.null(palette)) {
    stat <- attr(table, "spreiding")$columns[[fill]]$statistic
    ratio_like <- if (!is.null(stat)) identical(stat, "share_ratio") else
      grepl("ratio", fill, fixed = TRUE)
    return(if (ratio_like) "diverging" else "sequential")
  }
  if (is_string(palette) && palette %in% c("sequential", "diverging")) {
    return(palette)
  }
  if (is.character(palette) && length(palette) >= 2 && !anyNA(palette) &&
      !inherits(try(grDevices::col2rgb(palette), silent = TRUE), "try-error")) {
    return(palette)
  }
  stop_spreiding(paste0("`palette` must be NULL, \"sequential\", ",
                        "\"diverging\" or a vector of at least two colours."),
                 arg = "palette", call = call)
}

map_fill_scale <- function(palette, title) {
  guide <- ggplot2::guide_colourbar(order = 1)
  if (identical(palette, "sequential")) {
    ggplot2::scale_fill_viridis_c(name = title, guide = guide,
                                  na.value = "white")
  } else if (identical(palette, "diverging")) {
    # ColorBrewer RdYlBu: colour-blind safe, and its middle (at 1) is not
    # the white of "no data". 1 sits in the middle of the bar, the farther
    # end of the data at one end of the colours.
    ggplot2::scale_fill_gradientn(
      name = title, guide = guide, na.value = "white",
      colours = c("#4575B4", "#91BFDB", "#FFFFBF", "#FC8D59", "#D73027"),
      rescaler = function(x, to = c(0, 1), from = range(x, na.rm = TRUE)) {
        half <- max(abs(from - 1))
        if (!is.finite(half) || half == 0) half <- 1
        0.5 + (x - 1) / (2 * half)
      }
    )
  } else {
    ggplot2::scale_fill_gradientn(name = title, colours = palette,
                                  guide = guide, na.value = "white")
  }
}

# The id column of the table and of the regions.
map_keys <- function(table, regions, id, call) {
  region_id <- attr(regions, "region_id")
  if (is.null(id)) {
    by <- attr(table, "disclosure")$by %||% attr(table, "spreiding")$by
    id <- if (length(by)) by[1] else NULL
    if (is.null(id) && is_string(region_id) && region_id %in% names(table)) {
      id <- region_id
    }
    if (is.null(id)) {
      shared <- setdiff(intersect(names(table), names(regions)),
                        attr(regions, "sf_column"))
      if (length(shared)) id <- shared[1]
    }
    if (is.null(id)) {
      stop_spreiding(paste0("Give `id`, the column of `table` that ",
                            "identifies the regions: the table does not ",
                            "record it and shares no column with `regions`."),
                     arg = "id", call = call)
    }
  } else if (!is_string(id)) {
    stop_spreiding("`id` must be a column name (a string) or NULL.",
                   arg = "id", call = call)
  }
  if (!id %in% names(table)) {
    stop_spreiding(paste0("`table` has no column ", backtick(id), " (`id`).",
                          did_you_mean(id, names(table))),
                   arg = "id", call = call)
  }
  rid <- if (id %in% names(regions) && !identical(id, attr(regions,
                                                           "sf_column"))) {
    id
  } else {
    region_id
  }
  if (!is_string(rid) || !rid %in% names(regions)) {
    stop_spreiding(paste0("`regions` has no column ", backtick(id),
                          " and no id column to match `table` with; read ",
                          "them with `read_regions(id = )` or ",
                          "`as_regions(id = )`."),
                   arg = "regions", call = call)
  }
  list(id = id, region_id = rid)
}

# The rows of the table to draw: one per region.
map_rows <- function(table, id, call) {
  keep <- !is.na(table[[id]])
  if (anyDuplicated(table[[id]][keep]) && "level" %in% names(table)) {
    parts <- strsplit(as.character(table$level), " x ", fixed = TRUE)
    at_id <- vapply(parts, function(p) {
      any(p == id) && all(p[p != id] == "total")
    }, logical(1))
    keep <- keep & at_id
  }
  rows <- which(keep)
  dup <- anyDuplicated(table[[id]][rows])
  if (dup) {
    stop_spreiding(paste0("`table` has several rows for region ",
                          format(table[[id]][rows][dup]), " (column ",
                          backtick(id), "); keep one row per region, for ",
                          "instance one sex, before mapping."),
                   arg = "table", row = rows[dup], call = call)
  }
  rows
}

key_text <- function(x) {
  if (is.factor(x)) x <- as.character(x)
  if (is.numeric(x)) x <- format(x, scientific = FALSE, trim = TRUE)
  trimws(as.character(x))
}

# The category of each drawn row: "ok", "primary" (fewer than the
# threshold), "suppressed" (any other suppression) or "no_data".
map_categories <- function(table, rows, fill, info) {
  status <- table[[paste0(fill, "_status")]]
  out <- rep("ok", length(rows))
  if (is.null(status)) return(out)
  st <- as.character(status[rows])
  out[!is.na(st) & st != "ok"] <- "suppressed"
  small <- map_small(table, info, fill)
  if (!is.null(small)) out[out == "suppressed" & small[rows]] <- "primary"
  out
}

# Rows where `col`, or a count it is derived from, is a cell suppressed by
# the minimum count rule (known to lie below the threshold).
map_small <- function(table, info, col) {
  if (is.null(info) || is.null(info$intervals)) return(NULL)
  counts <- if (col %in% info$counts) col else info$derived[[col]]
  counts <- intersect(counts, info$counts)
  if (!length(counts)) return(NULL)
  iv <- info$intervals
  small <- rep(FALSE, nrow(table))
  for (k in counts) {
    n <- info$thresholds[[k]]
    if (is.na(n)) next
    r <- iv[iv$column == k & iv$status == "primary" & !is.na(iv$upper) &
              iv$upper <= n - 1, "row"]
    small[r] <- TRUE
  }
  small
}

map_threshold <- function(info, fill) {
  if (is.null(info)) return(10)
  counts <- if (fill %in% info$counts) fill else info$derived[[fill]]
  n <- info$thresholds[intersect(counts, info$counts)]
  n <- n[!is.na(n)]
  if (length(n)) min(n) else 10
}

# Legend keys: the fill of the category, hatched for the hatched ones.
map_key_glyph <- function(data, params, size) {
  rect <- grid::rectGrob(gp = grid::gpar(col = data$colour %||% "grey35",
                                           fill = data$fill, lwd = 0.5))
  if (!isTRUE(data$hatch)) return(rect)
  s <- seq(-1, 1, by = 0.25)
  lines <- grid::segmentsGrob(
    x0 = pmax(0, s), y0 = pmax(0, -s), x1 = pmin(1, 1 + s),
    y1 = pmin(1, 1 - s), gp = grid::gpar(col = "grey20", lwd = 0.7)
  )
  grid::grobTree(rect, lines)
}

# Diagonal hatching clipped to the polygons of `x`, spaced by 1/90 of the
# larger side of the whole map.
map_hatch <- function(x, all) {
  box <- sf::st_bbox(all)
  step <- max(box[["xmax"]] - box[["xmin"]], box[["ymax"]] - box[["ymin"]]) / 90
  hb <- sf::st_bbox(x)
  w <- hb[["xmax"]] - hb[["xmin"]]
  h <- hb[["ymax"]] - hb[["ymin"]]
  offsets <- seq(-h, w, by = step)
  segs <- lapply(offsets, function(o) {
    # lines at 45 degrees: from (xmin + o, ymin) up and to the right
    x0 <- hb[["xmin"]] + o
    matrix(c(x0, x0 + h, hb[["ymin"]], hb[["ymax"]]), ncol = 2)
  })
  grid <- sf::st_sfc(sf::st_multilinestring(segs), crs = sf::st_crs(x))
  shapes <- sf::st_union(sf::st_make_valid(sf::st_geometry(x)))
  clipped <- suppressWarnings(suppressMessages(
    sf::st_intersection(grid, shapes)
  ))
  sf::st_sf(geometry = clipped)
}

# ---- plot_quadrant() ---------------------------------------------------------

#' The labour-market quadrant figure
#'
#' The scatter of Figure 5 of the Nivel factsheet on young GPs: each
#' region's popularity `x` (the percentage of recently qualified GPs who
#' would like to work there) against its expected outflow `y` (the
#' percentage of its GPs expected to leave), split by dashed lines at the
#' cuts into the four positions of [quadrant()], which are named in the
#' corners. Points are coloured by position and named after `label`,
#' without overlap when ggrepel is installed (otherwise labels that would
#' overlap are left out).
#'
#' The positions are those [quadrant()] gives with the same cuts (a value
#' equal to its cut is low); the dashed lines are drawn at the cut values,
#' the means or medians of the regions where each variable is present, as
#' [quadrant()] computes them. Regions with `x` or `y` missing (suppressed,
#' say) are left out.
#'
#' @param table A data frame with one row per region.
#' @param x,y Columns of `table` (bare names or strings): popularity on the
#'   horizontal axis and expected outflow on the vertical one.
#' @param label Column of region names, or `NULL` for no names.
#' @param x_cut,y_cut Cuts as in [quadrant()]: `"mean"`, `"median"`,
#'   `"weighted_mean"` or a number.
#' @param weights Column of weights, only for `"weighted_mean"` cuts.
#' @return A ggplot object.
#' @seealso [quadrant()], [classify()], [map_regions()]
#' @export
#' @examples
#' if (requireNamespace("ggplot2", quietly = TRUE)) {
#'   regions <- data.frame(
#'     name = c("Utrecht", "Zeeland", "Drenthe", "Amsterdam", "Twente",
#'              "Limburg"),
#'     pref_pct = c(16.3, 3.1, 7.6, 14.0, 6.2, 5.0),
#'     outflow_pct = c(18, 31, 27, 20, 22, 29)
#'   )
#'   plot_quadrant(regions, pref_pct, outflow_pct, name) +
#'     ggplot2::labs(x = "Would like to work here (%)",
#'                   y = "GPs expected to leave within five years (%)")
#' }
plot_quadrant <- function(table, x, y, label = NULL, x_cut = "mean",
                          y_cut = "mean", weights = NULL) {
  call <- sys.call()
  plot_need("ggplot2", "plot_quadrant()", call)
  check_frame(table, "table", call)
  env <- parent.frame()
  if (missing(x) || missing(y)) {
    arg <- if (missing(x)) "x" else "y"
    stop_spreiding(paste0("`", arg, "` is missing: name a column of `table`."),
                   arg = arg, call = call)
  }
  x <- plot_column(substitute(x), env, table, "x", call)
  y <- plot_column(substitute(y), env, table, "y", call)
  lab_expr <- substitute(label)
  label <- if (is.null(lab_expr)) NULL else
    plot_column(lab_expr, env, table, "label", call)
  w_expr <- substitute(weights)
  weights <- if (is.null(w_expr)) NULL else
    plot_column(w_expr, env, table, "weights", call)
  for (col in c(x, y, weights)) {
    if (!is.numeric(table[[col]])) {
      stop_spreiding(paste0("Column ", backtick(col), " must be numeric, not ",
                            describe(table[[col]]), "."),
                     arg = if (col == x) "x" else if (col == y) "y" else
                       "weights", call = call)
    }
  }
  xv <- table[[x]]
  yv <- table[[y]]
  wv <- if (is.null(weights)) NULL else table[[weights]]
  position <- with_call(
    quadrant(xv, yv, x_cut = x_cut, y_cut = y_cut, weights = wv), call
  )
  cuts <- c(quadrant_cut(xv, x_cut, wv), quadrant_cut(yv, y_cut, wv))
  keep <- !is.na(position)
  if (!any(keep)) {
    stop_spreiding(paste0("No region has both `x` (", backtick(x),
                          ") and `y` (", backtick(y), ")."),
                   arg = "table", call = call)
  }
  data <- data.frame(x = xv[keep], y = yv[keep], position = position[keep])
  data$label <- if (is.null(label)) "" else as.character(table[[label]][keep])
  levs <- levels(position)
  # Okabe-Ito colours, in the order of quadrant()'s levels
  colours <- stats::setNames(c("#009E73", "#E69F00", "#0072B2", "#D55E00"),
                             levs)
  xr <- range(c(data$x, cuts[1]))
  yr <- range(c(data$y, cuts[2]))
  corners <- data.frame(
    x = c(Inf, Inf, -Inf, -Inf), y = c(-Inf, Inf, -Inf, Inf),
    hjust = c(1.02, 1.02, -0.02, -0.02), vjust = c(-0.6, 1.6, -0.6, 1.6),
    position = factor(levs, levs), text = levs
  )
  p <- ggplot2::ggplot(data, ggplot2::aes(.data$x, .data$y)) +
    ggplot2::geom_vline(xintercept = cuts[1], linetype = "dashed",
                        colour = "grey40") +
    ggplot2::geom_hline(yintercept = cuts[2], linetype = "dashed",
                        colour = "grey40") +
    ggplot2::geom_point(ggplot2::aes(colour = .data$position), size = 2.4) +
    ggplot2::geom_text(
      data = corners,
      ggplot2::aes(.data$x, .data$y, label = .data$text,
                   colour = .data$position, hjust = .data$hjust,
                   vjust = .data$vjust),
      fontface = "bold", size = 3.5, inherit.aes = FALSE, show.legend = FALSE
    )
  if (!is.null(label)) {
    if (requireNamespace("ggrepel", quietly = TRUE)) {
      p <- p + ggrepel::geom_text_repel(
        ggplot2::aes(label = .data$label), size = 3, colour = "grey20",
        min.segment.length = 0.3, seed = 1, max.overlaps = Inf,
        box.padding = 0.3, point.padding = 0.2, force = 2,
        max.iter = 50000, max.time = 2
      )
    } else {
      p <- p + ggplot2::geom_text(ggplot2::aes(label = .data$label), size = 3,
                                  colour = "grey20", vjust = -0.8,
                                  check_overlap = TRUE)
    }
  }
  pad <- function(r) r + c(-1, 1) * 0.12 * diff(r)
  p +
    ggplot2::scale_colour_manual(values = colours, guide = "none",
                                 drop = FALSE) +
    ggplot2::scale_x_continuous(limits = pad(xr)) +
    ggplot2::scale_y_continuous(limits = pad(yr)) +
    ggplot2::labs(x = plot_title(x), y = plot_title(y)) +
    ggplot2::theme_minimal() +
    ggplot2::theme(plot.background = ggplot2::element_rect(fill = "white",
                                                           colour = NA))
}

# Where quadrant() cuts `v`: the rule documented there, over the present
# values (the dashed line only; the classes come from quadrant() itself).
quadrant_cut <- function(v, cut, w) {
  if (is.numeric(cut)) return(as.double(cut))
  present <- !is.na(v)
  switch(cut,
         mean = mean(v[present]),
         median = stats::median(v[present]),
         weighted_mean = stats::weighted.mean(v[present], w[present]))
}

# ---- plot_rates() ------------------------------------------------------------

#' Ranked rates with their confidence intervals
#'
#' A dot chart of a rate per region (or per group), ranked from the highest
#' at the top, with its Wilson score interval as error bars: the columns
#' that `rate()` and `rate_ci()` give in a [region_table()].
#'
#' `rate_ci()` returns two columns, `<name>_lo` and `<name>_hi` (for an
#' unnamed `rate_ci(became_doctor)`, `rate_ci_became_doctor_lo` and
#' `..._hi`). By default `lower` and `upper` are found from `rate`: the
#' columns `<rate>_lo` and `<rate>_hi` or `<rate>_ci_lo` and `<rate>_ci_hi`
#' if the table has them, else the one `rate_ci()` result of a
#' [region_table()] over the same column as the `rate()`. Rows where the
#' rate is missing (suppressed by [disclose()], or without persons) and the
#' total rows of a [disclose()] result are left out, and counted in the
#' caption.
#'
#' @param table A data frame, such as a [region_table()] or [disclose()]
#'   result.
#' @param rate Column of the rates (bare name or string).
#' @param lower,upper Columns of the interval bounds, or `NULL` to find
#'   them (see Details).
#' @param label Column naming the rows, by default the first `by` column of
#'   a [region_table()] result, else the first column.
#' @param colour `NULL`, or a column of groups (such as sex) whose rates
#'   are drawn side by side in each row, in colours; rows are then ranked
#'   by the mean of their groups' rates, and rows where it is missing (the
#'   totals of a [disclose()] result) are left out.
#' @return A ggplot object.
#' @seealso [region_table()] (`rate()`, `rate_ci()`), [map_regions()]
#' @export
#' @examples
#' if (requireNamespace("ggplot2", quietly = TRUE)) {
#'   students <- data.frame(
#'     region = rep(c("North", "East", "South", "West"), c(40, 60, 80, 120)),
#'     became_doctor = rep(c(TRUE, FALSE, TRUE, FALSE, TRUE, FALSE, TRUE,
#'                           FALSE), c(30, 10, 35, 25, 60, 20, 70, 50))
#'   )
#'   tab <- region_table(students, "region",
#'     pct_doctor = rate(became_doctor),
#'     pct_doctor_ci = rate_ci(became_doctor)
#'   )
#'   plot_rates(tab, pct_doctor)
#'
#'   # by sex, side by side
#'   students$sex <- rep(c("f", "m"), 150)
#'   by_sex <- region_table(students, c("region", "sex"),
#'     pct_doctor = rate(became_doctor),
#'     pct_doctor_ci = rate_ci(became_doctor)
#'   )
#'   plot_rates(by_sex, pct_doctor, colour = sex)
#' }
plot_rates <- function(table, rate, lower = NULL, upper = NULL,
                       label = NULL, colour = NULL) {
  call <- sys.call()
  plot_need("ggplot2", "plot_rates()", call)
  check_frame(table, "table", call)
  env <- parent.frame()
  if (missing(rate)) {
    stop_spreiding("`rate` is missing: name the column of rates.",
                   arg = "rate", call = call)
  }
  rate <- plot_column(substitute(rate), env, table, "rate", call)
  lo_expr <- substitute(lower)
  hi_expr <- substitute(upper)
  lab_expr <- substitute(label)
  col_expr <- substitute(colour)
  lower <- if (is.null(lo_expr)) NULL else
    plot_column(lo_expr, env, table, "lower", call)
  upper <- if (is.null(hi_expr)) NULL else
    plot_column(hi_expr, env, table, "upper", call)
  if (is.null(lower) || is.null(upper)) {
    found <- rates_interval(table, rate)
    if (is.null(found)) {
      stop_spreiding(paste0("Cannot find the interval of ", backtick(rate),
                            ": give `lower` and `upper`, such as the two ",
                            "columns of `rate_ci()` in region_table()."),
                     arg = if (is.null(lower)) "lower" else "upper",
                     call = call)
    }
    lower <- lower %||% found[1]
    upper <- upper %||% found[2]
  }
  label <- if (!is.null(lab_expr)) {
    plot_column(lab_expr, env, table, "label", call)
  } else {
    by <- attr(table, "disclosure")$by %||% attr(table, "spreiding")$by
    if (length(by)) by[1] else names(table)[1]
  }
  for (col in c(rate, lower, upper)) {
    if (!is.numeric(table[[col]])) {
      stop_spreiding(paste0("Column ", backtick(col), " must be numeric, not ",
                            describe(table[[col]]), "."),
                     arg = c("rate", "lower", "upper")[
                       match(col, c(rate, lower, upper))], call = call)
    }
  }
  group <- NULL
  if (!is.null(col_expr)) {
    group <- plot_column(col_expr, env, table, "colour", call)
  }
  named <- !is.na(table[[label]])
  if (!is.null(group)) named <- named & !is.na(table[[group]])
  keep <- named & !is.na(table[[rate]])
  if (!any(keep)) {
    stop_spreiding("`table` has no row with a name and a known rate.",
                   arg = "table", call = call)
  }
  data <- data.frame(label = as.character(table[[label]][keep]),
                     rate = table[[rate]][keep],
                     lower = table[[lower]][keep],
                     upper = table[[upper]][keep])
  data$group <- if (is.null(group)) "" else
    as.character(table[[group]][keep])
  if (anyDuplicated(data[c("label", "group")])) {
    stop_spreiding(paste0("Column ", backtick(label), " names some rows ",
                          "more than once", if (!is.null(group))
                            paste0(" within a value of ", backtick(group))
                          else "", "; keep one row per name, or give ",
                          "`label` (or `colour`) a column that tells them ",
                          "apart."),
                   arg = "label", call = call)
  }
  # rank by the rate (the mean over the groups), the highest at the top
  score <- tapply(data$rate, data$label, mean)
  data$label <- factor(data$label, names(score)[order(score, names(score))])
  groups <- sort(unique(data$group))
  k <- length(groups)
  # groups side by side within a row, 0.36 of a row apart in all
  offset <- if (k > 1) seq(0.18, -0.18, length.out = k) else 0
  data$y <- as.integer(data$label) + offset[match(data$group, groups)]
  dropped <- sum(named & !keep)
  p <- ggplot2::ggplot(data, ggplot2::aes(x = .data$rate, y = .data$y))
  bar_height <- 0.3 / k
  if (is.null(group)) {
    p <- p +
      ggplot2::geom_errorbarh(ggplot2::aes(xmin = .data$lower,
                                           xmax = .data$upper),
                              height = bar_height, colour = "grey50") +
      ggplot2::geom_point(size = 2, colour = "#0072B2")
  } else {
    # Okabe-Ito colours
    palette <- rep(c("#0072B2", "#D55E00", "#009E73", "#E69F00", "#CC79A7",
                     "#56B4E9", "#F0E442", "#000000"), length.out = k)
    p <- p +
      ggplot2::geom_errorbarh(ggplot2::aes(xmin = .data$lower,
                                           xmax = .data$upper,
                                           colour = .data$group),
                              height = bar_height, alpha = 0.6) +
      ggplot2::geom_point(ggplot2::aes(colour = .data$group), size = 2) +
      ggplot2::scale_colour_manual(values = stats::setNames(palette, groups),
                                   name = plot_title(group))
  }
  p +
    ggplot2::scale_y_continuous(breaks = seq_along(levels(data$label)),
                                labels = levels(data$label),
                                expand = ggplot2::expansion(add = 0.6)) +
    ggplot2::labs(
      x = paste0(plot_title(rate), " (with ", if (rates_is_wilson(table,
                                                                   lower))
        "Wilson " else "", "interval)"),
      y = NULL,
      caption = if (dropped > 0) paste0(dropped, if (dropped == 1)
        " row without a rate (suppressed or no data) is not shown." else
          " rows without a rate (suppressed or no data) are not shown.")
    ) +
    ggplot2::theme_minimal() +
    ggplot2::theme(panel.grid.major.y = ggplot2::element_blank(),
                   panel.grid.minor.y = ggplot2::element_blank(),
                   plot.background = ggplot2::element_rect(fill = "white",
                                                           colour = NA))
}

# The interval columns of `rate`: c(lower, upper) or NULL.
rates_interval <- function(table, rate) {
  nm <- names(table)
  for (suffix in c("", "_ci")) {
    cand <- paste0(rate, suffix, c("_lo", "_hi"))
    if (all(cand %in% nm)) return(cand)
  }
  cols <- attr(table, "spreiding")$columns
  inputs <- cols[[rate]]$inputs
  if (is.null(inputs)) return(NULL)
  ci <- names(cols)[vapply(cols, function(c) {
    identical(c$statistic, "rate_ci") && identical(c$inputs, inputs)
  }, logical(1))]
  ci <- ci[ci %in% nm]
  lo <- ci[endsWith(ci, "_lo")]
  hi <- ci[endsWith(ci, "_hi")]
  if (length(lo) == 1 && length(hi) == 1) c(lo, hi) else NULL
}

rates_is_wilson <- function(table, col) {
  identical(attr(table, "spreiding")$columns[[col]]$statistic, "rate_ci")
}

#' Map of an accessibility result
#'
#' The one picture of an [accessibility_2sfca()] result: every demand point
#' at its coordinates, coloured by its accessibility (capacity per 1,000
#' inhabitants in reach, a colour-blind safe viridis scale), with the supply
#' points drawn over them as crosses. Demand points with no supply in reach
#' are drawn in grey and counted in the legend, so that they do not read as
#' a low value. The axes keep one unit per unit (`coord_equal()`), so a map
#' in RD New (EPSG:28992) or another projected CRS is the right way up.
#'
#' This is a method for the `ggplot2::autoplot()` generic, registered when
#' ggplot2 is installed: call it as `ggplot2::autoplot(x)`, or `autoplot(x)`
#' after `library(ggplot2)`.
#'
#' @param object A `spreiding_access` result of [accessibility_2sfca()].
#' @param supply Draw the supply points?
#' @param ... Not used.
#' @return A ggplot object.
#' @seealso [accessibility_2sfca()], [map_regions()] to map the mean
#'   accessibility per region.
#' @exportS3Method ggplot2::autoplot
#' @examples
#' if (requireNamespace("ggplot2", quietly = TRUE)) {
#'   # A grid of villages and three practices, in RD New metres
#'   villages <- expand.grid(x = seq(150000, 190000, by = 4000),
#'                           y = seq(440000, 470000, by = 4000))
#'   villages$population <- 500 + 100 * seq_len(nrow(villages)) %% 7
#'   practices <- data.frame(x = c(156000, 170000, 182000),
#'                           y = c(446000, 460000, 450000),
#'                           capacity = c(3, 5, 2))
#'   acc <- accessibility_2sfca(villages, practices, max_dist = 12000)
#'   ggplot2::autoplot(acc)
#' }
autoplot.spreiding_access <- function(object, supply = TRUE, ...) {
  call <- sys.call()
  plot_need("ggplot2", "autoplot() of an accessibility result", call)
  if (!is.logical(supply) || length(supply) != 1 || is.na(supply)) {
    stop_spreiding("`supply` must be TRUE or FALSE.", arg = "supply",
                   call = call)
  }
  p <- object$parameters
  if (is.null(p$demand_xy)) {
    stop_spreiding(paste0("`object` has no point coordinates: it was made by ",
                          "an older version of spreiding. Run ",
                          "accessibility_2sfca() again."),
                   arg = "object", call = call)
  }
  dem <- data.frame(x = p$demand_xy[, 1], y = p$demand_xy[, 2],
                    access = object$demand$access_per_1000)
  outside <- object$demand$supply_in_reach == 0
  reached <- dem[!outside, , drop = FALSE]
  alone <- dem[outside, , drop = FALSE]
  unit <- if (identical(p$capacity, "capacity")) "Capacity" else p$capacity
  title <- paste0(plot_title(unit), " per 1,000\ninhabitants in reach")
  g <- ggplot2::ggplot() +
    ggplot2::geom_point(ggplot2::aes(x = .data$x, y = .data$y,
                                     colour = .data$access),
                        data = reached, size = 1.6) +
    ggplot2::scale_colour_viridis_c(name = title, option = "D",
                                    direction = -1)
  if (nrow(alone) > 0) {
    alone$what <- paste0("no supply in reach (", format(nrow(alone),
                                                        big.mark = ","), ")")
    g <- g + ggplot2::geom_point(ggplot2::aes(x = .data$x, y = .data$y,
                                              shape = .data$what),
                                 data = alone, colour = "grey60", size = 1.6)
  }
  sup <- data.frame(x = p$supply_xy[, 1], y = p$supply_xy[, 2])
  if (supply && nrow(sup) > 0) {
    sup$what <- paste0("supply point (", format(nrow(sup), big.mark = ","),
                       ")")
    g <- g + ggplot2::geom_point(ggplot2::aes(x = .data$x, y = .data$y,
                                              shape = .data$what),
                                 data = sup, colour = "black", size = 2.4,
                                 stroke = 0.9)
  }
  drawn <- c(nrow(alone) > 0, supply && nrow(sup) > 0)
  if (any(drawn)) {
    g <- g + ggplot2::scale_shape_manual(
      name = NULL, values = c(16, 3)[drawn],
      guide = ggplot2::guide_legend(
        override.aes = list(colour = c("grey60", "black")[drawn])
      )
    )
  }
  label <- c("2sfca" = "2SFCA", e2sfca = "E2SFCA", bfca = "BFCA")[[p$method]]
  g +
    ggplot2::coord_equal() +
    ggplot2::labs(
      title = paste0("Spatial accessibility (", label, ", catchment ",
                     format(p$max_dist, big.mark = ",", scientific = FALSE),
                     ")"),
      x = NULL, y = NULL,
      caption = if (!is.na(p$crs)) paste0("Coordinates: ", p$crs)
    ) +
    ggplot2::theme_minimal() +
    ggplot2::theme(plot.background = ggplot2::element_rect(fill = "white",
                                                           colour = NA))
}
