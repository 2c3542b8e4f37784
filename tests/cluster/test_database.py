"""app -> db: the count the app serves is the one the database holds."""
from cluster.helpers import api_views, number_of, page


def test_the_database_holds_the_number_last_served(cluster):
    served = number_of(page(cluster))
    assert cluster.db_count() == served


def test_api_views_reports_the_number_last_served(cluster):
    served = number_of(page(cluster))
    assert api_views(cluster) == served
