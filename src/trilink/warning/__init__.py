"""trilink.warning."""
