"""crustcore_nano"""
