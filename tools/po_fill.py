"""Fill an exported .po file's empty msgstr, keeping OUT.po's existing translations, then from a table.

Usage: python tools/po_fill.py exported.po table.py OUT.po
(table.py defines T = {msgid: translation}); untranslated ids are printed: nothing ships half-translated.
"""

import os
import runpy
import sys

import polib


def main(source, table_path, out):
    table = runpy.run_path(table_path)["T"]
    if os.path.exists(out):
        table = {e.msgid: e.msgstr for e in polib.pofile(out) if e.msgstr} | table
    catalog = polib.pofile(source)
    missing = []
    for entry in catalog:
        if not entry.msgstr:
            entry.msgstr = table.get(entry.msgid, table.get(entry.msgid.strip(), ""))
            if not entry.msgstr:
                missing.append(entry.msgid)
    catalog.save(out)
    for msgid in missing:
        print("untranslated:", msgid)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
