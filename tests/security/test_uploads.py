"""validate_upload: type from content (real sample files), size limits, messages."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse

from claims.security.uploads import safe_download_headers
from claims.security.uploads import validate_upload

SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "samples"

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 20
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 20
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n"


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        (PDF, "pdf"),
        (PNG, "png"),
        (JPEG, "jpeg"),
        (b'<?xml version="1.0"?><Invoice/>', "xml"),
        (b"\xef\xbb\xbf<Invoice/>", "xml"),
        ("numéro;montant\nF-1;12,50\n".encode(), "csv"),
        ("numéro;montant\n".encode("cp1252"), "csv"),
    ],
)
def test_it_detects_the_type_from_the_content(content, kind):
    upload = SimpleUploadedFile("whatever.bin", content)
    assert validate_upload(upload) == kind
    assert upload.tell() == 0


def test_a_renamed_executable_is_refused_with_a_french_message():
    upload = SimpleUploadedFile("facture.pdf", b"MZ\x90\x00\x03\x00\x00\x00")
    with pytest.raises(ValidationError) as exc:
        validate_upload(upload, allowed={"pdf"})
    assert exc.value.messages == [
        "Type de fichier refusé : le contenu n'est pas un fichier PDF."
    ]


def test_a_png_is_refused_where_only_pdf_is_allowed():
    with pytest.raises(ValidationError, match="PDF"):
        validate_upload(SimpleUploadedFile("x.pdf", PNG), allowed={"pdf"})


def test_html_named_csv_is_not_csv():
    with pytest.raises(ValidationError):
        validate_upload(io.BytesIO(b"<html><script>x</script>"), allowed={"csv"})


def test_size_limits():
    with pytest.raises(ValidationError, match="vide"):
        validate_upload(SimpleUploadedFile("a.csv", b""))
    big = SimpleUploadedFile("a.pdf", PDF + b"0" * 2048)
    with pytest.raises(ValidationError, match="trop volumineux"):
        validate_upload(big, max_bytes=1024)
    assert validate_upload(big, max_bytes=4096) == "pdf"


def test_real_sample_files():
    ubl = sorted(SAMPLES.rglob("*.xml"))
    if not ubl:
        pytest.skip(f"no XML sample under {SAMPLES}")
    with ubl[0].open("rb") as fh:
        assert validate_upload(fh, allowed={"xml"}) == "xml"


def test_safe_download_headers():
    response = safe_download_headers(
        HttpResponse(b"%PDF-"), kind="pdf", filename="mise en demeure.pdf"
    )
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "sandbox" in response["Content-Security-Policy"]


def test_media_files_are_not_served_directly(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    (tmp_path / "documents").mkdir()
    (tmp_path / "documents" / "secret.pdf").write_bytes(PDF)
    assert client.get("/media/documents/secret.pdf").status_code == 404
