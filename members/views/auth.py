"""Sign-in pages: log in and out, invitation and reset links, the account."""

from __future__ import annotations

from flask import (
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from core.deferred import after_response
from core.extensions import limiter
from core.forms import ConfirmForm, form_page
from core.navigation import nav_items
from core.security import is_safe_next, login_required
from members import services
from members.errors import MembersError
from members.forms import (
    AccountForm,
    LoginForm,
    PasswordChangeForm,
    PasswordForgotForm,
    PasswordSetForm,
)
from members.models import TokenPurpose
from members.views.blueprint import bp


@bp.get("/")
def home() -> ResponseReturnValue:
    if not current_user.is_authenticated:
        return render_template("members/public/home.html")
    # A signed-in user lands on the first entry of their menu (the features decide
    # the order: the dashboards come first once installed).
    items = nav_items()
    return redirect(url_for(items[0].endpoint if items else "members.account"))


def _login_limit() -> str:
    return str(current_app.config["LOGIN_RATE_LIMIT"])


def _account_login_limit() -> str:
    return str(current_app.config["LOGIN_ACCOUNT_RATE_LIMIT"])


def _account_reset_limit() -> str:
    return str(current_app.config["PASSWORD_RESET_ACCOUNT_RATE_LIMIT"])


def _posted_account() -> str:
    """The account a sign-in or reset form names: limits that hold whatever the
    number of addresses the requests come from."""
    return "account:" + services.normalise_email(str(request.form.get("email", "")))


def _failed(response: Response) -> bool:
    return response.status_code >= 400


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
@limiter.limit(
    _account_login_limit,
    methods=["POST"],
    key_func=_posted_account,
    deduct_when=_failed,
)
def login() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(url_for("members.home"))
    form = LoginForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            return render_template("members/auth/login.html", form=form), 400
        user = services.authenticate(form.email.data, form.password.data)
        if user is None:
            flash(_("Adresse e-mail ou mot de passe incorrect."), "danger")
            return render_template("members/auth/login.html", form=form), 400
        login_user(user, remember=form.remember.data)
        target = request.args.get("next")
        return redirect(target if is_safe_next(target) else url_for("members.home"))
    return render_template("members/auth/login.html", form=form)


@bp.post("/logout")
def logout() -> ResponseReturnValue:
    if ConfirmForm().validate_on_submit():
        if current_user.is_authenticated:
            services.sign_out(current_user)
        logout_user()
        flash(_("Vous êtes déconnecté."), "info")
    return redirect(url_for("members.home"))


@bp.post("/account/sign-out-everywhere")
@login_required
def sign_out_everywhere() -> ResponseReturnValue:
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for("members.account"))
    services.sign_out(current_user, everywhere=True)
    logout_user()
    flash(_("Vous êtes déconnecté de tous vos appareils."), "info")
    return redirect(url_for("members.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
@limiter.limit(_login_limit, methods=["POST"])
def change_password() -> ResponseReturnValue:
    form = PasswordChangeForm()

    def submit() -> None:
        services.change_password(
            current_user, current=form.current_password.data, new=form.password.data
        )
        login_user(current_user)  # this browser stays signed in, the others end

    return form_page(
        form,
        template="members/auth/password.html",
        submit=submit,
        errors=MembersError,
        success=_("Votre mot de passe est changé ; vos autres sessions sont fermées."),
        next_url=lambda _result: url_for("members.account"),
    )


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
@limiter.limit(_account_reset_limit, methods=["POST"], key_func=_posted_account)
def forgot_password() -> ResponseReturnValue:
    form = PasswordForgotForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            return render_template("members/auth/forgot.html", form=form), 400
        response = redirect(url_for("members.login"))
        # After the answer has left: it takes as long whether the address is
        # known or not (looking it up and queuing the e-mail happen later).
        response.call_on_close(
            after_response(
                services.request_password_reset,
                form.email.data,
                locale=str(get_locale()),
            )
        )
        flash(
            _("Si un compte existe pour cette adresse, un lien vient d'y être envoyé."),
            "info",
        )
        return response
    return render_template("members/auth/forgot.html", form=form)


def _password_page(
    token: str, purpose: TokenPurpose, template: str
) -> ResponseReturnValue:
    found = services.find_token(token, purpose)
    if found is None:
        return render_template("members/auth/link_invalid.html"), 404
    form = PasswordSetForm()
    if request.method == "GET" and not form.full_name.data:
        form.full_name.data = found.user.full_name
    if request.method == "POST":
        if not form.validate_on_submit():
            return render_template(template, form=form, account=found.user), 400
        return _set_password(token, purpose, form)
    return render_template(template, form=form, account=found.user)


def _set_password(
    token: str, purpose: TokenPurpose, form: PasswordSetForm
) -> ResponseReturnValue:
    try:
        user = services.set_password_with_token(
            token,
            purpose,
            password=form.password.data,
            full_name=form.full_name.data,
        )
    except MembersError as error:
        flash(str(error), "danger")
        return render_template("members/auth/link_invalid.html"), 404
    login_user(user)
    flash(_("Votre mot de passe est enregistré. Bienvenue !"), "success")
    return redirect(url_for("members.home"))


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def accept_invitation(token: str) -> ResponseReturnValue:
    return _password_page(token, TokenPurpose.INVITATION, "members/auth/accept.html")


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def reset_password(token: str) -> ResponseReturnValue:
    return _password_page(token, TokenPurpose.PASSWORD_RESET, "members/auth/reset.html")


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account() -> ResponseReturnValue:
    form = AccountForm(obj=current_user)
    return form_page(
        form,
        template="members/auth/account.html",
        confirm=ConfirmForm(),
        submit=lambda: services.update_account(
            current_user, full_name=form.full_name.data, locale=form.locale.data
        ),
        errors=MembersError,
        success=_("Vos préférences sont enregistrées."),
        next_url=lambda _result: url_for("members.account"),
    )
