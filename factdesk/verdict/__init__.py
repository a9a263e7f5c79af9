"""Judging: the stance of each piece of evidence, then a verdict on the desk's scale."""
