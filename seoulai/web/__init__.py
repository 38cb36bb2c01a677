"""The HTTP layer around the Streamlit app (Starlette, through st.App): the local sign-in form that sets the
HttpOnly session cookie, sign-out, security headers. Imports no streamlit."""
