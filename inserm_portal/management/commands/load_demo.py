"""Load the demo data of every app, in the import order. Idempotent: twice changes nothing."""

from importlib import import_module

from django.core.management.base import BaseCommand
from django.db import transaction

# Each app that has demo data exposes a `demo.load()`; listed bottom-up so foreign keys exist.
DEMO_MODULES = ["accounts.demo", "calls.demo", "applications.demo", "reviews.demo", "projects.demo", "cooperation.demo"]


class Command(BaseCommand):
    help = "Load the demo accounts, instruments, zones, rotation and calls (idempotent)."

    def handle(self, *args, **options):
        loaded = []
        with transaction.atomic():
            for name in DEMO_MODULES:
                try:
                    module = import_module(name)
                except ModuleNotFoundError as exc:
                    if exc.name != name:
                        raise
                    continue
                module.load()
                loaded.append(name)
        accounts = import_module("accounts.demo")
        self.stdout.write(self.style.SUCCESS("Demo data loaded: " + ", ".join(loaded)))
        self.stdout.write("Demo logins (e-mail / password):")
        for email, password in accounts.logins():
            self.stdout.write(f"  {email} / {password}")
