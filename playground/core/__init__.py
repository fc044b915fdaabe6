"""The playground's state, in plain Python: settings, a person's session and run, the server's shared slots.

No Streamlit here: tests drive all of it with a plain dict for the session.
"""
