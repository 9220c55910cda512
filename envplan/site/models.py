from django.db import models
from django.utils.translation import gettext_lazy as _


class Heartbeat(models.Model):
    """The last sign of life of a long-running process (today: each `envplan worker`), one row per process,
    so that the health page on any machine sees the workers of every machine."""

    part = models.CharField(max_length=32)  # "worker"
    name = models.CharField(max_length=200, help_text=_("host:pid of the process"))
    started_at = models.DateTimeField()
    beat_at = models.DateTimeField(db_index=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["part", "name"], name="site_heartbeat_part_name")]

    def __str__(self) -> str:
        return f"{self.part} {self.name} at {self.beat_at:%Y-%m-%d %H:%M:%S}"
