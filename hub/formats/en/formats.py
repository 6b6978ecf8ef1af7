"""English formats: Django's, with the 24-hour clock ("19:00", not "7 p.m.")."""

TIME_FORMAT = "H:i"
DATETIME_FORMAT = "N j, Y, H:i"
SHORT_DATETIME_FORMAT = "m/d/Y H:i"
