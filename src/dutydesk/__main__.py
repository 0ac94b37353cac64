"""``python -m dutydesk`` is the ``dutydesk`` command."""

import sys

from dutydesk.cli import main

if __name__ == "__main__":
    sys.exit(main())
