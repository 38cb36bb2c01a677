"""The server entry point: Streamlit's app (app.py) with the sign-in routes and security headers around it.

`make run` starts it with `streamlit run serve.py`; app.py stays the router of the pages. At start the services
are built and warmed (Kiwi, the shared index, plotly) in a background thread, so the first person does not wait.
"""

import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import quote

import streamlit as st

from seoulai.services import process_services, warm_up
from seoulai.web.launch import refuse_unsafe_start, settings_or_exit
from seoulai.web.gate import middleware
from seoulai.web.routes import routes

refuse_unsafe_start(settings_or_exit())  # production without sign-in: a Korean reason and exit code 2, before serving


def sso_start() -> str:
    """Where the SSO sign-in page's button goes: what st.login() would open (Streamlit's signed provider token)."""
    from streamlit.auth_util import encode_provider_token

    return "/auth/login?provider=" + quote(encode_provider_token("default"))


@asynccontextmanager
async def lifespan(_: st.App) -> AsyncIterator[None]:
    threading.Thread(target=lambda: warm_up(process_services()), name="warm-up", daemon=True).start()
    yield


app = st.App("app.py", routes=routes(process_services, sso_start), middleware=middleware(process_services, sso_start),
             lifespan=lifespan)
