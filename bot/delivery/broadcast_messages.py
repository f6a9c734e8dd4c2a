"""Broadcast messages, rendered per recipient at send time. (to be written)"""
