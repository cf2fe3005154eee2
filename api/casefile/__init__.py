"""The case file for Statsforvalteren (R21, forvaltningsloven § 33 fourth paragraph): what it
holds (:mod:`~api.casefile.contents`), its documents as PDF (:mod:`~api.casefile.documents`)
and the Noark 5 package (:mod:`~api.casefile.package`)."""
