"""Mixed table allocation.

The solver (the ``solver`` package) and its command line (``python -m eventapp.seating``) are
pure: no Flask, no database, so the package's ``__init__`` stays import-free too. The app's side
(tables, rounds, pins, the plan pages and the API) lives in ``models``, ``services``, ``views``
and ``api``; its blueprint is defined in ``views`` for that reason.
"""
