"""Data import and export: rosters, payment ledgers and contact logs from property-management systems."""
