"""Requests sent at the same instant, one thread each, as a busy moment sends them."""

from __future__ import annotations

import threading


def status_and_body(reply):
    return reply.status_code, reply.get_data(as_text=True)


def race(browsers, url, forms, read=status_and_body):
    """POST each form at once, one thread per browser; ``read(reply)`` per request, in order
    (by default its status and body)."""
    barrier = threading.Barrier(len(browsers))
    replies = [None] * len(browsers)

    def run(i):
        barrier.wait()
        reply = browsers[i].post(url, data=forms[i])
        replies[i] = read(reply)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(browsers))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return replies
