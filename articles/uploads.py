"""What an uploaded hero image must be, and the name it is stored under."""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from PIL import Image, UnidentifiedImageError

# Raster formats browsers show everywhere. SVG is not among them on purpose:
# it can carry scripts.
EXTENSIONS = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp", "GIF": ".gif"}
MAX_PIXELS = 50_000_000


def image_format(file) -> str | None:
    """The format Pillow reads from the file's content, whatever its name says."""
    position = file.tell() if hasattr(file, "tell") else 0
    try:
        file.seek(0)
        with Image.open(file) as image:
            return image.format
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
        return None
    finally:
        file.seek(position)


def validate_hero_image(file) -> None:
    limit = settings.NEWSROOM_MAX_IMAGE_BYTES
    if file.size > limit:
        raise ValidationError(
            "The image is %(size).1f MB; the limit is %(limit)d MB.",
            code="too_large",
            params={"size": file.size / 1_048_576, "limit": limit // 1_048_576},
        )
    found = image_format(file)
    if found not in EXTENSIONS:
        raise ValidationError(
            "Upload a JPEG, PNG, WebP or GIF image; this file is not one.",
            code="format",
        )
    file.seek(0)
    with Image.open(file) as image:
        width, height = image.size
    file.seek(0)
    if width * height > MAX_PIXELS:
        raise ValidationError(
            "The image is %(width)d × %(height)d pixels; the limit is 50 megapixels.",
            code="too_many_pixels",
            params={"width": width, "height": height},
        )


def hero_image_path(article, filename: str) -> str:
    """A random name, so uploads can be neither guessed nor overwritten."""
    extension = EXTENSIONS.get(image_format(article.hero_image) or "", ".img")
    return f"articles/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{extension}"
