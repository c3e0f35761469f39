"""The ``photocheck`` command line."""
