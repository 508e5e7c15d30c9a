"""Quality measurement of sada's outputs: the evaluators, the statement checker, their
self-checks and the reference normalizer (eval.normalizer) they and the corpus generators use."""
