"""Mixed tables as numbers: one encoding and one dependence measure, shared by the twins'
sampler and the privacy scorecard so both read a table the same way."""
