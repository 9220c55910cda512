"""OASIS Common Alerting Protocol 1.2: our alert messages out, neighbours' messages in.

Out: one ``<alert>`` per notice (issue → msgType Alert, raise/lower/update → Update, lift → Cancel, each
later message referencing the earlier ones), gathered in an Atom feed whose entries carry the CAP
message inline (``<content type="application/cap+xml">``) and link to it as its own document, the way
public alert hubs publish CAP. Element order follows the CAP 1.2 schema (tests validate against it).

In: a CAP document, or an Atom feed whose entries carry CAP messages inline or link to them. Nothing in
it is trusted: no DTD, no entities, no network, a size limit, and every problem is a `CapError` naming
the file and the element.

No Django here: callers pass dataclasses and get bytes, and the other way round.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

CAP_NS = "urn:oasis:names:tc:emergency:cap:1.2"
ATOM_NS = "http://www.w3.org/2005/Atom"
CAP_MIME = "application/cap+xml"
MAX_BYTES = 5 * 1024 * 1024

# CAP 1.2 §3.2.1: what a level asks of people, how bad it is, how sure. Alerts follow a forecast, so
# "Likely"; red asks to act at once. A lift is all clear: the event is past.
LEVEL_TERMS: dict[str, tuple[str, str, str]] = {  # level -> (urgency, severity, certainty)
    "yellow": ("Expected", "Moderate", "Likely"),
    "orange": ("Expected", "Severe", "Likely"),
    "red": ("Immediate", "Extreme", "Likely"),
}
LIFT_TERMS = ("Past", "Minor", "Observed")
SEVERITY_LEVEL = {"Moderate": "yellow", "Severe": "orange", "Extreme": "red"}
LEVEL_WORDS = {"red": ("红色", "red"), "orange": ("橙色", "orange"), "yellow": ("黄色", "yellow")}
LEVEL_PARAMETER = "warningLevel"
RESPONSE_PARAMETER = "responseLevel"
GEOCODE_NAME = "GB/T 2260"
# CAP 1.2 §3.3.2: identifiers and senders are without spaces, commas or the characters < and &.
_RESTRICTED = re.compile(r"[\s,<&]")


class CapError(ValueError):
    """A document that is not usable CAP; the message names the file and the element."""


@dataclass(frozen=True)
class CapInfo:
    event: str
    urgency: str
    severity: str
    certainty: str
    language: str = "zh-CN"
    category: str = "Env"
    response_type: str = ""
    effective: dt.datetime | None = None
    onset: dt.datetime | None = None
    expires: dt.datetime | None = None
    sender_name: str = ""
    headline: str = ""
    description: str = ""
    instruction: str = ""
    web: str = ""
    parameters: tuple[tuple[str, str], ...] = ()
    area_desc: str = ""
    geocodes: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class CapMessage:
    identifier: str
    sender: str
    sent: dt.datetime
    msg_type: str  # Alert | Update | Cancel
    status: str = "Actual"
    scope: str = "Public"
    references: tuple[str, ...] = ()  # "sender,identifier,sent" of earlier messages
    info: CapInfo | None = None

    @property
    def key(self) -> str:
        return f"{self.sender},{self.identifier}"

    def reference(self) -> str:
        return f"{self.sender},{self.identifier},{cap_time(self.sent)}"


@dataclass
class ParsedDocument:
    messages: list[CapMessage] = field(default_factory=list)
    links: list[str] = field(default_factory=list)  # Atom entries that link to their CAP message


def cap_time(moment: dt.datetime) -> str:
    """CAP 1.2 date-time: seconds and an explicit offset, never "Z" (§3.3.2)."""
    if moment.tzinfo is None:
        raise ValueError("CAP times carry their offset: pass an aware datetime")
    return moment.replace(microsecond=0).isoformat(timespec="seconds")


def check_token(value: str, what: str) -> str:
    if not value or _RESTRICTED.search(value):
        raise CapError(f"{what} {value!r}: CAP forbids spaces, commas, < and & here")
    return value


# --- out ---------------------------------------------------------------------------------------------


def _sub(parent: Any, name: str, text: str | None) -> Any:
    element = etree.SubElement(parent, f"{{{CAP_NS}}}{name}")
    if text is not None:
        element.text = text
    return element


def _pairs(parent: Any, name: str, pairs: Iterable[tuple[str, str]]) -> None:
    for value_name, value in pairs:
        pair = _sub(parent, name, None)
        _sub(pair, "valueName", value_name)
        _sub(pair, "value", value)


def alert_element(message: CapMessage) -> Any:
    """The ``<alert>`` element of a message, children in the order of the CAP 1.2 schema."""
    root = etree.Element(f"{{{CAP_NS}}}alert", nsmap={None: CAP_NS})
    _sub(root, "identifier", check_token(message.identifier, "identifier"))
    _sub(root, "sender", check_token(message.sender, "sender"))
    _sub(root, "sent", cap_time(message.sent))
    _sub(root, "status", message.status)
    _sub(root, "msgType", message.msg_type)
    _sub(root, "scope", message.scope)
    if message.references:
        _sub(root, "references", " ".join(message.references))
    info = message.info
    if info is None:
        return root
    node = _sub(root, "info", None)
    _sub(node, "language", info.language)
    _sub(node, "category", info.category)
    _sub(node, "event", info.event)
    if info.response_type:
        _sub(node, "responseType", info.response_type)
    _sub(node, "urgency", info.urgency)
    _sub(node, "severity", info.severity)
    _sub(node, "certainty", info.certainty)
    for name, moment in (("effective", info.effective), ("onset", info.onset), ("expires", info.expires)):
        if moment is not None:
            _sub(node, name, cap_time(moment))
    for name, text in (
        ("senderName", info.sender_name),
        ("headline", info.headline),
        ("description", info.description),
        ("instruction", info.instruction),
        ("web", info.web),
    ):
        if text:
            _sub(node, name, text)
    _pairs(node, "parameter", info.parameters)
    if info.area_desc:
        area = _sub(node, "area", None)
        _sub(area, "areaDesc", info.area_desc)
        _pairs(area, "geocode", info.geocodes)
    return root


def alert_xml(message: CapMessage) -> bytes:
    return bytes(
        etree.tostring(alert_element(message), xml_declaration=True, encoding="UTF-8", pretty_print=True)
    )


@dataclass(frozen=True)
class FeedEntry:
    message: CapMessage
    url: str  # where the message is published as its own document


def atom_feed(
    entries: Sequence[FeedEntry], *, title: str, feed_url: str, author: str, updated: dt.datetime
) -> bytes:
    """An Atom feed (RFC 4287) of CAP messages, newest first, each inline and linked."""
    atom = f"{{{ATOM_NS}}}"
    feed = etree.Element(f"{atom}feed", nsmap={None: ATOM_NS})
    etree.SubElement(feed, f"{atom}id").text = feed_url
    etree.SubElement(feed, f"{atom}title").text = title
    etree.SubElement(feed, f"{atom}updated").text = cap_time(updated)
    etree.SubElement(etree.SubElement(feed, f"{atom}author"), f"{atom}name").text = author
    etree.SubElement(feed, f"{atom}link", rel="self", href=feed_url, type="application/atom+xml")
    for item in entries:
        message = item.message
        entry = etree.SubElement(feed, f"{atom}entry")
        etree.SubElement(entry, f"{atom}id").text = item.url
        headline = message.info.headline if message.info and message.info.headline else message.identifier
        etree.SubElement(entry, f"{atom}title").text = headline
        etree.SubElement(entry, f"{atom}updated").text = cap_time(message.sent)
        etree.SubElement(entry, f"{atom}link", rel="alternate", href=item.url, type=CAP_MIME)
        content = etree.SubElement(entry, f"{atom}content", type=CAP_MIME)
        content.append(alert_element(message))
    return bytes(etree.tostring(feed, xml_declaration=True, encoding="UTF-8", pretty_print=True))


# --- in ----------------------------------------------------------------------------------------------


def _parser() -> Any:
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_comments=True
    )


def parse_document(data: bytes, *, name: str) -> ParsedDocument:
    """The CAP messages of a CAP document or of an Atom feed of them (inline, or links to fetch)."""
    if len(data) > MAX_BYTES:
        raise CapError(
            f"{name}: {len(data):,} bytes, more than the {MAX_BYTES // 2**20} MB a CAP feed may be"
        )
    if not data.strip():
        raise CapError(f"{name}: empty file")
    try:
        tree = etree.fromstring(data, parser=_parser()).getroottree()
    except etree.XMLSyntaxError as error:
        raise CapError(f"{name}: not well-formed XML: {error}") from None
    if tree.docinfo.doctype:
        raise CapError(f"{name}: a document type declaration is not accepted in a CAP feed")
    root = tree.getroot()
    if root.tag == f"{{{CAP_NS}}}alert":
        return ParsedDocument([parse_alert(root, where=name)])
    if root.tag == f"{{{ATOM_NS}}}feed":
        return _parse_feed(root, name=name)
    raise CapError(f"{name}: the root element {root.tag} is neither a CAP 1.2 <alert> nor an Atom <feed>")


def _parse_feed(feed: Any, *, name: str) -> ParsedDocument:
    parsed = ParsedDocument()
    for index, entry in enumerate(feed.iterfind(f"{{{ATOM_NS}}}entry"), start=1):
        where = f"{name}: entry {index}"
        inline = entry.find(f"{{{ATOM_NS}}}content/{{{CAP_NS}}}alert")
        if inline is not None:
            parsed.messages.append(parse_alert(inline, where=where))
            continue
        links = [
            link.get("href")
            for link in entry.iterfind(f"{{{ATOM_NS}}}link")
            if link.get("href") and (link.get("type") in (None, CAP_MIME, "application/xml", "text/xml"))
        ]
        if not links:
            raise CapError(f"{where}: neither a CAP message inline nor a link to one")
        parsed.links.append(str(links[0]))
    return parsed


def _text(parent: Any, name: str) -> str:
    found = parent.find(f"{{{CAP_NS}}}{name}")
    return (found.text or "").strip() if found is not None else ""


def _required(parent: Any, name: str, where: str) -> str:
    value = _text(parent, name)
    if not value:
        raise CapError(f"{where}: <{name}> is missing or empty")
    return value


def _time(text: str, element: str, where: str) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise CapError(f"{where}: <{element}> {text!r} is not a CAP date-time") from None
    if moment.tzinfo is None:
        raise CapError(f"{where}: <{element}> {text!r} has no offset from UTC")
    return moment


def _optional_time(parent: Any, name: str, where: str) -> dt.datetime | None:
    text = _text(parent, name)
    return _time(text, name, where) if text else None


def _pair_list(parent: Any, name: str) -> tuple[tuple[str, str], ...]:
    return tuple(
        (_text(pair, "valueName"), _text(pair, "value")) for pair in parent.iterfind(f"{{{CAP_NS}}}{name}")
    )


def parse_alert(alert: Any, *, where: str) -> CapMessage:
    identifier = _required(alert, "identifier", where)
    where = f"{where} ({identifier})"
    msg_type = _required(alert, "msgType", where)
    if msg_type not in ("Alert", "Update", "Cancel", "Ack", "Error"):
        raise CapError(f"{where}: <msgType> {msg_type!r} is not a CAP message type")
    info_node = alert.find(f"{{{CAP_NS}}}info")
    info = None
    if info_node is not None:
        area = info_node.find(f"{{{CAP_NS}}}area")
        info = CapInfo(
            event=_required(info_node, "event", where),
            urgency=_text(info_node, "urgency"),
            severity=_text(info_node, "severity"),
            certainty=_text(info_node, "certainty"),
            language=_text(info_node, "language") or "en-US",
            category=_text(info_node, "category"),
            response_type=_text(info_node, "responseType"),
            effective=_optional_time(info_node, "effective", where),
            onset=_optional_time(info_node, "onset", where),
            expires=_optional_time(info_node, "expires", where),
            sender_name=_text(info_node, "senderName"),
            headline=_text(info_node, "headline"),
            description=_text(info_node, "description"),
            instruction=_text(info_node, "instruction"),
            web=_text(info_node, "web"),
            parameters=_pair_list(info_node, "parameter"),
            area_desc=" / ".join(
                _text(a, "areaDesc") for a in info_node.iterfind(f"{{{CAP_NS}}}area") if _text(a, "areaDesc")
            ),
            geocodes=_pair_list(area, "geocode") if area is not None else (),
        )
    return CapMessage(
        identifier=identifier,
        sender=_required(alert, "sender", where),
        sent=_time(_required(alert, "sent", where), "sent", where),
        msg_type=msg_type,
        status=_required(alert, "status", where),
        scope=_text(alert, "scope"),
        references=tuple(_text(alert, "references").split()),
        info=info,
    )


def level_of(message: CapMessage) -> str:
    """yellow / orange / red from the level parameter, else the words of the event and headline, else the
    severity; "" when nothing says."""
    info = message.info
    if info is None:
        return ""
    for value_name, value in info.parameters:
        if value_name in (LEVEL_PARAMETER, "预警级别", "level"):
            found = _level_in(value)
            if found:
                return found
    found = _level_in(f"{info.event} {info.headline}")
    return found or SEVERITY_LEVEL.get(info.severity, "")


def _level_in(text: str) -> str:
    lowered = text.lower()
    for level, words in LEVEL_WORDS.items():
        if any(word in lowered for word in words):
            return level
    return ""


def reference_key(reference: str) -> str:
    """ "sender,identifier,sent" → "sender,identifier" (the key of the referenced message)."""
    parts = reference.split(",")
    return ",".join(parts[:2]) if len(parts) >= 2 else reference
