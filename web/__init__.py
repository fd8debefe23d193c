"""The office server: the one process that holds the database, the clock and the key.

Desks (ui/remote.py) and the engineers' web site are its clients; they send what a person did,
and the server decides who the actor is (its session), what time it is (its clock, checked
against the database's) and whether the rules allow it (the services).
"""
