"""factdesk.eval"""
