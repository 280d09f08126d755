"""Configuration read from the environment.

Every setting has a default that works on a fresh machine (SQLite and the file mail transport
under ``instance/``); production overrides them through environment variables.
"""

import os
import secrets
import tempfile
from pathlib import Path


def _bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def secret_key(instance_path: Path) -> str:
    """SECRET_KEY from the environment, else one generated once and kept in ``instance/``.

    A generated key survives restarts, so sessions and emailed links stay valid; several app
    servers behind a load balancer must be given the same SECRET_KEY through the environment.
    Participants' links are derived from it (``core.links``): a new key changes every one.
    """
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    path = instance_path / "secret_key"
    if path.exists():
        return path.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    # O_EXCL: two processes starting at once must not overwrite each other's key.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key


def database_url(url: str | None, instance_path: Path) -> str:
    if not url:
        return f"sqlite:///{instance_path / 'eventapp.sqlite'}"
    # Accept the plain forms hosting providers hand out and use psycopg 3.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


class Config:
    """Production and demo settings; values come from the environment when set."""

    TESTING = False
    SQLALCHEMY_DATABASE_URI: str | None = None  # filled in create_app from DATABASE_URL
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    # A login session ends this long after login however busy (seconds), and after
    # SESSION_IDLE_MINUTES without a request; logout, "log out everywhere", a new password, and
    # a changed role, county or municipality or a deactivated account end it at once.
    PERMANENT_SESSION_LIFETIME = 8 * 3600
    SESSION_IDLE_MINUTES = 30
    # How many proxies (load balancers) stand in front of the app and add X-Forwarded-For and
    # X-Forwarded-Proto: 0 trusts neither header (a client could make them up), 1 believes
    # the last address the one proxy added, and so on. The login limits count per address.
    TRUSTED_PROXIES = 0
    MAX_CONTENT_LENGTH = 5 * 1024 * 1024
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session

    BABEL_DEFAULT_LOCALE = "nb"
    BABEL_DEFAULT_TIMEZONE = "Europe/Oslo"
    LANGUAGES = ("nb", "en")

    RATELIMIT_HEADERS_ENABLED = True
    # Every limit of a request is checked, so that "try again in ..." counts to the last one.
    RATELIMIT_FAIL_ON_FIRST_BREACH = False
    # Failed logins (and password changes) per client address, and per account tried; the
    # reset link may be asked for an address this often (mail is sent either way).
    LOGIN_RATE_LIMIT = "10 per minute;50 per hour"
    LOGIN_ACCOUNT_RATE_LIMIT = "10 per minute;50 per hour"
    RESET_RATE_LIMIT = "5 per hour"

    # Mail: transport "file" writes .eml files under instance/mail; "smtp" uses MAIL_SERVER.
    MAIL_TRANSPORT = "file"
    MAIL_SERVER = "localhost"
    MAIL_PORT = 25
    MAIL_USE_TLS = False
    MAIL_USE_SSL = False
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None  # noqa: S105 - read from the environment
    MAIL_DEFAULT_SENDER = "eventapp <noreply@eventapp.invalid>"
    MAIL_TIMEOUT = 20
    MAIL_FILE_DIR: str | None = None
    # A temporarily failing message is retried with growing waits (1 min, 2, 4 ... 6 h) until
    # the waits together reach OUTBOX_RETRY_HOURS: an outage of a day marks no mail failed.
    OUTBOX_RETRY_HOURS = 48
    OUTBOX_RETRY_BASE_SECONDS = 60
    # A sender holds the one message it is delivering for this long, and renews the hold while
    # the delivery lasts; a sender that dies lets go of it within this time.
    OUTBOX_CLAIM_SECONDS = 60

    # How long a request waits for a lock (a registration for its municipality's places, a
    # change for the gathering) before it answers "many are registering right now, try again"
    # (409, Retry-After) with nothing saved, instead of queueing without end. PostgreSQL only.
    LOCK_TIMEOUT_SECONDS = 3.0

    # Table plans made in the background (core.jobs, Dramatiq). With JOBS_BROKER_URL
    # (redis://...) the web process only queues, and `flask --app eventapp jobs work` runs the
    # jobs; without it the web process runs them in JOBS_THREADS threads of its own (the demo).
    # A gathering of at most JOBS_INLINE_MAX_SEATINGS people × rounds is planned at once in the
    # request, within JOBS_INLINE_SECONDS. A job silent for JOBS_STALE_SECONDS past its time
    # limit counts as dead (its worker was killed) and may be started over; the library ends
    # a job that runs past JOBS_TIME_LIMIT_SECONDS.
    JOBS_BROKER_URL: str | None = None
    JOBS_NAMESPACE = "eventapp"
    JOBS_THREADS = 2
    JOBS_INLINE_MAX_SEATINGS = 100
    JOBS_INLINE_SECONDS = 2
    JOBS_STALE_SECONDS = 60
    JOBS_TIME_LIMIT_SECONDS = 600

    # Where the accessibility statement and the privacy notice send questions and feedback;
    # without it they point people to the host of their gathering.
    CONTACT_EMAIL: str | None = None

    # Materials (slides, group-work notes): the largest file accepted, and where files live:
    # "local", a folder (MATERIALS_DIR, default instance/materials), or "s3", an S3-compatible
    # bucket; without keys boto3 finds credentials its usual way (environment, instance role).
    MATERIALS_MAX_BYTES = 25 * 1000 * 1000
    MATERIALS_STORAGE = "local"
    MATERIALS_DIR: str | None = None
    MATERIALS_S3_BUCKET: str | None = None
    MATERIALS_S3_ENDPOINT_URL: str | None = None
    MATERIALS_S3_REGION: str | None = None
    MATERIALS_S3_ACCESS_KEY_ID: str | None = None
    MATERIALS_S3_SECRET_ACCESS_KEY: str | None = None  # noqa: S105 - read from the environment

    # Where the static files' hashed and compressed copies are made at start (core/assets.py);
    # default instance/assets. A folder the app may write, kept between starts.
    ASSETS_DIR: str | None = None

    ACTIVATION_LINK_HOURS = 72
    RESET_LINK_HOURS = 2
    # Links in mail must point at the public address, not at the sender process.
    BASE_URL = "http://127.0.0.1:5000"

    @classmethod
    def from_env(cls) -> dict:
        env = {
            "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
            "MAIL_TRANSPORT": os.environ.get("MAIL_TRANSPORT", cls.MAIL_TRANSPORT),
            "MAIL_SERVER": os.environ.get("MAIL_SERVER", cls.MAIL_SERVER),
            "MAIL_PORT": _int("MAIL_PORT", cls.MAIL_PORT),
            "MAIL_USE_TLS": _bool("MAIL_USE_TLS", cls.MAIL_USE_TLS),
            "MAIL_USE_SSL": _bool("MAIL_USE_SSL", cls.MAIL_USE_SSL),
            "MAIL_USERNAME": os.environ.get("MAIL_USERNAME"),
            "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD"),
            "MAIL_DEFAULT_SENDER": os.environ.get("MAIL_DEFAULT_SENDER", cls.MAIL_DEFAULT_SENDER),
            "MAIL_FILE_DIR": os.environ.get("MAIL_FILE_DIR"),
            "BASE_URL": os.environ.get("BASE_URL", cls.BASE_URL).rstrip("/"),
            "SESSION_COOKIE_SECURE": _bool("SESSION_COOKIE_SECURE", False),
            "PERMANENT_SESSION_LIFETIME": _int("PERMANENT_SESSION_LIFETIME",
                                               cls.PERMANENT_SESSION_LIFETIME),
            "SESSION_IDLE_MINUTES": _int("SESSION_IDLE_MINUTES", cls.SESSION_IDLE_MINUTES),
            "TRUSTED_PROXIES": _int("TRUSTED_PROXIES", cls.TRUSTED_PROXIES),
            "LOGIN_RATE_LIMIT": os.environ.get("LOGIN_RATE_LIMIT", cls.LOGIN_RATE_LIMIT),
            "LOGIN_ACCOUNT_RATE_LIMIT": os.environ.get("LOGIN_ACCOUNT_RATE_LIMIT",
                                                       cls.LOGIN_ACCOUNT_RATE_LIMIT),
            "RESET_RATE_LIMIT": os.environ.get("RESET_RATE_LIMIT", cls.RESET_RATE_LIMIT),
            "MAIL_TIMEOUT": _int("MAIL_TIMEOUT", cls.MAIL_TIMEOUT),
            "OUTBOX_RETRY_HOURS": _int("OUTBOX_RETRY_HOURS", cls.OUTBOX_RETRY_HOURS),
            "OUTBOX_RETRY_BASE_SECONDS": _int("OUTBOX_RETRY_BASE_SECONDS",
                                              cls.OUTBOX_RETRY_BASE_SECONDS),
            "OUTBOX_CLAIM_SECONDS": _int("OUTBOX_CLAIM_SECONDS", cls.OUTBOX_CLAIM_SECONDS),
            "CONTACT_EMAIL": os.environ.get("CONTACT_EMAIL"),
            "MATERIALS_MAX_BYTES": _int("MATERIALS_MAX_BYTES", cls.MATERIALS_MAX_BYTES),
            "MATERIALS_STORAGE": os.environ.get("MATERIALS_STORAGE", cls.MATERIALS_STORAGE),
            "MATERIALS_DIR": os.environ.get("MATERIALS_DIR"),
            "ASSETS_DIR": os.environ.get("ASSETS_DIR"),
            **{name: os.environ.get(name) for name in (
                "MATERIALS_S3_BUCKET", "MATERIALS_S3_ENDPOINT_URL", "MATERIALS_S3_REGION",
                "MATERIALS_S3_ACCESS_KEY_ID", "MATERIALS_S3_SECRET_ACCESS_KEY")},
            "JOBS_BROKER_URL": os.environ.get("JOBS_BROKER_URL") or None,
            "JOBS_NAMESPACE": os.environ.get("JOBS_NAMESPACE", cls.JOBS_NAMESPACE),
            "JOBS_THREADS": _int("JOBS_THREADS", cls.JOBS_THREADS),
            "JOBS_INLINE_MAX_SEATINGS": _int("JOBS_INLINE_MAX_SEATINGS",
                                             cls.JOBS_INLINE_MAX_SEATINGS),
            "JOBS_INLINE_SECONDS": _int("JOBS_INLINE_SECONDS", cls.JOBS_INLINE_SECONDS),
            "JOBS_STALE_SECONDS": _int("JOBS_STALE_SECONDS", cls.JOBS_STALE_SECONDS),
            "LOCK_TIMEOUT_SECONDS": float(os.environ.get("LOCK_TIMEOUT_SECONDS")
                                          or cls.LOCK_TIMEOUT_SECONDS),
        }
        return env


class TestConfig(Config):
    TESTING = True
    WTF_CSRF_ENABLED = True  # tests send the token like a browser; a test checks its absence
    RATELIMIT_STORAGE_URI = "memory://"
    MAIL_TRANSPORT = "smtp"
    MAIL_SERVER = "127.0.0.1"
    OUTBOX_RETRY_BASE_SECONDS = 1
    SERVER_NAME = None
    BASE_URL = "http://localhost"
    PASSWORD_HASH_FAST = True  # argon2 with small cost: same code path, quicker suite
    POLICY_STRICT = True  # a route that answers without asking the policy fails the test
    # Files uploaded in tests (and by the demo run in tests) land in a folder of this run,
    # never in the instance folder; tests that look at the files set their own.
    MATERIALS_DIR = str(Path(tempfile.gettempdir()) / f"eventapp-test-materials-{os.getpid()}")

    @classmethod
    def from_env(cls) -> dict:
        return {"SQLALCHEMY_DATABASE_URI": os.environ.get("TEST_DATABASE_URL")}
