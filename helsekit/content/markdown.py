"""The Markdown subset the articles are written in, rendered to HTML with everything escaped.

Blocks are separated by blank lines: ``## heading`` (shown as ``<h5>``, below the article's own title),
a list whose lines all start with ``- ``, or a paragraph. Inside a block, ``**bold**`` and ``*italic*``.
Nothing else is interpreted: any other markup (raw HTML included) is shown as the text it is, so an
article can never put markup on a page. A subset rather than a Markdown library, because the articles
need no more and the escaping is then plain to see.
"""

from __future__ import annotations

import re
from html import escape

BOLD = re.compile(r"\*\*(.+?)\*\*")
ITALIC = re.compile(r"\*(.+?)\*")


def blocks(markdown: str) -> list[list[str]]:
    """The text's blocks, each a list of its non-empty lines."""
    found, current = [], []
    for line in markdown.splitlines():
        if line.strip():
            current.append(line.strip())
        elif current:
            found.append(current)
            current = []
    if current:
        found.append(current)
    return found


def _inline(text: str) -> str:
    return ITALIC.sub(r"<i>\1</i>", BOLD.sub(r"<b>\1</b>", escape(text, quote=True)))


def to_html(markdown: str) -> str:
    """``markdown`` as HTML: headings, lists and paragraphs; all text escaped."""
    parts = []
    for block in blocks(markdown):
        if len(block) == 1 and block[0].startswith("## "):
            parts.append(f"<h5>{_inline(block[0][3:])}</h5>")
        elif all(line.startswith("- ") for line in block):
            parts.append("<ul>" + "".join(f"<li>{_inline(line[2:])}</li>" for line in block) + "</ul>")
        else:
            parts.append(f"<p>{_inline(' '.join(block))}</p>")
    return "".join(parts)


def to_text(markdown: str) -> str:
    """``markdown`` as plain text (markers removed), one line per block: what the search indexes."""
    lines = []
    for block in blocks(markdown):
        text = " ".join(line[3:] if line.startswith("## ") else line[2:] if line.startswith("- ") else line for line in block)
        lines.append(ITALIC.sub(r"\1", BOLD.sub(r"\1", text)))
    return "\n".join(lines)
