"""Changes to alerts, grades, reduction lists and neighbours' alerts. Each service runs in one transaction
with its audit entry; a refused change raises `EmergencyError` (a message and the field it concerns)
before anything is written.

Side effects: `fetch_cap_source` reads the network (a neighbour's feed) before its transaction.
"""

from envplan.emergency.services.alerts import (
    NoticeInput,
    Proposal,
    change_alert,
    forecast_of,
    issue_alert,
    lift_alert,
    parse_aqi_values,
    propose,
)
from envplan.emergency.services.errors import EmergencyError
from envplan.emergency.services.lists import (
    ListImport,
    adopt_list,
    create_list,
    downgrade,
    import_list,
    record_grade,
    revise_list,
)
from envplan.emergency.services.neighbours import (
    CapImport,
    fetch_cap_source,
    http_get,
    import_cap,
    save_cap_source,
    store_messages,
)

__all__ = [
    "CapImport",
    "EmergencyError",
    "ListImport",
    "NoticeInput",
    "Proposal",
    "adopt_list",
    "change_alert",
    "create_list",
    "downgrade",
    "fetch_cap_source",
    "forecast_of",
    "http_get",
    "import_cap",
    "import_list",
    "issue_alert",
    "lift_alert",
    "parse_aqi_values",
    "propose",
    "record_grade",
    "revise_list",
    "save_cap_source",
    "store_messages",
]
