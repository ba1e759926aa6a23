"""`.env` reaches what reads variables outside the settings (the Procfile's shell),
by the settings' own rules."""

from pathlib import Path

from durable_jobs.testing.environment import with_dotenv


def test_the_environment_wins_over_dotenv_which_wins_over_its_secrets(tmp_path: Path) -> None:
    (tmp_path / ".env.secrets").write_text("FLOWER_PASSWORD=generated\nAPI_PORT=1\n")
    (tmp_path / ".env").write_text("API_PORT=8100\nFLOWER_PORT=5600\nLOG_LEVEL=DEBUG\n")

    merged = with_dotenv({"LOG_LEVEL": "INFO", "PATH": "/bin"}, tmp_path)

    assert merged["API_PORT"] == "8100"
    assert merged["FLOWER_PORT"] == "5600"
    assert merged["FLOWER_PASSWORD"] == "generated"
    assert merged["LOG_LEVEL"] == "INFO"
    assert merged["PATH"] == "/bin"


def test_an_empty_value_means_unset_in_either_place(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("WORKER_METRICS_PORT=\nAPI_PORT=8100\n")

    merged = with_dotenv({"API_PORT": ""}, tmp_path)

    assert "WORKER_METRICS_PORT" not in merged  # the Procfile's default applies
    assert merged["API_PORT"] == "8100"


def test_without_dotenv_files_the_environment_is_unchanged(tmp_path: Path) -> None:
    assert with_dotenv({"A": "1", "B": ""}, tmp_path) == {"A": "1", "B": ""}
