"""Turning what callers pass (paths, bytes, arrays, folders, URLs) into RGB arrays."""
