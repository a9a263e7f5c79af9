"""factdesk.claims"""
