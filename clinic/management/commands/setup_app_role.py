"""Create (or bring up to date) the database role the running application connects as.

Migrations run as the database owner; the web, worker and beat processes connect as this role. It may read and write
every table as usual, but on the audit table only SELECT and INSERT: it cannot UPDATE, DELETE or TRUNCATE entries,
and since it owns nothing it cannot ALTER the table, disable or drop its append-only trigger, or replace the
trigger's function. A bug or an attacker inside the application therefore cannot rewrite the audit trail.

Run it as the owner after every `migrate` (it is idempotent; docker-compose.yml does both in the `migrate` service):

    APP_DB_PASSWORD=... python manage.py setup_app_role --role medius_app
"""

from __future__ import annotations

import os

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from psycopg import sql

from clinic.models import AuditEvent


class Command(BaseCommand):
    help = "Create or update the application's PostgreSQL role: normal rights, but append-only on the audit table."

    def add_arguments(self, parser):
        parser.add_argument("--role", default="medius_app", help="Role name (default medius_app)")
        parser.add_argument(
            "--password-env",
            default="APP_DB_PASSWORD",
            help="Environment variable holding the role's password (default APP_DB_PASSWORD; unset: no password)",
        )

    def handle(self, *args, role: str, password_env: str, **options):
        if connection.vendor != "postgresql":
            raise CommandError("setup_app_role is for PostgreSQL; SQLite (make run) has no roles.")
        password = os.environ.get(password_env, "")
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT current_user, current_database()")
            owner, database = cursor.fetchone()
            if role == owner:
                raise CommandError("The application role must not be the owner that runs migrations.")
            for statement in grant_statements(role=role, owner=owner, database=database, password=password):
                cursor.execute(statement.as_string(connection.connection))
        self.stdout.write(f"Role {role}: full rights on the application's tables, append-only on the audit table.")


def grant_statements(*, role: str, owner: str, database: str, password: str = "") -> list[sql.Composed]:
    r, o = sql.Identifier(role), sql.Identifier(owner)
    audit = sql.Identifier(AuditEvent._meta.db_table)
    login = sql.SQL("LOGIN PASSWORD {}").format(sql.Literal(password)) if password else sql.SQL("LOGIN")
    create = sql.SQL(
        "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = {name}) "
        "THEN CREATE ROLE {role}; END IF; END $$"
    ).format(name=sql.Literal(role), role=r)
    return [
        create,
        sql.SQL("ALTER ROLE {} {} NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS NOREPLICATION").format(r, login),
        sql.SQL("GRANT CONNECT, TEMPORARY ON DATABASE {} TO {}").format(sql.Identifier(database), r),
        # Nobody but the owner creates objects in the schema (a function or table of the app's own could shadow ours).
        sql.SQL("REVOKE CREATE ON SCHEMA public FROM PUBLIC"),
        sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(r),
        sql.SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {}").format(r),
        sql.SQL("GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {}").format(r),
        # Tables that later migrations create get the same rights without running this again (the audit table exists).
        sql.SQL(
            "ALTER DEFAULT PRIVILEGES FOR ROLE {} IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {}"
        ).format(o, r),
        sql.SQL(
            "ALTER DEFAULT PRIVILEGES FOR ROLE {} IN SCHEMA public GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO {}"
        ).format(o, r),
        # The audit trail: read and append, nothing else.
        sql.SQL("REVOKE ALL ON {} FROM {}").format(audit, r),
        sql.SQL("REVOKE UPDATE, DELETE, TRUNCATE, TRIGGER, REFERENCES ON {} FROM PUBLIC").format(audit),
        sql.SQL("GRANT SELECT, INSERT ON {} TO {}").format(audit, r),
    ]
