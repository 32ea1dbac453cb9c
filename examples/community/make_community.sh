#!/bin/sh
# Make the example community's files from truth.yaml: replication 0 of seed
# 2026, with Chinese headers; the roster as Excel, the ledger and the contact
# log as CSV. Run from anywhere; the files land next to this script.
# tests/test_examples_community.py checks the shipped files are what it makes.
set -eu
cd "$(dirname "$0")"
feesim export truth.yaml --roster roster.xlsx --ledger ledger.csv \
    --calls calls.csv --headers zh --seed 2026 --force
