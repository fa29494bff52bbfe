"""``python -m ascsync.gha``: the single command ``action.yml`` runs."""

import sys

from ascsync.gha.steps import main

sys.exit(main())
