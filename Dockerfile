# syntax=docker/dockerfile:1
# Mitwirken production image: Python 3.11, non-root, gunicorn, migrations on start.
# BASE: any image with python3 (>= 3.11) and its venv module. The default is the official slim
# image; tools/container-check builds on a Debian bookworm bootstrapped with debootstrap, since
# no container registry is reachable in CI.
ARG BASE=python:3.11-slim
FROM ${BASE}

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 VOLUNTEER_ENV=production \
    PATH=/opt/venv/bin:$PATH PROMETHEUS_MULTIPROC_DIR=/tmp/mitwirken-metrics
WORKDIR /app

RUN useradd --create-home --uid 10001 mitwirken
# Dependencies first, pinned with hashes (requirements/run.lock), so code changes reuse the layer.
COPY requirements/run.lock requirements/build.lock requirements/
# A build behind a TLS-inspecting proxy passes its CA bundle as the build secret "pip_cert"
# (tools/container-check does); it is used for this step only and not kept in the image.
RUN --mount=type=secret,id=pip_cert \
    if [ -s /run/secrets/pip_cert ]; then export PIP_CERT=/run/secrets/pip_cert; fi \
 && python3 -m venv /opt/venv \
 && pip install --require-hashes -r requirements/run.lock -r requirements/build.lock
COPY pyproject.toml README.md babel.cfg ./
COPY volunteer ./volunteer
COPY matching ./matching
COPY notifications ./notifications
COPY templates ./templates
COPY migrations ./migrations
# The project itself only: every dependency came from the lock file above.
RUN pip install --no-deps --no-build-isolation -e . \
 && for d in volunteer/translations/*/; do pybabel compile -d "$d"; done \
 && mkdir -p /app/instance "$PROMETHEUS_MULTIPROC_DIR" \
 && chown -R mitwirken /app/instance "$PROMETHEUS_MULTIPROC_DIR"

USER mitwirken
EXPOSE 8000
# The Host header names the public host: production trusts only that one (TRUSTED_HOSTS).
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD python -c "import os, sys, urllib.parse as p, urllib.request as u; host = p.urlsplit(os.environ.get('VOLUNTEER_BASE_URL', '')).hostname or '127.0.0.1'; sys.exit(0 if u.urlopen(u.Request('http://127.0.0.1:8000/healthz', headers={'Host': host}), timeout=4).status == 200 else 1)"
# Several containers may start at once against one PostgreSQL database: the upgrade holds an
# advisory lock, so a second node waits for the first and then finds the schema current.
# The metrics directory is emptied on start (Prometheus multiprocess mode); no gunicorn access
# log: it would record full URLs with tokens, the app logs each request as JSON instead.
CMD ["sh", "-c", "rm -rf \"$PROMETHEUS_MULTIPROC_DIR\" && mkdir -p \"$PROMETHEUS_MULTIPROC_DIR\" && volunteer db upgrade && exec gunicorn --bind ${BIND:-0.0.0.0:8000} --workers ${WEB_CONCURRENCY:-3} --threads 4 --worker-class gthread volunteer.wsgi:app"]
