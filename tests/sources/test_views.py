"""Sources pages: everyone logged in reads; supervisors and bureau officers edit the registry."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from envplan.core.models import AuditEntry
from envplan.hj212.rows import frames_to_rows
from envplan.sources import services
from envplan.sources.demo_data import POWER_MN, generated_frames, load_sources_demo
from envplan.sources.models import (
    Device,
    DeviceCounter,
    Enterprise,
    ExceedanceEvent,
    Outlet,
    QuarantinedDevice,
)
from tests.fixtures import assert_sent_to_login
from tests.sources.conftest import login

NOW = dt.datetime(2025, 10, 20, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.fixture
def demo(db: None, users, settings):  # type: ignore[no-untyped-def]
    from envplan.core.clock import pin as pin_clock

    pin_clock(NOW)
    return load_sources_demo(now=NOW)


def test_device_status_anonymous_is_sent_to_login(client, db):
    response = client.get(reverse("sources:devices"))

    assert_sent_to_login(response)


def test_device_status_shows_online_offline_counters_and_quarantine(
    client, demo, django_assert_max_num_queries
):
    DeviceCounter.objects.create(
        mn="88888880000001", reason="crc", hour=NOW, count=4, device=Device.objects.get(mn="88888880000001")
    )
    QuarantinedDevice.objects.create(
        mn="UNKNOWN1", first_seen=NOW, last_seen=NOW, frames=2, peer="10.0.0.9:1"
    )
    login(client, "reader")

    with django_assert_max_num_queries(13):  # 12, and the open alerts (envplan.sources.alerts)
        response = client.get(reverse("sources:devices"))

    assert response.status_code == 200
    status = {row.device.mn: row.online for row in response.context["rows"]}
    assert status[POWER_MN] is True
    assert status["88888880000001"] is False
    assert b"crc: 4" in response.content
    assert b"UNKNOWN1" in response.content
    assert b"/edit/" not in response.content


def test_outlet_page_draws_hourly_values_with_the_limit_line(client, demo):
    login(client, "reader")
    outlet = Outlet.objects.get(code="DA001")

    response = client.get(reverse("sources:outlet", args=[outlet.pk]), {"days": "3"})

    assert response.status_code == 200
    factors = [(item.factor, item.field) for item, _ in response.context["charts"]]
    assert factors[:3] == [("a21002", "ZsAvg"), ("a21026", "ZsAvg"), ("a34013", "ZsAvg")]
    assert response.content.count(b'data-testid="limit-line"') == 3
    assert b'data-testid="generated-label"' in response.content
    # The charts need no script: the page's only one is the site's language selector.
    assert re.findall(rb"<script[^>]*>", response.content) == [
        b'<script src="/static/envplan/envplan.js" defer>'
    ]


def test_enterprise_page_shows_validity_and_flags(client, demo):
    login(client, "reader")
    enterprise = Enterprise.objects.get(name__startswith="Kundulun Thermal")

    response = client.get(reverse("sources:enterprise", args=[enterprise.pk]))

    assert response.status_code == 200
    validity = response.context["figures"].validity
    october = next(row for row in validity if row["month"] == dt.date(2025, 10, 1))
    assert 0 < october["valid"] < october["expected"]
    assert b'data-testid="flag-table"' in response.content


def test_exceedance_list_shows_the_demo_events(client, demo):
    login(client, "reader")

    response = client.get(reverse("sources:exceedances"))

    assert response.status_code == 200
    assert [e.factor for e in response.context["events"]] == list(
        ExceedanceEvent.objects.order_by("-start", "outlet_id").values_list("factor", flat=True)
    )
    assert len(response.context["events"]) == demo["exceedances"] >= 2


@pytest.mark.parametrize(
    "name,args",
    [
        ("sources:enterprise_new", []),
        ("sources:outlet_edit", ["outlet"]),
        ("sources:device_edit", ["device"]),
    ],
)
def test_registry_forms_are_forbidden_to_a_plain_user(client, demo, name, args):
    outlet = Outlet.objects.get(code="DA001")
    ids = {"outlet": outlet.pk, "device": Device.objects.get(mn=POWER_MN).pk}
    login(client, "reader")

    assert client.get(reverse(name, args=[ids[a] for a in args])).status_code == 403
    assert client.post(reverse(name, args=[ids[a] for a in args]), {"name": "x"}).status_code == 403


def test_supervisor_creates_an_enterprise_with_an_audit_entry(client, users):
    login(client, "chief")

    response = client.post(
        reverse("sources:enterprise_new"), {"name": "Baotou Steel Works", "credit_code": ""}
    )

    enterprise = Enterprise.objects.get()
    assert response.status_code == 302
    assert response["Location"] == enterprise.get_absolute_url()
    assert AuditEntry.objects.filter(action="sources.enterprise_created", actor=users["chief"]).count() == 1


def test_bureau_officer_registers_a_device_with_a_crc_variant(client, users, outlet):
    login(client, "officer")

    response = client.post(
        reverse("sources:device_new", args=[outlet.pk]),
        {
            "mn": "88888880000001",
            "password": "123456",
            "edition": "2017",
            "crc_variants": "modbus-swapped",
            "active": "on",
            "expected_interval": "3600",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == outlet.get_absolute_url()  # a device is shown on its outlet's page
    assert Device.objects.get(mn="88888880000001").crc_variants == ["modbus-swapped"]


def test_device_form_rejects_an_unknown_crc_variant(client, users, outlet):
    login(client, "chief")

    response = client.post(
        reverse("sources:device_new", args=[outlet.pk]),
        {"mn": "X", "edition": "2017", "crc_variants": "crc32", "expected_interval": "3600"},
    )

    assert response.status_code == 200
    assert "crc32" in str(response.context["form"].errors["crc_variants"])
    assert Device.objects.count() == 0


def test_demo_loads_once_and_its_generated_rows_parse(demo):
    again = load_sources_demo(now=NOW)
    rows, errors = frames_to_rows(generated_frames(NOW)[:4])

    assert again == {"enterprises": 0}
    # two hours of the power logger (O2 Avg, then Avg and ZsAvg of 3 factors) and of the water logger (3 Avg)
    assert (errors, rows.height) == ([], 2 * (1 + 3 * 2) + 2 * 3)
    assert Enterprise.objects.filter(illustrative=True).count() == 2
    assert demo["real_frames"] == 5


def test_limit_change_is_audited(users, outlet):
    limit = outlet.limits.get()
    limit.limit = Decimal("50")

    services.save_limit(limit, by=users["chief"])

    entry = AuditEntry.objects.get(action="sources.limit_updated")
    assert (entry.before["limit"], entry.after["limit"]) == ("35.0000", "50")
