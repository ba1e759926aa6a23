"""The service's own data in PostgreSQL: tables, engines and migrations.

Shared by the API (async sessions, one per request) and the worker and relay (sync
sessions, one per task or batch); each process builds its own engine.
"""
