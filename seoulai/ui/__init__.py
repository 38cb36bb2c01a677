"""Streamlit helpers shared by the pages. The only package of seoulai that imports streamlit."""
