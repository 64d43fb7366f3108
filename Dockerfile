# One image for web, worker and beat (see docker-compose.yml and docs/deployment.md).
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
# Static files with hashed names and gzip copies in var/staticfiles, served by WhiteNoise.
RUN SECRET_KEY=build-only python manage.py collectstatic --noinput
# The app runs as a user of its own, owning only var/.
RUN useradd --system --no-create-home huifang && chown -R huifang /app/var
USER huifang
