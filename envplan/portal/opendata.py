"""Open data: each public table as CSV and JSON with its data dictionary (a Frictionless Table Schema), and
a DCAT catalogue in JSON-LD that CKAN (ckanext-dcat) and other portals can harvest.

Stable URLs: /public/data/<table>.csv, <table>.json, <table>.schema.json, and /public/data/catalog.jsonld.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from envplan.core.publication import Row, Section, Table, tables
from envplan.portal.caching import stamp

KNOWN_LICENCES = {
    "https://creativecommons.org/licenses/by/4.0/": "CC BY 4.0",
    "https://creativecommons.org/publicdomain/zero/1.0/": "CC0 1.0",
    "https://opendatacommons.org/licenses/odbl/1-0/": "ODbL 1.0",
}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
DCAT_CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
FORMATS = {"csv": ("text/csv", "CSV"), "json": ("application/json", "JSON")}


def licence() -> tuple[str, str]:
    """(URL, name) of the open data's licence (ENVPLAN_OPEN_DATA_LICENCE)."""
    url = getattr(settings, "ENVPLAN_OPEN_DATA_LICENCE", "") or "https://creativecommons.org/licenses/by/4.0/"
    return url, KNOWN_LICENCES.get(url, url)


def publisher() -> str:
    return getattr(settings, "ENVPLAN_OPEN_DATA_PUBLISHER", "") or _("District government")


def updated_at(table: Table) -> dt.datetime | None:
    """When the table's data last changed: the app's own answer, else the portal's last data change."""
    if table.updated is not None:
        value = table.updated()
        if value is not None:
            return value
    return stamp()[1]


def json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def csv_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, int | float):
        return str(value)
    text = str(value)
    # A spreadsheet would run text such as "=1+2" as a formula: such text is kept as text.
    return f"'{text}" if text.startswith(FORMULA_START) else text


def csv_bytes(table: Table, rows: Sequence[Row]) -> bytes:
    """UTF-8 with a byte-order mark (spreadsheets then read Chinese text right), a header of column names."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    names = [column.name for column in table.columns]
    writer.writerow(names)
    for row in rows:
        writer.writerow([csv_value(row.get(name)) for name in names])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def table_schema(table: Table) -> dict[str, Any]:
    """The data dictionary as a Frictionless Table Schema, in the request's language."""
    fields = []
    for column in table.columns:
        field: dict[str, Any] = {
            "name": column.name,
            "type": column.type,
            "title": str(column.label),
            "description": str(column.description),
        }
        if column.unit:
            field["unit"] = column.unit
        fields.append(field)
    return {"fields": fields, "primaryKey": [table.key], "missingValues": [""]}


def absolute(request: HttpRequest, path: str) -> str:
    return request.build_absolute_uri(path)


def data_urls(request: HttpRequest, table: Table) -> dict[str, str]:
    return {
        "csv": absolute(request, reverse("portal:data_csv", args=[table.name])),
        "json": absolute(request, reverse("portal:data_json", args=[table.name])),
        "schema": absolute(request, reverse("portal:data_schema", args=[table.name])),
    }


def json_document(
    request: HttpRequest, section: Section, table: Table, rows: Sequence[Row]
) -> dict[str, Any]:
    url, name = licence()
    updated = updated_at(table)
    return {
        "name": table.name,
        "title": str(table.title),
        "description": str(table.description),
        "section": section.key,
        "licence": {"name": name, "url": url},
        "publisher": publisher(),
        "updated": updated.isoformat() if updated else None,
        "schema": table_schema(table),
        "schema_url": data_urls(request, table)["schema"],
        "rows": [{column.name: json_value(row.get(column.name)) for column in table.columns} for row in rows],
    }


def catalogue(request: HttpRequest) -> dict[str, Any]:
    """The DCAT catalogue of every public table, each with its CSV and JSON distributions."""
    url, name = licence()
    organisation = {"@type": "foaf:Organization", "foaf:name": publisher()}
    language = get_language() or "en"
    datasets = []
    latest: dt.datetime | None = None
    for section, table in tables():
        urls = data_urls(request, table)
        updated = updated_at(table)
        if updated is not None and (latest is None or updated > latest):
            latest = updated
        dataset: dict[str, Any] = {
            "@id": absolute(request, reverse("portal:data_index")) + f"#{table.name}",
            "@type": "dcat:Dataset",
            "dct:identifier": table.name,
            "dct:title": str(table.title),
            "dct:description": str(table.description),
            "dct:publisher": organisation,
            "dct:license": {"@id": url},
            "dct:language": language,
            "dct:conformsTo": {"@id": urls["schema"]},
            "dcat:landingPage": {"@id": absolute(request, reverse("portal:section", args=[section.key]))},
            "dcat:keyword": [str(k) for k in table.keywords],
            "dcat:distribution": [
                {
                    "@id": urls[fmt],
                    "@type": "dcat:Distribution",
                    "dct:title": f"{table.title} ({label})",
                    "dcat:downloadURL": {"@id": urls[fmt]},
                    "dcat:accessURL": {"@id": urls[fmt]},
                    "dcat:mediaType": media,
                    "dct:format": label,
                    "dct:license": {"@id": url},
                    "dct:conformsTo": {"@id": urls["schema"]},
                }
                for fmt, (media, label) in FORMATS.items()
            ],
        }
        if updated is not None:
            dataset["dct:modified"] = {"@value": updated.isoformat(), "@type": "xsd:dateTime"}
        datasets.append(dataset)
    document: dict[str, Any] = {
        "@context": DCAT_CONTEXT,
        "@id": absolute(request, reverse("portal:catalogue")),
        "@type": "dcat:Catalog",
        "dct:title": _("Open data of the district's pollution-control action plan"),
        "dct:description": _(
            "Air and water quality, the action plan's progress and the other public tables of envplan, "
            "each as CSV and JSON with its data dictionary."
        ),
        "dct:publisher": organisation,
        "dct:license": {"@id": url, "dct:title": name},
        "dct:language": language,
        "foaf:homepage": {"@id": absolute(request, reverse("portal:home"))},
        "dcat:dataset": datasets,
    }
    if latest is not None:
        document["dct:modified"] = {"@value": latest.isoformat(), "@type": "xsd:dateTime"}
    return document
