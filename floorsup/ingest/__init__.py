"""Ingest: the ACD's queue_log (flat file or realtime table as CSV) into the store."""
