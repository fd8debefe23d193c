"""One module per screen; each takes the actor's ServiceContext and the task runner."""
