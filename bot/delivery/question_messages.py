"""Questions and answers between a family and her nurse. (to be written)"""
