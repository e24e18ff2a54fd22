"""Hero image renditions: WebP copies at several widths, made once on upload.

Pages read the stored list (names and dimensions) and build ``srcset`` from it,
so no request ever opens or resizes an image. The uploaded original is kept
as it was, for browsers without WebP and for later re-cropping.
"""

import io
from pathlib import PurePosixPath

from django.core.files.base import ContentFile
from django.db.models.fields.files import FieldFile
from PIL import Image, ImageOps

# Widths a phone, a tablet and a wide screen (at 1x and 2x) would ask for.
RENDITION_WIDTHS = (320, 640, 960, 1280, 1600)
WEBP_QUALITY = 80


def make_renditions(image: FieldFile) -> dict[str, object]:
    """Write WebP renditions of a stored image; return their names and sizes."""
    with image.open("rb") as stored, Image.open(stored) as original:
        # Phones record rotation in EXIF; turn the pixels so every copy is upright.
        upright = ImageOps.exif_transpose(original)
        upright = upright.convert("RGBA" if _has_alpha(upright) else "RGB")
    widths = [width for width in RENDITION_WIDTHS if width < upright.width]
    if upright.width <= RENDITION_WIDTHS[-1]:
        widths.append(upright.width)  # full size, as WebP
    stem = PurePosixPath(image.name).with_suffix("")
    renditions = []
    for width in widths:
        height = max(1, round(upright.height * width / upright.width))
        resized = upright.resize((width, height), Image.Resampling.LANCZOS)
        buffer = io.BytesIO()
        resized.save(buffer, "WEBP", quality=WEBP_QUALITY)
        name = image.storage.save(
            f"{stem}.{width}w.webp", ContentFile(buffer.getvalue())
        )
        renditions.append({"name": name, "width": width, "height": height})
    return {"source": image.name, "webp": renditions}


def delete_renditions(renditions: dict[str, object], storage) -> None:
    """Remove rendition files that no article refers to any more."""
    for rendition in renditions.get("webp", []):
        storage.delete(rendition["name"])


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in {"RGBA", "LA", "PA"} or "transparency" in image.info
