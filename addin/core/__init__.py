"""Pure core: stdlib only, no I/O (catalog, values, sheet, validation, lines, answers, pipeline)."""
