"""factdesk.store"""
