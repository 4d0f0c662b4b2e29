"""``sanxin`` is Django's management utility with the project's settings: ``sanxin serve``,
``sanxin demo``, ``sanxin migrate``, ``sanxin check --deploy``..."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sanxin.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
