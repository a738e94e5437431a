"""The floor every indicator figure is set against: FastAPI with no middleware, no database and no
authentication, one `async def` endpoint returning a constant body of the same shape as
`bench/app.py`'s `/bench/constant` (bench/indicators.py checks the two bodies are equal).

Served by uvicorn as `bench.bare:app`, with the same flags and one process, like the service.
Kept free of `api` imports so that nothing of the service's start-up runs in it.
"""

from fastapi import FastAPI

app = FastAPI()
CONSTANT = {"items": [{"gss_code": f"E0800{n:04d}", "name": f"Place {n}", "kind": "place"} for n in range(9)],
            "next_cursor": None}


@app.get("/bench/constant")
async def constant():
    return CONSTANT
