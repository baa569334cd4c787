"""The messages the email page shows, the same whether or not an address belongs to another account.

allauth's own "Confirmation email sent to …" is silenced (templates/account/messages/
email_confirmation_sent.txt) because it depends on a per-address cooldown that a recent sign-up with the
address had used up. An added address always gets this message instead; a re-sent confirmation, of the
learner's own address, still says when it went."""

from django.contrib import messages


def address_added(*, request, email_address, **kwargs) -> None:
    # allauth sends email_added for an address added at /accounts/email/ (unconfirmed, a link on its way)
    # and for one confirmed by code (which says so itself).
    if not email_address.verified:
        messages.info(request, f"Added {email_address.email}. Open the link we email to it to confirm it.")


def confirmation_sent(*, request, confirmation, signup, **kwargs) -> None:
    if "action_send" in request.POST:
        messages.info(request, f"Confirmation email sent to {confirmation.email_address.email}.")
