"""Calibration: the assumption parameters fitted to a payment ledger, with the uncertainty left."""
