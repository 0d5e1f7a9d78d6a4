"""Reports for the spa's owner and staff: how visits turn out, what they earn, and how many
carry a home-care plan, over any range of local days, by therapist and by service."""
