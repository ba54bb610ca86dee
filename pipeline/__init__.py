"""kehoach: Vietnamese administrative plans -> sectioned, normalized JSON."""

__version__ = "0.1.0"
SCHEMA_VERSION = "1"
