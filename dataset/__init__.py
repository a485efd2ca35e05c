"""newsspan's base layer: the schema, ingest of raw articles, I/O and the build.

Offsets everywhere are Python code points into ``documents.text``, half-open ``[start, end)``.
"""

from newsspan.dataset.config import IngestOptions, Settings, load_settings
from newsspan.dataset.errors import ConfigError, InputError, NewsspanError, OutputError
from newsspan.dataset.ingest.normalize import normalize_text

__all__ = [
    "ConfigError",
    "IngestOptions",
    "InputError",
    "NewsspanError",
    "OutputError",
    "Settings",
    "load_settings",
    "normalize_text",
]
