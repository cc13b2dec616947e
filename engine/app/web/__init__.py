"""`xxgk-audit serve`: the office's review web app over a result store (Starlette on uvicorn)."""
