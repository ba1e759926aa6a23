"""The worker's entry points: its app (`app.py`) and, with Beat, the periodic jobs.

Never imports fastapi or the api package (an import-linter contract checks this).
"""
