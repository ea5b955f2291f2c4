"""Excel through xlwings: the book adapter, the .xlam builder, the installer."""
