"""HJ 212 data transmission protocol: a pure, sans-I/O codec plus the receiver and simulator built on it.

Editions: HJ 212-2017 (main), HJ/T 212-2005 (legacy factor codes mapped to 2017 codes by system), and
HJ 212-2025 (provisional: Flag version bits 2 and its new CNs, framing and CRC unchanged).

Modules: ``crc`` (Annex A CRC and variants), ``frame`` (framing, builders), ``framer`` (streaming framer),
``segment`` (header, Flag, CP, edition detection), ``reassembly`` (split packets), ``replies``
(9011/9012/9013/9014), ``codes`` (code tables), ``rows`` (keyed rows as a Polars frame), ``receiver``
(a package: the sans-I/O core, its asyncio adapter, the group-commit writer and the serving loop;
``fastpath``: the core's per-frame fast path over bytes), ``simulator`` (load generator), ``cli``
(commands).
"""

from envplan.hj212.codes import Edition, ExeRtn, QnRtn
from envplan.hj212.crc import CrcKind, crc_hj212
from envplan.hj212.errors import HJ212Error
from envplan.hj212.frame import Frame, decode_frame, decode_message, encode_frame, split_frame
from envplan.hj212.framer import StreamFramer
from envplan.hj212.reassembly import SplitReassembler
from envplan.hj212.segment import DataSegment, Flag, Header, detect_edition, parse_segment

__all__ = [
    "CrcKind",
    "DataSegment",
    "Edition",
    "ExeRtn",
    "Flag",
    "Frame",
    "HJ212Error",
    "Header",
    "QnRtn",
    "SplitReassembler",
    "StreamFramer",
    "crc_hj212",
    "decode_frame",
    "decode_message",
    "detect_edition",
    "encode_frame",
    "parse_segment",
    "split_frame",
]
