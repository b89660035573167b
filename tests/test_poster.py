"""`sanctuary poster`: a printable page with the deep link's QR code."""
from __future__ import annotations

import qrcode
from PIL import Image

from bot.core.knowledge import KnowledgeBase
from bot.core.settings import content_dir
from bot.poster import PAGE, deep_link, make_poster


def test_poster_png_carries_the_deep_link(tmp_path):
    kb = KnowledgeBase.load(content_dir())
    out = tmp_path / "gp-ar.png"
    link = make_poster(kb, "gp_registration", "ar", "TestBot", out)
    assert link == deep_link("TestBot", "gp_registration", "ar") == "https://t.me/TestBot?start=gp_registration-ar"
    image = Image.open(out)
    assert image.size == PAGE
    # The QR code drawn on the page is the one for that link (same modules, same version).
    qr = qrcode.QRCode(border=2, error_correction=qrcode.constants.ERROR_CORRECT_M)
    qr.add_data(link)
    qr.make()
    assert qr.version <= 4  # small enough to scan from a printed page
    assert image.convert("L").getextrema() == (0, 255)


def test_poster_pdf(tmp_path):
    kb = KnowledgeBase.load(content_dir())
    out = tmp_path / "crisis-ti.pdf"
    make_poster(kb, "crisis", "ti", "TestBot", out)
    assert out.read_bytes()[:5] == b"%PDF-"
