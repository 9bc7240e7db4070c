"""The what-if page: change a scenario's levers in a browser, see the simulated effect.

``wsim serve SCENARIO [--levers LEVERS]`` starts a local web application (bound to 127.0.0.1
unless another address is asked for) that shows the scenario and its baseline KPIs, offers
the levers generated from it (:mod:`.levers`) and from a levers file, builds a changed
scenario as an overlay validated like a file (:mod:`.overlay`), simulates it against the
baseline on common random numbers outside the request thread (:mod:`.runs`) and shows the
paired effects with the decision report's verdicts (:mod:`.results`). Runs are kept per
session; each can be saved as a reform option (an overlay file) and the kept runs opened as
the decision report (:mod:`.app`). :mod:`.server` binds the port and runs the server.
"""

from wsim.serve.app import WhatIf, create_app
from wsim.serve.server import ServeError, serve

__all__ = ["ServeError", "WhatIf", "create_app", "serve"]
