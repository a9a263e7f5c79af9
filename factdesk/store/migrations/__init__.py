"""The store's schema history as Alembic revisions (run by `factdesk.store.schema`, offline).

`versions/` holds one file per schema revision, oldest first; each works on SQLite and
PostgreSQL. Revision 0001 is the schema of factdesk 0.1.0 (the last release before versioned
schemas), written so that it also brings a 0.1.0 store (which carries no revision) up to it.
A new revision: copy the newest file, set `down_revision` to its `revision`, write `upgrade()`
for both dialects (`op.get_bind().dialect.name`), and add the step to tests/store/test_schema.py.
"""
