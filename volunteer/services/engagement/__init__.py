"""Taking part: sign-ups and applications, hours, recognition, calendars and hour exports."""
