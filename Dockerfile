# UNTESTED: no container engine was available where this was written. See docs/deploy.md.
# One image for `smce-bot serve` (several containers can run it against one PostgreSQL).
FROM python:3.11-slim AS app

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    HOST=0.0.0.0 PORT=8080 MEDIA_DIR=/data/media LOG_FORMAT=json

RUN useradd --create-home --uid 10001 smce
WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY handlers ./handlers
COPY storage ./storage
COPY content ./content
RUN pip install . && mkdir -p /data/media && chown -R smce /data

USER smce
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s CMD python -c "import urllib.request,os; urllib.request.urlopen(f'http://127.0.0.1:{os.environ.get(\"PORT\",\"8080\")}/readyz')"
CMD ["smce-bot", "serve"]
