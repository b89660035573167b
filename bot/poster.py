"""`sanctuary poster`: a printable page (PNG or PDF) with a QR code of a deep link.

VCSE workers put it on a noticeboard or hand it out: scanning it opens the bot on
that topic, in that language (`/start TOPIC-LANG`). The title is drawn in the
language's own script and direction (Pillow's raqm layout shapes Arabic script).
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from bot.core.knowledge import LANGUAGES, KnowledgeBase
from bot.core.locales import autonym, is_rtl
from bot.core.settings import content_dir

PAGE = (1240, 1754)  # A4 at 150 dpi
FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
)
ETHIOPIC_FONTS = ("/usr/share/fonts/truetype/noto/NotoSansEthiopic-Regular.ttf",
                  "/usr/share/fonts/truetype/abyssinica/AbyssinicaSIL-Regular.ttf")


def deep_link(bot_username: str, topic: str, lang: str) -> str:
    return f"https://t.me/{bot_username}?start={topic}-{lang}"


def _font(size: int, lang: str):
    from PIL import ImageFont

    candidates = (ETHIOPIC_FONTS if lang in ("ti", "am") else ()) + FONT_CANDIDATES
    for path in candidates:
        if os.path.exists(path):
            return ImageFont.truetype(path, size)
    return ImageFont.load_default()


def _draw_centred(draw, text: str, y: int, size: int, lang: str) -> int:
    font = _font(size, lang)
    direction = "rtl" if is_rtl(lang) else "ltr"
    for line in text.splitlines() or [""]:
        try:
            box = draw.textbbox((0, 0), line, font=font, direction=direction)
        except (KeyError, ValueError, TypeError):  # no raqm: plain layout
            direction = None
            box = draw.textbbox((0, 0), line, font=font)
        width = box[2] - box[0]
        kwargs = {"direction": direction} if direction else {}
        draw.text(((PAGE[0] - width) // 2, y), line, fill="black", font=font, **kwargs)
        y += int(size * 1.4)
    return y


def make_poster(kb: KnowledgeBase, topic: str, lang: str, bot_username: str, out: Path) -> str:
    import qrcode
    from PIL import Image, ImageDraw

    link = deep_link(bot_username, topic, lang)
    page = Image.new("RGB", PAGE, "white")
    draw = ImageDraw.Draw(page)
    y = _draw_centred(draw, kb.title(topic, lang), 120, 72, lang)
    if lang != "en":
        y = _draw_centred(draw, kb.title(topic, "en"), y + 10, 44, "en")
    qr = qrcode.QRCode(border=2, box_size=20, error_correction=qrcode.constants.ERROR_CORRECT_M)
    qr.add_data(link)
    image = qr.make_image(fill_color="black", back_color="white").convert("RGB").resize((800, 800), Image.NEAREST)
    page.paste(image, ((PAGE[0] - 800) // 2, y + 60))
    y += 900
    y = _draw_centred(draw, f"{autonym(lang)} · Telegram", y, 44, lang)
    _draw_centred(draw, link, y + 20, 30, "en")
    out.parent.mkdir(parents=True, exist_ok=True)
    page.save(out, "PDF" if out.suffix.lower() == ".pdf" else "PNG", resolution=150)
    return link


def cmd_poster(args: argparse.Namespace) -> int:
    kb = KnowledgeBase.load(content_dir())
    if not kb.has_topic(args.topic):
        print(f"Unknown topic {args.topic!r}. Topics: {', '.join(kb.topic_ids)}", file=sys.stderr)
        return 2
    link = make_poster(kb, args.topic, args.lang, args.bot, Path(args.out))
    print(f"Wrote {args.out} ({link})")
    return 0


def register(subparsers) -> None:
    p = subparsers.add_parser("poster", help="printable PNG or PDF with a QR code of a deep link")
    p.add_argument("--topic", required=True)
    p.add_argument("--lang", required=True, choices=LANGUAGES)
    p.add_argument("--out", required=True, help="FILE.png or FILE.pdf")
    p.add_argument("--bot", default=os.environ.get("TELEGRAM_BOT_USERNAME", "SanctuaryNHSBot"),
                   help="the bot's username (or set TELEGRAM_BOT_USERNAME)")
    p.set_defaults(func=cmd_poster)
