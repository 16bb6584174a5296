"""The baseline of the ask path bench: a bare FastAPI endpoint under the same uvicorn."""

from fastapi import FastAPI

app = FastAPI()


@app.get("/ping")
async def ping() -> dict[str, bool]:
    return {"ok": True}
