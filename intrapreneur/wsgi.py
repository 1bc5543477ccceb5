"""The WSGI entry point for production servers: ``gunicorn intrapreneur.wsgi:app``.

A missing or unsafe setting stops the server with one clear line and exit status 2,
not a traceback.
"""

from intrapreneur.cli.app import create_app_or_exit

app = create_app_or_exit()
