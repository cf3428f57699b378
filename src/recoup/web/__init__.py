"""The web UI: a FastAPI app factory, server-rendered pages, HTMX for small updates.

Start it with `create_app(settings)` (or `app_from_environment()` for uvicorn).
"""
