"""`python -m addin` runs the command-line interface."""

from addin.cli import main

raise SystemExit(main())
