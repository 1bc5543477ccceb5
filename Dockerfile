# syntax=docker/dockerfile:1
# Intrapreneur's container image.
#
#   docker build -t intrapreneur .
#   docker run -p 8000:8000 -e INTRAPRENEUR_SECRET_KEY=... -e INTRAPRENEUR_SURVEY_PSEUDONYM_KEY=... \
#     -e INTRAPRENEUR_DATABASE_URL=postgresql+psycopg://... intrapreneur
#
# The build stage compiles what has no wheel (python-ldap) into a virtualenv; the final stage
# copies that virtualenv and holds only the shared libraries it needs at run time: no
# compiler, no headers. Both stages use the same base image, so the virtualenv's paths hold.

ARG PYTHON_IMAGE=python:3.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
RUN apt-get update \
    && apt-get install -y --no-install-recommends gcc libc6-dev libldap2-dev libsasl2-dev \
    && rm -rf /var/lib/apt/lists/*
RUN python -m venv /opt/intrapreneur
WORKDIR /src
# The metadata first: a code change then reuses the cached dependency layer.
COPY pyproject.toml README.md ./
COPY intrapreneur ./intrapreneur
# The message catalogues are compiled here, as `make install` does (no .mo is committed).
RUN /opt/intrapreneur/bin/pip install --no-cache-dir "babel>=2.14,<3" \
    && find intrapreneur/translations -name messages.po -execdir \
       /opt/intrapreneur/bin/pybabel compile -i messages.po -o messages.mo \; \
    && /opt/intrapreneur/bin/pip install --no-cache-dir .

FROM ${PYTHON_IMAGE} AS runtime
RUN apt-get update \
    && apt-get install -y --no-install-recommends libldap-2.5-0 libsasl2-2 \
       libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
# A fixed numeric uid: Kubernetes' runAsNonRoot can only verify a numeric USER.
RUN groupadd --system --gid 10001 intrapreneur \
    && useradd --system --uid 10001 --gid 10001 --home-dir /app --no-create-home \
       --shell /usr/sbin/nologin intrapreneur \
    && install -d -o 10001 -g 10001 /var/lib/intrapreneur
COPY --from=build /opt/intrapreneur /opt/intrapreneur
WORKDIR /app
COPY config/gunicorn.conf.py /app/config/gunicorn.conf.py
ENV PATH=/opt/intrapreneur/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    INTRAPRENEUR_GUNICORN_CONFIG=/app/config/gunicorn.conf.py \
    INTRAPRENEUR_INSTANCE_PATH=/var/lib/intrapreneur
USER 10001:10001
EXPOSE 8000
# Python's own HTTP client: the slim image has no curl, and this one needs nothing added.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]
ENTRYPOINT ["intrapreneur"]
CMD ["serve"]
