"""Small building blocks shared by `garden` and `federation`; imports neither."""
