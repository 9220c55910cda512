"""The text of an alert notice (预警发布 / 调整 / 解除), in the field order of real notices.

Real notices (records.md 1c, data/records/alert_notice_examples.csv) are short and share one shape:
the issuer; the reason (consultation, a higher-level regional warning); "于 M月D日H时 发布…X色预警,
启动 Ⅲ/Ⅱ/Ⅰ级 应急响应" with the response start when it differs from the issue time; the end time or
"解除时间另行通知"; then the weather, the trend and the measures (Taiyuan plan 3.3), and the date.
A notice is an official document in Chinese: it is written in Chinese whatever the reader's language.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

ZONE = ZoneInfo("Asia/Shanghai")
LEVEL_ZH = {"yellow": "黄色", "orange": "橙色", "red": "红色"}
RESPONSE_ZH = {"yellow": "Ⅲ", "orange": "Ⅱ", "red": "Ⅰ"}


@dataclass(frozen=True)
class NoticeFields:
    action: str  # issue | raise | lower | update | lift
    issuer: str
    region: str
    level: str
    previous_level: str
    sent_at: dt.datetime
    effective_at: dt.datetime
    planned_end: dt.datetime | None
    basis: str = ""
    episode: str = ""
    conditions: str = ""
    trend: str = ""
    measures: str = ""


def hour_zh(moment: dt.datetime) -> str:
    """``1月14日0时`` (minutes when not on the hour), in China Standard Time."""
    local = moment.astimezone(ZONE)
    minutes = f"{local.minute}分" if local.minute else ""
    return f"{local.month}月{local.day}日{local.hour}时{minutes}"


def _sentence(text: str) -> str:
    text = text.strip()
    if not text:
        return ""
    return text if text.endswith(("。", "！", ".", "；")) else f"{text}。"


def compose(fields: NoticeFields) -> str:
    level, previous = LEVEL_ZH.get(fields.level, fields.level), LEVEL_ZH.get(fields.previous_level, "")
    response = RESPONSE_ZH.get(fields.level, "")
    when, start = hour_zh(fields.sent_at), hour_zh(fields.effective_at)
    opening = f"{fields.issuer}：" + (
        f"{fields.basis.strip().rstrip('。，,')}，" if fields.basis.strip() else ""
    )
    if fields.episode.strip():
        opening += f"预计{fields.episode.strip()}{fields.region}将出现重污染天气过程，"
    if fields.action == "lift":
        body = f"决定于{start}解除重污染天气{level}预警，终止{response}级应急响应。"
    else:
        if fields.action == "issue":
            decision = f"决定于{when}发布重污染天气{level}预警"
        elif fields.action == "raise":
            decision = f"决定于{when}将重污染天气{previous}预警提升为{level}预警"
        elif fields.action == "lower":
            decision = f"决定于{when}将重污染天气{previous}预警调整为{level}预警"
        else:
            decision = f"决定于{when}更新重污染天气{level}预警"
        if fields.effective_at != fields.sent_at:
            decision += f"，{start}起启动{response}级应急响应"
        else:
            decision += f"，同时启动{response}级应急响应"
        end = f"至{hour_zh(fields.planned_end)}" if fields.planned_end else "解除时间另行通知"
        body = f"{decision}，{end}。"
    parts = [
        opening + body,
        _sentence(fields.conditions),
        _sentence(fields.trend),
        _sentence(fields.measures),
    ]
    date = fields.sent_at.astimezone(ZONE)
    signature = f"{fields.issuer}\n{date.year}年{date.month}月{date.day}日"
    return "".join(p for p in parts if p) + "\n" + signature
