"""Views of results: figures drawn from run summaries."""

from sim.views.curves import OKABE_ITO, paid_share_figure

__all__ = ["OKABE_ITO", "paid_share_figure"]
