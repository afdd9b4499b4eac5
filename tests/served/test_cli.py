"""The ``returndesk`` command as a process: migrations, the data directory's modes, deploy checks."""

from __future__ import annotations

import stat
from pathlib import Path

import psycopg

from tests.served.harness import run_command, server_env

DEPLOY_ENV = {
    "RETURNDESK_HTTPS": "1",
    "RETURNDESK_HSTS_INCLUDE_SUBDOMAINS": "1",
    "RETURNDESK_HSTS_PRELOAD": "1",
    "ALLOWED_HOSTS": "returns.example.com",
}


def tables(url: str) -> list[str]:
    with psycopg.connect(url) as connection:
        rows = connection.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
        ).fetchall()
    return [name for (name,) in rows]


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_with_database_url_a_command_refuses_while_migrations_are_pending(
    postgres_database_url: str, tmp_path: Path
) -> None:
    env = server_env(tmp_path, {"DATABASE_URL": postgres_database_url, "SECRET_KEY": "cli-test-only"})

    refused = run_command(env, "createkey", "--role", "platform")

    assert refused.returncode == 1
    assert refused.stdout == ""
    assert refused.stderr.count("\n") == 1
    assert refused.stderr.startswith("returndesk: the database lacks ")
    assert refused.stderr.endswith(" migrations; run `returndesk migrate` first, then run this command again.\n")
    assert tables(postgres_database_url) == []


def test_embedded_the_data_directory_is_made_private_to_its_owner(tmp_path: Path) -> None:
    data_dir = tmp_path / "var"

    migrated = run_command(server_env(data_dir), "migrate", "--verbosity", "0")

    assert migrated.returncode == 0, migrated.stderr
    assert {path.name: mode(path) for path in [data_dir, *data_dir.iterdir()]} == {
        "var": 0o700,
        "returndesk.sqlite3": 0o600,
        "secret_key": 0o600,
    }


def test_embedded_looser_modes_left_by_an_older_version_are_tightened(tmp_path: Path) -> None:
    data_dir = tmp_path / "var"
    data_dir.mkdir(mode=0o755)
    (data_dir / "secret_key").write_text("x" * 60)
    (data_dir / "returndesk.sqlite3").touch()
    for path in [data_dir, *data_dir.iterdir()]:
        path.chmod(0o755 if path.is_dir() else 0o644)

    # Any command, even one that needs no database: settings see to the modes.
    checked = run_command(server_env(data_dir), "version")

    assert checked.returncode == 0, checked.stderr
    assert [mode(path) for path in (data_dir, data_dir / "secret_key", data_dir / "returndesk.sqlite3")] == [
        0o700,
        0o600,
        0o600,
    ]


def test_check_deploy_is_clean_once_https_is_configured(tmp_path: Path) -> None:
    checked = run_command(server_env(tmp_path, DEPLOY_ENV), "check", "--deploy")

    assert (checked.returncode, checked.stderr) == (0, "")
    assert checked.stdout == "System check identified no issues (0 silenced).\n"
