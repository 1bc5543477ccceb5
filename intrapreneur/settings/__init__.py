"""Settings read from ``INTRAPRENEUR_*`` environment variables (the README's configuration table).

``load`` reads and checks them all (``app``); the modules beside it hold one area each:
``reading`` the readers and their one-line errors, ``directory`` the LDAP settings, ``mail``
SMTP and the public address, ``keys`` the secret and pseudonym keys, ``jobs`` the queue,
``monitoring`` logs and metrics, ``connections`` database and Redis options, ``backup`` the
public keys backups are encrypted to.
"""

from intrapreneur.settings.app import ENVIRONMENTS, Settings, load
from intrapreneur.settings.directory import (
    MAPPABLE_ROLES,
    MEMBERSHIP_MODES,
    OPENLDAP_ATTRIBUTES,
    DirectorySettings,
    load_directory,
)
from intrapreneur.settings.keys import MIN_SECRET_KEY_LENGTH
from intrapreneur.settings.mail import MAIL_SCHEMES, MailSettings, load_mail
from intrapreneur.settings.monitoring import MIN_METRICS_TOKEN_LENGTH
from intrapreneur.settings.reading import PREFIX, ConfigError

__all__ = [
    "ENVIRONMENTS",
    "MAIL_SCHEMES",
    "MAPPABLE_ROLES",
    "MEMBERSHIP_MODES",
    "MIN_METRICS_TOKEN_LENGTH",
    "MIN_SECRET_KEY_LENGTH",
    "OPENLDAP_ATTRIBUTES",
    "PREFIX",
    "ConfigError",
    "DirectorySettings",
    "MailSettings",
    "Settings",
    "load",
    "load_directory",
    "load_mail",
]
