"""Every topic a thread can have is shown in bokmål in the inbox, never as its code."""

from helsekit.domain.inbox import Topic
from helsekit.widgets.threads import TOPIC_NB


def test_every_inbox_topic_has_a_bokmal_label():
    assert set(Topic.ALL) <= set(TOPIC_NB)
    assert all(TOPIC_NB[t] and TOPIC_NB[t] != t for t in Topic.ALL)
