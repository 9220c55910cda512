"""`envplan token create USERNAME [--name N]`: issue an API token (printed once); `list [--json]`, `revoke`.

An unknown user or prefix is bad input: exit code 2, as for every `envplan` command."""

from __future__ import annotations

import json
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from envplan.api.models import ApiToken
from envplan.api.tokens import create_token, revoke_token


class Command(BaseCommand):
    help = "Create, list or revoke personal API tokens."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="issue a token; it is printed once and never stored")
        create.add_argument("username")
        create.add_argument("--name", default="", help="a label to tell your tokens apart")
        listing = actions.add_parser("list", help="a user's tokens (prefix, name, created, last used)")
        listing.add_argument("username")
        listing.add_argument("--json", action="store_true", help="print the tokens as one JSON object")
        revoke = actions.add_parser("revoke", help="revoke a token for good, by its prefix")
        revoke.add_argument("prefix")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "revoke":
            tokens = list(ApiToken.objects.filter(prefix=options["prefix"]))
            if len(tokens) != 1:
                raise CommandError(f"no single token has the prefix {options['prefix']!r}", returncode=2)
            revoke_token(tokens[0], by=None)
            self.stdout.write(f"Revoked {tokens[0]}.")
            return
        user = get_user_model().objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"no user is named {options['username']!r}", returncode=2)
        if action == "create":
            issued = create_token(user, name=options["name"], by=None)
            self.stdout.write(issued.raw)
            self.stderr.write(
                f"Token {issued.token.prefix}… for {user.get_username()}: keep it now, it is not shown again."
            )
            return
        tokens = list(ApiToken.objects.filter(user=user))
        if options["json"]:
            listing = [
                {
                    "prefix": token.prefix,
                    "name": token.name,
                    "created": token.created.isoformat(),
                    "last_used": token.last_used.isoformat() if token.last_used else None,
                    "revoked": bool(token.revoked),
                }
                for token in tokens
            ]
            self.stdout.write(
                json.dumps({"user": user.get_username(), "tokens": listing}, ensure_ascii=False)
            )
            return
        for token in tokens:
            used = f"{token.last_used:%Y-%m-%d %H:%M}" if token.last_used else "never"
            state = "revoked" if token.revoked else "live"
            self.stdout.write(
                f"{token.prefix}  {token.name or '-'}  created {token.created:%Y-%m-%d}  used {used}  {state}"
            )
