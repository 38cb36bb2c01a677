# 서울시 행정 AI 도우미 application image (the model runs in the separate Ollama service).
FROM python:3.11-slim
WORKDIR /app
ENV PIP_NO_CACHE_DIR=1 PYTHONUNBUFFERED=1
COPY pyproject.toml README.md ./
COPY seoulai ./seoulai
# In place (-e): the launcher finds serve.py and demo-library its manuals beside the package, in /app.
RUN pip install -e .
COPY app.py serve.py ./
COPY views ./views
COPY demo ./demo
COPY .streamlit ./.streamlit
COPY ollama ./ollama
EXPOSE 8501
HEALTHCHECK CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health')"
# serve.py: the app with its sign-in routes and security headers (what `make run` starts).
CMD ["python", "-m", "seoulai.web.launch", "--port", "8501", "--address", "0.0.0.0"]
