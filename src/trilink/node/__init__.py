"""trilink.node."""
