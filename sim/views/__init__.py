"""Views of results: figures, the HTML report, owner stories, the animation (one concept per module).

The report's figures (`bands`, `heatmap`, `funnel`, `effort`, `tickets`) count the tables that
``run`` and ``compare`` save (`logged`, `folder`); `report` builds the page; ``feesim story`` is
`tell` (`story`, `picks`, `collector_day`, `moods` over `onerun`); ``feesim animate`` is `animate` (`states`).
"""

from sim.views.curves import OKABE_ITO, paid_share_figure

__all__ = ["OKABE_ITO", "paid_share_figure"]
