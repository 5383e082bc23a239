#!/usr/bin/env bash
# Serve the portal on http://127.0.0.1:8000 with one Celery worker and beat; Ctrl-C stops all.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBUG="${DEBUG:-1}"
mkdir -p var
.venv/bin/python manage.py migrate --noinput
.venv/bin/python manage.py load_demo
if [ "${DEBUG}" = "0" ]; then .venv/bin/python manage.py collectstatic --noinput -v 0; fi

.venv/bin/celery -A inserm_portal worker --beat --loglevel=INFO --concurrency=2 \
  --schedule var/celerybeat-schedule &
worker=$!
stop() { kill -TERM "$worker" 2>/dev/null || true; wait "$worker" 2>/dev/null || true; }
trap stop EXIT INT TERM

echo "Portal: http://127.0.0.1:8000/  (admin: http://127.0.0.1:8000/admin/)"
.venv/bin/python manage.py runserver --nostatic 127.0.0.1:8000
