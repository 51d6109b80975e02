library(testthat)
library(spreiding)

test_check("spreiding")
