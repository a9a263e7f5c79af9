"""factdesk.testing"""
