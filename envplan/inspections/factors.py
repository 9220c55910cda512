"""Confirmed screening cases as a frequency factor of random inspections (envplan.inspections.frequency).

The cases app sits on the monitoring floor, below this one, and may not import the registry: this app
reads its confirmed cases (envplan.cases.queries.confirmed_cases) and registers the factor itself, from
InspectionsConfig.ready().

The rule (../shared/reference/hj212-and-processes.md B.4): units with verified cases or complaints are
special supervision objects, inspected most often. A case counts for a year's draws when it was confirmed
in that year or the year before, by the end of the day the pool is made (a draw does not know later
judgements), as the units "penalised last year" do.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from zoneinfo import ZoneInfo

from django.utils.translation import gettext_lazy, ngettext

from envplan.cases.queries import confirmed_cases
from envplan.inspections.frequency import FrequencyRaise, register_factor

NAME = "cases.confirmed"
ZONE = ZoneInfo("Asia/Shanghai")


def case_raises(enterprise_ids: Sequence[int], year: int, on: dt.date) -> Mapping[int, FrequencyRaise]:
    since = dt.datetime(year - 1, 1, 1, tzinfo=ZONE)
    end_of_day = dt.datetime.combine(on + dt.timedelta(days=1), dt.time(), tzinfo=ZONE)
    until = min(dt.datetime(year + 1, 1, 1, tzinfo=ZONE), end_of_day)
    numbers: dict[int, list[int]] = defaultdict(list)
    cases = confirmed_cases(since=since).filter(enterprise_id__in=list(enterprise_ids), judged_at__lt=until)
    for case in sorted(cases, key=lambda c: c.pk):
        numbers[case.enterprise_id].append(case.pk)
    return {
        enterprise_id: FrequencyRaise(
            special=True,
            reason=ngettext(
                "%(count)d confirmed screening case (%(numbers)s)",
                "%(count)d confirmed screening cases (%(numbers)s)",
                len(pks),
            )
            % {"count": len(pks), "numbers": ", ".join(f"#{pk}" for pk in pks)},
        )
        for enterprise_id, pks in numbers.items()
    }


def register() -> None:
    register_factor(NAME, label=gettext_lazy("Confirmed screening cases"), factor=case_raises)
