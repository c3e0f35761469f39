"""Evaluation tooling: labelled manifests, synthetic variants, re-judging tables, accuracy and tuning."""
