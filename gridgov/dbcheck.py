"""Exit 0 if the PostgreSQL server of a database URL answers, 1 otherwise (used by make test)."""

from __future__ import annotations

import sys

import dj_database_url


def reachable(url: str) -> bool:
    import psycopg

    cfg = dj_database_url.parse(url)
    try:
        with psycopg.connect(
            host=cfg.get("HOST") or "127.0.0.1",
            port=int(cfg.get("PORT") or 5432),
            user=cfg.get("USER") or "postgres",
            password=cfg.get("PASSWORD") or None,
            dbname="postgres",
            connect_timeout=3,
        ):
            return True
    except psycopg.Error:
        return False


if __name__ == "__main__":
    sys.exit(0 if len(sys.argv) == 2 and reachable(sys.argv[1]) else 1)
