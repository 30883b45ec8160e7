"""The HTTP edge: FastAPI app, request/response schemas, auth and live streams."""
