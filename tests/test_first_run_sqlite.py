"""`make run` with no settings runs on SQLite: the demo accounts' pages must work there too (the
rest of the suite runs on PostgreSQL, which has functions SQLite lacks; a reviewer's queue once
asked PostgreSQL's regexp_replace and answered 500 on a first run)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

WALK = """
import django
django.setup()
from django.test import Client
from accounts.models import User
from reviews.models import ReviewAssignment
pages = {
    "researcher@demo.inserm.fr": ["/fr/applications/", "/fr/calls/", "/en/applications/"],
    "reviewer@demo.inserm.fr": ["/fr/reviews/", "/en/reviews/"],
    "staff@demo.inserm.fr": ["/fr/reviews/staff/", "/admin/reviews/routingproposal/", "/admin/accounts/auditevent/"],
}
application = ReviewAssignment.objects.values_list("application_id", flat=True).first()
if application:
    pages["reviewer@demo.inserm.fr"].append(f"/fr/reviews/applications/{application}/")
from projects.models import Evaluation, Project
project = Project.objects.filter(lead__email="researcher@demo.inserm.fr").first()
pages["researcher@demo.inserm.fr"] += [f"/fr/projects/{project.pk}/", f"/en/projects/{project.pk}/"]
report = project.reports.order_by("due_on").first()
pages["researcher@demo.inserm.fr"].append(f"/fr/projects/{project.pk}/reports/{report.pk}/")
evaluation = Evaluation.objects.filter(reviewer__email="reviewer@demo.inserm.fr").first()
pages["reviewer@demo.inserm.fr"] += ["/fr/projects/evaluations/", f"/en/projects/evaluations/{evaluation.pk}/"]
pages["staff@demo.inserm.fr"] += [
    "/fr/projects/staff/",
    "/fr/projects/staff/dashboard/",
    "/en/projects/staff/export.xlsx",
    *[f"/fr/projects/{pk}/" for pk in Project.objects.values_list("pk", flat=True)],
    "/admin/projects/project/",
]
for email, paths in pages.items():
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(User.objects.get(email=email))
    for path in paths:
        status = client.get(path).status_code
        print(email, path, status)
        assert status == 200, (email, path, status)
"""


def test_the_demo_pages_answer_on_the_embedded_sqlite_database(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CELERY_BROKER_URL"}}
    env.update(
        {
            "DEBUG": "1",
            "SECRET_KEY": "first-run",
            "PORTAL_VAR_DIR": str(tmp_path),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'portal.sqlite3'}",
            "DJANGO_SETTINGS_MODULE": "inserm_portal.settings",
        }
    )

    def run(args):
        result = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-4000:]
        return result.stdout

    run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"])
    run([sys.executable, "manage.py", "load_demo"])
    walked = run([sys.executable, "-c", WALK])
    assert walked.count(" 200") >= 20
