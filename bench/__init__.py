"""Benchmarks: run by hand (`make bench`), never by the test suite or CI. See README.md."""
