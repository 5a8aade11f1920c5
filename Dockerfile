# An exact release of the base image; README "Dependencies" says how to move it on.
FROM python:3.11.14-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DATABASE_PATH=/data/glimmers.sqlite3 \
    WEBHOOK_LISTEN=0.0.0.0

# Fonts for /summary's PDF beyond the one matplotlib brings (bot/ui/summary.py): GNU FreeFont
# (Indic scripts, Thai, Ethiopic and more) and WenQuanYi Micro Hei (Chinese, Japanese, Korean).
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        fonts-freefont-ttf=20120503-10 fonts-wqy-microhei=0.2.0-beta-3.1 \
    && rm -rf /var/lib/apt/lists/*

# The locked versions first, each checked against its hash (a layer that stays cached while
# only the code changes); then the package from a throwaway copy of the source.
COPY requirements/app.lock /tmp/app.lock
RUN pip install --no-cache-dir --require-hashes -r /tmp/app.lock && rm /tmp/app.lock
COPY pyproject.toml setup.py README.md /tmp/src/
COPY bot /tmp/src/bot
COPY handlers /tmp/src/handlers
COPY storage /tmp/src/storage
COPY sandbox /tmp/src/sandbox
RUN pip install --no-cache-dir --no-deps /tmp/src && rm -rf /tmp/src

# A bind mount (-v ./data:/data) must be writable by this user: chown 10001:10001 ./data
RUN groupadd --gid 10001 glimmers \
    && useradd --create-home --uid 10001 --gid 10001 glimmers \
    && mkdir -p /data \
    && chown glimmers:glimmers /data
USER 10001:10001
WORKDIR /home/glimmers
VOLUME ["/data"]

# Webhook mode only (WEBHOOK_URL set): the port the reverse proxy forwards to (WEBHOOK_PORT).
# Inside the container the server listens on 0.0.0.0 (above); publish the port to the proxy
# only, as in `-p 127.0.0.1:8443:8443`.
EXPOSE 8443

# Healthy when the settings are valid, the database exists (`check` never makes one) and
# passes PRAGMA quick_check, and the bot heard from Telegram in the last five minutes (the
# heartbeat file beside the database, touched on each answer from Telegram). Never calls
# Telegram itself. A bot stuck retrying its connection turns unhealthy.
HEALTHCHECK --interval=60s --timeout=20s --start-period=60s --retries=3 \
    CMD ["glimmers-bot", "check", "--running"]

# SIGTERM (docker stop's default, said plainly): the bot stops fetching, lets what it is
# handling finish and leaves the rest in its intake for the next start, within 5 s.
STOPSIGNAL SIGTERM
CMD ["glimmers-bot"]
