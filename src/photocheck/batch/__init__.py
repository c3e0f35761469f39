"""Many photos at once: worker pools, streamed results, measurement tables and result files."""
