"""The one refusal type: "you may not do this, and here is why".

Every service raises a ``Refusal`` (or its app's subclass: ``CommunityError``, ``FeedbackError``,
``EventsError``, ``RewardsError``, the moderation queue's ``QueueError``, ``RateLimited``) when
the person asking may not do what they asked. ``message`` is already translated and fit to show
them; views catch ``Refusal`` and show it as a form error or a message:

    try:
        services.register_rsvp(event, by=request.user)
    except Refusal as refused:
        messages.error(request, refused.message)

Anything else a service raises is a fault, not a refusal, and is not shown to the member.
"""


class Refusal(Exception):
    """A refused action; ``message`` is translated and says why."""

    def __init__(self, message):
        super().__init__(message)
        self.message = str(message)

    def __str__(self) -> str:
        return self.message
