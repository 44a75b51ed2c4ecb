"""The outbox: replies stored with the state change, sent after commit."""
