"""``flask evidence pack``: the same ZIP from the command line; each refusal in
one sentence and a non-zero exit code, never a traceback."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from core.dates import local_today

MISSING = "/nonexistent/chromium"


@pytest.fixture(autouse=True)
def _no_chromium(app: Flask) -> Iterator[None]:
    """The PDF is tested in test_pack.py: here Chromium is not looked for."""
    app.config["PDF_CHROMIUM_PATH"] = MISSING
    yield
    app.config["PDF_CHROMIUM_PATH"] = None


def _run(runner, *args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(args=["evidence", "pack", *args])


def test_the_command_writes_the_members_pack(runner, seeded, tmp_path: Path) -> None:
    output = tmp_path / "pack.zip"

    result = _run(
        runner,
        "--member",
        str(seeded.member.id),
        "--year",
        "2026",
        "--output",
        str(output),
    )

    assert result.exit_code == 0, result.output
    assert f"wrote {output}" in result.output
    assert "evidence pack of Agence Preuves for 2026" in result.output
    assert "warning: no PDF (Chromium unavailable or failed)" in result.output
    with zipfile.ZipFile(io.BytesIO(output.read_bytes())) as archive:
        names = sorted(archive.namelist())
    assert names == [
        "LISEZMOI.txt",
        "dossier-preuves-agence-preuves-2026.html",
        "dossier-preuves-agence-preuves-2026.xlsx",
    ]


def test_the_command_speaks_english_when_asked(runner, seeded, tmp_path: Path) -> None:
    output = tmp_path / "pack.zip"
    result = _run(
        runner,
        "--member",
        str(seeded.member.id),
        "--year",
        "2026",
        "--output",
        str(output),
        "--locale",
        "en",
    )
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(output) as archive:
        assert "evidence-pack-agence-preuves-2026.xlsx" in archive.namelist()


@pytest.mark.parametrize(
    ("member", "year", "target", "message"),
    [
        ("999999", "2026", "pack.zip", "Error: no member with id 999999"),
        (
            None,
            "abc",
            "pack.zip",
            "Error: Année invalide : indiquez une année entre 2000 et {last}.",
        ),
        (
            None,
            "1999",
            "pack.zip",
            "Error: Année invalide : indiquez une année entre 2000 et {last}.",
        ),
        (
            None,
            "2026",
            "missing/dir/pack.zip",
            "Error: cannot write {tmp}/missing/dir/pack.zip: the directory "
            "{tmp}/missing/dir does not exist",
        ),
        (
            None,
            "2026",
            ".",
            "Error: {tmp} is a directory: give a file name ending in .zip",
        ),
    ],
)
def test_a_bad_argument_is_refused_in_one_sentence(
    runner, seeded, tmp_path: Path, member, year, target, message
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    output = out / target if target != "." else out
    result = _run(
        runner,
        "--member",
        member or str(seeded.member.id),
        "--year",
        year,
        "--output",
        str(output),
    )

    assert result.exit_code != 0
    assert result.output.strip() == message.format(last=local_today().year, tmp=out)
    assert "Traceback" not in result.output
    assert list(out.iterdir()) == []


def test_a_member_id_that_is_not_a_number_is_refused(runner, app) -> None:
    result = _run(runner, "--member", "abc", "--year", "2026", "--output", "x.zip")
    assert result.exit_code == 2
    assert "'abc' is not a valid integer" in result.output
