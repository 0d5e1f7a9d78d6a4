"""The spa's own details: how it presents itself to clients on every page, e-mail and calendar
file (name, address, phone, map link, opening hours, cancellation policy), the grace period
after booking, and its money."""
