"""Visual output: the annotated photo and the self-contained HTML report."""
