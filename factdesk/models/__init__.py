"""factdesk.models"""
