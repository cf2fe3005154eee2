"""The demo municipality's parts (the public face is :mod:`application.seed`)."""
