FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DATABASE_PATH=/data/glimmers.sqlite3

WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY handlers ./handlers
COPY storage ./storage
RUN pip install --no-cache-dir .

RUN useradd --create-home --uid 10001 glimmers \
    && mkdir -p /data \
    && chown glimmers:glimmers /data
USER glimmers
VOLUME ["/data"]

CMD ["glimmers-bot"]
