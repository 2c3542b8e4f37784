"""Everything one benchmark run wrote into its output folder, read back by
name: the raw rows, the memory readings, the environment."""
import os
from dataclasses import dataclass, field

from report import rounds, scenarios, summary

# The RSS baseline: the app's memory after this many counted views.
FIRST_VIEWS = 10000


def read_pairs(path):
    """A key<TAB>value file -> list of (key, value); missing file: []."""
    if not os.path.exists(path):
        return []
    with open(path) as file:
        return [tuple(line.rstrip("\n").split("\t", 1)) for line in file if "\t" in line]


@dataclass
class Results:
    rows: list
    runs: list                                   # [(kind, conns)] in the order given
    environment: list = field(default_factory=list)   # [(name, value)], names may repeat
    memory: dict = field(default_factory=dict)   # rss_*_kb, views_*, memory_target
    curve: list = field(default_factory=list)    # [(views, rss_kb)] along the memory phase

    def __post_init__(self):
        self.summary = summary.summarize(self.rows, self.runs)

    def rps(self, kind, conns):
        entry = summary.find(self.summary, kind, conns)
        return entry["rps"] if entry else None

    def memory_number(self, key):
        value = self.memory.get(key)
        return int(value) if value not in (None, "", "?") else None

    @property
    def memory_target(self):
        return self.memory_number("memory_target")

    @property
    def first_target(self):
        """How many views the RSS baseline was taken after."""
        return self.memory_number("memory_first_target") or min(self.memory_target or FIRST_VIEWS, FIRST_VIEWS)

    def environment_value(self, name):
        return next((value for key, value in self.environment if key == name), "")


def load(folder):
    """The Results of the run that wrote folder (rounds.tsv, environment.tsv,
    memory.tsv, memory-curve.tsv)."""
    environment = read_pairs(os.path.join(folder, "environment.tsv"))
    runs = scenarios.parse(next((value for key, value in environment if key == "scenarios"), scenarios.DEFAULT))
    curve = [(int(views), int(kb)) for views, kb in read_pairs(os.path.join(folder, "memory-curve.tsv"))
             if views.isdigit() and kb.isdigit()]
    return Results(rows=rounds.read(os.path.join(folder, "rounds.tsv")), runs=runs, environment=environment,
                   memory=dict(read_pairs(os.path.join(folder, "memory.tsv"))), curve=curve)
