"""A client's own data: the download of everything we hold about them, deleting their account,
and the staff audit log of who read or changed health data."""
