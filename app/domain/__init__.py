"""Pure referral rules: no database, no Qt, no clock, no I/O (time is passed in)."""
