from django.db import models


class PageView(models.Model):
    """How often a path was viewed."""

    path = models.CharField(max_length=2048, unique=True)
    views = models.BigIntegerField(default=0)

    class Meta:
        # The C++ app's table name, so that one query reads either count.
        db_table = "page_views"
