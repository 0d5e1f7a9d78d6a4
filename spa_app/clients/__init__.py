"""The client record: the directory staff and therapists search, and each client's profile."""
