# Marcus Shop: one image for every process of compose.yaml (web, worker, beat, flower, chroma).
FROM python:3.11-slim

# torch is pinned in requirements.in; its CPU build comes from PyTorch's index (the default PyPI wheel
# carries CUDA libraries no process here uses).
ARG PIP_EXTRA_INDEX_URL=https://download.pytorch.org/whl/cpu
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    MARCUS_VAR_DIR=/app/var \
    HF_HUB_OFFLINE=1

WORKDIR /app
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpq5 \
    && rm -rf /var/lib/apt/lists/*

COPY requirements.in requirements.lock ./
RUN pip install --extra-index-url "$PIP_EXTRA_INDEX_URL" -r requirements.in -c requirements.lock

COPY . .
# Static files are served by whitenoise from the image; the throwaway key only exists during the build.
RUN DJANGO_SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput -v0 \
    && useradd --create-home --uid 1000 app \
    && mkdir -p /app/var /chroma-data \
    && chown -R app:app /app/var /chroma-data

USER app
EXPOSE 8000
CMD ["gunicorn", "ecommerce_backend.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "120", "--access-logfile", "-"]
