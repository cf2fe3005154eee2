"""Noark 5 (v5.0), the Norwegian standard for public records: the ``arkivstruktur.xml`` of one
case with its documents (:mod:`api.noark5.arkivstruktur`), validated against Arkivverket's
published schema, kept beside it in ``schemas/`` with its source and licence."""
