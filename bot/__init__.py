"""SMCE bot: micro-lessons, a marketplace, FAQ and announcements for cultural enterprises, by chat."""
