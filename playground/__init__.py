"""The scratchnet app's logic, arranged by what a module is.

- ``core``: settings, a person's session and run, the server's training slots, links; pure Python.
- ``figures``: Plotly figures as plain dicts, one module per page.
- ``logic``: what each page computes and says (the live view, Compare, Inside, Data); pure Python.
- ``ui``: everything that imports Streamlit.

The pages in ``pages/`` read widgets, call these and draw.
"""
