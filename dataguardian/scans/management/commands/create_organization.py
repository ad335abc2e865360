"""Create an organisation and its first user, non-interactively.

    printf '%s\n' "$PASSWORD" | python manage.py create_organization "Acme Zorg" \
        --username alice --email alice@acme.example [--slug acme] [--role owner]

The password is read from the first line of stdin (never from the command
line, where ``ps`` and shell history would see it) and checked against the
password validators. Exit status 1 with one line on any problem.
"""

from __future__ import annotations

import sys

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.text import slugify

from dataguardian.orgs.models import Membership, Organization, Role


class Command(BaseCommand):
    help = "Create an organisation with one user; the password is read from stdin."

    def add_arguments(self, parser) -> None:
        parser.add_argument("name", help="the organisation's name")
        parser.add_argument("--username", required=True)
        parser.add_argument("--email", default="")
        parser.add_argument("--slug", help="defaults to the name, slugified")
        parser.add_argument("--role", default=Role.OWNER, choices=Role.values)

    def handle(self, *args, name: str, username: str, email: str, slug: str | None, role: str,
               **options) -> None:
        slug = slug or slugify(name)[:80]
        if not name.strip() or not slug:
            raise CommandError("the organisation needs a name")
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise CommandError("no password on stdin (pipe it in: printf '%s\\n' \"$PASSWORD\" | ...)")
        User = get_user_model()
        if Organization.objects.filter(slug=slug).exists():
            raise CommandError(f"an organisation with slug {slug!r} exists already")
        if User.objects.filter(username=username).exists():
            raise CommandError(f"a user named {username!r} exists already")
        candidate = User(username=username, email=email)
        try:
            validate_password(password, user=candidate)
        except ValidationError as exc:
            raise CommandError("password refused: " + " ".join(exc.messages)) from None
        with transaction.atomic():
            org = Organization.objects.create(name=name.strip(), slug=slug)
            user = User.objects.create_user(username=username, email=email, password=password)
            Membership.objects.create(user=user, organization=org, role=role)
        self.stdout.write(f"created organisation {org.name!r} (slug {org.slug}) with {role} {username!r}")
