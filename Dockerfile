# Bistå for production: the application (gunicorn, see config/gunicorn.py) and, with another command, the
# background worker. Used by compose.yaml; see docs/operations-deployment.md.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# WeasyPrint (PDF documents) needs Pango and HarfBuzz, and at least one font.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml README.md ./
COPY requirements ./requirements
COPY bista ./bista
COPY config ./config
# Exactly the versions the tests ran with (requirements/constraints.txt); no development tools.
RUN pip install -c requirements/constraints.txt .

ENV DJANGO_SETTINGS_MODULE=config.settings \
    STATIC_ROOT=/app/static \
    BISTA_BIND=0.0.0.0:8000
# Static files collected once into the image; WhiteNoise serves them (no settings secret is needed for this).
RUN SECRET_KEY=collectstatic-only bista collectstatic --noinput --verbosity 0

RUN useradd --system --uid 10001 --no-create-home --home-dir /app bista
USER bista

EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/halsa/', timeout=4).status != 200)"]
CMD ["gunicorn", "--config", "python:config.gunicorn", "config.wsgi:application"]
