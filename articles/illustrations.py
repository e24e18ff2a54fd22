"""Abstract hero illustrations for the demo, drawn with Pillow, never photographs.

They let the demo show hero images (renditions, srcset, captions) without
shipping or downloading pictures; each is clearly labelled an illustration.
"""

import hashlib
import io

from django.core.files.base import ContentFile
from django.db import transaction
from PIL import Image, ImageDraw

from articles.models import Article

WIDTH, HEIGHT = 1600, 900
CREDIT = "Illustration drawn for the Newsroom demo"


def draw(seed: str) -> ContentFile:
    """Draw a 1600×900 pattern of bands and circles whose colours come from ``seed``."""
    digest = hashlib.sha256(seed.encode()).digest()
    base = (40 + digest[0] % 80, 50 + digest[1] % 80, 70 + digest[2] % 90)
    accent = (150 + digest[3] % 100, 90 + digest[4] % 120, 60 + digest[5] % 120)
    image = Image.new("RGB", (WIDTH, HEIGHT), base)
    drawing = ImageDraw.Draw(image, "RGBA")
    for band in range(8):
        left = band * WIDTH // 8 + digest[6 + band] % 60
        drawing.polygon(
            [(left, 0), (left + 260, 0), (left + 60, HEIGHT), (left - 200, HEIGHT)],
            fill=(*accent, 30 + band * 8),
        )
    for circle in range(5):
        x = digest[14 + circle] * WIDTH // 256
        y = digest[19 + circle] * HEIGHT // 256
        radius = 60 + digest[24 + circle] % 220
        drawing.ellipse(
            (x - radius, y - radius, x + radius, y + radius),
            fill=(255, 255, 255, 40),
            outline=(255, 255, 255, 120),
            width=6,
        )
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return ContentFile(buffer.getvalue(), name=f"illustration-{digest.hex()[:10]}.jpg")


def illustrate_articles_without_images() -> int:
    """Give each article without a hero image an illustration; return how many."""
    count = 0
    for article in Article.objects.filter(hero_image="").select_related("section"):
        with transaction.atomic():
            article.hero_image = draw(article.slug)
            article.hero_image_alt = (
                f"Abstract illustration in the colours of the {article.section.name} "
                "section: diagonal bands and circles."
            )
            article.hero_image_credit = CREDIT
            article.save(
                update_fields=[
                    "hero_image",
                    "hero_image_width",
                    "hero_image_height",
                    "hero_image_alt",
                    "hero_image_credit",
                ]
            )
        count += 1
    return count
