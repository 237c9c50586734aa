"""Checking an uploaded image before anything is stored: its size, that Pillow reads it as
one of BRIEF_IMAGE_FORMATS (whatever its name or declared type says), and its dimensions.
Every refusal is a ValidationError on the "image" field with a message for the person."""

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from PIL import Image, UnidentifiedImageError

EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "GIF": "gif", "WEBP": "webp"}


def image_checked(upload) -> ContentFile:
    """The upload as a file to store under a random name, or ValidationError."""
    limit = settings.BRIEF_UPLOAD_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            {"image": f"That file is too big: the limit is {limit // (1024 * 1024)} MB."}
        )
    upload.seek(0)
    try:
        with Image.open(upload) as image:
            kind = image.format
            width, height = image.size
            image.verify()  # reads the whole file: a broken or disguised one fails here
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationError(
            {"image": "That file is not an image we can use: send a JPEG, PNG, GIF or WebP."}
        ) from None
    if kind not in settings.BRIEF_IMAGE_FORMATS:
        raise ValidationError(
            {"image": "That image type is not accepted: send a JPEG, PNG, GIF or WebP."}
        )
    biggest, smallest = settings.BRIEF_IMAGE_MAX_SIDE, settings.BRIEF_IMAGE_MIN_SIDE
    if max(width, height) > biggest or min(width, height) < smallest:
        raise ValidationError(
            {
                "image": f"That image is {width} x {height} pixels: each side must be "
                f"between {smallest} and {biggest}."
            }
        )
    upload.seek(0)
    return ContentFile(upload.read(), name=f"{secrets.token_hex(16)}.{EXTENSIONS[kind]}")
