"""``python -m addin.excel.xlam``: rebuild ``addin/data/gestimum.xlam`` (``--check``: verify)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from addin.excel.xlam.build import build_xlam, default_output, xlam_bytes


def main(argv: list[str] | None = None) -> int:
    """Build the add-in, or with ``--check`` exit 1 when the committed file is out of date."""
    parser = argparse.ArgumentParser(
        prog="python -m addin.excel.xlam",
        description="Construit le complément Excel gestimum.xlam.",
    )
    parser.add_argument("--out", type=Path, default=None, help="fichier à écrire")
    parser.add_argument(
        "--check",
        action="store_true",
        help="ne rien écrire ; code 1 si le fichier existant diffère d'une nouvelle construction",
    )
    args = parser.parse_args(argv)
    target = args.out or default_output()
    if args.check:
        current = target.read_bytes() if target.exists() else b""
        if current != xlam_bytes():
            print(f"{target} n'est pas à jour : lancez python -m addin.excel.xlam", file=sys.stderr)
            return 1
        print(f"{target} est à jour")
        return 0
    print(f"écrit : {build_xlam(target)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
