"""The cluster comes up from nothing, each service after the one it needs:
db healthy, migrate done, the app healthy, nginx answering through it."""
from cluster.helpers import page


def test_every_service_comes_up_and_nginx_answers_through_the_app(cluster):
    seen = {"healthy db": cluster.healthy("db"), "healthy app replicas": cluster.healthy("app"),
            "nginx's answer to /healthz": page(cluster, "/healthz").status}
    assert (seen["healthy db"], seen["healthy app replicas"] >= 1, seen["nginx's answer to /healthz"]) \
        == (1, True, 200), seen


def test_nginx_accepts_the_mounted_config(cluster):
    done = cluster.exec("web", "nginx", "-t", check=False)
    assert done.returncode == 0, (done.stdout + done.stderr).strip()


def test_migrate_ran_once_and_exited_0(cluster):
    runs = cluster.container_ids("migrate", all=True)
    states = [(cluster.inspect(run)["State"]["Status"], cluster.inspect(run)["State"]["ExitCode"]) for run in runs]
    assert states == [("exited", 0)]
