"""Strict devices, refused-frame counters per hour, samples of refused frames, counts of frames stored with
a known deviation (issue 20)."""

from django.db import migrations, models


def counters_by_hour(apps, schema_editor):  # type: ignore[no-untyped-def]  # Django's migration signature
    """Counters kept before had no hour: they are put in the hour they were last updated."""
    counter = apps.get_model("sources", "DeviceCounter")
    for row in counter.objects.all():
        row.hour = row.updated.replace(minute=0, second=0, microsecond=0)
        row.save(update_fields=["hour"])


class Migration(migrations.Migration):
    dependencies = [
        ("sources", "0001_registry_and_screening"),
    ]

    operations = [
        migrations.AddField(
            model_name="device",
            name="strict",
            field=models.BooleanField(
                default=False,
                help_text=(
                    "Refuse frames with a known deviation from HJ 212 (length field, lower-case CRC, missing "
                    "QN, …) instead of storing them marked with it."
                ),
                verbose_name="strict",
            ),
        ),
        migrations.RemoveConstraint(model_name="devicecounter", name="sources_counter_mn_reason"),
        migrations.AddField(
            model_name="devicecounter",
            name="hour",
            field=models.DateTimeField(null=True, verbose_name="hour"),
        ),
        migrations.RunPython(counters_by_hour, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="devicecounter",
            name="hour",
            field=models.DateTimeField(verbose_name="hour"),
        ),
        migrations.AlterModelOptions(name="devicecounter", options={"ordering": ["mn", "reason", "hour"]}),
        migrations.AddConstraint(
            model_name="devicecounter",
            constraint=models.UniqueConstraint(fields=("mn", "reason", "hour"), name="sources_counter_mn_reason_hour"),
        ),
        migrations.CreateModel(
            name="RejectedSample",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("mn", models.CharField(max_length=64, verbose_name="MN")),
                ("reason", models.CharField(max_length=32, verbose_name="reason")),
                ("received_at", models.DateTimeField(verbose_name="received")),
                ("peer", models.CharField(blank=True, max_length=100, verbose_name="peer")),
                ("message", models.CharField(blank=True, max_length=500, verbose_name="message")),
                ("frame", models.TextField(verbose_name="frame")),
            ],
            options={
                "ordering": ["mn", "reason", "received_at", "pk"],
                "indexes": [models.Index(fields=["mn", "reason"], name="sources_sample_mn_reason")],
            },
        ),
        migrations.CreateModel(
            name="VariantCount",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("mn", models.CharField(max_length=64, verbose_name="MN")),
                ("variant", models.CharField(max_length=32, verbose_name="deviation")),
                ("frames", models.PositiveBigIntegerField(default=0, verbose_name="frames")),
                ("first_seen", models.DateTimeField(verbose_name="first seen")),
                ("last_seen", models.DateTimeField(verbose_name="last seen")),
            ],
            options={
                "ordering": ["mn", "variant"],
                "constraints": [models.UniqueConstraint(fields=("mn", "variant"), name="sources_variant_mn")],
            },
        ),
    ]
