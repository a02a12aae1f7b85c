"""Sub-commands of the ``helsekit`` CLI that live beside their topic rather than in ``helsekit/cli.py``.

Each module here has ``register(groups)``: ``groups`` maps "top", "export", "import" and "report" to the
argparse sub-parser collections of ``helsekit/cli.py``. A handler raises a ``HelsekitError`` for bad input;
``helsekit.cli.main`` prints it as one line and exits with 2. Imports inside the handlers stay lazy so that
``helsekit --help`` stays fast.
"""
