"""trilink.scenarios."""
