FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DATABASE_PATH=/data/glimmers.sqlite3

# Install from a throwaway copy of the source: only the installed package stays in the image.
COPY pyproject.toml setup.py README.md /tmp/src/
COPY bot /tmp/src/bot
COPY handlers /tmp/src/handlers
COPY storage /tmp/src/storage
RUN pip install --no-cache-dir /tmp/src && rm -rf /tmp/src

RUN useradd --create-home --uid 10001 glimmers \
    && mkdir -p /data \
    && chown glimmers:glimmers /data
USER 10001:10001
WORKDIR /home/glimmers
VOLUME ["/data"]

# Webhook mode only (WEBHOOK_URL set): the port the reverse proxy forwards to (WEBHOOK_PORT).
EXPOSE 8443

# Settings valid and the database opens and passes PRAGMA quick_check; never calls Telegram.
HEALTHCHECK --interval=60s --timeout=20s --start-period=30s --retries=3 \
    CMD ["glimmers-bot", "check"]

CMD ["glimmers-bot"]
