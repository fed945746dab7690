import datetime
import pytest
from numbering.services import *
from numbering.audit import sequence_audit
from tests.numbering.factories import SequenceFactory

pytestmark = pytest.mark.django_db

def test_smoke(entity, django_assert_max_num_queries):
    seq = SequenceFactory(entity=entity)
    n = sequence_issue_next(sequence=seq, date=datetime.date(2026, 3, 1))
    print(n.number, n.value, n.period.label)
    with django_assert_max_num_queries(1):
        n = sequence_issue_next(sequence=seq, date=datetime.date(2026, 3, 1))
    print(n.number, n.value, n.period.label)
    b = sequence_issue_block(sequence=seq, count=5)
    print([x.number for x in b])
    print(sequence_audit(sequence=seq))
