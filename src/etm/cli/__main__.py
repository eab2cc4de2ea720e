"""``python -m etm.cli``: the same as the ``etm`` console script (:func:`etm.cli.main`)."""

import sys

from etm.cli import main

sys.exit(main())
