"""The demo municipality: its description (:mod:`.municipality`), and the player that plays
it through the application's own commands (:mod:`.player`). The public face is
:mod:`application.seed`."""
