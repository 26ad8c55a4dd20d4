from django.db import models


class SourceGroup(models.TextChoices):
    MAIN = "main", "主要来源"
    OTHER = "other", "其他来源"
