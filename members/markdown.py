"""A small, safe renderer for the charter's markdown: what the charter uses and
nothing more (headings, paragraphs, lists, line breaks, bold, italics, links).

Everything is escaped first; only http(s) and mailto links are made. No raw
HTML passes, so a charter text can never inject markup into a page. (A full
markdown library is not a dependency of the app; the charter needs this much.)
"""

from __future__ import annotations

import re

from markupsafe import Markup, escape

_HEADING = re.compile(r"(#{1,6})\s+(.*)")
_BULLET = re.compile(r"[-*+]\s+(.*)")
_NUMBERED = re.compile(r"\d{1,3}[.)]\s+(.*)")
_LINK = re.compile(r"\[([^\]\n]+)\]\(((?:https?://|mailto:)[^\s()<>\"]+)\)")
_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
_ITALIC = re.compile(r"(?<![*\w])\*(?=\S)([^*]+?)(?<=\S)\*(?![*\w])")


def _inline(text: str) -> str:
    """Escape ``text``, then mark up links, bold and italics (in that order)."""
    html = str(escape(text))
    html = _LINK.sub(lambda m: f'<a href="{m.group(2)}">{m.group(1)}</a>', html)
    html = _BOLD.sub(r"<strong>\1</strong>", html)
    return _ITALIC.sub(r"<em>\1</em>", html)


_BREAK = "\x00"  # never in a text typed in a form; marks a hard line break


def _paragraph(lines: list[str]) -> str:
    # Two trailing spaces end a line inside a paragraph (markdown's hard break);
    # emphasis may span lines, so the paragraph is marked up whole.
    joined = "\n".join(
        line.rstrip() + (_BREAK if line.endswith("  ") else "") for line in lines
    )
    body = _inline(joined.strip().rstrip(_BREAK))
    return "<p>" + body.replace(_BREAK, "<br>") + "</p>"


def render_markdown(text: str, *, heading_offset: int = 1) -> Markup:
    """``text`` as HTML; ``#`` becomes ``<h{1 + heading_offset}>`` (the page has
    its own ``<h1>``)."""
    blocks: list[str] = []
    paragraph: list[str] = []
    items: list[str] = []
    list_tag = ""

    def flush() -> None:
        nonlocal list_tag
        if paragraph:
            blocks.append(_paragraph(paragraph))
            paragraph.clear()
        if items:
            inner = "".join(f"<li>{item}</li>" for item in items)
            blocks.append(f"<{list_tag}>{inner}</{list_tag}>")
            items.clear()
            list_tag = ""

    for raw in text.replace("\r\n", "\n").split("\n"):
        line = raw.strip()
        heading = _HEADING.fullmatch(line)
        bullet = _BULLET.fullmatch(line)
        numbered = _NUMBERED.fullmatch(line)
        if not line:
            flush()
        elif heading:
            flush()
            level = min(6, len(heading.group(1)) + heading_offset)
            blocks.append(f"<h{level}>{_inline(heading.group(2))}</h{level}>")
        elif bullet or numbered:
            tag = "ul" if bullet else "ol"
            if paragraph or (items and list_tag != tag):
                flush()
            list_tag = tag
            match = bullet or numbered
            assert match is not None
            items.append(_inline(match.group(1)))
        else:
            if items:
                flush()
            # A tabulated line ("Version<TAB>2.1") is a row: it ends with a break.
            row = "  " if "\t" in raw else ""
            paragraph.append(raw.replace("\t", " ").replace(_BREAK, "") + row)
    flush()
    return Markup("\n".join(blocks))
