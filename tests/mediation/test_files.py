"""Attachments are checked by their content, not by their name or declared type."""

from __future__ import annotations

import pytest

from mediation.errors import AttachmentRefused
from mediation.files import (
    MAX_FILE_BYTES,
    Upload,
    check,
    check_all,
    safe_name,
    sniff,
)

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00"
GIF = b"GIF89a\x01\x00\x01\x00"
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 "


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (PDF, "application/pdf"),
        (PNG, "image/png"),
        (JPEG, "image/jpeg"),
        (GIF, "image/gif"),
        (b"GIF87a....", "image/gif"),
        (WEBP, "image/webp"),
        (b"MZ\x90\x00", None),  # a Windows executable
        (b"<html><script>alert(1)</script>", None),
        (b"RIFF\x24\x00\x00\x00WAVEfmt ", None),  # RIFF but not WebP
        (b"", None),
    ],
)
def test_sniff_recognises_pdf_and_images_by_their_magic_bytes(data, expected) -> None:
    assert sniff(data) == expected


@pytest.mark.parametrize(
    ("name", "declared", "data", "content_type"),
    [
        ("devis.pdf", "application/pdf", PDF, "application/pdf"),
        ("Photo.JPG", "image/jpeg", JPEG, "image/jpeg"),
        ("photo.jpeg", "image/jpg", JPEG, "image/jpeg"),
        ("capture.png", None, PNG, "image/png"),
        ("capture.png", "application/octet-stream", PNG, "image/png"),
        ("anim.gif", "image/gif", GIF, "image/gif"),
        ("img.webp", "image/webp", WEBP, "image/webp"),
    ],
)
def test_a_file_that_is_what_it_says_is_accepted(
    name, declared, data, content_type
) -> None:
    checked = check(Upload(name, declared, data))
    assert checked.content_type == content_type
    assert checked.data == data


@pytest.mark.parametrize(
    ("name", "declared", "data", "message"),
    [
        ("devis.pdf", "application/pdf", PNG, "ne correspond pas à son type déclaré"),
        ("photo.png", "image/png", PDF, "ne correspond pas à son type déclaré"),
        ("photo.png", "application/pdf", PNG, "ne correspond pas à son type déclaré"),
        ("script.html", "text/html", PNG, "ne correspond pas à son type déclaré"),
        ("virus.pdf", "application/pdf", b"MZ\x90\x00", "ni un PDF ni une image"),
        ("vide.pdf", "application/pdf", b"", "est vide"),
    ],
)
def test_a_file_whose_content_does_not_match_is_refused(
    name, declared, data, message
) -> None:
    with pytest.raises(AttachmentRefused, match=message):
        check(Upload(name, declared, data))


def test_a_file_over_the_size_limit_is_refused() -> None:
    big = PDF + b"0" * MAX_FILE_BYTES
    with pytest.raises(AttachmentRefused, match="dépasse 10 Mo"):
        check(Upload("gros.pdf", "application/pdf", big))


def test_at_most_five_files_per_entry_and_forty_per_case() -> None:
    five = [Upload(f"f{i}.pdf", "application/pdf", PDF) for i in range(5)]
    assert len(check_all(five)) == 5
    with pytest.raises(AttachmentRefused, match="Au plus 5 fichiers"):
        check_all([*five, Upload("six.pdf", "application/pdf", PDF)])
    with pytest.raises(AttachmentRefused, match="nombre maximal"):
        check_all(five, already=36)


def test_names_lose_their_path_and_dangerous_characters() -> None:
    assert safe_name("../../etc/passwd.pdf") == "passwd.pdf"
    assert safe_name("C:\\Users\\a\\devis final.pdf") == "devis final.pdf"
    assert safe_name('a"b<c>.pdf') == "abc.pdf"
    assert safe_name("\x00\n") == "fichier"
