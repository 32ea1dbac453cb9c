"""Worlds: the assumptions' priors, worlds sampled from them, and answers across worlds."""
