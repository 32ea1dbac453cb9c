"""Plan search: which plan to run under a budget, chosen by ranking and selection on common random numbers."""
