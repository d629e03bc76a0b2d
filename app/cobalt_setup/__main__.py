"""`python -m cobalt_setup` is the same as the `cobalt-setup` command."""

import sys

from cobalt_setup.cli import main

sys.exit(main())
