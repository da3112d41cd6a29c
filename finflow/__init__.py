"""finflow: a follow-the-money workbench for human-trafficking investigations."""

__version__ = "0.1.0"
