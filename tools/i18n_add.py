"""Add Chinese translations to the catalog without touching existing entries, then compile.

Usage: python tools/i18n_add.py FILE.json   (a JSON object msgid → Chinese)
Safe to run while others edit the catalog the same way: it reads, merges and writes at once.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

PO = Path(__file__).resolve().parent.parent / "translations/zh_Hans_CN/LC_MESSAGES/messages.po"


def main(path: str) -> None:
    """Merge the given translations into messages.po and compile messages.mo."""
    additions = json.loads(Path(path).read_text(encoding="utf-8"))
    with PO.open("rb") as fh:
        catalog = read_po(fh)
    for msgid, text in additions.items():
        existing = catalog.get(msgid)
        if existing is None:
            catalog.add(msgid, text)
        elif not existing.string:
            existing.string = text
    catalog.fuzzy = False
    with PO.open("wb") as fh:
        write_po(fh, catalog, width=100)
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "compile", "-d", str(PO.parents[2]),
                    "-l", "zh_Hans_CN"], check=True, capture_output=True)
    print(f"{len(additions)} translations merged into {PO}")


if __name__ == "__main__":
    main(sys.argv[1])
