"""English: the 24-hour clock, as event times and schedules are written across the site."""
