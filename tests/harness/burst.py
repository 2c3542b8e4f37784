"""A burst of concurrent requests, one Record each, and the verdict that
matters for a burst of views: every one answered with its own number, the
numbers exactly the next ones."""
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from harness.http import get


def burst(url, count, parallel, name="burst", headers=None):
    """count GETs of url, parallel at a time; request i carries the
    X-Request-ID name-i. Returns the records in request order."""
    def one(index):
        return get(url, headers=headers, request_id=f"{name}-{index}")

    with ThreadPoolExecutor(max_workers=parallel) as pool:
        return list(pool.map(one, range(1, count + 1)))


def exact_run_problem(records, first=None):
    """What is wrong with a burst of views, or "" when nothing is: every
    request answered 200 with a number, no number twice and, given first,
    the numbers exactly first..first+count-1 (nothing lost, nothing counted
    twice, nothing counted meanwhile)."""
    if not records:
        return "no request was sent"
    failed = [record for record in records if record.number is None]
    if failed:
        seen = Counter(record.describe()[:60] for record in failed)
        return f"{len(failed)} of {len(records)} requests got no number: " + \
            "; ".join(f"{count} x {what}" for what, count in seen.most_common(3))
    numbers = [record.number for record in records]
    if len(set(numbers)) != len(numbers):
        return f"only {len(set(numbers))} distinct numbers for {len(numbers)} requests"
    if first is not None and (min(numbers), max(numbers)) != (first, first + len(numbers) - 1):
        return f"numbers {min(numbers)}..{max(numbers)}, expected {first}..{first + len(numbers) - 1}"
    return ""
