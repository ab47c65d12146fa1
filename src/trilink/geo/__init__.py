"""trilink.geo."""
