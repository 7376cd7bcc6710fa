"""Extension points a feature uses to appear in the shared layout without the
layout knowing the feature: menu entries and panels on the project page."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app, render_template
from flask_login import current_user
from markupsafe import Markup


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: Any  # a lazy string, translated when rendered
    roles: frozenset[str]
    order: int = 50


@dataclass(frozen=True)
class Panel:
    """A section of a page: ``template`` is included with ``provider(obj)``'s dict."""

    name: str
    template: str
    provider: Callable[[Any], dict[str, Any]]
    order: int = 50


def register_nav_item(
    app: Flask, endpoint: str, label: Any, *, roles: Sequence[str], order: int = 50
) -> None:
    items: list[NavItem] = app.extensions.setdefault("qualicharte.nav", [])
    items.append(NavItem(endpoint, label, frozenset(roles), order))
    items.sort(key=lambda item: item.order)


def register_panel(app: Flask, page: str, panel: Panel) -> None:
    """Add ``panel`` to ``page`` (for instance ``"project"``)."""
    panels: dict[str, list[Panel]] = app.extensions.setdefault("qualicharte.panels", {})
    panels.setdefault(page, []).append(panel)
    panels[page].sort(key=lambda p: p.order)


PUBLIC = "public"  # a pseudo-role: the entry is shown to everyone, signed in or not


def nav_items() -> list[NavItem]:
    """The menu: the user's own entries; public entries only for visitors (signed-in
    users find those in the footer, which keeps the menu short)."""
    items: list[NavItem] = current_app.extensions.get("qualicharte.nav", [])
    if not current_user.is_authenticated:
        return [item for item in items if PUBLIC in item.roles]
    return [item for item in items if current_user.role in item.roles]


def public_items() -> list[NavItem]:
    """The public entries, listed in every page's footer."""
    items: list[NavItem] = current_app.extensions.get("qualicharte.nav", [])
    return [item for item in items if PUBLIC in item.roles]


def panels_for(page: str, obj: Any) -> list[Markup]:
    """The panels of ``page`` rendered for ``obj`` (each with its provider's context)."""
    panels: dict[str, list[Panel]] = current_app.extensions.get(
        "qualicharte.panels", {}
    )
    return [
        Markup(render_template(panel.template, **{page: obj, **panel.provider(obj)}))
        for panel in panels.get(page, [])
    ]
