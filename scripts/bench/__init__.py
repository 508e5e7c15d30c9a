"""Speed and memory measurements of sada (alone, beside its peers, build against build)."""
