"""Baseline for bench/startup.py: a bare Flask app with a constant /healthz and no store."""
from flask import Flask, jsonify

app = Flask(__name__)


@app.get("/healthz")
def healthz():
    return jsonify({"ok": True})
