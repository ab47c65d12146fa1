"""trilink.sensors."""
