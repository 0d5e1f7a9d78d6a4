"""Session notes (SOAP), the third home-care sub-feature: what the visit's therapist writes
about the session (what the client reports, findings per area, what was done, the plan).
Private to the client's therapists and staff, audited, locked a day after they were first
saved (amendments keep the original). Plans read the latest findings; notes know nothing of
plans."""
