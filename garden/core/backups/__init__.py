"""Backups of a whole node: archive.py (the format and its checks), dump.py (`manage.py
backup`), load.py (`manage.py restore`), schedule.py (the daily backup and how many are kept).
See docs/deploy.md, "Backups"."""
