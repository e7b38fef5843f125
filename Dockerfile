# The app image: web (gunicorn), Celery worker and beat. Steps checked without Docker by
# scripts/dockerfile_steps.py in CI (a clean virtualenv, as an unprivileged user).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN useradd --create-home --uid 1000 care
WORKDIR /app
COPY requirements.lock .
RUN pip install --require-hashes --no-deps -r requirements.lock
COPY . .
# var/media is created here, owned by care: a new named volume mounted on it takes that ownership.
RUN SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput \
    && mkdir -p var/media \
    && chown -R care:care var
USER care
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 CMD ["python", "scripts/healthcheck.py"]
# Workers, bind address and forwarded-address trust: gunicorn.conf.py, from the environment.
CMD ["gunicorn", "config.wsgi:application"]
