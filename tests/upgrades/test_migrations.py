"""An upgrade keeps the data: databases made by earlier code migrate with every row intact.

Each fixture in fixtures/ is a SQLite database written by the code of one release, with rows
in every table (made by make_fixture.py). A copy is migrated to the current code by the real
`manage.py migrate`; then every row of every table the fixture had must still be there, under
the same primary key, with the same values in every column that still exists. Tables and rows
added by later code are allowed; only loss fails.
"""

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = sorted((Path(__file__).parent / "fixtures").glob("*.sqlite3"))

# Columns a later migration rewrites on purpose, as {"table": {"column", ...}}: their values
# are not compared (the rows still are). Add an entry with the migration that needs it.
REWRITTEN_ON_PURPOSE: dict[str, set[str]] = {}


def table_rows(database: Path) -> dict[str, dict[tuple, dict]]:
    """Every table's rows keyed by primary key, each row as {column: value}."""
    with sqlite3.connect(database) as db:
        db.row_factory = sqlite3.Row
        tables = [
            name
            for (name,) in db.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        result = {}
        for table in tables:
            columns = db.execute(f'PRAGMA table_info("{table}")').fetchall()
            key = [c["name"] for c in sorted(columns, key=lambda c: c["pk"]) if c["pk"]]
            rows = {}
            for row in db.execute(f'SELECT * FROM "{table}"'):
                record = dict(row)
                rows[tuple(record[k] for k in key) if key else tuple(record.values())] = record
            result[table] = rows
    db.close()
    return result


def migrate(data_dir: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env["ALLMENDE_DATA_DIR"] = str(data_dir)
    return subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_there_is_a_fixture_with_rows_in_every_table():
    assert FIXTURES, "tests/upgrades/fixtures/ holds no database"
    for fixture in FIXTURES:
        empty = [t for t, rows in table_rows(fixture).items() if not rows]
        assert empty == [], f"{fixture.name}: empty tables {empty}"


@pytest.mark.parametrize("fixture", FIXTURES, ids=[f.stem for f in FIXTURES])
def test_migrating_an_old_database_keeps_every_row(fixture, tmp_path):
    before = table_rows(fixture)
    shutil.copyfile(fixture, tmp_path / "allmende.sqlite3")

    result = migrate(tmp_path)
    assert result.returncode == 0, result.stderr

    after = table_rows(tmp_path / "allmende.sqlite3")
    for table, rows in before.items():
        assert table in after, f"table {table} is gone"
        missing = rows.keys() - after[table].keys()
        assert not missing, f"{table}: {len(missing)} rows lost, e.g. {sorted(missing)[:3]}"
        skip = REWRITTEN_ON_PURPOSE.get(table, set())
        for key, old in rows.items():
            new = after[table][key]
            changed = {
                column: (value, new[column])
                for column, value in old.items()
                if column in new and column not in skip and new[column] != value
            }
            assert not changed, f"{table} row {key}: values changed {changed}"

    check = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--check"],
        cwd=ROOT,
        env={**os.environ, "ALLMENDE_DATA_DIR": str(tmp_path), "DATABASE_URL": ""},
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stdout + check.stderr
