# Conditions. Every error a user can cause is a `spreiding_error` with the
# fields `arg` (the argument at fault) and `row` (1-based, or NA). C code
# raises them through stop_spreiding() too (src/errors.c), so R and C errors
# look alike.

stop_spreiding <- function(message, arg = NA_character_, row = NA_integer_,
                           call = NULL, class = NULL) {
  cnd <- structure(
    class = c(class, "spreiding_error", "error", "condition"),
    list(message = message, call = call, arg = arg, row = row)
  )
  stop(cnd)
}

stop_spreiding_internal <- function(message, arg = NA_character_,
                                    row = NA_integer_) {
  stop_spreiding(message, arg = arg, row = row,
                 class = "spreiding_internal_error")
}

# Run a .Call and report its spreiding errors as coming from `call`.
with_call <- function(expr, call) {
  withCallingHandlers(expr, spreiding_error = function(e) {
    if (is.null(e$call)) {
      e$call <- call
      stop(e)
    }
  })
}

# The names in `candidates` closest to `name`, for "did you mean" hints.
closest_names <- function(name, candidates, max = 3) {
  candidates <- candidates[!is.na(candidates) & nzchar(candidates)]
  if (length(candidates) == 0 || !is_string(name)) return(character())
  d <- utils::adist(tolower(name), tolower(candidates))[1, ]
  keep <- d <= max(2, nchar(name) %/% 3) | startsWith(tolower(candidates), tolower(name))
  candidates[keep][order(d[keep])][seq_len(min(max, sum(keep)))]
}

did_you_mean <- function(name, candidates) {
  close <- closest_names(name, candidates)
  if (length(close) == 0) return("")
  paste0(" Did you mean ", paste0("`", close, "`", collapse = " or "), "?")
}

backtick <- function(x) paste0("`", x, "`")

is_string <- function(x) is.character(x) && length(x) == 1 && !is.na(x)

# Argument checks shared by the user-facing functions.

check_frame <- function(x, arg, call) {
  if (!is.data.frame(x)) {
    stop_spreiding(paste0("`", arg, "` must be a data frame, not ",
                          describe(x), "."), arg = arg, call = call)
  }
  bad <- which(is.na(names(x)) | !nzchar(names(x)))
  if (length(bad)) {
    stop_spreiding(paste0("Column ", bad[1], " of `", arg, "` has no name; ",
                          "every column needs one."), arg = arg, call = call)
  }
}

check_has_columns <- function(x, cols, arg, call) {
  missing <- setdiff(cols, names(x))
  if (length(missing)) {
    stop_spreiding(paste0("`", arg, "` has no column ", backtick(missing[1]),
                          ".", did_you_mean(missing[1], names(x))),
                   arg = arg, call = call)
  }
}

arg_choice <- function(x, choices, arg, call) {
  if (identical(x, choices)) return(choices[1])
  if (!is_string(x) || !x %in% choices) {
    stop_spreiding(paste0("`", arg, "` must be one of ",
                          paste0("\"", choices, "\"", collapse = ", "), "."),
                   arg = arg, call = call)
  }
  x
}
