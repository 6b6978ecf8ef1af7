"""Events and workshops: event pages, RSVPs, waitlists, reminders, calendars and check-in."""
