"""The evidence pack: per member and year, one ZIP a member hands to the board or
an auditor — its commitments and the records that prove each, scores with their
margin, indicators against target, complaints and improvement actions (a PDF
summary and the tables as XLSX); also ``flask evidence pack``."""

from __future__ import annotations

from flask import Flask

from core.navigation import Panel, register_panel


def init_app(app: Flask) -> None:
    from evidence import cli, views

    app.register_blueprint(views.bp)
    app.cli.add_command(cli.evidence_cli)
    register_panel(
        app,
        "member_dashboard",
        Panel(
            "evidence",
            "evidence/_dashboard_panel.html",
            views.dashboard_panel,
            order=60,
        ),
    )
