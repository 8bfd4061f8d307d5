# Byline in a container: `docker compose up -d` (compose.yaml), or build and run it yourself:
#   docker build -t byline .
#   docker run -d --name byline --env-file .env -v byline-data:/data -v "$PWD/seeds:/data/seeds:ro" byline
# The data directory /data is a volume: byline.db, its index and the bot's status file live there,
# and seeds/ (the articles) is mounted into it. `docker stop` sends SIGTERM: Byline answers the
# questions in flight, closes the gateway and the database, and exits 0.
#
# BASE: any Debian-based image; python:3.11-slim has Python already, debian:bookworm-slim gets
# Debian's python3 (3.11). A base made locally with debootstrap works too (docs/deploy.md).
ARG BASE=python:3.11-slim
FROM ${BASE}

ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    BYLINE_DATA_DIR=/data \
    PATH=/opt/byline/bin:$PATH

RUN set -eu; \
    if ! command -v python3 >/dev/null || ! python3 -c 'import ensurepip' 2>/dev/null; then \
        apt-get update; \
        apt-get install -y --no-install-recommends python3 python3-venv ca-certificates; \
        rm -rf /var/lib/apt/lists/*; \
    fi; \
    python3 -c 'import sys; assert sys.version_info >= (3, 11), sys.version'; \
    python3 -m venv /opt/byline; \
    useradd --system --uid 10001 --user-group --home-dir /data --no-create-home --shell /usr/sbin/nologin byline; \
    install -d -o byline -g byline -m 0750 /data

COPY pyproject.toml README.md /src/
COPY index /src/index
COPY bot /src/bot
# Behind a TLS-intercepting proxy, hand pip its CA: --secret id=ca,src=/path/to/ca-bundle.crt
RUN --mount=type=secret,id=ca \
    if [ -s /run/secrets/ca ]; then export PIP_CERT=/run/secrets/ca; fi; \
    /opt/byline/bin/pip install /src && rm -rf /src

COPY deploy/docker-entrypoint.sh /usr/local/bin/byline-entrypoint

USER byline
WORKDIR /data
VOLUME ["/data"]

# Healthy: the database and index are whole and the bot is connected to Discord (it rewrites a
# status file in /data every 15 s; see `byline status --help`).
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 CMD ["byline", "status", "--bot"]

ENTRYPOINT ["/usr/local/bin/byline-entrypoint"]
CMD ["run"]
