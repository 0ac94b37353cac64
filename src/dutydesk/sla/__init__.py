"""Service levels: calendars, policies and the clock that measures working time."""
