"""The bench's jobs: the enqueue target (`target.py`) and a no-op (`noop.py`)."""
