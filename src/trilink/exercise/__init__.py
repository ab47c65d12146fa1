"""trilink.exercise."""
