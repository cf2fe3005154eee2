"""``python -m application``: the operator command line (see :mod:`application.cli`)."""

from application.cli import main

raise SystemExit(main())
