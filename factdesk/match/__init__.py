"""factdesk.match"""
