"""The health intake, the first of home care's two sub-features: what the client tells us
(pain by area, goals, days, pressure, conditions, medicines), and what the generator needs
from it (``needs``). It knows nothing of plans: saving it asks the plan's review to look again
from its page (``views``)."""
