"""atlas: the command line of Atlas (``atlas --help``)."""
