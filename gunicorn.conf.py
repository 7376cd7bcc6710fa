"""gunicorn's settings, read from the working directory (``gunicorn wsgi:app``).

``preload_app``: the master imports the app once (``wsgi.py``: about a second of
Python, mostly mapping the models), freezes what it built out of the cycle
collector's reach, and forks its workers from it. A worker that gunicorn starts
later (after a crash, a ``--max-requests`` recycle, a ``TTIN``) is then forked
and answers in about 0.2 s instead of importing everything again (about 1.5 s
here, ``python -m benchmarks.cold_start``), and the workers share
the start-up's memory pages until they write to them. ``wsgi.py`` makes each
forked worker open its own database connections (none is open before the fork).
Code changes need a restart of the master (``HUP`` reloads the configuration
only), as with any preloaded app.
"""

preload_app = True
