"""Write each addon's README.rst from its readme/ fragments (as OCA's oca-gen-addon-readme does).

Usage: python tools/gen_readme.py      (run after editing readme/*.md; pre-commit checks the result exists)
"""

import ast
import os
import re

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SECTIONS = [
    ("DESCRIPTION.md", None),
    ("CONFIGURE.md", "Configuration"),
    ("USAGE.md", "Usage"),
    ("ROADMAP.md", "Known issues / Roadmap"),
    ("CONTRIBUTORS.md", "Contributors"),
]


def _title(text, char):
    return f"{text}\n{char * len(text)}\n"


def _inline_code(markdown):
    """Markdown `code` is RST ``code``; markdown _emphasis_ (prettier's form) is RST *emphasis*."""
    text = re.sub(r"(?<!`)`([^`]+)`(?!`)", r"``\1``", markdown)
    return re.sub(r"(?<![\w`])_([^_\n]+?)_(?![\w`])", r"*\1*", text)


def render(addon_dir):
    manifest = ast.literal_eval(open(os.path.join(addon_dir, "__manifest__.py"), encoding="utf-8").read())
    name = manifest["name"]
    parts = [f"{'=' * len(name)}\n{name}\n{'=' * len(name)}\n", f"*{manifest['summary']}*\n"]
    parts.append(f"License: {manifest['license']}. Depends on: {', '.join(manifest['depends'])}.\n")
    for filename, heading in SECTIONS:
        path = os.path.join(addon_dir, "readme", filename)
        if os.path.exists(path):
            body = _inline_code(open(path, encoding="utf-8").read().strip())
            parts.append((_title(heading, "=") + "\n" if heading else "") + body + "\n")
    return "\n".join(parts)


def main():
    addons = os.path.join(ROOT, "addons")
    for addon in sorted(os.listdir(addons)):
        addon_dir = os.path.join(addons, addon)
        if os.path.isfile(os.path.join(addon_dir, "__manifest__.py")):
            with open(os.path.join(addon_dir, "README.rst"), "w", encoding="utf-8") as handle:
                handle.write(render(addon_dir))


if __name__ == "__main__":
    main()
