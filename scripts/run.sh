#!/usr/bin/env bash
# Serve the portal on http://127.0.0.1:8000 with one Celery worker and beat; Ctrl-C stops all.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBUG="${DEBUG:-1}"
mkdir -p var
.venv/bin/python manage.py migrate --noinput
.venv/bin/python manage.py load_demo
if [ "${DEBUG}" = "0" ]; then .venv/bin/python manage.py collectstatic --noinput -v 0; fi

pids=()
stop() {
  trap - INT TERM EXIT
  echo "Stopping the web server, the Celery worker and beat..."
  kill -TERM "${pids[@]}" 2>/dev/null || true
  wait "${pids[@]}" 2>/dev/null || true
}
trap stop INT TERM EXIT

.venv/bin/celery -A inserm_portal worker --beat --loglevel=INFO --concurrency=2 \
  --schedule var/celerybeat-schedule &
pids+=("$!")
.venv/bin/python manage.py runserver --noreload --nostatic 127.0.0.1:8000 &
pids+=("$!")

echo "Portal: http://127.0.0.1:8000/  (Django admin: http://127.0.0.1:8000/admin/)"
# Whichever stops first (Ctrl-C, a crash), the others are stopped with it.
wait -n "${pids[@]}" || true
