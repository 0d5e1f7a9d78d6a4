"""Turning an outbox row into an e-mail: the letter its kind's feature composes (see
``outbox.composes``), as text and HTML parts from the kind's templates, with the headers every
e-mail shares and, for optional kinds, a one-click unsubscribe.

E-mails say when and where a visit is, never anything about the client's health.
"""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import format_datetime, formataddr

from flask import render_template
from flask_babel import force_locale

from spa_app.business import Business
from spa_app.i18n import recipient_language
from spa_app.notifications import outbox
from spa_app.notifications.models import Message, switch_for
from spa_app.notifications.outbox import Sender
from spa_app.notifications.preferences import unsubscribe_token


def render(message: Message, settings: Business, sender: Sender) -> EmailMessage:
    """The e-mail for ``message``, addressed to its user's current address, in their language
    (their account's, else the spa's)."""
    with force_locale(recipient_language(message.user.locale)):
        return _render(message, settings, sender)


def _render(message: Message, settings: Business, sender: Sender) -> EmailMessage:
    letter = outbox.composer(message.kind)(message, settings, sender)
    context = dict(letter.context, message=message, spa=settings.business_name, business=settings)
    switch = switch_for(message.kind)
    if switch is not None:
        token = unsubscribe_token(sender.secret, message.user_id, switch)
        context["unsubscribe"] = f"{sender.public_url}/unsubscribe/{token}"
    email = EmailMessage()
    email["From"] = sender.address
    # Names (the client's, the service's, the spa's) are typed by people: a line break that got
    # past a form (U+2028, say) would make the e-mail unsendable, so headers get it as a space.
    email["To"] = formataddr((" ".join(message.user.name.splitlines()), message.user.email))
    email["Subject"] = " ".join(letter.subject.splitlines())
    # The same for every copy (should a crash send one twice, mail apps can tell), and unique
    # across databases: the row's id and when it was made.
    stamp = round(message.created_at.timestamp() * 1000)
    email["Message-ID"] = f"<message-{message.id}.{stamp}@{sender.domain}>"
    email["Date"] = format_datetime(message.created_at)  # the same on every copy, like the id
    # Every text part ends with how to reach the spa; the HTML layout has the same footer.
    text = render_template(f"emails/{message.kind.value}.txt", **context).rstrip("\n")
    email.set_content(f"{text}\n\n{render_template('emails/_footer.txt', **context)}\n")
    email.add_alternative(
        render_template(f"emails/{message.kind.value}.html", **context), subtype="html"
    )
    if switch is not None:
        # RFC 8058 one-click: mail apps POST "List-Unsubscribe=One-Click" to this URL.
        email["List-Unsubscribe"] = f"<{context['unsubscribe']}>"
        email["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    for attachment in letter.attachments:
        email.add_attachment(
            attachment.data,
            maintype=attachment.maintype,
            subtype=attachment.subtype,
            filename=attachment.filename,
            params=attachment.params,
        )
    return email
