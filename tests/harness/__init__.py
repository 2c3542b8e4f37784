"""The test harness shared by every suite: a compose project as a fixture,
waiting for a condition, HTTP requests and load with per-request records,
the count as the database holds it, and the verdicts computed from them.
"""
