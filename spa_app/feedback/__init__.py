"""Feedback after a visit: a day after a completed visit the client is asked for a private
rating (1 to 5) and a comment by a signed link; a high one is offered the spa's public review
page, a low one reaches staff the same day and shows on the client's record and in reports."""
