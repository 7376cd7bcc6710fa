"""Every Flask extension the app uses, created once and bound in ``create_app``."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar, cast

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from core.database import Base

# Objects keep their loaded values after a commit: a view renders what it just
# saved without reloading it, and no transaction reopens behind the caller's back.
db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
limiter = Limiter(key_func=get_remote_address, default_limits=[])

F = TypeVar("F", bound=Callable[..., Any])


def csrf_exempt(view: F) -> F:
    """Flask-WTF's ``csrf.exempt``, typed: the view keeps its signature for mypy."""
    return cast(F, csrf.exempt(view))


# The declarative base of every model. Flask-SQLAlchemy builds ``db.Model`` at run
# time, so a type checker cannot see through it: models subclass ``Model``, which
# is ``db.Model`` at run time and our typed ``Base`` for mypy.
if TYPE_CHECKING:
    Model = Base
else:
    Model = db.Model
