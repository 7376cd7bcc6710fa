from __future__ import annotations

import pytest

from members.demo import make_siret
from members.siret import is_valid_siret, normalise_siret


@pytest.mark.parametrize(
    "siret",
    ["73282932000074", "732 829 320 00074", "443 061 841 00047"],
)
def test_real_sirets_are_valid(siret: str) -> None:
    assert is_valid_siret(siret)


@pytest.mark.parametrize(
    "siret",
    [
        "73282932000075",
        "7328293200007",
        "732829320000744",
        "ABCDEFGHIJKLMN",
        "",
        "７３２８２９３２０００７４",
    ],
)
def test_wrong_sirets_are_refused(siret: str) -> None:
    assert not is_valid_siret(siret)


def test_spaces_dots_and_dashes_are_ignored() -> None:
    assert normalise_siret(" 732.829.320-00074 ") == "73282932000074"


def test_la_poste_establishments_follow_their_own_rule() -> None:
    # La Poste's SIREN 356 000 000: the digit sum is a multiple of 5, not Luhn.
    assert is_valid_siret("35600000049837")
    assert not is_valid_siret("35600000049838")


def test_demo_sirets_pass_the_checksum() -> None:
    assert is_valid_siret(make_siret("812345671"))
