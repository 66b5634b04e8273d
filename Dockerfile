# Mitwirken production image: slim Python, non-root, gunicorn, migrations on start.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 VOLUNTEER_ENV=production
WORKDIR /app

RUN useradd --create-home --uid 10001 mitwirken
COPY pyproject.toml README.md babel.cfg ./
COPY volunteer ./volunteer
COPY matching ./matching
COPY notifications ./notifications
COPY templates ./templates
COPY migrations ./migrations
RUN pip install -e . \
 && for d in volunteer/translations/*/; do pybabel compile -d "$d"; done \
 && mkdir -p /app/instance && chown -R mitwirken /app/instance

USER mitwirken
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status == 200 else 1)"
# Several containers may start at once against one PostgreSQL database: the upgrade holds an
# advisory lock, so a second node waits for the first and then finds the schema current.
# No gunicorn access log: it records full URLs (tokens, query strings); the app logs each
# request as JSON with the route pattern instead (as `volunteer serve` does).
CMD ["sh", "-c", "volunteer db upgrade && exec gunicorn --bind 0.0.0.0:8000 --workers ${WEB_CONCURRENCY:-3} --threads 4 --worker-class gthread volunteer.wsgi:app"]
