"""The soak test's parts (``bench/soak.py``): servers, data, users, scans, faults, report."""
