"""factdesk.app"""
