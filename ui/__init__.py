"""Streamlit-side code of Attention Explorer: state, cached computations, charts, text."""
