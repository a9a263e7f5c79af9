"""factdesk.report"""
