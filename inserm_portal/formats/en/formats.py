"""English dates and times as the portal writes them: a 24-hour clock, as in the French pages and
as researchers abroad read a Paris deadline ("Dec. 23, 2026, 17:00"), never "5 p.m." (which, at
the end of a sentence, gave "5 p.m..")."""

DATETIME_FORMAT = "N j, Y, H:i"
TIME_FORMAT = "H:i"
SHORT_DATETIME_FORMAT = "m/d/Y H:i"
