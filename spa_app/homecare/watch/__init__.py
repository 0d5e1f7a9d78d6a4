"""Watching the care loop between visits: which clients' current plans raised a flag lately
(``queries.raised``, read for many clients at once), the marker on the therapist's calendar,
and the therapist's daily digest e-mail of them, each flag told once (``service``)."""
