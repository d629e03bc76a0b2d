"""What runs the probes: where they look, which run for which service, and a whole diagnosis.

Above both `probes/` (one module per service) and `router/`, which import only what lies
below them (`result`, `wording`, `settings`, `addresses`, `services`).
"""
