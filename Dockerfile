# Roadmap in production mode: gunicorn (target `app`, the default) behind nginx (target `web`). Not exercised
# on the development machines (they have no Docker engine); see the README's "Running in production".
FROM python:3.11-slim-bookworm AS app

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
# pg_dump for `manage.py backup_db`.
RUN apt-get update && apt-get install -y --no-install-recommends postgresql-client \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .
# Static files are built into the image; collectstatic needs no secrets in development mode.
RUN DJANGO_ENV=development python manage.py collectstatic --noinput --verbosity 0

RUN useradd --create-home --uid 10001 roadmap && mkdir -p /app/backups && chown roadmap /app/backups
USER roadmap

ENV DJANGO_ENV=production PORT=8000
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2)"
# The same image runs the task worker that sends the mail: `python manage.py db_worker` (compose.yaml's worker).
CMD ["gunicorn", "-c", "gunicorn.conf.py"]

# nginx in front (compose.yaml's `web`): deploy/nginx.conf as a template the image fills from the environment,
# and the same collected static files, served from disk.
FROM nginx:1.27-bookworm AS web
RUN rm /etc/nginx/conf.d/default.conf
COPY deploy/nginx.conf /etc/nginx/templates/roadmap.conf.template
COPY --from=app /app/staticfiles /srv/static

# The default target stays the app server.
FROM app
