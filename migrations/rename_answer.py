"""Rename one answer in a project's answers file, keeping its value.

Copier drops answers to questions the template no longer asks, so a renamed question
would silently fall back to its default (turning an option off). A `_migrations`
entry in copier.yml runs this before the update reads the answers file:

    python3 rename_answer.py .copier-answers.yml old_name new_name

Only the standard library: it runs with whatever Python runs Copier's tasks.
"""

import re
import sys
from pathlib import Path


def rename_answer(text: str, old: str, new: str) -> str:
    if re.search(rf"^{re.escape(new)}:", text, re.M):
        return text  # already migrated: running twice changes nothing
    return re.sub(rf"^{re.escape(old)}:", f"{new}:", text, flags=re.M)


def main() -> int:
    if len(sys.argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    answers, old, new = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
    answers.write_text(rename_answer(answers.read_text(), old, new))
    return 0


if __name__ == "__main__":
    sys.exit(main())
