"""trilink.web."""
