"""Reports for the spa's owner and staff: how visits turn out, who comes back inside their
window, what the notes to book again do, what visits earn, and how many carry a home-care
plan, over any range of local days, by therapist and by service."""
