"""trilink.physics."""
