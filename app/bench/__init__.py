"""`main.py bench`: figures against limits measured in the same run (issue 6)."""
