"""`main.py simulate`: replay a `referral-scenario/1` file through the services (scenario.md)."""
