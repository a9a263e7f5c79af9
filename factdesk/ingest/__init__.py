"""factdesk.ingest"""
