"""The community part of the 新河市 demo (filled below)."""
