"""The server entry point: Streamlit's app (app.py) with the sign-in routes and security headers around it.

`make run` starts it with `streamlit run serve.py`; app.py stays the router of the pages. At start the services
are built and warmed (Kiwi, the shared index, plotly) in a background thread, so the first person does not wait.
"""

import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import streamlit as st

from seoulai.services import process_services, warm_up
from seoulai.web.routes import middleware, routes


@asynccontextmanager
async def lifespan(_: st.App) -> AsyncIterator[None]:
    threading.Thread(target=lambda: warm_up(process_services()), name="warm-up", daemon=True).start()
    yield


app = st.App("app.py", routes=routes(process_services), middleware=middleware(process_services), lifespan=lifespan)
