"""Gathering pages, one module per part: the gathering, its public page and status
(``gathering``), the programme editor and checks (``programme``), the committee
(``committee``), municipal input (``inputs``), calendars and other events (``calendars``),
the directorate's list of programme topics (``topics``).

The blueprint is ``eventapp.gatherings.bp``; importing this package puts every page on it.
"""

from eventapp.gatherings.views import calendars, committee, gathering, inputs, programme, topics

__all__ = ["calendars", "committee", "gathering", "inputs", "programme", "topics"]
