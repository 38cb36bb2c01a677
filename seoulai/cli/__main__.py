"""`python -m seoulai.cli`."""

import sys

from seoulai.cli import main

sys.exit(main())
