"""``python -m dataguardian.scanner PATH ...``: the scan without Django."""

import sys

from dataguardian.scanner.cli import main

if __name__ == "__main__":
    sys.exit(main())
