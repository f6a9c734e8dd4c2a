"""Several workers need PostgreSQL (and Redis): these tests skip on SQLite; CI runs them on PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest

LOGS = Path(__file__).resolve().parents[2] / "artifacts" / "scale"


@pytest.fixture
def postgres_url(clean_database_url: str) -> str:
    if not clean_database_url.startswith("postgresql"):
        pytest.skip("several workers need PostgreSQL: set TEST_DATABASE_URL (CI does)")
    return clean_database_url
