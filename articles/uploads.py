"""What an uploaded hero image must be, and the name it is stored under."""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
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
    """Refuse an upload that is too large, not a raster image, or too many pixels."""
    if getattr(file, "_committed", False):
        # Already stored, so checked when it was uploaded. Saving the article
        # again hands over the stored file, closed: reading it would fail.
        return
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


class HeroImageField(models.ImageField):
    """An ImageField that trusts the stored dimensions of a file it already has.

    Django re-reads the image from storage on every form save to refresh the
    width and height; for a file that is already stored those cannot have
    changed, and a file missing from storage (media not shared between app
    servers, a lost volume) would turn an editor's save into a server error.
    """

    def update_dimension_fields(self, instance, force=False, *args, **kwargs):
        file = instance.__dict__.get(self.attname)
        stored = isinstance(file, models.fields.files.FieldFile) and file._committed
        # Read from __dict__: a deferred dimension must not trigger a query.
        known = all(
            instance.__dict__.get(name)
            for name in (self.width_field, self.height_field)
        )
        if file and stored and known:
            return
        super().update_dimension_fields(instance, force, *args, **kwargs)
