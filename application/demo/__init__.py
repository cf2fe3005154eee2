"""The demo municipality's description (:mod:`.municipality`) and the § 2-2 documentation
of a case as commands (:mod:`.documentation`). The simulator plays the description
(:mod:`simulator.demo`); the public face is :mod:`application.seed`."""
