"""Extension points through which higher apps add to pages that lower apps own.

The home page, the member page, `/me/`, the navigation bar and `seed_demo` belong to the foundation;
the ledger, visits, funds and awards add their panels and seed steps here from their
`AppConfig.ready()`, so a lower app never imports a higher one (see STYLE.md).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    icon: str
    visible: Callable[[Any], bool]
    order: int = 100


@dataclass
class Panel:
    """A block on a page: a template fragment and its context."""

    title: str
    template: str
    context: dict[str, Any] = field(default_factory=dict)
    order: int = 100


PanelProvider = Callable[..., "Panel | None"]

_nav: list[NavItem] = []
_home_panels: list[tuple[int, PanelProvider]] = []
_member_sections: list[tuple[int, PanelProvider]] = []
_seed_steps: list[tuple[int, str, Callable[..., None]]] = []


def register_nav(item: NavItem) -> None:
    if all(existing.url_name != item.url_name for existing in _nav):
        _nav.append(item)
        _nav.sort(key=lambda i: i.order)


def nav_for(user) -> list[NavItem]:
    return [item for item in _nav if item.visible(user)]


def register_home_panel(provider: PanelProvider, *, order: int = 100) -> None:
    """provider(request) -> Panel | None; None when the panel has nothing for this user."""
    if all(p is not provider for _, p in _home_panels):
        _home_panels.append((order, provider))
        _home_panels.sort(key=lambda pair: pair[0])


def home_panels(request) -> list[Panel]:
    return [panel for _, provider in _home_panels if (panel := provider(request)) is not None]


def register_member_section(provider: PanelProvider, *, order: int = 100) -> None:
    """provider(request, member, own_page: bool) -> Panel | None.

    own_page is True on `/me/`: the member is reading about themself and must not see what the
    organization keeps confidential (talk notes, review comments).
    """
    if all(p is not provider for _, p in _member_sections):
        _member_sections.append((order, provider))
        _member_sections.sort(key=lambda pair: pair[0])


def member_sections(request, member, *, own_page: bool) -> list[Panel]:
    sections = []
    for _, provider in _member_sections:
        section = provider(request, member, own_page)
        if section is not None:
            sections.append(section)
    return sections


def register_seed_step(name: str, step: Callable[..., None], *, order: int = 100) -> None:
    """step(ctx) adds demo data; ctx is members' SeedContext (organizations, members, users, rng)."""
    if all(existing != name for _, existing, _ in _seed_steps):
        _seed_steps.append((order, name, step))
        _seed_steps.sort(key=lambda triple: triple[0])


def seed_steps() -> list[tuple[str, Callable[..., None]]]:
    return [(name, step) for _, name, step in _seed_steps]
