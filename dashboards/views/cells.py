"""The cells the dashboards repeat in every row — a member's light on a criterion,
a score with its margin and its number of answers — written in Python: the
annual report lists every member (about 1,000 rows, 6,000 cells at the large
scale), where a Jinja macro call and a translation looked up per cell were most
of the page's time. Their words are translated once per language and process.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from markupsafe import Markup, escape

from dashboards import services
from satisfaction import margins

SYMBOLS = {"green": "●", "amber": "◐", "red": "○", "none": "–"}


class Cells:
    """The cells of one language (its words translated when it is made)."""

    def __init__(self) -> None:
        self.light_labels = {k: str(v) for k, v in services.LIGHT_LABELS.items()}
        self.lights = {
            key: Markup(
                '<span class="dash-light dash-light-{}">'
                '<span aria-hidden="true">{}</span> {}'
            ).format(key, SYMBOLS[key], label)
            for key, label in ((k, str(v)) for k, v in services.LIGHT_LABELS.items())
        }
        self.no_answer = Markup('<span class="text-muted">{}</span>').format(
            _("aucune réponse")
        )
        # Jinja's gettext formats every message: "%%" reads "%" there too.
        self.interval_title = escape(_("Intervalle de confiance à 95 %%") % {})
        self.too_few = escape(_("(moins de 5 réponses : pas de score)"))
        self.between = _("entre %(low)s et %(high)s")
        self.answers: dict[int, str] = {}
        self.not_yet = Markup('<span class="small text-muted">{}</span>').format(
            _("calculés au prochain passage")
        )
        self.items: dict[tuple[tuple[str, str], ...], dict[str, dict[str, str]]] = {}

    def n_answers(self, n: int) -> str:
        found = self.answers.get(n)
        if found is None:
            found = self.answers[n] = ngettext("%(num)d réponse", "%(num)d réponses", n)
        return found

    def light(self, value: str, text: str | None = None) -> Markup:
        """A criterion's light: its symbol and word, then ``text`` in brackets."""
        if text:
            return Markup(
                f'{self.lights[value]} <span class="small">({escape(text)})</span></span>'
            )
        return Markup(f"{self.lights[value]}</span>")

    def score(self, s: Any, metric: str) -> Markup:
        """A score with its margin and answers; under 5 answers, the answers."""
        if s is None or s.n == 0:
            return self.no_answer
        kind = escape(metric)
        answers = escape(self.n_answers(s.n))
        if not s.is_reliable:
            values = ", ".join(
                f"{value} ×{n}" if n > 1 else f"{value}"
                for value, n in s.distribution.items()
                if n
            )
            return Markup(
                f'<span data-metric="{kind}">{answers} : {escape(values)}</span>'
                f' <span class="small text-muted">{self.too_few}</span>'
            )
        unit = " %" if metric in ("csat", "ces") else ""
        cell = f'<strong data-metric="{kind}">{s.value:.0f}{unit}</strong>'
        ci = margins.score_interval(metric, s)
        if ci:
            between = escape(
                self.between % {"low": f"{ci.low:.0f}", "high": f"{ci.high:.0f}"}
            )
            cell += (
                f' <span class="small" data-testid="margin-{kind}"'
                f' title="{self.interval_title}">± {ci.margin:.0f}'
                f' <span class="text-muted">({between})</span></span>'
            )
        return Markup(f'{cell} <span class="small text-muted">({answers})</span>')

    def commitments(
        self,
        lights: Mapping[str, str] | None,
        titles: Mapping[str, str] | Iterable[tuple[str, str]],
        rules: Mapping[str, str],
    ) -> Markup:
        """A member's light per commitment of the charter (``titles``: the
        version in force), each titled with its rule; none computed yet: says so."""
        if not lights:
            return self.not_yet
        items = self._commitment_items(titles, rules)
        return Markup(
            '<ul class="dash-commitments" data-testid="commitment-lights">'
            + "".join(by_light[lights.get(code, "none")] for code, by_light in items)
            + "</ul>"
        )

    def _commitment_items(
        self,
        titles: Mapping[str, str] | Iterable[tuple[str, str]],
        rules: Mapping[str, str],
    ) -> list[tuple[str, dict[str, str]]]:
        """Each commitment's ``<li>`` per light, made once per wording."""
        pairs = tuple(titles.items() if isinstance(titles, Mapping) else titles)
        found = self.items.get(pairs)
        if found is None:
            if len(self.items) > 8:
                self.items.clear()
            found = self.items[pairs] = {
                code: {
                    value: str(
                        Markup(
                            '<li class="dash-light-{v}" data-commitment="{c}"'
                            ' data-light="{v}" title="{n}. {t} : {w}. {r}">'
                            '<span aria-hidden="true">{n}{s}</span>'
                            '<span class="visually-hidden">{t} : {w}</span></li>'
                        ).format(
                            v=value,
                            c=code,
                            n=n,
                            t=title,
                            w=self.light_labels[value],
                            r=rules.get(code, ""),
                            s=SYMBOLS[value],
                        )
                    )
                    for value in SYMBOLS
                }
                for n, (code, title) in enumerate(pairs, start=1)
            }
        return list(found.items())


_cells: dict[str, Cells] = {}


def cells() -> Cells:
    """The cells of the page's language."""
    locale = str(get_locale() or "fr")
    found = _cells.get(locale)
    if found is None:
        found = _cells[locale] = Cells()
    return found
