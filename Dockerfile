# The ATA Stakeholder Dashboard: one image, configured entirely by ATA_* environment variables.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# pg_dump and pg_restore, for `ata backup` / `ata restore` on PostgreSQL. pg_dump's major version
# must be at least the server's, so the client comes from the PostgreSQL project's own apt
# repository at a chosen major (Debian's postgresql-client follows the base image instead):
# build with --build-arg PG_CLIENT_MAJOR=18 for a newer server.
ARG PG_CLIENT_MAJOR=17
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates postgresql-common \
    && /usr/share/postgresql-common/pgdg/apt.postgresql.org.sh -y \
    && apt-get install -y --no-install-recommends "postgresql-client-${PG_CLIENT_MAJOR}" \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin ata \
    && mkdir -p /data \
    && chown ata:ata /data

COPY pyproject.toml README.md alembic.ini ./
COPY api ./api
COPY web ./web
COPY migrations ./migrations
RUN pip install . && rm -rf /root/.cache

USER ata
# Production by default: ATA_SECRET_KEY and ATA_DATABASE_URL must be given at run time
# (SQLite under /data suits one instance; use PostgreSQL for several).
ENV ATA_ENV=production \
    ATA_DATABASE_URL=sqlite:////data/ata.db \
    ATA_STORAGE_DIR=/data/storage
VOLUME ["/data"]
EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=20s \
    CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status == 200 else 1)"

# `ata serve` runs the migrations (under a lock on PostgreSQL) and then serves.
CMD ["ata", "serve", "--host", "0.0.0.0", "--port", "8000"]
