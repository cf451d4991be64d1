"""Configuration defaults; secrets come from the environment or instance/config.py."""
import os


class Config:
    SQLALCHEMY_DATABASE_URI = None  # create_app() points it at instance/casebook.db
    # A pooled server connection is checked before use, so a database restart costs no request.
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = False
    REMEMBER_COOKIE_DURATION = 60 * 60 * 24 * 14
    WTF_CSRF_TIME_LIMIT = None
    WTF_CSRF_SSL_STRICT = False
    UPLOAD_MAX_MB = 25
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = False
    SIGNIN_LIMITS = "5 per minute;20 per hour"  # failed sign-ins per account tried
    SIGNIN_ADDRESS_LIMITS = "50 per minute;200 per hour"  # per client address (offices share one)
    MAIL_SERVER = "localhost"
    MAIL_PORT = 25
    MAIL_DEFAULT_SENDER = "casebook@localhost"
    SUPPORT_EMAIL = None  # shown to customers who sign in here; default: MAIL_DEFAULT_SENDER
    BASE_URL = "http://127.0.0.1:5000"
    CASES_PER_PAGE = 50
    DEFAULT_TIME_ZONE = "UTC"


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test-only-secret-key"
    SQLALCHEMY_DATABASE_URI = os.environ.get("CASEBOOK_TEST_DB_URI", "sqlite://")
    WTF_CSRF_ENABLED = False
    RATELIMIT_ENABLED = True
    MAIL_SUPPRESS_SEND = False
    MAIL_SENDER_THREAD = False  # tests drain the outbox explicitly
    SERVER_NAME = None
