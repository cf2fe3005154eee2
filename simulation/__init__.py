"""``python -m simulation run --scenario FILE --years 10 --seeds 20 [--out FOLDER]``: the
policy lab's command line as issue 20 names it (the work is :mod:`simulator`'s)."""
