"""Drawing, by the rendering function: the API builds what may be drawn (a chart, a report, a
contract) and the function draws it. chalicelib/render/requests.py says why; functions/render.py
draws."""

from __future__ import annotations

from .. import invoke
from ..render.requests import Drawing, from_answer, to_event


def draw(drawing: Drawing) -> bytes:
    """The PNG or PDF, as the API delivers it."""
    return from_answer(invoke.call("render", to_event(drawing)))
