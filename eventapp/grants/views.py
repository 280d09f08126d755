"""Grant pages: application and decision, budget, settlement, final report, purge."""

from eventapp.grants import (
    bp,
    services,  # noqa: F401
)


@bp.get("/gatherings/<int:gathering_id>/report")
def report(gathering_id: int):  # placeholder until the pages land
    return ""
