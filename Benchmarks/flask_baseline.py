"""The comparison point of the foundation benchmark: a minimal Flask app serving one SQLite row as JSON.

Run by Benchmarks/compare.sh under gunicorn (2 workers, one per core) so both servers are measured in one run.
"""
import os
import sqlite3

from flask import Flask, jsonify

DATABASE = os.environ.get("BASELINE_DB", "/tmp/psc-flask-baseline.db")
app = Flask(__name__)


def setup():
    connection = sqlite3.connect(DATABASE)
    connection.execute("CREATE TABLE IF NOT EXISTS departments (id INTEGER PRIMARY KEY, name TEXT NOT NULL)")
    connection.execute("INSERT OR IGNORE INTO departments (id, name) VALUES (1, 'Automotive Technology')")
    connection.commit()
    connection.close()


setup()


@app.get("/department")
def department():
    connection = sqlite3.connect(DATABASE)
    row = connection.execute("SELECT id, name FROM departments WHERE id = 1").fetchone()
    connection.close()
    return jsonify({"id": row[0], "name": row[1]})
