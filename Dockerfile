# One image for web, worker, beat and migrate; docker-compose.yml picks the command.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
COPY pyproject.toml README.md ./
COPY spa_app ./spa_app
COPY worker ./worker
COPY templates ./templates
COPY migrations ./migrations
RUN pip install . && pybabel compile -d spa_app/translations

# The app finds templates/, migrations/ and its static files next to the spa_app package, and the
# wheel carries only the Python modules, so the code must be imported from this tree.
ENV PYTHONPATH=/app

RUN useradd --create-home --uid 10001 spa && mkdir -p /data/uploads && chown spa /data/uploads
USER spa

EXPOSE 8000
# docker-compose.yml gives each service its command; this default is the web server's.
CMD ["gunicorn", "--config", "python:spa_app.ops.gunicorn_conf", "--bind", "0.0.0.0:8000", "--worker-tmp-dir", "/dev/shm", "spa_app:create_app()"]
