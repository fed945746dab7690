"""Idempotency records: the stored outcome of a request sent with an Idempotency-Key."""

from django.db import models
from django.db.models import Q

from erp.models.entities import Entity


class IdempotencyRecord(models.Model):
    """The stored outcome of a request sent with an Idempotency-Key, replayed for 24 hours."""

    # No index of its own: the unique (entity, method, path, key) index leads with it.
    entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="+", db_index=False)
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    request_fingerprint = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    response_body = models.TextField()
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["entity", "method", "path", "key"], name="idempotency_record_unique_key"
            ),
            models.CheckConstraint(condition=Q(status_code__lt=500), name="idempotency_record_never_5xx"),
        ]

    def __str__(self) -> str:
        return f"{self.method} {self.path} [{self.key}]"
