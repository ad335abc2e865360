"""First-run set-up for `make run`: a demo organisation and an admin user.

Does nothing once a superuser exists, so it is safe on every start. The
generated password is printed once and never stored in clear.
"""

import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from dataguardian.orgs.models import Membership, Organization, Role


class Command(BaseCommand):
    help = "Create a demo organisation and an admin user on first run."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")
        parser.add_argument("--organization", default="Demo Organisation")

    def handle(self, *args, username: str, organization: str, **options):
        User = get_user_model()
        if User.objects.filter(is_superuser=True).exists():
            self.stdout.write("bootstrap: an admin user exists already; nothing to do.")
            return
        password = secrets.token_urlsafe(12)
        with transaction.atomic():
            org, _ = Organization.objects.get_or_create(
                slug="demo", defaults={"name": organization}
            )
            user = User.objects.create_superuser(username=username, email="", password=password)
            Membership.objects.create(user=user, organization=org, role=Role.OWNER)
        self.stdout.write(
            self.style.SUCCESS(
                "\n  Created organisation '%s' and admin user.\n"
                "  Sign in at http://127.0.0.1:8000/ as %s with password: %s\n"
                "  (shown once; change it in the admin)\n" % (org.name, username, password)
            )
        )
