"""The demo municipality: its description (:mod:`.municipality`), and the player that plays
it through the application's own commands (:mod:`.player`, put together from its parts
:mod:`.stage`, :mod:`.applicants`, :mod:`.waiting_list`, :mod:`.morning`, :mod:`.outcomes`).
The public face is :mod:`application.seed`."""
