"""Ressources et expertise / Veille: the team's skills, the trainings its staff
completed and the watch sources it follows, kept by the member's administrators
and shown on its public verification page when it chooses so."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Final, cast
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from core import audit
from core.database import utcnow
from core.dates import date_problem, local_today, years_after
from core.extensions import db
from members.errors import MembersError
from members.models import MAX_PEOPLE, Member, Skill, Training, User, WatchSource

#: How many skills, trainings and watch sources a member keeps, each.
MAX_ENTRIES: Final = 200
#: The public page shows the trainings of this many last years (24 months).
PUBLIC_TRAINING_YEARS: Final = 2

Entry = Skill | Training | WatchSource
#: The kinds of entry a URL names, their models and audit names.
KINDS: Final[dict[str, type[Entry]]] = {
    "skills": Skill,
    "trainings": Training,
    "sources": WatchSource,
}
_AUDIT_NAMES: Final[dict[type[Entry], str]] = {
    Skill: "skill",
    Training: "training",
    WatchSource: "watch_source",
}


@dataclass(frozen=True)
class Expertise:
    """What a member shows of its resources: skills, trainings, watch sources."""

    skills: Sequence[Skill]
    trainings: Sequence[Training]
    sources: Sequence[WatchSource]

    @property
    def is_empty(self) -> bool:
        return not (self.skills or self.trainings or self.sources)


# ---------------------------------------------------------------- reading


def expertise_of(member_id: int, *, trainings_since: date | None = None) -> Expertise:
    """The member's skills (by name), trainings (latest first) and watch sources."""
    trainings = select(Training).where(Training.member_id == member_id)
    if trainings_since is not None:
        trainings = trainings.where(Training.completed_on >= trainings_since)
    return Expertise(
        skills=db.session.scalars(
            select(Skill).where(Skill.member_id == member_id).order_by(Skill.name)
        ).all(),
        trainings=db.session.scalars(
            trainings.order_by(Training.completed_on.desc(), Training.id.desc())
        ).all(),
        sources=db.session.scalars(
            select(WatchSource)
            .where(WatchSource.member_id == member_id)
            .order_by(WatchSource.name)
        ).all(),
    )


def public_expertise(member: Member, *, today: date | None = None) -> Expertise | None:
    """What the public verification page shows: None unless the member chose to
    show it; the trainings of the last 24 months only."""
    if not member.show_expertise_publicly:
        return None
    since = years_after(today or local_today(), -PUBLIC_TRAINING_YEARS)
    return expertise_of(member.id, trainings_since=since)


def public_panel(member: Member) -> dict[str, Any]:
    """The context of the verification page's panel (``public_member``)."""
    return {"expertise": public_expertise(member)}


def get_entry(member_id: int, kind: str, entry_id: int) -> Entry | None:
    """The member's skill, training or watch source (another member's: None)."""
    model = KINDS.get(kind)
    if model is None:
        return None
    entry = cast(Entry | None, db.session.get(model, entry_id))
    return entry if entry is not None and entry.member_id == member_id else None


# ---------------------------------------------------------------- checks


def _text(value: str | None, field: str, *, limit: int, required: bool = True) -> str:
    text = (value or "").strip()
    if required and not text:
        raise MembersError(_l("Ce champ est obligatoire."), field=field)
    if len(text) > limit:
        raise MembersError(
            _l("%(limit)s caractères au plus.", limit=limit), field=field
        )
    return text


def _count(value: int | None, field: str) -> int:
    """A number of people, from 1 to ``MAX_PEOPLE``."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise MembersError(_l("Saisissez un nombre de personnes."), field=field)
    if not 1 <= value <= MAX_PEOPLE:
        raise MembersError(
            _l("Un nombre de personnes de 1 à %(max)s.", max=MAX_PEOPLE), field=field
        )
    return value


def check_url(value: str | None, field: str = "url") -> str | None:
    """An optional web address, http or https only (it becomes a public link).

    :raises MembersError: another scheme (``javascript:``, ``ftp:``…), no host,
        spaces, or more than 500 characters.
    """
    text = (value or "").strip()
    if not text:
        return None
    problem = _l("Adresse web invalide : elle doit commencer par https:// ou http://.")
    if len(text) > 500:
        raise MembersError(_l("%(limit)s caractères au plus.", limit=500), field=field)
    try:
        parts = urlsplit(text)
        port_ok = parts.port is None or parts.port > 0
    except ValueError:
        raise MembersError(problem, field=field) from None
    if (
        parts.scheme.lower() not in ("http", "https")
        or not parts.hostname
        or "." not in parts.hostname
        or not port_ok
        or any(ch.isspace() for ch in text)
    ):
        raise MembersError(problem, field=field)
    return text


def _completed(day: date | None, *, today: date | None) -> date:
    """A training's date: plausible, and not in the future."""
    if not isinstance(day, date):
        raise MembersError(_l("Saisissez une date."), field="completed_on")
    today = today or local_today()
    problem = date_problem(day, latest=today, today=today)
    if problem is not None:
        raise MembersError(problem, field="completed_on")
    return day


def _room_for(member: Member, model: type[Entry]) -> None:
    count = db.session.scalar(
        select(func.count()).select_from(model).where(model.member_id == member.id)
    )
    if (count or 0) >= MAX_ENTRIES:
        raise MembersError(
            _l(
                "%(max)s lignes au plus : supprimez celles qui ne servent plus.",
                max=MAX_ENTRIES,
            )
        )


def _skill_name_free(member_id: int, name: str, *, except_id: int | None) -> None:
    """Each skill once per member, whatever its case ("seo" is "SEO")."""
    query = select(Skill.id).where(
        Skill.member_id == member_id, func.lower(Skill.name) == name.lower()
    )
    if except_id is not None:
        query = query.where(Skill.id != except_id)
    if db.session.scalar(query) is not None:
        raise MembersError(
            _l("Cette compétence figure déjà dans la liste."), field="name"
        )


def _log(actor: User, action: str, entry: Entry, **detail: Any) -> None:
    audit.record(
        actor,
        f"member.{_AUDIT_NAMES[type(entry)]}.{action}",
        object_type=entry.__tablename__,
        object_id=entry.id,
        member_id=entry.member_id,
        detail=detail,
    )


# ---------------------------------------------------------------- writing


def set_expertise_visibility(actor: User, member: Member, *, shown: bool) -> None:
    """Show, or stop showing, the expertise on the public verification page."""
    if member.show_expertise_publicly == shown:
        return
    member.show_expertise_publicly = shown
    audit.record(
        actor,
        "member.expertise.visibility",
        object_type="member",
        object_id=member.id,
        member_id=member.id,
        detail={"shown": shown},
    )
    db.session.commit()


def add_skill(actor: User, member: Member, *, name: str, people: int) -> Skill:
    """Record a skill of the team. :raises MembersError:"""
    _room_for(member, Skill)
    name = _text(name, "name", limit=120)
    _skill_name_free(member.id, name, except_id=None)
    skill = Skill(member_id=member.id, name=name, people=_count(people, "people"))
    db.session.add(skill)
    _flush_skill()
    _log(actor, "add", skill, name=skill.name, people=skill.people)
    db.session.commit()
    return skill


def update_skill(actor: User, skill: Skill, *, name: str, people: int) -> None:
    """Rename a skill or change how many hold it. :raises MembersError:"""
    name = _text(name, "name", limit=120)
    _skill_name_free(skill.member_id, name, except_id=skill.id)
    skill.name, skill.people = name, _count(people, "people")
    skill.updated_at = utcnow()
    _flush_skill()
    _log(actor, "update", skill, name=skill.name, people=skill.people)
    db.session.commit()


def _flush_skill() -> None:
    """Write the skill; the same name added meanwhile by a colleague (the unique
    constraint) is a refusal, not an error page."""
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise MembersError(
            _l("Cette compétence figure déjà dans la liste."), field="name"
        ) from None


def add_training(
    actor: User,
    member: Member,
    *,
    course: str,
    provider: str | None,
    completed_on: date | None,
    attendees: int,
    today: date | None = None,
) -> Training:
    """Record a training completed by the member's staff. :raises MembersError:"""
    _room_for(member, Training)
    training = Training(member_id=member.id)
    _fill_training(training, course, provider, completed_on, attendees, today)
    db.session.add(training)
    db.session.flush()
    _log(actor, "add", training, **_training_detail(training))
    db.session.commit()
    return training


def update_training(
    actor: User,
    training: Training,
    *,
    course: str,
    provider: str | None,
    completed_on: date | None,
    attendees: int,
    today: date | None = None,
) -> None:
    """Correct a training. :raises MembersError:"""
    _fill_training(training, course, provider, completed_on, attendees, today)
    _log(actor, "update", training, **_training_detail(training))
    db.session.commit()


def _fill_training(
    training: Training,
    course: str,
    provider: str | None,
    completed_on: date | None,
    attendees: int,
    today: date | None,
) -> None:
    # Every value is checked before any is set: a refusal changes nothing.
    values = (
        _text(course, "course", limit=200),
        _text(provider, "provider", limit=200, required=False) or None,
        _completed(completed_on, today=today),
        _count(attendees, "attendees"),
    )
    (
        training.course,
        training.provider,
        training.completed_on,
        training.attendees,
    ) = values


def _training_detail(training: Training) -> dict[str, Any]:
    return {
        "course": training.course,
        "completed_on": training.completed_on.isoformat(),
        "attendees": training.attendees,
    }


def add_watch_source(
    actor: User, member: Member, *, name: str, url: str | None, topic: str | None
) -> WatchSource:
    """Record a watch source (a site, a newsletter, a community). :raises MembersError:"""
    _room_for(member, WatchSource)
    source = WatchSource(
        member_id=member.id,
        name=_text(name, "name", limit=200),
        url=check_url(url),
        topic=_text(topic, "topic", limit=120, required=False) or None,
    )
    db.session.add(source)
    db.session.flush()
    _log(actor, "add", source, name=source.name, url=source.url)
    db.session.commit()
    return source


def update_watch_source(
    actor: User,
    source: WatchSource,
    *,
    name: str,
    url: str | None,
    topic: str | None,
) -> None:
    """Correct a watch source. :raises MembersError:"""
    values = (
        _text(name, "name", limit=200),
        check_url(url),
        _text(topic, "topic", limit=120, required=False) or None,
    )
    source.name, source.url, source.topic = values
    _log(actor, "update", source, name=source.name, url=source.url)
    db.session.commit()


def remove_entry(actor: User, entry: Entry) -> None:
    """Delete a skill, training or watch source that no longer holds."""
    _log(actor, "remove", entry)
    db.session.delete(entry)
    db.session.commit()
