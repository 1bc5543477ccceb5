"""The WSGI entry point for production servers: ``gunicorn intrapreneur.wsgi:app``.

A missing or unsafe setting, or a database migrated by a newer version, stops the server
with one clear line and exit status 2, not a traceback.
"""

from intrapreneur.cli.app import served_app_or_exit

app = served_app_or_exit()
