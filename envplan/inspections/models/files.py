"""What a stored upload keeps beside its file (a site photo, a piece of closure evidence)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.fields.files import FieldFile
from django.utils.translation import gettext_lazy as _


class StoredUpload(models.Model):
    """The file's name as uploaded, its type read from its content, its size and SHA-256, who uploaded it
    and when. Each concrete model declares its own ``file`` field (where it is stored)."""

    file: FieldFile
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField()
    generated = models.BooleanField(default=False, help_text=_("made up by the demo loader"))

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.original_name
