"""The bench's route: `POST /targets` (`targets.py`)."""
