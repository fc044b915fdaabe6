"""UI logic of the scratchnet app as plain functions and small classes, testable without Streamlit."""
