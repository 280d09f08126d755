"""Entry point for gunicorn: ``gunicorn wsgi:app``."""

import gc

from eventapp import create_app

app = create_app()

# What the start made (modules, models, templates, catalogues) lives as long as the worker, yet
# each full collection walked all of it again: on the scaled data (bench/pages.py) a request
# paid 14 ms of collections on average, with pauses of 130 ms. create_app freezes it, so the
# collections walk only what requests make; and with a larger first threshold they run a few
# times a request instead of a dozen (most of a request's objects are freed by reference
# counting anyway).
gc.set_threshold(10_000, 20, 20)
