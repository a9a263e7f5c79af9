"""factdesk.retrieval"""
