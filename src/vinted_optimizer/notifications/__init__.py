"""Notifications: what the family should know (a sale recorded, a parcel delivered or in trouble), kept as
the family's activity feed and e-mailed to the members who have not opted out."""
