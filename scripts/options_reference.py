"""MkDocs hook: the options page's table is built from copier.yml at every build, so
the reference cannot drift from the questionnaire (mkdocs.yml lists this hook)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

COPIER_YML = Path(__file__).resolve().parent.parent / "copier.yml"
MARKER = "<!-- options-table -->"


def cell(text: Any) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def default_of(question: dict[str, Any]) -> str:
    default = question.get("default")
    if isinstance(default, str) and "{{" in default:
        return "derived from the answers above"
    if isinstance(default, bool):
        return "yes" if default else "no"
    return f"`{default}`"


def refusals(validator: str) -> list[str]:
    """The messages a validator can give, with the answer shown as "(your answer)"."""
    messages = re.split(r"\{%-?\s*(?:if|elif)\b[^%]*%\}", validator)
    cleaned = []
    for message in messages:
        text = re.sub(r"\{%-?[^%]*%\}", "", message)
        text = re.sub(r"\{\{[^}]*\}\}", "(your answer)", text)
        text = " ".join(text.split())
        if text:
            cleaned.append(text)
    return cleaned


def allowed_of(question: dict[str, Any]) -> str:
    choices = question.get("choices")
    if isinstance(choices, dict) and set(choices.values()) == {True, False}:
        allowed = "`true` or `false` (yes or no)"
    elif isinstance(choices, dict):
        allowed = ", ".join(f"`{value}` ({label})" for label, value in choices.items())
    elif isinstance(choices, list):
        allowed = ", ".join(f"`{value}`" for value in choices)
    else:
        allowed = "text"
    messages = refusals(question.get("validator", ""))
    if messages:
        allowed += ". Refused with: " + " / ".join(f"*{m}*" for m in messages)
    return cell(allowed)


def options_table(copier_yml: Path = COPIER_YML) -> str:
    questions = yaml.safe_load(copier_yml.read_text())
    rows = [
        "| question | what it decides | default | allowed |",
        "|---|---|---|---|",
    ]
    for name, question in questions.items():
        if name.startswith("_") or not isinstance(question, dict):
            continue
        rows.append(
            f"| `{name}` | {cell(question.get('help', ''))} | {default_of(question)} "
            f"| {allowed_of(question)} |"
        )
    return "\n".join(rows)


def on_page_markdown(markdown: str, page: Any, **_: Any) -> str:
    if MARKER in markdown:
        return markdown.replace(MARKER, options_table())
    return markdown
