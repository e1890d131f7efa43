"""Benchmarks: a large synthetic database and the measurements that use it."""
