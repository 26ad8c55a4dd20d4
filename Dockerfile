# The application image: web (gunicorn), worker and beat all run from it (see docker-compose.yml).
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    JINGYUAN_VAR_DIR=/srv/var
WORKDIR /srv/app
RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/* \
    && useradd --system --home /srv jingyuan && mkdir -p /srv/var && chown jingyuan /srv/var
COPY pyproject.toml README.md ./
RUN pip install ".[s3]"
COPY . .
RUN JINGYUAN_SECRET_KEY=build-only python manage.py collectstatic --noinput --verbosity 0
USER jingyuan
EXPOSE 8000
CMD ["gunicorn", "jingyuan_renovation.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
