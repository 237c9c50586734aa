"""Groundswell settings: one module, read from the environment.

Local defaults need nothing set up (SQLite and the Celery broker in var/, email written to
var/mail/). `DJANGO_ENV=production` turns on the production profile, which refuses to start
without SECRET_KEY and ALLOWED_HOSTS. The variables are listed in README.md.
"""

from pathlib import Path

import environ
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()

# Local state (SQLite database, queued Celery messages, mail written to files) lives here.
VAR_DIR = Path(env.str("GROUNDSWELL_VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DJANGO_ENV = env.str("DJANGO_ENV", default="local")
if DJANGO_ENV not in ("local", "production"):
    raise environ.ImproperlyConfigured(
        f"DJANGO_ENV must be 'local' or 'production', not {DJANGO_ENV!r}"
    )
PRODUCTION = DJANGO_ENV == "production"

if PRODUCTION:
    # No defaults: a production site must be told its secret and its host names.
    SECRET_KEY = env.str("SECRET_KEY")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
    DEBUG = False
else:
    SECRET_KEY = env.str("SECRET_KEY", default="local-only-insecure-key-do-not-use-in-production")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
    DEBUG = env.bool("DEBUG", default=True)

# Where the site is, for links in emails sent without a request (Celery tasks).
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
# What emails call the site ("Hello from Groundswell!"), rather than the host they came to.
SITE_NAME = env.str("SITE_NAME", default="Groundswell")
# Where people write about their data (named on the privacy notice, /privacy/).
PRIVACY_CONTACT_EMAIL = env.str("PRIVACY_CONTACT_EMAIL", default="privacy@localhost")

CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# How many reverse proxies stand in front of the site. Client IPs for rate limits are read
# from X-Forwarded-For only this many hops deep (allauth and DRF both), never further, so a
# client cannot forge its way round a limit.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.headless",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "core",
    "volunteers",
    "campaigns.targets",
    "campaigns.pressure",
    "campaigns.petitions",
    "campaigns.letters",
    "campaigns.storms",
    "campaigns.events",
    "campaigns.briefs",
    "organiser",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Answers an anonymous app's storm hand-out before the rest (campaigns/storms/middleware.py).
    "campaigns.storms.middleware.StormHandOutMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Database: PostgreSQL from DATABASE_URL, otherwise SQLite in var/ in WAL mode, with
# immediate transactions so that concurrent writers (web, worker, beat) queue instead of
# failing with "database is locked".
if env.str("DATABASE_URL", default=""):
    DATABASES = {"default": env.db_url("DATABASE_URL")}
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Server-side binding, so psycopg prepares a statement the fifth time a connection runs
    # it and PostgreSQL stops parsing and planning it again: about a third less database
    # CPU per petition signature. Turn off behind a pooler in transaction mode (PgBouncer),
    # which cannot keep prepared statements.
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env.bool(
        "DATABASE_PREPARED_STATEMENTS", default=True
    ):
        DATABASES["default"].setdefault("OPTIONS", {}).update(
            server_side_binding=True, prepare_threshold=5
        )
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "groundswell.sqlite3",
            "OPTIONS": {
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")

# The cache holds rate-limit counters, so it must be shared by every process: Redis when
# there is one (django-redis: one client per connection pool, and the connection that
# core/ratelimit.py runs its counting script on). The local default serves one runserver
# process, where memory is enough.
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": env.str("CACHE_URL", default=REDIS_URL),
            "KEY_PREFIX": "groundswell",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_USER_MODEL = "volunteers.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "volunteers:me"

# django-allauth: email is the login; verification is mandatory, which is what lets the
# sign-up and password-reset forms answer the same whether or not an address is known.
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
# The volunteer's profile (name, postcode, phone, skills, availability, consents), asked for
# with the email and password, on the web and in the app API.
ACCOUNT_SIGNUP_FORM_CLASS = "volunteers.forms.SignupForm"
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
# Unset, so that volunteers.adapters prefixes account email subjects with "[SITE_NAME] ".
ACCOUNT_EMAIL_SUBJECT_PREFIX = None
ACCOUNT_ADAPTER = "volunteers.adapters.AccountAdapter"
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
}
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT
HEADLESS_ONLY = False
HEADLESS_CLIENTS = ("app", "browser")
HEADLESS_SERVE_SPECIFICATION = True

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Volunteers' uploads (creative briefs): never served by the web server or a public
    # bucket; the site hands out approved images itself. UPLOADS_STORAGE_BACKEND (with
    # UPLOADS_STORAGE_OPTIONS as JSON) selects another backend, such as a django-storages
    # one (install the package and its backend's library).
    "uploads": {
        "BACKEND": env.str(
            "UPLOADS_STORAGE_BACKEND", default="django.core.files.storage.FileSystemStorage"
        ),
        "OPTIONS": env.json(
            "UPLOADS_STORAGE_OPTIONS", default={"location": str(VAR_DIR / "uploads")}
        ),
    },
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# Email: written to files under var/mail/ by default; EMAIL_URL (smtp://, smtp+tls://,
# smtp+ssl://) sends through a real server.
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Groundswell <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
if env.str("EMAIL_URL", default=""):
    globals().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = VAR_DIR / "mail"

# Celery: Redis when REDIS_URL is set, otherwise kombu's filesystem transport under var/,
# which really queues (web, worker and beat are separate processes) with no server.
# Tasks are acknowledged after they finish and requeued if the worker dies, so a task is
# never lost; each task is written to be safe to run twice.
CELERY_BROKER_DIR = VAR_DIR / "celery"
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
else:
    CELERY_BROKER_URL = "filesystem://"
    for _folder in ("queue", "control"):
        (CELERY_BROKER_DIR / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_DIR / "queue"),
        "data_folder_out": str(CELERY_BROKER_DIR / "queue"),
        "control_folder": str(CELERY_BROKER_DIR / "control"),
        "store_processed": False,
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = False
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Celery's Django fix-up closes every database connection before and after each task unless
# told to reuse them: then each task (a confirmation email, a mass send) opens a new
# PostgreSQL backend. Reuse them instead; config/celery.py closes, around each task, only
# those CONN_MAX_AGE or a failed health check says to close, as Django does per request.
CELERY_DB_REUSE_MAX = 1_000_000
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Transactional email of each app goes through a queue of its own, so a mass mailing can
# never hold up a confirmation link (workers consume them all: see Procfile). Counting
# stays on the default queue, so a flood of confirmation emails cannot delay the totals.
CELERY_TASK_ROUTES = {
    "campaigns.petitions.tasks.petition_counts_apply": {"queue": "celery"},
    "campaigns.petitions.tasks.petition_counts_check": {"queue": "celery"},
    "campaigns.petitions.tasks.signatures_pressure_catch_up": {"queue": "celery"},
    "campaigns.petitions.tasks.*": {"queue": "petitions"},
    "campaigns.letters.tasks.*": {"queue": "letters"},
    "campaigns.storms.tasks.*": {"queue": "storms"},
    "campaigns.events.tasks.offers_expire": {"queue": "celery"},
    "campaigns.events.tasks.*": {"queue": "events"},
    "campaigns.briefs.tasks.*": {"queue": "briefs"},
    # Mass email (scheduled messages) has a queue and workers of its own (Procfile "mass"),
    # so a 50,000-recipient send never delays a confirmation email or a letter.
    "organiser.tasks.outbox_send": {"queue": "mass"},
    "organiser.tasks.*": {"queue": "celery"},
}
PETITION_PRESSURE_INTERVAL = env.float("PETITION_PRESSURE_INTERVAL", default=60.0)
# How often beat runs scheduled actions, fans out messages due and sweeps (seconds).
ORGANISER_TICK = env.float("ORGANISER_TICK", default=30.0)
CELERY_BEAT_SCHEDULE = {
    "petition-counts": {
        "task": "campaigns.petitions.tasks.petition_counts_apply",
        "schedule": env.float("PETITION_COUNT_INTERVAL", default=2.0),
        "options": {"expires": 10},
    },
    # Signatures that counted at once (no confirmation) become pressure on their MP.
    "petition-pressure": {
        "task": "campaigns.petitions.tasks.signatures_pressure_catch_up",
        "schedule": PETITION_PRESSURE_INTERVAL,
        "options": {"expires": PETITION_PRESSURE_INTERVAL},
    },
    # Checks the published counts against the signatures and repairs any difference.
    "petition-counts-check": {
        "task": "campaigns.petitions.tasks.petition_counts_check",
        "schedule": env.float("PETITION_COUNT_CHECK_INTERVAL", default=15 * 60.0),
        "options": {"expires": 5 * 60},
    },
    # Letters: expire unconfirmed ones and remind the unconfirmed once; ask "Did your MP
    # reply?"; remove text and addresses past LETTER_RETENTION_DAYS.
    "letters-confirmations": {
        "task": "campaigns.letters.tasks.letters_confirmations_tend",
        "schedule": 10 * 60.0,
        "options": {"expires": 5 * 60},
    },
    "letters-follow-ups": {
        "task": "campaigns.letters.tasks.letters_follow_up",
        "schedule": 30 * 60.0,
        "options": {"expires": 15 * 60},
    },
    # Events: offers of freed places past their expiry go to the next in line.
    "events-offers": {
        "task": "campaigns.events.tasks.offers_expire",
        "schedule": 5 * 60.0,
        "options": {"expires": 4 * 60},
    },
    # Scheduled messages: fan out those due, and re-enqueue sends nobody is working on
    # (their tasks were lost with the broker, or their worker died).
    "organiser-outbox": {
        "task": "organiser.tasks.outbox_tend",
        "schedule": ORGANISER_TICK,
        "options": {"expires": 60},
    },
    # Default reminders for storms and events that lack them (organisers edit or cancel).
    "organiser-reminders": {
        "task": "organiser.tasks.reminders_create",
        "schedule": 10 * 60.0,
        "options": {"expires": 5 * 60},
    },
    "letters-scrub": {
        "task": "campaigns.letters.tasks.letters_scrub",
        "schedule": 60 * 60.0,
        "options": {"expires": 30 * 60},
    },
    # The organisers' dashboard figures, recomputed into the cache (organiser/dashboard.py).
    "organiser-dashboard": {
        "task": "organiser.tasks.dashboard_refresh",
        "schedule": 5 * 60.0,
        "options": {"expires": 4 * 60},
    },
    # Retention (UNCONFIRMED_RETENTION_DAYS, SIGNER_RETENTION_MONTHS): daily at 03:30.
    "petitions-retention": {
        "task": "campaigns.petitions.tasks.petitions_retention",
        "schedule": crontab(hour=3, minute=30),
        "options": {"expires": 6 * 60 * 60},
    },
    "letters-retention": {
        "task": "campaigns.letters.tasks.letters_retention",
        "schedule": crontab(hour=3, minute=35),
        "options": {"expires": 6 * 60 * 60},
    },
    "storms-retention": {
        "task": "campaigns.storms.tasks.storms_retention",
        "schedule": crontab(hour=3, minute=40),
        "options": {"expires": 6 * 60 * 60},
    },
    # The API's kept answers to Idempotency-Key requests past IDEMPOTENCY_KEY_HOURS.
    "idempotency-keys-purge": {
        "task": "core.tasks.idempotency_keys_purge",
        "schedule": 60 * 60.0,
        "options": {"expires": 30 * 60},
    },
    # Removals older than SYNC_TOMBSTONE_DAYS, which no app may ask about any more.
    "tombstones-purge": {
        "task": "core.tasks.tombstones_purge",
        "schedule": crontab(hour=3, minute=45),
        "options": {"expires": 6 * 60 * 60},
    },
}

# How long the API keeps the first answer to a request sent with an Idempotency-Key
# (core/idempotency.py): a client's retries within this time get that answer again.
IDEMPOTENCY_KEY_HOURS = env.int("IDEMPOTENCY_KEY_HOURS", default=24)
# How far back an app may sync a list with updated_since (core/sync.py): removals are
# remembered this long; an app that last synced before must fetch the whole list again.
SYNC_TOMBSTONE_DAYS = env.int("SYNC_TOMBSTONE_DAYS", default=90)
# The X-Synced-At an app gets back is this much before the answer, so a change whose
# transaction was still open then is not missed by the next sync (rows may repeat).
SYNC_OVERLAP_SECONDS = env.int("SYNC_OVERLAP_SECONDS", default=60)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "core.authentication.SessionTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # Every endpoint is private unless its view says otherwise.
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "core.api.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_THROTTLE_CLASSES": ["core.throttling.RequestRateThrottle"],
    # Every request counts against "anon" (per client address) or "user" (per account);
    # a write to a view with a `throttle_scope` also counts against that scope's rate, for
    # the same caller. Sign-up and log-in go through allauth: ACCOUNT_RATE_LIMITS above.
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("API_ANON_RATE", default="120/min"),
        "user": env.str("API_USER_RATE", default="600/min"),
        "signing": env.str("API_SIGNING_RATE", default="20/min"),
        "letters": env.str("API_LETTERS_RATE", default="5/min"),
        "pledges": env.str("API_PLEDGES_RATE", default="20/min"),
        "rsvps": env.str("API_RSVPS_RATE", default="20/min"),
        "actions": env.str("API_ACTIONS_RATE", default="30/min"),
    },
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "EXCEPTION_HANDLER": "core.api.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "core.schema.AutoSchema",  # documents the error answers too
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Groundswell API",
    "DESCRIPTION": (
        "Campaigns, targets and actions for mobile clients. Authenticate with the "
        "session token from django-allauth's headless API (/_allauth/app/v1/) in the "
        "X-Session-Token header; the accounts API (sign up, verify, log in) is documented "
        "at /_allauth/openapi.html, on this site like this page. Create requests take an "
        "Idempotency-Key header; the lists an app keeps take updated_since; campaigns "
        "answer 304 to If-None-Match (docs/api.md in the repository says more)."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# MPs' photos are shown from where the Members API says they are (Representative.photo_url)
# only if they come from one of these origins, which the CSP below allows images from; the
# <img> sends no referrer. Empty: no photos.
MP_PHOTO_ORIGINS = env.list("MP_PHOTO_ORIGINS", default=["https://members-api.parliament.uk"])

# Content-Security-Policy: everything from this site only (but MPs' photos); no CDNs,
# fonts or inline script.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:", *MP_PHOTO_ORIGINS],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Outside services: the UK Parliament Members API (importer) and postcodes.io (look-ups).
PARLIAMENT_API_URL = env.str("PARLIAMENT_API_URL", default="https://members-api.parliament.uk/api")
POSTCODES_IO_URL = env.str("POSTCODES_IO_URL", default="https://api.postcodes.io")
OUTSIDE_SERVICE_TIMEOUT = env.float("OUTSIDE_SERVICE_TIMEOUT", default=5.0)


def _limit(name: str, default: str) -> tuple[int, int]:
    """A rate limit from the environment as "count/seconds", e.g. "10/60"."""
    count, _, seconds = env.str(name, default=default).partition("/")
    return int(count), int(seconds)


# Petitions: limits past which a signature is kept as suspect and never counted, and the
# cap on confirmation emails to one address (count per seconds).
PETITION_RATE_LIMITS = {
    "ip_burst": _limit("PETITION_IP_BURST", "10/60"),
    "ip_sustained": _limit("PETITION_IP_SUSTAINED", "100/3600"),
    "domain_burst": _limit("PETITION_DOMAIN_BURST", "50/60"),
    "domain_sustained": _limit("PETITION_DOMAIN_SUSTAINED", "1000/3600"),
}
PETITION_DOMAIN_LIMIT_EXEMPT = set(
    env.list(
        "PETITION_DOMAIN_LIMIT_EXEMPT",
        default=[
            "gmail.com", "googlemail.com", "hotmail.com", "hotmail.co.uk", "outlook.com",
            "live.com", "live.co.uk", "yahoo.com", "yahoo.co.uk", "icloud.com", "me.com",
            "aol.com", "btinternet.com", "sky.com", "virginmedia.com", "protonmail.com",
        ],
    )
)  # fmt: skip
PETITION_CONFIRMATION_EMAILS = _limit("PETITION_CONFIRMATION_EMAILS", "3/86400")
PETITION_CONFIRMATION_MAX_AGE = 60 * 60 * 24 * 30  # a confirmation link works for 30 days

# Letters to MPs: the one fixed sender address (the writer's name is its display name),
# the domain of each letter's own bounce address (bounces+<id>-<code>@...; default the
# sender's), the similarity (0-1) at or above which a letter is held for review as a
# near-copy, the cap on confirmation emails to one address, and how long a link works.
LETTER_FROM_EMAIL = env.str("LETTER_FROM_EMAIL", default="letters@localhost")
LETTER_BOUNCE_DOMAIN = env.str("LETTER_BOUNCE_DOMAIN", default="")
LETTER_SIMILARITY_HOLD = env.float("LETTER_SIMILARITY_HOLD", default=0.6)
LETTER_CONFIRMATION_EMAILS = _limit("LETTER_CONFIRMATION_EMAILS", "3/86400")
LETTER_CONFIRMATION_MAX_AGE = 60 * 60 * 24 * 7  # unconfirmed letters expire after 7 days
# Limits on writing letters (count/seconds) per IP and per email domain: a letter past
# one is held for an organiser's review, not refused (a street stall or an office shares
# one address; nothing reaches an MP unreviewed). Large webmail domains are exempt.
LETTER_RATE_LIMITS = {
    "ip_burst": _limit("LETTER_IP_BURST", "5/600"),
    "ip_sustained": _limit("LETTER_IP_SUSTAINED", "30/86400"),
    "domain_burst": _limit("LETTER_DOMAIN_BURST", "20/600"),
    "domain_sustained": _limit("LETTER_DOMAIN_SUSTAINED", "200/86400"),
}
LETTER_DOMAIN_LIMIT_EXEMPT = set(
    env.list("LETTER_DOMAIN_LIMIT_EXEMPT", default=sorted(PETITION_DOMAIN_LIMIT_EXEMPT))
)
# At most this many letters to one MP a day (all letter campaigns together); past it a
# letter is refused and the writer asked to come back tomorrow.
LETTER_DAILY_CAP_PER_MP = env.int("LETTER_DAILY_CAP_PER_MP", default=100)
# Housekeeping (Celery beat): one reminder to confirm after LETTER_REMINDER_AFTER seconds,
# the "Did your MP reply?" email LETTER_FOLLOW_UP_DAYS after sending, a reply rate shown
# from LETTER_REPLY_RATE_MIN_ANSWERS answers, and the text and postal address of a letter
# removed LETTER_RETENTION_DAYS after it was sent, failed or expired. Each run handles at
# most LETTER_HOUSEKEEPING_BATCH letters of each kind.
LETTER_REMINDER_AFTER = env.int("LETTER_REMINDER_AFTER", default=60 * 60 * 24)
LETTER_FOLLOW_UP_DAYS = env.int("LETTER_FOLLOW_UP_DAYS", default=14)
LETTER_REPLY_RATE_MIN_ANSWERS = env.int("LETTER_REPLY_RATE_MIN_ANSWERS", default=5)
LETTER_RETENTION_DAYS = env.int("LETTER_RETENTION_DAYS", default=28)
# Creative briefs: an uploaded image is at most this many bytes and this many pixels a side
# (and at least BRIEF_IMAGE_MIN_SIDE), in one of BRIEF_IMAGE_FORMATS (Pillow's names).
BRIEF_UPLOAD_MAX_BYTES = env.int("BRIEF_UPLOAD_MAX_BYTES", default=5 * 1024 * 1024)
BRIEF_IMAGE_MAX_SIDE = env.int("BRIEF_IMAGE_MAX_SIDE", default=6000)
BRIEF_IMAGE_MIN_SIDE = env.int("BRIEF_IMAGE_MIN_SIDE", default=200)
BRIEF_IMAGE_FORMATS = ("JPEG", "PNG", "GIF", "WEBP")
# Signatures, letters and storm pledges never confirmed by their emailed link are deleted
# this many days after they were made (they never counted).
UNCONFIRMED_RETENTION_DAYS = env.int("UNCONFIRMED_RETENTION_DAYS", default=30)
# The signers of a petition are anonymised this many months (of 30 days) after it closed:
# names, emails and postcodes go; constituencies, states and every count stay.
SIGNER_RETENTION_MONTHS = env.int("SIGNER_RETENTION_MONTHS", default=6)
LETTER_HOUSEKEEPING_BATCH = env.int("LETTER_HOUSEKEEPING_BATCH", default=500)
# A letter claimed for sending this many seconds ago and still SENDING was left by a worker
# that stopped mid-send: organisers may send it again from the admin, once they know it
# did not arrive (it may have: we never send a letter twice on our own).
LETTER_SENDING_STUCK_AFTER = env.int("LETTER_SENDING_STUCK_AFTER", default=60 * 60)

# Twitterstorms: the rotation hands out a target of weight w, at status s, w times
# STORM_STATUS_WEIGHTS[s] (1 if not named) as often as one of weight 1; a pledge by email
# waits for its link (STORM_CONFIRMATION_MAX_AGE seconds), sent at most
# STORM_CONFIRMATION_EMAILS (count/seconds) times to one address.
STORM_STATUS_WEIGHTS = {"undecided": 2}
STORM_CONFIRMATION_MAX_AGE = 60 * 60 * 24 * 30
STORM_CONFIRMATION_EMAILS = _limit("STORM_CONFIRMATION_EMAILS", "3/86400")

# Actions supporters report themselves (POST /api/v1/actions/: a call, a post, a surgery
# visit): when they acted may be at most REPORTED_ACTION_MAX_AGE_DAYS ago, and at most
# REPORTED_ACTION_CLOCK_SKEW_SECONDS ahead of the server's clock (a phone's clock may run
# fast); a second report of the same kind against the same target within
# REPORTED_ACTION_MERGE_HOURS of the first, by when they acted, is the same action.
REPORTED_ACTION_MAX_AGE_DAYS = env.int("REPORTED_ACTION_MAX_AGE_DAYS", default=30)
REPORTED_ACTION_MERGE_HOURS = env.int("REPORTED_ACTION_MERGE_HOURS", default=24)
REPORTED_ACTION_CLOCK_SKEW_SECONDS = 60

# Events: a freed place is offered to the first waiting for EVENT_OFFER_HOURS hours, then
# to the next; people cancel their own place until EVENT_CANCEL_CUTOFF_MINUTES before it
# starts; an email sign-up waits for its link (EVENT_CONFIRMATION_MAX_AGE seconds), sent at
# most EVENT_CONFIRMATION_EMAILS (count/seconds) times to one address; offer and cancel
# links work for EVENT_LINK_MAX_AGE seconds.
EVENT_OFFER_HOURS = env.int("EVENT_OFFER_HOURS", default=12)
EVENT_CANCEL_CUTOFF_MINUTES = env.int("EVENT_CANCEL_CUTOFF_MINUTES", default=60)
EVENT_CONFIRMATION_MAX_AGE = 60 * 60 * 24 * 7
EVENT_CONFIRMATION_EMAILS = _limit("EVENT_CONFIRMATION_EMAILS", "3/86400")
EVENT_LINK_MAX_AGE = 60 * 60 * 24 * 120
EVENT_HOUSEKEEPING_BATCH = env.int("EVENT_HOUSEKEEPING_BATCH", default=500)

# Scheduled messages (organiser/): sent from ORGANISER_FROM_EMAIL; never between the quiet
# hours (UK time, "21:00-08:00": a reminder due then goes ORGANISER_QUIET_LEAD_MINUTES
# before they start, other messages when they end); at most ORGANISER_WEEKLY_CAP campaign
# emails to one person in 7 days (reminders of what they signed up to are not counted);
# senders claim ORGANISER_BATCH_SIZE recipients at a time for ORGANISER_CLAIM_SECONDS, and
# ORGANISER_SENDERS of them work on one message at once. The default reminders go this
# long before a storm or a shift starts (seconds).
ORGANISER_FROM_EMAIL = env.str("ORGANISER_FROM_EMAIL", default=DEFAULT_FROM_EMAIL)
ORGANISER_QUIET_HOURS = env.str("ORGANISER_QUIET_HOURS", default="21:00-08:00")
ORGANISER_QUIET_LEAD_MINUTES = env.int("ORGANISER_QUIET_LEAD_MINUTES", default=30)
ORGANISER_WEEKLY_CAP = env.int("ORGANISER_WEEKLY_CAP", default=3)
ORGANISER_BATCH_SIZE = env.int("ORGANISER_BATCH_SIZE", default=200)
ORGANISER_CLAIM_SECONDS = env.int("ORGANISER_CLAIM_SECONDS", default=300)
ORGANISER_SENDERS = env.int("ORGANISER_SENDERS", default=4)
ORGANISER_STORM_REMINDERS = [24 * 3600, 3600, 600]
ORGANISER_SHIFT_REMINDERS = [24 * 3600, 3600]
# The email provider's tracking webhooks (django-anymail, /anymail/mailgun/tracking/):
# bounces and complaints suppress the address. Mailgun's webhook signing key; empty, the
# webhook answers nothing but errors.
ANYMAIL = {"MAILGUN_WEBHOOK_SIGNING_KEY": env.str("MAILGUN_WEBHOOK_SIGNING_KEY", default="")}

# The cap on account emails (verification, password reset, "account exists") to any one
# address, count per seconds; past it nothing is sent and the forms answer as usual.
ACCOUNT_EMAILS_PER_ADDRESS = _limit("ACCOUNT_EMAILS_PER_ADDRESS", "5/86400")

X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True

if PRODUCTION:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    if TRUSTED_PROXY_COUNT:
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# Every log line goes through one handler whose filter redacts email addresses, postcodes
# and database key values (core/logging.py), whatever logged them. Django's own handlers
# are replaced (its messages reach the root's handler instead), and the Celery worker uses
# this too (config/celery.py). Two of Django's DEBUG messages stay off even at
# LOG_LEVEL=DEBUG: SQL with its parameters, and every missing template variable with the
# whole template context; both hold people's details, and the context secret links too.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_personal_data": {"()": "core.logging.RedactPersonalData"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["redact_personal_data"]}
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django": {"handlers": [], "level": "NOTSET", "propagate": True},
        "django.server": {"handlers": [], "level": "NOTSET", "propagate": True},
        "django.db.backends": {"handlers": [], "level": "INFO", "propagate": True},
        "django.template": {"handlers": [], "level": "INFO", "propagate": True},
    },
}
