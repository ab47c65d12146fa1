"""trilink: trilateral (KOR-USA-JPN) missile-warning data sharing and cooperation secretariat."""

__all__ = ["NATIONS", "TrilinkError", "__version__"]

__version__ = "0.1.0"

#: The three parties, as ISO 3166-1 alpha-3 codes; the only nations a node accepts.
NATIONS: tuple[str, ...] = ("KOR", "USA", "JPN")


class TrilinkError(Exception):
    """An error caused by bad input (a file, an argument, a message) with a one-line message."""
