"""``sanxin import <importer> <file> [--mode all|valid]``: the name the issue gives ``import_file``."""

from .import_file import Command  # noqa: F401
