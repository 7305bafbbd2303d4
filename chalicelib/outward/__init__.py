"""outward"""
