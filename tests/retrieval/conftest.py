"""The PostgreSQL fixtures of the store tests (`pg_url`, `pg_database`), for the multilingual index on both backends."""

import importlib.util
from pathlib import Path

_spec = importlib.util.spec_from_file_location(
    "_store_conftest_retrieval", Path(__file__).resolve().parents[1] / "store" / "conftest.py"
)
assert _spec is not None and _spec.loader is not None
_store_conftest = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_store_conftest)

pg_url = _store_conftest.pg_url
pg_database = _store_conftest.pg_database
_drop_test_databases = _store_conftest._drop_test_databases
