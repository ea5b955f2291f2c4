"""Odd-workbook corpus: the case table, and a runner that plays it in one child process."""
