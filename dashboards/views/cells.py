"""The cells the dashboards repeat in every row — a member's light on a criterion,
a score with its margin and its number of answers, a whole row of the charter
compliance table — written in Python: the annual report's PDF lists every
member (about 1,000 rows, 6,000 cells at the large scale), and the review's 50
rows cost more than the rest of its page, where a Jinja call, a translation and
a URL built per cell were most of the time. Their words are translated once per
language and process.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from flask import current_app, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from markupsafe import Markup, escape

from core.i18n import format_date
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
        self.never = _("jamais")
        self.no_send = _("aucun envoi")
        self.evidence_title = escape(_("Dossier de preuves"))
        self.evidence_word = escape(_("dossier"))

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
    ) -> Markup:
        """A member's light per commitment of the charter (``titles``: the
        version in force), each titled with its commitment and light; none
        computed yet: says so. The rules are not repeated in every cell (they
        were two thirds of a review's page): the page lists them once."""
        if not lights:
            return self.not_yet
        items = self._commitment_items(titles)
        return Markup(
            '<ul class="dash-commitments" data-testid="commitment-lights">'
            + "".join(by_light[lights.get(code, "none")] for code, by_light in items)
            + "</ul>"
        )

    def _commitment_items(
        self,
        titles: Mapping[str, str] | Iterable[tuple[str, str]],
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
                            ' data-light="{v}" title="{n}. {t} : {w}">'
                            '<span aria-hidden="true">{n}{s}</span>'
                            '<span class="visually-hidden">{t} : {w}</span></li>'
                        ).format(
                            v=value,
                            c=code,
                            n=n,
                            t=title,
                            w=self.light_labels[value],
                            s=SYMBOLS[value],
                        )
                    )
                    for value in SYMBOLS
                }
                for n, (code, title) in enumerate(pairs, start=1)
            }
        return list(found.items())

    def compliance_row(
        self,
        r: Any,
        titles: Mapping[str, str] | Iterable[tuple[str, str]],
        *,
        complaints: bool,
        links: MemberLinks | None,
    ) -> Markup:
        """A row of the charter compliance table (``r``: a ``ComplianceRow``):
        the member, linked to its page and evidence file unless ``links`` is
        None (the printed report), then one cell per criterion."""
        name = escape(r.name)
        head = name
        if links is not None:
            head = Markup(f'<a href="{escape(links.member(r.member_id))}">{name}</a>')
            if links.evidence is not None:
                head += Markup(
                    f' <a class="small dash-noprint"'
                    f' href="{escape(links.evidence(r.member_id))}"'
                    f' title="{self.evidence_title}">{self.evidence_word}'
                    f'<span class="visually-hidden"> — {name}</span></a>'
                )
        lights = r.lights
        sent = format_date(r.last_sent_at) if r.last_sent_at else self.never
        rate = f"{r.rate:.0f} %" if r.rate is not None else self.no_send
        cells = [
            self.light(lights["agreed"], f"{r.agreed}/{r.projects}"),
            self.light(lights["sent"], sent),
            self.light(lights["rate"], rate),
            self.light(lights["alerts"], str(r.open_alerts)),
        ]
        if complaints:
            cells.append(self.light(lights["complaints"], str(r.complaints)))
        cells.append(self.score(r.nps, "nps"))
        cells.append(self.commitments(r.commitments, titles))
        return Markup(
            "<tr>\n        "
            f'<th scope="row">{head} <span class="small text-muted">'
            f"({escape(r.department)})</span></th>\n        "
            + "".join(f"<td>{cell}</td>\n        " for cell in cells)
            + "</tr>"
        )


@dataclass(frozen=True)
class MemberLinks:
    """The links of a member's row: its page as the board sees it (with the
    review's filters) and, when that feature is installed, its evidence file."""

    member: Callable[[int], str]
    evidence: Callable[[int], str] | None


#: A member id no database hands out, stood in for the id in a built URL.
_MARK = 987_654_321_987


def _member_url(endpoint: str, **values: Any) -> Callable[[int], str]:
    """``member_id -> url_for(endpoint, member_id=…, **values)``, the URL built
    once (the id is an ``int`` route argument: its decimal digits)."""
    url = url_for(endpoint, member_id=_MARK, **values)
    head, found, tail = url.partition(str(_MARK))
    if not found or str(_MARK) in tail:
        return lambda member_id: url_for(endpoint, member_id=member_id, **values)
    return lambda member_id: f"{head}{member_id}{tail}"


def member_links(query: Mapping[str, Any]) -> MemberLinks:
    """The links of the compliance table's rows, the review's ``query`` kept."""
    evidence = "evidence.page" in current_app.view_functions
    return MemberLinks(
        member=_member_url("dashboards.board_member", **query),
        evidence=_member_url("evidence.page") if evidence else None,
    )


_cells: dict[str, Cells] = {}


def cells() -> Cells:
    """The cells of the page's language."""
    locale = str(get_locale() or "fr")
    found = _cells.get(locale)
    if found is None:
        found = _cells[locale] = Cells()
    return found
