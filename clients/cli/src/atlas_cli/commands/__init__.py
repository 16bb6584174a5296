"""The ``atlas`` commands, one module per group."""
