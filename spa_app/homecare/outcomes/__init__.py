"""Outcomes, the fourth home-care sub-feature: the client re-rates each area of their intake
(0-10, the intake's words) once a week from the routine reminder and before each visit from
the appointment reminder, through a signed link with no log-in, with one optional question on
one of their goals. Health data: audited reads (homecare.access), in the data download, erased
with the account, never in an e-mail (the e-mails carry the link only)."""
