"""Foresight: the application shell (plant file, errors, state folder, command line)."""
