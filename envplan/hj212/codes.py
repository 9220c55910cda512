"""Code tables: editions, reply codes, data flags, command kinds and HJ/T 212-2005 factor codes."""

from __future__ import annotations

import enum


class Edition(enum.Enum):
    HJT212_2005 = "2005"
    HJ212_2017 = "2017"
    # HJ 212-2025 (in force 2026-01-01): provisional.  The standard text was not available; the wire details
    # (Flag version bits = 2, new CNs 1001/1002/1014/2013/2052/2062/2111/3022/3024/9015, framing and CRC
    # unchanged) come from one public implementation (caoyiliang/HJ212 Enum.cs, GB.cs).
    HJ212_2025 = "2025"


# HJ 212-2017 Table 3 (Flag = V5..V0 D A): version bits 000000 = 2005, 000001 = 2017; 2 = 2025 (provisional).
VERSION_BITS: dict[int, Edition] = {0: Edition.HJT212_2005, 1: Edition.HJ212_2017, 2: Edition.HJ212_2025}
EDITION_VERSION_BITS: dict[Edition, int] = {edition: bits for bits, edition in VERSION_BITS.items()}


class QnRtn(enum.IntEnum):
    """Request reply codes, HJ 212-2017 Table 7."""

    READY = 1
    REJECTED = 2
    PW_ERROR = 3
    MN_ERROR = 4
    ST_ERROR = 5
    FLAG_ERROR = 6
    QN_ERROR = 7
    CN_ERROR = 8
    CRC_ERROR = 9
    UNKNOWN_ERROR = 100


class ExeRtn(enum.IntEnum):
    """Execution result codes, HJ 212-2017 Table 6."""

    SUCCESS = 1
    FAILED = 2
    CONDITION_ERROR = 3
    TIMEOUT = 4
    BUSY = 5
    FAULT = 6
    NO_DATA = 100


# HJ 212-2017 Table 8 (real-time data flags).
DATA_FLAGS_2017: dict[str, str] = {
    "N": "normal",
    "F": "instrument stopped",
    "M": "maintenance",
    "S": "manually entered set value",
    "D": "instrument fault",
    "C": "calibration",
    "T": "above measuring upper limit",
    "B": "instrument to data-logger communication abnormal",
}
# HJ/T 212-2005 as used by 2005-era code (no 2005 text available): adds P, power failure.
DATA_FLAGS_2005: dict[str, str] = {**DATA_FLAGS_2017, "P": "power failure", "F": "source stopped"}
del DATA_FLAGS_2005["B"]


def data_flag_meaning(flag: str, edition: Edition | None = Edition.HJ212_2017) -> str | None:
    table = DATA_FLAGS_2005 if edition is Edition.HJT212_2005 else DATA_FLAGS_2017
    return table.get(flag)


# Uploads (F->C) that a 9014 data reply acknowledges, and the data kind each carries
# (HJ 212-2017 Table 9 and Annex C; DataTime semantics in Tables C.16-C.18).
# One name per data kind, the same in the rows, the lake, the commands and the pages (GLOSSARY).
DATA_KINDS: dict[str, str] = {
    "2011": "realtime",
    "2021": "state",
    "2031": "daily",
    "2041": "runtime",
    "2051": "minute",
    "2061": "hourly",
}
UPLOAD_CNS: frozenset[str] = frozenset(
    {*DATA_KINDS, "1011", "1061", "1063", "2081", "3015", "3017"}
    | {
        "3019",
        "3020",
    }
)
# Notifications answered with 9013 (HJ 212-2017 §6.5: notify commands take two steps).
NOTIFY_CNS: frozenset[str] = frozenset({"1013", "2012", "2022"})
REPLY_CNS: frozenset[str] = frozenset({"9011", "9012", "9013", "9014"})
# Commands that exist only in HJ/T 212-2005-era code (alarm commands removed in 2017, STD2017 foreword).
CNS_2005_ONLY: frozenset[str] = frozenset(
    {"1001", "1021", "1022", "1031", "1032", "1041", "1042", "2071", "2072"}
)
# Provisional HJ 212-2025 additions (caoyiliang/HJ212 Enum.cs).
CNS_2025_ONLY: frozenset[str] = frozenset(
    {"1002", "1014", "2013", "2052", "2062", "2111", "3022", "3024", "9015"}
)
# HJ 212-2017 Table 9 (the commands of the standard), with the HJ/T 212-2005 and provisional 2025 ones:
# any other CN is a vendor's.
CNS_2017: frozenset[str] = frozenset(
    {"1000", "1011", "1012", "1013", "1061", "1062", "1063", "1064", "1072"}
    | {"2011", "2012", "2021", "2022", "2031", "2041", "2051", "2061", "2081"}
    | {str(cn) for cn in range(3011, 3022)}
    | REPLY_CNS
)
STANDARD_CNS: frozenset[str] = CNS_2017 | CNS_2005_ONLY | CNS_2025_ONLY
# HJ 212-2017 Table 5 (after GB/T 16706-1996): the system codes; any other ST is a vendor's.
STANDARD_STS: frozenset[str] = frozenset(
    {"21", "22", "23", "24", "25", "26", "27"}
    | {"31", "32", "33", "34", "35", "36", "37", "38", "39", "41", "51", "52", "91"}
)

# HJ 212-2017 Tables B.1/B.2: HJ/T 212-2005 factor code -> 2017 code.  The 2005 codes are short strings
# whose meaning depends on the system, so the map is chosen by ST.
LEGACY_AIR_CODES: dict[str, str] = {
    "B02": "a00000",
    "S02": "a01011",
    "S03": "a01012",
    "S08": "a01013",
    "S05": "a01014",
    "S06": "a01015",
    "S07": "a01016",
    "S04": "a01017",
    "S01": "a19001",
    "01": "a34013",
    "02": "a21026",
    "03": "a21002",
    "04": "a21005",
    "05": "a21028",
    "06": "a21018",
    "07": "a21017",
    "08": "a21024",
}
LEGACY_WATER_CODES: dict[str, str] = {
    "B01": "w00000",
    "001": "w01001",
    "003": "w01012",
    "010": "w01017",
    "011": "w01018",
    "020": "w20111",
    "022": "w20115",
    "023": "w20116",
    "024": "w20117",
    "026": "w20119",
    "027": "w20120",
    "060": "w21003",
    "065": "w21001",
    "101": "w21011",
}
# HJ 212-2017 Table 5: water systems (21, 24, 32, 33, 52) and air systems (22, 27, 31, 51).
WATER_SYSTEMS: frozenset[str] = frozenset({"21", "24", "32", "33", "52"})
AIR_SYSTEMS: frozenset[str] = frozenset({"22", "27", "31", "51"})


def code_2017(factor: str, st: str | None) -> str:
    """The 2017 code of a factor code as sent; legacy 2005 codes are mapped by system, others kept."""
    if st in WATER_SYSTEMS:
        return LEGACY_WATER_CODES.get(factor, factor)
    if st in AIR_SYSTEMS:
        return LEGACY_AIR_CODES.get(factor, factor)
    return factor


def is_legacy_code(factor: str) -> bool:
    return factor in LEGACY_AIR_CODES or factor in LEGACY_WATER_CODES
