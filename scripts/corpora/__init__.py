"""Corpus generators (with truth) and fetchers of real corpora for the measurements."""
