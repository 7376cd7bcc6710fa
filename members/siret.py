"""SIRET numbers: 14 digits with a Luhn checksum (La Poste's establishments aside)."""

from __future__ import annotations

LA_POSTE_SIREN = "356000000"


def normalise_siret(value: str) -> str:
    """Drop the spaces, dots and dashes people type between digit groups."""
    return "".join(ch for ch in value if ch not in " .-\u00a0\u202f\t")


def luhn_ok(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        digit = int(char)
        if index % 2 == 1:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


def is_valid_siret(value: str) -> bool:
    """True for a well-formed SIRET whose checksum holds."""
    siret = normalise_siret(value)
    if len(siret) != 14 or not siret.isascii() or not siret.isdigit():
        return False
    if siret.startswith(LA_POSTE_SIREN) and siret != LA_POSTE_SIREN + "00001":
        # La Poste's establishments follow their own rule: digit sum divisible by 5.
        return sum(int(d) for d in siret) % 5 == 0
    return luhn_ok(siret)
