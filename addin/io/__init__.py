"""Adapters, one library each: httpx client, workbook files, credential store."""
