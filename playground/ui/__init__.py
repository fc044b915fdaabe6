"""Every module that imports Streamlit: cached loaders, widgets, uploads, sharing panels, the live board."""
