"""Log detection engine (issue 5): Sigma rules over Windows event logs and JSON logs, on DuckDB and Spark."""
