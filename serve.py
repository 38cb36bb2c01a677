"""The server entry point: Streamlit's app (app.py) with the sign-in routes and security headers around it.

`make run` starts it with `streamlit run serve.py`; app.py stays the router of the pages.
"""

import streamlit as st

from seoulai.services import process_services
from seoulai.web.routes import middleware, routes

app = st.App("app.py", routes=routes(process_services), middleware=middleware(process_services))
