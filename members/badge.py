"""The embeddable SVG badge that shows a member's live right to use the mark."""

from __future__ import annotations

from xml.sax.saxutils import escape

COLOURS = {"active": "#1a7f37", "suspended": "#9a6700", "withdrawn": "#8b1a1a"}


def badge_svg(
    *, association: str, status_key: str, status_label: str, name: str
) -> str:
    """A self-contained SVG (no external resources) of about 300 × 64 px."""
    colour = COLOURS.get(status_key, "#57606a")
    title = escape(f"{association} — {name} : {status_label}")
    return f"""<svg xmlns="http://www.w3.org/2000/svg" width="300" height="64" viewBox="0 0 300 64" role="img" aria-label="{title}">
<title>{title}</title>
<rect width="300" height="64" rx="8" fill="#ffffff" stroke="{colour}" stroke-width="2"/>
<rect x="1" y="1" width="12" height="62" rx="6" fill="{colour}"/>
<text x="24" y="24" font-family="DejaVu Sans, Verdana, sans-serif" font-size="13" font-weight="bold" fill="#1f2328">{escape(association[:38])}</text>
<text x="24" y="42" font-family="DejaVu Sans, Verdana, sans-serif" font-size="12" fill="#1f2328">{escape(name[:40])}</text>
<text x="24" y="57" font-family="DejaVu Sans, Verdana, sans-serif" font-size="11" fill="{colour}">{escape(status_label)}</text>
</svg>
"""
