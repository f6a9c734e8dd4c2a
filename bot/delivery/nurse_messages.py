"""Messages of the nurse's day (appointments she sets, support plan reminders). (to be written)"""
