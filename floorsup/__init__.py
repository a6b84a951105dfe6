"""floorsup: a terminal command centre for contact-centre floor supervisors."""

__version__ = "0.1.0"
