"""trilink.tracking."""
