"""factdesk.train"""
