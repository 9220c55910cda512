"""Read and check the ENVPLAN_* environment: the one place where configuration is interpreted.

Kept free of Django so that `envplan` can check its configuration before Django starts and
stop with one clear line instead of a traceback.
"""

from __future__ import annotations

import os
import secrets
import stat
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit


class ConfigError(Exception):
    """A configuration problem that must stop start-up; its message is one line for the operator."""


TRUE_WORDS = {"1", "true", "yes", "on"}
# `envplan serve`'s own default address.
DEFAULT_SITE_URL = "http://127.0.0.1:8000"


@dataclass(frozen=True)
class Config:
    data_dir: Path
    database_url: str | None
    lake_url: str
    debug: bool
    secret_key: str
    allowed_hosts: list[str]
    https: bool = False
    hsts_seconds: int = 0
    max_upload_mb: int = 20
    # Per kind of upload, in MB: the one place every limit is read from (envplan.core.uploads).
    upload_limits_mb: dict[str, int] = field(default_factory=dict)
    email_backend: str = "django.core.mail.backends.console.EmailBackend"
    max_request_mb: int = 50
    login_failure_limit: int = 10
    login_cooloff_minutes: int = 15
    open_data_licence: str = "https://creativecommons.org/licenses/by/4.0/"
    open_data_publisher: str = ""
    correction_days: int = 15
    # Operations (README, "Operations"): logs, metrics, alerts on silence.
    log_format: str = "text"
    log_level: str = "WARNING"
    metrics_token: str = ""
    metrics_multiprocess: bool = False
    silence_minutes: int = 60
    backlog_alert_mb: int = 256
    # Where people reach envplan from outside (e-mail links are absolute): ENVPLAN_SITE_URL.
    site_url: str = DEFAULT_SITE_URL


def env_flag(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return raw.strip().lower() in TRUE_WORDS


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    """A whole number from the environment; anything else stops start-up naming the variable."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {raw!r}") from None
    if value < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, not {value}")
    return value


# One year, the value the HSTS preload list asks for.
DEFAULT_HSTS_SECONDS = 365 * 24 * 3600


def data_dir_from_env() -> Path:
    return Path(os.environ.get("ENVPLAN_DATA_DIR", "./var")).expanduser().resolve()


def ensure_writable_dir(path: Path) -> None:
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / ".write-probe"
        probe.write_text("ok")
        probe.unlink()
    except OSError as error:
        reason = error.strerror or str(error)
        raise ConfigError(f"ENVPLAN_DATA_DIR {path} is not writable: {reason}") from None


def secret_key_for(data_dir: Path) -> str:
    """ENVPLAN_SECRET_KEY, else a key generated once and kept in the data folder (mode 600)."""
    from_env = os.environ.get("ENVPLAN_SECRET_KEY", "").strip()
    if from_env:
        return from_env
    key_file = data_dir / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    key = secrets.token_urlsafe(50)
    # Create with mode 600 from the start so the key is never readable by others, even briefly.
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, stat.S_IRUSR | stat.S_IWUSR)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


def load() -> Config:
    data_dir = data_dir_from_env()
    ensure_writable_dir(data_dir)
    database_url = os.environ.get("ENVPLAN_DATABASE_URL", "").strip() or None
    if database_url is not None:
        scheme = urlsplit(database_url).scheme
        if scheme not in {"sqlite", "postgres", "postgresql", "pgsql"}:
            raise ConfigError(
                f"ENVPLAN_DATABASE_URL has an unsupported scheme {scheme!r}: use sqlite:/// or postgres://"
            )
    lake_url = os.environ.get("ENVPLAN_LAKE_URL", "").strip() or str(data_dir / "lake")
    hosts = [h.strip() for h in os.environ.get("ENVPLAN_ALLOWED_HOSTS", "").split(",") if h.strip()]
    https = env_flag("ENVPLAN_HTTPS")
    return Config(
        data_dir=data_dir,
        database_url=database_url,
        lake_url=lake_url,
        debug=env_flag("ENVPLAN_DEBUG"),
        secret_key=secret_key_for(data_dir),
        allowed_hosts=hosts or ["127.0.0.1", "localhost", "[::1]"],
        https=https,
        hsts_seconds=env_int("ENVPLAN_HSTS_SECONDS", DEFAULT_HSTS_SECONDS) if https else 0,
        max_upload_mb=env_int("ENVPLAN_MAX_UPLOAD_MB", 20, minimum=1),
        upload_limits_mb={
            # Evidence and Excel batches follow ENVPLAN_MAX_UPLOAD_MB. A plan document is a few hundred
            # KB of text (5 MB leaves room for a Word file with images); a year of hourly air data for a
            # city's stations is tens of MB; a year of water samples a few MB.
            "plan": env_int("ENVPLAN_MAX_PLAN_UPLOAD_MB", 5, minimum=1),
            "air": env_int("ENVPLAN_MAX_AIR_UPLOAD_MB", 50, minimum=1),
            "water": env_int("ENVPLAN_MAX_WATER_UPLOAD_MB", 20, minimum=1),
        },
        email_backend=os.environ.get("ENVPLAN_EMAIL_BACKEND", "").strip()
        or "django.core.mail.backends.console.EmailBackend",
        max_request_mb=env_int("ENVPLAN_MAX_REQUEST_MB", 50, minimum=1),
        login_failure_limit=env_int("ENVPLAN_LOGIN_FAILURE_LIMIT", 10, minimum=1),
        login_cooloff_minutes=env_int("ENVPLAN_LOGIN_COOLOFF_MINUTES", 15, minimum=1),
        open_data_licence=licence_from_env(),
        open_data_publisher=os.environ.get("ENVPLAN_OPEN_DATA_PUBLISHER", "").strip(),
        correction_days=env_int("ENVPLAN_CORRECTION_DAYS", 15, minimum=1),
        log_format=choice_from_env("ENVPLAN_LOG_FORMAT", LOG_FORMATS, "text"),
        log_level=choice_from_env("ENVPLAN_LOG_LEVEL", LOG_LEVELS, "warning").upper(),
        metrics_token=os.environ.get("ENVPLAN_METRICS_TOKEN", "").strip(),
        # prometheus_client's own switch: the processes of gunicorn write their figures to this folder.
        metrics_multiprocess=bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR", "").strip()),
        silence_minutes=env_int("ENVPLAN_SILENCE_MINUTES", 60, minimum=1),
        backlog_alert_mb=env_int("ENVPLAN_BACKLOG_ALERT_MB", 256, minimum=1),
        site_url=site_url_from_env(),
    )


LOG_FORMATS = ("text", "json")
LOG_LEVELS = ("debug", "info", "warning", "error")


def choice_from_env(name: str, choices: tuple[str, ...], default: str) -> str:
    """One of `choices` (any case); anything else stops start-up naming the variable and the choices."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if raw.lower() not in choices:
        raise ConfigError(f"{name} must be one of {', '.join(choices)}, not {raw!r}")
    return raw.lower()


def site_url_from_env() -> str:
    """The address people open envplan at (scheme, host, optional port and path), without a final slash."""
    raw = os.environ.get("ENVPLAN_SITE_URL", "").strip()
    if not raw:
        return DEFAULT_SITE_URL
    parts = urlsplit(raw)
    if parts.scheme not in {"http", "https"} or not parts.netloc or parts.query or parts.fragment:
        raise ConfigError(
            f"ENVPLAN_SITE_URL must be the address people open envplan at, like https://envplan.example.org, "
            f"not {raw!r}"
        )
    return raw.rstrip("/")


def licence_from_env() -> str:
    """The open data's licence, as the URL of its text (the public portal and its catalogue state it)."""
    raw = os.environ.get("ENVPLAN_OPEN_DATA_LICENCE", "").strip()
    if not raw:
        return "https://creativecommons.org/licenses/by/4.0/"
    if urlsplit(raw).scheme not in {"http", "https"}:
        raise ConfigError(f"ENVPLAN_OPEN_DATA_LICENCE must be the URL of the licence text, not {raw!r}")
    return raw
