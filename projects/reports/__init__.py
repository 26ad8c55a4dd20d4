"""Progress and budget reports built by the Celery worker (issue 7, docs/reports.md).

Public names: the services that request and build runs, and report_write for the command.
"""
